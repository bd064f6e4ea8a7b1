// floe compact: one compaction run of a table (the admin API's POST /admin/compact without a
// server), with a progress bar on a terminal and the run report with --json.

#include <algorithm>
#include <ostream>
#include <sstream>

#include "floe/cli/cluster_settings.h"
#include "floe/cli/commands.h"
#include "floe/cli/compaction_settings.h"
#include "floe/cli/progress.h"
#include "floe/cli/warehouse.h"
#include "floe/maintenance/compactor.h"

namespace floe::cli {

Result<maintenance::CompactionOptions> CompactionOptionsFromSettings(const Settings& s) {
  maintenance::CompactionOptions o;
  FLOE_ASSIGN_OR_RETURN(
      maintenance::CompactionProfile profile,
      maintenance::ParseCompactionProfile(s.GetOr(kCompactionProfileSetting, "balanced")));
  o.ApplyProfile(profile);
  constexpr int64_t kMiB = int64_t{1} << 20;
  FLOE_ASSIGN_OR_RETURN(o.threshold, s.Int(kCompactionThresholdSetting, o.threshold, 2, 1'000'000));
  FLOE_ASSIGN_OR_RETURN(int64_t target_mb,
                        // Under 8 MB a "compacted" table is still small files; over 4 GB one
                        // file outgrows what engines split well and what a rewrite may hold.
                        s.Int(kTargetFileSizeMbSetting, o.target_file_size_bytes / kMiB, 8, 4096));
  o.target_file_size_bytes = target_mb * kMiB;
  FLOE_ASSIGN_OR_RETURN(int64_t memory_mb, s.Int(kCompactionMemoryLimitMbSetting,
                                                 o.memory_limit_bytes / kMiB, 16, 1 << 20));
  o.memory_limit_bytes = memory_mb * kMiB;
  FLOE_ASSIGN_OR_RETURN(o.min_input_files,
                        s.Int(kCompactionMinInputFilesSetting, o.min_input_files, 1, 100000));
  FLOE_ASSIGN_OR_RETURN(o.max_files_per_group, s.Int(kCompactionMaxFilesPerGroupSetting,
                                                     o.max_files_per_group, 2, 1'000'000));
  FLOE_ASSIGN_OR_RETURN(o.max_groups_per_commit, s.Int(kCompactionMaxGroupsPerCommitSetting,
                                                       o.max_groups_per_commit, 1, 10000));
  FLOE_ASSIGN_OR_RETURN(o.time_budget_ms,
                        s.DurationMs(kCompactionTimeBudgetSetting, 0, 0, INT64_MAX / 2));
  FLOE_ASSIGN_OR_RETURN(int64_t threads,
                        s.Int(kCompactionParallelismSetting, o.parallelism, 1, 256));
  o.parallelism = static_cast<int>(threads);
  FLOE_RETURN_IF_ERROR(o.Validate());
  return o;
}

namespace {

constexpr Setting kForce{"force", "", ""};
constexpr Setting kAggressive{"aggressive", "", ""};
constexpr Setting kTargetFiles{"target-files", "", ""};
constexpr Setting kDryRun{"dry-run", "", ""};
constexpr Setting kPartition{"partition", "", ""};
constexpr Setting kOlderThan{"older-than", "", ""};
constexpr Setting kNewerThan{"newer-than", "", ""};
constexpr Setting kJson{"json", "", ""};

constexpr std::string_view kUsage =
    "usage: floe compact [--table NS.NAME] [--force] [--aggressive] [--target-files N]\n"
    "                    [--dry-run] [--partition NAME=VALUE[/...][,...]] [--older-than T]\n"
    "                    [--newer-than T] [--profile realtime|balanced|batch]\n"
    "                    [--memory-limit-mb N] [--json]\n"
    "\n"
    "Rewrites a table's small files into files of about the target size, partition by\n"
    "partition (oldest first), committing as groups finish. Runs only when the table has at\n"
    "least COMPACTION_THRESHOLD small files (under 75% of the target), unless --force.\n"
    "\n"
    "  --force                 compact even under the threshold\n"
    "  --aggressive            rewrite every file under the target, floe's own outputs too\n"
    "  --target-files N        merge until each chosen partition has at most N files\n"
    "  --dry-run               print the plan, change nothing\n"
    "  --partition P           only partitions with these values (\"ts_day=2026-01-01\";\n"
    "                          comma-separated for several)\n"
    "  --older-than T          only partitions whose time ends by T; --newer-than T: starting\n"
    "                          at or after T (T: 2026-01-01, RFC 3339, or an age: 7d, 12h)\n"
    "  --profile P             realtime (30 files, 64 MB), balanced (50, 128 MB), batch (100,\n"
    "                          256 MB); COMPACTION_THRESHOLD / TARGET_FILE_SIZE_MB override it\n"
    "  --compaction-threshold N, --target-file-size-mb N, --memory-limit-mb N (default 128),\n"
    "  --min-input-files N, --max-files-per-group N, --max-groups-per-commit N,\n"
    "  --time-budget D, --compaction-parallelism N   (also as environment and config keys;\n"
    "                          docs/configuration.md)\n"
    "  --table, --warehouse, --catalog, --config, --log-level  as for every command\n"
    "  --json                  print the run report as JSON\n"
    "\n"
    "Exit 0 when the run succeeded or had nothing to do, 1 when it failed or did part of the\n"
    "work (status partial), 2 for bad usage, 3 when another run holds the table's lease.\n";

std::vector<std::string> SplitComma(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

Result<maintenance::CompactionRequest> RequestFromSettings(const Settings& s, const Clock& clock) {
  maintenance::CompactionRequest r;
  FLOE_ASSIGN_OR_RETURN(r.force, s.Bool(kForce, false));
  FLOE_ASSIGN_OR_RETURN(r.aggressive, s.Bool(kAggressive, false));
  FLOE_ASSIGN_OR_RETURN(r.dry_run, s.Bool(kDryRun, false));
  if (s.Get(kTargetFiles)) {
    FLOE_ASSIGN_OR_RETURN(int64_t n, s.Int(kTargetFiles, 0, 1, 1'000'000));
    r.target_files = n;
  }
  if (auto p = s.Get(kPartition)) r.partitions = SplitComma(*p);
  if (auto t = s.Get(kOlderThan)) {
    auto at = maintenance::ParseTimeBound(*t, clock.NowMicros());
    if (!at.ok()) return Status::InvalidArgument("--older-than: " + at.status().message());
    r.older_than_micros = *at;
  }
  if (auto t = s.Get(kNewerThan)) {
    auto at = maintenance::ParseTimeBound(*t, clock.NowMicros());
    if (!at.ok()) return Status::InvalidArgument("--newer-than: " + at.status().message());
    r.newer_than_micros = *at;
  }
  return r;
}

int RunCompact(const Args& args, const CliContext& ctx) {
  constexpr std::string_view kName = "compact";
  Result<Settings> settings = Settings::Load(args, ctx);
  if (!settings.ok()) return ReportError(ctx, kName, settings.status());
  const Settings& s = *settings;
  Result<maintenance::CompactionOptions> options = CompactionOptionsFromSettings(s);
  if (!options.ok()) return ReportError(ctx, kName, options.status());
  Result<maintenance::CompactionRequest> request = RequestFromSettings(s, *ctx.clock);
  if (!request.ok()) return ReportError(ctx, kName, request.status());
  Result<bool> json = s.Bool(kJson, false);
  if (!json.ok()) return ReportError(ctx, kName, json.status());
  Result<std::unique_ptr<Logger>> logger = MakeLogger(s, ctx, LogLevel::kWarn);
  if (!logger.ok()) return ReportError(ctx, kName, logger.status());
  Result<std::unique_ptr<Warehouse>> warehouse = Warehouse::Open(s, ctx);
  if (!warehouse.ok()) return ReportError(ctx, kName, warehouse.status());
  Result<TableIdentifier> id = TableFromSettings(s);
  if (!id.ok()) return ReportError(ctx, kName, id.status());
  Result<std::unique_ptr<Table>> table = (*warehouse)->LoadTable(*id);
  if (!table.ok()) return ReportError(ctx, kName, table.status());
  Result<CliTableLease> lease =
      TakeCliTableLease(s, **warehouse, *id, kName, !request->dry_run, ctx, logger->get());
  if (!lease.ok()) return ReportLeaseError(ctx, kName, lease.status());

  maintenance::CompactionEnv env;
  env.logger = logger->get();
  ProgressBar bar(ctx, "compact", !*json);
  if (bar.enabled()) {
    env.progress = [&bar](const maintenance::CompactionProgress& p) {
      bar.Update(p.bytes_total > 0 ? p.bytes_finished : p.groups_finished,
                 p.bytes_total > 0 ? p.bytes_total : p.groups_total,
                 std::to_string(p.groups_finished) + "/" + std::to_string(p.groups_total) +
                     " groups, " + HumanBytes(p.bytes_finished) + " of " +
                     HumanBytes(p.bytes_total));
    };
  }
  Result<maintenance::CompactionReport> report =
      maintenance::RunCompaction(table->get(), *options, *request, env);
  bar.Finish();
  if (!report.ok()) return ReportError(ctx, kName, report.status());
  const maintenance::RunReport& r = report->run;
  if (*json) {
    *ctx.out << r.ToJson().dump() << "\n";
  } else {
    const maintenance::CompactionPlan& plan = report->plan;
    *ctx.out << "compact " << r.table << ": " << r.status << (r.dry_run ? " (dry run)" : "") << "; "
             << plan.decision << "\n";
    if (r.dry_run) {
      for (const auto& g : plan.groups) {
        *ctx.out << "  would rewrite " << g.inputs.size() << " files (" << HumanBytes(g.input_bytes)
                 << ") of " << (g.partition_path.empty() ? "<unpartitioned>" : g.partition_path)
                 << ": " << g.reason << "\n";
      }
    } else {
      *ctx.out << "  groups " << r.groups_done << "/" << report->groups_planned << ", files "
               << r.files_in << " -> " << r.files_out << ", bytes " << HumanBytes(r.bytes_in)
               << " -> " << HumanBytes(r.bytes_out) << ", rows " << r.rows_in << " -> "
               << r.rows_out << ", commits " << r.commits << " (retries " << r.retries << "), "
               << r.duration_ms << " ms\n";
    }
    for (const auto& q : report->quarantined) {
      *ctx.out << "  quarantined " << q.path << ": " << q.reason << "\n";
    }
    for (const auto& g : r.groups_skipped) {
      *ctx.out << "  skipped " << (g.partition.empty() ? "<unpartitioned>" : g.partition) << " ("
               << g.files << " files): " << g.reason << "\n";
    }
    if (!r.error.empty()) *ctx.out << "error: " << r.error << "\n";
  }
  return r.status == "success" || r.status == "noop" ? 0 : 1;
}

}  // namespace

void AddCompactCommands(std::vector<Command>* commands) {
  commands->push_back(Command{"compact",
                              "rewrite a table's small files into target-sized ones",
                              std::string(kUsage),
                              {"force", "aggressive", "dry-run", "json"},
                              RunCompact});
}

}  // namespace floe::cli
