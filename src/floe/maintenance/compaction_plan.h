#pragma once

// What a compaction run rewrites: the live files of a table's current snapshot, grouped per
// partition (spec id + values), oldest partitions first, bin-packed into groups whose outputs are
// about the target size.
//
//   FLOE_ASSIGN_OR_RETURN(TableFiles files, LoadLiveFiles(store, metadata));
//   FLOE_ASSIGN_OR_RETURN(CompactionPlan plan,
//                         PlanCompaction(metadata, files, quarantined, options, request, now));

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "floe/common/result.h"
#include "floe/iceberg/data_file.h"
#include "floe/iceberg/table_metadata.h"
#include "floe/io/object_store.h"
#include "floe/maintenance/compaction_options.h"

namespace floe::maintenance {

// A live file of the current snapshot.
struct LiveFile {
  iceberg::DataFile file;
  int32_t spec_id = 0;
  int64_t data_sequence_number = 0;
};

struct TableFiles {
  std::vector<LiveFile> data_files;
  std::vector<LiveFile> delete_files;  // position and equality deletes
};

// Every live file of `metadata`'s current snapshot (none when it has no snapshot).
Result<TableFiles> LoadLiveFiles(ObjectStore* store, const iceberg::TableMetadata& metadata);

// What the caller asked for (CLI flags, the admin API body).
struct CompactionRequest {
  bool force = false;       // plan even when the table is under the threshold
  bool aggressive = false;  // every file under the target is a candidate, floe's own too
  bool dry_run = false;     // plan only
  // Keep merging until each chosen partition has at most this many files.
  std::optional<int64_t> target_files;
  // Partition filters as partition paths ("ts_day=2026-01-01"); a partition matches a filter when
  // it has every name=value pair the filter lists. Empty: every partition.
  std::vector<std::string> partitions;
  // Only partitions whose time range ends at or before / starts at or after this instant
  // (microseconds since the epoch). Partitions without a time field never match.
  std::optional<int64_t> older_than_micros;
  std::optional<int64_t> newer_than_micros;
};

// The files written by floe's compactor are named like this; the planner leaves them alone while
// their size is within bounds.
inline constexpr std::string_view kCompactedFilePrefix = "compacted-";
bool IsCompactedFile(std::string_view path);

struct FileGroup {
  int32_t spec_id = 0;
  std::vector<iceberg::Literal> partition;
  std::string partition_path;    // "" when unpartitioned
  std::vector<LiveFile> inputs;  // oldest first
  int64_t input_bytes = 0;
  int64_t input_rows = 0;
  std::string reason;  // why it is rewritten: "small files", "oversized file", ...
};

struct PlanSkip {
  std::string partition;  // partition path, "" when unpartitioned
  int64_t files = 0;
  std::string reason;
};

struct CompactionPlan {
  bool needed = false;      // the table reached the threshold, or force
  std::string decision;     // why it is (not) needed, for the report
  int64_t total_files = 0;  // live data files considered (quarantined ones excluded)
  int64_t small_files = 0;  // of those, under the minimum size
  int64_t quarantined_files = 0;
  std::vector<FileGroup> groups;  // in the order to run them
  std::vector<PlanSkip> skipped;
};

// Plans one run; `quarantined` paths are never planned. The same inputs give the same plan (the
// request holds absolute instants, no clock is read).
Result<CompactionPlan> PlanCompaction(const iceberg::TableMetadata& metadata,
                                      const TableFiles& files,
                                      const std::set<std::string>& quarantined,
                                      const CompactionOptions& options,
                                      const CompactionRequest& request);

// An instant for olderThan/newerThan: RFC 3339 ("2026-01-01T00:00:00Z"), a date ("2026-01-01",
// its midnight UTC), or an age before `now_micros` ("7d", "12h", "30m", "45s").
Result<int64_t> ParseTimeBound(std::string_view text, int64_t now_micros);

}  // namespace floe::maintenance
