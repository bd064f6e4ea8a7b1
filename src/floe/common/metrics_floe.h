#pragma once

// Every metric floe exports, defined once (name, help, labels, buckets) so the modules that emit
// them and docs/metrics.md agree. The app registers them on its Registry at start-up and passes
// this struct down; a module updates only its own metrics:
//
//   FloeMetrics m = FloeMetrics::Register(&registry);
//   m.compaction_runs->Labels({"analytics.events", "success"}).Increment();

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "floe/common/metrics.h"

namespace floe::metrics {

// Bucket sets shared by the histograms below.
// File sizes: 64 KiB .. 16 GiB in powers of 4, which splits "small" from "target-sized" files.
std::vector<double> FileSizeBuckets();
// Durations of maintenance runs: 0.1 s .. ~1.8 h.
std::vector<double> RunDurationBuckets();
// Durations of flushes and commits: 1 ms .. ~65 s.
std::vector<double> LatencyBuckets();

// One table's state, for FloeMetrics::SetTableState.
struct TableState {
  std::string table;  // "namespace.name"
  int64_t data_files = 0;
  int64_t small_files = 0;
  int64_t bytes = 0;
  int64_t records = 0;
  int64_t snapshots = 0;
  int64_t manifests = 0;
  int64_t quarantined_files = 0;
  int64_t compaction_threshold = 0;
  std::vector<double> file_sizes_bytes;  // every live data file
};

// The figures of one finished maintenance run (maintenance::RunReport's fields), for
// FloeMetrics::RecordRun.
struct RunFigures {
  std::string table;
  std::string action;  // "compact", "expire-snapshots", "remove-orphans", ...
  std::string status;  // success, partial, noop, failure
  int64_t files_in = 0;
  int64_t files_out = 0;
  int64_t bytes_in = 0;
  int64_t bytes_out = 0;
  int64_t rows_out = 0;
  int64_t commits = 0;
  int64_t retries = 0;
  int64_t conflicts = 0;
  int64_t duration_ms = 0;
  int64_t cpu_ms = 0;
  int64_t peak_memory_bytes = 0;
  int64_t files_deleted = 0;
  int64_t finished_micros = 0;  // wall clock at the end of the run
};

struct FloeMetrics {
  // Per table ({table} = "namespace.name"); refreshed from table state after every commit.
  GaugeFamily* table_data_files;
  GaugeFamily* table_small_files;
  GaugeFamily* table_bytes;
  GaugeFamily* table_records;
  HistogramFamily* table_file_size_bytes;  // live files now: Histogram::Assign, not Observe
  GaugeFamily* table_snapshots;
  GaugeFamily* table_manifests;
  GaugeFamily* table_backlog;  // 1 when small files > 2 × threshold
  GaugeFamily* table_quarantined_files;
  GaugeFamily* compaction_threshold;

  // Compaction ({table}; runs also {result} = success|failure|partial|noop).
  CounterFamily* compaction_runs;
  HistogramFamily* compaction_duration_seconds;
  CounterFamily* compaction_files_read;
  CounterFamily* compaction_files_written;
  CounterFamily* compaction_bytes_read;
  CounterFamily* compaction_bytes_written;
  CounterFamily* compaction_rows;
  CounterFamily* compaction_commits;
  CounterFamily* compaction_retries;
  CounterFamily* compaction_conflicts;
  GaugeFamily* compaction_peak_memory_bytes;
  CounterFamily* compaction_cpu_seconds;
  GaugeFamily* compaction_last_success_time;

  // Other maintenance ({table, action}; runs also {result}). action = expire-snapshots,
  // remove-orphans, retention, rewrite-manifests, fsck, compact.
  CounterFamily* maintenance_runs;
  HistogramFamily* maintenance_duration_seconds;
  CounterFamily* maintenance_files_deleted;

  // Scheduler ({table, schedule}: the job's name, e.g. compact-daily).
  GaugeFamily* scheduler_next_run_time;
  GaugeFamily* scheduler_last_run_time;
  GaugeFamily* scheduler_running;
  CounterFamily* scheduler_runs;  // {table, schedule, result}
  CounterFamily* scheduler_budget_exceeded;

  // Ingest.
  CounterFamily* ingest_requests;  // {status} = HTTP status code
  CounterFamily* ingest_events;    // {result} = accepted|rejected|duplicate
  CounterFamily* ingest_bytes;
  GaugeFamily* ingest_buffer_bytes;
  GaugeFamily* ingest_buffer_limit_bytes;
  CounterFamily* ingest_flushes;  // {reason} = time|bytes|count|admin|shutdown
  HistogramFamily* ingest_flush_duration_seconds;
  GaugeFamily* wal_bytes;
  GaugeFamily* wal_limit_bytes;
  HistogramFamily* commit_duration_seconds;  // {table, operation}

  // Memory limit of the process (for the "memory near the limit" alert); 0 when unlimited.
  GaugeFamily* memory_limit_bytes;

  // Registers all of the above (and the process_* metrics) on `registry`.
  static FloeMetrics Register(Registry* registry);

  // Sets every floe_table_* gauge of `state.table`, the file-size histogram, the threshold, and
  // the backlog flag (small files > 2 x threshold).
  void SetTableState(const TableState& state) const;
  // Counts a finished run in floe_maintenance_* and, for action "compact", in floe_compaction_*.
  // Dry runs should not be recorded.
  void RecordRun(const RunFigures& run) const;
  // Stops exporting a dropped table's per-table series of the families above.
  void RemoveTable(const std::string& table) const;
};

}  // namespace floe::metrics
