#pragma once

// Every metric floe exports, defined once (name, help, labels, buckets) so the modules that emit
// them and docs/metrics.md agree. The app registers them on its Registry at start-up and passes
// this struct down; a module updates only its own metrics:
//
//   FloeMetrics m = FloeMetrics::Register(&registry);
//   m.compaction_runs->Labels({"analytics.events", "success"}).Increment();

#include <string_view>

#include "floe/common/metrics.h"

namespace floe::metrics {

// Bucket sets shared by the histograms below.
// File sizes: 64 KiB .. 16 GiB in powers of 4, which splits "small" from "target-sized" files.
std::vector<double> FileSizeBuckets();
// Durations of maintenance runs: 0.1 s .. ~1.8 h.
std::vector<double> RunDurationBuckets();
// Durations of flushes and commits: 1 ms .. ~65 s.
std::vector<double> LatencyBuckets();

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
};

}  // namespace floe::metrics
