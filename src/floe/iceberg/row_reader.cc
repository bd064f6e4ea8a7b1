#include "floe/iceberg/row_reader.h"

#include <algorithm>
#include <cstring>

#include "floe/iceberg/datetime.h"
#include "floe/iceberg/json_serde.h"
#include "floe/parquet/reader.h"

namespace floe::iceberg {

namespace {

using parquet::ColumnVector;
using parquet::LeafColumn;
using parquet::ParquetReader;
using parquet::PhysicalType;
using parquet::TimeUnit;

// Reserved field ids of position delete files (spec "Position Delete Files").
constexpr int32_t kDeleteFilePathId = 2147483546;
constexpr int32_t kDeletePosId = 2147483545;

// Julian day number of 1970-01-01, for legacy INT96 timestamps.
constexpr int64_t kJulianEpochDay = 2440588;

int64_t ToMicros(int64_t v, TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMillis: return v * 1000;
    case TimeUnit::kMicros: return v;
    case TimeUnit::kNanos: return FloorDiv(v, 1000);
  }
  return v;
}

std::string_view BytesAt(const ColumnVector& c, int64_t i) {
  size_t k = static_cast<size_t>(i);
  return std::string_view(c.bytes).substr(c.offsets[k], c.offsets[k + 1] - c.offsets[k]);
}

// Value `i` (an index into the defined values) of a leaf, as a value of the table's `type`.
Result<Literal> ConvertValue(const LeafColumn& leaf, const ColumnVector& c, int64_t i,
                             const Type& type) {
  const size_t k = static_cast<size_t>(i);
  const PhysicalType p = leaf.physical;
  auto mismatch = [&]() {
    return Status::NotSupported("column '" + parquet::JoinPath(leaf.path) + "' cannot be read as " +
                                type.ToString());
  };
  switch (type.id) {
    case TypeId::kBoolean:
      if (p != PhysicalType::kBoolean) return mismatch();
      return Literal::Boolean(c.bools[k] != 0);
    case TypeId::kInt:
      if (p != PhysicalType::kInt32) return mismatch();
      return Literal::Int(c.i32[k]);
    case TypeId::kLong:
      if (p == PhysicalType::kInt32) return Literal::Long(c.i32[k]);
      if (p != PhysicalType::kInt64) return mismatch();
      return Literal::Long(c.i64[k]);
    case TypeId::kFloat:
      if (p != PhysicalType::kFloat) return mismatch();
      return Literal::Float(c.f32[k]);
    case TypeId::kDouble:
      if (p == PhysicalType::kFloat) return Literal::Double(c.f32[k]);
      if (p != PhysicalType::kDouble) return mismatch();
      return Literal::Double(c.f64[k]);
    case TypeId::kDate:
      if (p != PhysicalType::kInt32) return mismatch();
      return Literal::Date(c.i32[k]);
    case TypeId::kTime:
      if (p == PhysicalType::kInt32) return Literal::Time(ToMicros(c.i32[k], TimeUnit::kMillis));
      if (p != PhysicalType::kInt64) return mismatch();
      return Literal::Time(ToMicros(c.i64[k], leaf.time_unit));
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      int64_t micros = 0;
      if (p == PhysicalType::kInt64) {
        micros = ToMicros(c.i64[k], leaf.time_unit);
      } else if (p == PhysicalType::kInt96) {
        std::string_view b = BytesAt(c, i);
        if (b.size() != 12) return mismatch();
        int64_t nanos_of_day = 0;
        int32_t julian_day = 0;
        std::memcpy(&nanos_of_day, b.data(), 8);
        std::memcpy(&julian_day, b.data() + 8, 4);
        micros = (julian_day - kJulianEpochDay) * kMicrosPerDay + FloorDiv(nanos_of_day, 1000);
      } else {
        return mismatch();
      }
      return type.id == TypeId::kTimestamp ? Literal::Timestamp(micros)
                                           : Literal::TimestampTz(micros);
    }
    case TypeId::kString:
      if (p != PhysicalType::kByteArray) return mismatch();
      return Literal::String(std::string(BytesAt(c, i)));
    case TypeId::kBinary:
      if (p != PhysicalType::kByteArray && p != PhysicalType::kFixedLenByteArray) return mismatch();
      return Literal::Binary(std::string(BytesAt(c, i)));
    case TypeId::kFixed:
      if (p != PhysicalType::kFixedLenByteArray && p != PhysicalType::kByteArray) return mismatch();
      return Literal::Fixed(std::string(BytesAt(c, i)));
    case TypeId::kUuid: {
      std::string_view b = BytesAt(c, i);
      if (b.size() != 16) return mismatch();
      Uuid u;
      std::memcpy(u.bytes.data(), b.data(), 16);
      return Literal::UuidValue(u);
    }
    case TypeId::kDecimal: {
      Int128 unscaled = 0;
      if (p == PhysicalType::kInt32) {
        unscaled = c.i32[k];
      } else if (p == PhysicalType::kInt64) {
        unscaled = c.i64[k];
      } else if (p == PhysicalType::kByteArray || p == PhysicalType::kFixedLenByteArray) {
        std::string_view b = BytesAt(c, i);
        if (b.empty() || b.size() > 16) return mismatch();
        FLOE_ASSIGN_OR_RETURN(unscaled, DecimalFromBytes(ByteView(
                                            reinterpret_cast<const uint8_t*>(b.data()), b.size())));
      } else {
        return mismatch();
      }
      return Literal::Decimal(unscaled, type.precision, type.scale);
    }
    default: return mismatch();
  }
}

// One value per level entry of a flat column (nulls where undefined), appended to `out`.
Status ConvertColumn(const LeafColumn& leaf, const ColumnVector& c, const Type& type,
                     std::vector<Literal>* out) {
  if (leaf.max_rep > 0) {
    return Status::NotSupported("column '" + parquet::JoinPath(leaf.path) + "' is repeated");
  }
  const bool has_levels = leaf.max_def > 0 && !c.def_levels.empty();
  out->reserve(out->size() + static_cast<size_t>(c.num_levels));
  int64_t value = 0;
  for (int64_t r = 0; r < c.num_levels; ++r) {
    if (has_levels && c.def_levels[static_cast<size_t>(r)] != leaf.max_def) {
      out->push_back(Literal::Null(type));
      continue;
    }
    if (value >= c.num_values)
      return Status::Corrupt("column '" + parquet::JoinPath(leaf.path) +
                             "' has fewer values than levels");
    FLOE_ASSIGN_OR_RETURN(Literal v, ConvertValue(leaf, c, value++, type));
    out->push_back(std::move(v));
  }
  return Status::OK();
}

// A value of a narrower type (int partition value of a column widened to long) in `type`.
Literal Promote(const Literal& v, const Type& type) {
  if (v.is_null()) return Literal::Null(type);
  if (v.type().id == type.id) return v;
  if (type.id == TypeId::kLong && v.type().id == TypeId::kInt) return Literal::Long(v.int_value());
  if (type.id == TypeId::kDouble && v.type().id == TypeId::kFloat) {
    return Literal::Double(v.float_value());
  }
  return v;
}

// The leaf of a top-level column `field_id`, or -1. Files without field ids are matched through
// `mapping`.
int FindTopLevelLeaf(const ParquetReader& reader, int32_t field_id, const NameMapping& mapping) {
  const auto& leaves = reader.leaf_columns();
  bool file_has_ids = false;
  for (const LeafColumn& l : leaves) file_has_ids |= l.field_id >= 0;
  for (size_t i = 0; i < leaves.size(); ++i) {
    const LeafColumn& l = leaves[i];
    if (l.path.size() != 1) continue;
    std::optional<int32_t> id =
        file_has_ids ? std::optional<int32_t>(l.field_id) : mapping.FindId(l.path);
    if (id && *id == field_id) return static_cast<int>(i);
  }
  return -1;
}

struct OpenedFile {
  std::unique_ptr<RandomAccessFile> file;
  std::unique_ptr<ParquetReader> reader;
};

Result<OpenedFile> OpenParquet(ObjectStore* store, const std::string& location) {
  OpenedFile f;
  FLOE_ASSIGN_OR_RETURN(f.file, store->OpenRead(location));
  FLOE_ASSIGN_OR_RETURN(f.reader, ParquetReader::Open(f.file.get()));
  return f;
}

}  // namespace

struct ScanRowReader::PositionDeletes {
  std::unordered_map<std::string, std::vector<int64_t>> positions;  // sorted per path
};

struct ScanRowReader::EqualityDeletes {
  std::vector<size_t> slots;  // row positions of the equality fields
  std::unordered_set<std::string> keys;
};

ScanRowReader::ScanRowReader(const TableMetadata& metadata, const ScanPlan& plan,
                             ObjectStore* store)
    : metadata_(metadata),
      plan_(plan),
      store_(store),
      field_ids_([&] {
        std::vector<int32_t> ids;
        for (const NestedField& f : plan.schema.fields()) ids.push_back(f.id);
        return ids;
      }()),
      filter_(plan.filter, field_ids_) {}

ScanRowReader::~ScanRowReader() = default;

Status ScanRowReader::LoadNameMapping() {
  if (name_mapping_loaded_) return Status::OK();
  name_mapping_loaded_ = true;
  auto it = metadata_.properties.find(std::string(kDefaultNameMappingProperty));
  if (it != metadata_.properties.end()) {
    auto parsed = ParseNameMapping(it->second);
    if (!parsed.ok()) return parsed.status();
    name_mapping_ = std::move(*parsed);
  } else {
    // No mapping: files without ids are matched by the schema's current names.
    name_mapping_ = NameMappingFromSchema(plan_.schema);
  }
  return Status::OK();
}

Result<const ScanRowReader::PositionDeletes*> ScanRowReader::LoadPositionDeletes(size_t index) {
  auto it = position_deletes_.find(index);
  if (it != position_deletes_.end()) return it->second.get();
  const DeleteFileEntry& d = plan_.delete_files[index];
  auto result = std::make_unique<PositionDeletes>();
  FLOE_ASSIGN_OR_RETURN(OpenedFile f, OpenParquet(store_, d.location));
  int path_leaf = f.reader->FindLeafByFieldId(kDeleteFilePathId);
  int pos_leaf = f.reader->FindLeafByFieldId(kDeletePosId);
  if (path_leaf < 0) path_leaf = f.reader->FindLeafByPath("file_path");
  if (pos_leaf < 0) pos_leaf = f.reader->FindLeafByPath("pos");
  if (path_leaf < 0 || pos_leaf < 0) {
    return Status::Corrupt("position delete file " + d.location + " has no file_path/pos columns");
  }
  const Type string_type = Type::Primitive(TypeId::kString);
  const Type long_type = Type::Primitive(TypeId::kLong);
  parquet::RowBatch batch;
  for (int rg = 0; rg < f.reader->num_row_groups(); ++rg) {
    FLOE_RETURN_IF_ERROR(f.reader->ReadRowGroup(rg, {path_leaf, pos_leaf}, &batch));
    std::vector<Literal> paths, positions;
    const auto& leaves = f.reader->leaf_columns();
    FLOE_RETURN_IF_ERROR(ConvertColumn(leaves[path_leaf], batch.columns[0], string_type, &paths)
                             .WithContext(d.location));
    FLOE_RETURN_IF_ERROR(ConvertColumn(leaves[pos_leaf], batch.columns[1], long_type, &positions)
                             .WithContext(d.location));
    for (size_t r = 0; r < paths.size() && r < positions.size(); ++r) {
      if (paths[r].is_null() || positions[r].is_null()) continue;
      result->positions[paths[r].bytes_value()].push_back(positions[r].long_value());
    }
  }
  for (auto& [path, list] : result->positions) std::sort(list.begin(), list.end());
  const PositionDeletes* raw = result.get();
  position_deletes_.emplace(index, std::move(result));
  return raw;
}

Result<const ScanRowReader::EqualityDeletes*> ScanRowReader::LoadEqualityDeletes(size_t index) {
  auto it = equality_deletes_.find(index);
  if (it != equality_deletes_.end()) return it->second.get();
  const DeleteFileEntry& d = plan_.delete_files[index];
  FLOE_RETURN_IF_ERROR(LoadNameMapping());
  auto result = std::make_unique<EqualityDeletes>();
  FLOE_ASSIGN_OR_RETURN(OpenedFile f, OpenParquet(store_, d.location));
  std::vector<int> leaves;
  std::vector<Type> types;
  for (int32_t id : d.file.equality_ids) {
    auto pos = std::find(field_ids_.begin(), field_ids_.end(), id);
    const NestedField* field = plan_.schema.FindFieldById(id);
    if (pos == field_ids_.end() || !field || !field->type.is_primitive()) {
      return Status::NotSupported("equality delete file " + d.location + " deletes by field " +
                                  std::to_string(id) + ", which is not a top-level column");
    }
    int leaf = FindTopLevelLeaf(*f.reader, id, *name_mapping_);
    if (leaf < 0) {
      return Status::Corrupt("equality delete file " + d.location + " lacks the column of field " +
                             std::to_string(id));
    }
    result->slots.push_back(static_cast<size_t>(pos - field_ids_.begin()));
    leaves.push_back(leaf);
    types.push_back(field->type);
  }
  parquet::RowBatch batch;
  for (int rg = 0; rg < f.reader->num_row_groups(); ++rg) {
    FLOE_RETURN_IF_ERROR(f.reader->ReadRowGroup(rg, leaves, &batch));
    std::vector<std::vector<Literal>> columns(leaves.size());
    for (size_t c = 0; c < leaves.size(); ++c) {
      FLOE_RETURN_IF_ERROR(ConvertColumn(f.reader->leaf_columns()[leaves[c]], batch.columns[c],
                                         types[c], &columns[c])
                               .WithContext(d.location));
    }
    const size_t rows = columns.empty() ? 0 : columns[0].size();
    std::vector<Literal> key(leaves.size());
    for (size_t r = 0; r < rows; ++r) {
      for (size_t c = 0; c < leaves.size(); ++c) key[c] = columns[c][r];
      result->keys.insert(PartitionKey(0, key));
    }
  }
  const EqualityDeletes* raw = result.get();
  equality_deletes_.emplace(index, std::move(result));
  return raw;
}

Status ScanRowReader::ReadFile(const FileScanTask& task, const std::vector<bool>& needed,
                               const std::function<bool(const std::vector<Literal>&)>& on_row,
                               bool* stop) {
  FLOE_RETURN_IF_ERROR(LoadNameMapping());
  // Deletes first: they are small and may be shared by many files.
  std::vector<int64_t> deleted;
  std::vector<const EqualityDeletes*> equality;
  for (size_t i : task.deletes) {
    const DeleteFileEntry& d = plan_.delete_files[i];
    if (d.file.content == DataFileContent::kPositionDeletes) {
      FLOE_ASSIGN_OR_RETURN(const PositionDeletes* p, LoadPositionDeletes(i));
      auto it = p->positions.find(task.file.file_path);
      if (it != p->positions.end())
        deleted.insert(deleted.end(), it->second.begin(), it->second.end());
    } else {
      FLOE_ASSIGN_OR_RETURN(const EqualityDeletes* e, LoadEqualityDeletes(i));
      equality.push_back(e);
    }
  }
  std::sort(deleted.begin(), deleted.end());

  FLOE_ASSIGN_OR_RETURN(OpenedFile f, OpenParquet(store_, task.location));
  const auto& fields = plan_.schema.fields();
  const PartitionSpec* spec = metadata_.SpecById(task.spec_id);
  // Per row position: the leaf to read, or the constant that fills a column the file lacks.
  std::vector<int> leaf_of(fields.size(), -1);
  std::vector<Literal> constant(fields.size());
  std::vector<int> leaves;
  std::vector<size_t> leaf_slot;
  for (size_t i = 0; i < fields.size(); ++i) {
    const NestedField& field = fields[i];
    constant[i] = Literal::Null(field.type);
    if (!field.type.is_primitive() || (!needed.empty() && !needed[i])) continue;
    int leaf = FindTopLevelLeaf(*f.reader, field.id, *name_mapping_);
    if (leaf >= 0) {
      leaf_of[i] = leaf;
      leaves.push_back(leaf);
      leaf_slot.push_back(i);
      continue;
    }
    bool filled = false;
    if (spec) {
      for (size_t k = 0; k < spec->fields.size() && k < task.file.partition.size(); ++k) {
        const PartitionField& pf = spec->fields[k];
        if (pf.source_id == field.id && pf.transform.kind() == TransformKind::kIdentity) {
          constant[i] = Promote(task.file.partition[k], field.type);
          filled = true;
          break;
        }
      }
    }
    if (!filled && field.initial_default_json) {
      auto json = json_util::Parse(*field.initial_default_json, field.name);
      if (json.ok()) {
        auto v = LiteralFromJson(field.type, *json, "initial-default of " + field.name);
        if (v.ok()) constant[i] = std::move(*v);
      }
    }
  }

  parquet::RowBatch batch;
  std::vector<std::vector<Literal>> columns(fields.size());
  std::vector<Literal> row(fields.size());
  std::vector<Literal> key;
  int64_t base = 0;
  size_t next_deleted = 0;
  for (int rg = 0; rg < f.reader->num_row_groups() && !*stop; ++rg) {
    const int64_t rows = f.reader->row_group_num_rows(rg);
    FLOE_RETURN_IF_ERROR(f.reader->ReadRowGroup(rg, leaves, &batch));
    for (size_t c = 0; c < leaves.size(); ++c) {
      std::vector<Literal>& out = columns[leaf_slot[c]];
      out.clear();
      FLOE_RETURN_IF_ERROR(ConvertColumn(f.reader->leaf_columns()[leaves[c]], batch.columns[c],
                                         fields[leaf_slot[c]].type, &out)
                               .WithContext(task.location));
      if (static_cast<int64_t>(out.size()) != rows) {
        return Status::Corrupt(task.location + ": row group " + std::to_string(rg) + " column '" +
                               fields[leaf_slot[c]].name + "' has " + std::to_string(out.size()) +
                               " values for " + std::to_string(rows) + " rows");
      }
    }
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t pos = base + r;
      while (next_deleted < deleted.size() && deleted[next_deleted] < pos) ++next_deleted;
      if (next_deleted < deleted.size() && deleted[next_deleted] == pos) continue;
      for (size_t i = 0; i < fields.size(); ++i) {
        row[i] = leaf_of[i] >= 0 ? std::move(columns[i][static_cast<size_t>(r)]) : constant[i];
      }
      bool is_deleted = false;
      for (const EqualityDeletes* e : equality) {
        key.resize(e->slots.size());
        for (size_t k = 0; k < e->slots.size(); ++k) key[k] = row[e->slots[k]];
        if (e->keys.count(PartitionKey(0, key))) {
          is_deleted = true;
          break;
        }
      }
      if (is_deleted || !filter_.Matches(row)) continue;
      if (!on_row(row)) {
        *stop = true;
        break;
      }
    }
    base += rows;
  }
  return Status::OK();
}

Status ScanRowReader::ForEachRow(const std::function<bool(const std::vector<Literal>&)>& on_row) {
  bool stop = false;
  for (const FileScanTask& task : plan_.tasks) {
    FLOE_RETURN_IF_ERROR(ReadFile(task, {}, on_row, &stop));
    if (stop) break;
  }
  return Status::OK();
}

Result<int64_t> ScanRowReader::CountRows() {
  int64_t count = 0;
  const bool filter_always_true = plan_.filter.op == ExprOp::kTrue;
  auto counter = [&](const std::vector<Literal>&) {
    ++count;
    return true;
  };
  // Only the columns the filter and the equality deletes compare are read.
  std::vector<int32_t> ids = ReferencedFieldIds(plan_.filter);
  for (const DeleteFileEntry& d : plan_.delete_files) {
    ids.insert(ids.end(), d.file.equality_ids.begin(), d.file.equality_ids.end());
  }
  std::vector<bool> needed(field_ids_.size(), false);
  for (size_t i = 0; i < field_ids_.size(); ++i) {
    needed[i] = std::find(ids.begin(), ids.end(), field_ids_[i]) != ids.end();
  }
  bool stop = false;
  for (const FileScanTask& task : plan_.tasks) {
    if (filter_always_true && task.deletes.empty()) {
      count += task.file.record_count;
      continue;
    }
    FLOE_RETURN_IF_ERROR(ReadFile(task, needed, counter, &stop));
  }
  return count;
}

}  // namespace floe::iceberg
