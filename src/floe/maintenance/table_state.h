#pragma once

// The state of one table as operators watch it (the seed's "file count trends, size
// distribution"): live data files, small files against the compaction threshold, bytes, rows,
// snapshots, manifests, quarantined files and a file-size histogram. The same figures feed
// /metrics (metrics::TableState), GET /admin/status and `floe status`.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "floe/catalog/catalog.h"
#include "floe/common/metrics_floe.h"
#include "floe/common/result.h"
#include "floe/iceberg/table_metadata.h"
#include "floe/io/object_store.h"
#include "floe/maintenance/compaction_options.h"

namespace floe::maintenance {

struct TableHealth {
  metrics::TableState state;
  int64_t delete_files = 0;
  int64_t small_file_limit_bytes = 0;  // files under this size are small (75% of the target)
  bool backlog = false;                // small files > 2 x threshold (the seed's backlog alert)
  bool needs_compaction = false;       // small files >= threshold
  // Counts per bucket of metrics::FileSizeBuckets() upper bounds, plus one for larger files.
  std::vector<int64_t> size_histogram;
  std::optional<int64_t> current_snapshot_id;
  int64_t last_updated_ms = 0;
};

// Every table of the catalog, namespaces walked depth first, sorted within each namespace.
Result<std::vector<TableIdentifier>> ListAllTables(Catalog* catalog);

// Reads the current snapshot's manifests (one pass).
Result<TableHealth> ReadTableHealth(ObjectStore* store, const std::string& table_name,
                                    const iceberg::TableMetadata& metadata,
                                    const CompactionOptions& options);

// {"table", "data_files", "delete_files", "small_files", "small_file_limit_bytes",
//  "compaction_threshold", "needs_compaction", "backlog", "bytes", "records", "snapshots",
//  "manifests", "quarantined_files", "current_snapshot_id", "last_updated",
//  "size_histogram": [{"le": bytes|"+Inf", "files": n}]}
nlohmann::json TableHealthToJson(const TableHealth& health);

}  // namespace floe::maintenance
