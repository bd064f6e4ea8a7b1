#include "floe/cli/maintenance_jobs.h"

#include <cctype>
#include <memory>
#include <set>

#include "floe/io/location.h"
#include "floe/maintenance/compactor.h"
#include "floe/maintenance/expire_snapshots.h"
#include "floe/maintenance/table_state.h"

namespace floe::cli {
namespace {

scheduler::JobResult FromReport(const maintenance::RunReport& report, const std::string& summary) {
  scheduler::JobResult out;
  if (report.status == "success")
    out.result = scheduler::RunResult::kSuccess;
  else if (report.status == "noop")
    out.result = scheduler::RunResult::kNoop;
  else if (report.status == "partial")
    out.result = scheduler::RunResult::kPartial;
  else
    out.result = scheduler::RunResult::kFailure;
  out.message = summary;
  if (!report.error.empty()) out.message += "; error: " + report.error;
  return out;
}

scheduler::JobResult Failed(const Status& status) {
  return scheduler::JobResult{scheduler::RunResult::kFailure, status.message()};
}

using Action = std::function<Result<maintenance::RunReport>(Table*, const scheduler::JobContext&)>;

scheduler::JobFunction Job(std::shared_ptr<const MaintenanceJobsConfig> config, Action action) {
  return [config, action](const scheduler::JobContext& ctx) -> scheduler::JobResult {
    Result<TableIdentifier> id = TableIdentifier::Parse(ctx.table);
    if (!id.ok()) return Failed(id.status());
    Result<std::unique_ptr<Table>> table = Table::Load(config->services, *id);
    if (!table.ok()) return Failed(table.status());
    Result<maintenance::RunReport> report = action(table->get(), ctx);
    if (!report.ok()) return Failed(report.status());
    nlohmann::json json = report->ToJson();
    json["job"] = ctx.job;
    json["scheduled"] = true;
    if (config->on_report) config->on_report(json);
    std::string summary = report->action + " " + report->status + ": " +
                          std::to_string(report->files_in) + " files in, " +
                          std::to_string(report->files_out) + " out, " +
                          std::to_string(report->commits) + " commits";
    return FromReport(*report, summary);
  };
}

Action Compact(std::shared_ptr<const MaintenanceJobsConfig> config, bool force, bool aggressive) {
  return [config, force, aggressive](
             Table* table, const scheduler::JobContext& ctx) -> Result<maintenance::RunReport> {
    maintenance::CompactionOptions options = config->compaction;
    // The job's budget bounds the run: no group starts past the deadline.
    const int64_t remaining_ms = std::max<int64_t>(ctx.RemainingMicros() / 1000, 1);
    options.time_budget_ms =
        options.time_budget_ms > 0 ? std::min(options.time_budget_ms, remaining_ms) : remaining_ms;
    maintenance::CompactionRequest request;
    request.force = force;
    request.aggressive = aggressive;
    maintenance::CompactionEnv env;
    env.logger = config->logger;
    FLOE_ASSIGN_OR_RETURN(maintenance::CompactionReport report,
                          maintenance::RunCompaction(table, options, request, env));
    return report.run;
  };
}

std::string EnvName(std::string text) {
  for (char& c : text) c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return text;
}

}  // namespace

Result<scheduler::ScheduleOverrides> ScheduleOverridesFromSettings(const Settings& settings) {
  scheduler::ScheduleOverrides out;
  std::set<std::string> known;
  for (const scheduler::JobSpec& job : scheduler::DefaultJobs("t")) known.insert(job.name);
  for (const auto& [key, value] : settings.FileKeysWithPrefix("schedule.")) {
    std::string job = key.substr(std::string("schedule.").size());
    if (job.rfind("budget.", 0) == 0) job = job.substr(7);
    if (!known.count(job)) {
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      return Status::InvalidArgument("config file key " + key + ": no default job \"" + job +
                                     "\" (jobs: " + list + ")");
    }
  }
  for (const std::string& job : known) {
    const std::string flag = "schedule-" + job, env = "FLOE_SCHEDULE_" + EnvName(job),
                      key = "schedule." + job;
    const std::string budget_flag = "schedule-budget-" + job,
                      budget_env = "FLOE_SCHEDULE_BUDGET_" + EnvName(job),
                      budget_key = "schedule.budget." + job;
    if (std::optional<std::string> cron = settings.Get(Setting{flag, env, key})) {
      out.cron_by_job[job] = *cron;
    }
    Setting budget{budget_flag, budget_env, budget_key};
    if (settings.Get(budget)) {
      FLOE_ASSIGN_OR_RETURN(int64_t ms,
                            settings.DurationMs(budget, 0, 1000, int64_t{7} * 86'400'000));
      out.budget_ms_by_job[job] = ms;
    }
  }
  return out;
}

Result<std::vector<scheduler::JobSpec>> ScheduledJobsOfCatalog(const Settings& settings,
                                                               Catalog* catalog) {
  FLOE_ASSIGN_OR_RETURN(std::vector<TableIdentifier> tables, maintenance::ListAllTables(catalog));
  std::vector<std::string> names;
  for (const TableIdentifier& id : tables) names.push_back(id.ToString());
  FLOE_ASSIGN_OR_RETURN(scheduler::ScheduleOverrides overrides,
                        ScheduleOverridesFromSettings(settings));
  return scheduler::ScheduledJobs(names, overrides);
}

Result<std::string> SchedulerStateLocation(const Settings& settings) {
  return LocationFromLocalPath(settings.GetOr(kStateDirSetting, "floe-state") + "/scheduler.json");
}

std::map<std::string, scheduler::JobFunction> MaintenanceJobFunctions(MaintenanceJobsConfig cfg) {
  auto config = std::make_shared<const MaintenanceJobsConfig>(std::move(cfg));
  std::map<std::string, scheduler::JobFunction> out;
  out[std::string(scheduler::kKindCompactIfNeeded)] = Job(config, Compact(config, false, false));
  out[std::string(scheduler::kKindCompact)] = Job(config, Compact(config, true, false));
  out[std::string(scheduler::kKindCompactAggressive)] = Job(config, Compact(config, true, true));
  out[std::string(scheduler::kKindExpireSnapshots)] =
      Job(config, [config](Table* table, const scheduler::JobContext&) {
        maintenance::ExpireOptions options;
        options.older_than_ms = config->expire_older_than_ms;
        options.retain_last = config->expire_retain_last;
        return maintenance::ExpireSnapshots(table, options, config->logger);
      });
  out[std::string(scheduler::kKindRemoveOrphans)] =
      Job(config,
          [config](Table* table, const scheduler::JobContext&) -> Result<maintenance::RunReport> {
            maintenance::OrphanOptions options;
            options.older_than_ms = config->orphan_older_than_ms;
            FLOE_ASSIGN_OR_RETURN(
                options.other_table_locations,
                maintenance::OtherTableLocations(config->services, table->identifier()));
            return maintenance::RemoveOrphans(table, options, config->logger);
          });
  out[std::string(scheduler::kKindRewriteManifests)] =
      Job(config, [config](Table* table, const scheduler::JobContext&) {
        maintenance::RewriteManifestsOptions options;
        options.min_manifests = config->manifest_threshold;
        return maintenance::RewriteManifests(table, options, config->logger);
      });
  return out;
}

}  // namespace floe::cli
