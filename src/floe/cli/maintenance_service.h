#pragma once

// What `floe serve` runs besides ingest: the scheduler with the maintenance jobs of every table,
// the run history and the per-minute table sampler (both in the catalog database), and the one
// place where a finished run's report is recorded (metrics, history). Admin routes hand their
// reports to report_sink(); the status route asks jobs().
//
// Settings: --scheduler on|off (FLOE_SCHEDULER, default on), [schedule] overrides
// (docs/scheduling.md), --sample-interval (FLOE_SAMPLE_INTERVAL, default 60s),
// --history-retention (FLOE_HISTORY_RETENTION, default 30d).

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "floe/catalog/run_history.h"
#include "floe/cli/settings.h"
#include "floe/cli/warehouse.h"
#include "floe/common/logger.h"
#include "floe/common/metrics_floe.h"
#include "floe/maintenance/compaction_options.h"
#include "floe/maintenance/table_state.h"
#include "floe/scheduler/run_state.h"
#include "floe/scheduler/scheduler.h"
#include "floe/scheduler/table_locks.h"

namespace floe::cli {

class MaintenanceService {
 public:
  // Reads the settings, opens the history, builds and starts the scheduler (unless off) and the
  // sampler. Everything passed in must outlive the service.
  static Result<std::unique_ptr<MaintenanceService>> Start(
      const Settings& settings, const CliContext& ctx, Warehouse* warehouse,
      const maintenance::CompactionOptions& compaction, scheduler::TableLocks* locks,
      Logger* logger, const metrics::FloeMetrics* metrics, std::string node_id);
  ~MaintenanceService();

  // Records a finished run: metrics (unless a dry run) and the history.
  std::function<void(const nlohmann::json& report)> report_sink();
  // The scheduler's jobs now (empty when the scheduler is off).
  std::function<std::vector<scheduler::JobStatus>()> jobs();
  RunHistory* history() { return history_.get(); }
  // Stops the sampler and the scheduler (running jobs finish first).
  void Stop();

 private:
  MaintenanceService() = default;
  void Record(const nlohmann::json& report);
  // The table's health now; also sets its floe_table_* gauges.
  Result<maintenance::TableHealth> RefreshTable(const TableIdentifier& id);
  void SampleLoop();
  void SampleOnce();

  Warehouse* warehouse_ = nullptr;
  const Clock* clock_ = nullptr;
  Logger* logger_ = nullptr;
  const metrics::FloeMetrics* metrics_ = nullptr;
  maintenance::CompactionOptions compaction_;
  int64_t sample_interval_ms_ = 60'000;
  int64_t history_retention_ms_ = 30LL * 86'400'000;
  std::unique_ptr<RunHistory> history_;
  std::unique_ptr<ObjectStore> state_store_;
  std::unique_ptr<scheduler::ObjectRunStateStore> run_state_;
  std::unique_ptr<scheduler::Scheduler> scheduler_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread sampler_;
};

}  // namespace floe::cli
