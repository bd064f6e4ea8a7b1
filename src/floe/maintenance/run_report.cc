#include "floe/maintenance/run_report.h"

#include <sys/resource.h>

namespace floe::maintenance {

nlohmann::json RunReport::ToJson() const {
  nlohmann::json skipped = nlohmann::json::array();
  for (const SkippedGroup& g : groups_skipped) {
    skipped.push_back({{"partition", g.partition}, {"files", g.files}, {"reason", g.reason}});
  }
  nlohmann::json out = {
      {"table", table},
      {"action", action},
      {"status", status},
      {"dry_run", dry_run},
      {"files_in", files_in},
      {"files_out", files_out},
      {"bytes_in", bytes_in},
      {"bytes_out", bytes_out},
      {"rows_in", rows_in},
      {"rows_out", rows_out},
      {"groups_done", groups_done},
      {"groups_skipped", skipped},
      {"commits", commits},
      {"retries", retries},
      {"conflicts", conflicts},
      {"duration_ms", duration_ms},
      {"cpu_ms", cpu_ms},
      {"peak_memory_bytes", peak_memory_bytes},
      {"snapshot_id", snapshot_id ? nlohmann::json(*snapshot_id) : nlohmann::json(nullptr)},
  };
  if (!error.empty()) out["error"] = error;
  for (const auto& [key, value] : details.items()) out[key] = value;
  return out;
}

RunMeter::RunMeter(const Clock* clock)
    : clock_(clock), start_ms_(clock->NowMillis()), cpu_start_ms_(ProcessCpuMillis()) {}

void RunMeter::Finish(RunReport* report) const {
  report->duration_ms = clock_->NowMillis() - start_ms_;
  report->cpu_ms = ProcessCpuMillis() - cpu_start_ms_;
  report->peak_memory_bytes = ProcessPeakRssBytes();
}

int64_t ProcessCpuMillis() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  auto ms = [](const timeval& t) {
    return static_cast<int64_t>(t.tv_sec) * 1000 + static_cast<int64_t>(t.tv_usec) / 1000;
  };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

int64_t ProcessPeakRssBytes() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<int64_t>(usage.ru_maxrss) * 1024;  // Linux reports kilobytes
}

}  // namespace floe::maintenance
