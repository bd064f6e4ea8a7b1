#pragma once

// Scan planning (spec "Scan Planning"): which data files of a snapshot hold rows that might match
// a filter, and which delete files apply to each of them.
//
//   ScanOptions options;
//   options.filter = parsed_expression;           // unbound; bound here to the scan's schema
//   FLOE_ASSIGN_OR_RETURN(ScanPlan plan, PlanScan(metadata, store, options));
//   for (const FileScanTask& task : plan.tasks) ...   // task.deletes index plan.delete_files
//
// Manifests are skipped by their partition summaries, files by their partition values (the
// filter projected through each spec's transforms) and then by their column metrics. Delete files
// apply by the sequence-number rules: a position delete to data files of the same partition (or
// the one file it references) with a data sequence number ≤ its own; an equality delete to data
// files of the same partition, or of every partition when its spec is unpartitioned, with a data
// sequence number < its own.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/common/result.h"
#include "floe/iceberg/data_file.h"
#include "floe/iceberg/expression.h"
#include "floe/iceberg/table_metadata.h"
#include "floe/io/object_store.h"

namespace floe::iceberg {

// Turns a path written in metadata (manifest list, manifest, data file) into the location to read.
// Identity for tables at home; a relocating one for tables copied elsewhere (catalog/static_table).
using PathResolver = std::function<Result<std::string>(std::string_view path)>;

struct ScanOptions {
  // At most one of these; none: the current snapshot.
  std::optional<int64_t> snapshot_id;
  std::optional<int64_t> as_of_timestamp_ms;  // the snapshot current at that time
  Expression filter = Expression::True();     // bound or unbound
  PathResolver resolve_path;                  // unset: paths are read as written
};

// A delete file as the plan uses it.
struct DeleteFileEntry {
  DataFile file;         // without column metrics
  std::string location;  // resolved
  int64_t data_sequence_number = 0;
  int32_t spec_id = 0;
};

struct FileScanTask {
  DataFile file;         // with the metrics of the filter's columns only (no others are read)
  std::string location;  // resolved
  int64_t data_sequence_number = 0;
  int32_t spec_id = 0;
  std::vector<size_t> deletes;  // indexes into ScanPlan::delete_files
};

struct ScanStats {
  int64_t manifests = 0;
  int64_t manifests_skipped = 0;  // by partition summaries (or holding no live file)
  int64_t data_files = 0;         // live data files in the manifests read
  int64_t files_skipped_by_partition = 0;
  int64_t files_skipped_by_metrics = 0;
  int64_t delete_files = 0;
};

struct ScanPlan {
  std::optional<Snapshot> snapshot;  // none: the table has no snapshot (nothing to read)
  Schema schema;                     // the schema rows are read in
  Expression filter;                 // bound to `schema`
  std::vector<FileScanTask> tasks;
  std::vector<DeleteFileEntry> delete_files;
  ScanStats stats;
};

// The snapshot a scan reads: by id, as of a time (the last one that became current at or before
// it, by the snapshot log, else by ancestry of the current one), or the current one (nullptr when
// the table has none). kNotFound names the id or time.
Result<const Snapshot*> SelectSnapshot(const TableMetadata& metadata,
                                       std::optional<int64_t> snapshot_id,
                                       std::optional<int64_t> as_of_timestamp_ms);

// Plans a scan of `metadata` reading manifests through `store`.
Result<ScanPlan> PlanScan(const TableMetadata& metadata, ObjectStore* store,
                          const ScanOptions& options);

// A byte string equal for equal partition tuples (for grouping files by partition).
std::string PartitionKey(int32_t spec_id, const std::vector<Literal>& partition);

}  // namespace floe::iceberg
