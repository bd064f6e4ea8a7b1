#include "floe/iceberg/manifest.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include "floe/iceberg/json_serde.h"

namespace floe::iceberg {

using avro::Json;

namespace {

// Highest decimal precision that fits in n bytes, n = 1..16 (two's complement).
constexpr int kMaxPrecisionOfBytes[16] = {2,  4,  6,  9,  11, 14, 16, 18,
                                          21, 23, 26, 28, 31, 33, 35, 38};

int DecimalBytes(int precision) {
  for (int n = 0; n < 16; ++n) {
    if (precision <= kMaxPrecisionOfBytes[n]) return n + 1;
  }
  return 16;
}

// Java's AvroSchemaUtil.makeCompatibleName: invalid characters become "_x" + upper hex, a
// leading digit gets "_" in front.
std::string AvroCompatibleName(const std::string& name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    bool letter = std::isalpha(c) || c == '_';
    if (letter || (i > 0 && std::isdigit(c))) {
      out.push_back(static_cast<char>(c));
    } else if (i == 0 && std::isdigit(c)) {
      out += "_";
      out.push_back(static_cast<char>(c));
    } else {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "_x%X", c);
      out += hex;
    }
  }
  return out;
}

Json AvroField(std::string_view name, Json type, int32_t id, const char* doc, bool optional) {
  Json f = Json::object();
  f["name"] = name;
  f["type"] = optional ? Json::array({"null", std::move(type)}) : std::move(type);
  if (doc != nullptr) f["doc"] = doc;
  if (optional) f["default"] = nullptr;
  f["field-id"] = id;
  return f;
}

// Iceberg's map<int, V> in Avro: an array of key/value records, logical type "map".
Json IntKeyMap(int32_t key_id, int32_t value_id, const char* value_type) {
  Json key = {{"name", "key"}, {"type", "int"}, {"field-id", key_id}};
  Json value = {{"name", "value"}, {"type", value_type}, {"field-id", value_id}};
  Json record = {{"type", "record"},
                 {"name", "k" + std::to_string(key_id) + "_v" + std::to_string(value_id)},
                 {"fields", Json::array({key, value})}};
  return Json{{"type", "array"}, {"items", record}, {"logicalType", "map"}};
}

Json ListOf(int32_t element_id, const char* item_type) {
  return Json{{"type", "array"}, {"items", item_type}, {"element-id", element_id}};
}

}  // namespace

Result<Json> AvroTypeJson(const Type& type, std::vector<std::string>* defined) {
  auto named = [&](const std::string& name, Json def) -> Json {
    if (std::find(defined->begin(), defined->end(), name) != defined->end()) return name;
    defined->push_back(name);
    return def;
  };
  switch (type.id) {
    case TypeId::kBoolean: return Json("boolean");
    case TypeId::kInt: return Json("int");
    case TypeId::kLong: return Json("long");
    case TypeId::kFloat: return Json("float");
    case TypeId::kDouble: return Json("double");
    case TypeId::kDate: return Json{{"type", "int"}, {"logicalType", "date"}};
    case TypeId::kTime: return Json{{"type", "long"}, {"logicalType", "time-micros"}};
    case TypeId::kTimestamp:
      return Json{{"type", "long"}, {"logicalType", "timestamp-micros"}, {"adjust-to-utc", false}};
    case TypeId::kTimestampTz:
      return Json{{"type", "long"}, {"logicalType", "timestamp-micros"}, {"adjust-to-utc", true}};
    case TypeId::kString: return Json("string");
    case TypeId::kBinary: return Json("bytes");
    case TypeId::kUuid:
      return named(
          "uuid_fixed",
          Json{{"type", "fixed"}, {"name", "uuid_fixed"}, {"size", 16}, {"logicalType", "uuid"}});
    case TypeId::kFixed: {
      std::string name = "fixed_" + std::to_string(type.length);
      return named(name, Json{{"type", "fixed"}, {"name", name}, {"size", type.length}});
    }
    case TypeId::kDecimal: {
      std::string name =
          "decimal_" + std::to_string(type.precision) + "_" + std::to_string(type.scale);
      return named(name, Json{{"type", "fixed"},
                              {"name", name},
                              {"size", DecimalBytes(type.precision)},
                              {"logicalType", "decimal"},
                              {"precision", type.precision},
                              {"scale", type.scale}});
    }
    default: return Status::NotSupported("no Avro form for partition type " + type.ToString());
  }
}

Result<avro::Value> LiteralToAvro(const Literal& value) {
  if (value.is_null()) return avro::Value::Null();
  const Type& type = value.type();
  switch (type.id) {
    case TypeId::kBoolean: return avro::Value::Boolean(value.bool_value());
    case TypeId::kInt:
    case TypeId::kDate: return avro::Value::Int(value.int_value());
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: return avro::Value::Long(value.long_value());
    case TypeId::kFloat: return avro::Value::Float(value.float_value());
    case TypeId::kDouble: return avro::Value::Double(value.double_value());
    case TypeId::kString: return avro::Value::String(value.bytes_value());
    case TypeId::kBinary: return avro::Value::Bytes(value.bytes_value());
    case TypeId::kFixed: return avro::Value::Fixed(value.bytes_value());
    case TypeId::kUuid: {
      const auto& b = value.uuid_value().bytes;
      return avro::Value::Fixed(std::string(b.begin(), b.end()));
    }
    case TypeId::kDecimal: {
      int n = DecimalBytes(type.precision);
      std::string bytes(static_cast<size_t>(n), '\0');
      Int128 v = value.decimal_unscaled();
      for (int i = 0; i < n; ++i) {
        bytes[static_cast<size_t>(n - 1 - i)] = static_cast<char>(static_cast<uint8_t>(v & 0xff));
        v >>= 8;  // arithmetic: sign-extends into the leading bytes
      }
      return avro::Value::Fixed(std::move(bytes));
    }
    default: return Status::NotSupported("no Avro form for a value of " + type.ToString());
  }
}

Result<Literal> LiteralFromAvro(const Type& type, const avro::Value& v) {
  if (v.is_null()) return Literal::Null(type);
  auto expect = [&](bool ok) -> Status {
    if (ok) return Status::OK();
    return Status::Corrupt("an Avro " + std::string(avro::TypeName(v.type())) +
                           " cannot be a value of " + type.ToString());
  };
  bool integral = v.type() == avro::Type::kInt || v.type() == avro::Type::kLong;
  bool textual = v.type() == avro::Type::kString || v.type() == avro::Type::kBytes ||
                 v.type() == avro::Type::kFixed;
  switch (type.id) {
    case TypeId::kBoolean:
      FLOE_RETURN_IF_ERROR(expect(v.type() == avro::Type::kBoolean));
      return Literal::Boolean(v.boolean_value());
    case TypeId::kInt:
      FLOE_RETURN_IF_ERROR(expect(v.type() == avro::Type::kInt));
      return Literal::Int(v.int_value());
    case TypeId::kDate:
      FLOE_RETURN_IF_ERROR(expect(v.type() == avro::Type::kInt));
      return Literal::Date(v.int_value());
    case TypeId::kLong:
      FLOE_RETURN_IF_ERROR(expect(integral));
      return Literal::Long(v.long_value());
    case TypeId::kTime:
      FLOE_RETURN_IF_ERROR(expect(integral));
      return Literal::Time(v.long_value());
    case TypeId::kTimestamp:
      FLOE_RETURN_IF_ERROR(expect(integral));
      return Literal::Timestamp(v.long_value());
    case TypeId::kTimestampTz:
      FLOE_RETURN_IF_ERROR(expect(integral));
      return Literal::TimestampTz(v.long_value());
    case TypeId::kFloat:
      FLOE_RETURN_IF_ERROR(expect(v.type() == avro::Type::kFloat));
      return Literal::Float(v.float_value());
    case TypeId::kDouble:
      FLOE_RETURN_IF_ERROR(
          expect(v.type() == avro::Type::kFloat || v.type() == avro::Type::kDouble));
      return Literal::Double(v.double_value());
    case TypeId::kString: FLOE_RETURN_IF_ERROR(expect(textual)); return Literal::String(v.bytes());
    case TypeId::kBinary: FLOE_RETURN_IF_ERROR(expect(textual)); return Literal::Binary(v.bytes());
    case TypeId::kFixed:
      FLOE_RETURN_IF_ERROR(expect(textual));
      if (static_cast<int64_t>(v.bytes().size()) != type.length) {
        return Status::Corrupt(std::to_string(v.bytes().size()) + " bytes for " + type.ToString());
      }
      return Literal::Fixed(v.bytes());
    case TypeId::kUuid: {
      FLOE_RETURN_IF_ERROR(expect(textual));
      if (v.bytes().size() != 16) {
        return Status::Corrupt(std::to_string(v.bytes().size()) + " bytes for a uuid");
      }
      Uuid u;
      std::copy(v.bytes().begin(), v.bytes().end(), u.bytes.begin());
      return Literal::UuidValue(u);
    }
    case TypeId::kDecimal: {
      FLOE_RETURN_IF_ERROR(expect(textual));
      const std::string& b = v.bytes();
      FLOE_ASSIGN_OR_RETURN(
          Int128 unscaled,
          DecimalFromBytes(ByteView(reinterpret_cast<const uint8_t*>(b.data()), b.size())));
      return Literal::Decimal(unscaled, type.precision, type.scale);
    }
    default: return Status::NotSupported("no Avro form for a value of " + type.ToString());
  }
}

Result<avro::Schema> ManifestEntryAvroSchema(const Type& partition_type) {
  std::vector<std::string> defined;
  Json partition_fields = Json::array();
  for (const NestedField& f : partition_type.fields) {
    FLOE_ASSIGN_OR_RETURN(Json t, AvroTypeJson(f.type, &defined));
    std::string name = AvroCompatibleName(f.name);
    Json field = Json::object();
    field["name"] = name;
    field["type"] = Json::array({"null", std::move(t)});
    field["default"] = nullptr;
    field["field-id"] = f.id;
    if (name != f.name) field["iceberg-field-name"] = f.name;
    partition_fields.push_back(std::move(field));
  }
  Json partition = {{"type", "record"}, {"name", "r102"}, {"fields", partition_fields}};

  Json content =
      AvroField("content", "int", 134,
                "Contents of the file: 0=data, 1=position deletes, 2=equality deletes", false);
  Json data_file_fields = Json::array({
      content,
      AvroField("file_path", "string", 100, "Location URI with FS scheme", false),
      AvroField("file_format", "string", 101, "File format name: avro, orc, or parquet", false),
      AvroField("partition", partition, 102,
                "Partition data tuple, schema based on the partition spec", false),
      AvroField("record_count", "long", 103, "Number of records in the file", false),
      AvroField("file_size_in_bytes", "long", 104, "Total file size in bytes", false),
      AvroField("column_sizes", IntKeyMap(117, 118, "long"), 108,
                "Map of column id to total size on disk", true),
      AvroField("value_counts", IntKeyMap(119, 120, "long"), 109,
                "Map of column id to total count, including null and NaN", true),
      AvroField("null_value_counts", IntKeyMap(121, 122, "long"), 110,
                "Map of column id to null value count", true),
      AvroField("nan_value_counts", IntKeyMap(138, 139, "long"), 137,
                "Map of column id to number of NaN values in the column", true),
      AvroField("lower_bounds", IntKeyMap(126, 127, "bytes"), 125,
                "Map of column id to lower bound", true),
      AvroField("upper_bounds", IntKeyMap(129, 130, "bytes"), 128,
                "Map of column id to upper bound", true),
      AvroField("key_metadata", "bytes", 131, "Encryption key metadata blob", true),
      AvroField("split_offsets", ListOf(133, "long"), 132, "Splittable offsets", true),
      AvroField("equality_ids", ListOf(136, "int"), 135, "Equality comparison field IDs", true),
      AvroField("sort_order_id", "int", 140, "Sort order ID", true),
      AvroField("referenced_data_file", "string", 143,
                "Fully qualified location (URI with FS scheme) of a data file that all deletes "
                "reference",
                true),
  });
  Json data_file = {{"type", "record"}, {"name", "r2"}, {"fields", data_file_fields}};
  Json entry = {{"type", "record"},
                {"name", "manifest_entry"},
                {"fields", Json::array({
                               AvroField("status", "int", 0, nullptr, false),
                               AvroField("snapshot_id", "long", 1, nullptr, true),
                               AvroField("sequence_number", "long", 3, nullptr, true),
                               AvroField("file_sequence_number", "long", 4, nullptr, true),
                               AvroField("data_file", data_file, 2, nullptr, false),
                           })}};
  return avro::Schema::FromJson(entry);
}

// ---------------------------------------------------------------------------------------------
// Writer

namespace {

template <typename V>
avro::Value IntMapToAvro(const avro::Schema& schema, const char* record_name,
                         const std::map<int32_t, V>& map) {
  if (map.empty()) return avro::Value::Null();
  avro::NodeRef kv = schema.Share(schema.FindNamed(record_name));
  std::vector<avro::Value> items;
  items.reserve(map.size());
  for (const auto& [k, v] : map) {
    avro::Value value;
    if constexpr (std::is_same_v<V, std::string>) {
      value = avro::Value::Bytes(v);
    } else {
      value = avro::Value::Long(v);
    }
    items.push_back(avro::Value::Record(kv, {avro::Value::Int(k), std::move(value)}));
  }
  return avro::Value::Array(std::move(items));
}

std::string StatusName(ManifestEntryStatus s) {
  switch (s) {
    case ManifestEntryStatus::kExisting: return "EXISTING";
    case ManifestEntryStatus::kAdded: return "ADDED";
    case ManifestEntryStatus::kDeleted: return "DELETED";
  }
  return "?";
}

}  // namespace

Result<std::unique_ptr<ManifestWriter>> ManifestWriter::Make(OutputStream* out,
                                                             const Schema& schema,
                                                             const PartitionSpec& spec,
                                                             const avro::RandomSource& random,
                                                             ManifestWriterOptions options) {
  if (options.format_version != 2) {
    return Status::NotSupported("manifest writer: format version " +
                                std::to_string(options.format_version) + " (only 2 is written)");
  }
  if (out == nullptr) return Status::InvalidArgument("manifest writer: no output stream");
  std::unique_ptr<ManifestWriter> w(new ManifestWriter());
  w->out_ = out;
  w->spec_ = spec;
  Result<Type> partition_type = spec.PartitionType(schema);
  if (!partition_type.ok()) {
    return partition_type.status().WithContext("manifest writer " + out->location());
  }
  w->partition_type_ = std::move(*partition_type);
  FLOE_ASSIGN_OR_RETURN(w->avro_schema_, ManifestEntryAvroSchema(w->partition_type_));
  avro::WriterOptions avro_options;
  avro_options.codec = options.codec;
  avro_options.compression_level = options.compression_level;
  avro_options.metadata = {
      {"schema", SchemaToJsonString(schema)},
      {"schema-id", std::to_string(schema.schema_id())},
      {"partition-spec", PartitionFieldsToJson(spec).dump()},
      {"partition-spec-id", std::to_string(spec.spec_id)},
      {"format-version", "2"},
      {"content", options.content == ManifestContent::kData ? "data" : "deletes"},
  };
  FLOE_ASSIGN_OR_RETURN(w->writer_,
                        avro::ContainerWriter::Make(out, w->avro_schema_, random, avro_options));
  w->result_.manifest_path =
      options.manifest_path.empty() ? out->location() : options.manifest_path;
  w->result_.partition_spec_id = spec.spec_id;
  w->result_.content = options.content;
  w->result_.sequence_number = kUnassignedSequenceNumber;
  w->result_.min_sequence_number = kUnassignedSequenceNumber;
  w->result_.added_snapshot_id = options.snapshot_id.value_or(-1);
  w->result_.added_files_count = w->result_.existing_files_count = w->result_.deleted_files_count =
      0;
  w->result_.added_rows_count = w->result_.existing_rows_count = w->result_.deleted_rows_count = 0;
  w->result_.partitions.resize(spec.fields.size());
  w->lower_.resize(spec.fields.size());
  w->upper_.resize(spec.fields.size());
  w->options_ = std::move(options);
  return w;
}

Status ManifestWriter::Add(const DataFile& file) {
  ManifestEntry e;
  e.status = ManifestEntryStatus::kAdded;
  e.snapshot_id = options_.snapshot_id;
  e.data_file = file;
  return Append(e);
}

Status ManifestWriter::AddWithDataSequenceNumber(const DataFile& file,
                                                 int64_t data_sequence_number) {
  ManifestEntry e;
  e.status = ManifestEntryStatus::kAdded;
  e.snapshot_id = options_.snapshot_id;
  e.sequence_number = data_sequence_number;
  e.data_file = file;
  return Append(e);
}

Status ManifestWriter::Existing(const DataFile& file, int64_t snapshot_id,
                                int64_t data_sequence_number, int64_t file_sequence_number) {
  ManifestEntry e;
  e.status = ManifestEntryStatus::kExisting;
  e.snapshot_id = snapshot_id;
  e.sequence_number = data_sequence_number;
  e.file_sequence_number = file_sequence_number;
  e.data_file = file;
  return Append(e);
}

Status ManifestWriter::Delete(const DataFile& file, int64_t data_sequence_number,
                              int64_t file_sequence_number) {
  ManifestEntry e;
  e.status = ManifestEntryStatus::kDeleted;
  e.snapshot_id = options_.snapshot_id;
  e.sequence_number = data_sequence_number;
  e.file_sequence_number = file_sequence_number;
  e.data_file = file;
  return Append(e);
}

Status ManifestWriter::UpdateSummaries(const DataFile& file) {
  for (size_t i = 0; i < file.partition.size(); ++i) {
    const Literal& v = file.partition[i];
    PartitionFieldSummary& s = result_.partitions[i];
    TypeId id = partition_type_.fields[i].type.id;
    bool floating = id == TypeId::kFloat || id == TypeId::kDouble;
    if (!s.contains_nan) s.contains_nan = false;  // Java writes false for every type
    if (v.is_null()) {
      s.contains_null = true;
      continue;
    }
    if (floating && std::isnan(id == TypeId::kFloat ? v.float_value() : v.double_value())) {
      s.contains_nan = true;
      continue;
    }
    if (!lower_[i] || *CompareLiterals(v, *lower_[i]) < 0) lower_[i] = v;
    if (!upper_[i] || *CompareLiterals(v, *upper_[i]) > 0) upper_[i] = v;
  }
  return Status::OK();
}

Status ManifestWriter::Append(const ManifestEntry& entry) {
  const std::string where = "manifest " + result_.manifest_path + ": entry " +
                            std::to_string(entries_written_) + " (" + entry.data_file.file_path +
                            ")";
  if (closed_) return Status::InvalidArgument(where + ": the writer is closed");
  const DataFile& file = entry.data_file;
  if (entry.status != ManifestEntryStatus::kAdded) {
    if (!entry.sequence_number || !entry.file_sequence_number || !entry.snapshot_id) {
      return Status::InvalidArgument(where + ": " + StatusName(entry.status) +
                                     " entries need a snapshot id and both sequence numbers");
    }
  } else if (entry.file_sequence_number && !entry.sequence_number) {
    return Status::InvalidArgument(where + ": a file sequence number without a data one");
  }
  bool is_data = file.content == DataFileContent::kData;
  if (is_data != (options_.content == ManifestContent::kData)) {
    return Status::InvalidArgument(where + ": a " + (is_data ? "data" : "delete") + " file in a " +
                                   (is_data ? "delete" : "data") + " manifest");
  }
  if (file.content == DataFileContent::kEqualityDeletes && file.equality_ids.empty()) {
    return Status::InvalidArgument(where + ": an equality delete file needs equality_ids");
  }
  if (file.partition.size() != partition_type_.fields.size()) {
    return Status::InvalidArgument(where + ": " + std::to_string(file.partition.size()) +
                                   " partition values for a spec of " +
                                   std::to_string(partition_type_.fields.size()) + " fields");
  }
  std::vector<avro::Value> partition;
  for (size_t i = 0; i < file.partition.size(); ++i) {
    const Literal& v = file.partition[i];
    const NestedField& f = partition_type_.fields[i];
    if (!v.is_null() && !(v.type() == f.type)) {
      return Status::InvalidArgument(where + ": partition field " + f.name + " (" +
                                     std::to_string(f.id) + ") is " + f.type.ToString() +
                                     ", the value " + v.ToString() + " is " + v.type().ToString());
    }
    Result<avro::Value> av = LiteralToAvro(v);
    if (!av.ok()) return av.status().WithContext(where + ": partition field " + f.name);
    partition.push_back(std::move(*av));
  }

  auto opt_long = [](const std::optional<int64_t>& v) {
    return v ? avro::Value::Long(*v) : avro::Value::Null();
  };
  avro::RecordBuilder df(avro_schema_.Share(avro_schema_.FindNamed("r2")));
  df.SetById(134, avro::Value::Int(static_cast<int32_t>(file.content)));
  df.SetById(100, avro::Value::String(file.file_path));
  df.SetById(101, avro::Value::String(std::string(FileFormatName(file.file_format))));
  df.SetById(102, avro::Value::Record(avro_schema_.Share(avro_schema_.FindNamed("r102")),
                                      std::move(partition)));
  df.SetById(103, avro::Value::Long(file.record_count));
  df.SetById(104, avro::Value::Long(file.file_size_in_bytes));
  df.SetById(108, IntMapToAvro(avro_schema_, "k117_v118", file.column_sizes));
  df.SetById(109, IntMapToAvro(avro_schema_, "k119_v120", file.value_counts));
  df.SetById(110, IntMapToAvro(avro_schema_, "k121_v122", file.null_value_counts));
  df.SetById(137, IntMapToAvro(avro_schema_, "k138_v139", file.nan_value_counts));
  df.SetById(125, IntMapToAvro(avro_schema_, "k126_v127", file.lower_bounds));
  df.SetById(128, IntMapToAvro(avro_schema_, "k129_v130", file.upper_bounds));
  df.SetById(131, file.key_metadata ? avro::Value::Bytes(*file.key_metadata) : avro::Value::Null());
  if (file.split_offsets.empty()) {
    df.SetById(132, avro::Value::Null());
  } else {
    std::vector<avro::Value> items;
    for (int64_t o : file.split_offsets) items.push_back(avro::Value::Long(o));
    df.SetById(132, avro::Value::Array(std::move(items)));
  }
  if (file.equality_ids.empty()) {
    df.SetById(135, avro::Value::Null());
  } else {
    std::vector<avro::Value> items;
    for (int32_t id : file.equality_ids) items.push_back(avro::Value::Int(id));
    df.SetById(135, avro::Value::Array(std::move(items)));
  }
  df.SetById(140, file.sort_order_id ? avro::Value::Int(*file.sort_order_id) : avro::Value::Null());
  df.SetById(143, file.referenced_data_file ? avro::Value::String(*file.referenced_data_file)
                                            : avro::Value::Null());
  Result<avro::Value> data_file = df.Build();
  if (!data_file.ok()) return data_file.status().WithContext(where);

  avro::RecordBuilder e(avro_schema_.root_ref());
  e.SetById(0, avro::Value::Int(static_cast<int32_t>(entry.status)));
  e.SetById(1, opt_long(entry.snapshot_id));
  e.SetById(3, opt_long(entry.sequence_number));
  e.SetById(4, opt_long(entry.file_sequence_number));
  e.SetById(2, std::move(*data_file));
  Result<avro::Value> record = e.Build();
  if (!record.ok()) return record.status().WithContext(where);
  Status st = writer_->Append(*record);
  if (!st.ok()) return st.WithContext(where);

  FLOE_RETURN_IF_ERROR(UpdateSummaries(file));
  switch (entry.status) {
    case ManifestEntryStatus::kAdded:
      *result_.added_files_count += 1;
      *result_.added_rows_count += file.record_count;
      break;
    case ManifestEntryStatus::kExisting:
      *result_.existing_files_count += 1;
      *result_.existing_rows_count += file.record_count;
      break;
    case ManifestEntryStatus::kDeleted:
      *result_.deleted_files_count += 1;
      *result_.deleted_rows_count += file.record_count;
      break;
  }
  if (entry.is_live() && entry.sequence_number) {
    min_data_sequence_number_ = min_data_sequence_number_
                                    ? std::min(*min_data_sequence_number_, *entry.sequence_number)
                                    : *entry.sequence_number;
  }
  ++entries_written_;
  return Status::OK();
}

Result<ManifestFile> ManifestWriter::Close() {
  if (closed_)
    return Status::InvalidArgument("manifest " + result_.manifest_path + ": closed twice");
  closed_ = true;
  Status st = writer_->Close();
  if (!st.ok()) return st.WithContext("manifest " + result_.manifest_path);
  result_.manifest_length = out_->Tell();
  // Entries that inherit get the commit's sequence number, never below an explicit one, so the
  // explicit minimum stands; with none, the manifest list writer uses the commit's.
  if (min_data_sequence_number_) result_.min_sequence_number = *min_data_sequence_number_;
  for (size_t i = 0; i < result_.partitions.size(); ++i) {
    if (lower_[i]) {
      FLOE_ASSIGN_OR_RETURN(result_.partitions[i].lower_bound, SerializeValue(*lower_[i]));
    }
    if (upper_[i]) {
      FLOE_ASSIGN_OR_RETURN(result_.partitions[i].upper_bound, SerializeValue(*upper_[i]));
    }
    if (!result_.partitions[i].contains_nan) result_.partitions[i].contains_nan = false;
  }
  return result_;
}

// ---------------------------------------------------------------------------------------------
// Reader

namespace {

// The Iceberg type of an Avro partition field type, from the logical types Java and PyIceberg
// write; used when the header's schema or spec cannot give it.
Result<Type> IcebergTypeOfAvro(const avro::Node& node) {
  const avro::Node* n = &node;
  if (n->type == avro::Type::kUnion) {
    n = n->OptionalType();
    if (n == nullptr) return Status::NotSupported("a union that is not an optional");
  }
  const std::string& logical = n->logical_type;
  switch (n->type) {
    case avro::Type::kBoolean: return Type::Primitive(TypeId::kBoolean);
    case avro::Type::kInt: return Type::Primitive(logical == "date" ? TypeId::kDate : TypeId::kInt);
    case avro::Type::kLong:
      if (logical == "time-micros") return Type::Primitive(TypeId::kTime);
      if (logical == "timestamp-micros") {
        const Json* utc =
            n->attributes.contains("adjust-to-utc") ? &n->attributes["adjust-to-utc"] : nullptr;
        bool tz = utc == nullptr || (utc->is_boolean() && utc->get<bool>());
        return Type::Primitive(tz ? TypeId::kTimestampTz : TypeId::kTimestamp);
      }
      return Type::Primitive(TypeId::kLong);
    case avro::Type::kFloat: return Type::Primitive(TypeId::kFloat);
    case avro::Type::kDouble: return Type::Primitive(TypeId::kDouble);
    case avro::Type::kString: return Type::Primitive(TypeId::kString);
    case avro::Type::kBytes: return Type::Primitive(TypeId::kBinary);
    case avro::Type::kFixed:
      if (logical == "uuid") return Type::Primitive(TypeId::kUuid);
      if (logical == "decimal") {
        auto num = [&](const char* key) {
          const Json& a = n->attributes;
          return a.contains(key) && a[key].is_number_integer() ? a[key].get<int32_t>() : 0;
        };
        return Type::Decimal(num("precision"), num("scale"));
      }
      return Type::Fixed(static_cast<int32_t>(n->fixed_size));
    default:
      return Status::NotSupported("no Iceberg type for an Avro " +
                                  std::string(avro::TypeName(n->type)));
  }
}

Result<Type> PartitionTypeOfWriter(const avro::Schema& writer) {
  const avro::Node& root = writer.root();
  int df = root.FieldIndexById(2);
  if (df < 0 || root.fields[df].type->type != avro::Type::kRecord) {
    return Status::Corrupt("no data_file record (field-id 2) in the manifest schema");
  }
  const avro::Node* data_file = root.fields[df].type;
  int p = data_file->FieldIndexById(102);
  if (p < 0 || data_file->fields[p].type->type != avro::Type::kRecord) {
    return Status::Corrupt("no partition record (field-id 102) in the manifest schema");
  }
  std::vector<NestedField> fields;
  for (const avro::Field& f : data_file->fields[p].type->fields) {
    if (!f.field_id) return Status::Corrupt("partition field " + f.name + " has no field-id");
    Result<Type> t = IcebergTypeOfAvro(*f.type);
    if (!t.ok()) return t.status().WithContext("partition field " + f.name);
    fields.push_back(NestedField{*f.field_id, f.name, false, std::move(*t), {}, {}, {}});
  }
  return Type::Struct(std::move(fields));
}

}  // namespace

Result<std::unique_ptr<ManifestReader>> ManifestReader::Open(RandomAccessFile* file,
                                                             const ManifestFile* manifest,
                                                             ManifestReaderOptions options) {
  const std::string where = "manifest " + file->location();
  std::unique_ptr<ManifestReader> r(new ManifestReader());
  r->file_ = file;
  if (manifest != nullptr) r->manifest_ = *manifest;
  // Entries are decoded as written (ManifestEntryDecoder resolves the writer's schema).
  options.avro.reader_schema.reset();
  Result<std::unique_ptr<avro::ContainerReader>> header =
      avro::ContainerReader::Open(file, options.avro);
  if (!header.ok()) return header.status().WithContext(where);
  const avro::ContainerReader& h = **header;

  std::optional<std::string_view> version = h.Metadata("format-version");
  if (version) {
    if (*version == "1" || *version == "2" || *version == "3") {
      r->format_version_ = (*version)[0] - '0';
    } else {
      return Status::NotSupported(where + ": format-version \"" + std::string(*version) + "\"");
    }
  } else {
    const avro::Node& root = h.writer_schema().root();
    r->format_version_ = root.FieldIndexById(3) >= 0 ? 2 : 1;
  }
  std::optional<std::string_view> content = h.Metadata("content");
  r->content_ =
      content && *content == "deletes" ? ManifestContent::kDeletes : ManifestContent::kData;

  // Schema and spec: given, else from the header; the partition type from them, else from the
  // writer's Avro partition record.
  Status spec_error;
  if (options.schema) {
    r->schema_ = *options.schema;
  } else if (auto text = h.Metadata("schema")) {
    Result<Schema> s = SchemaFromJsonString(*text);
    if (s.ok())
      r->schema_ = std::move(*s);
    else
      spec_error = s.status();
  }
  if (options.spec) {
    r->spec_ = *options.spec;
  } else if (auto text = h.Metadata("partition-spec")) {
    int32_t spec_id = 0;
    if (auto id = h.Metadata("partition-spec-id")) spec_id = std::atoi(std::string(*id).c_str());
    int32_t next_id = kFirstPartitionFieldId;
    Result<Json> json = json_util::Parse(*text, "partition-spec");
    Result<PartitionSpec> spec =
        json.ok() ? (json->is_object()
                         ? PartitionSpecFromJson(*json, "partition-spec", &next_id)
                         : PartitionFieldsFromJson(*json, spec_id, "partition-spec", &next_id))
                  : Result<PartitionSpec>(json.status());
    if (spec.ok())
      r->spec_ = std::move(*spec);
    else
      spec_error = spec.status();
  }
  Result<Type> ptype =
      spec_error.ok() ? r->spec_.PartitionType(r->schema_) : Result<Type>(spec_error);
  if (ptype.ok()) {
    r->partition_type_ = std::move(*ptype);
  } else {
    Result<Type> from_avro = PartitionTypeOfWriter(h.writer_schema());
    if (!from_avro.ok()) {
      return Status::Corrupt(where + ": cannot tell the partition type: " +
                             ptype.status().message() + "; " + from_avro.status().message());
    }
    r->partition_type_ = std::move(*from_avro);
  }

  Result<std::unique_ptr<ManifestEntryDecoder>> decoder = ManifestEntryDecoder::Make(
      h.writer_schema(), r->partition_type_, std::move(options.column_stats));
  if (!decoder.ok()) return decoder.status().WithContext(where);
  r->decoder_ = std::move(*decoder);
  r->reader_ = std::move(*header);
  return r;
}

void ManifestReader::Inherit(ManifestEntry* e) const {
  if (!e->snapshot_id && manifest_ && manifest_->added_snapshot_id >= 0) {
    e->snapshot_id = manifest_->added_snapshot_id;
  }
  if (format_version_ == 1) {
    // v1 has no sequence numbers: every file is at 0.
    if (!e->sequence_number) e->sequence_number = 0;
    if (!e->file_sequence_number) e->file_sequence_number = 0;
    return;
  }
  if (e->status == ManifestEntryStatus::kAdded && manifest_ &&
      manifest_->sequence_number != kUnassignedSequenceNumber) {
    if (!e->sequence_number) e->sequence_number = manifest_->sequence_number;
    if (!e->file_sequence_number) e->file_sequence_number = manifest_->sequence_number;
  }
}

Result<bool> ManifestReader::Next(ManifestEntry* out) {
  decoder_->set_output(out);
  Result<bool> more = reader_->Next(decoder_.get());
  if (!more.ok()) {
    return more.status().WithContext("manifest " + file_->location() + ": entry " +
                                     std::to_string(entry_index_));
  }
  if (!*more) return false;
  Inherit(out);
  ++entry_index_;
  return true;
}

Result<std::vector<ManifestEntry>> ManifestReader::ReadAll() {
  std::vector<ManifestEntry> out;
  while (true) {
    ManifestEntry e;
    FLOE_ASSIGN_OR_RETURN(bool more, Next(&e));
    if (!more) break;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace floe::iceberg
