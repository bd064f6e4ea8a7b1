#include "floe/maintenance/compaction_options.h"

#include <algorithm>
#include <thread>

namespace floe::maintenance {

namespace {

constexpr int64_t kMiB = int64_t{1} << 20;

Status OutOfRange(std::string_view name, int64_t value, std::string_view range) {
  return Status::InvalidArgument(std::string(name) + "=" + std::to_string(value) +
                                 " is out of range: allowed " + std::string(range));
}

}  // namespace

int DefaultCompactionParallelism() {
  // 0 when the count is unknown.
  const unsigned cores = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp(cores, 1u, 4u));
}

Result<CompactionProfile> ParseCompactionProfile(std::string_view name) {
  if (name == "realtime") return CompactionProfile::kRealtime;
  if (name == "balanced") return CompactionProfile::kBalanced;
  if (name == "batch") return CompactionProfile::kBatch;
  return Status::InvalidArgument("compaction profile \"" + std::string(name) +
                                 "\" is unknown: allowed realtime, balanced, batch");
}

std::string_view CompactionProfileName(CompactionProfile profile) {
  switch (profile) {
    case CompactionProfile::kRealtime: return "realtime";
    case CompactionProfile::kBalanced: return "balanced";
    case CompactionProfile::kBatch: return "batch";
  }
  return "balanced";
}

CompactionOptions CompactionOptions::ForProfile(CompactionProfile profile) {
  CompactionOptions options;
  options.ApplyProfile(profile);
  return options;
}

void CompactionOptions::ApplyProfile(CompactionProfile profile) {
  switch (profile) {
    case CompactionProfile::kRealtime:
      threshold = 30;
      target_file_size_bytes = 64 * kMiB;
      break;
    case CompactionProfile::kBalanced:
      threshold = 50;
      target_file_size_bytes = 128 * kMiB;
      break;
    case CompactionProfile::kBatch:
      threshold = 100;
      target_file_size_bytes = 256 * kMiB;
      break;
  }
}

Status CompactionOptions::Validate() const {
  // The threshold counts files; fewer than two small files are never worth a rewrite.
  if (threshold < 2 || threshold > 1000000) {
    return OutOfRange("COMPACTION_THRESHOLD", threshold, "2..1000000");
  }
  // Sizes are checked in bytes but named as users set them.
  if (target_file_size_bytes < 1024 || target_file_size_bytes > 16 * 1024 * kMiB) {
    return OutOfRange("TARGET_FILE_SIZE_MB (bytes)", target_file_size_bytes,
                      "1024..17179869184 bytes (16 GiB)");
  }
  if (min_file_size_bytes < 0 ||
      (min_file_size_bytes > 0 && min_file_size_bytes >= target_file_size_bytes)) {
    return OutOfRange("min_file_size_bytes", min_file_size_bytes,
                      "0 (75% of target) or 1..target_file_size_bytes-1 (" +
                          std::to_string(target_file_size_bytes - 1) + ")");
  }
  if (max_file_size_bytes < 0 ||
      (max_file_size_bytes > 0 && max_file_size_bytes <= target_file_size_bytes)) {
    return OutOfRange("max_file_size_bytes", max_file_size_bytes,
                      "0 (180% of target) or more than target_file_size_bytes (" +
                          std::to_string(target_file_size_bytes) + ")");
  }
  if (min_input_files < 1 || min_input_files > 100000) {
    return OutOfRange("min_input_files", min_input_files, "1..100000");
  }
  if (max_files_per_group < 2 || max_files_per_group > 1000000) {
    return OutOfRange("max_files_per_group", max_files_per_group, "2..1000000");
  }
  if (max_groups_per_commit < 1 || max_groups_per_commit > 10000) {
    return OutOfRange("max_groups_per_commit", max_groups_per_commit, "1..10000");
  }
  if (max_groups_per_run < 0) return OutOfRange("max_groups_per_run", max_groups_per_run, ">= 0");
  // Below 16 MiB the writer's pages and one decoded row group of an ordinary file do not fit.
  if (memory_limit_bytes < 16 * kMiB || memory_limit_bytes > int64_t{1} << 40) {
    return OutOfRange("memory_limit_bytes", memory_limit_bytes,
                      "16777216 (16 MiB)..1099511627776 (1 TiB)");
  }
  if (time_budget_ms < 0) return OutOfRange("time_budget_ms", time_budget_ms, ">= 0 (0: none)");
  if (parallelism < 1 || parallelism > 256) return OutOfRange("parallelism", parallelism, "1..256");
  return Status::OK();
}

}  // namespace floe::maintenance
