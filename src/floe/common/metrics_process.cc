#include "floe/common/metrics_process.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

namespace floe::metrics {

namespace {

Result<std::string> ReadSmallFile(const char* path) {
  std::ifstream in(path);
  if (!in) return Status::IOError(std::string("cannot read ") + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// /proc text is parsed without exceptions; an unparsable number reads as 0.
double ToDouble(const std::string& text) { return std::strtod(text.c_str(), nullptr); }

Result<double> CountOpenFds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return Status::IOError("cannot list /proc/self/fd");
  double count = 0;
  while (dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') count += 1;
  }
  ::closedir(dir);
  return count - 1;  // the descriptor opendir itself holds
}

}  // namespace

Result<ProcessStats> ReadProcessStats() {
  ProcessStats stats;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page_bytes = static_cast<double>(::sysconf(_SC_PAGESIZE));

  FLOE_ASSIGN_OR_RETURN(std::string stat, ReadSmallFile("/proc/self/stat"));
  // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return Status::Corrupt("/proc/self/stat: no ')' after comm");
  std::istringstream fields(stat.substr(close + 1));
  std::vector<std::string> f;  // f[0] is field 3 (state)
  for (std::string word; fields >> word;) f.push_back(word);
  if (f.size() < 22) return Status::Corrupt("/proc/self/stat: fewer than 24 fields");
  auto field = [&](int number) { return ToDouble(f[static_cast<size_t>(number - 3)]); };
  stats.cpu_seconds = (field(14) + field(15)) / ticks;
  double start_ticks = field(22);
  stats.virtual_memory_bytes = field(23);
  stats.resident_memory_bytes = field(24) * page_bytes;

  FLOE_ASSIGN_OR_RETURN(std::string proc_stat, ReadSmallFile("/proc/stat"));
  size_t btime = proc_stat.find("\nbtime ");
  if (btime == std::string::npos) return Status::Corrupt("/proc/stat: no btime line");
  stats.start_time_seconds = ToDouble(proc_stat.substr(btime + 7)) + start_ticks / ticks;

  FLOE_ASSIGN_OR_RETURN(stats.open_fds, CountOpenFds());

  FLOE_ASSIGN_OR_RETURN(std::string limits, ReadSmallFile("/proc/self/limits"));
  size_t line = limits.find("Max open files");
  if (line != std::string::npos) {
    std::istringstream rest(limits.substr(line + 14));
    std::string soft;
    rest >> soft;
    stats.max_fds = soft == "unlimited" ? 0 : ToDouble(soft);
  }
  return stats;
}

void RegisterProcessMetrics(Registry* registry) {
  Gauge& rss = registry->AddGauge("process_resident_memory_bytes", "Resident memory size in bytes.")
                   .Labels({});
  Gauge& vsize = registry->AddGauge("process_virtual_memory_bytes", "Virtual memory size in bytes.")
                     .Labels({});
  Counter& cpu = registry
                     ->AddCounter("process_cpu_seconds_total",
                                  "Total user and system CPU time spent in seconds.")
                     .Labels({});
  Gauge& fds =
      registry->AddGauge("process_open_fds", "Number of open file descriptors.").Labels({});
  Gauge& max_fds =
      registry->AddGauge("process_max_fds", "Maximum number of open file descriptors.").Labels({});
  Gauge& start = registry
                     ->AddGauge("process_start_time_seconds",
                                "Start time of the process since unix epoch in seconds.")
                     .Labels({});
  // Two scrapes at once must not both add the same CPU delta.
  auto mu = std::make_shared<std::mutex>();
  registry->AddCollectHook([=, &rss, &vsize, &cpu, &fds, &max_fds, &start] {
    Result<ProcessStats> stats = ReadProcessStats();
    if (!stats.ok()) return;
    std::lock_guard<std::mutex> lock(*mu);
    rss.Set(stats->resident_memory_bytes);
    vsize.Set(stats->virtual_memory_bytes);
    cpu.Increment(stats->cpu_seconds - cpu.Value());
    fds.Set(stats->open_fds);
    max_fds.Set(stats->max_fds);
    start.Set(stats->start_time_seconds);
  });
}

}  // namespace floe::metrics
