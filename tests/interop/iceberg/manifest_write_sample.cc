// Test tool for the manifest interop check (check_manifests_python.py).
//
//   manifest_write_sample DIR
//
// Writes, for a table partitioned by identity, bucket, truncate and day, a data manifest
// (ADDED, EXISTING and DELETED entries, null partition values), a delete manifest and a manifest
// list naming both into DIR, once uncompressed and once deflated, and prints one JSON document:
// {"files":[{"path":..., "kind":"manifest"|"manifest_list", "records":[...]}]} with every
// record as floe meant it (bytes as {"bytes":"<hex>"}, empty maps and lists as null).

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "floe/iceberg/manifest.h"
#include "floe/iceberg/manifest_list.h"

namespace floe::iceberg {
namespace {

using Json = nlohmann::ordered_json;

Json Hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return Json{{"bytes", out}};
}

template <typename V>
Json MapJson(const std::map<int32_t, V>& m) {
  if (m.empty()) return nullptr;
  Json out = Json::array();
  for (const auto& [k, v] : m) {
    if constexpr (std::is_same_v<V, std::string>) {
      out.push_back({{"key", k}, {"value", Hex(v)}});
    } else {
      out.push_back({{"key", k}, {"value", v}});
    }
  }
  return out;
}

template <typename T>
Json Opt(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json PartitionValueJson(const Literal& v) {
  if (v.is_null()) return nullptr;
  switch (v.type().id) {
    case TypeId::kInt:
    case TypeId::kDate: return v.int_value();
    case TypeId::kLong:
    case TypeId::kTimestampTz: return v.long_value();
    case TypeId::kString: return v.bytes_value();
    default: return v.ToString();
  }
}

Json EntryJson(const ManifestEntry& e, const PartitionSpec& spec) {
  const DataFile& f = e.data_file;
  Json partition = Json::object();
  for (size_t i = 0; i < spec.fields.size(); ++i) {
    partition[spec.fields[i].name] = PartitionValueJson(f.partition[i]);
  }
  Json split = f.split_offsets.empty() ? Json(nullptr) : Json(f.split_offsets);
  Json eq = f.equality_ids.empty() ? Json(nullptr) : Json(f.equality_ids);
  Json df = {{"content", static_cast<int>(f.content)},
             {"file_path", f.file_path},
             {"file_format", std::string(FileFormatName(f.file_format))},
             {"partition", partition},
             {"record_count", f.record_count},
             {"file_size_in_bytes", f.file_size_in_bytes},
             {"column_sizes", MapJson(f.column_sizes)},
             {"value_counts", MapJson(f.value_counts)},
             {"null_value_counts", MapJson(f.null_value_counts)},
             {"nan_value_counts", MapJson(f.nan_value_counts)},
             {"lower_bounds", MapJson(f.lower_bounds)},
             {"upper_bounds", MapJson(f.upper_bounds)},
             {"key_metadata", f.key_metadata ? Hex(*f.key_metadata) : Json(nullptr)},
             {"split_offsets", split},
             {"equality_ids", eq},
             {"sort_order_id", Opt(f.sort_order_id)},
             {"referenced_data_file", Opt(f.referenced_data_file)}};
  return {{"status", static_cast<int>(e.status)},
          {"snapshot_id", Opt(e.snapshot_id)},
          {"sequence_number", Opt(e.sequence_number)},
          {"file_sequence_number", Opt(e.file_sequence_number)},
          {"data_file", df}};
}

Json ManifestFileJson(const ManifestFile& m) {
  Json parts = Json::array();
  for (const PartitionFieldSummary& s : m.partitions) {
    parts.push_back({{"contains_null", s.contains_null},
                     {"contains_nan", Opt(s.contains_nan)},
                     {"lower_bound", s.lower_bound ? Hex(*s.lower_bound) : Json(nullptr)},
                     {"upper_bound", s.upper_bound ? Hex(*s.upper_bound) : Json(nullptr)}});
  }
  return {{"manifest_path", m.manifest_path},
          {"manifest_length", m.manifest_length},
          {"partition_spec_id", m.partition_spec_id},
          {"content", static_cast<int>(m.content)},
          {"sequence_number", m.sequence_number},
          {"min_sequence_number", m.min_sequence_number},
          {"added_snapshot_id", m.added_snapshot_id},
          {"added_files_count", Opt(m.added_files_count)},
          {"existing_files_count", Opt(m.existing_files_count)},
          {"deleted_files_count", Opt(m.deleted_files_count)},
          {"added_rows_count", Opt(m.added_rows_count)},
          {"existing_rows_count", Opt(m.existing_rows_count)},
          {"deleted_rows_count", Opt(m.deleted_rows_count)},
          {"partitions", parts},
          {"key_metadata", m.key_metadata ? Hex(*m.key_metadata) : Json(nullptr)}};
}

Status Fail(const Status& st) {
  std::cerr << st.ToString() << "\n";
  return st;
}

Result<Json> WriteSample(const std::string& dir, avro::ContainerCodec codec) {
  const std::string tag(avro::ContainerCodecName(codec));
  Schema schema(0,
                {NestedField{1, "id", true, Type::Primitive(TypeId::kLong), {}, {}, {}},
                 NestedField{2, "name", false, Type::Primitive(TypeId::kString), {}, {}, {}},
                 NestedField{3, "ts", false, Type::Primitive(TypeId::kTimestampTz), {}, {}, {}},
                 NestedField{4, "category", false, Type::Primitive(TypeId::kString), {}, {}, {}}});
  PartitionSpec spec{0,
                     {{4, 1000, "category", Transform::Identity()},
                      {1, 1001, "id_bucket", Transform::Bucket(8)},
                      {2, 1002, "name_trunc", Transform::Truncate(3)},
                      {3, 1003, "ts_day", Transform::Day()}}};
  std::mt19937_64 rng(1);
  avro::RandomSource random = [&rng] { return rng(); };
  // Null arguments stand for null source values (a null pointer).
  auto partition = [&](const std::string* cat, int64_t id, const std::string& name,
                       const int64_t* ts) {
    std::vector<Literal> src = {
        cat ? Literal::String(*cat) : Literal::Null(Type::Primitive(TypeId::kString)),
        Literal::Long(id), Literal::String(name),
        ts ? Literal::TimestampTz(*ts) : Literal::Null(Type::Primitive(TypeId::kTimestampTz))};
    return ComputePartition(spec, src);
  };
  Json files = Json::array();

  // The data manifest.
  const int64_t snapshot_id = 3051729675574597004;
  const std::string manifest_path = dir + "/data-m0-" + tag + ".avro";
  FLOE_ASSIGN_OR_RETURN(auto out, CreateLocalFile(manifest_path));
  ManifestWriterOptions options;
  options.snapshot_id = snapshot_id;
  options.codec = codec;
  options.manifest_path = manifest_path;
  FLOE_ASSIGN_OR_RETURN(auto writer,
                        ManifestWriter::Make(out.get(), schema, spec, random, options));
  std::vector<ManifestEntry> entries;
  for (int i = 0; i < 5; ++i) {
    ManifestEntry e;
    e.status = i < 3 ? ManifestEntryStatus::kAdded
                     : (i == 3 ? ManifestEntryStatus::kExisting : ManifestEntryStatus::kDeleted);
    e.snapshot_id = i < 3 ? std::optional<int64_t>(snapshot_id) : 17;
    if (i >= 3) {
      e.sequence_number = 2;
      e.file_sequence_number = 3;
    }
    if (i == 4) e.snapshot_id = snapshot_id;
    DataFile& f = e.data_file;
    f.file_path = "s3://bucket/t/data/f" + std::to_string(i) + ".parquet";
    const std::string cat = "c" + std::to_string(i);
    const int64_t ts = 1700000000000000LL + i * 86400000000LL;
    FLOE_ASSIGN_OR_RETURN(f.partition,
                          partition(i == 1 ? nullptr : &cat, i * 1000, "name" + std::to_string(i),
                                    i == 2 ? nullptr : &ts));
    f.record_count = 100 + i;
    f.file_size_in_bytes = 10000 + i;
    f.column_sizes = {{1, 10}, {2, 20}};
    f.value_counts = {{1, 100}, {2, 100}};
    f.null_value_counts = {{1, 0}, {2, i}};
    f.lower_bounds = {{1, std::string("\x01\0\0\0\0\0\0\0", 8)}, {2, "a"}};
    f.upper_bounds = {{1, std::string("\x09\0\0\0\0\0\0\0", 8)}, {2, "z\xff"}};
    if (i == 0) f.key_metadata = std::string("\x00\x7f", 2);
    if (i != 2) f.split_offsets = {4, 4096};
    f.sort_order_id = 0;
    entries.push_back(e);
    Status st = writer->Append(e);
    if (!st.ok()) return Fail(st);
  }
  FLOE_ASSIGN_OR_RETURN(ManifestFile data_manifest, writer->Close());
  Json records = Json::array();
  for (const ManifestEntry& e : entries) records.push_back(EntryJson(e, spec));
  files.push_back({{"path", manifest_path}, {"kind", "manifest"}, {"records", records}});

  // The delete manifest.
  const std::string deletes_path = dir + "/deletes-m0-" + tag + ".avro";
  FLOE_ASSIGN_OR_RETURN(auto dout, CreateLocalFile(deletes_path));
  options.content = ManifestContent::kDeletes;
  options.manifest_path = deletes_path;
  FLOE_ASSIGN_OR_RETURN(auto dwriter,
                        ManifestWriter::Make(dout.get(), schema, spec, random, options));
  ManifestEntry del;
  del.snapshot_id = snapshot_id;
  del.data_file.content = DataFileContent::kEqualityDeletes;
  del.data_file.file_path = "s3://bucket/t/data/eq.parquet";
  const std::string c0 = "c0";
  const int64_t ts0 = 1700000000000000LL;
  FLOE_ASSIGN_OR_RETURN(del.data_file.partition, partition(&c0, 0, "name0", &ts0));
  del.data_file.record_count = 1;
  del.data_file.file_size_in_bytes = 500;
  del.data_file.equality_ids = {1, 4};
  FLOE_RETURN_IF_ERROR(dwriter->Append(del));
  FLOE_ASSIGN_OR_RETURN(ManifestFile delete_manifest, dwriter->Close());
  files.push_back({{"path", deletes_path},
                   {"kind", "manifest"},
                   {"records", Json::array({EntryJson(del, spec)})}});

  // The manifest list: the two new manifests and one carried over from the parent.
  const std::string list_path = dir + "/snap-" + std::to_string(snapshot_id) + "-" + tag + ".avro";
  FLOE_ASSIGN_OR_RETURN(auto lout, CreateLocalFile(list_path));
  ManifestListWriterOptions list_options;
  list_options.snapshot_id = snapshot_id;
  list_options.parent_snapshot_id = 17;
  list_options.sequence_number = 4;
  list_options.codec = codec;
  FLOE_ASSIGN_OR_RETURN(auto lwriter, ManifestListWriter::Make(lout.get(), random, list_options));
  ManifestFile old = data_manifest;
  old.manifest_path = "s3://bucket/t/metadata/old-m0.avro";
  old.sequence_number = 2;
  old.min_sequence_number = 1;
  old.added_snapshot_id = 17;
  std::vector<ManifestFile> listed = {data_manifest, delete_manifest, old};
  Json list_records = Json::array();
  for (ManifestFile m : listed) {
    FLOE_RETURN_IF_ERROR(lwriter->Add(m));
    if (m.sequence_number == kUnassignedSequenceNumber) {
      m.sequence_number = 4;
      if (m.min_sequence_number == kUnassignedSequenceNumber) m.min_sequence_number = 4;
    }
    list_records.push_back(ManifestFileJson(m));
  }
  FLOE_RETURN_IF_ERROR(lwriter->Close());
  files.push_back({{"path", list_path}, {"kind", "manifest_list"}, {"records", list_records}});
  return files;
}

int Main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: manifest_write_sample DIR\n";
    return 2;
  }
  Json files = Json::array();
  for (avro::ContainerCodec codec : {avro::ContainerCodec::kNull, avro::ContainerCodec::kDeflate}) {
    Result<Json> written = WriteSample(argv[1], codec);
    if (!written.ok()) {
      std::cerr << written.status().ToString() << "\n";
      return 1;
    }
    for (auto& f : *written) files.push_back(f);
  }
  std::cout << Json{{"files", files}}.dump() << "\n";
  return 0;
}

}  // namespace
}  // namespace floe::iceberg

int main(int argc, char** argv) { return floe::iceberg::Main(argc, argv); }
