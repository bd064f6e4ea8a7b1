#pragma once

// The settings of a compaction run (the seed's names where it has them): when a table needs
// compaction, how big the files it writes are, and how much memory and time a run may use.
//
//   CompactionOptions options = CompactionOptions::ForProfile(CompactionProfile::kRealtime);
//   options.memory_limit_bytes = 64 << 20;
//   FLOE_RETURN_IF_ERROR(options.Validate());

#include <cstdint>
#include <string>
#include <string_view>

#include "floe/common/result.h"

namespace floe::maintenance {

// The seed's tuning presets: COMPACTION_THRESHOLD and TARGET_FILE_SIZE_MB per workload.
enum class CompactionProfile {
  kRealtime,  // 30 small files, 64 MB
  kBalanced,  // 50 small files, 128 MB (the defaults)
  kBatch,     // 100 small files, 256 MB
};

// "realtime", "balanced", "batch"; anything else is kInvalidArgument listing the three.
Result<CompactionProfile> ParseCompactionProfile(std::string_view name);
std::string_view CompactionProfileName(CompactionProfile profile);

// The machine's cores, at most 4: a rewrite keeps two cores busy (decoding, and encoding and
// compressing), a few more shorten the compression of large groups; beyond that the writer's
// per-thread codec contexts cost memory for little.
int DefaultCompactionParallelism();

struct CompactionOptions {
  // COMPACTION_THRESHOLD: a table needs compaction once this many of its files are small (under
  // min_file_size_bytes).
  int64_t threshold = 50;
  // TARGET_FILE_SIZE_MB, in bytes: outputs roll over at this size.
  int64_t target_file_size_bytes = int64_t{128} << 20;
  // Files under this are small; files over max_file_size_bytes are split. When left at 0 they
  // are 75 % and 180 % of the target (Iceberg's rewrite_data_files defaults).
  int64_t min_file_size_bytes = 0;
  int64_t max_file_size_bytes = 0;
  // A group with fewer inputs is left alone unless it is worth a rewrite anyway (its bytes reach
  // the target, it splits an oversized file, or the run is forced).
  int64_t min_input_files = 5;
  int64_t max_files_per_group = 2000;
  // Groups committed together in one replace (1: every group commits as soon as it is done).
  int64_t max_groups_per_commit = 1;
  // Groups rewritten per run at most (0: no limit).
  int64_t max_groups_per_run = 0;
  // Decoded row groups in flight plus the writer's buffered pages stay under this.
  int64_t memory_limit_bytes = int64_t{128} << 20;
  // No new group starts after this much time (0: no limit); groups done by then are committed.
  int64_t time_budget_ms = 0;
  // Threads of one group's rewrite: with more than one, inputs are decoded ahead on a thread of
  // their own (when the group is concatenated, not merged) while the writer encodes columns and
  // compresses pages on this many. Memory does not grow with it (see GroupRewriter).
  int parallelism = DefaultCompactionParallelism();

  // The profile's threshold and target; everything else at its default.
  static CompactionOptions ForProfile(CompactionProfile profile);
  // Sets threshold and target from the profile, keeping the other settings.
  void ApplyProfile(CompactionProfile profile);

  int64_t min_file_size() const {
    return min_file_size_bytes > 0 ? min_file_size_bytes : target_file_size_bytes * 3 / 4;
  }
  int64_t max_file_size() const {
    return max_file_size_bytes > 0 ? max_file_size_bytes : target_file_size_bytes * 9 / 5;
  }

  // kInvalidArgument naming the setting, its value and the allowed range.
  Status Validate() const;
};

}  // namespace floe::maintenance
