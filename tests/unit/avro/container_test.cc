#include "floe/avro/container.h"

#include <gtest/gtest.h>

#include <random>

#include "unit/avro/manifest_schemas.h"

namespace floe::avro {
namespace {

Schema ManifestFileSchema() {
  auto s = Schema::Parse(testing::kManifestFileSchema);
  EXPECT_TRUE(s.ok());
  return *s;
}

Value ManifestFile(const Schema& s, int i) {
  std::vector<Value> partitions;
  partitions.push_back(
      Value::Record(s.Share(s.FindNamed("r508")),
                    {Value::Boolean(i % 2 == 0), Value::Boolean(false),
                     Value::Bytes(std::string("\x01\x00\x00\x00", 4)), Value::Null()}));
  auto v = RecordBuilder(s.root_ref())
               .Set("manifest_path",
                    Value::String("s3://bucket/t/metadata/m" + std::to_string(i) + ".avro"))
               .Set("manifest_length", Value::Long(1000 + i))
               .Set("partition_spec_id", Value::Int(0))
               .Set("content", Value::Int(0))
               .Set("sequence_number", Value::Long(i))
               .Set("min_sequence_number", Value::Long(i))
               .Set("added_snapshot_id", Value::Long(int64_t{1} << 40 | i))
               .Set("added_files_count", Value::Int(i))
               .Set("existing_files_count", Value::Int(0))
               .Set("deleted_files_count", Value::Int(0))
               .Set("added_rows_count", Value::Long(i * 10))
               .Set("existing_rows_count", Value::Long(0))
               .Set("deleted_rows_count", Value::Long(0))
               .Set("partitions", Value::Array(std::move(partitions)))
               .Build();
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return *v;
}

struct Written {
  std::string bytes;
  std::array<uint8_t, kSyncSize> sync;
};

Written Write(const Schema& schema, const std::vector<Value>& values, WriterOptions options) {
  MemoryOutputStream out("memory:test.avro");
  std::mt19937_64 rng(42);
  auto w = ContainerWriter::Make(
      &out, schema, [&rng] { return rng(); }, std::move(options));
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  for (const Value& v : values) {
    Status st = (*w)->Append(v);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  EXPECT_TRUE((*w)->Close().ok());
  return {out.Release(), (*w)->sync_marker()};
}

std::vector<Value> ReadAll(RandomAccessFile* file, ReaderOptions options = {}) {
  auto r = ContainerReader::Open(file, std::move(options));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  std::vector<Value> out;
  if (!r.ok()) return out;
  Value v;
  while (true) {
    auto more = (*r)->Next(&v);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    out.push_back(v);
  }
  return out;
}

Status ReadError(const std::string& bytes) {
  MemoryRandomAccessFile file("memory:bad.avro", bytes);
  auto r = ContainerReader::Open(&file);
  if (!r.ok()) return r.status();
  Value v;
  while (true) {
    auto more = (*r)->Next(&v);
    if (!more.ok()) return more.status();
    if (!*more) return Status::OK();
  }
}

class ContainerCodecTest : public ::testing::TestWithParam<ContainerCodec> {};

TEST_P(ContainerCodecTest, RoundTripManyBlocks) {
  Schema schema = ManifestFileSchema();
  std::vector<Value> values;
  for (int i = 0; i < 3000; ++i) values.push_back(ManifestFile(schema, i));
  WriterOptions options;
  options.codec = GetParam();
  options.block_size_bytes = 16 << 10;
  options.metadata = {{"format-version", "2"}, {"snapshot-id", "77"}};
  Written w = Write(schema, values, options);
  MemoryRandomAccessFile file("memory:test.avro", w.bytes);
  auto r = ContainerReader::Open(&file);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->codec(), GetParam());
  EXPECT_EQ((*r)->Metadata("format-version"), "2");
  EXPECT_EQ((*r)->Metadata("snapshot-id"), "77");
  EXPECT_EQ((*r)->Metadata("avro.codec"), ContainerCodecName(GetParam()));
  EXPECT_EQ((*r)->sync_marker(), w.sync);
  // The embedded schema keeps the Iceberg ids.
  EXPECT_EQ((*r)->writer_schema().ToString(), schema.ToString());
  EXPECT_NE((*r)->Metadata("avro.schema")->find(R"("element-id":508)"), std::string::npos);
  std::vector<Value> back = ReadAll(&file);
  ASSERT_EQ(back.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(back[i].ToJson(), values[i].ToJson()) << i;
  }
  EXPECT_EQ(back[17].FieldById(507)->item(0).FieldById(510)->bytes(),
            std::string("\x01\x00\x00\x00", 4));
}

INSTANTIATE_TEST_SUITE_P(Codecs, ContainerCodecTest,
                         ::testing::Values(ContainerCodec::kNull, ContainerCodec::kDeflate,
                                           ContainerCodec::kSnappy, ContainerCodec::kZstandard),
                         [](const auto& info) {
                           return std::string(ContainerCodecName(info.param));
                         });

TEST(ContainerTest, ManifestEntryFieldIdsSurviveWriteAndRead) {
  Schema schema = *Schema::Parse(testing::kManifestEntrySchema);
  auto data_file =
      RecordBuilder(schema.Share(schema.FindNamed("r2")))
          .SetById(134, Value::Int(0))
          .SetById(100, Value::String("s3://b/t/data/a.parquet"))
          .SetById(101, Value::String("PARQUET"))
          .SetById(102, Value::Record(schema.Share(schema.FindNamed("r102")), {Value::Null()}))
          .SetById(103, Value::Long(10))
          .SetById(104, Value::Long(2048))
          .SetById(135, Value::Array({Value::Int(1), Value::Int(2)}))
          .Build();
  ASSERT_TRUE(data_file.ok()) << data_file.status().ToString();
  auto entry =
      RecordBuilder(schema.root_ref()).SetById(0, Value::Int(1)).SetById(2, *data_file).Build();
  ASSERT_TRUE(entry.ok()) << entry.status().ToString();
  Written w = Write(schema, {*entry}, WriterOptions());
  MemoryRandomAccessFile file("memory:m.avro", w.bytes);
  auto r = ContainerReader::Open(&file);
  ASSERT_TRUE(r.ok());
  const Schema& read = (*r)->writer_schema();
  const Node* df = read.root().fields[read.root().FieldIndexById(2)].type;
  ASSERT_NE(df, nullptr);
  for (int id :
       {134, 100, 101, 102, 103, 104, 108, 109, 110, 137, 125, 128, 131, 132, 135, 140, 143}) {
    EXPECT_GE(df->FieldIndexById(id), 0) << id;
  }
  EXPECT_EQ(df->fields[df->FieldIndexById(135)].type->OptionalType()->element_id, 136);
  EXPECT_EQ(read.FindNamed("r102")->fields[0].field_id, 1000);
  EXPECT_EQ(read.FindNamed("k129_v130")->fields[1].field_id, 130);
  std::vector<Value> back = ReadAll(&file);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].FieldById(2)->FieldById(135)->item(1).int_value(), 2);
  EXPECT_TRUE(back[0].FieldById(1)->is_null());
  EXPECT_EQ(back[0].ToJson(), entry->ToJson());
}

// An output stream that fails after `budget` bytes.
class FailingStream : public OutputStream {
 public:
  explicit FailingStream(int64_t budget) : budget_(budget) {}
  const std::string& location() const override { return location_; }
  Status Append(ByteView data) override {
    if (written_ + static_cast<int64_t>(data.size()) > budget_) return Status::IOError("disk full");
    written_ += static_cast<int64_t>(data.size());
    return Status::OK();
  }
  int64_t Tell() const override { return written_; }
  Status Close() override { return Status::OK(); }
  void Abort() override {}

 private:
  std::string location_ = "file:///full/m.avro";
  int64_t budget_;
  int64_t written_ = 0;
};

TEST(ContainerTest, WriteErrorsNameTheFile) {
  Schema schema = ManifestFileSchema();
  std::mt19937_64 rng(3);
  FailingStream tiny(10);
  auto bad = ContainerWriter::Make(
      &tiny, schema, [&rng] { return rng(); }, WriterOptions());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().kind(), ErrorKind::kIOError);
  EXPECT_NE(bad.status().message().find("file:///full/m.avro"), std::string::npos);
  FailingStream small(4000);
  WriterOptions uncompressed;
  uncompressed.codec = ContainerCodec::kNull;
  auto w = ContainerWriter::Make(
      &small, schema, [&rng] { return rng(); }, uncompressed);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append(ManifestFile(schema, 1)).ok());
  Value v = ManifestFile(schema, 2);
  *v.MutableFieldById(500) = Value::String(std::string(8000, 'x'));
  ASSERT_TRUE((*w)->Append(v).ok());
  Status st = (*w)->Close();
  EXPECT_EQ(st.kind(), ErrorKind::kIOError);
  EXPECT_NE(st.message().find("block 0"), std::string::npos) << st.ToString();
}

TEST(ContainerTest, HeaderLayout) {
  Schema schema = *Schema::Parse(R"("long")");
  WriterOptions options;
  options.codec = ContainerCodec::kNull;
  options.metadata = {{"k", "v"}};
  Written w = Write(schema, {Value::Long(1), Value::Long(-1)}, options);
  std::string expect("Obj\x01", 4);
  expect += "\x06";  // 3 entries
  expect +=
      "\x16"
      "avro.schema"
      "\x0c"
      "\"long\"";
  expect +=
      "\x14"
      "avro.codec"
      "\x08"
      "null";
  expect +=
      "\x02"
      "k"
      "\x02"
      "v";
  expect += std::string("\x00", 1);
  expect += std::string(reinterpret_cast<const char*>(w.sync.data()), kSyncSize);
  expect += "\x04\x04\x02\x01";  // 2 records, 2 bytes: 1, -1
  expect += std::string(reinterpret_cast<const char*>(w.sync.data()), kSyncSize);
  EXPECT_EQ(w.bytes, expect);
  // The sync marker comes from the random source.
  std::mt19937_64 rng(42);
  uint64_t first = rng();
  EXPECT_EQ(std::memcmp(w.sync.data(), &first, 8), 0);
}

TEST(ContainerTest, DefaultCodecIsDeflateAndEmptyFileReads) {
  Schema schema = ManifestFileSchema();
  Written w = Write(schema, {}, WriterOptions());
  MemoryRandomAccessFile file("memory:empty.avro", w.bytes);
  auto r = ContainerReader::Open(&file);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->codec(), ContainerCodec::kDeflate);
  Value v;
  auto more = (*r)->Next(&v);
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);
}

TEST(ContainerTest, WriterRejectsBadInput) {
  Schema schema = ManifestFileSchema();
  MemoryOutputStream out;
  std::mt19937_64 rng(1);
  WriterOptions options;
  options.metadata = {{"avro.custom", "x"}};
  EXPECT_FALSE(ContainerWriter::Make(
                   &out, schema, [&rng] { return rng(); }, options)
                   .ok());
  auto w = ContainerWriter::Make(
      &out, schema, [&rng] { return rng(); }, WriterOptions());
  ASSERT_TRUE(w.ok());
  EXPECT_FALSE((*w)->Append(Value::Long(1)).ok());
  // A rejected record leaves nothing behind: the file holds only the good one.
  ASSERT_TRUE((*w)->Append(ManifestFile(schema, 1)).ok());
  ASSERT_TRUE((*w)->Close().ok());
  MemoryRandomAccessFile file("memory:x.avro", out.data());
  EXPECT_EQ(ReadAll(&file).size(), 1u);
}

TEST(ContainerTest, ReaderSchemaResolvesByFieldId) {
  Schema schema = ManifestFileSchema();
  Written w = Write(schema, {ManifestFile(schema, 3)}, WriterOptions());
  MemoryRandomAccessFile file("memory:x.avro", w.bytes);
  ReaderOptions options;
  options.reader_schema = *Schema::Parse(R"({"type":"record","name":"manifest_file","fields":[
      {"name":"added_data_files_count","type":"int","field-id":504},
      {"name":"path","type":"string","field-id":500},
      {"name":"first_row_id","type":["null","long"],"field-id":520}]})");
  auto back = ReadAll(&file, options);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].Field("added_data_files_count")->int_value(), 3);
  EXPECT_EQ(back[0].FieldById(500)->string_value(), "s3://bucket/t/metadata/m3.avro");
  EXPECT_TRUE(back[0].FieldById(520)->is_null());
}

// Counts and bounds the reads, to show the reader streams.
class CountingFile : public RandomAccessFile {
 public:
  explicit CountingFile(std::string data) : inner_("memory:big.avro", std::move(data)) {}
  const std::string& location() const override { return inner_.location(); }
  Result<int64_t> Size() override { return inner_.Size(); }
  Status ReadAt(int64_t offset, int64_t n, uint8_t* out) override {
    max_read = std::max(max_read, n);
    total += n;
    return inner_.ReadAt(offset, n, out);
  }
  int64_t max_read = 0;
  int64_t total = 0;

 private:
  MemoryRandomAccessFile inner_;
};

TEST(ContainerTest, ReaderStreamsBlockByBlock) {
  Schema schema = ManifestFileSchema();
  std::vector<Value> values;
  for (int i = 0; i < 20000; ++i) values.push_back(ManifestFile(schema, i));
  WriterOptions options;
  options.codec = ContainerCodec::kNull;
  Written w = Write(schema, values, options);
  ASSERT_GT(w.bytes.size(), 1u << 20);
  CountingFile file(w.bytes);
  auto r = ContainerReader::Open(&file);
  ASSERT_TRUE(r.ok());
  Value v;
  int64_t n = 0;
  while (*(*r)->Next(&v)) ++n;
  EXPECT_EQ(n, 20000);
  EXPECT_GT((*r)->block_index(), 10);
  EXPECT_LE(file.max_read, 80 << 10);
  EXPECT_LE(file.total, static_cast<int64_t>(w.bytes.size()) + (64 << 10));
}

std::string SmallFile(ContainerCodec codec, std::array<uint8_t, kSyncSize>* sync = nullptr) {
  Schema schema =
      *Schema::Parse(R"({"type":"record","name":"r","fields":[{"name":"s","type":"string"}]})");
  std::vector<Value> values;
  for (int i = 0; i < 10; ++i)
    values.push_back(
        Value::Record(schema.root_ref(), {Value::String("value " + std::to_string(i))}));
  WriterOptions options;
  options.codec = codec;
  Written w = Write(schema, values, options);
  if (sync) *sync = w.sync;
  return w.bytes;
}

// A caller's own decoder sees each record's bytes as written; its errors carry the file, block
// and record, and the reader stays failed after one.
TEST(ContainerTest, RecordDecoderReadsRecordsAsWritten) {
  auto schema = Schema::Parse(R"({"type":"record","name":"r","fields":[
    {"name":"a","type":"long"},{"name":"b","type":"string"}]})");
  ASSERT_TRUE(schema.ok());
  std::vector<Value> values;
  for (int i = 0; i < 50; ++i) {
    values.push_back(Value::Record(schema->root_ref(),
                                   {Value::Long(i * 1000), Value::String(std::to_string(i))}));
  }
  WriterOptions options;
  options.block_size_bytes = 64;  // several blocks
  Written w = Write(*schema, values, options);

  class SumDecoder final : public RecordDecoder {
   public:
    Status Decode(BinaryReader* in) override {
      FLOE_ASSIGN_OR_RETURN(int64_t a, in->ReadLong());
      FLOE_ASSIGN_OR_RETURN(std::string_view b, in->ReadBytes());
      if (a == fail_at) return Status::Corrupt("no " + std::to_string(a));
      sum += a;
      text += b;
      return Status::OK();
    }
    int64_t fail_at = -1;
    int64_t sum = 0;
    std::string text;
  };
  MemoryRandomAccessFile file("memory:test.avro", w.bytes);
  auto reader = ContainerReader::Open(&file);
  ASSERT_TRUE(reader.ok());
  SumDecoder sum;
  int records = 0;
  while (true) {
    auto more = (*reader)->Next(&sum);
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    if (!*more) break;
    ++records;
  }
  EXPECT_EQ(records, 50);
  EXPECT_EQ(sum.sum, 1000 * 49 * 50 / 2);
  EXPECT_EQ(sum.text.substr(0, 12), "012345678910");
  EXPECT_GT((*reader)->block_index(), 2);

  auto again = ContainerReader::Open(&file);
  ASSERT_TRUE(again.ok());
  SumDecoder failing;
  failing.fail_at = 7000;
  Status error;
  for (int i = 0; i < 60 && error.ok(); ++i) error = (*again)->Next(&failing).status();
  EXPECT_EQ(error.kind(), ErrorKind::kCorrupt);
  EXPECT_NE(error.message().find("memory:test.avro: block"), std::string::npos) << error.message();
  EXPECT_NE(error.message().find("record 7 "), std::string::npos) << error.message();
  EXPECT_NE(error.message().find("no 7000"), std::string::npos) << error.message();
  EXPECT_FALSE((*again)->Next(&failing).ok());
  // Generic values after a decoder on the same file work too (the datum reader is built lazily).
  auto generic = ContainerReader::Open(&file);
  ASSERT_TRUE(generic.ok());
  Value v;
  ASSERT_TRUE((*generic)->Next(&sum).ok());
  auto more = (*generic)->Next(&v);
  ASSERT_TRUE(more.ok() && *more);
  EXPECT_EQ(v, values[1]);
}

TEST(ContainerTest, CorruptFilesFailWithWhere) {
  std::array<uint8_t, kSyncSize> sync;
  std::string good = SmallFile(ContainerCodec::kNull, &sync);
  ASSERT_TRUE(ReadError(good).ok());
  size_t block_start =
      good.find(std::string(reinterpret_cast<const char*>(sync.data()), kSyncSize)) + kSyncSize;

  std::string bad_magic = good;
  bad_magic[3] = 2;
  EXPECT_EQ(ReadError(bad_magic).kind(), ErrorKind::kCorrupt);

  // Truncated anywhere: an error, never a crash or a silent short read.
  for (size_t n = 0; n < good.size(); n += 7) {
    Status st = ReadError(good.substr(0, n));
    EXPECT_FALSE(st.ok()) << "truncated at " << n;
  }

  std::string bad_sync = good;
  bad_sync[bad_sync.size() - 1] ^= 1;
  Status st = ReadError(bad_sync);
  EXPECT_EQ(st.kind(), ErrorKind::kCorrupt);
  EXPECT_NE(st.message().find("memory:bad.avro"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("block 1"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("offset " + std::to_string(block_start)), std::string::npos)
      << st.ToString();
  EXPECT_NE(st.message().find("sync"), std::string::npos) << st.ToString();

  // Record count larger than the block holds.
  std::string bad_count = good;
  bad_count[block_start] = 0x16;  // 11 records instead of 10
  st = ReadError(bad_count);
  EXPECT_EQ(st.kind(), ErrorKind::kCorrupt) << st.ToString();
  EXPECT_NE(st.message().find("record 10"), std::string::npos) << st.ToString();

  // Fewer records than the block holds: bytes left over.
  std::string short_count = good;
  short_count[block_start] = 0x12;
  EXPECT_EQ(ReadError(short_count).kind(), ErrorKind::kCorrupt);

  // Block size past the end.
  std::string huge = good.substr(0, block_start) + "\x14\xfe\xff\xff\xff\x0f";
  st = ReadError(huge);
  EXPECT_EQ(st.kind(), ErrorKind::kCorrupt);
  EXPECT_NE(st.message().find("block size"), std::string::npos) << st.ToString();

  // Negative record count.
  std::string negative = good;
  negative[block_start] = 0x13;
  EXPECT_EQ(ReadError(negative).kind(), ErrorKind::kCorrupt);

  // Header without avro.schema, and with an unknown codec.
  std::string no_schema("Obj\x01\x02\x02k\x02v\x00", 10);
  no_schema += std::string(16, 'S');
  EXPECT_EQ(ReadError(no_schema).kind(), ErrorKind::kCorrupt);
  std::string bad_codec(
      "Obj\x01\x04\x16"
      "avro.schema\x0c\"long\"\x14"
      "avro.codec\x06lzo\x00",
      40);
  bad_codec += std::string(16, 'S');
  EXPECT_EQ(ReadError(bad_codec).kind(), ErrorKind::kInvalidArgument);
  std::string no_codec(
      "Obj\x01\x02\x16"
      "avro.schema\x0c\"long\"\x00",
      25);
  no_codec += std::string(16, 'S') + "\x02\x02\x04" + std::string(16, 'S');
  EXPECT_TRUE(ReadError(no_codec).ok()) << ReadError(no_codec).ToString();  // absent → null
}

TEST(ContainerTest, CompressedBlockCorruption) {
  std::array<uint8_t, kSyncSize> sync;
  std::string snappy = SmallFile(ContainerCodec::kSnappy, &sync);
  ASSERT_TRUE(ReadError(snappy).ok());
  // The CRC sits just before the final sync marker.
  std::string bad_crc = snappy;
  bad_crc[bad_crc.size() - kSyncSize - 1] ^= 0x40;
  Status st = ReadError(bad_crc);
  EXPECT_EQ(st.kind(), ErrorKind::kCorrupt);
  EXPECT_NE(st.message().find("CRC"), std::string::npos) << st.ToString();

  std::string deflate = SmallFile(ContainerCodec::kDeflate);
  std::string bad = deflate;
  for (size_t i = bad.size() - kSyncSize - 12; i < bad.size() - kSyncSize; ++i) bad[i] = '\xff';
  EXPECT_FALSE(ReadError(bad).ok());
}

TEST(ContainerTest, DecompressedSizeIsBounded) {
  Schema schema = *Schema::Parse(R"("string")");
  WriterOptions options;
  options.block_size_bytes = 8 << 20;
  Written w = Write(schema, {Value::String(std::string(4 << 20, 'a'))}, options);
  ASSERT_LT(w.bytes.size(), 100000u);
  MemoryRandomAccessFile file("memory:bomb.avro", w.bytes);
  ReaderOptions ro;
  ro.max_decompressed_block_bytes = 1 << 20;
  auto r = ContainerReader::Open(&file, ro);
  ASSERT_TRUE(r.ok());
  Value v;
  auto more = (*r)->Next(&v);
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.status().kind(), ErrorKind::kResourceExhausted);
  // Errors stick.
  EXPECT_FALSE((*r)->Next(&v).ok());
}

}  // namespace
}  // namespace floe::avro
