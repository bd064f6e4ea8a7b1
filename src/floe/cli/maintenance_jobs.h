#pragma once

// The work behind the scheduler's job kinds (scheduler::kKind*), for `floe serve`: each job loads
// its table, runs the maintenance action and turns the run report into the scheduler's result.
// The scheduler holds the table's lock around a run, the same lock the admin routes take.

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "floe/catalog/table.h"
#include "floe/cli/settings.h"
#include "floe/common/logger.h"
#include "floe/maintenance/compaction_options.h"
#include "floe/maintenance/remove_orphans.h"
#include "floe/maintenance/rewrite_manifests.h"
#include "floe/scheduler/scheduler.h"

namespace floe::cli {

struct MaintenanceJobsConfig {
  TableServices services;
  maintenance::CompactionOptions compaction;
  // Unset: the table's history.expire.* properties, else Java's defaults.
  std::optional<int64_t> expire_older_than_ms;
  std::optional<int64_t> expire_retain_last;
  int64_t orphan_older_than_ms = maintenance::kDefaultOrphanAgeMs;
  // rewrite-manifests runs only on tables whose current snapshot has at least this many data
  // manifests.
  int64_t manifest_threshold = maintenance::kDefaultManifestThreshold;
  Logger* logger = nullptr;  // required
  // Each finished run's report (run history, dashboards); optional.
  std::function<void(const nlohmann::json& report)> on_report;
};

// Per default job name, a cron expression or "off" and a time budget, from the config file
// ([schedule] <job> = "cron", [schedule.budget] <job> = "90m"), the environment
// (FLOE_SCHEDULE_<JOB>, FLOE_SCHEDULE_BUDGET_<JOB>, e.g. FLOE_SCHEDULE_COMPACT_DAILY) or flags
// (--schedule-<job>, --schedule-budget-<job>). Unknown job names in [schedule] are errors.
Result<scheduler::ScheduleOverrides> ScheduleOverridesFromSettings(const Settings& settings);

// The default jobs of every table in `catalog`, with the settings' overrides applied and
// validated (what `floe serve` schedules and `floe status` shows).
Result<std::vector<scheduler::JobSpec>> ScheduledJobsOfCatalog(const Settings& settings,
                                                               Catalog* catalog);

// <state-dir>/scheduler.json: the scheduler's run state, shared by `floe serve` and `floe status`.
Result<std::string> SchedulerStateLocation(const Settings& settings);

// One function per kind of scheduler::DefaultJobs(): compact-if-needed (threshold rule),
// compact (force: every partition with small files), compact-aggressive (force + aggressive),
// expire-snapshots, remove-orphans, rewrite-manifests (over manifest_threshold).
std::map<std::string, scheduler::JobFunction> MaintenanceJobFunctions(MaintenanceJobsConfig config);

}  // namespace floe::cli
