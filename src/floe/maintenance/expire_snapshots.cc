#include "floe/maintenance/expire_snapshots.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "floe/catalog/transaction.h"
#include "floe/maintenance/reachable.h"

namespace floe::maintenance {
namespace {

constexpr int64_t kDefaultMaxAgeMs = 5LL * 24 * 3600 * 1000;

Result<int64_t> IntProperty(const iceberg::TableMetadata& m, const std::string& key,
                            int64_t fallback) {
  auto it = m.properties.find(key);
  if (it == m.properties.end()) return fallback;
  int64_t value = 0;
  const std::string& text = it->second;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) {
    return Status::InvalidArgument("table property " + key + "=\"" + text +
                                   "\": expected a non-negative integer");
  }
  return value;
}

// Ids of the snapshots to keep.
std::set<int64_t> SnapshotsToRetain(const iceberg::TableMetadata& m, int64_t now_ms,
                                    int64_t max_age_ms, int64_t retain_last) {
  std::set<int64_t> keep;
  std::set<int64_t> in_some_branch;
  auto keep_branch = [&](int64_t head, int64_t min_keep, int64_t age_ms) {
    int64_t kept = 0;
    bool still_keeping = true;
    for (const iceberg::Snapshot* s = m.SnapshotById(head); s != nullptr;
         s = s->parent_snapshot_id ? m.SnapshotById(*s->parent_snapshot_id) : nullptr) {
      in_some_branch.insert(s->snapshot_id);
      if (still_keeping && (kept < min_keep || s->timestamp_ms >= now_ms - age_ms)) {
        keep.insert(s->snapshot_id);
        ++kept;
      } else {
        still_keeping = false;
      }
    }
  };
  bool has_main = false;
  for (const auto& [name, ref] : m.refs) {
    keep.insert(ref.snapshot_id);
    if (ref.type != iceberg::SnapshotRefType::kBranch) continue;
    if (name == "main") has_main = true;
    keep_branch(ref.snapshot_id, ref.min_snapshots_to_keep.value_or(retain_last),
                ref.max_snapshot_age_ms.value_or(max_age_ms));
  }
  if (!has_main && m.current_snapshot_id) {
    keep.insert(*m.current_snapshot_id);
    keep_branch(*m.current_snapshot_id, retain_last, max_age_ms);
  }
  for (const iceberg::Snapshot& s : m.snapshots) {
    if (in_some_branch.count(s.snapshot_id) == 0 && s.timestamp_ms >= now_ms - max_age_ms) {
      keep.insert(s.snapshot_id);
    }
  }
  return keep;
}

std::vector<const iceberg::Snapshot*> Pick(const iceberg::TableMetadata& m,
                                           const std::set<int64_t>& ids, bool in) {
  std::vector<const iceberg::Snapshot*> out;
  for (const iceberg::Snapshot& s : m.snapshots) {
    if ((ids.count(s.snapshot_id) > 0) == in) out.push_back(&s);
  }
  return out;
}

}  // namespace

Result<RunReport> ExpireSnapshots(Table* table, const ExpireOptions& options, Logger* logger) {
  const Clock& clock = *table->services().clock;
  const RunMeter meter(&clock);
  RunReport report;
  report.table = table->identifier().ToString();
  report.action = "expire-snapshots";
  report.dry_run = options.dry_run;

  FLOE_RETURN_IF_ERROR(table->Refresh());
  const iceberg::TableMetadata base = table->metadata();
  FLOE_ASSIGN_OR_RETURN(int64_t max_age,
                        IntProperty(base, "history.expire.max-snapshot-age-ms", kDefaultMaxAgeMs));
  FLOE_ASSIGN_OR_RETURN(int64_t retain,
                        IntProperty(base, "history.expire.min-snapshots-to-keep", 1));
  if (options.older_than_ms) max_age = *options.older_than_ms;
  if (options.retain_last) retain = *options.retain_last;
  if (retain < 1) {
    return Status::InvalidArgument("--retain-last " + std::to_string(retain) +
                                   ": at least 1 snapshot must be kept");
  }

  const std::set<int64_t> keep = SnapshotsToRetain(base, meter.start_ms(), max_age, retain);
  std::vector<int64_t> expire_ids;
  for (const iceberg::Snapshot* s : Pick(base, keep, false)) expire_ids.push_back(s->snapshot_id);
  if (logger) {
    logger->Info("expire.start", {{"table", report.table},
                                  {"snapshots", static_cast<int64_t>(base.snapshots.size())},
                                  {"to_expire", static_cast<int64_t>(expire_ids.size())},
                                  {"dry_run", options.dry_run}});
  }

  iceberg::TableMetadata after = base;
  if (!expire_ids.empty() && !options.dry_run) {
    Transaction txn = table->NewTransaction();
    txn.RemoveSnapshots(expire_ids);
    Result<CommitResult> committed = txn.Commit();
    if (!committed.ok()) {
      if (logger) {
        logger->Error("expire.error",
                      {{"table", report.table}, {"error", committed.status().message()}});
      }
      return committed.status();
    }
    report.commits = 1;
    report.retries = committed->attempts - 1;
    report.conflicts = committed->conflicts;
    after = table->metadata();
  } else if (!expire_ids.empty()) {
    std::set<int64_t> gone(expire_ids.begin(), expire_ids.end());
    std::erase_if(after.snapshots,
                  [&](const iceberg::Snapshot& s) { return gone.count(s.snapshot_id) > 0; });
  }

  // What the expired snapshots read that no remaining one does. Remaining snapshots are taken
  // from the committed metadata, so snapshots other writers added meanwhile are protected too.
  std::set<int64_t> expired_set(expire_ids.begin(), expire_ids.end());
  ManifestCache cache(table->services().store, iceberg::ColumnStatsSelection::None());
  if (options.progress) options.progress({"reading manifests", 0, 0});
  FLOE_ASSIGN_OR_RETURN(ReachableFiles expired,
                        CollectReachable(Pick(base, expired_set, true), &cache));
  std::vector<const iceberg::Snapshot*> remaining;
  for (const iceberg::Snapshot& s : after.snapshots) remaining.push_back(&s);
  FLOE_ASSIGN_OR_RETURN(ReachableFiles live, CollectReachable(remaining, &cache));

  std::vector<std::string> lists, manifests, files;
  int64_t bytes = 0;
  for (const std::string& p : expired.manifest_lists) {
    if (!live.manifest_lists.count(p)) lists.push_back(p);
  }
  for (const std::string& p : expired.manifests) {
    if (!live.manifests.count(p)) manifests.push_back(p);
  }
  for (const std::string& p : expired.named_files) {
    if (!live.live_files.count(p)) {
      files.push_back(p);
      bytes += expired.file_sizes[p];
    }
  }
  std::vector<std::string> all;
  all.insert(all.end(), files.begin(), files.end());
  all.insert(all.end(), manifests.begin(), manifests.end());
  all.insert(all.end(), lists.begin(), lists.end());
  if (!options.dry_run && !all.empty()) {
    // None of these is referenced by the table any more: if the run stops midway, what is left
    // is an orphan, and orphan removal collects it.
    Status deleted = DeleteWithProgress(table->services().store, all, options.progress);
    if (!deleted.ok()) {
      report.status = "partial";
      report.error = deleted.message();
    }
  }

  nlohmann::json ids = nlohmann::json::array();
  for (int64_t id : expire_ids) ids.push_back(id);
  report.details["snapshots_expired"] = ids;
  report.details["snapshots_kept"] = static_cast<int64_t>(keep.size());
  report.details["deleted"] = {{"manifest_lists", lists.size()},
                               {"manifests", manifests.size()},
                               {"files", files.size()},
                               {"file_bytes", bytes}};
  report.details["paths"] = all;
  report.files_in = static_cast<int64_t>(all.size());
  report.bytes_in = bytes;
  if (report.status != "partial") report.status = expire_ids.empty() ? "noop" : "success";
  if (after.current_snapshot_id) report.snapshot_id = after.current_snapshot_id;
  meter.Finish(&report);
  if (logger) {
    logger->Info("expire.finish", {{"table", report.table},
                                   {"status", report.status},
                                   {"dry_run", options.dry_run},
                                   {"snapshots_expired", static_cast<int64_t>(expire_ids.size())},
                                   {"files_deleted", static_cast<int64_t>(all.size())},
                                   {"bytes_deleted", bytes},
                                   {"duration_ms", report.duration_ms}});
  }
  return report;
}

}  // namespace floe::maintenance
