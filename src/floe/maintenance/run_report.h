#pragma once

// The JSON report of one maintenance run (compaction, expiry, orphan removal, retention, fsck),
// with the fields DESIGN.md promises scripts ("A maintenance run's JSON report"), the same from
// the CLI (--json) and the admin API. Action-specific figures go in `details`.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "floe/common/clock.h"

namespace floe::maintenance {

struct SkippedGroup {
  std::string partition;  // partition path, "" when unpartitioned or not per partition
  int64_t files = 0;
  std::string reason;
};

struct RunReport {
  std::string table;
  std::string action;           // "compact", "expire-snapshots", "remove-orphans", ...
  std::string status = "noop";  // success, partial, noop, failure
  bool dry_run = false;
  int64_t files_in = 0;
  int64_t files_out = 0;
  int64_t bytes_in = 0;
  int64_t bytes_out = 0;
  int64_t rows_in = 0;
  int64_t rows_out = 0;
  int64_t groups_done = 0;
  std::vector<SkippedGroup> groups_skipped;
  int64_t commits = 0;
  int64_t retries = 0;
  int64_t conflicts = 0;
  int64_t duration_ms = 0;
  int64_t cpu_ms = 0;
  int64_t peak_memory_bytes = 0;
  std::optional<int64_t> snapshot_id;  // the last one committed
  std::string error;                   // when status is failure
  nlohmann::json details = nlohmann::json::object();

  nlohmann::json ToJson() const;
};

// Measures one run for its report: wall time on the given clock, CPU time and peak memory of the
// process.
class RunMeter {
 public:
  explicit RunMeter(const Clock* clock);
  int64_t start_ms() const { return start_ms_; }
  // Sets the report's duration_ms, cpu_ms and peak_memory_bytes.
  void Finish(RunReport* report) const;

 private:
  const Clock* clock_;
  int64_t start_ms_;
  int64_t cpu_start_ms_;
};

// CPU time of this process so far, in milliseconds (user + system).
int64_t ProcessCpuMillis();
// Peak resident set size of this process so far, in bytes (VmHWM).
int64_t ProcessPeakRssBytes();

}  // namespace floe::maintenance
