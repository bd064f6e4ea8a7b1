#include "floe/cli/maintenance_service.h"

#include <chrono>

#include "floe/catalog/snapshot_producer.h"
#include "floe/catalog/table.h"
#include "floe/cli/maintenance_jobs.h"
#include "floe/io/local_store.h"
#include "floe/maintenance/table_state.h"

namespace floe::cli {
namespace {

constexpr Setting kSchedulerSetting{"scheduler", "FLOE_SCHEDULER", "scheduler.enabled"};
constexpr Setting kSampleIntervalSetting{"sample-interval", "FLOE_SAMPLE_INTERVAL",
                                         "history.sample_interval"};
constexpr Setting kManifestThresholdSetting{"manifest-threshold", "FLOE_MANIFEST_THRESHOLD",
                                            "maintenance.manifest_threshold"};
constexpr Setting kHistoryRetentionSetting{"history-retention", "FLOE_HISTORY_RETENTION",
                                           "history.retention"};

int64_t Int(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

}  // namespace

Result<std::unique_ptr<MaintenanceService>> MaintenanceService::Start(
    const Settings& settings, const CliContext& ctx, Warehouse* warehouse,
    const maintenance::CompactionOptions& compaction, scheduler::TableLocks* locks, Logger* logger,
    const metrics::FloeMetrics* metrics, std::string node_id) {
  std::unique_ptr<MaintenanceService> s(new MaintenanceService());
  s->warehouse_ = warehouse;
  s->clock_ = ctx.clock;
  s->logger_ = logger;
  s->metrics_ = metrics;
  s->compaction_ = compaction;
  FLOE_ASSIGN_OR_RETURN(s->sample_interval_ms_,
                        settings.DurationMs(kSampleIntervalSetting, 60'000, 1000, 86'400'000));
  FLOE_ASSIGN_OR_RETURN(s->history_retention_ms_,
                        settings.DurationMs(kHistoryRetentionSetting, 30LL * 86'400'000, 3'600'000,
                                            3650LL * 86'400'000));
  FLOE_ASSIGN_OR_RETURN(bool scheduler_on, settings.Bool(kSchedulerSetting, true));
  FLOE_ASSIGN_OR_RETURN(s->history_,
                        RunHistory::Open(warehouse->catalog_uri(), warehouse->catalog()->name()));

  // Validated even when the scheduler is off: a bad cron expression stops start-up either way.
  FLOE_ASSIGN_OR_RETURN(std::vector<scheduler::JobSpec> jobs,
                        ScheduledJobsOfCatalog(settings, warehouse->catalog()));
  FLOE_ASSIGN_OR_RETURN(int64_t manifest_threshold,
                        settings.Int(kManifestThresholdSetting,
                                     maintenance::kDefaultManifestThreshold, 2, 1'000'000));
  if (scheduler_on) {
    MaintenanceJobsConfig config;
    config.services = warehouse->services();
    config.compaction = compaction;
    config.logger = logger;
    config.manifest_threshold = manifest_threshold;
    MaintenanceService* self = s.get();
    config.on_report = [self](const nlohmann::json& report) { self->Record(report); };
    FLOE_ASSIGN_OR_RETURN(std::string state_location, SchedulerStateLocation(settings));
    FLOE_ASSIGN_OR_RETURN(std::unique_ptr<LocalStore> local, LocalStore::Make("/"));
    s->state_store_ = std::move(local);
    s->run_state_ =
        std::make_unique<scheduler::ObjectRunStateStore>(s->state_store_.get(), state_location);
    scheduler::SchedulerOptions options;
    options.holder = node_id;
    FLOE_ASSIGN_OR_RETURN(
        s->scheduler_, scheduler::Scheduler::Make(
                           std::move(jobs), MaintenanceJobFunctions(std::move(config)), ctx.clock,
                           locks, s->run_state_.get(), logger, metrics, options));
    s->scheduler_->Start();
  }
  s->sampler_ = std::thread([self = s.get()] { self->SampleLoop(); });
  return s;
}

MaintenanceService::~MaintenanceService() { Stop(); }

void MaintenanceService::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (sampler_.joinable()) sampler_.join();
  if (scheduler_) scheduler_->Stop();
}

std::function<void(const nlohmann::json&)> MaintenanceService::report_sink() {
  return [this](const nlohmann::json& report) { Record(report); };
}

std::function<std::vector<scheduler::JobStatus>()> MaintenanceService::jobs() {
  return [this]() -> std::vector<scheduler::JobStatus> {
    return scheduler_ ? scheduler_->JobStatuses() : std::vector<scheduler::JobStatus>{};
  };
}

void MaintenanceService::Record(const nlohmann::json& report) {
  const bool dry_run = report.value("dry_run", false);
  if (metrics_ != nullptr && !dry_run) {
    metrics::RunFigures f;
    f.table = report.value("table", "");
    f.action = report.value("action", "");
    f.status = report.value("status", "");
    f.files_in = Int(report, "files_in");
    f.files_out = Int(report, "files_out");
    f.bytes_in = Int(report, "bytes_in");
    f.bytes_out = Int(report, "bytes_out");
    f.rows_out = Int(report, "rows_out");
    f.commits = Int(report, "commits");
    f.retries = Int(report, "retries");
    f.conflicts = Int(report, "conflicts");
    f.duration_ms = Int(report, "duration_ms");
    f.cpu_ms = Int(report, "cpu_ms");
    f.peak_memory_bytes = Int(report, "peak_memory_bytes");
    // Expiry, orphan removal and retention count what they removed in files_in.
    if (f.action != "compact" && f.action != "fsck") f.files_deleted = f.files_in;
    f.finished_micros = clock_->NowMicros();
    metrics_->RecordRun(f);
    // The run changed the table: its gauges should not wait for the next sample.
    if (Result<TableIdentifier> id = TableIdentifier::Parse(f.table); id.ok()) {
      Result<maintenance::TableHealth> health = RefreshTable(*id);
      if (!health.ok() && logger_) {
        logger_->Warn("metrics.refresh_failed",
                      {{"table", f.table}, {"error", health.status().message()}});
      }
    }
  }
  Status added = history_->AddRun({report.value("table", ""), report.value("action", ""),
                                   report.value("status", ""), clock_->NowMillis(), report.dump()});
  if (!added.ok() && logger_) {
    logger_->Warn("history.write_failed", {{"error", added.message()}});
  }
}

void MaintenanceService::SampleOnce() {
  Result<std::vector<TableIdentifier>> tables = maintenance::ListAllTables(warehouse_->catalog());
  if (!tables.ok()) {
    if (logger_) logger_->Warn("history.sample_failed", {{"error", tables.status().message()}});
    return;
  }
  const int64_t now_ms = clock_->NowMillis();
  for (const TableIdentifier& id : *tables) {
    Result<maintenance::TableHealth> health = RefreshTable(id);
    if (!health.ok()) {
      if (logger_) {
        logger_->Warn("history.sample_failed",
                      {{"table", id.ToString()}, {"error", health.status().message()}});
      }
      continue;
    }
    nlohmann::json json = maintenance::TableHealthToJson(*health);
    Status added = history_->AddSample({id.ToString(), now_ms, health->state.data_files,
                                        health->state.small_files, health->state.bytes,
                                        health->state.records, json["size_histogram"].dump()});
    if (!added.ok() && logger_) {
      logger_->Warn("history.write_failed", {{"error", added.message()}});
    }
  }
  Status pruned = history_->Prune(now_ms - history_retention_ms_);
  if (!pruned.ok() && logger_) logger_->Warn("history.prune_failed", {{"error", pruned.message()}});
}

Result<maintenance::TableHealth> MaintenanceService::RefreshTable(const TableIdentifier& id) {
  FLOE_ASSIGN_OR_RETURN(TablePointer pointer, warehouse_->catalog()->LoadTable(id));
  // Parsed only when no commit of this process wrote it (after a compaction run it did).
  FLOE_ASSIGN_OR_RETURN(
      std::shared_ptr<const iceberg::TableMetadata> metadata,
      ReadTableMetadata(warehouse_->store(), warehouse_->catalog(), id, pointer.metadata_location));
  FLOE_ASSIGN_OR_RETURN(
      maintenance::TableHealth health,
      maintenance::ReadTableHealth(warehouse_->store(), id.ToString(), *metadata, compaction_));
  if (metrics_) metrics_->SetTableState(health.state);
  return health;
}

void MaintenanceService::SampleLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    SampleOnce();
    lock.lock();
    // Real time between samples (a FakeClock in tests does not drive this loop).
    wake_.wait_for(lock, std::chrono::milliseconds(sample_interval_ms_),
                   [this] { return stopping_; });
  }
}

}  // namespace floe::cli
