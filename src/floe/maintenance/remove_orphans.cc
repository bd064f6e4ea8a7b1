#include "floe/maintenance/remove_orphans.h"

#include <nlohmann/json.hpp>
#include <set>

#include "floe/catalog/snapshot_producer.h"
#include "floe/io/location.h"
#include "floe/maintenance/reachable.h"
#include "floe/maintenance/table_state.h"

namespace floe::maintenance {
namespace {

// "statistics-path" of every statistics and partition-statistics entry.
void AddStatisticsPaths(const std::string& json_array, std::set<std::string>* out) {
  nlohmann::json parsed = nlohmann::json::parse(json_array, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return;
  for (const auto& entry : parsed) {
    if (entry.is_object() && entry.contains("statistics-path") &&
        entry["statistics-path"].is_string()) {
      out->insert(CanonicalLocation(entry["statistics-path"].get<std::string>()));
    }
  }
}

// "file:///a/b" as a listing prefix that matches "file:///a/b/x" but not "file:///a/bc".
std::string FolderPrefix(const std::string& location) {
  std::string canonical = CanonicalLocation(location);
  if (canonical.empty() || canonical.back() != '/') canonical += '/';
  return canonical;
}

}  // namespace

Result<std::vector<std::string>> OtherTableLocations(const TableServices& services,
                                                     const TableIdentifier& self) {
  std::vector<std::string> out;
  FLOE_ASSIGN_OR_RETURN(std::vector<TableIdentifier> tables, ListAllTables(services.catalog));
  for (const TableIdentifier& id : tables) {
    if (id == self) continue;
    Result<TablePointer> pointer = services.catalog->LoadTable(id);
    if (!pointer.ok()) continue;  // dropped meanwhile
    Result<iceberg::TableMetadata> metadata =
        ReadTableMetadata(services.store, pointer->metadata_location);
    if (!metadata.ok()) {
      // Unknown location: refusing is safer than deleting another table's files.
      return metadata.status().WithContext("reading table " + id.ToString() +
                                           " to protect its files");
    }
    out.push_back(metadata->location);
  }
  return out;
}

Result<RunReport> RemoveOrphans(Table* table, const OrphanOptions& options, Logger* logger) {
  const Clock& clock = *table->services().clock;
  ObjectStore* store = table->services().store;
  const RunMeter meter(&clock);
  RunReport report;
  report.table = table->identifier().ToString();
  report.action = "remove-orphans";
  report.dry_run = options.dry_run;
  if (options.older_than_ms < 0) {
    return Status::InvalidArgument("--older-than must not be negative");
  }

  // List first, then read what the table references: a file committed between the two steps is
  // young, and the age window protects it.
  FLOE_RETURN_IF_ERROR(table->Refresh());
  const std::string prefix = FolderPrefix(table->metadata().location);
  if (options.progress) options.progress({"listing", 0, 0});
  FLOE_ASSIGN_OR_RETURN(std::vector<ObjectInfo> listed, store->List(prefix));
  const auto listed_count = static_cast<int64_t>(listed.size());
  if (options.progress) options.progress({"listing", listed_count, listed_count});
  FLOE_RETURN_IF_ERROR(table->Refresh());
  const iceberg::TableMetadata& m = table->metadata();

  std::set<std::string> referenced;
  referenced.insert(CanonicalLocation(table->metadata_location()));
  for (const iceberg::MetadataLogEntry& entry : m.metadata_log) {
    referenced.insert(CanonicalLocation(entry.metadata_file));
  }
  AddStatisticsPaths(m.statistics_json, &referenced);
  AddStatisticsPaths(m.partition_statistics_json, &referenced);
  std::vector<const iceberg::Snapshot*> snapshots;
  for (const iceberg::Snapshot& s : m.snapshots) snapshots.push_back(&s);
  ManifestCache cache(store, iceberg::ColumnStatsSelection::None());
  if (options.tolerate_unreadable_manifests && !options.dry_run) {
    return Status::InvalidArgument("orphans are deleted only when every manifest is readable");
  }
  std::vector<std::string> unreadable;
  if (options.progress) options.progress({"reading manifests", 0, 0});
  FLOE_ASSIGN_OR_RETURN(
      ReachableFiles reachable,
      CollectReachable(snapshots, &cache,
                       options.tolerate_unreadable_manifests ? &unreadable : nullptr));
  referenced.insert(reachable.manifest_lists.begin(), reachable.manifest_lists.end());
  referenced.insert(reachable.manifests.begin(), reachable.manifests.end());
  referenced.insert(reachable.named_files.begin(), reachable.named_files.end());

  std::vector<std::string> nested;
  for (const std::string& other : options.other_table_locations) {
    std::string other_prefix = FolderPrefix(other);
    // Only tables inside this one matter; a table that contains this one is no threat here.
    if (other_prefix.size() > prefix.size() &&
        other_prefix.compare(0, prefix.size(), prefix) == 0) {
      nested.push_back(other_prefix);
    }
  }

  const int64_t cutoff_micros = (meter.start_ms() - options.older_than_ms) * 1000;
  std::vector<std::string> orphans;
  int64_t orphan_bytes = 0, young = 0, other_tables = 0;
  for (const ObjectInfo& object : listed) {
    const std::string path = CanonicalLocation(object.location);
    if (referenced.count(path)) continue;
    bool other = false;
    for (const std::string& n : nested) other = other || path.compare(0, n.size(), n) == 0;
    if (other) {
      ++other_tables;
      continue;
    }
    if (path.ends_with("/version-hint.text")) continue;  // path catalogs' pointer
    if (object.mtime_micros >= cutoff_micros) {
      ++young;
      continue;
    }
    orphans.push_back(path);
    orphan_bytes += object.size_bytes;
  }

  if (!options.dry_run && !orphans.empty()) {
    Status deleted = DeleteWithProgress(store, orphans, options.progress);
    if (!deleted.ok()) {
      report.status = "partial";
      report.error = deleted.message();
    }
  }
  report.details["orphans"] = orphans;
  report.details["orphan_bytes"] = orphan_bytes;
  report.details["listed"] = static_cast<int64_t>(listed.size());
  report.details["referenced"] = static_cast<int64_t>(referenced.size());
  report.details["too_young"] = young;
  report.details["other_tables"] = other_tables;
  report.details["unreadable_manifests"] = unreadable;
  report.files_in = static_cast<int64_t>(orphans.size());
  report.bytes_in = orphan_bytes;
  if (report.status != "partial") report.status = orphans.empty() ? "noop" : "success";
  if (m.current_snapshot_id) report.snapshot_id = m.current_snapshot_id;
  meter.Finish(&report);
  if (logger) {
    logger->Info("orphans.finish", {{"table", report.table},
                                    {"status", report.status},
                                    {"dry_run", options.dry_run},
                                    {"listed", static_cast<int64_t>(listed.size())},
                                    {"orphans", static_cast<int64_t>(orphans.size())},
                                    {"orphan_bytes", orphan_bytes},
                                    {"too_young", young},
                                    {"duration_ms", report.duration_ms}});
  }
  return report;
}

}  // namespace floe::maintenance
