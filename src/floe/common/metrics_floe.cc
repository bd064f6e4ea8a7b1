#include "floe/common/metrics_floe.h"

#include "floe/common/metrics_process.h"

namespace floe::metrics {

std::vector<double> FileSizeBuckets() { return ExponentialBuckets(64.0 * 1024, 4, 10); }
std::vector<double> RunDurationBuckets() { return ExponentialBuckets(0.1, 2, 17); }
std::vector<double> LatencyBuckets() { return ExponentialBuckets(0.001, 2, 17); }

FloeMetrics FloeMetrics::Register(Registry* r) {
  const std::vector<std::string> table = {"table"};
  const std::vector<std::string> table_result = {"table", "result"};
  // Not "job": Prometheus gives every scraped series a "job" label of its own.
  const std::vector<std::string> table_action = {"table", "action"};
  const std::vector<std::string> table_action_result = {"table", "action", "result"};
  const std::vector<std::string> table_schedule = {"table", "schedule"};
  const std::vector<std::string> table_schedule_result = {"table", "schedule", "result"};
  FloeMetrics m{};

  m.table_data_files =
      &r->AddGauge("floe_table_data_files", "Live data files in the current snapshot.", table);
  m.table_small_files =
      &r->AddGauge("floe_table_small_files",
                   "Live data files smaller than the compaction target's small-file limit.", table);
  m.table_bytes = &r->AddGauge("floe_table_bytes", "Bytes of live data files.", table);
  m.table_records = &r->AddGauge("floe_table_records", "Rows in live data files.", table);
  m.table_file_size_bytes =
      &r->AddHistogram("floe_table_file_size_bytes",
                       "Sizes of the live data files (the current distribution, not a stream).",
                       FileSizeBuckets(), table);
  m.table_snapshots = &r->AddGauge("floe_table_snapshots", "Snapshots in table metadata.", table);
  m.table_manifests =
      &r->AddGauge("floe_table_manifests", "Manifests of the current snapshot.", table);
  m.table_backlog = &r->AddGauge(
      "floe_table_backlog", "1 when small files exceed twice the compaction threshold.", table);
  m.table_quarantined_files = &r->AddGauge("floe_table_quarantined_files",
                                           "Data files skipped as corrupt and quarantined.", table);
  m.compaction_threshold = &r->AddGauge(
      "floe_compaction_threshold",
      "Small-file count above which a table is compacted (COMPACTION_THRESHOLD).", table);

  m.compaction_runs =
      &r->AddCounter("floe_compaction_runs_total",
                     "Compaction runs by result (success, failure, partial, noop).", table_result);
  m.compaction_duration_seconds =
      &r->AddHistogram("floe_compaction_duration_seconds", "Wall time of compaction runs.",
                       RunDurationBuckets(), table);
  m.compaction_files_read =
      &r->AddCounter("floe_compaction_files_read_total", "Data files read by compaction.", table);
  m.compaction_files_written = &r->AddCounter("floe_compaction_files_written_total",
                                              "Data files written by compaction.", table);
  m.compaction_bytes_read = &r->AddCounter("floe_compaction_bytes_read_total",
                                           "Bytes of data files read by compaction.", table);
  m.compaction_bytes_written = &r->AddCounter("floe_compaction_bytes_written_total",
                                              "Bytes of data files written by compaction.", table);
  m.compaction_rows =
      &r->AddCounter("floe_compaction_rows_total", "Rows rewritten by compaction.", table);
  m.compaction_commits =
      &r->AddCounter("floe_compaction_commits_total", "Replace commits made by compaction.", table);
  m.compaction_retries =
      &r->AddCounter("floe_compaction_retries_total", "Commit attempts compaction retried.", table);
  m.compaction_conflicts =
      &r->AddCounter("floe_compaction_conflicts_total",
                     "File groups compaction abandoned because their input files changed.", table);
  m.compaction_peak_memory_bytes =
      &r->AddGauge("floe_compaction_peak_memory_bytes",
                   "Peak memory the last compaction run of the table used.", table);
  m.compaction_cpu_seconds =
      &r->AddCounter("floe_compaction_cpu_seconds_total", "CPU time spent compacting.", table);
  m.compaction_last_success_time =
      &r->AddGauge("floe_compaction_last_success_timestamp_seconds",
                   "When the last successful (or no-op) compaction of the table finished.", table);

  m.maintenance_runs = &r->AddCounter(
      "floe_maintenance_runs_total",
      "Maintenance runs (expire-snapshots, remove-orphans, retention, rewrite-manifests, fsck, "
      "compaction) by result.",
      table_action_result);
  m.maintenance_duration_seconds =
      &r->AddHistogram("floe_maintenance_duration_seconds", "Wall time of maintenance runs.",
                       RunDurationBuckets(), table_action);
  m.maintenance_files_deleted =
      &r->AddCounter("floe_maintenance_files_deleted_total",
                     "Files deleted by expiry, orphan removal and retention.", table_action);

  m.scheduler_next_run_time =
      &r->AddGauge("floe_scheduler_next_run_timestamp_seconds",
                   "When the scheduler next runs the job on the table.", table_schedule);
  m.scheduler_last_run_time =
      &r->AddGauge("floe_scheduler_last_run_timestamp_seconds",
                   "When the scheduler last started the job on the table.", table_schedule);
  m.scheduler_running = &r->AddGauge(
      "floe_scheduler_running", "1 while the scheduled job runs on the table.", table_schedule);
  m.scheduler_runs = &r->AddCounter("floe_scheduler_runs_total", "Scheduled job runs by result.",
                                    table_schedule_result);
  m.scheduler_budget_exceeded =
      &r->AddCounter("floe_scheduler_budget_exceeded_total",
                     "Scheduled runs that finished after their time budget.", table_schedule);

  m.ingest_requests = &r->AddCounter("floe_ingest_requests_total",
                                     "Ingest HTTP requests by response status code.", {"status"});
  m.ingest_events =
      &r->AddCounter("floe_ingest_events_total",
                     "Events received by result (accepted, rejected, duplicate).", {"result"});
  m.ingest_bytes = &r->AddCounter("floe_ingest_bytes_total",
                                  "Request body bytes received, as sent (before decompression).");
  m.ingest_buffer_bytes =
      &r->AddGauge("floe_ingest_buffer_bytes", "Bytes of events buffered and not yet flushed.");
  m.ingest_buffer_limit_bytes = &r->AddGauge("floe_ingest_buffer_limit_bytes",
                                             "Buffer size above which ingest answers 429/503.");
  m.ingest_flushes = &r->AddCounter(
      "floe_ingest_flushes_total",
      "Buffer flushes by trigger (time, bytes, count, admin, shutdown).", {"reason"});
  m.ingest_flush_duration_seconds =
      &r->AddHistogram("floe_ingest_flush_duration_seconds",
                       "Time from flush start to committed snapshot.", LatencyBuckets());
  m.wal_bytes =
      &r->AddGauge("floe_wal_bytes", "Bytes in the write-ahead log not yet checkpointed.");
  m.wal_limit_bytes =
      &r->AddGauge("floe_wal_limit_bytes", "WAL size above which ingest answers 503.");
  m.commit_duration_seconds =
      &r->AddHistogram("floe_commit_duration_seconds", "Catalog commit latency, retries included.",
                       LatencyBuckets(), {"table", "operation"});
  m.memory_limit_bytes =
      &r->AddGauge("floe_memory_limit_bytes",
                   "Memory the process may use (cgroup limit or configured); 0 when unlimited.");

  RegisterProcessMetrics(r);
  return m;
}

void FloeMetrics::SetTableState(const TableState& state) const {
  const std::vector<std::string> t = {state.table};
  auto d = [](int64_t v) { return static_cast<double>(v); };
  table_data_files->Labels(t).Set(d(state.data_files));
  table_small_files->Labels(t).Set(d(state.small_files));
  table_bytes->Labels(t).Set(d(state.bytes));
  table_records->Labels(t).Set(d(state.records));
  table_snapshots->Labels(t).Set(d(state.snapshots));
  table_manifests->Labels(t).Set(d(state.manifests));
  table_quarantined_files->Labels(t).Set(d(state.quarantined_files));
  compaction_threshold->Labels(t).Set(d(state.compaction_threshold));
  // The seed runbook's backlog: file count > COMPACTION_THRESHOLD x 2.
  table_backlog->Labels(t).Set(state.small_files > 2 * state.compaction_threshold ? 1 : 0);
  table_file_size_bytes->Labels(t).Assign(state.file_sizes_bytes);
}

void FloeMetrics::RecordRun(const RunFigures& run) const {
  auto d = [](int64_t v) { return static_cast<double>(v); };
  const double seconds = d(run.duration_ms) / 1000.0;
  maintenance_runs->Labels({run.table, run.action, run.status}).Increment();
  maintenance_duration_seconds->Labels({run.table, run.action}).Observe(seconds);
  if (run.files_deleted > 0) {
    maintenance_files_deleted->Labels({run.table, run.action}).Increment(d(run.files_deleted));
  }
  if (run.action != "compact") return;
  const std::vector<std::string> t = {run.table};
  compaction_runs->Labels({run.table, run.status}).Increment();
  compaction_duration_seconds->Labels(t).Observe(seconds);
  compaction_files_read->Labels(t).Increment(d(run.files_in));
  compaction_files_written->Labels(t).Increment(d(run.files_out));
  compaction_bytes_read->Labels(t).Increment(d(run.bytes_in));
  compaction_bytes_written->Labels(t).Increment(d(run.bytes_out));
  compaction_rows->Labels(t).Increment(d(run.rows_out));
  compaction_commits->Labels(t).Increment(d(run.commits));
  compaction_retries->Labels(t).Increment(d(run.retries));
  compaction_conflicts->Labels(t).Increment(d(run.conflicts));
  compaction_peak_memory_bytes->Labels(t).Set(d(run.peak_memory_bytes));
  compaction_cpu_seconds->Labels(t).Increment(d(run.cpu_ms) / 1000.0);
  if (run.status == "success" || run.status == "noop") {
    compaction_last_success_time->Labels(t).Set(d(run.finished_micros) / 1e6);
  }
}

void FloeMetrics::RemoveTable(const std::string& table) const {
  for (GaugeFamily* g :
       {table_data_files, table_small_files, table_bytes, table_records, table_snapshots,
        table_manifests, table_backlog, table_quarantined_files, compaction_threshold,
        compaction_peak_memory_bytes, compaction_last_success_time, scheduler_next_run_time,
        scheduler_last_run_time, scheduler_running}) {
    g->RemoveWhere("table", table);
  }
  for (CounterFamily* c :
       {compaction_runs, compaction_files_read, compaction_files_written, compaction_bytes_read,
        compaction_bytes_written, compaction_rows, compaction_commits, compaction_retries,
        compaction_conflicts, compaction_cpu_seconds, maintenance_runs, maintenance_files_deleted,
        scheduler_runs, scheduler_budget_exceeded}) {
    c->RemoveWhere("table", table);
  }
  for (HistogramFamily* h : {table_file_size_bytes, compaction_duration_seconds,
                             maintenance_duration_seconds, commit_duration_seconds}) {
    h->RemoveWhere("table", table);
  }
}

}  // namespace floe::metrics
