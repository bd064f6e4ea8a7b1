// Writes the seed files of corpus/parquet_reader: small Parquet files whose column chunks have
// many compressed pages, one file per codec and data page version, so that parquet_reader_fuzz's
// threaded reads share page decompression (DecompressionBoard) from the first input on. The
// Iceberg fixtures have such chunks only in files of a megabyte or more, slow to mutate.
//
//   parquet_seed_writer DIR   (built in the fuzz build; the files are committed)

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "floe/io/file.h"
#include "floe/parquet/writer.h"

namespace {

using namespace floe;
using namespace floe::parquet;

Field Leaf(int32_t id, const char* name, bool required, FieldType type) {
  Field f;
  f.field_id = id;
  f.name = name;
  f.required = required;
  f.type = type;
  return f;
}

// id long, name string (nulls), score double (nulls), flag boolean, day date, tags list<int>
// (null, empty and longer lists).
Schema SeedSchema() {
  Schema schema;
  schema.fields = {
      Leaf(1, "id", true, FieldType::kLong), Leaf(2, "name", false, FieldType::kString),
      Leaf(3, "score", false, FieldType::kDouble), Leaf(4, "flag", true, FieldType::kBoolean),
      Leaf(5, "day", true, FieldType::kDate)};
  Field tags = Leaf(6, "tags", false, FieldType::kList);
  tags.children = {Leaf(7, "element", true, FieldType::kInt)};
  schema.fields.push_back(tags);
  return schema;
}

RowBatch SeedRows(int64_t rows, uint64_t seed) {
  RowBatch b;
  b.num_rows = rows;
  b.columns.resize(6);
  auto next = [&seed] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(seed >> 33);
  };
  for (ColumnVector& c : b.columns) c.num_levels = rows;
  ColumnVector& id = b.columns[0];
  ColumnVector& name = b.columns[1];
  ColumnVector& score = b.columns[2];
  ColumnVector& flag = b.columns[3];
  ColumnVector& day = b.columns[4];
  ColumnVector& tags = b.columns[5];
  tags.num_levels = 0;
  for (int64_t r = 0; r < rows; ++r) {
    id.i64.push_back(1000 + r * 7 + next() % 5);
    const bool has_name = next() % 8 != 0;
    name.def_levels.push_back(has_name ? 1 : 0);
    if (has_name) {
      if (name.offsets.empty()) name.offsets.push_back(0);
      name.bytes += "user-" + std::to_string(next() % 40) + (r % 3 == 0 ? "-ü" : "");
      name.offsets.push_back(static_cast<uint32_t>(name.bytes.size()));
    }
    const bool has_score = next() % 5 != 0;
    score.def_levels.push_back(has_score ? 1 : 0);
    if (has_score) score.f64.push_back(static_cast<double>(next() % 100000) / 7.0);
    flag.bools.push_back(next() % 3 == 0);
    day.i32.push_back(19000 + static_cast<int32_t>(r / 50));
    // tags: def 0 null list, 1 empty list, 2 an element; rep 0 starts a row.
    const uint32_t shape = next() % 6;
    if (shape == 0 || shape == 1) {
      tags.def_levels.push_back(static_cast<int16_t>(shape));
      tags.rep_levels.push_back(0);
      ++tags.num_levels;
    } else {
      for (uint32_t k = 0; k < shape - 1; ++k) {
        tags.def_levels.push_back(2);
        tags.rep_levels.push_back(k == 0 ? 0 : 1);
        tags.i32.push_back(static_cast<int32_t>(next() % 1000) - 500);
        ++tags.num_levels;
      }
    }
  }
  for (ColumnVector* c : {&id, &flag, &day}) c->num_values = rows;
  name.num_values = static_cast<int64_t>(name.offsets.empty() ? 0 : name.offsets.size() - 1);
  score.num_values = static_cast<int64_t>(score.f64.size());
  tags.num_values = static_cast<int64_t>(tags.i32.size());
  return b;
}

int WriteSeed(const std::string& path, CodecKind codec, DataPageVersion version,
              ColumnEncoding encoding) {
  WriterOptions options;
  options.codec = codec;
  options.data_page_version = version;
  options.default_encoding = encoding;
  // Pages of a few dozen values and two row groups keep the file small with many pages each.
  options.page_size_bytes = 160;
  options.row_group_size_bytes = 2000;
  MemoryOutputStream sink("memory:seed.parquet");
  auto writer = ParquetWriter::Make(&sink, SeedSchema(), options);
  Status s = writer.status();
  // The writer cuts row groups between batches.
  for (uint64_t b = 0; b < 3 && s.ok(); ++b)
    s = (*writer)->WriteBatch(SeedRows(150, path.size() + b));
  if (s.ok()) s = (*writer)->Close().status();
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), s.ToString().c_str());
    return 1;
  }
  std::ofstream(path, std::ios::binary) << sink.data();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: parquet_seed_writer DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  struct Seed {
    const char* name;
    CodecKind codec;
    DataPageVersion version;
    ColumnEncoding encoding;
  };
  const Seed seeds[] = {
      {"zstd_v1_auto.parquet", CodecKind::kZstd, DataPageVersion::kV1, ColumnEncoding::kAuto},
      {"zstd_v2_dict.parquet", CodecKind::kZstd, DataPageVersion::kV2, ColumnEncoding::kDictionary},
      {"snappy_v1_plain.parquet", CodecKind::kSnappy, DataPageVersion::kV1, ColumnEncoding::kPlain},
      {"snappy_v2_auto.parquet", CodecKind::kSnappy, DataPageVersion::kV2, ColumnEncoding::kAuto},
      {"gzip_v1_dict.parquet", CodecKind::kGzip, DataPageVersion::kV1, ColumnEncoding::kDictionary},
      {"gzip_v2_plain.parquet", CodecKind::kGzip, DataPageVersion::kV2, ColumnEncoding::kPlain},
      {"lz4raw_v1_auto.parquet", CodecKind::kLz4Raw, DataPageVersion::kV1, ColumnEncoding::kAuto},
      {"lz4raw_v2_plain.parquet", CodecKind::kLz4Raw, DataPageVersion::kV2, ColumnEncoding::kPlain},
  };
  int failed = 0;
  for (const Seed& s : seeds)
    failed += WriteSeed(dir + "/" + s.name, s.codec, s.version, s.encoding);
  return failed == 0 ? 0 : 1;
}
