// Test tool for the Avro interop check (compare_python_avro.py).
//
//   avro_dump read [--reader-schema SCHEMA.json] FILE...
//                            one JSON line per file: codec, blocks, records, metadata, the
//                            embedded schema and every record (Value::ToJson form, read as the
//                            reader schema when one is given), or "error"
//   avro_dump write DIR      writes manifest-shaped files with every codec into DIR:
//                            manifest_list_<codec>.avro and manifest_<codec>.avro

#include <cstdio>
#include <iostream>
#include <random>
#include <string>

#include "floe/avro/container.h"

namespace floe::avro {
namespace {

// The schemas of FORMAT_NOTES §2 and §3 (manifest list; manifest partitioned by day).
constexpr const char* kManifestListSchema = R"({"type":"record","name":"manifest_file","fields":[
 {"name":"manifest_path","type":"string","field-id":500},
 {"name":"manifest_length","type":"long","field-id":501},
 {"name":"partition_spec_id","type":"int","field-id":502},
 {"name":"content","type":"int","field-id":517},
 {"name":"sequence_number","type":"long","field-id":515},
 {"name":"min_sequence_number","type":"long","field-id":516},
 {"name":"added_snapshot_id","type":"long","field-id":503},
 {"name":"added_files_count","type":"int","field-id":504},
 {"name":"existing_files_count","type":"int","field-id":505},
 {"name":"deleted_files_count","type":"int","field-id":506},
 {"name":"added_rows_count","type":"long","field-id":512},
 {"name":"existing_rows_count","type":"long","field-id":513},
 {"name":"deleted_rows_count","type":"long","field-id":514},
 {"name":"partitions","type":["null",{"type":"array","element-id":508,"items":{"type":"record","name":"r508","fields":[
   {"name":"contains_null","type":"boolean","field-id":509},
   {"name":"contains_nan","type":["null","boolean"],"default":null,"field-id":518},
   {"name":"lower_bound","type":["null","bytes"],"default":null,"field-id":510},
   {"name":"upper_bound","type":["null","bytes"],"default":null,"field-id":511}]}}],"default":null,"field-id":507},
 {"name":"key_metadata","type":["null","bytes"],"default":null,"field-id":519}]})";

constexpr const char* kManifestSchema = R"({"type":"record","name":"manifest_entry","fields":[
 {"name":"status","type":"int","field-id":0},
 {"name":"snapshot_id","type":["null","long"],"default":null,"field-id":1},
 {"name":"sequence_number","type":["null","long"],"default":null,"field-id":3},
 {"name":"file_sequence_number","type":["null","long"],"default":null,"field-id":4},
 {"name":"data_file","type":{"type":"record","name":"r2","fields":[
   {"name":"content","type":"int","field-id":134},
   {"name":"file_path","type":"string","field-id":100},
   {"name":"file_format","type":"string","field-id":101},
   {"name":"partition","type":{"type":"record","name":"r102","fields":[
     {"name":"ts_day","type":["null",{"type":"int","logicalType":"date"}],"default":null,"field-id":1000}]},"field-id":102},
   {"name":"record_count","type":"long","field-id":103},
   {"name":"file_size_in_bytes","type":"long","field-id":104},
   {"name":"column_sizes","type":["null",{"type":"array","logicalType":"map","items":{"type":"record","name":"k117_v118","fields":[
     {"name":"key","type":"int","field-id":117},{"name":"value","type":"long","field-id":118}]}}],"default":null,"field-id":108},
   {"name":"lower_bounds","type":["null",{"type":"array","logicalType":"map","items":{"type":"record","name":"k126_v127","fields":[
     {"name":"key","type":"int","field-id":126},{"name":"value","type":"bytes","field-id":127}]}}],"default":null,"field-id":125},
   {"name":"key_metadata","type":["null","bytes"],"default":null,"field-id":131},
   {"name":"split_offsets","type":["null",{"type":"array","element-id":133,"items":"long"}],"default":null,"field-id":132},
   {"name":"equality_ids","type":["null",{"type":"array","element-id":136,"items":"int"}],"default":null,"field-id":135},
   {"name":"sort_order_id","type":["null","int"],"default":null,"field-id":140},
   {"name":"referenced_data_file","type":["null","string"],"default":null,"field-id":143}]},"field-id":2}]})";

constexpr int kRecords = 2500;  // several 64 KiB blocks

int Read(int argc, char** argv) {
  int failures = 0;
  int first = 2;
  ReaderOptions options;
  if (argc > 3 && std::string(argv[2]) == "--reader-schema") {
    first = 4;
    auto text = OpenLocalFile(argv[3]);
    Result<Schema> schema = text.status();
    if (text.ok()) {
      auto whole = ReadWholeFile(text->get());
      schema = whole.ok() ? Schema::Parse(*whole) : Result<Schema>(whole.status());
    }
    if (!schema.ok()) {
      std::cerr << argv[3] << ": " << schema.status().ToString() << "\n";
      return 2;
    }
    options.reader_schema = *schema;
  }
  for (int i = first; i < argc; ++i) {
    Json out = Json::object();
    out["file"] = argv[i];
    auto file = OpenLocalFile(argv[i]);
    Status st = file.status();
    if (file.ok()) {
      auto reader = ContainerReader::Open(file->get(), options);
      st = reader.status();
      if (reader.ok()) {
        ContainerReader& r = **reader;
        out["codec"] = std::string(ContainerCodecName(r.codec()));
        Json meta = Json::object();
        for (const auto& [k, v] : r.metadata()) {
          if (k != "avro.schema") meta[k] = v;
        }
        out["metadata"] = std::move(meta);
        out["schema"] = r.writer_schema().ToJson();
        Json values = Json::array();
        Value v;
        while (true) {
          auto more = r.Next(&v);
          if (!more.ok()) {
            st = more.status();
            break;
          }
          if (!*more) break;
          values.push_back(v.ToJson());
        }
        out["blocks"] = r.block_index();
        out["records"] = values.size();
        out["values"] = std::move(values);
      }
    }
    if (!st.ok()) {
      out["error"] = st.ToString();
      ++failures;
    }
    std::cout << out.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
  }
  return failures == 0 ? 0 : 1;
}

Value ManifestListRecord(const Schema& s, int i) {
  std::vector<Value> partitions;
  partitions.push_back(Value::Record(s.Share(s.FindNamed("r508")),
                                     {Value::Boolean(i % 3 == 0), Value::Boolean(false),
                                      Value::Bytes(std::string("\x10\x4a\x00\x00", 4)),
                                      Value::Bytes(std::string("\x20\x4a\x00\x00", 4))}));
  auto v = RecordBuilder(s.root_ref())
               .SetById(500, Value::String("s3://bucket/db/t/metadata/manifest-" +
                                           std::to_string(i) + ".avro"))
               .SetById(501, Value::Long(4096 + i))
               .SetById(502, Value::Int(0))
               .SetById(517, Value::Int(i % 2))
               .SetById(515, Value::Long(i))
               .SetById(516, Value::Long(i > 0 ? i - 1 : 0))
               .SetById(503, Value::Long(int64_t{8000000000000000000} + i))
               .SetById(504, Value::Int(i))
               .SetById(505, Value::Int(0))
               .SetById(506, Value::Int(1))
               .SetById(512, Value::Long(int64_t{1} << 33))
               .SetById(513, Value::Long(0))
               .SetById(514, Value::Long(-1))
               .SetById(507, i % 5 == 0 ? Value::Null() : Value::Array(std::move(partitions)))
               .Build();
  return v.ok() ? *v : Value();
}

Value ManifestRecord(const Schema& s, int i) {
  auto df = RecordBuilder(s.Share(s.FindNamed("r2")))
                .SetById(134, Value::Int(0))
                .SetById(100, Value::String("s3://bucket/db/t/data/ts_day=2024-01-01/0000" +
                                            std::to_string(i) + "-é.parquet"))
                .SetById(101, Value::String("PARQUET"))
                .SetById(102, Value::Record(s.Share(s.FindNamed("r102")),
                                            {i % 7 == 0 ? Value::Null() : Value::Int(19723 + i)}))
                .SetById(103, Value::Long(1000 * i))
                .SetById(104, Value::Long(123456 + i))
                .SetById(108, Value::Array({Value::Record(s.Share(s.FindNamed("k117_v118")),
                                                          {Value::Int(1), Value::Long(999)})}))
                .SetById(125, Value::Array({Value::Record(
                                  s.Share(s.FindNamed("k126_v127")),
                                  {Value::Int(2), Value::Bytes(std::string("\x00\xff", 2))})}))
                .SetById(132, Value::Array({Value::Long(4), Value::Long(1 << 20)}))
                .SetById(140, Value::Int(0))
                .Build();
  auto v = RecordBuilder(s.root_ref())
               .SetById(0, Value::Int(1))
               .SetById(1, Value::Long(int64_t{-1} - i))
               .SetById(3, i % 2 ? Value::Null() : Value::Long(i))
               .SetById(2, df.ok() ? *df : Value())
               .Build();
  return v.ok() ? *v : Value();
}

Status WriteOne(const std::string& path, const char* schema_text, ContainerCodec codec,
                bool manifest) {
  FLOE_ASSIGN_OR_RETURN(Schema schema, Schema::Parse(schema_text));
  FLOE_ASSIGN_OR_RETURN(auto out, CreateLocalFile(path));
  std::mt19937_64 rng(static_cast<uint64_t>(codec) + 1);
  WriterOptions options;
  options.codec = codec;
  if (manifest) {
    options.metadata = {{"schema", R"({"type":"struct","schema-id":0,"fields":[]})"},
                        {"schema-id", "0"},
                        {"partition-spec",
                         R"([{"name":"ts_day","transform":"day","source-id":2,"field-id":1000}])"},
                        {"partition-spec-id", "0"},
                        {"format-version", "2"},
                        {"content", "data"}};
  } else {
    options.metadata = {{"snapshot-id", "8000000000000000000"},
                        {"parent-snapshot-id", "null"},
                        {"sequence-number", "1"},
                        {"format-version", "2"}};
  }
  FLOE_ASSIGN_OR_RETURN(auto writer, ContainerWriter::Make(
                                         out.get(), schema, [&rng] { return rng(); }, options));
  for (int i = 0; i < kRecords; ++i) {
    FLOE_RETURN_IF_ERROR(
        writer->Append(manifest ? ManifestRecord(schema, i) : ManifestListRecord(schema, i)));
  }
  return writer->Close();
}

int Write(const std::string& dir) {
  for (ContainerCodec codec : {ContainerCodec::kNull, ContainerCodec::kDeflate,
                               ContainerCodec::kSnappy, ContainerCodec::kZstandard}) {
    std::string name(ContainerCodecName(codec));
    for (bool manifest : {false, true}) {
      std::string path = dir + (manifest ? "/manifest_" : "/manifest_list_") + name + ".avro";
      Status st = WriteOne(path, manifest ? kManifestSchema : kManifestListSchema, codec, manifest);
      if (!st.ok()) {
        std::cerr << path << ": " << st.ToString() << "\n";
        return 1;
      }
      std::cout << path << "\n";
    }
  }
  return 0;
}

}  // namespace
}  // namespace floe::avro

int main(int argc, char** argv) {
  std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "read") return floe::avro::Read(argc, argv);
  if (cmd == "write" && argc == 3) return floe::avro::Write(argv[2]);
  std::cerr << "usage: avro_dump read FILE... | avro_dump write DIR\n";
  return 2;
}
