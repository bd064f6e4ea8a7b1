#include "floe/maintenance/table_state.h"

#include <algorithm>
#include <set>

#include "floe/catalog/snapshot_producer.h"
#include "floe/common/logger.h"
#include "floe/maintenance/compaction_plan.h"
#include "floe/maintenance/compactor.h"

namespace floe::maintenance {

Result<std::vector<TableIdentifier>> ListAllTables(Catalog* catalog) {
  std::vector<TableIdentifier> out;
  std::vector<Namespace> pending = {{}};
  while (!pending.empty()) {
    Namespace ns = std::move(pending.back());
    pending.pop_back();
    FLOE_ASSIGN_OR_RETURN(std::vector<Namespace> children, catalog->ListNamespaces(ns));
    for (auto it = children.rbegin(); it != children.rend(); ++it) pending.push_back(*it);
    if (ns.empty()) continue;
    FLOE_ASSIGN_OR_RETURN(std::vector<TableIdentifier> tables, catalog->ListTables(ns));
    out.insert(out.end(), tables.begin(), tables.end());
  }
  return out;
}

Result<TableHealth> ReadTableHealth(ObjectStore* store, const std::string& table_name,
                                    const iceberg::TableMetadata& metadata,
                                    const CompactionOptions& options) {
  TableHealth h;
  h.state.table = table_name;
  h.state.compaction_threshold = options.threshold;
  h.small_file_limit_bytes = options.min_file_size();
  h.state.snapshots = static_cast<int64_t>(metadata.snapshots.size());
  h.state.quarantined_files = static_cast<int64_t>(ReadQuarantine(metadata.properties).size());
  h.current_snapshot_id = metadata.current_snapshot_id;
  h.last_updated_ms = metadata.last_updated_ms;
  const std::vector<double> bounds = metrics::FileSizeBuckets();
  h.size_histogram.assign(bounds.size() + 1, 0);
  if (const iceberg::Snapshot* current = metadata.CurrentSnapshot()) {
    FLOE_ASSIGN_OR_RETURN(std::vector<iceberg::ManifestFile> manifests,
                          ReadManifestList(store, *current));
    h.state.manifests = static_cast<int64_t>(manifests.size());
  }
  FLOE_ASSIGN_OR_RETURN(TableFiles files, LoadLiveFiles(store, metadata));
  h.delete_files = static_cast<int64_t>(files.delete_files.size());
  for (const LiveFile& live : files.data_files) {
    const int64_t size = live.file.file_size_in_bytes;
    ++h.state.data_files;
    h.state.bytes += size;
    h.state.records += live.file.record_count;
    if (size < h.small_file_limit_bytes) ++h.state.small_files;
    h.state.file_sizes_bytes.push_back(static_cast<double>(size));
    size_t bucket = static_cast<size_t>(
        std::lower_bound(bounds.begin(), bounds.end(), static_cast<double>(size)) - bounds.begin());
    ++h.size_histogram[bucket];
  }
  h.needs_compaction = h.state.small_files >= options.threshold;
  h.backlog = h.state.small_files > 2 * options.threshold;
  return h;
}

nlohmann::json TableHealthToJson(const TableHealth& h) {
  const std::vector<double> bounds = metrics::FileSizeBuckets();
  nlohmann::json histogram = nlohmann::json::array();
  for (size_t i = 0; i < h.size_histogram.size(); ++i) {
    nlohmann::json le = i < bounds.size() ? nlohmann::json(static_cast<int64_t>(bounds[i]))
                                          : nlohmann::json("+Inf");
    histogram.push_back({{"le", le}, {"files", h.size_histogram[i]}});
  }
  return {
      {"table", h.state.table},
      {"data_files", h.state.data_files},
      {"delete_files", h.delete_files},
      {"small_files", h.state.small_files},
      {"small_file_limit_bytes", h.small_file_limit_bytes},
      {"compaction_threshold", h.state.compaction_threshold},
      {"needs_compaction", h.needs_compaction},
      {"backlog", h.backlog},
      {"bytes", h.state.bytes},
      {"records", h.state.records},
      {"snapshots", h.state.snapshots},
      {"manifests", h.state.manifests},
      {"quarantined_files", h.state.quarantined_files},
      {"current_snapshot_id",
       h.current_snapshot_id ? nlohmann::json(*h.current_snapshot_id) : nlohmann::json(nullptr)},
      {"last_updated", FormatTimestampMicros(h.last_updated_ms * 1000)},
      {"size_histogram", histogram},
  };
}

}  // namespace floe::maintenance
