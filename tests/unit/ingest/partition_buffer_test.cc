#include "floe/ingest/partition_buffer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "floe/common/clock.h"
#include "floe/io/memory_store.h"
#include "floe/parquet/reader.h"
#include "floe/parquet/schema.h"
#include "floe/parquet/writer.h"

namespace floe::ingest {
namespace {

// k: optional long (a key with nulls: the comparing sort), t: required string (a key the
// integer-image sort takes), s: optional string.
struct Row {
  std::optional<int64_t> k;
  std::string t;
  std::optional<std::string> s;
};

class PartitionBufferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto field = [](int32_t id, const char* name, bool required, parquet::FieldType type) {
      parquet::Field f;
      f.field_id = id;
      f.name = name;
      f.required = required;
      f.type = type;
      return f;
    };
    schema_.fields = {field(1, "k", false, parquet::FieldType::kTimestampTz),
                      field(2, "t", true, parquet::FieldType::kString),
                      field(3, "s", false, parquet::FieldType::kString)};
    auto file_schema = parquet::BuildFileSchema(schema_);
    ASSERT_TRUE(file_schema.ok()) << file_schema.status().ToString();
    leaves_ = file_schema->leaves;
  }

  std::unique_ptr<PartitionBuffer> Make() {
    return std::make_unique<PartitionBuffer>(&leaves_, std::vector<iceberg::Literal>{}, "");
  }

  void Append(PartitionBuffer* b, const Row& r) {
    MappedRow row;
    row.values.resize(3);
    if (r.k) {
      row.values[0].kind = RowValue::Kind::kTimestampTz;
      row.values[0].micros = *r.k;
    } else {
      row.values[0].kind = RowValue::Kind::kNull;
    }
    row.values[1].kind = RowValue::Kind::kString;
    row.values[1].text = r.t;
    if (r.s) {
      row.values[2].kind = RowValue::Kind::kString;
      row.values[2].text = *r.s;
    } else {
      row.values[2].kind = RowValue::Kind::kNull;
    }
    ASSERT_TRUE(b->AppendRow(row).ok());
  }

  // The rows `b` writes ordered by `keys`, read back from the file, in batches of 2 rows.
  std::vector<Row> Written(const PartitionBuffer& b, const std::vector<SortKey>& keys) {
    std::string path = "memory://pb/" + std::to_string(++files_) + ".parquet";
    auto stream = store_.Create(path);
    EXPECT_TRUE(stream.ok());
    auto writer = parquet::ParquetWriter::Make(stream->get(), schema_, parquet::WriterOptions{});
    EXPECT_TRUE(writer.ok());
    Status st = b.WriteSorted(keys, writer->get(), 2);
    EXPECT_TRUE(st.ok()) << st.ToString();
    EXPECT_TRUE((*writer)->Close().ok());
    auto file = store_.OpenRead(path);
    EXPECT_TRUE(file.ok());
    auto reader = parquet::ParquetReader::Open(file->get());
    EXPECT_TRUE(reader.ok());
    std::vector<Row> rows;
    for (int rg = 0; rg < (*reader)->num_row_groups(); ++rg) {
      parquet::RowBatch batch;
      EXPECT_TRUE((*reader)->ReadRowGroup(rg, {0, 1, 2}, &batch).ok());
      const auto& k = batch.columns[0];
      const auto& t = batch.columns[1];
      const auto& s = batch.columns[2];
      size_t kv = 0, sv = 0;
      for (int64_t r = 0; r < batch.num_rows; ++r) {
        Row row;
        if (k.def_levels[r] > 0) row.k = k.i64[kv++];
        row.t = t.bytes.substr(t.offsets[r], t.offsets[r + 1] - t.offsets[r]);
        if (s.def_levels[r] > 0) {
          row.s = s.bytes.substr(s.offsets[sv], s.offsets[sv + 1] - s.offsets[sv]);
          ++sv;
        }
        rows.push_back(std::move(row));
      }
    }
    return rows;
  }

  parquet::Schema schema_;
  std::vector<parquet::LeafColumn> leaves_;
  FakeClock clock_{0};
  MemoryStore store_{&clock_};
  int files_ = 0;
};

bool Same(const std::vector<Row>& a, const std::vector<Row>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].k != b[i].k || a[i].t != b[i].t || a[i].s != b[i].s) return false;
  }
  return true;
}

// Bodies adopted whole, part of one appended by row, rows appended after an adoption: the file is
// the one a buffer given the same rows one by one writes, with either sort.
TEST_F(PartitionBufferTest, AdoptedChunksWriteAsOneBuffer) {
  const std::vector<Row> first = {{5, "b", "x"}, {std::nullopt, "a", std::nullopt}, {3, "b", "y"}};
  const std::vector<Row> second = {{3, "a", "z"}, {1, "c", std::nullopt}, {3, "b", "w"}};
  const std::vector<Row> third = {{std::nullopt, "b", "v"}, {7, "a", std::nullopt}};
  const std::vector<Row> last = {{3, "b", "u"}};

  auto whole = Make();
  auto expected = Make();
  for (const Row& r : first) Append(whole.get(), r);
  for (const Row& r : first) Append(expected.get(), r);

  auto body2 = Make();
  for (const Row& r : second) Append(body2.get(), r);
  const int64_t held = whole->bytes() + body2->bytes();
  whole->Adopt(std::move(*body2));
  EXPECT_EQ(whole->rows(), 6);
  EXPECT_EQ(whole->bytes(), held);
  EXPECT_EQ(body2->rows(), 0);
  EXPECT_EQ(body2->bytes(), 0);
  for (const Row& r : second) Append(expected.get(), r);

  // Rows 0 and 2 of a body (its row 1 a duplicate), then one adopted whole.
  auto body3 = Make();
  Append(body3.get(), third[0]);
  Append(body3.get(), {9, "z", "dropped"});
  Append(body3.get(), third[1]);
  const uint32_t picked[] = {0, 2};
  whole->AppendRows(*body3, picked);
  for (const Row& r : third) Append(expected.get(), r);
  for (const Row& r : last) Append(whole.get(), r);
  for (const Row& r : last) Append(expected.get(), r);
  auto body4 = Make();
  Append(body4.get(), {2, "a", "t"});
  whole->Adopt(std::move(*body4));
  Append(expected.get(), {2, "a", "t"});
  EXPECT_EQ(whole->rows(), expected->rows());

  for (const auto& keys : std::vector<std::vector<SortKey>>{
           {},                                    // arrival order
           {{1, false, true}, {0, false, true}},  // t, then k (nulls first): comparing sort
           {{0, true, false}},                    // k descending, nulls last
           {{1, true, true}},                     // t descending: integer images
       }) {
    auto got = Written(*whole, keys);
    auto want = Written(*expected, keys);
    EXPECT_EQ(got.size(), 10u);
    EXPECT_TRUE(Same(got, want)) << "keys: " << keys.size();
  }
}

// Enough rows for the counting sort by the first key (the type): runs already in the order of
// the second key stay as they are, late rows are merged in, runs out of order are sorted, ties
// keep arrival order; the
// same order as a stable sort of the rows, in buffers sized for their rows up front or not.
TEST_F(PartitionBufferTest, ManyRowsSortLikeAStableSort) {
  std::vector<Row> rows;
  uint32_t seed = 7;
  for (int i = 0; i < 20000; ++i) {
    seed = seed * 1103515245u + 12345u;
    const char* types[] = {"d", "a", "c", "b"};
    std::string t = types[(seed >> 16) % 4];
    int64_t k = t == "a"   ? (i % 37 == 0 ? i - 500 : i)  // in order but for a few late ones
                : t == "b" ? i                            // in arrival order
                : t == "c" ? 50000 - i                    // in reverse
                           : (seed >> 8) % 50;            // random, with ties
    rows.push_back({k, t, std::to_string(i)});
  }
  std::vector<Row> expected = rows;
  std::stable_sort(expected.begin(), expected.end(), [](const Row& a, const Row& b) {
    return a.t != b.t ? a.t < b.t : *a.k < *b.k;
  });
  for (int64_t expected_rows : {int64_t{0}, int64_t{20000}}) {
    auto b = std::make_unique<PartitionBuffer>(&leaves_, std::vector<iceberg::Literal>{}, "",
                                               expected_rows);
    for (const Row& r : rows) Append(b.get(), r);
    EXPECT_TRUE(Same(Written(*b, {SortKey{1}, SortKey{0}}), expected)) << expected_rows;
  }
}

// Adopted chunks where an optional column has a value in every row (s: gathered by each row's
// place in its chunk) and another has nulls in one chunk only (k: through its value index): the
// file holds each row's own values, in the order of a stable sort, over batches that straddle
// the chunks.
TEST_F(PartitionBufferTest, ColumnsWithAndWithoutNullsGatherAcrossChunks) {
  const std::vector<std::vector<Row>> bodies = {
      {{4, "b", "b0"}, {2, "a", "b1"}, {4, "a", "b2"}},
      {{std::nullopt, "b", "b3"}, {1, "b", "b4"}, {std::nullopt, "a", "b5"}, {3, "a", "b6"}},
      {{0, "c", "b7"}, {2, "b", "b8"}},
  };
  auto whole = Make();
  std::vector<Row> all;
  for (const auto& body : bodies) {
    auto b = Make();
    for (const Row& r : body) {
      Append(b.get(), r);
      all.push_back(r);
    }
    whole->Adopt(std::move(*b));
  }
  auto by = [](const std::vector<Row>& rows, auto less) {
    std::vector<Row> sorted = rows;
    std::stable_sort(sorted.begin(), sorted.end(), less);
    return sorted;
  };
  // t, then k with nulls first: the comparing sort (k has nulls).
  const std::vector<Row> by_t_k = by(all, [](const Row& a, const Row& b) {
    if (a.t != b.t) return a.t < b.t;
    if (a.k.has_value() != b.k.has_value()) return !a.k.has_value();
    return a.k.has_value() && *a.k < *b.k;
  });
  EXPECT_TRUE(Same(Written(*whole, {SortKey{1}, SortKey{0}}), by_t_k));
  // s descending: integer images of a column with no nulls.
  const std::vector<Row> by_s = by(all, [](const Row& a, const Row& b) { return *a.s > *b.s; });
  EXPECT_TRUE(Same(Written(*whole, {SortKey{2, true}}), by_s));
  EXPECT_TRUE(Same(Written(*whole, {}), all));
}

}  // namespace
}  // namespace floe::ingest
