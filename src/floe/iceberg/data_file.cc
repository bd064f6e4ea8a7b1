#include "floe/iceberg/data_file.h"

#include <cctype>
#include <set>
#include <utility>

namespace floe::iceberg {

std::string_view FileFormatName(FileFormat format) {
  switch (format) {
    case FileFormat::kParquet: return "PARQUET";
    case FileFormat::kAvro: return "AVRO";
    case FileFormat::kOrc: return "ORC";
    case FileFormat::kPuffin: return "PUFFIN";
  }
  return "PARQUET";
}

Result<FileFormat> ParseFileFormat(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "PARQUET") return FileFormat::kParquet;
  if (upper == "AVRO") return FileFormat::kAvro;
  if (upper == "ORC") return FileFormat::kOrc;
  if (upper == "PUFFIN") return FileFormat::kPuffin;
  return Status::InvalidArgument("unknown file format \"" + std::string(name) + "\"");
}

parquet::PhysicalType ParquetPhysicalType(const Type& type) {
  using parquet::PhysicalType;
  switch (type.id) {
    case TypeId::kBoolean: return PhysicalType::kBoolean;
    case TypeId::kInt:
    case TypeId::kDate: return PhysicalType::kInt32;
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: return PhysicalType::kInt64;
    case TypeId::kFloat: return PhysicalType::kFloat;
    case TypeId::kDouble: return PhysicalType::kDouble;
    case TypeId::kDecimal:
      return type.precision <= 9    ? PhysicalType::kInt32
             : type.precision <= 18 ? PhysicalType::kInt64
                                    : PhysicalType::kFixedLenByteArray;
    case TypeId::kUuid:
    case TypeId::kFixed: return PhysicalType::kFixedLenByteArray;
    default: return PhysicalType::kByteArray;
  }
}

namespace {

// Ids of the fields below a list or a map: repeated values, for which Java keeps no counts or
// bounds (one value of a row is not one value of the column).
void CollectRepeated(const std::vector<NestedField>& fields, bool repeated,
                     std::set<int32_t>* out) {
  for (const NestedField& f : fields) {
    if (repeated) out->insert(f.id);
    if (f.type.is_nested()) {
      bool below = repeated || f.type.id == TypeId::kList || f.type.id == TypeId::kMap;
      CollectRepeated(f.type.fields, below, out);
    }
  }
}

}  // namespace

Result<DataFile> DataFileFromParquet(std::string path, FileFormat file_format,
                                     const parquet::FileMetrics& metrics,
                                     std::vector<Literal> partition, const Schema& schema) {
  DataFile file;
  file.content = DataFileContent::kData;
  file.file_path = std::move(path);
  file.file_format = file_format;
  file.partition = std::move(partition);
  file.record_count = metrics.record_count;
  file.file_size_in_bytes = metrics.file_size;
  file.split_offsets = metrics.split_offsets;
  std::set<int32_t> repeated;
  CollectRepeated(schema.fields(), false, &repeated);
  for (size_t i = 0; i < metrics.columns.size(); ++i) {
    const parquet::ColumnMetrics& c = metrics.columns[i];
    const NestedField* field = schema.FindFieldById(c.field_id);
    if (field == nullptr) {
      return Status::InvalidArgument(file.file_path + ": metrics of column " + std::to_string(i) +
                                     " name field id " + std::to_string(c.field_id) +
                                     ", which is not in schema " +
                                     std::to_string(schema.schema_id()));
    }
    file.column_sizes[c.field_id] = c.compressed_size;
    if (repeated.count(c.field_id) > 0 || !field->type.is_primitive()) continue;
    file.value_counts[c.field_id] = c.value_count;
    file.null_value_counts[c.field_id] = c.null_count;
    if (field->type.id == TypeId::kFloat || field->type.id == TypeId::kDouble) {
      file.nan_value_counts[c.field_id] = c.nan_count;
    }
    auto bound = [&](const std::optional<std::string>& plain, const char* which,
                     std::map<int32_t, std::string>* out) -> Status {
      if (!plain) return Status::OK();
      Result<std::string> v =
          ParquetBoundToIceberg(field->type, ParquetPhysicalType(field->type), *plain);
      if (!v.ok()) {
        return v.status().WithContext(file.file_path + ": " + which + " bound of field " +
                                      std::to_string(c.field_id) + " (" + field->name + ")");
      }
      (*out)[c.field_id] = std::move(*v);
      return Status::OK();
    };
    FLOE_RETURN_IF_ERROR(bound(c.lower_bound, "lower", &file.lower_bounds));
    FLOE_RETURN_IF_ERROR(bound(c.upper_bound, "upper", &file.upper_bounds));
  }
  return file;
}

}  // namespace floe::iceberg
