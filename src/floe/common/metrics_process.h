#pragma once

// process_* metrics of the running process, as Prometheus client libraries name them, read from
// /proc at every scrape.

#include "floe/common/metrics.h"
#include "floe/common/result.h"

namespace floe::metrics {

struct ProcessStats {
  double resident_memory_bytes = 0;
  double virtual_memory_bytes = 0;
  double cpu_seconds = 0;  // user + system
  double open_fds = 0;
  double max_fds = 0;
  double start_time_seconds = 0;  // since the Unix epoch
};

// Reads /proc/self/stat, /proc/self/fd, /proc/self/limits and /proc/stat (boot time). kIOError
// naming the file when one cannot be read (not Linux, or /proc not mounted).
Result<ProcessStats> ReadProcessStats();

// Registers process_resident_memory_bytes, process_virtual_memory_bytes, process_cpu_seconds_total,
// process_open_fds, process_max_fds and process_start_time_seconds, refreshed before every render.
// Where /proc cannot be read the gauges keep their last values.
void RegisterProcessMetrics(Registry* registry);

}  // namespace floe::metrics
