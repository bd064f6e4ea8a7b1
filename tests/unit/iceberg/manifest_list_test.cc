#include "floe/iceberg/manifest_list.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

namespace floe::iceberg {
namespace {

using ::testing::HasSubstr;

auto Rng() {
  auto rng = std::make_shared<std::mt19937_64>(7);
  return [rng] { return (*rng)(); };
}

ManifestFile NewManifest() {
  ManifestFile m;
  m.manifest_path = "s3://b/t/metadata/new-m0.avro";
  m.manifest_length = 4321;
  m.partition_spec_id = 1;
  m.sequence_number = kUnassignedSequenceNumber;
  m.min_sequence_number = kUnassignedSequenceNumber;
  m.added_snapshot_id = 900;
  m.added_files_count = 3;
  m.existing_files_count = 0;
  m.deleted_files_count = 0;
  m.added_rows_count = 300;
  m.existing_rows_count = 0;
  m.deleted_rows_count = 0;
  m.partitions = {PartitionFieldSummary{true, false, std::string("\x01\0\0\0", 4),
                                        std::string("\x09\0\0\0", 4)},
                  PartitionFieldSummary{false, std::nullopt, std::nullopt, std::nullopt}};
  return m;
}

ManifestFile OldManifest() {
  ManifestFile m = NewManifest();
  m.manifest_path = "s3://b/t/metadata/old-m0.avro";
  m.content = ManifestContent::kDeletes;
  m.sequence_number = 4;
  m.min_sequence_number = 2;
  m.added_snapshot_id = 800;
  m.existing_files_count = 5;
  m.deleted_files_count = 1;
  m.existing_rows_count = 50;
  m.deleted_rows_count = 7;
  m.key_metadata = "km";
  return m;
}

std::string WriteList(const std::vector<ManifestFile>& manifests,
                      avro::ContainerCodec codec = avro::ContainerCodec::kDeflate) {
  MemoryOutputStream out("mem://snap.avro");
  ManifestListWriterOptions options;
  options.snapshot_id = 900;
  options.parent_snapshot_id = 800;
  options.sequence_number = 6;
  options.codec = codec;
  auto writer = ManifestListWriter::Make(&out, Rng(), options);
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  for (const ManifestFile& m : manifests) {
    Status st = (*writer)->Add(m);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  EXPECT_TRUE((*writer)->Close().ok());
  return out.data();
}

class ManifestListCodecTest : public ::testing::TestWithParam<avro::ContainerCodec> {};

TEST_P(ManifestListCodecTest, RoundTripAssignsTheCommitSequenceNumber) {
  std::string bytes = WriteList({NewManifest(), OldManifest()}, GetParam());
  MemoryRandomAccessFile file("mem://snap.avro", bytes);
  auto reader = ManifestListReader::Open(&file);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->format_version(), 2);
  EXPECT_EQ((*reader)->snapshot_id(), 900);
  EXPECT_EQ((*reader)->parent_snapshot_id(), 800);
  EXPECT_EQ((*reader)->sequence_number(), 6);
  auto all = (*reader)->ReadAll();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  ManifestFile expected_new = NewManifest();
  expected_new.sequence_number = 6;
  expected_new.min_sequence_number = 6;
  EXPECT_EQ((*all)[0], expected_new);
  EXPECT_EQ((*all)[1], OldManifest());  // carried over unchanged
}

INSTANTIATE_TEST_SUITE_P(Codecs, ManifestListCodecTest,
                         ::testing::Values(avro::ContainerCodec::kNull,
                                           avro::ContainerCodec::kDeflate,
                                           avro::ContainerCodec::kSnappy,
                                           avro::ContainerCodec::kZstandard));

TEST(ManifestListWriterTest, HeaderKeysAndSchema) {
  std::string bytes = WriteList({});
  MemoryRandomAccessFile file("mem://snap.avro", bytes);
  auto reader = avro::ContainerReader::Open(&file);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->Metadata("snapshot-id"), "900");
  EXPECT_EQ((*reader)->Metadata("parent-snapshot-id"), "800");
  EXPECT_EQ((*reader)->Metadata("sequence-number"), "6");
  EXPECT_EQ((*reader)->Metadata("format-version"), "2");
  EXPECT_EQ((*reader)->Metadata("avro.codec"), "deflate");
  const avro::Node& root = (*reader)->writer_schema().root();
  EXPECT_EQ(root.name, "manifest_file");
  std::vector<int32_t> ids;
  for (const auto& f : root.fields) ids.push_back(*f.field_id);
  // Java's v2 order, without v3's first_row_id (520).
  EXPECT_EQ(ids, (std::vector<int32_t>{500, 501, 502, 517, 515, 516, 503, 504, 505, 506, 512, 513,
                                       514, 507, 519}));
  EXPECT_EQ(root.fields[root.FieldIndexById(504)].name, "added_files_count");
  const avro::Node* parts = root.fields[root.FieldIndexById(507)].type->OptionalType();
  EXPECT_EQ(parts->element_id, 508);
  EXPECT_EQ(parts->items->name, "r508");
  ids.clear();
  for (const auto& f : parts->items->fields) ids.push_back(*f.field_id);
  EXPECT_EQ(ids, (std::vector<int32_t>{509, 518, 510, 511}));
}

TEST(ManifestListWriterTest, NoParentIsTheStringNull) {
  MemoryOutputStream out;
  ManifestListWriterOptions options;
  options.snapshot_id = 1;
  options.sequence_number = 1;
  auto writer = ManifestListWriter::Make(&out, Rng(), options);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Close().ok());
  MemoryRandomAccessFile file("mem://snap", out.data());
  auto reader = ManifestListReader::Open(&file);
  ASSERT_TRUE(reader.ok());
  EXPECT_FALSE((*reader)->parent_snapshot_id().has_value());
  auto raw = avro::ContainerReader::Open(&file);
  EXPECT_EQ((*raw)->Metadata("parent-snapshot-id"), "null");
}

TEST(ManifestListWriterTest, RejectsANewManifestOfAnotherSnapshotAndUnknownCounts) {
  MemoryOutputStream out("mem://snap");
  ManifestListWriterOptions options;
  options.snapshot_id = 1;
  auto writer = ManifestListWriter::Make(&out, Rng(), options);
  ASSERT_TRUE(writer.ok());
  Status st = (*writer)->Add(NewManifest());  // added_snapshot_id 900
  EXPECT_EQ(st.kind(), ErrorKind::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("new-m0.avro"));
  ManifestFile m = OldManifest();
  m.added_rows_count.reset();
  EXPECT_EQ((*writer)->Add(m).kind(), ErrorKind::kInvalidArgument);
  options.format_version = 1;
  EXPECT_EQ(ManifestListWriter::Make(&out, Rng(), options).status().kind(),
            ErrorKind::kNotSupported);
}

// A v1 list as Java wrote it: nullable counts under the old names, no 515-517.
TEST(ManifestListReaderTest, ReadsV1Lists) {
  auto schema = avro::Schema::Parse(R"({"type":"record","name":"manifest_file","fields":[
    {"name":"manifest_path","type":"string","field-id":500},
    {"name":"manifest_length","type":"long","field-id":501},
    {"name":"partition_spec_id","type":"int","field-id":502},
    {"name":"added_snapshot_id","type":["null","long"],"default":null,"field-id":503},
    {"name":"added_data_files_count","type":["null","int"],"default":null,"field-id":504},
    {"name":"existing_data_files_count","type":["null","int"],"default":null,"field-id":505},
    {"name":"deleted_data_files_count","type":["null","int"],"default":null,"field-id":506},
    {"name":"partitions","type":["null",{"type":"array","items":{"type":"record","name":"r508",
      "fields":[{"name":"contains_null","type":"boolean","field-id":509}]},"element-id":508}],
      "default":null,"field-id":507},
    {"name":"added_rows_count","type":["null","long"],"default":null,"field-id":512}]})");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  MemoryOutputStream out;
  avro::WriterOptions wo;
  wo.metadata = {{"snapshot-id", "5"}, {"format-version", "1"}};
  auto writer = avro::ContainerWriter::Make(&out, *schema, Rng(), wo);
  ASSERT_TRUE(writer.ok());
  const avro::Node* r508 = schema->FindNamed("r508");
  avro::Value rec = avro::Value::Record(
      schema->root_ref(),
      {avro::Value::String("m.avro"), avro::Value::Long(10), avro::Value::Int(0),
       avro::Value::Long(5), avro::Value::Int(2), avro::Value::Null(), avro::Value::Int(0),
       avro::Value::Array({avro::Value::Record(schema->Share(r508), {avro::Value::Boolean(true)})}),
       avro::Value::Null()});
  ASSERT_TRUE((*writer)->Append(rec).ok());
  ASSERT_TRUE((*writer)->Close().ok());
  MemoryRandomAccessFile file("mem://v1", out.data());
  auto reader = ManifestListReader::Open(&file);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->format_version(), 1);
  auto all = (*reader)->ReadAll();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 1u);
  const ManifestFile& m = (*all)[0];
  EXPECT_EQ(m.manifest_path, "m.avro");
  EXPECT_EQ(m.content, ManifestContent::kData);
  EXPECT_EQ(m.sequence_number, 0);
  EXPECT_EQ(m.min_sequence_number, 0);
  EXPECT_EQ(m.added_snapshot_id, 5);
  EXPECT_EQ(m.added_files_count, 2);
  EXPECT_FALSE(m.existing_files_count.has_value());
  EXPECT_TRUE(m.has_existing_files());  // unknown: assume there are some
  EXPECT_FALSE(m.has_deleted_files());
  EXPECT_FALSE(m.added_rows_count.has_value());
  ASSERT_EQ(m.partitions.size(), 1u);
  EXPECT_TRUE(m.partitions[0].contains_null);
  EXPECT_FALSE(m.partitions[0].lower_bound.has_value());
}

TEST(ManifestListReaderTest, V2ListWithoutCountsIsCorrupt) {
  auto schema = ManifestFileAvroSchema(true);  // counts optional: a broken writer's schema
  ASSERT_TRUE(schema.ok());
  MemoryOutputStream out;
  avro::WriterOptions wo;
  wo.metadata = {{"format-version", "2"}};
  auto writer = avro::ContainerWriter::Make(&out, *schema, Rng(), wo);
  avro::RecordBuilder b(schema->root_ref());
  b.SetById(500, avro::Value::String("m.avro"));
  b.SetById(501, avro::Value::Long(1));
  b.SetById(502, avro::Value::Int(0));
  ASSERT_TRUE((*writer)->Append(*b.Build()).ok());
  ASSERT_TRUE((*writer)->Close().ok());
  MemoryRandomAccessFile file("mem://v2bad", out.data());
  auto reader = ManifestListReader::Open(&file);
  ASSERT_TRUE(reader.ok());
  ManifestFile m;
  Result<bool> r = (*reader)->Next(&m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kCorrupt);
  EXPECT_THAT(r.status().message(), HasSubstr("m.avro"));
}

}  // namespace
}  // namespace floe::iceberg
