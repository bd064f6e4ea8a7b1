#include "floe/maintenance/retention.h"

#include <map>
#include <set>

#include "floe/catalog/transaction.h"
#include "floe/common/logger.h"
#include "floe/maintenance/compaction_plan.h"
#include "floe/maintenance/partition_time.h"

namespace floe::maintenance {
namespace {

std::string PartitionName(const iceberg::PartitionSpec* spec, const iceberg::DataFile& f) {
  if (spec == nullptr || spec->is_unpartitioned()) return "";
  Result<std::string> path = iceberg::PartitionPath(*spec, f.partition);
  return path.ok() ? *path : "";
}

}  // namespace

Result<RunReport> ApplyRetention(Table* table, const RetentionOptions& options, Logger* logger) {
  const Clock& clock = *table->services().clock;
  const RunMeter meter(&clock);
  if (options.max_age_ms <= 0) {
    return Status::InvalidArgument("--max-age must be positive (e.g. 90d)");
  }
  RunReport report;
  report.table = table->identifier().ToString();
  report.action = "retention";
  report.dry_run = options.dry_run;
  const int64_t cutoff_micros = clock.NowMicros() - options.max_age_ms * 1000;

  FLOE_RETURN_IF_ERROR(table->Refresh());
  const iceberg::TableMetadata& m = table->metadata();
  FLOE_ASSIGN_OR_RETURN(TableFiles files, LoadLiveFiles(table->services().store, m));
  const iceberg::Schema& schema = m.CurrentSchema();

  std::set<std::pair<int32_t, std::string>> expired_partitions;  // spec id, partition path
  std::vector<std::string> paths;
  for (const LiveFile& live : files.data_files) {
    const iceberg::PartitionSpec* spec = m.SpecById(live.spec_id);
    if (spec == nullptr) continue;
    auto range = PartitionTimeRange(*spec, schema, live.file.partition);
    if (!range || range->second > cutoff_micros) continue;
    expired_partitions.insert({live.spec_id, PartitionName(spec, live.file)});
    paths.push_back(live.file.file_path);
    report.files_in += 1;
    report.rows_in += live.file.record_count;
    report.bytes_in += live.file.file_size_in_bytes;
  }
  int64_t delete_files = 0;
  for (const LiveFile& live : files.delete_files) {
    const iceberg::PartitionSpec* spec = m.SpecById(live.spec_id);
    if (expired_partitions.count({live.spec_id, PartitionName(spec, live.file)})) {
      paths.push_back(live.file.file_path);
      ++delete_files;
    }
  }

  nlohmann::json partitions = nlohmann::json::array();
  for (const auto& [spec_id, name] : expired_partitions) partitions.push_back(name);
  report.details["cutoff"] = FormatTimestampMicros(cutoff_micros);
  report.details["partitions"] = partitions;
  report.details["delete_files"] = delete_files;

  if (!paths.empty() && !options.dry_run) {
    Transaction txn = table->NewTransaction();
    txn.DeleteFiles(paths);
    txn.SetSummary("floe.retention-cutoff", FormatTimestampMicros(cutoff_micros));
    Result<CommitResult> committed = txn.Commit();
    if (!committed.ok()) {
      if (logger) {
        logger->Error("retention.error",
                      {{"table", report.table}, {"error", committed.status().message()}});
      }
      return committed.status();
    }
    report.commits = 1;
    report.retries = committed->attempts - 1;
    report.conflicts = committed->conflicts;
    report.snapshot_id = committed->snapshot_id;
  } else if (m.current_snapshot_id) {
    report.snapshot_id = m.current_snapshot_id;
  }
  report.status = paths.empty() ? "noop" : "success";
  meter.Finish(&report);
  if (logger) {
    logger->Info("retention.finish", {{"table", report.table},
                                      {"status", report.status},
                                      {"dry_run", options.dry_run},
                                      {"partitions", static_cast<int64_t>(partitions.size())},
                                      {"files", report.files_in},
                                      {"rows", report.rows_in},
                                      {"duration_ms", report.duration_ms}});
  }
  return report;
}

}  // namespace floe::maintenance
