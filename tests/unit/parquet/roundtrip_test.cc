// Round trip: rows of every type × required/optional × nesting, written by floe's writer and read
// back by floe's reader, equal the rows shredded by the test's own model (tests/support/rows.h),
// for every codec, encoding and page version; plus empty files, one row, all-null columns,
// 10^6 rows, long and non-ASCII strings, extreme values and NaN (RandomRows makes those).

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "floe/io/file.h"
#include "support/parquet_files.h"
#include "support/rows.h"

namespace floe::parquet {
namespace {

using testing::ModelLeaves;
using testing::RandomRows;
using testing::Row;
using testing::Value;

struct Variant {
  std::string name;
  WriterOptions options;
};
void PrintTo(const Variant& v, std::ostream* os) { *os << v.name; }

std::vector<Variant> Variants() {
  std::vector<Variant> out;
  for (CodecKind c : {CodecKind::kNone, CodecKind::kSnappy, CodecKind::kGzip, CodecKind::kZstd,
                      CodecKind::kLz4Raw}) {
    WriterOptions o;
    o.codec = c;
    o.codec_level = 0;
    out.push_back({std::string(CodecKindName(c)), o});
  }
  WriterOptions plain;
  plain.default_encoding = ColumnEncoding::kPlain;
  out.push_back({"plain", plain});
  WriterOptions dict;
  dict.default_encoding = ColumnEncoding::kDictionary;
  dict.dictionary_page_size_limit_bytes = 4096;  // forces the fallback mid-chunk
  out.push_back({"dictionary_fallback", dict});
  WriterOptions v2;
  v2.data_page_version = DataPageVersion::kV2;
  out.push_back({"page_v2", v2});
  WriterOptions small;
  small.page_size_bytes = 512;
  small.row_group_size_bytes = 32 * 1024;
  out.push_back({"small_pages_and_row_groups", small});
  WriterOptions small_v2 = small;
  small_v2.data_page_version = DataPageVersion::kV2;
  small_v2.codec = CodecKind::kSnappy;
  out.push_back({"small_pages_v2_snappy", small_v2});
  return out;
}

// Writes, reads back, and checks leaves, every column and the metrics against the model.
void CheckRoundTrip(const Schema& schema, const std::vector<Row>& rows, const WriterOptions& options,
                    size_t batch_rows = 1000) {
  auto written = testing::WriteParquet(schema, rows, options, batch_rows);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  auto expected = testing::Shred(schema, rows);
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();
  std::vector<LeafColumn> model = ModelLeaves(schema);

  MemoryRandomAccessFile file("memory:roundtrip.parquet", written->bytes);
  auto reader = ParquetReader::Open(&file);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->num_rows(), static_cast<int64_t>(rows.size()));
  const auto& leaves = (*reader)->leaf_columns();
  ASSERT_EQ(leaves.size(), model.size());
  for (size_t i = 0; i < model.size(); ++i) {
    EXPECT_EQ(leaves[i].path, model[i].path) << i;
    EXPECT_EQ(leaves[i].field_id, model[i].field_id) << i;
    EXPECT_EQ(leaves[i].max_def, model[i].max_def) << i;
    EXPECT_EQ(leaves[i].max_rep, model[i].max_rep) << i;
    EXPECT_EQ(leaves[i].physical, model[i].physical) << i;
    EXPECT_EQ(leaves[i].type, model[i].type) << i;
  }
  auto actual = testing::ReadAllColumns(reader->get());
  ASSERT_TRUE(actual.ok()) << actual.status().ToString();
  ASSERT_EQ(actual->columns.size(), model.size());
  for (size_t i = 0; i < model.size(); ++i) {
    std::string diff = testing::DiffColumns(expected->columns[i], actual->columns[i]);
    EXPECT_EQ(diff, "") << "column " << i << " (field id " << model[i].field_id << ")";
  }

  // Metrics the manifest will carry.
  const FileMetrics& m = written->metrics;
  EXPECT_EQ(m.record_count, static_cast<int64_t>(rows.size()));
  EXPECT_EQ(m.file_size, static_cast<int64_t>(written->bytes.size()));
  ASSERT_EQ(m.columns.size(), model.size());
  for (size_t i = 0; i < model.size(); ++i) {
    const ColumnVector& c = expected->columns[i];
    EXPECT_EQ(m.columns[i].field_id, model[i].field_id);
    EXPECT_EQ(m.columns[i].value_count, c.num_levels) << i;
    int64_t nulls = 0;
    if (model[i].max_def > 0) {
      // Nulls are entries defined up to the leaf's parent but not the leaf itself; Iceberg counts
      // every entry below max_def whose leaf could hold a value.
      for (int16_t d : c.def_levels) nulls += d < model[i].max_def ? 1 : 0;
    }
    if (model[i].max_rep == 0) {
      EXPECT_EQ(m.columns[i].null_count, nulls) << i;
    }
    if (c.num_values == 0) {
      EXPECT_FALSE(m.columns[i].lower_bound.has_value()) << i;
    }
  }
}

class RoundTrip : public ::testing::TestWithParam<Variant> {};

TEST_P(RoundTrip, EveryTypeRandomRows) {
  Schema schema = testing::EveryTypeSchema();
  RandomRows gen(42);
  std::vector<Row> rows;
  for (int i = 0; i < 3000; ++i) rows.push_back(gen.Next(schema));
  CheckRoundTrip(schema, rows, GetParam().options, 700);
}

TEST_P(RoundTrip, AllNullOptionalColumns) {
  Schema schema = testing::EveryTypeSchema();
  RandomRows gen(7);
  gen.null_probability = 1.0;
  std::vector<Row> rows;
  for (int i = 0; i < 500; ++i) rows.push_back(gen.Next(schema));
  CheckRoundTrip(schema, rows, GetParam().options);
}

TEST_P(RoundTrip, OneRow) {
  Schema schema = testing::EveryTypeSchema();
  RandomRows gen(9);
  gen.null_probability = 0;
  CheckRoundTrip(schema, {gen.Next(schema)}, GetParam().options);
}

TEST_P(RoundTrip, EmptyFile) {
  CheckRoundTrip(testing::EveryTypeSchema(), {}, GetParam().options);
}

INSTANTIATE_TEST_SUITE_P(Variants, RoundTrip, ::testing::ValuesIn(Variants()),
                         [](const auto& info) { return info.param.name; });

Field Column(int32_t id, const char* name, FieldType t, bool required) {
  Field f;
  f.field_id = id;
  f.name = name;
  f.type = t;
  f.required = required;
  return f;
}

TEST(RoundTripLarge, MillionRows) {
  Schema schema;
  schema.fields = {Column(1, "id", FieldType::kLong, true), Column(2, "type", FieldType::kString, true),
                   Column(3, "ts", FieldType::kTimestampTz, true), Column(4, "v", FieldType::kDouble, false),
                   Column(5, "flag", FieldType::kBoolean, false)};
  std::vector<Row> rows;
  rows.reserve(1000000);
  for (int64_t i = 0; i < 1000000; ++i) {
    rows.push_back({Value::Int(i * 7919 % 1000003), Value::Bytes("type-" + std::to_string(i % 37)),
                    Value::Int(1767225600000000LL + i * 1000), i % 10 == 0 ? Value::Null() : Value::Double(i * 0.5),
                    i % 3 == 0 ? Value::Null() : Value::Bool(i % 2)});
  }
  WriterOptions o;
  o.row_group_size_bytes = 8 << 20;
  CheckRoundTrip(schema, rows, o, 100000);
}

// A RowBatch reused for the next row group keeps its value bytes when that row group's strings
// are a little longer: the reader's reserve has room for it (growing the string would double its
// capacity and fault in a fresh copy of a whole column).
TEST(RoundTripLarge, ReusedBatchKeepsByteCapacityForSlightlyLongerStrings) {
  Schema schema;
  schema.fields = {Column(1, "s", FieldType::kString, true)};
  std::vector<Row> rows;
  for (int i = 0; i < 2000; ++i) {
    const size_t length = i >= 1000 && i < 1010 ? 3001 : 3000;  // the second row group: 10 more
    rows.push_back({Value::Bytes(std::string(length, static_cast<char>('a' + i % 26)))});
  }
  WriterOptions o;
  o.codec = CodecKind::kNone;
  o.default_encoding = ColumnEncoding::kPlain;
  o.row_group_size_bytes = 1;  // a row group per batch of 1000 rows
  auto written = testing::WriteParquet(schema, rows, o, 1000);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  MemoryRandomAccessFile file("memory:capacity.parquet", written->bytes);
  auto reader = ParquetReader::Open(&file);
  ASSERT_TRUE(reader.ok());
  ASSERT_EQ((*reader)->num_row_groups(), 2);
  RowBatch batch;
  ASSERT_TRUE((*reader)->ReadRowGroup(0, {0}, &batch).ok());
  const size_t capacity = batch.columns[0].bytes.capacity();
  ASSERT_TRUE((*reader)->ReadRowGroup(1, {0}, &batch).ok());
  EXPECT_EQ(batch.columns[0].bytes.capacity(), capacity);
  const ColumnVector& c = batch.columns[0];
  ASSERT_EQ(c.num_values, 1000);
  EXPECT_EQ(c.bytes.substr(c.offsets[999], c.offsets[1000] - c.offsets[999]), rows[1999][0].bytes);
}

TEST(RoundTripThreads, ParallelDecodeEqualsOneThread) {
  Schema schema = testing::EveryTypeSchema();
  RandomRows gen(11);
  std::vector<Row> rows;
  for (int i = 0; i < 2000; ++i) rows.push_back(gen.Next(schema));
  WriterOptions o;
  o.row_group_size_bytes = 64 * 1024;
  auto written = testing::WriteParquet(schema, rows, o);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  MemoryRandomAccessFile file("memory:threads.parquet", written->bytes);
  auto one = ParquetReader::Open(&file);
  ASSERT_TRUE(one.ok());
  ReaderOptions ro;
  ro.threads = 3;
  auto three = ParquetReader::Open(&file, ro);
  ASSERT_TRUE(three.ok());
  ASSERT_GT((*one)->num_row_groups(), 1);
  auto a = testing::ReadAllColumns(one->get());
  auto b = testing::ReadAllColumns(three->get());
  ASSERT_TRUE(a.ok() && b.ok());
  for (size_t i = 0; i < a->columns.size(); ++i) {
    EXPECT_EQ(testing::DiffColumns(a->columns[i], b->columns[i]), "") << "column " << i;
  }
  // An error in one column is reported the same way with threads.
  std::string broken = written->bytes;
  for (size_t k = 200; k < 400; ++k) broken[k] = static_cast<char>(broken[k] ^ 0x5a);
  MemoryRandomAccessFile bad("memory:broken.parquet", broken);
  auto r1 = ParquetReader::Open(&bad);
  auto r3 = ParquetReader::Open(&bad, ro);
  ASSERT_TRUE(r1.ok() && r3.ok());
  std::vector<int> all;
  for (size_t i = 0; i < (*r1)->leaf_columns().size(); ++i) all.push_back(static_cast<int>(i));
  RowBatch x, y;
  Status s1 = (*r1)->ReadRowGroup(0, all, &x);
  Status s3 = (*r3)->ReadRowGroup(0, all, &y);
  EXPECT_EQ(s1.ToString(), s3.ToString());
}

TEST(RoundTripValues, ExtremesNaNAndStrings) {
  Schema schema;
  schema.fields = {Column(1, "f", FieldType::kFloat, false), Column(2, "d", FieldType::kDouble, false),
                   Column(3, "l", FieldType::kLong, false), Column(4, "s", FieldType::kString, false)};
  double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  std::vector<Row> rows = {
      {Value::Double(nan), Value::Double(nan), Value::Int(INT64_MIN), Value::Bytes("")},
      {Value::Double(-0.0), Value::Double(-0.0), Value::Int(INT64_MAX), Value::Bytes(std::string(1 << 20, 'x'))},
      {Value::Double(inf), Value::Double(-inf), Value::Int(0), Value::Bytes("日本語 ✓ 😀 \xc3\xa9")},
      {Value::Null(), Value::Null(), Value::Null(), Value::Null()},
      {Value::Double(3.4028234663852886e38), Value::Double(4.9406564584124654e-324), Value::Int(-1),
       Value::Bytes(std::string("nul\0byte", 8))},
  };
  CheckRoundTrip(schema, rows, WriterOptions{});
  // Bounds skip NaN; an all-NaN column has none.
  auto w = testing::WriteParquet(schema, {rows[0]}, WriterOptions{});
  ASSERT_TRUE(w.ok());
  EXPECT_FALSE(w->metrics.columns[0].lower_bound.has_value());
  EXPECT_EQ(w->metrics.columns[0].nan_count, 1);
}

}  // namespace
}  // namespace floe::parquet
