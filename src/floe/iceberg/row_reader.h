#pragma once

// Reading the rows of a planned scan (scan.h) from Parquet data files: columns found by field id
// (files without ids: through the table's name mapping, "schema.name-mapping.default"), columns
// a file lacks filled from its identity partition value, the column's initial default, or null;
// int read as long and float as double where the table's type was widened; position and equality
// deletes applied; the scan's filter applied to every row.
//
//   ScanRowReader reader(metadata, plan, store, resolve);
//   FLOE_RETURN_IF_ERROR(reader.ForEachRow([&](const std::vector<Literal>& row) {
//     ...; return true;  // false stops the scan
//   }));
//
// A row holds one value per top-level field of plan.schema, in order. Nested columns (struct,
// list, map) are not read: their values are null.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "floe/common/result.h"
#include "floe/iceberg/evaluator.h"
#include "floe/iceberg/name_mapping.h"
#include "floe/iceberg/scan.h"
#include "floe/iceberg/table_metadata.h"
#include "floe/io/object_store.h"

namespace floe::iceberg {

class ScanRowReader {
 public:
  // None of the arguments is copied; all must outlive the reader.
  ScanRowReader(const TableMetadata& metadata, const ScanPlan& plan, ObjectStore* store);
  ~ScanRowReader();

  // Calls `on_row` for every row that survives deletes and the filter, file by file in plan
  // order; stops early when it returns false.
  Status ForEachRow(const std::function<bool(const std::vector<Literal>&)>& on_row);

  // The number of such rows. Files without deletes are counted from their record counts when the
  // filter cannot reject rows of that file (its metrics or partition prove every row matches is
  // not attempted: only an always-true filter counts without reading).
  Result<int64_t> CountRows();

 private:
  struct PositionDeletes;  // data file path → deleted row positions
  struct EqualityDeletes;  // equality field ids and the deleted key tuples

  // `needed[i]`: row position i is read (others stay null); empty: all.
  Status ReadFile(const FileScanTask& task, const std::vector<bool>& needed,
                  const std::function<bool(const std::vector<Literal>&)>& on_row, bool* stop);
  Result<const PositionDeletes*> LoadPositionDeletes(size_t index);
  Result<const EqualityDeletes*> LoadEqualityDeletes(size_t index);
  Status LoadNameMapping();

  const TableMetadata& metadata_;
  const ScanPlan& plan_;
  ObjectStore* store_;
  std::vector<int32_t> field_ids_;  // per row position
  RowEvaluator filter_;
  std::optional<NameMapping> name_mapping_;
  bool name_mapping_loaded_ = false;
  std::map<size_t, std::unique_ptr<PositionDeletes>> position_deletes_;
  std::map<size_t, std::unique_ptr<EqualityDeletes>> equality_deletes_;
};

}  // namespace floe::iceberg
