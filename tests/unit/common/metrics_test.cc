#include "floe/common/metrics.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "floe/common/metrics_floe.h"
#include "floe/common/metrics_process.h"
#include "support/temp_dir.h"

namespace floe::metrics {
namespace {

TEST(MetricsTest, RendersTheTextFormatExactly) {
  Registry r;
  auto& runs =
      r.AddCounter("floe_compaction_runs_total", "Compaction runs by result.", {"table", "result"});
  runs.Labels({"analytics.events", "success"}).Increment(3);
  runs.Labels({"analytics.events", "failure"}).Increment();
  r.AddGauge("floe_wal_bytes", "WAL bytes.").Labels({}).Set(1536);
  auto& h = r.AddHistogram("floe_flush_seconds", "Flush time.", {0.5, 1, 2.5}, {"table"});
  Histogram& events = h.Labels({"a.b"});
  events.Observe(0.25);
  events.Observe(0.5);  // bounds are inclusive
  events.Observe(2);
  events.Observe(100);

  EXPECT_EQ(r.Render(),
            "# HELP floe_compaction_runs_total Compaction runs by result.\n"
            "# TYPE floe_compaction_runs_total counter\n"
            "floe_compaction_runs_total{table=\"analytics.events\",result=\"failure\"} 1\n"
            "floe_compaction_runs_total{table=\"analytics.events\",result=\"success\"} 3\n"
            "# HELP floe_flush_seconds Flush time.\n"
            "# TYPE floe_flush_seconds histogram\n"
            "floe_flush_seconds_bucket{table=\"a.b\",le=\"0.5\"} 2\n"
            "floe_flush_seconds_bucket{table=\"a.b\",le=\"1\"} 2\n"
            "floe_flush_seconds_bucket{table=\"a.b\",le=\"2.5\"} 3\n"
            "floe_flush_seconds_bucket{table=\"a.b\",le=\"+Inf\"} 4\n"
            "floe_flush_seconds_sum{table=\"a.b\"} 102.75\n"
            "floe_flush_seconds_count{table=\"a.b\"} 4\n"
            "# HELP floe_wal_bytes WAL bytes.\n"
            "# TYPE floe_wal_bytes gauge\n"
            "floe_wal_bytes 1536\n");
  EXPECT_TRUE(r.status().ok());
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  Registry r;
  r.AddGauge("g", "line one\nback\\slash \"quoted\"", {"path"})
      .Labels({"C:\\tmp\n\"x\""})
      .Set(-2.5);
  EXPECT_EQ(r.Render(),
            "# HELP g line one\\nback\\\\slash \"quoted\"\n"
            "# TYPE g gauge\n"
            "g{path=\"C:\\\\tmp\\n\\\"x\\\"\"} -2.5\n");
}

TEST(MetricsTest, FormatsSpecialValues) {
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(0.1), "0.1");
  EXPECT_EQ(FormatValue(1e21), "1e+21");
  EXPECT_EQ(FormatValue(123456789012), "123456789012");
}

TEST(MetricsTest, SameDefinitionReturnsTheSameFamily) {
  Registry r;
  auto& a = r.AddCounter("c_total", "help", {"table"});
  auto& b = r.AddCounter("c_total", "help", {"table"});
  EXPECT_EQ(&a, &b);
  a.Labels({"t"}).Increment(2);
  EXPECT_EQ(&a.Labels({"t"}), &b.Labels({"t"}));
  EXPECT_EQ(b.Labels({"t"}).Value(), 2);
  EXPECT_TRUE(r.status().ok());
}

TEST(MetricsTest, BadDefinitionsAreReportedAndNotExported) {
  {
    Registry r;
    r.AddCounter("c_total", "help", {"table"});
    r.AddGauge("c_total", "help").Labels({}).Set(1);  // another type: detached
    EXPECT_EQ(r.status().kind(), ErrorKind::kInternal);
    EXPECT_NE(r.status().message().find("already registered as a counter"), std::string::npos);
    EXPECT_EQ(r.Render().find("c_total 1"), std::string::npos);
  }
  {
    Registry r;
    r.AddCounter("c_total", "help", {"table"}).Labels({"a", "b"}).Increment();
    EXPECT_NE(r.status().message().find("has labels [table] but was given 2 value(s)"),
              std::string::npos)
        << r.status().ToString();
  }
  for (auto [name, label] : std::vector<std::pair<std::string, std::string>>{
           {"1bad", "x"}, {"bad-name", "x"}, {"", "x"}, {"ok", "__reserved"}, {"ok", "a-b"}}) {
    Registry r;
    r.AddGauge(name, "h", {label}).Labels({"v"}).Set(1);
    EXPECT_FALSE(r.status().ok()) << name << " " << label;
    EXPECT_EQ(r.Render(), "");
  }
  {
    Registry r;
    r.AddHistogram("h", "h", {1, 1});
    EXPECT_FALSE(r.status().ok());
    Registry r2;
    r2.AddHistogram("h", "h", {1}, {"le"});
    EXPECT_FALSE(r2.status().ok());
  }
}

TEST(MetricsTest, RemovedChildrenStopBeingExported) {
  Registry r;
  auto& g = r.AddGauge("floe_table_data_files", "files", {"table"});
  Gauge& dropped = g.Labels({"ns.dropped"});
  dropped.Set(4);
  g.Labels({"ns.kept"}).Set(5);
  g.Remove({"ns.dropped"});
  dropped.Set(6);  // still a valid reference
  std::string text = r.Render();
  EXPECT_EQ(text.find("ns.dropped"), std::string::npos);
  EXPECT_NE(text.find("floe_table_data_files{table=\"ns.kept\"} 5\n"), std::string::npos);
}

TEST(MetricsTest, TableStateAndRunsSetTheirSeries) {
  Registry r;
  FloeMetrics m = FloeMetrics::Register(&r);
  TableState state;
  state.table = "analytics.events";
  state.data_files = 130;
  state.small_files = 101;
  state.bytes = 1 << 30;
  state.records = 5000000;
  state.snapshots = 12;
  state.manifests = 4;
  state.quarantined_files = 1;
  state.compaction_threshold = 50;
  state.file_sizes_bytes = {1000, 200000, 3e8};
  m.SetTableState(state);
  RunFigures run{
      "analytics.events", "compact", "success",       100, 2, 5000, 4000, 70, 1, 1, 0, 2500, 1200,
      64 << 20,           0,         1795881600000000};
  m.RecordRun(run);
  m.RecordRun(RunFigures{"analytics.events", "remove-orphans", "failure"});
  m.RecordRun(RunFigures{"analytics.other", "expire-snapshots", "success", 0, 0, 0, 0, 0, 1, 0, 0,
                         10, 1, 0, 7, 1795881600000000});

  std::string text = r.Render();
  for (const char* line : {
           "floe_table_data_files{table=\"analytics.events\"} 130\n",
           "floe_table_small_files{table=\"analytics.events\"} 101\n",
           "floe_table_bytes{table=\"analytics.events\"} 1073741824\n",
           "floe_table_backlog{table=\"analytics.events\"} 1\n",  // 101 > 2 x 50
           "floe_compaction_threshold{table=\"analytics.events\"} 50\n",
           "floe_table_file_size_bytes_bucket{table=\"analytics.events\",le=\"65536\"} 1\n",
           "floe_table_file_size_bytes_bucket{table=\"analytics.events\",le=\"262144\"} 2\n",
           "floe_table_file_size_bytes_count{table=\"analytics.events\"} 3\n",
           "floe_compaction_runs_total{table=\"analytics.events\",result=\"success\"} 1\n",
           "floe_compaction_files_read_total{table=\"analytics.events\"} 100\n",
           "floe_compaction_bytes_written_total{table=\"analytics.events\"} 4000\n",
           "floe_compaction_cpu_seconds_total{table=\"analytics.events\"} 1.2\n",
           "floe_compaction_duration_seconds_sum{table=\"analytics.events\"} 2.5\n",
           "floe_compaction_peak_memory_bytes{table=\"analytics.events\"} 67108864\n",
           "floe_compaction_last_success_timestamp_seconds{table=\"analytics.events\"} "
           "1795881600\n",
           "floe_maintenance_runs_total{table=\"analytics.events\",action=\"compact\","
           "result=\"success\"} 1\n",
           "floe_maintenance_runs_total{table=\"analytics.events\",action=\"remove-orphans\","
           "result=\"failure\"} 1\n",
           "floe_maintenance_files_deleted_total{table=\"analytics.other\",action=\"expire-"
           "snapshots\"} 7\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  }
  // Expiry is not compaction.
  EXPECT_EQ(text.find("floe_compaction_runs_total{table=\"analytics.other\""), std::string::npos);

  state.small_files = 100;  // exactly 2 x threshold: not a backlog
  m.SetTableState(state);
  EXPECT_NE(r.Render().find("floe_table_backlog{table=\"analytics.events\"} 0\n"),
            std::string::npos);

  m.RemoveTable("analytics.events");
  text = r.Render();
  EXPECT_EQ(text.find("analytics.events"), std::string::npos) << text;
  EXPECT_NE(text.find("analytics.other"), std::string::npos);
}

TEST(MetricsTest, HistogramAssignReplacesTheDistribution) {
  Histogram h({10, 100});
  h.Observe(5);
  h.Assign({50, 500, 1000});
  Histogram::Snapshot s = h.Read();
  EXPECT_EQ(s.cumulative_counts, (std::vector<uint64_t>{0, 1, 3}));
  EXPECT_EQ(s.count, 3u);
  EXPECT_EQ(s.sum, 1550);
}

TEST(MetricsTest, ConcurrentUpdatesAreAllCounted) {
  Registry r;
  Counter& c = r.AddCounter("c_total", "h").Labels({});
  Histogram& h = r.AddHistogram("h_seconds", "h", {1, 2}).Labels({});
  auto& fam = r.AddGauge("g", "h", {"k"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        c.Increment();
        h.Observe(i % 3);
        fam.Labels({std::to_string(i % 7)}).Add(1);
        if (i % 1000 == 0) (void)r.Render();
      }
      (void)t;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.Value(), 40000);
  EXPECT_EQ(h.Read().count, 40000u);
  double total = 0;
  for (int k = 0; k < 7; ++k) total += fam.Labels({std::to_string(k)}).Value();
  EXPECT_EQ(total, 40000);
}

TEST(MetricsTest, CollectHooksRunBeforeRender) {
  Registry r;
  Gauge& g = r.AddGauge("g", "h").Labels({});
  int calls = 0;
  r.AddCollectHook([&] { g.Set(++calls); });
  EXPECT_NE(r.Render().find("g 1\n"), std::string::npos);
  EXPECT_NE(r.Render().find("g 2\n"), std::string::npos);
}

TEST(MetricsTest, ProcessStatsAreReadFromProc) {
  Result<ProcessStats> stats = ReadProcessStats();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_GT(stats->resident_memory_bytes, 0);
  EXPECT_GT(stats->open_fds, 2);  // stdin, stdout, stderr at least
  EXPECT_GE(stats->cpu_seconds, 0);
  // The process started after 2020 and not after now (+ a day of slack for boot-time rounding).
  EXPECT_GT(stats->start_time_seconds, 1577836800);
  EXPECT_LT(stats->start_time_seconds, static_cast<double>(std::time(nullptr)) + 86400);

  Registry r;
  RegisterProcessMetrics(&r);
  std::string text = r.Render();
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("process_resident_memory_bytes "), std::string::npos);
  EXPECT_TRUE(r.status().ok());
}

// Runs `promtool check metrics` (an independent parser and linter of the text format, from
// Debian's prometheus package) on `text`; returns its exit code and output.
std::pair<int, std::string> PromtoolCheckMetrics(const std::string& text) {
  testing::TempDir dir("floe-metrics");
  std::string path = dir.path() + "/metrics.txt";
  std::ofstream(path) << text;
  std::string command = "promtool check metrics < " + path + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  std::string output;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof(buf), pipe)) output.append(buf, n);
  int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST(MetricsTest, PromtoolAcceptsEveryFloeMetric) {
  Registry r;
  FloeMetrics m = FloeMetrics::Register(&r);
  ASSERT_TRUE(r.status().ok()) << r.status().ToString();
  // A value for every family, with awkward label values, so each renders samples.
  const std::string table = "analytics.\"events\"\\n";
  m.table_data_files->Labels({table}).Set(120);
  m.table_file_size_bytes->Labels({table}).Assign({1000, 1e6, 1e9, 1e12});
  m.compaction_runs->Labels({table, "failure"}).Increment();
  m.compaction_duration_seconds->Labels({table}).Observe(12.5);
  m.maintenance_runs->Labels({table, "expire-snapshots", "success"}).Increment();
  m.scheduler_next_run_time->Labels({table, "compact-daily"}).Set(1.7e9);
  m.ingest_requests->Labels({"202"}).Increment(10);
  m.ingest_events->Labels({"accepted"}).Increment(1000);
  m.commit_duration_seconds->Labels({table, "append"}).Observe(0.02);
  r.AddGauge("floe_test_special", "NaN and infinities", {"v"}).Labels({"nan"}).Set(std::nan(""));
  r.AddGauge("floe_test_special", "NaN and infinities", {"v"})
      .Labels({"inf"})
      .Set(-std::numeric_limits<double>::infinity());
  std::string text = r.Render();
  auto [code, output] = PromtoolCheckMetrics(text);
  EXPECT_EQ(code, 0) << output << "\n--- input ---\n" << text;
  EXPECT_EQ(output, "") << text;
}

TEST(MetricsTest, PromtoolRejectsBrokenText) {
  // The check above would pass vacuously if promtool accepted anything.
  auto [code, output] = PromtoolCheckMetrics("# TYPE x counter\nx{a=\"unterminated} 1\n");
  EXPECT_NE(code, 0) << output;
}

}  // namespace
}  // namespace floe::metrics
