#include "floe/iceberg/manifest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "floe/iceberg/json_serde.h"
#include "floe/iceberg/manifest_list.h"

namespace floe::iceberg {
namespace {

using ::testing::HasSubstr;

Schema TestSchema() {
  return Schema(3, {NestedField{1, "id", true, Type::Primitive(TypeId::kLong), {}, {}, {}},
                    NestedField{2, "name", false, Type::Primitive(TypeId::kString), {}, {}, {}},
                    NestedField{3, "ts", false, Type::Primitive(TypeId::kTimestampTz), {}, {}, {}},
                    NestedField{4, "price", false, Type::Primitive(TypeId::kDouble), {}, {}, {}},
                    NestedField{5, "category", false, Type::Primitive(TypeId::kString), {}, {}, {}},
                    NestedField{6, "amount", false, Type::Decimal(12, 2), {}, {}, {}}});
}

// identity, bucket, truncate, day, and identity on a double (NaN) and a decimal.
PartitionSpec TestSpec() {
  PartitionSpec spec;
  spec.spec_id = 2;
  spec.fields = {{5, 1000, "category", Transform::Identity()},
                 {1, 1001, "id_bucket", Transform::Bucket(16)},
                 {2, 1002, "name_trunc", Transform::Truncate(4)},
                 {3, 1003, "ts_day", Transform::Day()},
                 {4, 1004, "price", Transform::Identity()},
                 {6, 1005, "amount", Transform::Identity()}};
  return spec;
}

// Partition values of a row through the transforms (transforms.h computes, manifests carry).
std::vector<Literal> Partition(std::optional<std::string> category, int64_t id,
                               std::optional<std::string> name, std::optional<int64_t> ts_us,
                               std::optional<double> price, std::optional<int64_t> amount) {
  std::vector<Literal> source = {
      category ? Literal::String(*category) : Literal::Null(Type::Primitive(TypeId::kString)),
      Literal::Long(id),
      name ? Literal::String(*name) : Literal::Null(Type::Primitive(TypeId::kString)),
      ts_us ? Literal::TimestampTz(*ts_us) : Literal::Null(Type::Primitive(TypeId::kTimestampTz)),
      price ? Literal::Double(*price) : Literal::Null(Type::Primitive(TypeId::kDouble)),
      amount ? Literal::Decimal(*amount, 12, 2) : Literal::Null(Type::Decimal(12, 2))};
  Result<std::vector<Literal>> p = ComputePartition(TestSpec(), source);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : std::vector<Literal>{};
}

DataFile FullDataFile(const std::string& path, std::vector<Literal> partition) {
  DataFile f;
  f.file_path = path;
  f.file_format = FileFormat::kParquet;
  f.partition = std::move(partition);
  f.record_count = 1234;
  f.file_size_in_bytes = 56789;
  f.column_sizes = {{1, 100}, {2, 200}, {4, 50}};
  f.value_counts = {{1, 1234}, {2, 1234}, {4, 1234}};
  f.null_value_counts = {{1, 0}, {2, 7}, {4, 1}};
  f.nan_value_counts = {{4, 3}};
  f.lower_bounds = {{1, std::string("\x01\0\0\0\0\0\0\0", 8)}, {2, "aa"}};
  f.upper_bounds = {{1, std::string("\xff\0\0\0\0\0\0\0", 8)}, {2, "zz\xff"}};
  f.key_metadata = std::string("\x00\x01key", 5);
  f.split_offsets = {4, 1048580};
  f.sort_order_id = 1;
  return f;
}

auto Rng() {
  auto rng = std::make_shared<std::mt19937_64>(42);
  return [rng] { return (*rng)(); };
}

struct Written {
  std::string bytes;
  ManifestFile manifest;
};

Written WriteManifest(const std::vector<ManifestEntry>& entries, ManifestWriterOptions options,
                      const PartitionSpec& spec = TestSpec()) {
  MemoryOutputStream out("mem://m0.avro");
  auto writer = ManifestWriter::Make(&out, TestSchema(), spec, Rng(), options);
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  if (!writer.ok()) return {};
  for (const ManifestEntry& e : entries) {
    Status st = (*writer)->Append(e);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  Result<ManifestFile> m = (*writer)->Close();
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return {out.data(), m.ok() ? *m : ManifestFile{}};
}

std::vector<ManifestEntry> ReadManifest(const std::string& bytes, const ManifestFile* manifest,
                                        int* version = nullptr) {
  MemoryRandomAccessFile file("mem://m0.avro", bytes);
  auto reader = ManifestReader::Open(&file, manifest);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return {};
  if (version != nullptr) *version = (*reader)->format_version();
  auto all = (*reader)->ReadAll();
  EXPECT_TRUE(all.ok()) << all.status().ToString();
  return all.ok() ? *all : std::vector<ManifestEntry>{};
}

std::vector<ManifestEntry> MixedEntries() {
  const int64_t day = 86400LL * 1000000;
  std::vector<ManifestEntry> entries;
  ManifestEntry added;
  added.status = ManifestEntryStatus::kAdded;
  added.snapshot_id = 77;
  added.data_file = FullDataFile("s3://b/t/data/a.parquet",
                                 Partition("books", 7, "abcdefg", 20000 * day + 5, 1.5, 12345));
  entries.push_back(added);
  ManifestEntry nulls = added;
  nulls.data_file = FullDataFile("s3://b/t/data/b.parquet",
                                 Partition(std::nullopt, -3, std::nullopt, std::nullopt,
                                           std::numeric_limits<double>::quiet_NaN(), -99));
  nulls.data_file.key_metadata.reset();
  nulls.data_file.sort_order_id.reset();
  nulls.data_file.split_offsets.clear();
  nulls.data_file.nan_value_counts.clear();
  entries.push_back(nulls);
  ManifestEntry existing;
  existing.status = ManifestEntryStatus::kExisting;
  existing.snapshot_id = 11;
  existing.sequence_number = 3;
  existing.file_sequence_number = 4;
  existing.data_file =
      FullDataFile("s3://b/t/data/c.parquet", Partition("art", 1, "ab", -2 * day, -0.0, 0));
  existing.data_file.record_count = 10;
  entries.push_back(existing);
  ManifestEntry deleted = existing;
  deleted.status = ManifestEntryStatus::kDeleted;
  deleted.snapshot_id = 77;
  deleted.sequence_number = 2;
  deleted.file_sequence_number = 2;
  deleted.data_file.file_path = "s3://b/t/data/d.parquet";
  deleted.data_file.record_count = 5;
  deleted.data_file.partition = Partition("zoo", 2, "zz", 30000 * day, 2.5, 1);
  entries.push_back(deleted);
  return entries;
}

class ManifestCodecTest : public ::testing::TestWithParam<avro::ContainerCodec> {};

TEST_P(ManifestCodecTest, RoundTripsEveryField) {
  ManifestWriterOptions options;
  options.snapshot_id = 77;
  options.codec = GetParam();
  std::vector<ManifestEntry> entries = MixedEntries();
  Written w = WriteManifest(entries, options);
  std::vector<ManifestEntry> read = ReadManifest(w.bytes, nullptr);
  ASSERT_EQ(read.size(), entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    // Compare partitions apart: NaN != NaN.
    const auto& a = entries[i].data_file.partition;
    const auto& b = read[i].data_file.partition;
    ASSERT_EQ(a.size(), b.size());
    for (size_t j = 0; j < a.size(); ++j) {
      EXPECT_EQ(a[j].ToString(), b[j].ToString()) << "entry " << i << " field " << j;
      EXPECT_EQ(a[j].type(), b[j].type());
    }
    ManifestEntry x = entries[i], y = read[i];
    x.data_file.partition.clear();
    y.data_file.partition.clear();
    EXPECT_EQ(x, y) << "entry " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Codecs, ManifestCodecTest,
                         ::testing::Values(avro::ContainerCodec::kNull,
                                           avro::ContainerCodec::kDeflate,
                                           avro::ContainerCodec::kSnappy,
                                           avro::ContainerCodec::kZstandard));

TEST(ManifestWriterTest, CountsAndPartitionSummaries) {
  ManifestWriterOptions options;
  options.snapshot_id = 77;
  options.manifest_path = "s3://b/t/metadata/m0.avro";
  Written w = WriteManifest(MixedEntries(), options);
  const ManifestFile& m = w.manifest;
  EXPECT_EQ(m.manifest_path, "s3://b/t/metadata/m0.avro");
  EXPECT_EQ(m.manifest_length, static_cast<int64_t>(w.bytes.size()));
  EXPECT_EQ(m.partition_spec_id, 2);
  EXPECT_EQ(m.content, ManifestContent::kData);
  EXPECT_EQ(m.added_snapshot_id, 77);
  EXPECT_EQ(m.sequence_number, kUnassignedSequenceNumber);
  EXPECT_EQ(m.min_sequence_number, 3);  // the EXISTING entry; DELETED ones do not count
  EXPECT_EQ(m.added_files_count, 2);
  EXPECT_EQ(m.existing_files_count, 1);
  EXPECT_EQ(m.deleted_files_count, 1);
  EXPECT_EQ(m.added_rows_count, 2468);
  EXPECT_EQ(m.existing_rows_count, 10);
  EXPECT_EQ(m.deleted_rows_count, 5);
  ASSERT_EQ(m.partitions.size(), 6u);
  // category: null in one entry; bounds over all entries, DELETED included.
  EXPECT_TRUE(m.partitions[0].contains_null);
  EXPECT_EQ(m.partitions[0].contains_nan, false);
  EXPECT_EQ(m.partitions[0].lower_bound, "art");
  EXPECT_EQ(m.partitions[0].upper_bound, "zoo");
  // name_trunc: truncate[4] of "abcdefg" is "abcd".
  EXPECT_TRUE(m.partitions[2].contains_null);
  EXPECT_EQ(m.partitions[2].upper_bound, "zz");
  EXPECT_EQ(m.partitions[2].lower_bound, "ab");
  // ts_day: dates -2 and 30000, little-endian int.
  EXPECT_EQ(m.partitions[3].lower_bound, std::string("\xfe\xff\xff\xff", 4));
  EXPECT_EQ(m.partitions[3].upper_bound, std::string("\x30\x75\0\0", 4));
  // price: NaN is no bound; -0.0 is the lower one.
  EXPECT_FALSE(m.partitions[4].contains_null);
  EXPECT_EQ(m.partitions[4].contains_nan, true);
  ASSERT_TRUE(m.partitions[4].lower_bound.has_value());
  double lo;
  std::memcpy(&lo, m.partitions[4].lower_bound->data(), 8);
  EXPECT_TRUE(lo == 0.0 && std::signbit(lo));
  // amount: decimals in minimal big-endian bytes.
  EXPECT_EQ(m.partitions[5].lower_bound, std::string("\x9d", 1));      // -99
  EXPECT_EQ(m.partitions[5].upper_bound, std::string("\x30\x39", 2));  // 12345
}

TEST(ManifestWriterTest, HeaderKeys) {
  ManifestWriterOptions options;
  options.snapshot_id = 5;
  Written w = WriteManifest({}, options);
  MemoryRandomAccessFile file("mem://m", w.bytes);
  auto reader = avro::ContainerReader::Open(&file);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto& r = **reader;
  EXPECT_EQ(r.Metadata("format-version"), "2");
  EXPECT_EQ(r.Metadata("content"), "data");
  EXPECT_EQ(r.Metadata("schema-id"), "3");
  EXPECT_EQ(r.Metadata("partition-spec-id"), "2");
  EXPECT_EQ(r.Metadata("avro.codec"), "deflate");
  ASSERT_TRUE(r.Metadata("partition-spec").has_value());
  EXPECT_EQ(std::string(*r.Metadata("partition-spec")),
            R"([{"name":"category","transform":"identity","source-id":5,"field-id":1000},)"
            R"({"name":"id_bucket","transform":"bucket[16]","source-id":1,"field-id":1001},)"
            R"({"name":"name_trunc","transform":"truncate[4]","source-id":2,"field-id":1002},)"
            R"({"name":"ts_day","transform":"day","source-id":3,"field-id":1003},)"
            R"({"name":"price","transform":"identity","source-id":4,"field-id":1004},)"
            R"({"name":"amount","transform":"identity","source-id":6,"field-id":1005}])");
  auto schema = SchemaFromJsonString(*r.Metadata("schema"));
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ(*schema, TestSchema());
  EXPECT_EQ(w.manifest.added_files_count, 0);
}

TEST(ManifestWriterTest, DeleteManifestHeaderAndContent) {
  ManifestWriterOptions options;
  options.snapshot_id = 9;
  options.content = ManifestContent::kDeletes;
  ManifestEntry e;
  e.data_file.content = DataFileContent::kEqualityDeletes;
  e.data_file.file_path = "s3://b/t/data/eq.parquet";
  e.data_file.partition = Partition("a", 1, "b", 0, 1.0, 1);
  e.data_file.equality_ids = {1, 2};
  ManifestEntry p;
  p.data_file.content = DataFileContent::kPositionDeletes;
  p.data_file.file_path = "s3://b/t/data/pos.parquet";
  p.data_file.partition = e.data_file.partition;
  p.data_file.referenced_data_file = "s3://b/t/data/a.parquet";
  Written w = WriteManifest({e, p}, options);
  EXPECT_EQ(w.manifest.content, ManifestContent::kDeletes);
  MemoryRandomAccessFile file("mem://m", w.bytes);
  auto reader = ManifestReader::Open(&file);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->content(), ManifestContent::kDeletes);
  auto all = (*reader)->ReadAll();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].data_file.equality_ids, (std::vector<int32_t>{1, 2}));
  EXPECT_EQ((*all)[0].data_file.content, DataFileContent::kEqualityDeletes);
  EXPECT_EQ((*all)[1].data_file.referenced_data_file, "s3://b/t/data/a.parquet");
}

TEST(ManifestWriterTest, RejectsEntriesThatBreakTheRules) {
  MemoryOutputStream out("mem://bad.avro");
  ManifestWriterOptions options;
  options.snapshot_id = 1;
  auto writer = ManifestWriter::Make(&out, TestSchema(), TestSpec(), Rng(), options);
  ASSERT_TRUE(writer.ok());
  ManifestEntry e;
  e.data_file.file_path = "x.parquet";
  e.data_file.partition = Partition("a", 1, "b", 0, 1.0, 1);
  // EXISTING without sequence numbers.
  e.status = ManifestEntryStatus::kExisting;
  e.snapshot_id = 1;
  Status st = (*writer)->Append(e);
  EXPECT_EQ(st.kind(), ErrorKind::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("x.parquet"));
  // Wrong number of partition values.
  e.status = ManifestEntryStatus::kAdded;
  e.data_file.partition.pop_back();
  EXPECT_EQ((*writer)->Append(e).kind(), ErrorKind::kInvalidArgument);
  // A value of the wrong type.
  e.data_file.partition = Partition("a", 1, "b", 0, 1.0, 1);
  e.data_file.partition[3] = Literal::Long(5);
  st = (*writer)->Append(e);
  EXPECT_EQ(st.kind(), ErrorKind::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("ts_day"));
  // A delete file in a data manifest.
  e.data_file.partition = Partition("a", 1, "b", 0, 1.0, 1);
  e.data_file.content = DataFileContent::kPositionDeletes;
  EXPECT_EQ((*writer)->Append(e).kind(), ErrorKind::kInvalidArgument);
  e.data_file.content = DataFileContent::kData;
  EXPECT_TRUE((*writer)->Append(e).ok());
  auto m = (*writer)->Close();
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->added_files_count, 1);
  // v1 is not written.
  options.format_version = 1;
  MemoryOutputStream out2;
  EXPECT_EQ(ManifestWriter::Make(&out2, TestSchema(), TestSpec(), Rng(), options).status().kind(),
            ErrorKind::kNotSupported);
}

TEST(ManifestReaderTest, InheritsFromTheManifestFile) {
  ManifestWriterOptions options;  // no snapshot id: ADDED entries leave it null
  ManifestEntry plain;
  plain.data_file.file_path = "a.parquet";
  plain.data_file.partition = Partition("a", 1, "b", 0, 1.0, 1);
  ManifestEntry explicit_data_seq = plain;
  explicit_data_seq.data_file.file_path = "b.parquet";
  explicit_data_seq.sequence_number = 4;
  Written w = WriteManifest({plain, explicit_data_seq}, options);
  EXPECT_EQ(w.manifest.min_sequence_number, 4);
  EXPECT_EQ(w.manifest.added_snapshot_id, -1);

  // Without the manifest file: nothing to inherit, nulls stay.
  std::vector<ManifestEntry> raw = ReadManifest(w.bytes, nullptr);
  ASSERT_EQ(raw.size(), 2u);
  EXPECT_FALSE(raw[0].snapshot_id.has_value());
  EXPECT_FALSE(raw[0].sequence_number.has_value());
  EXPECT_FALSE(raw[0].file_sequence_number.has_value());

  ManifestFile listed = w.manifest;
  listed.added_snapshot_id = 555;
  listed.sequence_number = 9;
  std::vector<ManifestEntry> read = ReadManifest(w.bytes, &listed);
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].snapshot_id, 555);
  EXPECT_EQ(read[0].sequence_number, 9);
  EXPECT_EQ(read[0].file_sequence_number, 9);
  EXPECT_EQ(read[1].snapshot_id, 555);
  EXPECT_EQ(read[1].sequence_number, 4);  // explicit data sequence number kept
  EXPECT_EQ(read[1].file_sequence_number, 9);
}

TEST(ManifestReaderTest, ExistingAndDeletedEntriesDoNotInherit) {
  ManifestWriterOptions options;
  options.snapshot_id = 20;
  std::vector<ManifestEntry> entries = MixedEntries();
  Written w = WriteManifest({entries[2], entries[3]}, options);
  ManifestFile listed = w.manifest;
  listed.sequence_number = 50;
  std::vector<ManifestEntry> read = ReadManifest(w.bytes, &listed);
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].snapshot_id, 11);
  EXPECT_EQ(read[0].sequence_number, 3);
  EXPECT_EQ(read[0].file_sequence_number, 4);
  EXPECT_EQ(read[1].snapshot_id, 77);
  EXPECT_EQ(read[1].sequence_number, 2);
}

TEST(ManifestSchemaTest, JavaNamesAndIds) {
  Result<Type> ptype = TestSpec().PartitionType(TestSchema());
  ASSERT_TRUE(ptype.ok());
  auto schema = ManifestEntryAvroSchema(*ptype);
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  const avro::Node& root = schema->root();
  EXPECT_EQ(root.name, "manifest_entry");
  std::vector<int32_t> ids;
  for (const auto& f : root.fields) ids.push_back(*f.field_id);
  EXPECT_EQ(ids, (std::vector<int32_t>{0, 1, 3, 4, 2}));
  const avro::Node* r2 = schema->FindNamed("r2");
  ASSERT_NE(r2, nullptr);
  ids.clear();
  for (const auto& f : r2->fields) ids.push_back(*f.field_id);
  EXPECT_EQ(ids, (std::vector<int32_t>{134, 100, 101, 102, 103, 104, 108, 109, 110, 137, 125, 128,
                                       131, 132, 135, 140, 143}));
  const avro::Node* r102 = schema->FindNamed("r102");
  ASSERT_NE(r102, nullptr);
  ASSERT_EQ(r102->fields.size(), 6u);
  EXPECT_EQ(r102->fields[3].field_id, 1003);
  EXPECT_EQ(r102->fields[3].type->OptionalType()->logical_type, "date");
  const avro::Node* dec = r102->fields[5].type->OptionalType();
  EXPECT_EQ(dec->name, "decimal_12_2");
  EXPECT_EQ(dec->fixed_size, 6);
  for (const char* kv :
       {"k117_v118", "k119_v120", "k121_v122", "k138_v139", "k126_v127", "k129_v130"}) {
    const avro::Node* n = schema->FindNamed(kv);
    ASSERT_NE(n, nullptr) << kv;
    EXPECT_EQ(n->fields[0].field_id, std::atoi(kv + 1));
  }
  const avro::Node* split = r2->fields[r2->FieldIndexById(132)].type->OptionalType();
  EXPECT_EQ(split->element_id, 133);
  const avro::Node* eq = r2->fields[r2->FieldIndexById(135)].type->OptionalType();
  EXPECT_EQ(eq->element_id, 136);
  const avro::Node* sizes = r2->fields[r2->FieldIndexById(108)].type->OptionalType();
  EXPECT_EQ(sizes->logical_type, "map");
}

TEST(ManifestSchemaTest, NamedTypesDefinedOnceAndNamesSanitized) {
  Type ptype =
      Type::Struct({NestedField{1000, "a", false, Type::Decimal(9, 2), {}, {}, {}},
                    NestedField{1001, "b", false, Type::Decimal(9, 2), {}, {}, {}},
                    NestedField{1002, "1x-y", false, Type::Primitive(TypeId::kUuid), {}, {}, {}},
                    NestedField{1003, "u2", false, Type::Primitive(TypeId::kUuid), {}, {}, {}}});
  auto schema = ManifestEntryAvroSchema(ptype);
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  const avro::Node* r102 = schema->FindNamed("r102");
  EXPECT_EQ(r102->fields[2].name, "_1x_x2Dy");
  EXPECT_EQ(r102->fields[2].attributes["iceberg-field-name"], "1x-y");
  EXPECT_EQ(r102->fields[0].type->OptionalType(), r102->fields[1].type->OptionalType());
  // And such values round trip.
  Schema table(0, {NestedField{1, "a", false, Type::Decimal(9, 2), {}, {}, {}},
                   NestedField{2, "u", false, Type::Primitive(TypeId::kUuid), {}, {}, {}}});
  PartitionSpec spec{
      0, {{1, 1000, "a", Transform::Identity()}, {2, 1001, "u", Transform::Identity()}}};
  MemoryOutputStream out;
  auto writer = ManifestWriter::Make(&out, table, spec, Rng(), {});
  ASSERT_TRUE(writer.ok());
  Uuid u;
  for (int i = 0; i < 16; ++i) u.bytes[i] = static_cast<uint8_t>(i * 17);
  DataFile f;
  f.file_path = "f";
  f.partition = {Literal::Decimal(-123456789, 9, 2), Literal::UuidValue(u)};
  ASSERT_TRUE((*writer)->Add(f).ok());
  ASSERT_TRUE((*writer)->Close().ok());
  MemoryRandomAccessFile file("mem://m", out.data());
  auto reader = ManifestReader::Open(&file);
  ASSERT_TRUE(reader.ok());
  auto all = (*reader)->ReadAll();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].data_file.partition, f.partition);
}

TEST(ManifestReaderTest, UnpartitionedAndSpecFromOptions) {
  Schema table = TestSchema();
  PartitionSpec unpartitioned;
  MemoryOutputStream out;
  auto writer = ManifestWriter::Make(&out, table, unpartitioned, Rng(), {});
  ASSERT_TRUE(writer.ok());
  DataFile f;
  f.file_path = "f";
  ASSERT_TRUE((*writer)->Add(f).ok());
  auto m = (*writer)->Close();
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->partitions.empty());
  MemoryRandomAccessFile file("mem://m", out.data());
  ManifestReaderOptions options;
  options.schema = table;
  options.spec = unpartitioned;
  auto reader = ManifestReader::Open(&file, nullptr, options);
  ASSERT_TRUE(reader.ok());
  auto all = (*reader)->ReadAll();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].data_file, f);
}

// A v1 manifest shaped as PyIceberg writes it: no sequence numbers, no content, a required
// snapshot_id, block_size_in_bytes.
TEST(ManifestReaderTest, ReadsV1ManifestsWithSequenceNumberZero) {
  auto schema = avro::Schema::Parse(R"({"type":"record","name":"manifest_entry","fields":[
    {"name":"status","field-id":0,"type":"int"},
    {"name":"snapshot_id","field-id":1,"type":"long"},
    {"name":"data_file","field-id":2,"type":{"type":"record","name":"r2","fields":[
      {"name":"file_path","field-id":100,"type":"string"},
      {"name":"file_format","field-id":101,"type":"string"},
      {"name":"partition","field-id":102,"type":{"type":"record","name":"r102","fields":[
        {"name":"d","field-id":1000,"type":["null",{"type":"int","logicalType":"date"}],"default":null}]}},
      {"name":"record_count","field-id":103,"type":"long"},
      {"name":"file_size_in_bytes","field-id":104,"type":"long"},
      {"name":"block_size_in_bytes","field-id":105,"type":"long"},
      {"name":"null_value_counts","field-id":110,"type":["null",{"type":"array","logicalType":"map",
        "items":{"type":"record","name":"k121_v122","fields":[{"name":"key","type":"int","field-id":121},
        {"name":"value","type":"long","field-id":122}]}}],"default":null}]}}]})");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  MemoryOutputStream out;
  avro::WriterOptions wo;
  wo.metadata = {
      {"schema",
       R"({"type":"struct","fields":[{"id":1,"name":"d","required":false,"type":"date"}]})"},
      {"partition-spec", R"([{"name":"d","transform":"identity","source-id":1}])"},
      {"partition-spec-id", "0"},
      {"format-version", "1"}};
  auto writer = avro::ContainerWriter::Make(&out, *schema, Rng(), wo);
  ASSERT_TRUE(writer.ok());
  const avro::Node* r2 = schema->FindNamed("r2");
  const avro::Node* r102 = schema->FindNamed("r102");
  const avro::Node* kv = schema->FindNamed("k121_v122");
  avro::Value df = avro::Value::Record(
      schema->Share(r2), {avro::Value::String("a.parquet"), avro::Value::String("parquet"),
                          avro::Value::Record(schema->Share(r102), {avro::Value::Int(19000)}),
                          avro::Value::Long(3), avro::Value::Long(100), avro::Value::Long(64 << 20),
                          avro::Value::Array({avro::Value::Record(
                              schema->Share(kv), {avro::Value::Int(1), avro::Value::Long(0)})})});
  avro::Value entry = avro::Value::Record(
      schema->root_ref(), {avro::Value::Int(0), avro::Value::Long(42), std::move(df)});
  ASSERT_TRUE((*writer)->Append(entry).ok());
  ASSERT_TRUE((*writer)->Close().ok());

  int version = 0;
  std::vector<ManifestEntry> read = ReadManifest(out.data(), nullptr, &version);
  EXPECT_EQ(version, 1);
  ASSERT_EQ(read.size(), 1u);
  const ManifestEntry& e = read[0];
  EXPECT_EQ(e.status, ManifestEntryStatus::kExisting);
  EXPECT_EQ(e.snapshot_id, 42);
  EXPECT_EQ(e.sequence_number, 0);
  EXPECT_EQ(e.file_sequence_number, 0);
  EXPECT_EQ(e.data_file.content, DataFileContent::kData);
  EXPECT_EQ(e.data_file.file_format, FileFormat::kParquet);
  EXPECT_EQ(e.data_file.partition, (std::vector<Literal>{Literal::Date(19000)}));
  EXPECT_EQ(e.data_file.null_value_counts, (std::map<int32_t, int64_t>{{1, 0}}));
  EXPECT_TRUE(e.data_file.column_sizes.empty());
}

TEST(ManifestReaderTest, BadStatusIsCorruptAndNamesTheEntry) {
  Result<Type> ptype = PartitionSpec{}.PartitionType(TestSchema());
  auto schema = ManifestEntryAvroSchema(*ptype);
  ASSERT_TRUE(schema.ok());
  MemoryOutputStream out("mem://bad");
  avro::WriterOptions wo;
  wo.metadata = {{"schema", SchemaToJsonString(TestSchema())},
                 {"partition-spec", "[]"},
                 {"format-version", "2"}};
  auto writer = avro::ContainerWriter::Make(&out, *schema, Rng(), wo);
  ASSERT_TRUE(writer.ok());
  avro::RecordBuilder df(schema->Share(schema->FindNamed("r2")));
  df.Set("content", avro::Value::Int(0));
  df.Set("file_path", avro::Value::String("p"));
  df.Set("file_format", avro::Value::String("PARQUET"));
  df.Set("partition", avro::Value::Record(schema->Share(schema->FindNamed("r102")), {}));
  df.Set("record_count", avro::Value::Long(1));
  df.Set("file_size_in_bytes", avro::Value::Long(1));
  avro::RecordBuilder e(schema->root_ref());
  e.Set("status", avro::Value::Int(7));
  e.Set("data_file", *df.Build());
  ASSERT_TRUE((*writer)->Append(*e.Build()).ok());
  ASSERT_TRUE((*writer)->Close().ok());
  MemoryRandomAccessFile file("mem://bad", out.data());
  auto reader = ManifestReader::Open(&file);
  ASSERT_TRUE(reader.ok());
  ManifestEntry entry;
  Result<bool> r = (*reader)->Next(&entry);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kCorrupt);
  EXPECT_THAT(r.status().message(), HasSubstr("mem://bad: entry 0"));
}

// ---------------------------------------------------------------------------------------------

Schema NestedSchema() {
  return Schema(
      0, {NestedField{1, "id", true, Type::Primitive(TypeId::kLong), {}, {}, {}},
          NestedField{2, "price", false, Type::Primitive(TypeId::kFloat), {}, {}, {}},
          NestedField{3, "amount", false, Type::Decimal(9, 2), {}, {}, {}},
          NestedField{
              4, "tags", false, Type::List(5, Type::Primitive(TypeId::kString), false), {}, {}, {}},
          NestedField{6,
                      "attrs",
                      false,
                      Type::Map(7, Type::Primitive(TypeId::kString), 8,
                                Type::Primitive(TypeId::kLong), true),
                      {},
                      {},
                      {}},
          NestedField{9,
                      "loc",
                      false,
                      Type::Struct({NestedField{
                          10, "lat", true, Type::Primitive(TypeId::kDouble), {}, {}, {}}}),
                      {},
                      {},
                      {}}});
}

parquet::ColumnMetrics Column(int32_t id, std::optional<std::string> lo,
                              std::optional<std::string> hi) {
  parquet::ColumnMetrics c;
  c.field_id = id;
  c.compressed_size = 100 + id;
  c.value_count = 10 + id;
  c.null_count = id;
  c.nan_count = 1;
  c.lower_bound = std::move(lo);
  c.upper_bound = std::move(hi);
  return c;
}

TEST(DataFileFromParquetTest, MetricsByFieldIdWithoutRepeatedBounds) {
  parquet::FileMetrics m;
  m.file_size = 4096;
  m.record_count = 10;
  m.split_offsets = {4, 2000};
  m.columns = {
      Column(1, std::string("\x01\0\0\0\0\0\0\0", 8), std::string("\x09\0\0\0\0\0\0\0", 8)),
      Column(2, std::string("\0\0\x80\x3f", 4), std::string("\0\0\0\x40", 4)),
      // decimal(9,2) as INT32 little-endian: 128 and -1.
      Column(3, std::string("\xff\xff\xff\xff", 4), std::string("\x80\0\0\0", 4)),
      Column(5, std::string("a"), std::string("b")), Column(7, std::string("k"), std::string("l")),
      Column(8, std::string(8, '\0'), std::string(8, '\0')),
      Column(10, std::string(8, '\0'), std::nullopt)};
  Result<DataFile> f = DataFileFromParquet("s3://b/f.parquet", FileFormat::kParquet, m,
                                           {Literal::Long(1)}, NestedSchema());
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->file_path, "s3://b/f.parquet");
  EXPECT_EQ(f->record_count, 10);
  EXPECT_EQ(f->file_size_in_bytes, 4096);
  EXPECT_EQ(f->split_offsets, (std::vector<int64_t>{4, 2000}));
  EXPECT_EQ(f->partition, (std::vector<Literal>{Literal::Long(1)}));
  EXPECT_EQ(f->column_sizes,
            (std::map<int32_t, int64_t>{
                {1, 101}, {2, 102}, {3, 103}, {5, 105}, {7, 107}, {8, 108}, {10, 110}}));
  // Counts and bounds: top-level and struct leaves only.
  EXPECT_EQ(f->value_counts, (std::map<int32_t, int64_t>{{1, 11}, {2, 12}, {3, 13}, {10, 20}}));
  EXPECT_EQ(f->null_value_counts, (std::map<int32_t, int64_t>{{1, 1}, {2, 2}, {3, 3}, {10, 10}}));
  EXPECT_EQ(f->nan_value_counts, (std::map<int32_t, int64_t>{{2, 1}, {10, 1}}));
  EXPECT_EQ(f->lower_bounds.size(), 4u);
  EXPECT_EQ(f->upper_bounds.size(), 3u);
  EXPECT_EQ(f->lower_bounds.at(3), std::string("\xff", 1));
  EXPECT_EQ(f->upper_bounds.at(3), std::string("\x00\x80", 2));
  EXPECT_EQ(f->lower_bounds.at(2), std::string("\0\0\x80\x3f", 4));
  EXPECT_EQ(f->lower_bounds.count(5), 0u);
}

TEST(DataFileFromParquetTest, UnknownFieldIdIsAnError) {
  parquet::FileMetrics m;
  m.columns = {Column(99, std::nullopt, std::nullopt)};
  Result<DataFile> f = DataFileFromParquet("f", FileFormat::kParquet, m, {}, NestedSchema());
  ASSERT_FALSE(f.ok());
  EXPECT_THAT(f.status().message(), HasSubstr("99"));
}

TEST(FileFormatTest, ParsesCaseInsensitively) {
  EXPECT_EQ(*ParseFileFormat("parquet"), FileFormat::kParquet);
  EXPECT_EQ(*ParseFileFormat("Avro"), FileFormat::kAvro);
  EXPECT_EQ(FileFormatName(FileFormat::kOrc), "ORC");
  EXPECT_FALSE(ParseFileFormat("csv").ok());
}

}  // namespace
}  // namespace floe::iceberg
