// floe expire-snapshots, floe remove-orphans: the maintenance actions of the admin API, without a
// server. Each prints a summary, or the run report with --json (DESIGN.md's report fields).

#include <ostream>

#include "floe/cli/cluster_settings.h"
#include "floe/cli/commands.h"
#include "floe/cli/compaction_settings.h"
#include "floe/cli/maintenance_jobs.h"
#include "floe/cli/progress.h"
#include "floe/cli/warehouse.h"
#include "floe/io/local_store.h"
#include "floe/maintenance/expire_snapshots.h"
#include "floe/maintenance/fsck.h"
#include "floe/maintenance/remove_orphans.h"
#include "floe/maintenance/retention.h"
#include "floe/maintenance/rewrite_manifests.h"
#include "floe/maintenance/table_state.h"
#include "floe/scheduler/run_state.h"
#include "floe/server/admin_status_route.h"

namespace floe::cli {
namespace {

constexpr Setting kOlderThan{"older-than", "", ""};
constexpr Setting kRetainLast{"retain-last", "", ""};
constexpr Setting kDryRun{"dry-run", "", ""};
constexpr Setting kJson{"json", "", ""};
constexpr Setting kRepair{"repair", "", ""};
constexpr Setting kMaxAge{"max-age", "FLOE_RETENTION_MAX_AGE", "retention.max_age"};
constexpr Setting kTargetSizeBytes{"target-size-bytes", "", ""};
constexpr Setting kMinManifests{"min-manifests", "", ""};

struct Opened {
  Settings settings;
  std::unique_ptr<Warehouse> warehouse;
  std::unique_ptr<Table> table;
  std::unique_ptr<Logger> logger;
};

Result<Opened> Open(const Args& args, const CliContext& ctx) {
  FLOE_ASSIGN_OR_RETURN(Settings settings, Settings::Load(args, ctx));
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<Logger> logger, MakeLogger(settings, ctx, LogLevel::kWarn));
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<Warehouse> warehouse, Warehouse::Open(settings, ctx));
  FLOE_ASSIGN_OR_RETURN(TableIdentifier id, TableFromSettings(settings));
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<Table> table, warehouse->LoadTable(id));
  return Opened{std::move(settings), std::move(warehouse), std::move(table), std::move(logger)};
}

int Finish(const CliContext& ctx, const Settings& settings, const maintenance::RunReport& report,
           const std::string& summary) {
  if (*settings.Bool(kJson, false)) {
    *ctx.out << report.ToJson().dump() << "\n";
  } else {
    *ctx.out << summary;
    if (!report.error.empty()) *ctx.out << "error: " << report.error << "\n";
  }
  return report.status == "success" || report.status == "noop" ? 0 : 1;
}

int RunExpire(const Args& args, const CliContext& ctx) {
  Result<Opened> opened = Open(args, ctx);
  if (!opened.ok()) return ReportError(ctx, "expire-snapshots", opened.status());
  const Settings& s = opened->settings;
  maintenance::ExpireOptions options;
  Result<bool> dry = s.Bool(kDryRun, false);
  if (!dry.ok()) return ReportError(ctx, "expire-snapshots", dry.status());
  options.dry_run = *dry;
  if (s.Get(kOlderThan)) {
    Result<int64_t> ms = s.DurationMs(kOlderThan, 0, 0, INT64_MAX / 2);
    if (!ms.ok()) return ReportError(ctx, "expire-snapshots", ms.status());
    options.older_than_ms = *ms;
  }
  if (s.Get(kRetainLast)) {
    Result<int64_t> n = s.Int(kRetainLast, 1, 1, 1'000'000);
    if (!n.ok()) return ReportError(ctx, "expire-snapshots", n.status());
    options.retain_last = *n;
  }
  Result<CliTableLease> lease =
      TakeCliTableLease(s, *opened->warehouse, opened->table->identifier(), "expire-snapshots",
                        !options.dry_run, ctx, opened->logger.get());
  if (!lease.ok()) return ReportLeaseError(ctx, "expire-snapshots", lease.status());
  ProgressBar bar(ctx, "expire-snapshots", !*s.Bool(kJson, false));
  options.progress = MaintenanceProgress(&bar);
  Result<maintenance::RunReport> report =
      maintenance::ExpireSnapshots(opened->table.get(), options, opened->logger.get());
  bar.Finish();
  if (!report.ok()) return ReportError(ctx, "expire-snapshots", report.status());
  const auto& deleted = report->details["deleted"];
  std::string summary =
      std::string(options.dry_run ? "would expire " : "expired ") +
      std::to_string(report->details["snapshots_expired"].size()) + " snapshots of " +
      report->table + " (" + std::to_string(report->details["snapshots_kept"].get<int64_t>()) +
      " kept); " + (options.dry_run ? "would delete " : "deleted ") +
      std::to_string(deleted["files"].get<int64_t>()) + " data/delete files (" +
      std::to_string(deleted["file_bytes"].get<int64_t>()) + " bytes), " +
      std::to_string(deleted["manifests"].get<int64_t>()) + " manifests, " +
      std::to_string(deleted["manifest_lists"].get<int64_t>()) + " manifest lists\n";
  if (options.dry_run) {
    for (const auto& p : report->details["paths"]) summary += "  " + p.get<std::string>() + "\n";
  }
  return Finish(ctx, s, *report, summary);
}

int RunOrphans(const Args& args, const CliContext& ctx) {
  Result<Opened> opened = Open(args, ctx);
  if (!opened.ok()) return ReportError(ctx, "remove-orphans", opened.status());
  const Settings& s = opened->settings;
  maintenance::OrphanOptions options;
  Result<bool> dry = s.Bool(kDryRun, false);
  if (!dry.ok()) return ReportError(ctx, "remove-orphans", dry.status());
  options.dry_run = *dry;
  Result<int64_t> ms = s.DurationMs(kOlderThan, maintenance::kDefaultOrphanAgeMs, 0, INT64_MAX / 2);
  if (!ms.ok()) return ReportError(ctx, "remove-orphans", ms.status());
  options.older_than_ms = *ms;
  Result<std::vector<std::string>> others =
      maintenance::OtherTableLocations(opened->warehouse->services(), opened->table->identifier());
  if (!others.ok()) return ReportError(ctx, "remove-orphans", others.status());
  options.other_table_locations = std::move(*others);
  Result<CliTableLease> lease =
      TakeCliTableLease(s, *opened->warehouse, opened->table->identifier(), "remove-orphans",
                        !options.dry_run, ctx, opened->logger.get());
  if (!lease.ok()) return ReportLeaseError(ctx, "remove-orphans", lease.status());
  ProgressBar bar(ctx, "remove-orphans", !*s.Bool(kJson, false));
  options.progress = MaintenanceProgress(&bar);
  Result<maintenance::RunReport> report =
      maintenance::RemoveOrphans(opened->table.get(), options, opened->logger.get());
  bar.Finish();
  if (!report.ok()) return ReportError(ctx, "remove-orphans", report.status());
  std::string summary = std::string(options.dry_run ? "would remove " : "removed ") +
                        std::to_string(report->details["orphans"].size()) + " orphan files (" +
                        std::to_string(report->details["orphan_bytes"].get<int64_t>()) +
                        " bytes) of " + report->table + "; " +
                        std::to_string(report->details["listed"].get<int64_t>()) + " listed, " +
                        std::to_string(report->details["too_young"].get<int64_t>()) +
                        " unreferenced but younger than the window\n";
  for (const auto& p : report->details["orphans"]) summary += "  " + p.get<std::string>() + "\n";
  return Finish(ctx, s, *report, summary);
}

int RunFsck(const Args& args, const CliContext& ctx) {
  Result<Opened> opened = Open(args, ctx);
  if (!opened.ok()) return ReportError(ctx, "fsck", opened.status());
  const Settings& s = opened->settings;
  maintenance::FsckOptions options;
  Result<bool> repair = s.Bool(kRepair, false);
  if (!repair.ok()) return ReportError(ctx, "fsck", repair.status());
  options.repair = *repair;
  Result<int64_t> ms = s.DurationMs(kOlderThan, maintenance::kDefaultOrphanAgeMs, 0, INT64_MAX / 2);
  if (!ms.ok()) return ReportError(ctx, "fsck", ms.status());
  options.orphan_older_than_ms = *ms;
  Result<std::vector<std::string>> others =
      maintenance::OtherTableLocations(opened->warehouse->services(), opened->table->identifier());
  if (!others.ok()) return ReportError(ctx, "fsck", others.status());
  options.other_table_locations = std::move(*others);
  Result<CliTableLease> lease =
      TakeCliTableLease(s, *opened->warehouse, opened->table->identifier(), "fsck", options.repair,
                        ctx, opened->logger.get());
  if (!lease.ok()) return ReportLeaseError(ctx, "fsck", lease.status());
  Result<maintenance::RunReport> report =
      maintenance::Fsck(opened->table.get(), options, opened->logger.get());
  if (!report.ok()) return ReportError(ctx, "fsck", report.status());
  const auto& checked = report->details["checked"];
  std::string summary =
      "fsck " + report->table + ": " + std::to_string(report->details["errors"].get<int64_t>()) +
      " errors, " + std::to_string(report->details["warnings"].get<int64_t>()) +
      " warnings; checked " + checked["snapshots"].dump() + " snapshots, " +
      checked["manifests"].dump() + " manifests, " + checked["data_files"].dump() +
      " data files, " + checked["delete_files"].dump() + " delete files\n";
  for (const auto& p : report->details["problems"]) {
    summary += "  " + p["severity"].get<std::string>() + " " + p["kind"].get<std::string>() + " " +
               p["path"].get<std::string>() + ": " + p["detail"].get<std::string>() + "\n";
  }
  if (report->details.contains("repaired")) {
    const auto& r = report->details["repaired"];
    summary += "repaired: removed " + r["files_removed"].dump() + " files (" +
               r["rows_lost"].dump() + " rows lost), " + r["orphans_removed"].dump() + " orphans\n";
  }
  // Always the report on stdout with --json; exit 1 when anything is wrong.
  return Finish(ctx, s, *report, summary);
}

int RunRetention(const Args& args, const CliContext& ctx) {
  Result<Opened> opened = Open(args, ctx);
  if (!opened.ok()) return ReportError(ctx, "retention", opened.status());
  const Settings& s = opened->settings;
  if (!s.Get(kMaxAge)) {
    return ReportError(ctx, "retention",
                       Status::InvalidArgument("--max-age is required (e.g. --max-age 90d)"));
  }
  maintenance::RetentionOptions options;
  Result<int64_t> ms = s.DurationMs(kMaxAge, 0, 3'600'000, INT64_MAX / 2);
  if (!ms.ok()) return ReportError(ctx, "retention", ms.status());
  options.max_age_ms = *ms;
  Result<bool> dry = s.Bool(kDryRun, false);
  if (!dry.ok()) return ReportError(ctx, "retention", dry.status());
  options.dry_run = *dry;
  Result<CliTableLease> lease =
      TakeCliTableLease(s, *opened->warehouse, opened->table->identifier(), "retention",
                        !options.dry_run, ctx, opened->logger.get());
  if (!lease.ok()) return ReportLeaseError(ctx, "retention", lease.status());
  Result<maintenance::RunReport> report =
      maintenance::ApplyRetention(opened->table.get(), options, opened->logger.get());
  if (!report.ok()) return ReportError(ctx, "retention", report.status());
  std::string summary = std::string(options.dry_run ? "would remove " : "removed ") +
                        std::to_string(report->details["partitions"].size()) +
                        " partitions older than " + report->details["cutoff"].get<std::string>() +
                        " from " + report->table + ": " + std::to_string(report->files_in) +
                        " files, " + std::to_string(report->rows_in) + " rows, " +
                        std::to_string(report->bytes_in) + " bytes\n";
  for (const auto& p : report->details["partitions"]) {
    summary += "  " + p.get<std::string>() + "\n";
  }
  return Finish(ctx, s, *report, summary);
}

int RunRewriteManifests(const Args& args, const CliContext& ctx) {
  Result<Opened> opened = Open(args, ctx);
  if (!opened.ok()) return ReportError(ctx, "rewrite-manifests", opened.status());
  const Settings& s = opened->settings;
  maintenance::RewriteManifestsOptions options;
  Result<bool> dry = s.Bool(kDryRun, false);
  if (!dry.ok()) return ReportError(ctx, "rewrite-manifests", dry.status());
  options.dry_run = *dry;
  if (s.Get(kTargetSizeBytes)) {
    Result<int64_t> n = s.Int(kTargetSizeBytes, 0, 1024, int64_t{1} << 30);
    if (!n.ok()) return ReportError(ctx, "rewrite-manifests", n.status());
    options.target_size_bytes = *n;
  }
  Result<int64_t> min = s.Int(kMinManifests, 0, 0, 1'000'000);
  if (!min.ok()) return ReportError(ctx, "rewrite-manifests", min.status());
  options.min_manifests = *min;
  Result<CliTableLease> lease =
      TakeCliTableLease(s, *opened->warehouse, opened->table->identifier(), "rewrite-manifests",
                        !options.dry_run, ctx, opened->logger.get());
  if (!lease.ok()) return ReportLeaseError(ctx, "rewrite-manifests", lease.status());
  Result<maintenance::RunReport> report =
      maintenance::RewriteManifests(opened->table.get(), options, opened->logger.get());
  if (!report.ok()) return ReportError(ctx, "rewrite-manifests", report.status());
  const nlohmann::json& d = report->details;
  std::string summary;
  if (report->status == "noop") {
    summary = "rewrite-manifests " + report->table + ": nothing to do (" +
              d.value("reason", std::string()) + "); " + d["manifests_before"].dump() +
              " manifests\n";
  } else {
    summary = std::string(options.dry_run ? "would rewrite " : "rewrote ") +
              std::to_string(report->files_in) + " manifests (" + std::to_string(report->bytes_in) +
              " bytes) of " + report->table + " into " + (options.dry_run ? "about " : "") +
              std::to_string(report->files_out) +
              (options.dry_run ? "" : " (" + std::to_string(report->bytes_out) + " bytes)") +
              "; manifests " + d["manifests_before"].dump() + " -> " + d["manifests_after"].dump() +
              ", target " + d["target_size_bytes"].dump() + " bytes\n";
  }
  return Finish(ctx, s, *report, summary);
}

Status Status_(const Args& args, const CliContext& ctx) {
  FLOE_ASSIGN_OR_RETURN(Settings settings, Settings::Load(args, ctx));
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<Warehouse> warehouse, Warehouse::Open(settings, ctx));
  server::StatusRouteContext status;
  status.services = warehouse->services();
  FLOE_ASSIGN_OR_RETURN(status.compaction, CompactionOptionsFromSettings(settings));
  status.node_id = settings.GetOr(kNodeIdSetting, "");
  // The jobs as a `floe serve` with these settings would run them, from its saved run state.
  FLOE_ASSIGN_OR_RETURN(std::vector<scheduler::JobSpec> jobs,
                        ScheduledJobsOfCatalog(settings, warehouse->catalog()));
  FLOE_ASSIGN_OR_RETURN(std::string state_location, SchedulerStateLocation(settings));
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<LocalStore> local, LocalStore::Make("/"));
  scheduler::ObjectRunStateStore state(local.get(), state_location);
  FLOE_ASSIGN_OR_RETURN(std::vector<scheduler::JobStatus> planned,
                        scheduler::PlannedStatus(jobs, &state, ctx.clock->NowMicros()));
  status.jobs = [planned] { return planned; };
  FLOE_ASSIGN_OR_RETURN(nlohmann::json doc, server::BuildStatus(status));
  FLOE_ASSIGN_OR_RETURN(bool json, settings.Bool(kJson, false));
  if (json) {
    *ctx.out << doc.dump() << "\n";
    return Status::OK();
  }
  for (const auto& t : doc["tables"]) {
    *ctx.out << t["table"].get<std::string>() << "\n";
    if (t.contains("error")) {
      *ctx.out << "  error: " << t["error"].get<std::string>() << "\n";
      continue;
    }
    *ctx.out << "  files " << t["data_files"] << ", small " << t["small_files"] << " (threshold "
             << t["compaction_threshold"] << ", under " << t["small_file_limit_bytes"] << " bytes)"
             << (t["backlog"] ? ", BACKLOG" : "")
             << (t["needs_compaction"] ? ", needs compaction" : "") << "\n";
    *ctx.out << "  bytes " << t["bytes"] << ", records " << t["records"] << ", snapshots "
             << t["snapshots"] << ", manifests " << t["manifests"] << ", quarantined "
             << t["quarantined_files"] << "\n";
    for (const auto& j : t["jobs"]) {
      *ctx.out << "  job " << j["job"].get<std::string>() << " (" << j["cron"].get<std::string>()
               << "): next " << j["next_run"].get<std::string>() << ", last "
               << (j["last_run"].is_null() ? std::string("never")
                                           : j["last_run"]["started"].get<std::string>() + " " +
                                                 (j["last_run"]["result"].is_null()
                                                      ? std::string("running")
                                                      : j["last_run"]["result"].get<std::string>()))
               << "\n";
    }
  }
  return Status::OK();
}

int RunStatus(const Args& args, const CliContext& ctx) {
  Status s = Status_(args, ctx);
  return s.ok() ? 0 : ReportError(ctx, "status", s);
}

const char kCommonFlags[] =
    "  --table NS.NAME         the table (default analytics.events)\n"
    "  --warehouse DIR|URI     the warehouse (FLOE_WAREHOUSE; default ./warehouse)\n"
    "  --catalog URI           sqlite:PATH or postgresql://... (FLOE_CATALOG)\n"
    "  --dry-run               report what would be deleted, delete nothing\n"
    "  --json                  print the run report as JSON\n";

}  // namespace

void AddMaintenanceCommands(std::vector<Command>* commands) {
  commands->push_back(Command{
      "expire-snapshots",
      "remove old snapshots and the files only they read",
      std::string("usage: floe expire-snapshots [--older-than 7d] [--retain-last N] [--dry-run]\n\n"
                  "Removes snapshots older than --older-than (default: table property\n"
                  "history.expire.max-snapshot-age-ms, else 5d) while keeping at least\n"
                  "--retain-last snapshots per branch (default: history.expire.min-snapshots-to-"
                  "keep, else 1)\nand every snapshot a branch or tag names; then deletes the "
                  "manifest lists, manifests\nand data files that no remaining snapshot reads.\n") +
          kCommonFlags,
      {"dry-run"},
      RunExpire});
  commands->push_back(Command{
      "remove-orphans",
      "delete files under the table location that nothing references",
      std::string("usage: floe remove-orphans [--older-than 3d] [--dry-run]\n\n"
                  "Lists the table location and deletes files that no snapshot, manifest or\n"
                  "metadata file references and that are older than --older-than (default 3d).\n"
                  "Files of other tables nested under the location are never touched.\n") +
          kCommonFlags,
      {"dry-run"},
      RunOrphans});
  commands->push_back(Command{
      "fsck",
      "check everything a reader of the table depends on; --repair fixes what it safely can",
      std::string("usage: floe fsck [--repair] [--older-than 3d]\n\n"
                  "Checks metadata (fields, lineage, refs, summary totals), manifest lists and\n"
                  "manifests (present, readable, lengths, counts), every data file a snapshot\n"
                  "reads (present, size, Parquet footer, row count, partition values), and lists\n"
                  "orphans older than --older-than. Exits 1 when there is an error.\n"
                  "  --repair    remove references to missing or corrupt data files of the\n"
                  "              current snapshot (a delete commit; the rows are lost and\n"
                  "              reported) and remove orphans\n") +
          kCommonFlags,
      {"repair"},
      RunFsck});
  commands->push_back(Command{
      "retention",
      "remove whole partitions older than --max-age (a delete commit)",
      std::string("usage: floe retention --max-age 90d [--dry-run]\n\n"
                  "Removes every partition whose time range (from a year/month/day/hour\n"
                  "partition field, or an identity date/timestamp one) ended before now minus\n"
                  "--max-age, with one delete commit. Never part of a partition; partitions\n"
                  "without a time field are kept. Files are deleted from storage when snapshot\n"
                  "expiry removes the snapshots that still read them.\n") +
          kCommonFlags,
      {"dry-run"},
      RunRetention});
  commands->push_back(Command{
      "rewrite-manifests",
      "merge small manifests and split huge ones, clustered by partition (a replace commit)",
      std::string(
          "usage: floe rewrite-manifests [--target-size-bytes N] [--min-manifests N] [--dry-run]\n"
          "\n"
          "Rewrites the data manifests of the current snapshot, per partition spec, into\n"
          "manifests near the target size with their entries sorted by partition, when a spec\n"
          "has two manifests under half the target, one over twice it, or one without live\n"
          "entries. Entries keep their snapshot ids and sequence numbers; delete manifests are\n"
          "kept. One commit (operation replace); rows and older snapshots are unchanged.\n"
          "  --target-size-bytes N  default: table property commit.manifest.target-size-bytes,\n"
          "                         else 8388608 (8 MB)\n"
          "  --min-manifests N      do nothing while the current snapshot has fewer data\n"
          "                         manifests (default 0)\n") +
          kCommonFlags,
      {"dry-run"},
      RunRewriteManifests});
  commands->push_back(Command{
      "status",
      "every table's files, small files, backlog, and the scheduled jobs' last and next runs",
      "usage: floe status [--json] [--warehouse DIR|URI] [--catalog URI] [--state-dir DIR]\n\n"
      "What GET /admin/status returns, without a server: per table the live data files,\n"
      "small files against COMPACTION_THRESHOLD, bytes, records, snapshots, manifests,\n"
      "quarantined files, a file-size histogram (--json), and the scheduled jobs with their\n"
      "next run and last result (from <state-dir>/scheduler.json).\n",
      {},
      RunStatus});
}

}  // namespace floe::cli
