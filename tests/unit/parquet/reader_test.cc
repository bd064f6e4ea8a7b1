#include "floe/parquet/reader.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "floe/compression/codec.h"
#include "floe/io/file.h"
#include "floe/parquet/format.h"
#include "floe/util/endian.h"

namespace floe::parquet {
namespace {

namespace fs = std::filesystem;
using format::Encoding;
using format::PageType;

const char* kFixtures = FLOE_FIXTURES_DIR;

std::vector<std::string> FixtureFiles() {
  std::vector<std::string> files;
  if (!fs::exists(kFixtures)) return files;
  for (const auto& e : fs::recursive_directory_iterator(kFixtures)) {
    if (e.is_regular_file() && e.path().extension() == ".parquet") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string Slurp(const std::string& path) {
  auto f = OpenLocalFile(path);
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  auto data = ReadWholeFile(f->get());
  EXPECT_TRUE(data.ok());
  return *data;
}

// Reads every column of every row group in batches; returns the first error.
Status ReadEverything(const std::string& location, const std::string& data, int64_t batch,
                      int64_t* levels_out = nullptr) {
  MemoryRandomAccessFile file(location, data);
  FLOE_ASSIGN_OR_RETURN(auto reader, ParquetReader::Open(&file));
  int64_t levels = 0;
  for (int g = 0; g < reader->num_row_groups(); ++g) {
    for (int c = 0; c < static_cast<int>(reader->leaf_columns().size()); ++c) {
      FLOE_ASSIGN_OR_RETURN(auto column, reader->OpenColumnChunk(g, c));
      ColumnVector v;
      while (!column->done()) {
        v.Clear();
        FLOE_RETURN_IF_ERROR(column->ReadBatch(batch, &v));
        levels += v.num_levels;
      }
    }
  }
  if (levels_out != nullptr) *levels_out = levels;
  return Status::OK();
}

// Values of a column vector are consistent with its levels and physical type.
void ExpectConsistent(const LeafColumn& leaf, const ColumnVector& v, const std::string& what) {
  if (leaf.max_def > 0) {
    ASSERT_EQ(static_cast<int64_t>(v.def_levels.size()), v.num_levels) << what;
    int64_t defined = 0;
    for (int16_t d : v.def_levels) defined += d == leaf.max_def;
    EXPECT_EQ(defined, v.num_values) << what;
  } else {
    EXPECT_EQ(v.num_values, v.num_levels) << what;
  }
  if (leaf.max_rep > 0) {
    EXPECT_EQ(static_cast<int64_t>(v.rep_levels.size()), v.num_levels) << what;
  }
  size_t n = static_cast<size_t>(v.num_values);
  switch (leaf.physical) {
    case PhysicalType::kBoolean: EXPECT_EQ(v.bools.size(), n) << what; break;
    case PhysicalType::kInt32: EXPECT_EQ(v.i32.size(), n) << what; break;
    case PhysicalType::kInt64: EXPECT_EQ(v.i64.size(), n) << what; break;
    case PhysicalType::kFloat: EXPECT_EQ(v.f32.size(), n) << what; break;
    case PhysicalType::kDouble: EXPECT_EQ(v.f64.size(), n) << what; break;
    default:
      EXPECT_EQ(v.offsets.size(), n == 0 ? 0 : n + 1) << what;
      if (n > 0) {
        EXPECT_EQ(v.offsets.back(), v.bytes.size()) << what;
      }
  }
}

TEST(ParquetReaderFixtures, EveryFixtureReadsCompletely) {
  auto files = FixtureFiles();
  ASSERT_FALSE(files.empty()) << "no fixtures under " << kFixtures;
  for (const std::string& path : files) {
    SCOPED_TRACE(path);
    auto f = OpenLocalFile(path);
    ASSERT_TRUE(f.ok());
    auto reader = ParquetReader::Open(f->get());
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    const ParquetReader& r = **reader;
    int64_t rows = 0;
    std::vector<int> all(r.leaf_columns().size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
    for (int g = 0; g < r.num_row_groups(); ++g) {
      rows += r.row_group_num_rows(g);
      RowBatch batch;
      Status s = r.ReadRowGroup(g, all, &batch);
      ASSERT_TRUE(s.ok()) << s.ToString();
      ASSERT_EQ(batch.columns.size(), all.size());
      for (size_t c = 0; c < all.size(); ++c) {
        const LeafColumn& leaf = r.leaf_columns()[c];
        EXPECT_EQ(batch.columns[c].num_levels,
                  r.column_metadata(g, static_cast<int>(c)).num_values);
        if (leaf.max_rep == 0) {
          EXPECT_EQ(batch.columns[c].num_levels, r.row_group_num_rows(g));
        }
        ExpectConsistent(leaf, batch.columns[c], JoinPath(leaf.path));
      }
    }
    EXPECT_EQ(rows, r.num_rows());
    // Small odd batches cross page boundaries and split runs.
    Status s = ReadEverything(path, Slurp(path), 7);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
}

TEST(ParquetReaderFixtures, ReusedRowBatchHoldsOnlyTheLatestRowGroup) {
  for (const std::string& path : FixtureFiles()) {
    auto f = OpenLocalFile(path);
    ASSERT_TRUE(f.ok());
    auto reader = ParquetReader::Open(f->get());
    ASSERT_TRUE(reader.ok());
    const ParquetReader& r = **reader;
    if (r.num_row_groups() == 0) continue;
    std::vector<int> all(r.leaf_columns().size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
    RowBatch fresh, reused;
    ASSERT_TRUE(r.ReadRowGroup(0, all, &reused).ok());
    ASSERT_TRUE(r.ReadRowGroup(0, all, &reused).ok());
    ASSERT_TRUE(r.ReadRowGroup(0, all, &fresh).ok());
    ASSERT_EQ(fresh.columns.size(), reused.columns.size());
    for (size_t c = 0; c < all.size(); ++c) {
      EXPECT_EQ(fresh.columns[c].num_levels, reused.columns[c].num_levels) << path;
      EXPECT_EQ(fresh.columns[c].def_levels, reused.columns[c].def_levels) << path;
      EXPECT_EQ(fresh.columns[c].bytes, reused.columns[c].bytes) << path;
      EXPECT_EQ(fresh.columns[c].i64, reused.columns[c].i64) << path;
    }
    // A projection returns the chosen leaves in the order asked for.
    if (all.size() >= 2) {
      RowBatch projected;
      ASSERT_TRUE(r.ReadRowGroup(0, {1, 0}, &projected).ok());
      EXPECT_EQ(projected.columns[0].num_levels, fresh.columns[1].num_levels);
      EXPECT_EQ(projected.columns[1].bytes, fresh.columns[0].bytes);
      EXPECT_EQ(projected.columns[1].i32, fresh.columns[0].i32);
    }
  }
}

void ExpectSameColumn(const ColumnVector& a, const ColumnVector& b, const std::string& what) {
  EXPECT_EQ(a.num_levels, b.num_levels) << what;
  EXPECT_EQ(a.num_values, b.num_values) << what;
  EXPECT_EQ(a.def_levels, b.def_levels) << what;
  EXPECT_EQ(a.rep_levels, b.rep_levels) << what;
  EXPECT_EQ(a.bools, b.bools) << what;
  EXPECT_EQ(a.i32, b.i32) << what;
  EXPECT_EQ(a.i64, b.i64) << what;
  EXPECT_EQ(a.offsets, b.offsets) << what;
  EXPECT_EQ(a.bytes, b.bytes) << what;
  EXPECT_EQ(a.f32.size(), b.f32.size()) << what;
  EXPECT_EQ(a.f64.size(), b.f64.size()) << what;
  // Bitwise, so NaN payloads compare too.
  if (!a.f32.empty() && a.f32.size() == b.f32.size()) {
    EXPECT_EQ(0, std::memcmp(a.f32.data(), b.f32.data(), a.f32.size() * sizeof(float))) << what;
  }
  if (!a.f64.empty() && a.f64.size() == b.f64.size()) {
    EXPECT_EQ(0, std::memcmp(a.f64.data(), b.f64.data(), a.f64.size() * sizeof(double))) << what;
  }
}

// Small batches appended into one vector (crossing pages and splitting runs) give exactly what
// one whole-row-group read gives.
TEST(ParquetReaderFixtures, SmallBatchesAppendToTheSameResult) {
  for (const std::string& path : FixtureFiles()) {
    auto f = OpenLocalFile(path);
    ASSERT_TRUE(f.ok());
    auto reader = ParquetReader::Open(f->get());
    ASSERT_TRUE(reader.ok());
    const ParquetReader& r = **reader;
    for (int g = 0; g < r.num_row_groups(); ++g) {
      for (int c = 0; c < static_cast<int>(r.leaf_columns().size()); ++c) {
        RowBatch whole;
        ASSERT_TRUE(r.ReadRowGroup(g, {c}, &whole).ok());
        auto column = r.OpenColumnChunk(g, c);
        ASSERT_TRUE(column.ok());
        ColumnVector pieces;
        while (!(*column)->done()) {
          Status s = (*column)->ReadBatch(7, &pieces);
          ASSERT_TRUE(s.ok()) << s.ToString();
        }
        EXPECT_EQ((*column)->levels_left(), 0);
        ExpectSameColumn(whole.columns[0], pieces, path + " column " + std::to_string(c));
      }
    }
  }
}

// Row groups decoded on two threads at once match a sequential read.
TEST(ParquetReaderFixtures, ConcurrentRowGroupReads) {
  for (const std::string& path : FixtureFiles()) {
    auto f = OpenLocalFile(path);
    ASSERT_TRUE(f.ok());
    auto reader = ParquetReader::Open(f->get());
    ASSERT_TRUE(reader.ok());
    const ParquetReader& r = **reader;
    std::vector<int> all(r.leaf_columns().size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
    std::vector<RowBatch> sequential(static_cast<size_t>(r.num_row_groups()));
    for (int g = 0; g < r.num_row_groups(); ++g) {
      ASSERT_TRUE(r.ReadRowGroup(g, all, &sequential[static_cast<size_t>(g)]).ok());
    }
    std::vector<RowBatch> threaded(sequential.size());
    std::vector<Status> results(sequential.size());
    auto work = [&](int parity) {
      for (int g = parity; g < r.num_row_groups(); g += 2) {
        results[static_cast<size_t>(g)] = r.ReadRowGroup(g, all, &threaded[static_cast<size_t>(g)]);
      }
    };
    std::thread a(work, 0), b(work, 1);
    a.join();
    b.join();
    for (size_t g = 0; g < sequential.size(); ++g) {
      ASSERT_TRUE(results[g].ok()) << results[g].ToString();
      for (size_t c = 0; c < all.size(); ++c) {
        ExpectSameColumn(sequential[g].columns[c], threaded[g].columns[c], path);
      }
    }
  }
}

// Readers of different files (codecs differ between the fixtures) sharing one buffer pool, as
// compaction's inputs do, read what readers with pools of their own read, one thread or two.
TEST(ParquetReaderFixtures, ReadersSharingABufferPool) {
  std::vector<std::string> paths = FixtureFiles();
  ColumnChunkBufferPool pool;
  for (int threads : {1, 2}) {
    ReaderOptions shared;
    shared.threads = threads;
    shared.buffer_pool = &pool;
    std::vector<std::unique_ptr<RandomAccessFile>> files;
    std::vector<std::unique_ptr<ParquetReader>> own, pooled;
    for (const std::string& path : paths) {
      auto f = OpenLocalFile(path);
      ASSERT_TRUE(f.ok());
      files.push_back(std::move(*f));
      auto a = ParquetReader::Open(files.back().get());
      auto b = ParquetReader::Open(files.back().get(), shared);
      ASSERT_TRUE(a.ok() && b.ok()) << path;
      own.push_back(std::move(*a));
      pooled.push_back(std::move(*b));
    }
    // Row group g of every file, then g + 1 of every file: buffers move between files.
    for (int g = 0;; ++g) {
      bool any = false;
      for (size_t i = 0; i < paths.size(); ++i) {
        if (g >= own[i]->num_row_groups()) continue;
        any = true;
        std::vector<int> all(own[i]->leaf_columns().size());
        for (size_t c = 0; c < all.size(); ++c) all[c] = static_cast<int>(c);
        RowBatch want, got;
        ASSERT_TRUE(own[i]->ReadRowGroup(g, all, &want).ok()) << paths[i];
        ASSERT_TRUE(pooled[i]->ReadRowGroup(g, all, &got).ok()) << paths[i];
        for (size_t c = 0; c < all.size(); ++c) {
          ExpectSameColumn(want.columns[c], got.columns[c], paths[i]);
        }
      }
      if (!any) break;
    }
  }
}

TEST(ParquetReaderFixtures, LookupsByFieldIdAndPath) {
  for (const std::string& path : FixtureFiles()) {
    auto f = OpenLocalFile(path);
    ASSERT_TRUE(f.ok());
    auto reader = ParquetReader::Open(f->get());
    ASSERT_TRUE(reader.ok());
    const auto& leaves = (*reader)->leaf_columns();
    for (size_t i = 0; i < leaves.size(); ++i) {
      EXPECT_EQ((*reader)->FindLeafByPath(leaves[i].path), static_cast<int>(i));
      EXPECT_EQ((*reader)->FindLeafByPath(JoinPath(leaves[i].path)), static_cast<int>(i));
      if (leaves[i].field_id >= 0) {
        EXPECT_EQ((*reader)->FindLeafByFieldId(leaves[i].field_id), static_cast<int>(i));
      }
    }
    EXPECT_EQ((*reader)->FindLeafByFieldId(987654), -1);
    EXPECT_EQ((*reader)->FindLeafByPath("no.such.column"), -1);
  }
}

// ---------------------------------------------------------------- corrupt variants of fixtures

std::string SmallestFixture() {
  std::string best;
  uintmax_t best_size = ~uintmax_t{0};
  for (const auto& f : FixtureFiles()) {
    auto size = fs::file_size(f);
    if (size < best_size) {
      best = f;
      best_size = size;
    }
  }
  return best;
}

void ExpectCorruptMentioning(const Status& s, const std::string& needle) {
  EXPECT_EQ(s.kind(), ErrorKind::kCorrupt) << s.ToString();
  EXPECT_NE(s.message().find(needle), std::string::npos) << s.message();
}

TEST(ParquetReaderCorrupt, TruncatedFilesAreCorrupt) {
  for (const std::string& path : FixtureFiles()) {
    std::string data = Slurp(path);
    for (size_t keep :
         {size_t{0}, size_t{4}, size_t{11}, data.size() / 2, data.size() - 1, data.size() - 5}) {
      MemoryRandomAccessFile file("mem://truncated", data.substr(0, keep));
      auto reader = ParquetReader::Open(&file);
      ASSERT_FALSE(reader.ok()) << path << " kept " << keep;
      ExpectCorruptMentioning(reader.status(), "mem://truncated");
    }
  }
}

TEST(ParquetReaderCorrupt, BadMagicAndFooterLength) {
  std::string data = Slurp(SmallestFixture());
  std::string bad_head = data;
  bad_head[0] = 'X';
  MemoryRandomAccessFile f1("mem://head", bad_head);
  ExpectCorruptMentioning(ParquetReader::Open(&f1).status(), "magic at offset 0");
  std::string bad_tail = data;
  bad_tail[bad_tail.size() - 1] = 'X';
  MemoryRandomAccessFile f2("mem://tail", bad_tail);
  ExpectCorruptMentioning(ParquetReader::Open(&f2).status(), "magic at the end");
  std::string long_footer = data;
  long_footer[long_footer.size() - 5] = '\x7f';
  MemoryRandomAccessFile f3("mem://len", long_footer);
  ExpectCorruptMentioning(ParquetReader::Open(&f3).status(), "footer length");
}

TEST(ParquetReaderCorrupt, GarbageFooterIsCorrupt) {
  std::string data = Slurp(SmallestFixture());
  const uint32_t footer_len = LoadLE<uint32_t>(data.data() + data.size() - 8);
  const size_t footer_at = data.size() - 8 - footer_len;
  std::string garbage = data;
  for (size_t i = footer_at; i < footer_at + footer_len; ++i) garbage[i] = '\xff';
  MemoryRandomAccessFile f("mem://garbage", garbage);
  ExpectCorruptMentioning(ParquetReader::Open(&f).status(), "footer");
}

// Flipping any single footer byte must end in a clean open or an error, never a crash; reading a
// file that opened must end cleanly too.
TEST(ParquetReaderCorrupt, EveryFooterByteFlipped) {
  std::string data = Slurp(SmallestFixture());
  const uint32_t footer_len = LoadLE<uint32_t>(data.data() + data.size() - 8);
  const size_t footer_at = data.size() - 8 - footer_len;
  int errors = 0;
  for (size_t i = footer_at; i < data.size() - 8; ++i) {
    for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}}) {
      std::string flipped = data;
      flipped[i] = static_cast<char>(flipped[i] ^ mask);
      Status s = ReadEverything("mem://flipped", flipped, 100);
      if (!s.ok()) {
        ++errors;
        EXPECT_TRUE(s.kind() == ErrorKind::kCorrupt || s.kind() == ErrorKind::kNotSupported)
            << s.ToString();
        EXPECT_NE(s.message().find("mem://flipped"), std::string::npos) << s.ToString();
      }
    }
  }
  EXPECT_GT(errors, 0);
}

// Offsets of the page headers of column chunk (0, 0).
int64_t FirstPageOffset(const std::string& data) {
  MemoryRandomAccessFile file("mem://x", data);
  auto reader = ParquetReader::Open(&file);
  EXPECT_TRUE(reader.ok());
  const auto& meta = (*reader)->column_metadata(0, 0);
  return meta.dictionary_page_offset.value_or(meta.data_page_offset) > 0
             ? std::min(meta.data_page_offset, meta.dictionary_page_offset.value_or(INT64_MAX))
             : meta.data_page_offset;
}

TEST(ParquetReaderCorrupt, GarbagePageHeaderNamesColumnAndOffset) {
  std::string data = Slurp(SmallestFixture());
  MemoryRandomAccessFile file("mem://x", data);
  auto reader = ParquetReader::Open(&file);
  ASSERT_TRUE(reader.ok());
  const std::string column = JoinPath((*reader)->leaf_columns()[0].path);
  const int64_t at = FirstPageOffset(data);
  std::string bad = data;
  for (int i = 0; i < 6; ++i) bad[static_cast<size_t>(at + i)] = '\xff';
  Status s = ReadEverything("mem://page", bad, 1000);
  ExpectCorruptMentioning(s, "column '" + column + "'");
  EXPECT_NE(s.message().find("offset " + std::to_string(at)), std::string::npos) << s.message();
}

TEST(ParquetReaderCorrupt, FlippedPageBytesNeverCrash) {
  // Every fixture: flip bytes through the first column chunk's pages.
  for (const std::string& path : FixtureFiles()) {
    std::string data = Slurp(path);
    MemoryRandomAccessFile file("mem://x", data);
    auto reader = ParquetReader::Open(&file);
    ASSERT_TRUE(reader.ok());
    if ((*reader)->num_row_groups() == 0) continue;
    const int64_t begin = FirstPageOffset(data);
    const int64_t length = (*reader)->column_metadata(0, 0).total_compressed_size;
    for (int64_t i = 0; i < length; i += std::max<int64_t>(1, length / 64)) {
      std::string bad = data;
      bad[static_cast<size_t>(begin + i)] ^= 0x5a;
      Status s = ReadEverything("mem://flip", bad, 333);
      if (!s.ok()) {
        EXPECT_TRUE(s.kind() == ErrorKind::kCorrupt || s.kind() == ErrorKind::kNotSupported)
            << s.ToString();
        EXPECT_NE(s.message().find("mem://flip"), std::string::npos) << s.ToString();
      }
    }
  }
}

// ---------------------------------------------------------------- hand-built files

struct TestPage {
  format::PageHeader header;
  std::string body;
};

// Lays out a one-column file (schema elements given) with the given pages in one row group.
std::string BuildFile(const std::vector<format::SchemaElement>& schema,
                      const std::vector<TestPage>& pages, int64_t num_rows, int64_t num_values,
                      format::CompressionCodec codec = format::CompressionCodec::kUncompressed) {
  std::string out = "PAR1";
  format::ColumnMetaData meta;
  meta.type = *schema.back().type;
  meta.encodings = {Encoding::kPlain, Encoding::kRle};
  meta.path_in_schema = {schema.back().name};
  meta.codec = codec;
  meta.num_values = num_values;
  const int64_t start = static_cast<int64_t>(out.size());
  bool first = true;
  for (const TestPage& p : pages) {
    if (p.header.type == PageType::kDictionaryPage) {
      meta.dictionary_page_offset = static_cast<int64_t>(out.size());
    } else if (first) {
      meta.data_page_offset = static_cast<int64_t>(out.size());
      first = false;
    }
    format::SerializeTo(p.header, &out);
    out += p.body;
  }
  meta.total_compressed_size = static_cast<int64_t>(out.size()) - start;
  meta.total_uncompressed_size = meta.total_compressed_size;
  format::FileMetaData fmd;
  fmd.schema = schema;
  fmd.num_rows = num_rows;
  format::RowGroup rg;
  rg.num_rows = num_rows;
  format::ColumnChunk cc;
  cc.file_offset = start;
  cc.meta_data = meta;
  rg.columns.push_back(cc);
  fmd.row_groups.push_back(rg);
  fmd.created_by = "floe reader_test";
  fmd.key_value_metadata = std::vector<format::KeyValue>{{"writer.note", "hand-built"}};
  std::string footer = format::Serialize(fmd);
  out += footer;
  uint32_t len = static_cast<uint32_t>(footer.size());
  out.append(reinterpret_cast<const char*>(&len), 4);
  out += "PAR1";
  return out;
}

std::vector<format::SchemaElement> OneColumn(PhysicalType type, format::Repetition rep) {
  format::SchemaElement root;
  root.name = "table";
  root.num_children = 1;
  format::SchemaElement leaf;
  leaf.name = "x";
  leaf.type = type;
  leaf.repetition_type = rep;
  leaf.field_id = 1;
  return {root, leaf};
}

std::string Plain32(const std::vector<int32_t>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4);
}

TestPage DataPageV1(int32_t num_values, Encoding enc, std::string body) {
  TestPage p;
  p.header.type = PageType::kDataPage;
  p.header.uncompressed_page_size = static_cast<int32_t>(body.size());
  p.header.compressed_page_size = static_cast<int32_t>(body.size());
  format::DataPageHeader h;
  h.num_values = num_values;
  h.encoding = enc;
  p.header.data_page_header = h;
  p.body = std::move(body);
  return p;
}

TestPage DictPage(int32_t num_values, std::string body) {
  TestPage p;
  p.header.type = PageType::kDictionaryPage;
  p.header.uncompressed_page_size = static_cast<int32_t>(body.size());
  p.header.compressed_page_size = static_cast<int32_t>(body.size());
  format::DictionaryPageHeader h;
  h.num_values = num_values;
  p.header.dictionary_page_header = h;
  p.body = std::move(body);
  return p;
}

// `threads` > 1: a free thread decompresses pages ahead of the column's reader.
Result<ColumnVector> ReadOnlyColumn(const std::string& data, int threads = 1) {
  MemoryRandomAccessFile file("mem://built", data);
  ReaderOptions options;
  options.threads = threads;
  FLOE_ASSIGN_OR_RETURN(auto reader, ParquetReader::Open(&file, options));
  RowBatch batch;
  FLOE_RETURN_IF_ERROR(reader->ReadRowGroup(0, {0}, &batch));
  return batch.columns[0];
}

TEST(ParquetReaderBuilt, EmptyPagesAndZeroValuePagesAreSkipped) {
  auto schema = OneColumn(PhysicalType::kInt32, format::Repetition::kRequired);
  std::string file = BuildFile(
      schema,
      {DataPageV1(0, Encoding::kPlain, ""), DataPageV1(2, Encoding::kPlain, Plain32({5, 6})),
       DataPageV1(0, Encoding::kPlain, ""), DataPageV1(1, Encoding::kPlain, Plain32({7}))},
      3, 3);
  auto col = ReadOnlyColumn(file);
  ASSERT_TRUE(col.ok()) << col.status().ToString();
  EXPECT_EQ(col->i32, (std::vector<int32_t>{5, 6, 7}));
}

TEST(ParquetReaderBuilt, DictionaryLargerThanDataPage) {
  auto schema = OneColumn(PhysicalType::kInt32, format::Repetition::kRequired);
  std::vector<int32_t> dict;
  for (int i = 0; i < 1000; ++i) dict.push_back(i * 3);
  std::string indices = {10, 0x04, static_cast<char>(0xe7), 0x03};  // width 10, RLE 2x 999
  std::string file = BuildFile(
      schema, {DictPage(1000, Plain32(dict)), DataPageV1(2, Encoding::kRleDictionary, indices)}, 2,
      2);
  auto col = ReadOnlyColumn(file);
  ASSERT_TRUE(col.ok()) << col.status().ToString();
  EXPECT_EQ(col->i32, (std::vector<int32_t>{2997, 2997}));
}

TEST(ParquetReaderBuilt, DictionaryIndexOutOfRangeIsCorrupt) {
  auto schema = OneColumn(PhysicalType::kInt32, format::Repetition::kRequired);
  std::string indices = {2, 0x04, 0x03};  // RLE 2x index 3
  std::string file = BuildFile(
      schema, {DictPage(2, Plain32({1, 2})), DataPageV1(2, Encoding::kRleDictionary, indices)}, 2,
      2);
  auto col = ReadOnlyColumn(file);
  ASSERT_FALSE(col.ok());
  ExpectCorruptMentioning(col.status(), "dictionary index 3 out of range");
  EXPECT_NE(col.status().message().find("column 'x'"), std::string::npos);
}

TEST(ParquetReaderBuilt, LevelValueCountMismatchIsCorrupt) {
  auto schema = OneColumn(PhysicalType::kInt32, format::Repetition::kOptional);
  // 3 levels, all defined, but only 2 values.
  std::string body = std::string("\x02\x00\x00\x00\x06\x01", 6) + Plain32({1, 2});
  std::string file = BuildFile(schema, {DataPageV1(3, Encoding::kPlain, body)}, 3, 3);
  auto col = ReadOnlyColumn(file);
  ASSERT_FALSE(col.ok());
  ExpectCorruptMentioning(col.status(), "PLAIN INT32");
  // The metadata announces more values than the pages hold.
  std::string short_file =
      BuildFile(schema,
                {DataPageV1(2, Encoding::kPlain,
                            std::string("\x02\x00\x00\x00\x04\x01", 6) + Plain32({1, 2}))},
                3, 3);
  auto col2 = ReadOnlyColumn(short_file);
  ASSERT_FALSE(col2.ok());
  ExpectCorruptMentioning(col2.status(), "ended after 2 of the 3 values");
}

TEST(ParquetReaderBuilt, OptionalColumnWithNulls) {
  auto schema = OneColumn(PhysicalType::kInt32, format::Repetition::kOptional);
  // Levels 1,0,1,1 bit-packed: 0b1101 → one group.
  std::string body = std::string("\x02\x00\x00\x00\x03\x0d", 6) + Plain32({1, 2, 3});
  std::string file = BuildFile(schema, {DataPageV1(4, Encoding::kPlain, body)}, 4, 4);
  auto col = ReadOnlyColumn(file);
  ASSERT_TRUE(col.ok()) << col.status().ToString();
  EXPECT_EQ(col->def_levels, (std::vector<int16_t>{1, 0, 1, 1}));
  EXPECT_EQ(col->i32, (std::vector<int32_t>{1, 2, 3}));
}

TEST(ParquetReaderBuilt, DataPageV2UncompressedValuesInCompressedChunk) {
  auto schema = OneColumn(PhysicalType::kInt32, format::Repetition::kOptional);
  TestPage p;
  p.header.type = PageType::kDataPageV2;
  std::string levels = "\x06\x01";  // RLE 3x defined
  std::string values = Plain32({4, 5, 6});
  p.body = levels + values;
  p.header.uncompressed_page_size = static_cast<int32_t>(p.body.size());
  p.header.compressed_page_size = static_cast<int32_t>(p.body.size());
  format::DataPageHeaderV2 h;
  h.num_values = 3;
  h.num_rows = 3;
  h.definition_levels_byte_length = 2;
  h.is_compressed = false;
  p.header.data_page_header_v2 = h;
  std::string file = BuildFile(schema, {p}, 3, 3, format::CompressionCodec::kZstd);
  auto col = ReadOnlyColumn(file);
  ASSERT_TRUE(col.ok()) << col.status().ToString();
  EXPECT_EQ(col->i32, (std::vector<int32_t>{4, 5, 6}));
}

TEST(ParquetReaderBuilt, CompressedV1PageAndDecompressionFailure) {
  auto schema = OneColumn(PhysicalType::kInt32, format::Repetition::kRequired);
  auto codec = MakeCodec(CodecKind::kZstd);
  ASSERT_TRUE(codec.ok());
  std::string raw = Plain32({9, 8, 7, 6});
  Buffer compressed;
  ASSERT_TRUE((*codec)->Compress(AsBytes(raw), &compressed).ok());
  TestPage p = DataPageV1(4, Encoding::kPlain, std::string(compressed.string_view()));
  p.header.uncompressed_page_size = static_cast<int32_t>(raw.size());
  std::string file = BuildFile(schema, {p}, 4, 4, format::CompressionCodec::kZstd);
  auto col = ReadOnlyColumn(file);
  ASSERT_TRUE(col.ok()) << col.status().ToString();
  EXPECT_EQ(col->i32, (std::vector<int32_t>{9, 8, 7, 6}));

  TestPage bad = p;
  bad.body[bad.body.size() / 2] ^= 0x55;
  bad.body[4] ^= 0x55;
  auto bad_col = ReadOnlyColumn(BuildFile(schema, {bad}, 4, 4, format::CompressionCodec::kZstd));
  ASSERT_FALSE(bad_col.ok());
  ExpectCorruptMentioning(bad_col.status(), "decompressing");

  // The same bad page between good ones: with a second thread decompressing pages ahead of the
  // reader, the error is the same (named by the reader, at the bad page's offset).
  const std::string middle =
      BuildFile(schema, {p, p, bad, p, p}, 20, 20, format::CompressionCodec::kZstd);
  auto one = ReadOnlyColumn(middle, 1);
  ASSERT_FALSE(one.ok());
  ExpectCorruptMentioning(one.status(), "decompressing");
  for (int round = 0; round < 20; ++round) {
    auto two = ReadOnlyColumn(middle, 2);
    ASSERT_FALSE(two.ok());
    EXPECT_EQ(two.status().ToString(), one.status().ToString());
  }
  auto good =
      ReadOnlyColumn(BuildFile(schema, {p, p, p, p}, 16, 16, format::CompressionCodec::kZstd), 2);
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->i32.size(), 16u);
}

struct CodecCase {
  format::CompressionCodec codec;
  CodecKind kind;
  bool hadoop_framing;
};

class ParquetReaderCodecs : public ::testing::TestWithParam<CodecCase> {};

// Data pages v1 and v2 (levels uncompressed, values compressed) under every codec the reader
// supports, including LZ4 with Hadoop framing and raw LZ4 blocks under the LZ4 id.
TEST_P(ParquetReaderCodecs, V1AndV2PagesDecompress) {
  const CodecCase& param = GetParam();
  auto codec = MakeCodec(param.kind);
  ASSERT_TRUE(codec.ok());
  auto compress = [&](const std::string& raw) {
    Buffer out;
    EXPECT_TRUE((*codec)->Compress(AsBytes(raw), &out).ok());
    std::string block(out.string_view());
    if (!param.hadoop_framing) return block;
    std::string framed(8, '\0');
    StoreBE32(framed.data(), static_cast<uint32_t>(raw.size()));
    StoreBE32(framed.data() + 4, static_cast<uint32_t>(block.size()));
    return framed + block;
  };
  auto schema = OneColumn(PhysicalType::kInt32, format::Repetition::kOptional);
  std::vector<int32_t> first, second;
  for (int i = 0; i < 300; ++i) first.push_back(i * 7);
  for (int i = 0; i < 200; ++i) second.push_back(-i);
  // v1: def levels (RLE run of 300 defined) + values, compressed together.
  std::string v1_raw = std::string("\x03\x00\x00\x00\xd8\x04\x01", 7) + Plain32(first);
  TestPage v1 = DataPageV1(300, Encoding::kPlain, compress(v1_raw));
  v1.header.uncompressed_page_size = static_cast<int32_t>(v1_raw.size());
  // v2: 200 defined levels (uncompressed), then compressed values.
  std::string levels("\x90\x03\x01", 3);
  std::string values = compress(Plain32(second));
  TestPage v2;
  v2.header.type = PageType::kDataPageV2;
  v2.body = levels + values;
  v2.header.compressed_page_size = static_cast<int32_t>(v2.body.size());
  v2.header.uncompressed_page_size = static_cast<int32_t>(levels.size() + second.size() * 4);
  format::DataPageHeaderV2 h;
  h.num_values = 200;
  h.num_rows = 200;
  h.definition_levels_byte_length = static_cast<int32_t>(levels.size());
  v2.header.data_page_header_v2 = h;
  std::vector<int32_t> expected = first;
  expected.insert(expected.end(), second.begin(), second.end());
  // Two threads: the free one decompresses pages ahead of the reader (and leaves raw LZ4 under
  // the LZ4 id, which its codec rejects, to the reader's fallback).
  for (int threads : {1, 2}) {
    auto col = ReadOnlyColumn(BuildFile(schema, {v1, v2, v1}, 800, 800, param.codec), threads);
    ASSERT_TRUE(col.ok()) << col.status().ToString();
    std::vector<int32_t> all = expected;
    all.insert(all.end(), first.begin(), first.end());
    EXPECT_EQ(col->i32, all) << threads;
    EXPECT_EQ(col->def_levels, std::vector<int16_t>(800, 1)) << threads;
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllCodecs, ParquetReaderCodecs,
    ::testing::Values(CodecCase{format::CompressionCodec::kSnappy, CodecKind::kSnappy, false},
                      CodecCase{format::CompressionCodec::kGzip, CodecKind::kGzip, false},
                      CodecCase{format::CompressionCodec::kZstd, CodecKind::kZstd, false},
                      CodecCase{format::CompressionCodec::kLz4Raw, CodecKind::kLz4Raw, false},
                      CodecCase{format::CompressionCodec::kLz4, CodecKind::kLz4Raw, true},
                      CodecCase{format::CompressionCodec::kLz4, CodecKind::kLz4Raw, false}));

TEST(ParquetReaderBuilt, UnsupportedCodecIsNotSupported) {
  auto schema = OneColumn(PhysicalType::kInt32, format::Repetition::kRequired);
  auto col = ReadOnlyColumn(BuildFile(schema, {DataPageV1(1, Encoding::kPlain, Plain32({1}))}, 1, 1,
                                      format::CompressionCodec::kBrotli));
  ASSERT_FALSE(col.ok());
  EXPECT_EQ(col.status().kind(), ErrorKind::kNotSupported) << col.status().ToString();
  EXPECT_NE(col.status().message().find("BROTLI"), std::string::npos);
}

TEST(ParquetReaderBuilt, PageBeyondChunkIsCorrupt) {
  auto schema = OneColumn(PhysicalType::kInt32, format::Repetition::kRequired);
  TestPage p = DataPageV1(2, Encoding::kPlain, Plain32({1, 2}));
  p.header.compressed_page_size = 1000;
  auto col = ReadOnlyColumn(BuildFile(schema, {p}, 2, 2));
  ASSERT_FALSE(col.ok());
  ExpectCorruptMentioning(col.status(), "runs past the end of the column chunk");
}

TEST(ParquetReaderBuilt, HugeDeclaredPageSizeIsRejectedBeforeAllocation) {
  auto schema = OneColumn(PhysicalType::kInt32, format::Repetition::kRequired);
  TestPage p = DataPageV1(2, Encoding::kPlain, Plain32({1, 2}));
  p.header.uncompressed_page_size = 0x7fffffff;
  auto col = ReadOnlyColumn(BuildFile(schema, {p}, 2, 2, format::CompressionCodec::kZstd));
  ASSERT_FALSE(col.ok());
  ExpectCorruptMentioning(col.status(), "above the limit");
}

TEST(ParquetReaderBuilt, ChunkOutsideFileIsCorruptAtOpen) {
  auto schema = OneColumn(PhysicalType::kInt32, format::Repetition::kRequired);
  std::string file = BuildFile(schema, {DataPageV1(2, Encoding::kPlain, Plain32({1, 2}))}, 2, 2);
  MemoryRandomAccessFile ok_file("mem://ok", file);
  auto reader = ParquetReader::Open(&ok_file);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->created_by(), "floe reader_test");
  EXPECT_EQ((*reader)->FindKeyValue("writer.note"), std::optional<std::string>("hand-built"));
  EXPECT_EQ((*reader)->FindKeyValue("absent"), std::nullopt);
  ASSERT_EQ((*reader)->key_value_metadata().size(), 1u);
  EXPECT_EQ((*reader)->num_rows(), 2);
  EXPECT_EQ((*reader)->FindLeafByFieldId(1), 0);
  format::FileMetaData fmd = (*reader)->metadata();
  fmd.row_groups[0].columns[0].meta_data->total_compressed_size = 1 << 20;
  std::string footer = format::Serialize(fmd);
  std::string bad = file.substr(0, static_cast<size_t>((*reader)->file_size()) - 8 -
                                       LoadLE<uint32_t>(file.data() + file.size() - 8)) +
                    footer;
  uint32_t len = static_cast<uint32_t>(footer.size());
  bad.append(reinterpret_cast<const char*>(&len), 4);
  bad += "PAR1";
  MemoryRandomAccessFile bad_file("mem://bad", bad);
  ExpectCorruptMentioning(ParquetReader::Open(&bad_file).status(), "outside the file's data area");
}

}  // namespace
}  // namespace floe::parquet
