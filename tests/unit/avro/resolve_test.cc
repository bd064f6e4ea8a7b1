#include <gtest/gtest.h>

#include "floe/avro/binary.h"
#include "floe/avro/datum_reader.h"
#include "floe/avro/value.h"
#include "unit/avro/manifest_schemas.h"

namespace floe::avro {
namespace {

Schema Parse(const std::string& text) {
  auto s = Schema::Parse(text);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : Schema();
}

Result<Value> ReadAs(const Schema& writer, const Schema& reader, const Value& v) {
  Buffer out;
  FLOE_RETURN_IF_ERROR(EncodeValue(writer.root(), v, &out));
  FLOE_ASSIGN_OR_RETURN(DatumReader dr, DatumReader::Make(writer, reader));
  BinaryReader in(out.view());
  FLOE_ASSIGN_OR_RETURN(Value result, dr.Read(&in));
  if (!in.at_end()) return Status::Corrupt("bytes left");
  return result;
}

TEST(AvroValueTest, RecordBuilderByNameAndIdWithDefaults) {
  Schema s = Parse(testing::kManifestFileSchema);
  RecordBuilder b(s.root_ref());
  b.Set("manifest_path", Value::String("s3://b/m.avro"))
      .SetById(501, Value::Long(1234))
      .SetById(502, Value::Int(0))
      .SetById(517, Value::Int(0))
      .SetById(515, Value::Long(1))
      .SetById(516, Value::Long(1))
      .SetById(503, Value::Long(99))
      .SetById(504, Value::Int(1))
      .SetById(505, Value::Int(0))
      .SetById(506, Value::Int(0))
      .SetById(512, Value::Long(10))
      .SetById(513, Value::Long(0))
      .SetById(514, Value::Long(0));
  auto v = b.Build();
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->FieldById(501)->long_value(), 1234);
  EXPECT_EQ(v->Field("manifest_path")->string_value(), "s3://b/m.avro");
  EXPECT_TRUE(v->FieldById(507)->is_null());  // default null
  EXPECT_EQ(v->FieldById(9999), nullptr);
  EXPECT_EQ(v->Field("nope"), nullptr);

  RecordBuilder missing(s.root_ref());
  missing.Set("manifest_path", Value::String("x"));
  auto m = missing.Build();
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("manifest_length"), std::string::npos);
  RecordBuilder unknown(s.root_ref());
  EXPECT_FALSE(unknown.Set("no_such_field", Value::Null()).Build().ok());
}

TEST(AvroValueTest, DefaultsOfEveryKind) {
  Schema s = Parse(R"({"type":"record","name":"r","fields":[
      {"name":"i","type":"int","default":7},
      {"name":"s","type":"string","default":"x"},
      {"name":"b","type":"bytes","default":"\u00ff"},
      {"name":"a","type":{"type":"array","items":"long"},"default":[1,2]},
      {"name":"m","type":{"type":"map","values":"int"},"default":{"k":3}},
      {"name":"e","type":{"type":"enum","name":"e","symbols":["A","B"]},"default":"B"},
      {"name":"u","type":["int","null"],"default":5},
      {"name":"n","type":{"type":"record","name":"n","fields":[{"name":"x","type":"double","default":1.5}]},"default":{}}]})");
  auto v = RecordBuilder(s.root_ref()).Build();
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->Field("i")->int_value(), 7);
  EXPECT_EQ(v->Field("b")->bytes(), "\xff");
  EXPECT_EQ(v->Field("a")->size(), 2u);
  EXPECT_EQ(v->Field("m")->MapFind("k")->int_value(), 3);
  EXPECT_EQ(v->Field("e")->enum_index(), 1);
  EXPECT_EQ(v->Field("u")->int_value(), 5);
  EXPECT_EQ(v->Field("u")->union_branch(), 0);
  EXPECT_EQ(v->Field("n")->Field("x")->double_value(), 1.5);
  EXPECT_FALSE(DefaultValue(s.Share(s.root().fields[0].type), Json("text")).ok());
}

TEST(AvroResolveTest, MatchesByFieldIdDespiteOtherNames) {
  // An older writer named ids 504–506 differently (FORMAT_NOTES §2) and put fields in another
  // order; it also wrote a field the reader does not know.
  Schema writer = Parse(R"({"type":"record","name":"manifest_file","fields":[
      {"name":"extra","type":"string","field-id":9000},
      {"name":"added_data_files_count","type":"int","field-id":504},
      {"name":"manifest_path","type":"string","field-id":500}]})");
  Schema reader = Parse(R"({"type":"record","name":"manifest_file","fields":[
      {"name":"manifest_path","type":"string","field-id":500},
      {"name":"added_files_count","type":"int","field-id":504},
      {"name":"content","type":"int","field-id":517,"default":0},
      {"name":"key_metadata","type":["null","bytes"],"field-id":519}]})");
  Value w = Value::Record(writer.root_ref(),
                          {Value::String("skip me"), Value::Int(3), Value::String("m.avro")});
  auto v = ReadAs(writer, reader, w);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->schema(), &reader.root());
  EXPECT_EQ(v->FieldById(500)->string_value(), "m.avro");
  EXPECT_EQ(v->Field("added_files_count")->int_value(), 3);
  EXPECT_EQ(v->FieldById(517)->int_value(), 0);
  EXPECT_TRUE(v->FieldById(519)->is_null());
}

TEST(AvroResolveTest, ByNameWhenIdsAreMissingAndIdsWinOverNames) {
  Schema writer = Parse(R"({"type":"record","name":"r","fields":[
      {"name":"a","type":"int"},{"name":"b","type":"int","field-id":2}]})");
  // "a" has no id in the writer: matched by name. "b" has id 2 but the reader's "b" has id 3:
  // a different column, so it is not read and takes its default.
  Schema reader = Parse(R"({"type":"record","name":"r","fields":[
      {"name":"a","type":"long","field-id":1},{"name":"b","type":["null","int"],"field-id":3}]})");
  auto v = ReadAs(writer, reader, Value::Record(writer.root_ref(), {Value::Int(5), Value::Int(6)}));
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->Field("a")->type(), Type::kLong);
  EXPECT_EQ(v->Field("a")->long_value(), 5);
  EXPECT_TRUE(v->Field("b")->is_null());
}

TEST(AvroResolveTest, PromotionsUnionsAndEnums) {
  Schema writer = Parse(R"({"type":"record","name":"r","fields":[
      {"name":"i","type":"int"},{"name":"l","type":"long"},{"name":"f","type":"float"},
      {"name":"s","type":"string"},{"name":"o","type":"long"},{"name":"u","type":["null","int"]},
      {"name":"e","type":{"type":"enum","name":"e","symbols":["X","Y","Z"]}}]})");
  Schema reader = Parse(R"({"type":"record","name":"r","fields":[
      {"name":"i","type":"double"},{"name":"l","type":"float"},{"name":"f","type":"double"},
      {"name":"s","type":"bytes"},{"name":"o","type":["null","long"]},{"name":"u","type":["null","long"]},
      {"name":"e","type":{"type":"enum","name":"e","symbols":["Z","Y","W"],"default":"W"}}]})");
  Value w = Value::Record(writer.root_ref(),
                          {Value::Int(3), Value::Long(4), Value::Float(0.5f), Value::String("b"),
                           Value::Long(8), Value::Int(9), Value::Enum(0, "X")});
  auto v = ReadAs(writer, reader, w);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->Field("i")->type(), Type::kDouble);
  EXPECT_EQ(v->Field("i")->double_value(), 3.0);
  EXPECT_EQ(v->Field("l")->type(), Type::kFloat);
  EXPECT_EQ(v->Field("f")->double_value(), 0.5);
  EXPECT_EQ(v->Field("s")->type(), Type::kBytes);
  EXPECT_EQ(v->Field("o")->long_value(), 8);
  EXPECT_EQ(v->Field("o")->union_branch(), 1);
  EXPECT_EQ(v->Field("u")->type(), Type::kLong);
  EXPECT_EQ(v->Field("u")->union_branch(), 1);
  EXPECT_EQ(v->Field("e")->bytes(), "W");  // X unknown to the reader: its default
  w.mutable_field(6) = Value::Enum(2, "Z");
  v = ReadAs(writer, reader, w);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->Field("e")->enum_index(), 0);
}

TEST(AvroResolveTest, IncompatibleSchemasFail) {
  Schema writer = Parse(R"({"type":"record","name":"r","fields":[{"name":"a","type":"string"}]})");
  EXPECT_FALSE(
      DatumReader::Make(
          writer, Parse(R"({"type":"record","name":"r","fields":[{"name":"a","type":"int"}]})"))
          .ok());
  // A required reader field the writer lacks, without a default.
  auto r = DatumReader::Make(
      writer,
      Parse(R"({"type":"record","name":"r","fields":[{"name":"b","type":"int","field-id":7}]})"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("field-id 7"), std::string::npos) << r.status().ToString();
  EXPECT_FALSE(DatumReader::Make(Parse(R"({"type":"fixed","name":"f","size":2})"),
                                 Parse(R"({"type":"fixed","name":"f","size":3})"))
                   .ok());
  // A writer union branch the reader cannot take fails only when it occurs.
  Schema wu = Parse(R"(["int","string"])");
  auto dr = DatumReader::Make(wu, Parse(R"("long")"));
  ASSERT_TRUE(dr.ok());
  std::string ok_bytes("\x00\x04", 2), bad_bytes(
                                           "\x02\x02"
                                           "a",
                                           3);
  BinaryReader in1(AsBytes(ok_bytes));
  EXPECT_EQ(dr->Read(&in1)->long_value(), 2);
  BinaryReader in2(AsBytes(bad_bytes));
  EXPECT_FALSE(dr->Read(&in2).ok());
}

TEST(AvroResolveTest, ManifestEntryReadWithFewerFields) {
  // A reader that only wants status and data_file.file_path/record_count skips the rest.
  Schema writer = Parse(testing::kManifestEntrySchema);
  Schema reader = Parse(R"({"type":"record","name":"manifest_entry","fields":[
      {"name":"status","type":"int","field-id":0},
      {"name":"data_file","type":{"type":"record","name":"r2","fields":[
        {"name":"path","type":"string","field-id":100},
        {"name":"record_count","type":"long","field-id":103}]},"field-id":2}]})");
  const Node* r2 = writer.FindNamed("r2");
  RecordBuilder df(writer.Share(r2));
  df.Set("content", Value::Int(0))
      .Set("file_path", Value::String("p.parquet"))
      .Set("file_format", Value::String("PARQUET"))
      .Set("partition", Value::Record(writer.Share(writer.FindNamed("r102")), {Value::Int(19000)}))
      .Set("record_count", Value::Long(42))
      .Set("file_size_in_bytes", Value::Long(1000))
      .Set("column_sizes", Value::Array({Value::Record(writer.Share(writer.FindNamed("k117_v118")),
                                                       {Value::Int(1), Value::Long(10)})}))
      .Set("split_offsets", Value::Array({Value::Long(4)}));
  auto data_file = df.Build();
  ASSERT_TRUE(data_file.ok()) << data_file.status().ToString();
  auto entry = RecordBuilder(writer.root_ref())
                   .Set("status", Value::Int(1))
                   .Set("snapshot_id", Value::Long(5))
                   .Set("data_file", *data_file)
                   .Build();
  ASSERT_TRUE(entry.ok()) << entry.status().ToString();
  auto v = ReadAs(writer, reader, *entry);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->FieldById(0)->int_value(), 1);
  EXPECT_EQ(v->FieldById(2)->FieldById(100)->string_value(), "p.parquet");
  EXPECT_EQ(v->FieldById(2)->FieldById(103)->long_value(), 42);
  // And read as written, all of it comes back.
  auto same = ReadAs(writer, writer, *entry);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->ToJson(), entry->ToJson());
  EXPECT_EQ(same->FieldById(2)->FieldById(102)->FieldById(1000)->int_value(), 19000);
}

}  // namespace
}  // namespace floe::avro
