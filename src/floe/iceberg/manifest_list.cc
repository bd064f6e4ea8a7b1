#include "floe/iceberg/manifest_list.h"

#include <charconv>
#include <string>
#include <utility>

namespace floe::iceberg {

using avro::Json;

namespace {

Json ListField(std::string_view name, Json type, int32_t id, const char* doc, bool optional) {
  Json f = Json::object();
  f["name"] = name;
  f["type"] = optional ? Json::array({"null", std::move(type)}) : std::move(type);
  if (doc != nullptr) f["doc"] = doc;
  if (optional) f["default"] = nullptr;
  f["field-id"] = id;
  return f;
}

std::optional<int64_t> ParseLong(std::optional<std::string_view> text) {
  if (!text) return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || p != text->data() + text->size()) return std::nullopt;
  return v;
}

}  // namespace

Result<avro::Schema> ManifestFileAvroSchema(bool for_reading) {
  // v1 lists leave these null or lack them; readers fill them in.
  const bool v1_optional = for_reading;
  Json summary = {
      {"type", "record"},
      {"name", "r508"},
      {"fields",
       Json::array({
           ListField("contains_null", "boolean", 509, "True if any file has a null partition value",
                     false),
           ListField("contains_nan", "boolean", 518, "True if any file has a nan partition value",
                     true),
           ListField("lower_bound", "bytes", 510, "Partition lower bound for all files", true),
           ListField("upper_bound", "bytes", 511, "Partition upper bound for all files", true),
       })}};
  Json partitions = {{"type", "array"}, {"items", summary}, {"element-id", 508}};
  Json root = {
      {"type", "record"},
      {"name", "manifest_file"},
      {"fields",
       Json::array({
           ListField("manifest_path", "string", 500, "Location URI with FS scheme", false),
           ListField("manifest_length", "long", 501, "Total file size in bytes", false),
           ListField("partition_spec_id", "int", 502, "Spec ID used to write", false),
           ListField("content", "int", 517, "Contents of the manifest: 0=data, 1=deletes",
                     v1_optional),
           ListField("sequence_number", "long", 515, "Sequence number when the manifest was added",
                     v1_optional),
           ListField("min_sequence_number", "long", 516, "Lowest sequence number in the manifest",
                     v1_optional),
           ListField("added_snapshot_id", "long", 503, "Snapshot ID that added the manifest",
                     v1_optional),
           ListField("added_files_count", "int", 504, "Added entry count", v1_optional),
           ListField("existing_files_count", "int", 505, "Existing entry count", v1_optional),
           ListField("deleted_files_count", "int", 506, "Deleted entry count", v1_optional),
           ListField("added_rows_count", "long", 512, "Added rows count", v1_optional),
           ListField("existing_rows_count", "long", 513, "Existing rows count", v1_optional),
           ListField("deleted_rows_count", "long", 514, "Deleted rows count", v1_optional),
           ListField("partitions", partitions, 507, "Summary for each partition", true),
           ListField("key_metadata", "bytes", 519, "Encryption key metadata blob", true),
       })}};
  return avro::Schema::FromJson(root);
}

Result<std::unique_ptr<ManifestListWriter>> ManifestListWriter::Make(
    OutputStream* out, const avro::RandomSource& random, ManifestListWriterOptions options) {
  if (options.format_version != 2) {
    return Status::NotSupported("manifest list writer: format version " +
                                std::to_string(options.format_version) + " (only 2 is written)");
  }
  if (out == nullptr) return Status::InvalidArgument("manifest list writer: no output stream");
  std::unique_ptr<ManifestListWriter> w(new ManifestListWriter());
  w->out_ = out;
  FLOE_ASSIGN_OR_RETURN(w->schema_, ManifestFileAvroSchema());
  avro::WriterOptions avro_options;
  avro_options.codec = options.codec;
  avro_options.compression_level = options.compression_level;
  avro_options.metadata = {
      {"snapshot-id", std::to_string(options.snapshot_id)},
      {"parent-snapshot-id",
       options.parent_snapshot_id ? std::to_string(*options.parent_snapshot_id) : "null"},
      {"sequence-number", std::to_string(options.sequence_number)},
      {"format-version", "2"},
  };
  FLOE_ASSIGN_OR_RETURN(w->writer_,
                        avro::ContainerWriter::Make(out, w->schema_, random, avro_options));
  w->options_ = options;
  return w;
}

Status ManifestListWriter::Add(const ManifestFile& in) {
  const std::string where = "manifest list " + out_->location() + ": manifest " + in.manifest_path;
  ManifestFile m = in;
  if (m.sequence_number == kUnassignedSequenceNumber) {
    if (m.added_snapshot_id != -1 && m.added_snapshot_id != options_.snapshot_id) {
      return Status::InvalidArgument(
          where + ": a new manifest of snapshot " + std::to_string(m.added_snapshot_id) +
          " in the list of snapshot " + std::to_string(options_.snapshot_id));
    }
    m.added_snapshot_id = options_.snapshot_id;
    m.sequence_number = options_.sequence_number;
    if (m.min_sequence_number == kUnassignedSequenceNumber) {
      m.min_sequence_number = options_.sequence_number;
    }
  }
  if (m.min_sequence_number == kUnassignedSequenceNumber || m.added_snapshot_id < 0 ||
      !m.added_files_count || !m.existing_files_count || !m.deleted_files_count ||
      !m.added_rows_count || !m.existing_rows_count || !m.deleted_rows_count) {
    return Status::InvalidArgument(where +
                                   ": v2 needs min_sequence_number, added_snapshot_id and "
                                   "every count");
  }
  avro::NodeRef summary_ref = schema_.Share(schema_.FindNamed("r508"));
  std::vector<avro::Value> partitions;
  for (const PartitionFieldSummary& s : m.partitions) {
    auto opt_bytes = [](const std::optional<std::string>& b) {
      return b ? avro::Value::Bytes(*b) : avro::Value::Null();
    };
    partitions.push_back(avro::Value::Record(
        summary_ref, {avro::Value::Boolean(s.contains_null),
                      s.contains_nan ? avro::Value::Boolean(*s.contains_nan) : avro::Value::Null(),
                      opt_bytes(s.lower_bound), opt_bytes(s.upper_bound)}));
  }
  avro::RecordBuilder b(schema_.root_ref());
  b.SetById(500, avro::Value::String(m.manifest_path));
  b.SetById(501, avro::Value::Long(m.manifest_length));
  b.SetById(502, avro::Value::Int(m.partition_spec_id));
  b.SetById(517, avro::Value::Int(static_cast<int32_t>(m.content)));
  b.SetById(515, avro::Value::Long(m.sequence_number));
  b.SetById(516, avro::Value::Long(m.min_sequence_number));
  b.SetById(503, avro::Value::Long(m.added_snapshot_id));
  b.SetById(504, avro::Value::Int(*m.added_files_count));
  b.SetById(505, avro::Value::Int(*m.existing_files_count));
  b.SetById(506, avro::Value::Int(*m.deleted_files_count));
  b.SetById(512, avro::Value::Long(*m.added_rows_count));
  b.SetById(513, avro::Value::Long(*m.existing_rows_count));
  b.SetById(514, avro::Value::Long(*m.deleted_rows_count));
  b.SetById(507, avro::Value::Array(std::move(partitions)));
  b.SetById(519, m.key_metadata ? avro::Value::Bytes(*m.key_metadata) : avro::Value::Null());
  Result<avro::Value> record = b.Build();
  if (!record.ok()) return record.status().WithContext(where);
  Status st = writer_->Append(*record);
  if (!st.ok()) return st.WithContext(where);
  ++written_;
  return Status::OK();
}

Status ManifestListWriter::Close() {
  Status st = writer_->Close();
  return st.ok() ? st : st.WithContext("manifest list " + out_->location());
}

Result<std::unique_ptr<ManifestListReader>> ManifestListReader::Open(RandomAccessFile* file,
                                                                     avro::ReaderOptions options) {
  const std::string where = "manifest list " + file->location();
  std::unique_ptr<ManifestListReader> r(new ManifestListReader());
  r->file_ = file;
  FLOE_ASSIGN_OR_RETURN(options.reader_schema, ManifestFileAvroSchema(true));
  Result<std::unique_ptr<avro::ContainerReader>> reader =
      avro::ContainerReader::Open(file, std::move(options));
  if (!reader.ok()) return reader.status().WithContext(where);
  r->reader_ = std::move(*reader);
  std::optional<std::string_view> version = r->reader_->Metadata("format-version");
  if (version) {
    std::optional<int64_t> v = ParseLong(version);
    if (!v || *v < 1 || *v > 3) {
      return Status::NotSupported(where + ": format-version \"" + std::string(*version) + "\"");
    }
    r->format_version_ = static_cast<int>(*v);
  } else {
    r->format_version_ = r->reader_->writer_schema().root().FieldIndexById(515) >= 0 ? 2 : 1;
  }
  r->snapshot_id_ = ParseLong(r->reader_->Metadata("snapshot-id"));
  r->parent_snapshot_id_ = ParseLong(r->reader_->Metadata("parent-snapshot-id"));
  r->sequence_number_ = ParseLong(r->reader_->Metadata("sequence-number"));
  return r;
}

Result<bool> ManifestListReader::Next(ManifestFile* out) {
  const std::string where = "manifest list " + file_->location();
  avro::Value rec;
  Result<bool> more = reader_->Next(&rec);
  if (!more.ok()) return more.status().WithContext(where);
  if (!*more) return false;
  auto opt_long = [&](int32_t id) -> std::optional<int64_t> {
    const avro::Value* v = rec.FieldById(id);
    if (v == nullptr || v->is_null()) return std::nullopt;
    return v->long_value();
  };
  auto opt_int = [&](int32_t id) -> std::optional<int32_t> {
    const avro::Value* v = rec.FieldById(id);
    if (v == nullptr || v->is_null()) return std::nullopt;
    return v->int_value();
  };
  ManifestFile m;
  m.manifest_path = rec.FieldById(500)->string_value();
  m.manifest_length = rec.FieldById(501)->long_value();
  m.partition_spec_id = rec.FieldById(502)->int_value();
  int32_t content = opt_int(517).value_or(0);
  if (content != 0 && content != 1) {
    return Status::Corrupt(where + ": record " + std::to_string(index_) + " (" + m.manifest_path +
                           "): content " + std::to_string(content) + " is not 0 or 1");
  }
  m.content = static_cast<ManifestContent>(content);
  m.sequence_number = opt_long(515).value_or(0);
  m.min_sequence_number = opt_long(516).value_or(0);
  m.added_snapshot_id = opt_long(503).value_or(-1);
  m.added_files_count = opt_int(504);
  m.existing_files_count = opt_int(505);
  m.deleted_files_count = opt_int(506);
  m.added_rows_count = opt_long(512);
  m.existing_rows_count = opt_long(513);
  m.deleted_rows_count = opt_long(514);
  if (format_version_ >= 2 &&
      (!m.added_files_count || !m.existing_files_count || !m.deleted_files_count ||
       !m.added_rows_count || !m.existing_rows_count || !m.deleted_rows_count || !opt_long(515) ||
       !opt_long(516) || !opt_long(503))) {
    return Status::Corrupt(where + ": record " + std::to_string(index_) + " (" + m.manifest_path +
                           "): a v2 list must have every count, the sequence "
                           "numbers and added_snapshot_id");
  }
  if (const avro::Value* parts = rec.FieldById(507); parts != nullptr && !parts->is_null()) {
    for (const avro::Value& p : parts->items()) {
      PartitionFieldSummary s;
      s.contains_null = p.FieldById(509)->boolean_value();
      const avro::Value* nan = p.FieldById(518);
      if (nan != nullptr && !nan->is_null()) s.contains_nan = nan->boolean_value();
      const avro::Value* lo = p.FieldById(510);
      if (lo != nullptr && !lo->is_null()) s.lower_bound = lo->bytes();
      const avro::Value* hi = p.FieldById(511);
      if (hi != nullptr && !hi->is_null()) s.upper_bound = hi->bytes();
      m.partitions.push_back(std::move(s));
    }
  }
  if (const avro::Value* k = rec.FieldById(519); k != nullptr && !k->is_null()) {
    m.key_metadata = k->bytes();
  }
  *out = std::move(m);
  ++index_;
  return true;
}

Result<std::vector<ManifestFile>> ManifestListReader::ReadAll() {
  std::vector<ManifestFile> out;
  while (true) {
    ManifestFile m;
    FLOE_ASSIGN_OR_RETURN(bool more, Next(&m));
    if (!more) break;
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace floe::iceberg
