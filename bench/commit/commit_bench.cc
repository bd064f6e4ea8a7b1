// floe_bench_commit: commit latency and planning time as an Iceberg table grows (bench/commit;
// run.py drives it).
//
//   floe_bench_commit [--files N] [--files-per-commit K] [--expire-every C] [--dir DIR]
//   floe_bench_commit --plan-only --dir DIR    (planning of the table a run left in DIR)
//
// Grows a table of the events schema (day(timestamp) partitions) in a LocalStore warehouse with a
// SQLite catalog to N data files (default 100,000) in fast appends of K files (default 10), each
// file with the column metrics the Parquet writer records for the events table. Every commit is
// timed end to end (Transaction::Commit: manifest, manifest list, metadata file, catalog swap);
// latencies are grouped by the table's size when the commit started, per tenth of the run (<1k,
// 1k-10k, 10k-20k, ... for 100,000 files; mean, p50, p99, max). Every 100th commit or so merges
// the small manifests (commit.manifest.min-count-to-merge) and is the p99. At 1,000, 10,000,
// 100,000 ... files it times planning as `floe scan` plans (iceberg::PlanScan without a filter:
// load the table, read the manifest list and every manifest, list the live data files; best of
// 3), and apart from it the CPU of decoding every entry with all its column metrics.
//
// Every metadata file holds every snapshot, so without expiry each commit reads and writes a
// metadata file that grows by one snapshot per commit (about 700 bytes): 10,000 commits make it
// 7 MB, and commit time grows with the number of commits, not with the table's files. As
// `floe serve` does on its schedule, the benchmark expires snapshots every C commits (default
// 100; 0: never), keeping the newest 100 (maintenance::ExpireSnapshots, timed apart from the
// commits). Old metadata files are deleted after each commit
// (write.metadata.delete-after-commit.enabled) to keep the disk small. Without --dir the
// warehouse is a fresh folder under $TMPDIR, removed at the end; a --dir is kept.
//
// Prints progress to stderr and one JSON line to stdout.

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "floe/catalog/events_table.h"
#include "floe/catalog/snapshot_producer.h"
#include "floe/catalog/sql_catalog.h"
#include "floe/catalog/table.h"
#include "floe/catalog/transaction.h"
#include "floe/common/clock.h"
#include "floe/iceberg/manifest.h"
#include "floe/iceberg/scan.h"
#include "floe/io/local_store.h"
#include "floe/maintenance/expire_snapshots.h"
#include "support/temp_dir.h"

namespace {

using floe::Result;
using floe::Status;
using floe::iceberg::DataFile;
using floe::iceberg::Literal;

using Clock = std::chrono::steady_clock;

double MillisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// CPU time of the process, which a shared, loaded machine inflates less than wall time.
double CpuMillis() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

int64_t PeakRssBytes() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<int64_t>(ru.ru_maxrss) * 1024;
}

int Fail(const std::string& what, const Status& s) {
  std::fprintf(stderr, "floe_bench_commit: %s: %s\n", what.c_str(), s.ToString().c_str());
  return 1;
}

std::string Serialized(const Literal& value) {
  Result<std::string> bytes = floe::iceberg::SerializeValue(value);
  return bytes.ok() ? *bytes : std::string();
}

constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000000;
constexpr int32_t kFirstDay = 20454;  // 2026-01-01

// A data file of about 1 MB holding `records` events of one day, with the metrics Iceberg keeps
// for every column (sizes, value and null counts, bounds truncated to 16 characters).
DataFile MakeDataFile(const std::string& path, int32_t day, int64_t seq) {
  DataFile file;
  file.file_path = path;
  file.record_count = 5000 + seq % 1000;
  file.file_size_in_bytes = 1000000 + (seq * 7919) % 200000;
  file.partition.push_back(Literal::Date(day));
  const int64_t day_start = int64_t{day} * kMicrosPerDay;
  for (int32_t id = 1; id <= 10; ++id) {
    file.column_sizes[id] = file.file_size_in_bytes / 10;
    file.value_counts[id] = file.record_count;
    file.null_value_counts[id] = id <= 4 || id == 10 ? 0 : file.record_count / 3;
  }
  const std::string tag = std::to_string(seq);
  auto text_bounds = [&](int32_t id, std::string lower, std::string upper) {
    file.lower_bounds[id] = Serialized(Literal::String(lower.substr(0, 16)));
    file.upper_bounds[id] = Serialized(Literal::String(upper.substr(0, 16)));
  };
  text_bounds(1, "0a1b2c3d-" + tag, "f9e8d7c6-" + tag);
  text_bounds(3, "app.click", "page.view");
  text_bounds(4, "", "web-frontend");
  text_bounds(6, "user-00000" + tag, "user-99999" + tag);
  text_bounds(7, "sess-0000" + tag, "sess-ffff" + tag);
  for (int32_t id : {2, 10}) {
    file.lower_bounds[id] = Serialized(Literal::TimestampTz(day_start + seq % 1000));
    file.upper_bounds[id] = Serialized(Literal::TimestampTz(day_start + kMicrosPerDay - 1));
  }
  file.split_offsets = {4};
  return file;
}

struct Planning {
  double load_ms = 0;  // catalog pointer + metadata file parsed
  double plan_ms = 0;  // iceberg::PlanScan: manifest list + every manifest
  double total_ms = 0;
  double cpu_ms = 0;
  // Every entry of every manifest decoded with all its column metrics (what commits that rewrite
  // manifests, expiry and fsck read), CPU only.
  double full_read_cpu_ms = 0;
  int64_t live_files = 0;
  int64_t manifests = 0;
  int64_t metadata_bytes = 0;
};

// Loads the table and plans a scan without a filter as `floe scan` does (PlanScan lists the live
// data files; without a filter it decodes no column metrics).
Result<Planning> PlanOnce(const floe::TableServices& services, const floe::TableIdentifier& id) {
  Planning p;
  const auto start = Clock::now();
  const double cpu_start = CpuMillis();
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<floe::Table> table, floe::Table::Load(services, id));
  p.load_ms = MillisSince(start);
  const auto plan_start = Clock::now();
  FLOE_ASSIGN_OR_RETURN(floe::iceberg::ScanPlan plan,
                        floe::iceberg::PlanScan(table->metadata(), services.store, {}));
  p.plan_ms = MillisSince(plan_start);
  p.total_ms = MillisSince(start);
  p.cpu_ms = CpuMillis() - cpu_start;
  p.live_files = static_cast<int64_t>(plan.tasks.size());
  p.manifests = plan.stats.manifests;

  const double full_start = CpuMillis();
  if (const floe::iceberg::Snapshot* current = table->metadata().CurrentSnapshot()) {
    FLOE_ASSIGN_OR_RETURN(auto manifests, floe::ReadManifestList(services.store, *current));
    for (const floe::iceberg::ManifestFile& m : manifests) {
      FLOE_ASSIGN_OR_RETURN(auto file, services.store->OpenRead(m.manifest_path));
      FLOE_ASSIGN_OR_RETURN(auto reader, floe::iceberg::ManifestReader::Open(file.get(), &m));
      floe::iceberg::ManifestEntry entry;
      while (true) {
        FLOE_ASSIGN_OR_RETURN(bool more, reader->Next(&entry));
        if (!more) break;
      }
    }
  }
  p.full_read_cpu_ms = CpuMillis() - full_start;
  FLOE_ASSIGN_OR_RETURN(floe::ObjectInfo info, services.store->Stat(table->metadata_location()));
  p.metadata_bytes = info.size_bytes;
  return p;
}

double Percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t index = static_cast<size_t>(q * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

// "<1k", "1k-2k", "10k-20k", ...: a tenth of the run's size per group, the first thousand files
// apart (the first commits write the table's first manifests).
std::string GroupName(int64_t low, int64_t width) {
  auto k = [](int64_t n) { return n >= 1000 ? std::to_string(n / 1000) + "k" : std::to_string(n); };
  return low == 0 ? "<" + k(std::min<int64_t>(1000, width)) : k(low) + "-" + k(low + width);
}

struct Options {
  int64_t files = 100000;
  int64_t files_per_commit = 10;
  std::string dir;
  int64_t expire_every = 100;
  bool plan_only = false;  // times planning of the table an earlier run left in --dir
};

bool ParseOptions(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (a == "--plan-only") {
      o->plan_only = true;
    } else if (a == "--files" || a == "--files-per-commit" || a == "--dir" ||
               a == "--expire-every") {
      const char* v = value();
      if (v == nullptr) return false;
      if (a == "--dir") {
        o->dir = v;
      } else {
        (a == "--files"          ? o->files
         : a == "--expire-every" ? o->expire_every
                                 : o->files_per_commit) = std::atoll(v);
      }
    } else {
      return false;
    }
  }
  return o->files > 0 && o->files_per_commit > 0 && o->expire_every >= 0 &&
         (!o->plan_only || !o->dir.empty());
}

nlohmann::json PlanningJson(const Planning& p) {
  return {{"files", p.live_files},
          {"manifests", p.manifests},
          {"metadata_bytes", p.metadata_bytes},
          {"load_ms", p.load_ms},
          {"plan_ms", p.plan_ms},
          {"total_ms", p.total_ms},
          {"cpu_ms", p.cpu_ms},
          {"full_read_cpu_ms", p.full_read_cpu_ms}};
}

// Best of 3 runs by wall time.
Result<Planning> PlanBestOf3(const floe::TableServices& services, const floe::TableIdentifier& id) {
  Planning best;
  for (int run = 0; run < 3; ++run) {
    FLOE_ASSIGN_OR_RETURN(Planning p, PlanOnce(services, id));
    if (run == 0 || p.total_ms < best.total_ms) best = p;
  }
  return best;
}

int Run(const Options& options) {
  floe::testing::TempDir temp("floe-bench-commit");
  std::string dir = options.dir.empty() ? temp.path() : options.dir;
  if (dir.empty()) return Fail("temp dir", Status::IOError("mkdtemp failed"));
  std::fprintf(stderr, "warehouse %s\n", dir.c_str());

  floe::SystemClock clock;
  auto store = floe::LocalStore::Make(dir);
  if (!store.ok()) return Fail("store", store.status());
  auto catalog = floe::SqlCatalog::Open("sqlite:" + dir + "/catalog.db");
  if (!catalog.ok()) return Fail("catalog", catalog.status());
  const floe::TableServices services{store->get(), catalog->get(), &clock, std::nullopt};
  const floe::TableIdentifier id = floe::DefaultEventsTableId();
  if (options.plan_only) {
    Result<Planning> best = PlanBestOf3(services, id);
    if (!best.ok()) return Fail("planning", best.status());
    std::printf("%s\n", nlohmann::json{{"planning", {PlanningJson(*best)}}}.dump().c_str());
    return 0;
  }
  if (Status s = (*catalog)->CreateNamespace({"analytics"}, {}); !s.ok()) return Fail("ns", s);

  floe::CreateTableRequest request =
      floe::EventsTableRequest("file://" + dir + "/analytics/events");
  request.properties["write.metadata.delete-after-commit.enabled"] = "true";
  request.properties["write.metadata.previous-versions-max"] = "10";
  auto table = floe::Table::Create(services, id, request);
  if (!table.ok()) return Fail("create table", table.status());

  // Latencies by decade of the table size at the start of the commit.
  std::map<int64_t, std::vector<double>> latencies;
  std::map<int64_t, int64_t> manifests_read;
  std::map<int64_t, int64_t> manifests_written;
  nlohmann::json planning = nlohmann::json::array();
  int64_t next_checkpoint = 1000;
  int64_t files = 0;
  int64_t max_manifest_count = 0;
  int64_t commits_done = 0;
  int64_t expiries = 0;
  double expire_ms = 0;
  const auto started = Clock::now();
  while (files < options.files) {
    std::vector<DataFile> batch;
    const int64_t commit_index = files / options.files_per_commit;
    // A new day every 100 commits, as an ingest flushing every few minutes would see.
    const int32_t day = kFirstDay + static_cast<int32_t>(commit_index / 100);
    for (int64_t k = 0; k < options.files_per_commit && files + k < options.files; ++k) {
      const int64_t seq = files + k;
      batch.push_back(MakeDataFile(request.location + "/data/timestamp_day=" + std::to_string(day) +
                                       "/" + std::to_string(seq) + ".parquet",
                                   day, seq));
    }
    // Groups of a tenth of the run (the first 1,000 files on their own).
    const int64_t width = std::max<int64_t>(1000, options.files / 10);
    const int64_t decade = files < 1000 ? 0 : std::max<int64_t>(1000, files / width * width);
    const auto start = Clock::now();
    auto committed = (*table)->NewTransaction().AppendFiles(std::move(batch)).Commit();
    const double ms = MillisSince(start);
    if (!committed.ok()) return Fail("commit", committed.status());
    files = std::min(options.files, files + options.files_per_commit);
    ++commits_done;
    if (options.expire_every > 0 && commits_done % options.expire_every == 0) {
      floe::maintenance::ExpireOptions expire;
      expire.older_than_ms = 0;
      expire.retain_last = 100;
      const auto expire_start = Clock::now();
      auto expired = floe::maintenance::ExpireSnapshots(table->get(), expire, nullptr);
      if (!expired.ok()) return Fail("expire snapshots", expired.status());
      expire_ms += MillisSince(expire_start);
      ++expiries;
    }
    latencies[decade].push_back(ms);
    manifests_read[decade] += committed->manifests_read;
    manifests_written[decade] += committed->manifests_written;
    max_manifest_count = std::max(max_manifest_count, committed->manifest_count);

    if (files >= next_checkpoint || files == options.files) {
      Result<Planning> best = PlanBestOf3(services, id);
      if (!best.ok()) return Fail("planning", best.status());
      if (best->live_files != files) {
        return Fail("planning", Status::Internal("listed " + std::to_string(best->live_files) +
                                                 " live files, expected " + std::to_string(files)));
      }
      planning.push_back(PlanningJson(*best));
      std::fprintf(stderr, "%lld files: planning %.1f ms (%lld manifests), %.0f s elapsed\n",
                   static_cast<long long>(files), best->total_ms,
                   static_cast<long long>(best->manifests), MillisSince(started) / 1000);
      while (next_checkpoint <= files) next_checkpoint *= 10;
    }
  }

  nlohmann::json commits = nlohmann::json::array();
  const int64_t width = std::max<int64_t>(1000, options.files / 10);
  for (const auto& [decade, values] : latencies) {
    const double n = static_cast<double>(values.size());
    double sum = 0;
    for (double v : values) sum += v;
    const int64_t group_width = decade == 1000 && width > 1000 ? width - 1000 : width;
    commits.push_back(
        {{"table_files", GroupName(decade, decade == 0 ? 1000 : group_width)},
         {"mean_ms", sum / n},
         {"commits", values.size()},
         {"p50_ms", Percentile(values, 0.50)},
         {"p99_ms", Percentile(values, 0.99)},
         {"max_ms", Percentile(values, 1.0)},
         {"manifests_read_per_commit", static_cast<double>(manifests_read[decade]) / n},
         {"manifests_written_per_commit", static_cast<double>(manifests_written[decade]) / n}});
  }
  nlohmann::json out = {{"files", files},
                        {"files_per_commit", options.files_per_commit},
                        {"commits", commits},
                        {"planning", planning},
                        {"max_manifests_listed", max_manifest_count},
                        {"expiries", expiries},
                        {"expire_ms_mean", expiries > 0 ? expire_ms / expiries : 0.0},
                        {"seconds", MillisSince(started) / 1000},
                        {"peak_rss_bytes", PeakRssBytes()}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!ParseOptions(argc, argv, &options)) {
    std::fprintf(stderr,
                 "usage: floe_bench_commit [--files N] [--files-per-commit K] [--expire-every C] "
                 "[--dir DIR]\n"
                 "       floe_bench_commit --plan-only --dir DIR\n");
    return 2;
  }
  return Run(options);
}
