#include "floe/parquet/writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "floe/io/file.h"
#include "floe/parquet/column_writer_stats.h"
#include "floe/parquet/format.h"
#include "floe/parquet/reader.h"
#include "floe/util/endian.h"
#include "support/rows.h"

namespace floe::parquet {
namespace {

using format::Encoding;

Field Col(int32_t id, std::string name, FieldType t, bool required = false) {
  Field f;
  f.field_id = id;
  f.name = std::move(name);
  f.type = t;
  f.required = required;
  return f;
}

Schema OneColumn(Field f) {
  Schema s;
  s.fields.push_back(std::move(f));
  return s;
}

// An optional flat column from optional values.
template <typename T>
ColumnVector Optional(const std::vector<std::optional<T>>& values,
                      std::vector<T> ColumnVector::*m) {
  ColumnVector c;
  c.num_levels = static_cast<int64_t>(values.size());
  for (const auto& v : values) {
    c.def_levels.push_back(v.has_value() ? 1 : 0);
    if (v.has_value()) (c.*m).push_back(*v);
  }
  c.num_values = static_cast<int64_t>((c.*m).size());
  return c;
}

ColumnVector OptionalBytes(const std::vector<std::optional<std::string>>& values) {
  ColumnVector c;
  c.num_levels = static_cast<int64_t>(values.size());
  for (const auto& v : values) {
    c.def_levels.push_back(v.has_value() ? 1 : 0);
    if (!v.has_value()) continue;
    if (c.offsets.empty()) c.offsets.push_back(0);
    c.bytes += *v;
    c.offsets.push_back(static_cast<uint32_t>(c.bytes.size()));
  }
  c.num_values = c.offsets.empty() ? 0 : static_cast<int64_t>(c.offsets.size() - 1);
  return c;
}

struct Written {
  std::string bytes;
  FileMetrics metrics;
};

Result<Written> WriteBatches(const Schema& schema, const std::vector<RowBatch>& batches,
                             WriterOptions options = {}) {
  MemoryOutputStream sink("memory:w.parquet");
  FLOE_ASSIGN_OR_RETURN(auto w, ParquetWriter::Make(&sink, schema, options));
  for (const auto& b : batches) FLOE_RETURN_IF_ERROR(w->WriteBatch(b));
  Written out;
  FLOE_ASSIGN_OR_RETURN(out.metrics, w->Close());
  out.bytes = sink.Release();
  return out;
}

RowBatch Batch(int64_t rows, std::vector<ColumnVector> cols) {
  RowBatch b;
  b.num_rows = rows;
  b.columns = std::move(cols);
  return b;
}

format::FileMetaData Footer(const std::string& file) {
  EXPECT_GE(file.size(), 12u);
  EXPECT_EQ(file.substr(0, 4), "PAR1");
  EXPECT_EQ(file.substr(file.size() - 4), "PAR1");
  uint32_t len = LoadLE<uint32_t>(file.data() + file.size() - 8);
  auto md = format::FileMetaData::Parse(
      AsBytes(std::string_view(file).substr(file.size() - 8 - len, len)));
  EXPECT_TRUE(md.ok()) << md.status().ToString();
  return md.ok() ? *md : format::FileMetaData{};
}

std::string Hex(std::string_view b) {
  static const char* kDigits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : b) {
    if (!out.empty()) out += ' ';
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

template <typename T>
std::string Le(T v) {
  std::string s(sizeof(T), '\0');
  std::memcpy(s.data(), &v, sizeof(T));
  return s;
}

TEST(ParquetWriter, ExactLayoutOfASmallFile) {
  WriterOptions o;
  o.codec = CodecKind::kNone;
  o.default_encoding = ColumnEncoding::kPlain;
  o.key_value_metadata = {{"iceberg.schema", "{}"}};
  Schema s = OneColumn(Col(1, "a", FieldType::kInt));
  auto w = WriteBatches(s, {Batch(5, {Optional<int32_t>({1, 2, 3, 4, 5}, &ColumnVector::i32)})}, o);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  const std::string& f = w->bytes;

  size_t header_len = 0;
  auto ph = format::PageHeader::Parse(AsBytes(std::string_view(f).substr(4)), &header_len, 4);
  ASSERT_TRUE(ph.ok()) << ph.status().ToString();
  EXPECT_EQ(ph->type, format::PageType::kDataPage);
  ASSERT_TRUE(ph->data_page_header.has_value());
  EXPECT_EQ(ph->data_page_header->num_values, 5);
  EXPECT_EQ(ph->data_page_header->encoding, Encoding::kPlain);
  EXPECT_EQ(ph->data_page_header->definition_level_encoding, Encoding::kRle);
  EXPECT_EQ(ph->uncompressed_page_size, 26);
  EXPECT_EQ(ph->compressed_page_size, 26);
  EXPECT_EQ(Hex(f.substr(4 + header_len, 26)),
            "02 00 00 00 0A 01 01 00 00 00 02 00 00 00 03 00 00 00 04 00 00 00 05 00 00 00");

  format::FileMetaData md = Footer(f);
  EXPECT_EQ(md.version, 1);
  EXPECT_EQ(md.num_rows, 5);
  ASSERT_EQ(md.schema.size(), 2u);
  EXPECT_EQ(md.schema[0].name, "table");
  EXPECT_EQ(md.schema[1].field_id, 1);
  ASSERT_TRUE(md.created_by.has_value());
  EXPECT_EQ(md.created_by->rfind("floe version 0.1.0", 0), 0u);
  ASSERT_TRUE(md.key_value_metadata.has_value());
  EXPECT_EQ((*md.key_value_metadata)[0].key, "iceberg.schema");
  ASSERT_TRUE(md.column_orders.has_value());
  ASSERT_EQ(md.column_orders->size(), 1u);
  EXPECT_EQ((*md.column_orders)[0].kind, format::ColumnOrder::kTypeOrder);
  ASSERT_EQ(md.row_groups.size(), 1u);
  const auto& rg = md.row_groups[0];
  EXPECT_EQ(rg.num_rows, 5);
  EXPECT_EQ(rg.file_offset, 4);
  const auto& cm = *rg.columns[0].meta_data;
  EXPECT_EQ(cm.type, PhysicalType::kInt32);
  EXPECT_EQ(cm.path_in_schema, (std::vector<std::string>{"a"}));
  EXPECT_EQ(cm.codec, format::CompressionCodec::kUncompressed);
  EXPECT_EQ(cm.num_values, 5);
  EXPECT_EQ(cm.data_page_offset, 4);
  EXPECT_FALSE(cm.dictionary_page_offset.has_value());
  EXPECT_EQ(cm.total_compressed_size, static_cast<int64_t>(header_len + 26));
  EXPECT_EQ(cm.total_uncompressed_size, static_cast<int64_t>(header_len + 26));
  EXPECT_EQ(cm.encodings, (std::vector<Encoding>{Encoding::kPlain, Encoding::kRle}));
  ASSERT_TRUE(cm.encoding_stats.has_value());
  ASSERT_EQ(cm.encoding_stats->size(), 1u);
  EXPECT_EQ((*cm.encoding_stats)[0].count, 1);
  ASSERT_TRUE(cm.statistics.has_value());
  EXPECT_EQ(cm.statistics->min_value, Le<int32_t>(1));
  EXPECT_EQ(cm.statistics->max_value, Le<int32_t>(5));
  EXPECT_EQ(cm.statistics->null_count, 0);
  EXPECT_FALSE(cm.statistics->nan_count.has_value());

  const FileMetrics& m = w->metrics;
  EXPECT_EQ(m.file_size, static_cast<int64_t>(f.size()));
  EXPECT_EQ(m.record_count, 5);
  EXPECT_EQ(m.split_offsets, (std::vector<int64_t>{4}));
  ASSERT_EQ(m.columns.size(), 1u);
  EXPECT_EQ(m.columns[0].field_id, 1);
  EXPECT_EQ(m.columns[0].compressed_size, cm.total_compressed_size);
  EXPECT_EQ(m.columns[0].value_count, 5);
  EXPECT_EQ(m.columns[0].lower_bound, Le<int32_t>(1));
  EXPECT_EQ(m.columns[0].upper_bound, Le<int32_t>(5));
}

// Reads every column of every row group back with floe's reader.
RowBatch ReadBack(const std::string& bytes) {
  MemoryRandomAccessFile file("memory:w.parquet", bytes);
  auto reader = ParquetReader::Open(&file);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  RowBatch all;
  if (!reader.ok()) return all;
  size_t n = (*reader)->leaf_columns().size();
  all.columns.resize(n);
  std::vector<int> leaves;
  for (size_t i = 0; i < n; ++i) leaves.push_back(static_cast<int>(i));
  for (int rg = 0; rg < (*reader)->num_row_groups(); ++rg) {
    RowBatch b;
    Status s = (*reader)->ReadRowGroup(rg, leaves, &b);
    EXPECT_TRUE(s.ok()) << s.ToString();
    all.num_rows += (*reader)->row_group_num_rows(rg);
    for (size_t i = 0; i < n; ++i) {
      ColumnVector& to = all.columns[i];
      const ColumnVector& from = b.columns[i];
      to.num_levels += from.num_levels;
      to.num_values += from.num_values;
      to.def_levels.insert(to.def_levels.end(), from.def_levels.begin(), from.def_levels.end());
      to.rep_levels.insert(to.rep_levels.end(), from.rep_levels.begin(), from.rep_levels.end());
      to.bools.insert(to.bools.end(), from.bools.begin(), from.bools.end());
      to.i32.insert(to.i32.end(), from.i32.begin(), from.i32.end());
      to.i64.insert(to.i64.end(), from.i64.begin(), from.i64.end());
      to.f32.insert(to.f32.end(), from.f32.begin(), from.f32.end());
      to.f64.insert(to.f64.end(), from.f64.begin(), from.f64.end());
      for (size_t v = 0; v + 1 < from.offsets.size(); ++v) {
        if (to.offsets.empty()) to.offsets.push_back(0);
        to.bytes.append(from.bytes, from.offsets[v], from.offsets[v + 1] - from.offsets[v]);
        to.offsets.push_back(static_cast<uint32_t>(to.bytes.size()));
      }
    }
  }
  return all;
}

// Values of a column in a normal form (byte arrays re-based at 0) for comparisons.
void ExpectSameColumn(const ColumnVector& want, const ColumnVector& got, size_t index) {
  EXPECT_EQ(got.num_levels, want.num_levels) << index;
  EXPECT_EQ(got.num_values, want.num_values) << index;
  EXPECT_EQ(got.def_levels, want.def_levels) << index;
  EXPECT_EQ(got.rep_levels, want.rep_levels) << index;
  EXPECT_EQ(got.bools, want.bools) << index;
  EXPECT_EQ(got.i32, want.i32) << index;
  EXPECT_EQ(got.i64, want.i64) << index;
  ASSERT_EQ(got.f32.size(), want.f32.size()) << index;
  if (!got.f32.empty()) {
    EXPECT_EQ(std::memcmp(got.f32.data(), want.f32.data(), 4 * got.f32.size()), 0) << index;
  }
  ASSERT_EQ(got.f64.size(), want.f64.size()) << index;
  if (!got.f64.empty()) {
    EXPECT_EQ(std::memcmp(got.f64.data(), want.f64.data(), 8 * got.f64.size()), 0) << index;
  }
  std::vector<std::string> a, b;
  for (size_t v = 0; v + 1 < want.offsets.size(); ++v) {
    a.push_back(want.bytes.substr(want.offsets[v], want.offsets[v + 1] - want.offsets[v]));
  }
  for (size_t v = 0; v + 1 < got.offsets.size(); ++v) {
    b.push_back(got.bytes.substr(got.offsets[v], got.offsets[v + 1] - got.offsets[v]));
  }
  EXPECT_EQ(a, b) << index;
}

void RoundTrip(const Schema& schema, const WriterOptions& o, uint64_t seed, size_t rows,
               size_t batch_rows) {
  testing::RandomRows gen(seed);
  std::vector<testing::Row> all;
  for (size_t i = 0; i < rows; ++i) all.push_back(gen.Next(schema));
  std::vector<RowBatch> batches;
  for (size_t start = 0; start < rows; start += batch_rows) {
    std::vector<testing::Row> part(
        all.begin() + static_cast<ptrdiff_t>(start),
        all.begin() + static_cast<ptrdiff_t>(std::min(rows, start + batch_rows)));
    auto b = testing::Shred(schema, part);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    batches.push_back(std::move(*b));
  }
  auto w = WriteBatches(schema, batches, o);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto want = testing::Shred(schema, all);
  ASSERT_TRUE(want.ok());
  RowBatch got = ReadBack(w->bytes);
  EXPECT_EQ(got.num_rows, static_cast<int64_t>(rows));
  ASSERT_EQ(got.columns.size(), want->columns.size());
  for (size_t i = 0; i < got.columns.size(); ++i) {
    ExpectSameColumn(want->columns[i], got.columns[i], i);
    EXPECT_EQ(w->metrics.columns[i].value_count, want->columns[i].num_levels) << i;
    EXPECT_EQ(w->metrics.columns[i].null_count,
              want->columns[i].num_levels - want->columns[i].num_values)
        << i;
  }
  EXPECT_EQ(w->metrics.file_size, static_cast<int64_t>(w->bytes.size()));
}

TEST(ParquetWriter, EveryTypeRoundTripsWithEveryCodecEncodingAndPageVersion) {
  Schema schema = testing::EveryTypeSchema();
  std::vector<WriterOptions> variants;
  for (CodecKind c : {CodecKind::kNone, CodecKind::kSnappy, CodecKind::kGzip, CodecKind::kZstd,
                      CodecKind::kLz4Raw}) {
    WriterOptions o;
    o.codec = c;
    o.codec_level = 0;
    variants.push_back(o);
  }
  for (ColumnEncoding e : {ColumnEncoding::kPlain, ColumnEncoding::kAuto,
                           ColumnEncoding::kDictionary, ColumnEncoding::kDeltaBinaryPacked}) {
    for (DataPageVersion v : {DataPageVersion::kV1, DataPageVersion::kV2}) {
      WriterOptions o;
      o.default_encoding = e;
      o.data_page_version = v;
      o.page_size_bytes = 700;
      o.row_group_size_bytes = 40000;
      o.dictionary_page_size_limit_bytes = 300;
      variants.push_back(o);
    }
  }
  uint64_t seed = 1;
  for (const WriterOptions& o : variants) {
    SCOPED_TRACE(std::string(CodecKindName(o.codec)) + " encoding " +
                 std::to_string(static_cast<int>(o.default_encoding)) + " v" +
                 std::to_string(static_cast<int>(o.data_page_version) + 1));
    RoundTrip(schema, o, seed++, 700, 150);
  }
}

Schema IntSchema() {
  Schema s;
  s.fields = {Col(1, "i", FieldType::kInt), Col(2, "l", FieldType::kLong, true),
              Col(3, "ts", FieldType::kTimestampTz), Col(4, "d", FieldType::kDate)};
  return s;
}

TEST(ParquetWriter, DeltaBinaryPackedRoundTrips) {
  WriterOptions o;
  o.default_encoding = ColumnEncoding::kDeltaBinaryPacked;
  o.page_size_bytes = 1000;
  for (auto v : {DataPageVersion::kV1, DataPageVersion::kV2}) {
    o.data_page_version = v;
    RoundTrip(IntSchema(), o, 42, 3000, 1000);
  }
}

std::vector<Encoding> DataPageEncodings(const format::ColumnMetaData& md) {
  std::vector<Encoding> out;
  for (const auto& s : *md.encoding_stats) {
    if (s.page_type != format::PageType::kDictionaryPage) out.push_back(s.encoding);
  }
  return out;
}

TEST(ParquetWriter, AutoEncodingChoosesPerColumn) {
  Schema s;
  s.fields = {Col(1, "few", FieldType::kString, true), Col(2, "unique", FieldType::kString, true),
              Col(3, "ts", FieldType::kTimestampTz, true),
              Col(4, "flag", FieldType::kBoolean, true)};
  const int n = 5000;
  ColumnVector few, unique, ts, flag;
  few.offsets = {0};
  unique.offsets = {0};
  std::mt19937_64 rng(5);
  for (int i = 0; i < n; ++i) {
    few.bytes += "type-" + std::to_string(i % 7);
    few.offsets.push_back(static_cast<uint32_t>(few.bytes.size()));
    unique.bytes += std::to_string(rng()) + std::to_string(rng());
    unique.offsets.push_back(static_cast<uint32_t>(unique.bytes.size()));
    ts.i64.push_back(1700000000000000 + int64_t{i} * 1000 + static_cast<int64_t>(rng() % 100));
    flag.bools.push_back(i % 3 == 0);
  }
  for (ColumnVector* c : {&few, &unique, &ts, &flag}) c->num_levels = c->num_values = n;
  auto w = WriteBatches(s, {Batch(n, {few, unique, ts, flag})});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  format::FileMetaData md = Footer(w->bytes);
  const auto& cols = md.row_groups[0].columns;
  const auto& m0 = *cols[0].meta_data;
  EXPECT_TRUE(m0.dictionary_page_offset.has_value());
  EXPECT_EQ(*m0.dictionary_page_offset, 4);
  EXPECT_GT(m0.data_page_offset, 4);
  EXPECT_EQ(cols[0].file_offset, 4);
  EXPECT_EQ(m0.encodings, (std::vector<Encoding>{Encoding::kPlain, Encoding::kRleDictionary}));
  EXPECT_EQ((*m0.encoding_stats)[0].page_type, format::PageType::kDictionaryPage);
  EXPECT_EQ(DataPageEncodings(m0), (std::vector<Encoding>{Encoding::kRleDictionary}));
  const auto& m1 = *cols[1].meta_data;
  EXPECT_FALSE(m1.dictionary_page_offset.has_value());
  EXPECT_EQ(m1.encodings, (std::vector<Encoding>{Encoding::kPlain}));
  const auto& m2 = *cols[2].meta_data;
  EXPECT_FALSE(m2.dictionary_page_offset.has_value());
  EXPECT_EQ(m2.encodings, (std::vector<Encoding>{Encoding::kDeltaBinaryPacked}));
  const auto& m3 = *cols[3].meta_data;
  EXPECT_EQ(m3.encodings, (std::vector<Encoding>{Encoding::kPlain}));

  RowBatch got = ReadBack(w->bytes);
  ExpectSameColumn(few, got.columns[0], 0);
  ExpectSameColumn(unique, got.columns[1], 1);
  ExpectSameColumn(ts, got.columns[2], 2);
  ExpectSameColumn(flag, got.columns[3], 3);
}

TEST(ParquetWriter, DictionaryFallsBackWhenItOutgrowsTheLimit) {
  WriterOptions o;
  o.default_encoding = ColumnEncoding::kDictionary;
  o.dictionary_page_size_limit_bytes = 2000;
  o.page_size_bytes = 1000;
  Schema s = OneColumn(Col(1, "s", FieldType::kString, true));
  ColumnVector c;
  c.offsets = {0};
  const int n = 3000;
  for (int i = 0; i < n; ++i) {
    c.bytes += "value-" + std::to_string(i % 1000);
    c.offsets.push_back(static_cast<uint32_t>(c.bytes.size()));
  }
  c.num_levels = c.num_values = n;
  auto w = WriteBatches(s, {Batch(n, {c})}, o);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  format::FileMetaData footer = Footer(w->bytes);
  const auto& md = *footer.row_groups[0].columns[0].meta_data;
  EXPECT_TRUE(md.dictionary_page_offset.has_value());
  std::vector<Encoding> pages = DataPageEncodings(md);
  ASSERT_EQ(pages.size(), 2u);  // one (page_type, encoding) entry each
  EXPECT_EQ(pages[0], Encoding::kPlain);
  EXPECT_EQ(pages[1], Encoding::kRleDictionary);
  ExpectSameColumn(c, ReadBack(w->bytes).columns[0], 0);
}

// A column whose dictionary did not pay skips the attempt in the next row groups (hashing unique
// ids and payloads into a dictionary thrown away was a tenth of a compaction's CPU), but tries
// again: values that turn repetitive get their dictionary back.
TEST(ParquetWriter, DictionaryIsRetriedAfterRowGroupsWhereItDidNotPay) {
  WriterOptions o;
  o.row_group_size_bytes = 1;  // every batch is a row group
  Schema s = OneColumn(Col(1, "s", FieldType::kString, true));
  std::mt19937_64 rng(9);
  std::vector<RowBatch> batches;
  ColumnVector all;
  all.offsets = {0};
  for (int g = 0; g < 12; ++g) {
    ColumnVector c;
    c.offsets = {0};
    for (int i = 0; i < 500; ++i) {
      // Unique in the first three row groups, then a handful of values.
      std::string v =
          g < 3 ? std::to_string(rng()) + std::to_string(rng()) : "kind-" + std::to_string(i % 5);
      c.bytes += v;
      c.offsets.push_back(static_cast<uint32_t>(c.bytes.size()));
      all.bytes += v;
      all.offsets.push_back(static_cast<uint32_t>(all.bytes.size()));
    }
    c.num_levels = c.num_values = 500;
    batches.push_back(Batch(500, {c}));
  }
  all.num_levels = all.num_values = 12 * 500;
  auto w = WriteBatches(s, batches, o);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  format::FileMetaData md = Footer(w->bytes);
  ASSERT_EQ(md.row_groups.size(), 12u);
  for (size_t g = 0; g < 3; ++g) {
    EXPECT_FALSE(md.row_groups[g].columns[0].meta_data->dictionary_page_offset.has_value()) << g;
  }
  // Missed in 0, skipped in 1, missed in 2, skipped in 3 and 4 (repetitive already), paid in 5.
  for (size_t g = 3; g < 12; ++g) {
    EXPECT_EQ(md.row_groups[g].columns[0].meta_data->dictionary_page_offset.has_value(), g >= 5)
        << g;
  }
  ExpectSameColumn(all, ReadBack(w->bytes).columns[0], 0);
}

// The same from file to file: a writer given the DictionaryHistory of the files before starts a
// column whose dictionary did not pay there without one (the collector writes a file per flush,
// and hashed every file's ids and payloads into a dictionary it then threw away), and tries
// again later. A column whose dictionary pays keeps it in every file.
TEST(ParquetWriter, DictionaryHistoryCarriesWhatDidNotPayToTheNextFiles) {
  Schema s;
  s.fields = {Col(1, "id", FieldType::kString, true), Col(2, "kind", FieldType::kString, true)};
  std::mt19937_64 rng(5);
  // Writes one file of 500 rows; returns whether each column has a dictionary.
  auto file = [&](bool unique_ids, DictionaryHistory* history) {
    ColumnVector ids, kinds;
    ids.offsets = kinds.offsets = {0};
    for (int i = 0; i < 500; ++i) {
      ids.bytes += unique_ids ? std::to_string(rng()) + std::to_string(rng())
                              : "id-" + std::to_string(i % 5);
      ids.offsets.push_back(static_cast<uint32_t>(ids.bytes.size()));
      kinds.bytes += "kind-" + std::to_string(i % 3);
      kinds.offsets.push_back(static_cast<uint32_t>(kinds.bytes.size()));
    }
    ids.num_levels = ids.num_values = kinds.num_levels = kinds.num_values = 500;
    WriterOptions o;
    o.dictionary_history = history;
    auto w = WriteBatches(s, {Batch(500, {ids, kinds})}, o);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    RowBatch got = ReadBack(w->bytes);
    ExpectSameColumn(ids, got.columns[0], 0);
    ExpectSameColumn(kinds, got.columns[1], 1);
    format::FileMetaData md = Footer(w->bytes);
    return std::pair<bool, bool>{
        md.row_groups[0].columns[0].meta_data->dictionary_page_offset.has_value(),
        md.row_groups[0].columns[1].meta_data->dictionary_page_offset.has_value()};
  };
  using Dicts = std::pair<bool, bool>;
  DictionaryHistory history;
  EXPECT_EQ(file(true, &history), Dicts(false, true));  // unique ids: missed
  EXPECT_EQ(history.columns[{"id"}].misses, 1);
  EXPECT_EQ(file(false, &history), Dicts(false, true));  // skipped, though it would pay now
  EXPECT_EQ(file(false, &history), Dicts(true, true));   // tried again, and paid
  EXPECT_EQ(history.columns[{"id"}].misses, 0);
  EXPECT_EQ(history.columns[{"kind"}].misses, 0);
  // Without a history every file tries.
  EXPECT_EQ(file(true, nullptr), Dicts(false, true));
  EXPECT_EQ(file(false, nullptr), Dicts(true, true));
}

// WriteBatches takes batches as they are (a compaction hands decoded input batches over without
// copying them into one) and writes them as their concatenation, at any thread count.
TEST(ParquetWriter, WriteBatchesWritesTheirConcatenation) {
  Schema s;
  s.fields = {Col(1, "id", FieldType::kLong, true), Col(2, "s", FieldType::kString)};
  for (int threads : {1, 3}) {
    SCOPED_TRACE(threads);
    WriterOptions o;
    o.threads = threads;
    o.page_size_bytes = 4096;
    std::vector<RowBatch> batches;
    ColumnVector all_ids, all_s;
    all_s.offsets = {0};
    int64_t next = 0;
    for (int b = 0; b < 5; ++b) {
      ColumnVector ids;
      std::vector<std::optional<std::string>> strings;
      const int rows = 300 + 700 * b;
      for (int i = 0; i < rows; ++i, ++next) {
        ids.i64.push_back(next);
        all_ids.i64.push_back(next);
        std::optional<std::string> v;
        if (next % 7 != 0) v = "v" + std::to_string(next % 97);
        all_s.def_levels.push_back(v ? 1 : 0);
        if (v) {
          all_s.bytes += *v;
          all_s.offsets.push_back(static_cast<uint32_t>(all_s.bytes.size()));
        }
        strings.push_back(std::move(v));
      }
      ids.num_levels = ids.num_values = rows;
      batches.push_back(Batch(rows, {ids, OptionalBytes(strings)}));
    }
    all_ids.num_levels = all_ids.num_values = next;
    all_s.num_levels = next;
    all_s.num_values = static_cast<int64_t>(all_s.offsets.size()) - 1;
    MemoryOutputStream sink("memory:w.parquet");
    auto w = ParquetWriter::Make(&sink, s, o);
    ASSERT_TRUE(w.ok());
    std::vector<const RowBatch*> pointers;
    for (const RowBatch& b : batches) pointers.push_back(&b);
    ASSERT_TRUE((*w)->WriteBatches(pointers).ok());
    EXPECT_EQ((*w)->num_rows(), next);
    // A bad batch anywhere in the list is rejected before any of them is written.
    RowBatch bad = batches[0];
    bad.num_rows += 1;
    Status rejected = (*w)->WriteBatches({&batches[1], &bad});
    EXPECT_EQ(rejected.kind(), ErrorKind::kInvalidArgument);
    EXPECT_NE(rejected.message().find("column 0 ('id')"), std::string::npos) << rejected.message();
    EXPECT_EQ((*w)->num_rows(), next);
    ASSERT_TRUE((*w)->Close().ok());
    RowBatch got = ReadBack(sink.Release());
    EXPECT_EQ(got.num_rows, next);
    ExpectSameColumn(all_ids, got.columns[0], 0);
    ExpectSameColumn(all_s, got.columns[1], 1);
  }
}

// WriteColumns makes each column in its column task: the file is byte for byte the one
// WriteBatch writes from the same columns, at any thread count; a fill that fails, or a column
// that is not valid, fails the writer.
TEST(ParquetWriter, WriteColumnsWritesWhatWriteBatchWrites) {
  Schema s;
  s.fields = {Col(1, "id", FieldType::kLong, true), Col(2, "s", FieldType::kString)};
  std::vector<RowBatch> batches;
  for (int b = 0; b < 4; ++b) {
    ColumnVector ids;
    std::vector<std::optional<std::string>> strings;
    const int rows = 500 + 900 * b;
    for (int i = 0; i < rows; ++i) {
      ids.i64.push_back(b * 10000 + i);
      std::optional<std::string> v;
      if (i % 5 != 0) v = "value-" + std::to_string((i * 7919) % 1013);
      strings.push_back(std::move(v));
    }
    ids.num_levels = ids.num_values = rows;
    batches.push_back(Batch(rows, {ids, OptionalBytes(strings)}));
  }
  for (int threads : {1, 3}) {
    SCOPED_TRACE(threads);
    WriterOptions o;
    o.threads = threads;
    o.page_size_bytes = 4096;
    MemoryOutputStream by_batch("memory:a.parquet");
    MemoryOutputStream by_column("memory:b.parquet");
    MemoryOutputStream by_views("memory:v.parquet");
    auto a = ParquetWriter::Make(&by_batch, s, o);
    auto b = ParquetWriter::Make(&by_column, s, o);
    auto v = ParquetWriter::Make(&by_views, s, o);
    ASSERT_TRUE(a.ok() && b.ok() && v.ok());
    std::vector<ColumnVector> scratch;
    for (const RowBatch& batch : batches) {
      ASSERT_TRUE((*a)->WriteBatch(batch).ok());
      Status st = (*b)->WriteColumns(
          batch.num_rows,
          [&](size_t i, ColumnVector* out) {
            *out = batch.columns[i];
            return Status::OK();
          },
          &scratch);
      ASSERT_TRUE(st.ok()) << st.ToString();
      // Byte arrays given as views of bytes held elsewhere (the batch's) write the same file.
      st = (*v)->WriteColumns(
          batch.num_rows,
          [&](size_t i, ColumnVector* out) {
            *out = batch.columns[i];
            if (i == 1) {
              const ByteArrayValues values(batch.columns[i]);
              out->views.clear();
              for (int64_t k = 0; k < out->num_values; ++k) {
                out->views.push_back(values[static_cast<size_t>(k)]);
              }
              out->offsets = {7};  // unused when there are views
              out->bytes = "garbage";
            }
            return Status::OK();
          },
          &scratch);
      ASSERT_TRUE(st.ok()) << st.ToString();
    }
    ASSERT_TRUE((*a)->Close().ok());
    ASSERT_TRUE((*b)->Close().ok());
    ASSERT_TRUE((*v)->Close().ok());
    const std::string written = by_batch.Release();
    EXPECT_EQ(written, by_column.Release());
    EXPECT_EQ(written, by_views.Release());

    MemoryOutputStream failing("memory:c.parquet");
    auto c = ParquetWriter::Make(&failing, s, o);
    ASSERT_TRUE(c.ok());
    Status st = (*c)->WriteColumns(
        10,
        [&](size_t i, ColumnVector*) { return Status::IOError("no column " + std::to_string(i)); },
        &scratch);
    EXPECT_EQ(st.kind(), ErrorKind::kIOError);
    EXPECT_EQ((*c)->WriteBatch(batches[0]).kind(), ErrorKind::kIOError);  // the writer is failed
    MemoryOutputStream invalid("memory:d.parquet");
    auto d = ParquetWriter::Make(&invalid, s, o);
    ASSERT_TRUE(d.ok());
    st = (*d)->WriteColumns(
        batches[0].num_rows + 1,
        [&](size_t i, ColumnVector* out) {
          *out = batches[0].columns[i];
          return Status::OK();
        },
        &scratch);
    EXPECT_EQ(st.kind(), ErrorKind::kInvalidArgument);
    EXPECT_NE(st.message().find("column 0 ('id')"), std::string::npos) << st.message();
  }
}

// Pages read as stored from one file are copied into another as they are (compaction's fast
// path): the same bytes, the same values, statistics from the batch's values, in a chunk that
// may also hold pages encoded here (dictionary pages first, never after copied ones).
TEST(ParquetWriter, StoredPagesAreCopiedAsTheyAre) {
  Schema s;
  s.fields = {Col(1, "id", FieldType::kLong, true), Col(2, "s", FieldType::kString)};
  // File A: three row groups, several zstd PLAIN pages each.
  WriterOptions a_options;
  a_options.default_encoding = ColumnEncoding::kPlain;
  a_options.page_size_bytes = 2048;
  a_options.row_group_size_bytes = 1;  // a row group per batch
  std::vector<RowBatch> batches;
  int64_t next = 0;
  for (int b = 0; b < 3; ++b) {
    ColumnVector ids;
    std::vector<std::optional<std::string>> strings;
    const int rows = 500 + 300 * b;
    for (int i = 0; i < rows; ++i, ++next) {
      ids.i64.push_back(next);
      std::optional<std::string> v;
      if (next % 7 != 0) v = "v" + std::to_string(next % 97) + std::string(next % 13, 'x');
      strings.push_back(std::move(v));
    }
    ids.num_levels = ids.num_values = rows;
    batches.push_back(Batch(rows, {ids, OptionalBytes(strings)}));
  }
  auto a = WriteBatches(s, batches, a_options);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  MemoryRandomAccessFile a_file("memory:a.parquet", a->bytes);
  auto reader = ParquetReader::Open(&a_file);
  ASSERT_TRUE(reader.ok());
  ASSERT_EQ((*reader)->num_row_groups(), 3);
  std::vector<RowBatch> decoded(3);
  std::vector<std::string> stored_bytes;
  for (int g = 0; g < 3; ++g) {
    ASSERT_TRUE((*reader)->ReadRowGroup(g, {0, 1}, &decoded[static_cast<size_t>(g)]).ok());
    auto pages = (*reader)->ReadStoredPages(g, 1);
    ASSERT_TRUE(pages.ok()) << pages.status().ToString();
    EXPECT_EQ(pages->num_values, batches[static_cast<size_t>(g)].num_rows);
    EXPECT_GT(pages->page_counts.size(), 0u);
    stored_bytes.emplace_back(pages->bytes.string_view());
  }

  for (int threads : {1, 3}) {
    SCOPED_TRACE(threads);
    // File B, one row group: A's row group 0 encoded here with a dictionary, row groups 1 and 2
    // copied, then row group 0 again, encoded after the copies (PLAIN).
    WriterOptions b_options;
    b_options.threads = threads;
    b_options.column_encodings[2] = ColumnEncoding::kDictionary;
    MemoryOutputStream sink("memory:b.parquet");
    auto w = ParquetWriter::Make(&sink, s, b_options);
    ASSERT_TRUE(w.ok());
    std::vector<std::vector<StoredPages>> stored(4);
    for (int g : {1, 2}) {
      stored[static_cast<size_t>(g)].resize(2);
      auto pages = (*reader)->ReadStoredPages(g, 1);
      ASSERT_TRUE(pages.ok());
      stored[static_cast<size_t>(g)][1] = std::move(*pages);
    }
    ASSERT_TRUE(
        (*w)->WriteBatches({&decoded[0], &decoded[1], &decoded[2], &decoded[0]}, &stored).ok());
    auto metrics = (*w)->Close();
    ASSERT_TRUE(metrics.ok()) << metrics.status().ToString();
    const std::string b = sink.Release();
    for (const std::string& pages : {stored_bytes[1], stored_bytes[2]}) {
      EXPECT_NE(b.find(pages), std::string::npos) << "copied pages are in the file unchanged";
    }
    RowBatch got = ReadBack(b);
    ASSERT_EQ(got.num_rows, next + batches[0].num_rows);
    RowBatch want = ReadBack(a->bytes);
    // want = A's rows, then A's row group 0 again.
    for (size_t c = 0; c < 2; ++c) {
      const ColumnVector& from = decoded[0].columns[c];
      ColumnVector& to = want.columns[c];
      to.num_levels += from.num_levels;
      to.num_values += from.num_values;
      to.def_levels.insert(to.def_levels.end(), from.def_levels.begin(), from.def_levels.end());
      to.i64.insert(to.i64.end(), from.i64.begin(), from.i64.end());
      for (size_t v = 0; v + 1 < from.offsets.size(); ++v) {
        to.bytes.append(from.bytes, from.offsets[v], from.offsets[v + 1] - from.offsets[v]);
        to.offsets.push_back(static_cast<uint32_t>(to.bytes.size()));
      }
    }
    ExpectSameColumn(want.columns[0], got.columns[0], 0);
    ExpectSameColumn(want.columns[1], got.columns[1], 1);
    // Statistics and metrics as if every value had been encoded here.
    format::FileMetaData md = Footer(b);
    ASSERT_EQ(md.row_groups.size(), 1u);
    const format::ColumnMetaData& cm = *md.row_groups[0].columns[1].meta_data;
    EXPECT_EQ(cm.num_values, got.num_rows);
    EXPECT_EQ(cm.statistics->null_count, want.columns[1].num_levels - want.columns[1].num_values);
    const ColumnMetrics& m = metrics->columns[1];
    EXPECT_EQ(m.null_count, *cm.statistics->null_count);
    EXPECT_EQ(m.value_count, got.num_rows);
    EXPECT_EQ(m.lower_bound, a->metrics.columns[1].lower_bound);
    EXPECT_EQ(m.upper_bound, a->metrics.columns[1].upper_bound);
    std::string lo, hi;
    const ColumnVector& sv = want.columns[1];
    for (size_t v = 0; v + 1 < sv.offsets.size(); ++v) {
      std::string x = sv.bytes.substr(sv.offsets[v], sv.offsets[v + 1] - sv.offsets[v]);
      if (v == 0 || x < lo) lo = x;
      if (v == 0 || x > hi) hi = x;
    }
    EXPECT_EQ(cm.statistics->min_value, lo);
    EXPECT_EQ(cm.statistics->max_value, hi);
    // A dictionary page first, then PLAIN pages; no dictionary-encoded page after a copied one.
    ASSERT_TRUE(cm.dictionary_page_offset.has_value());
    EXPECT_NE(std::find(cm.encodings.begin(), cm.encodings.end(), Encoding::kRleDictionary),
              cm.encodings.end());
  }
}

TEST(ParquetWriter, StoredPagesMustMatchTheFile) {
  Schema s = OneColumn(Col(1, "s", FieldType::kString));
  auto c = OptionalBytes({"a", std::nullopt, "b", "c"});
  const RowBatch batch = Batch(4, {c});
  WriterOptions plain;
  plain.default_encoding = ColumnEncoding::kPlain;
  plain.codec = CodecKind::kSnappy;
  auto a = WriteBatches(s, {batch}, plain);
  ASSERT_TRUE(a.ok());
  MemoryRandomAccessFile a_file("memory:a.parquet", a->bytes);
  auto reader = ParquetReader::Open(&a_file);
  ASSERT_TRUE(reader.ok());
  {
    // Another codec than the file's.
    MemoryOutputStream sink("memory:b.parquet");
    auto w = ParquetWriter::Make(&sink, s, WriterOptions{});  // zstd
    ASSERT_TRUE(w.ok());
    std::vector<std::vector<StoredPages>> stored(1);
    stored[0].push_back(std::move(*(*reader)->ReadStoredPages(0, 0)));
    Status st = (*w)->WriteBatches({&batch}, &stored);
    EXPECT_EQ(st.kind(), ErrorKind::kInvalidArgument);
    EXPECT_NE(st.message().find("codec"), std::string::npos) << st.message();
  }
  {
    // Pages of another number of values than the batch's column.
    MemoryOutputStream sink("memory:b.parquet");
    WriterOptions snappy;
    snappy.codec = CodecKind::kSnappy;
    auto w = ParquetWriter::Make(&sink, s, snappy);
    ASSERT_TRUE(w.ok());
    const RowBatch shorter = Batch(3, {OptionalBytes({"a", std::nullopt, "b"})});
    std::vector<std::vector<StoredPages>> stored(1);
    stored[0].push_back(std::move(*(*reader)->ReadStoredPages(0, 0)));
    Status st = (*w)->WriteBatches({&shorter}, &stored);
    EXPECT_EQ(st.kind(), ErrorKind::kInvalidArgument);
    EXPECT_NE(st.message().find("values"), std::string::npos) << st.message();
  }
  // A dictionary-encoded chunk cannot be copied (a chunk has one dictionary).
  WriterOptions dict;
  dict.default_encoding = ColumnEncoding::kDictionary;
  auto d = WriteBatches(s, {batch}, dict);
  ASSERT_TRUE(d.ok());
  MemoryRandomAccessFile d_file("memory:d.parquet", d->bytes);
  auto d_reader = ParquetReader::Open(&d_file);
  ASSERT_TRUE(d_reader.ok());
  auto pages = (*d_reader)->ReadStoredPages(0, 0);
  EXPECT_EQ(pages.status().kind(), ErrorKind::kNotSupported) << pages.status().ToString();
}

TEST(ParquetWriter, AllNullPagesNeedNoDictionary) {
  WriterOptions o;
  o.default_encoding = ColumnEncoding::kDictionary;
  auto c = OptionalBytes({std::nullopt, std::nullopt, std::nullopt});
  auto w = WriteBatches(OneColumn(Col(1, "s", FieldType::kString)), {Batch(3, {c})}, o);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  format::FileMetaData md = Footer(w->bytes);
  const auto& cm = *md.row_groups[0].columns[0].meta_data;
  EXPECT_FALSE(cm.dictionary_page_offset.has_value());
  EXPECT_EQ(cm.encodings, (std::vector<Encoding>{Encoding::kPlain, Encoding::kRle}));
  EXPECT_EQ(cm.statistics->null_count, 3);
  EXPECT_FALSE(cm.statistics->min_value.has_value());
  ExpectSameColumn(c, ReadBack(w->bytes).columns[0], 0);
}

TEST(ParquetWriter, EncodingsTheTypeCannotTakeAreRejected) {
  MemoryOutputStream sink;
  WriterOptions o;
  o.column_encodings[1] = ColumnEncoding::kDictionary;
  EXPECT_FALSE(ParquetWriter::Make(&sink, OneColumn(Col(1, "b", FieldType::kBoolean)), o).ok());
  o.column_encodings[1] = ColumnEncoding::kDeltaBinaryPacked;
  auto r = ParquetWriter::Make(&sink, OneColumn(Col(1, "s", FieldType::kString)), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kInvalidArgument);
  // As a default, an encoding applies only where it can.
  o = WriterOptions{};
  o.default_encoding = ColumnEncoding::kDictionary;
  EXPECT_TRUE(ParquetWriter::Make(&sink, OneColumn(Col(1, "b", FieldType::kBoolean)), o).ok());
  o.default_encoding = ColumnEncoding::kDeltaBinaryPacked;
  EXPECT_TRUE(ParquetWriter::Make(&sink, OneColumn(Col(1, "s", FieldType::kString)), o).ok());
  o = WriterOptions{};
  o.codec = CodecKind::kDeflate;
  EXPECT_FALSE(ParquetWriter::Make(&sink, OneColumn(Col(1, "s", FieldType::kString)), o).ok());
  o = WriterOptions{};
  o.page_size_bytes = 0;
  EXPECT_FALSE(ParquetWriter::Make(&sink, OneColumn(Col(1, "s", FieldType::kString)), o).ok());
}

const format::Statistics& StatsOf(const format::FileMetaData& md, size_t col) {
  return *md.row_groups[0].columns[col].meta_data->statistics;
}

TEST(ParquetWriter, FloatStatisticsSkipNanAndSignZeros) {
  Schema s;
  s.fields = {Col(1, "d", FieldType::kDouble), Col(2, "zeros", FieldType::kDouble),
              Col(3, "nans", FieldType::kFloat), Col(4, "f", FieldType::kFloat)};
  double nan = std::numeric_limits<double>::quiet_NaN();
  float fnan = std::numeric_limits<float>::quiet_NaN();
  auto d = Optional<double>({nan, 0.0, -1.5, std::nullopt, nan, 2.0}, &ColumnVector::f64);
  auto z = Optional<double>({0.0, -0.0, 0.0, std::nullopt, std::nullopt, -0.0}, &ColumnVector::f64);
  auto n = Optional<float>({fnan, fnan, std::nullopt, fnan, fnan, fnan}, &ColumnVector::f32);
  auto f = Optional<float>({0.5f, -0.0f, 3.0f, 0.25f, 0.0f, 1.0f}, &ColumnVector::f32);
  auto w = WriteBatches(s, {Batch(6, {d, z, n, f})});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  format::FileMetaData md = Footer(w->bytes);
  EXPECT_EQ(StatsOf(md, 0).min_value, Le<double>(-1.5));
  EXPECT_EQ(StatsOf(md, 0).max_value, Le<double>(2.0));
  EXPECT_EQ(StatsOf(md, 0).nan_count, 2);
  EXPECT_EQ(StatsOf(md, 0).null_count, 1);
  EXPECT_EQ(StatsOf(md, 1).min_value, Le<double>(-0.0));
  EXPECT_EQ(StatsOf(md, 1).max_value, Le<double>(0.0));
  EXPECT_EQ(StatsOf(md, 1).nan_count, 0);
  EXPECT_FALSE(StatsOf(md, 2).min_value.has_value());
  EXPECT_FALSE(StatsOf(md, 2).max_value.has_value());
  EXPECT_EQ(StatsOf(md, 2).nan_count, 5);
  EXPECT_EQ(StatsOf(md, 3).min_value, Le<float>(-0.0f));
  EXPECT_EQ(StatsOf(md, 3).max_value, Le<float>(3.0f));

  const auto& m = w->metrics.columns;
  EXPECT_EQ(m[0].nan_count, 2);
  EXPECT_EQ(m[0].null_count, 1);
  EXPECT_EQ(m[0].lower_bound, Le<double>(-1.5));
  EXPECT_EQ(m[1].lower_bound, Le<double>(-0.0));
  EXPECT_EQ(m[1].upper_bound, Le<double>(0.0));
  EXPECT_FALSE(m[2].lower_bound.has_value());
  EXPECT_FALSE(m[2].upper_bound.has_value());
  EXPECT_EQ(m[2].nan_count, 5);
}

TEST(ParquetWriter, SignedAndDecimalOrder) {
  Schema s;
  s.fields = {Col(1, "i", FieldType::kInt, true), Col(2, "l", FieldType::kLong, true)};
  Field dec = Col(3, "dec", FieldType::kDecimal, true);
  dec.decimal_precision = 38;
  dec.decimal_scale = 2;
  s.fields.push_back(dec);
  s.fields.push_back(Col(4, "u", FieldType::kUuid, true));
  s.fields.push_back(Col(5, "b", FieldType::kBoolean, true));
  ColumnVector i, l, d, u, b;
  i.i32 = {3, -5, 7};
  l.i64 = {INT64_MIN, 0, INT64_MAX};
  std::string minus_one(16, '\xFF'), one(15, '\0'), big(16, '\x7F');
  one += '\x01';
  d.bytes = one + minus_one + big;
  d.offsets = {0, 16, 32, 48};
  std::string u1(16, '\x80'), u2(16, '\x01'), u3(16, '\x10');
  u.bytes = u1 + u2 + u3;
  u.offsets = {0, 16, 32, 48};
  b.bools = {1, 1, 1};
  for (ColumnVector* c : {&i, &l, &d, &u, &b}) c->num_levels = c->num_values = 3;
  auto w = WriteBatches(s, {Batch(3, {i, l, d, u, b})});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  format::FileMetaData md = Footer(w->bytes);
  EXPECT_EQ(StatsOf(md, 0).min_value, Le<int32_t>(-5));
  EXPECT_EQ(StatsOf(md, 0).max_value, Le<int32_t>(7));
  EXPECT_EQ(StatsOf(md, 1).min_value, Le<int64_t>(INT64_MIN));
  EXPECT_EQ(StatsOf(md, 1).max_value, Le<int64_t>(INT64_MAX));
  EXPECT_EQ(StatsOf(md, 2).min_value, minus_one);
  EXPECT_EQ(StatsOf(md, 2).max_value, big);
  EXPECT_EQ(StatsOf(md, 3).min_value, u2);  // unsigned bytes
  EXPECT_EQ(StatsOf(md, 3).max_value, u1);
  EXPECT_EQ(StatsOf(md, 4).min_value, std::string(1, '\x01'));
  EXPECT_EQ(StatsOf(md, 4).max_value, std::string(1, '\x01'));
  EXPECT_EQ(w->metrics.columns[2].lower_bound, minus_one);
  EXPECT_EQ(w->metrics.columns[3].upper_bound, u1);
}

TEST(ParquetWriter, StringStatisticsAreTruncatedAndRoundedUp) {
  Schema s;
  s.fields = {Col(1, "s", FieldType::kString), Col(2, "bin", FieldType::kBinary)};
  std::string long_a(100, 'a');
  std::string e17;
  for (int k = 0; k < 17; ++k) e17 += "\xC3\xA9";  // 17 x U+00E9
  auto str = OptionalBytes({long_a, e17, std::nullopt});
  std::string ffs(20, '\xFF');
  std::string ab = "ab" + std::string(18, '\xFF');
  auto bin = OptionalBytes({ffs, ab, std::string("\x00", 1)});
  auto w = WriteBatches(s, {Batch(3, {str, bin})});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  format::FileMetaData md = Footer(w->bytes);
  // Footer: 64 bytes; the max (17 x é = 34 bytes) fits and stays exact.
  EXPECT_EQ(StatsOf(md, 0).min_value, std::string(64, 'a'));
  EXPECT_EQ(StatsOf(md, 0).is_min_value_exact, false);
  EXPECT_EQ(StatsOf(md, 0).max_value, e17);
  EXPECT_EQ(StatsOf(md, 0).is_max_value_exact, true);
  EXPECT_EQ(StatsOf(md, 0).null_count, 1);
  // All-0xFF binary max cannot be rounded up within 64 bytes... it fits (20 bytes): exact.
  EXPECT_EQ(StatsOf(md, 1).max_value, ffs);

  // Iceberg metrics: 16 characters.
  const auto& m = w->metrics.columns;
  EXPECT_EQ(m[0].lower_bound, std::string(16, 'a'));
  std::string e15;
  for (int k = 0; k < 15; ++k) e15 += "\xC3\xA9";
  EXPECT_EQ(m[0].upper_bound, e15 + "\xC3\xAA");  // U+00EA
  EXPECT_EQ(m[1].lower_bound, std::string("\x00", 1));
  EXPECT_FALSE(m[1].upper_bound.has_value());  // 16 x 0xFF cannot be incremented
}

TEST(ColumnStats, UnsignedBytesLessIsMemcmpThenLength) {
  // Strings over a small alphabet with high bytes, so that common prefixes of every length (in
  // and past the eight-byte words) and prefixes of each other come up often.
  std::mt19937 rng(7);
  const std::string alphabet = std::string("a\x00\x7f\x80\xff", 5);
  auto random_string = [&] {
    std::string s(rng() % 20, 'a');
    for (char& c : s) c = rng() % 8 == 0 ? alphabet[rng() % alphabet.size()] : 'a';
    return s;
  };
  auto reference = [](const std::string& a, const std::string& b) {
    int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
    return c < 0 || (c == 0 && a.size() < b.size());
  };
  for (int i = 0; i < 20000; ++i) {
    const std::string a = random_string(), b = random_string();
    ASSERT_EQ(UnsignedBytesLess(a, b), reference(a, b)) << i;
    ASSERT_EQ(UnsignedBytesLess(b, a), reference(b, a)) << i;
  }
  EXPECT_FALSE(UnsignedBytesLess("", ""));
  EXPECT_TRUE(UnsignedBytesLess("", "a"));
  EXPECT_TRUE(UnsignedBytesLess("abcdefgh", "abcdefgh\x01"));
  EXPECT_TRUE(UnsignedBytesLess("abcdefgh\x7f", "abcdefgh\x80"));  // unsigned, past a word
}

TEST(ParquetWriter, StringStatisticsAreTheExtremesOfAllValues) {
  // Values sharing a long prefix, so the order is decided past the first words, in every
  // position of the batch (the minimum and maximum are neither first nor last).
  Schema s;
  s.fields = {Col(1, "s", FieldType::kString)};
  std::vector<std::optional<std::string>> values;
  const std::string prefix = "{\"user_id\":\"u000";
  std::mt19937 rng(11);
  std::string lo, hi;
  for (int i = 0; i < 5000; ++i) {
    std::string v = prefix + std::to_string(100000 + rng() % 800000) + "\"}";
    if (i == 0 || v < lo) lo = v;
    if (i == 0 || v > hi) hi = v;
    values.push_back(v);
  }
  values.insert(values.begin() + 1234, prefix);                      // the minimum: a prefix
  values.insert(values.begin() + 3456, prefix + "\xC3\xA9\"}");  // the maximum: a high byte
  auto w = WriteBatches(s, {Batch(static_cast<int64_t>(values.size()), {OptionalBytes(values)})});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  format::FileMetaData md = Footer(w->bytes);
  EXPECT_EQ(StatsOf(md, 0).min_value, prefix);
  EXPECT_EQ(StatsOf(md, 0).max_value, prefix + "\xC3\xA9\"}");
  EXPECT_LT(prefix, lo);
  EXPECT_LT(hi, prefix + "\xC3\xA9\"}");
}

TEST(Truncation, Utf8AndBinaryRules) {
  EXPECT_EQ(TruncateLowerBound("abc", 16, SIZE_MAX, true), "abc");
  EXPECT_EQ(TruncateUpperBound("abc", 16, SIZE_MAX, true), "abc");
  std::string a15(15, 'a');
  // U+D7FF steps over the surrogates to U+E000.
  EXPECT_EQ(TruncateUpperBound(a15 + "\xED\x9F\xBF" + "z", 16, SIZE_MAX, true),
            a15 + "\xEE\x80\x80");
  // U+10FFFF cannot be incremented: drop it and increment the character before.
  std::string a14(14, 'a');
  EXPECT_EQ(TruncateUpperBound(a14 + "a\xF4\x8F\xBF\xBF" + "b", 16, SIZE_MAX, true), a14 + "b");
  // Bytes: the last byte below 0xFF is incremented, the rest dropped.
  EXPECT_EQ(TruncateUpperBound("ab" + std::string(18, '\xFF'), 16, SIZE_MAX, false), "ac");
  EXPECT_FALSE(TruncateUpperBound(std::string(17, '\xFF'), 16, SIZE_MAX, false).has_value());
  // Byte limit for UTF-8 never splits a character.
  EXPECT_EQ(TruncateLowerBound("\xC3\xA9\xC3\xA9", SIZE_MAX, 3, true), "\xC3\xA9");
  EXPECT_EQ(TruncateUpperBound("\xC3\xA9\xC3\xA9", SIZE_MAX, 3, true), "\xC3\xAA");
}

TEST(ParquetWriter, ListLevelsAndMetrics) {
  // optional list<optional string>: null, [], [null], ["a", "b"] (FORMAT_NOTES 7.3).
  Schema s;
  Field tags = Col(5, "tags", FieldType::kList);
  tags.children.push_back(Col(7, "element", FieldType::kString));
  s.fields.push_back(tags);
  ColumnVector c;
  c.num_levels = 5;
  c.num_values = 2;
  c.def_levels = {0, 1, 2, 3, 3};
  c.rep_levels = {0, 0, 0, 0, 1};
  c.bytes = "ab";
  c.offsets = {0, 1, 2};
  for (auto v : {DataPageVersion::kV1, DataPageVersion::kV2}) {
    WriterOptions o;
    o.data_page_version = v;
    auto w = WriteBatches(s, {Batch(4, {c})}, o);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    ExpectSameColumn(c, ReadBack(w->bytes).columns[0], 0);
    EXPECT_EQ(w->metrics.columns[0].field_id, 7);
    EXPECT_EQ(w->metrics.columns[0].value_count, 5);
    EXPECT_EQ(w->metrics.columns[0].null_count, 3);
    EXPECT_EQ(w->metrics.columns[0].lower_bound, "a");
    EXPECT_EQ(w->metrics.columns[0].upper_bound, "b");
    format::FileMetaData md = Footer(w->bytes);
    EXPECT_EQ(md.row_groups[0].columns[0].meta_data->path_in_schema,
              (std::vector<std::string>{"tags", "list", "element"}));
    if (v == DataPageVersion::kV2) {
      int64_t off = md.row_groups[0].columns[0].meta_data->data_page_offset;
      auto ph = format::PageHeader::Parse(AsBytes(std::string_view(w->bytes).substr(off)));
      ASSERT_TRUE(ph.ok());
      ASSERT_TRUE(ph->data_page_header_v2.has_value());
      EXPECT_EQ(ph->data_page_header_v2->num_values, 5);
      EXPECT_EQ(ph->data_page_header_v2->num_nulls, 3);
      EXPECT_EQ(ph->data_page_header_v2->num_rows, 4);
    }
  }
}

TEST(ParquetWriter, RowGroupsSplitOffsetsAndSizeEstimate) {
  WriterOptions o;
  o.row_group_size_bytes = 64 * 1024;
  o.page_size_bytes = 8 * 1024;
  Schema s;
  s.fields = {Col(1, "id", FieldType::kLong, true), Col(2, "s", FieldType::kString)};
  MemoryOutputStream sink;
  auto w = ParquetWriter::Make(&sink, s, o);
  ASSERT_TRUE(w.ok());
  std::mt19937_64 rng(9);
  int64_t last_estimate = 0;
  for (int b = 0; b < 20; ++b) {
    ColumnVector id, str;
    str.offsets = {0};
    for (int i = 0; i < 1000; ++i) {
      id.i64.push_back(static_cast<int64_t>(rng()));
      str.def_levels.push_back(1);
      str.bytes += std::to_string(rng());
      str.offsets.push_back(static_cast<uint32_t>(str.bytes.size()));
    }
    id.num_levels = id.num_values = str.num_levels = str.num_values = 1000;
    ASSERT_TRUE((*w)->WriteBatch(Batch(1000, {id, str})).ok());
    int64_t estimate = (*w)->EstimatedFileSize();
    EXPECT_GE(estimate, sink.Tell());
    EXPECT_GT(estimate, last_estimate);
    last_estimate = estimate;
  }
  auto m = (*w)->Close();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  std::string bytes = sink.Release();
  EXPECT_EQ(m->file_size, static_cast<int64_t>(bytes.size()));
  EXPECT_NEAR(static_cast<double>(last_estimate), static_cast<double>(bytes.size()),
              0.1 * static_cast<double>(bytes.size()));
  format::FileMetaData md = Footer(bytes);
  ASSERT_GT(md.row_groups.size(), 2u);
  ASSERT_EQ(m->split_offsets.size(), md.row_groups.size());
  int64_t rows = 0, id_bytes = 0;
  for (size_t g = 0; g < md.row_groups.size(); ++g) {
    const auto& rg = md.row_groups[g];
    const auto& c0 = *rg.columns[0].meta_data;
    EXPECT_EQ(m->split_offsets[g], c0.dictionary_page_offset.value_or(c0.data_page_offset));
    EXPECT_EQ(rg.file_offset, m->split_offsets[g]);
    EXPECT_EQ(rg.ordinal, static_cast<int16_t>(g));
    rows += rg.num_rows;
    id_bytes += c0.total_compressed_size;
  }
  EXPECT_EQ(rows, 20000);
  EXPECT_EQ(md.num_rows, 20000);
  EXPECT_EQ(m->columns[0].compressed_size, id_bytes);
  EXPECT_EQ(ReadBack(bytes).num_rows, 20000);
}

TEST(ParquetWriter, ByteOffsetsNeedNotStartAtZero) {
  ColumnVector c;
  c.num_levels = c.num_values = 2;
  c.bytes = "xxxabc";
  c.offsets = {3, 5, 6};
  ColumnVector want;
  want.num_levels = want.num_values = 2;
  want.bytes = "abc";
  want.offsets = {0, 2, 3};
  for (ColumnEncoding e : {ColumnEncoding::kPlain, ColumnEncoding::kDictionary}) {
    WriterOptions o;
    o.default_encoding = e;
    auto w = WriteBatches(OneColumn(Col(1, "s", FieldType::kString, true)), {Batch(2, {c})}, o);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    ExpectSameColumn(want, ReadBack(w->bytes).columns[0], 0);
    EXPECT_EQ(w->metrics.columns[0].lower_bound, "ab");
    EXPECT_EQ(w->metrics.columns[0].upper_bound, "c");
  }
}

TEST(ParquetWriter, EmptyFileHasNoRowGroups) {
  auto w = WriteBatches(OneColumn(Col(1, "a", FieldType::kInt)), {});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  format::FileMetaData md = Footer(w->bytes);
  EXPECT_EQ(md.num_rows, 0);
  EXPECT_TRUE(md.row_groups.empty());
  EXPECT_TRUE(w->metrics.split_offsets.empty());
  EXPECT_FALSE(w->metrics.columns[0].lower_bound.has_value());
  EXPECT_EQ(ReadBack(w->bytes).num_rows, 0);
}

// Fails every Append once `budget` bytes have been taken.
class FailingOutputStream final : public OutputStream {
 public:
  explicit FailingOutputStream(int64_t budget) : budget_(budget) {}
  const std::string& location() const override { return location_; }
  Status Append(ByteView data) override {
    if (written_ + static_cast<int64_t>(data.size()) > budget_) {
      return Status::IOError("disk full at " + std::to_string(written_));
    }
    written_ += static_cast<int64_t>(data.size());
    return Status::OK();
  }
  int64_t Tell() const override { return written_; }
  Status Close() override { return Status::OK(); }
  void Abort() override {}

 private:
  std::string location_ = "failing:";
  int64_t budget_;
  int64_t written_ = 0;
};

TEST(ParquetWriter, SinkErrorsFailTheWriter) {
  Schema s = OneColumn(Col(1, "id", FieldType::kLong, true));
  ColumnVector c;
  for (int64_t i = 0; i < 1000; ++i) c.i64.push_back(i * 7919 % 1000);
  c.num_levels = c.num_values = 1000;
  WriterOptions o;
  o.row_group_size_bytes = 100;  // flush after every batch
  FailingOutputStream sink(2000);
  auto w = ParquetWriter::Make(&sink, s, o);
  ASSERT_TRUE(w.ok());
  Status first;
  for (int b = 0; b < 20 && first.ok(); ++b) first = (*w)->WriteBatch(Batch(1000, {c}));
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.kind(), ErrorKind::kIOError);
  Status again = (*w)->WriteBatch(Batch(1000, {c}));
  EXPECT_EQ(again.kind(), ErrorKind::kIOError);
  auto closed = (*w)->Close();
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.status().kind(), ErrorKind::kIOError);

  FailingOutputStream tiny(2);  // not even the magic fits
  EXPECT_FALSE(ParquetWriter::Make(&tiny, s, o).ok());
}

class WriteBatchValidation : public ::testing::Test {
 protected:
  void SetUp() override {
    Schema s;
    s.fields = {Col(1, "id", FieldType::kLong, true), Col(2, "name", FieldType::kString)};
    Field tags = Col(3, "tags", FieldType::kList);
    tags.children.push_back(Col(4, "element", FieldType::kInt, true));
    s.fields.push_back(tags);
    Field u = Col(5, "u", FieldType::kUuid, true);
    s.fields.push_back(u);
    auto w = ParquetWriter::Make(&sink_, s, {});
    ASSERT_TRUE(w.ok());
    writer_ = std::move(*w);
    good_ = Batch(2, {});
    ColumnVector id;
    id.num_levels = id.num_values = 2;
    id.i64 = {1, 2};
    ColumnVector name = OptionalBytes({"x", std::nullopt});
    ColumnVector tags_col;  // [7, 8], null
    tags_col.num_levels = 3;
    tags_col.num_values = 2;
    tags_col.def_levels = {2, 2, 0};
    tags_col.rep_levels = {0, 1, 0};
    tags_col.i32 = {7, 8};
    ColumnVector uuid;
    uuid.num_levels = uuid.num_values = 2;
    uuid.bytes = std::string(32, 'u');
    uuid.offsets = {0, 16, 32};
    good_.columns = {id, name, tags_col, uuid};
  }

  void ExpectRejected(const RowBatch& b, const std::string& needle) {
    Status s = writer_->WriteBatch(b);
    ASSERT_FALSE(s.ok()) << needle;
    EXPECT_EQ(s.kind(), ErrorKind::kInvalidArgument);
    EXPECT_NE(s.message().find(needle), std::string::npos) << s.message();
    // Nothing was written: the writer still takes good batches.
    ASSERT_TRUE(writer_->WriteBatch(good_).ok());
  }

  MemoryOutputStream sink_;
  std::unique_ptr<ParquetWriter> writer_;
  RowBatch good_;
};

TEST_F(WriteBatchValidation, GoodBatchIsAccepted) {
  ASSERT_TRUE(writer_->WriteBatch(good_).ok());
  auto m = writer_->Close();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  RowBatch got = ReadBack(sink_.data());
  for (size_t i = 0; i < 4; ++i) ExpectSameColumn(good_.columns[i], got.columns[i], i);
}

TEST_F(WriteBatchValidation, ColumnCount) {
  RowBatch b = good_;
  b.columns.pop_back();
  ExpectRejected(b, "3 columns");
}

TEST_F(WriteBatchValidation, LevelCounts) {
  RowBatch b = good_;
  b.num_rows = 3;
  ExpectRejected(b, "'id'");
  b = good_;
  b.columns[1].def_levels.push_back(1);
  ExpectRejected(b, "definition levels");
  b = good_;
  b.columns[0].def_levels = {1, 1};
  ExpectRejected(b, "definition levels");
  b = good_;
  b.columns[2].rep_levels.pop_back();
  ExpectRejected(b, "repetition levels");
}

TEST_F(WriteBatchValidation, LevelRanges) {
  RowBatch b = good_;
  b.columns[1].def_levels[1] = 2;
  ExpectRejected(b, "definition level 2 at index 1");
  b = good_;
  b.columns[2].rep_levels = {1, 1, 0};
  ExpectRejected(b, "first repetition level");
  b = good_;
  b.columns[2].rep_levels = {0, 2, 0};
  ExpectRejected(b, "repetition level 2");
  b = good_;
  b.columns[2].rep_levels = {0, 1, 1};
  ExpectRejected(b, "1 rows in the repetition levels");
}

TEST_F(WriteBatchValidation, ValueCounts) {
  RowBatch b = good_;
  b.columns[0].i64.push_back(3);
  ExpectRejected(b, "i64 holds 3 values");
  b = good_;
  b.columns[1].num_values = 2;
  ExpectRejected(b, "num_values 2");
  b = good_;
  b.columns[2].def_levels = {2, 1, 0};
  ExpectRejected(b, "num_values 2 but 1");
}

TEST_F(WriteBatchValidation, ByteOffsets) {
  RowBatch b = good_;
  b.columns[1].offsets = {0};
  ExpectRejected(b, "offsets holds 1");
  b = good_;
  b.columns[1].offsets = {0, 5};
  ExpectRejected(b, "past the 1 bytes");
  b = good_;
  b.columns[3].offsets = {0, 16, 15};
  ExpectRejected(b, "decrease");
  b = good_;
  b.columns[3].offsets = {0, 15, 32};
  ExpectRejected(b, "width is 16");
}

TEST_F(WriteBatchValidation, ByteViews) {
  RowBatch b = good_;
  b.columns[1].views = {"x", "y"};
  ExpectRejected(b, "views holds 2 values, expected 1");
  b = good_;
  b.columns[3].views = {std::string_view(b.columns[3].bytes).substr(0, 16),
                        std::string_view(b.columns[3].bytes).substr(16, 15)};
  ExpectRejected(b, "value 1 has 15 bytes, the column's width is 16");
  b = good_;
  b.columns[3].views = {std::string_view(b.columns[3].bytes).substr(0, 16),
                        std::string_view(b.columns[3].bytes).substr(16, 16)};
  b.columns[3].offsets.clear();
  EXPECT_TRUE(writer_->WriteBatch(b).ok());
}

TEST_F(WriteBatchValidation, AfterCloseIsAnError) {
  ASSERT_TRUE(writer_->Close().ok());
  EXPECT_FALSE(writer_->WriteBatch(good_).ok());
  EXPECT_FALSE(writer_->Close().ok());
}

}  // namespace
}  // namespace floe::parquet
