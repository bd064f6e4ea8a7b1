// parquet_write_samples OUTDIR: writes Parquet files with floe's writer — every type, required
// and optional, nested, for each codec, encoding and page version, plus empty, one-row and
// all-null files — and beside each file `<name>.expected.ndjson`, the rows it meant to write in
// parquet-cat's canonical JSON (rendered by the test model, not by floe's reader).

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "floe/io/file.h"
#include "floe/parquet/writer.h"
#include "support/rows.h"

namespace {

using floe::CodecKind;
using floe::parquet::ColumnEncoding;
using floe::parquet::DataPageVersion;
using floe::parquet::Field;
using floe::parquet::FieldType;
using floe::parquet::Schema;
using floe::parquet::WriterOptions;
using floe::testing::RandomRows;
using floe::testing::Row;

int Write(const std::string& dir, const std::string& name, const Schema& schema,
          const std::vector<Row>& rows, const WriterOptions& options) {
  std::string path = dir + "/" + name + ".parquet";
  auto sink = floe::CreateLocalFile(path);
  if (!sink.ok()) {
    std::fprintf(stderr, "%s\n", sink.status().ToString().c_str());
    return 1;
  }
  auto writer = floe::parquet::ParquetWriter::Make(sink->get(), schema, options);
  if (!writer.ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), writer.status().ToString().c_str());
    return 1;
  }
  for (size_t start = 0; start < rows.size(); start += 1000) {
    std::vector<Row> chunk(rows.begin() + static_cast<long>(start),
                           rows.begin() + static_cast<long>(std::min(rows.size(), start + 1000)));
    auto batch = floe::testing::Shred(schema, chunk);
    floe::Status s = batch.ok() ? (*writer)->WriteBatch(*batch) : batch.status();
    if (!s.ok()) {
      std::fprintf(stderr, "%s: %s\n", name.c_str(), s.ToString().c_str());
      return 1;
    }
  }
  auto metrics = (*writer)->Close();
  if (!metrics.ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), metrics.status().ToString().c_str());
    return 1;
  }
  std::ofstream expected(dir + "/" + name + ".expected.ndjson");
  for (const Row& r : rows) expected << floe::testing::RowToJson(schema, r) << "\n";
  return expected.good() ? 0 : 1;
}

Field Column(int32_t id, const char* name, FieldType t, bool required) {
  Field f;
  f.field_id = id;
  f.name = name;
  f.type = t;
  f.required = required;
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: parquet_write_samples OUTDIR\n");
    return 2;
  }
  std::string dir = argv[1];
  Schema every = floe::testing::EveryTypeSchema();
  RandomRows gen(2026);
  std::vector<Row> rows;
  for (int i = 0; i < 2000; ++i) rows.push_back(gen.Next(every));
  int failures = 0;

  for (CodecKind c : {CodecKind::kNone, CodecKind::kSnappy, CodecKind::kGzip, CodecKind::kZstd,
                      CodecKind::kLz4Raw}) {
    WriterOptions o;
    o.codec = c;
    o.codec_level = 0;
    failures += Write(dir, "every-type-" + std::string(floe::CodecKindName(c)), every, rows, o);
  }
  WriterOptions plain;
  plain.default_encoding = ColumnEncoding::kPlain;
  failures += Write(dir, "every-type-plain", every, rows, plain);
  WriterOptions dict;
  dict.dictionary_page_size_limit_bytes = 2048;
  failures += Write(dir, "every-type-dictionary-fallback", every, rows, dict);
  WriterOptions v2;
  v2.data_page_version = DataPageVersion::kV2;
  failures += Write(dir, "every-type-page-v2", every, rows, v2);
  WriterOptions small;
  small.page_size_bytes = 700;
  small.row_group_size_bytes = 48 * 1024;
  failures += Write(dir, "every-type-small-pages", every, rows, small);

  // Integer columns forced to DELTA_BINARY_PACKED, a low-cardinality dictionary column.
  Schema flat;
  flat.fields = {Column(1, "id", FieldType::kLong, true), Column(2, "n", FieldType::kInt, false),
                 Column(3, "ts", FieldType::kTimestampTz, true), Column(4, "type", FieldType::kString, true),
                 Column(5, "d", FieldType::kDate, false)};
  std::vector<Row> flat_rows;
  for (int64_t i = 0; i < 50000; ++i) {
    using V = floe::testing::Value;
    flat_rows.push_back({V::Int(i * 1000003 - 25000000000LL), i % 9 ? V::Int(i % 1000 - 500) : V::Null(),
                         V::Int(1767225600000000LL + i * 1234567), V::Bytes("type-" + std::to_string(i % 12)),
                         i % 4 ? V::Int(20000 + i % 500) : V::Null()});
  }
  WriterOptions delta;
  for (int32_t id : {1, 2, 3, 5}) delta.column_encodings[id] = ColumnEncoding::kDeltaBinaryPacked;
  failures += Write(dir, "flat-delta", flat, flat_rows, delta);
  failures += Write(dir, "flat-auto", flat, flat_rows, WriterOptions{});

  // For check-parquet.mjs: unique leaf names and times from 1970 on (see rows.h).
  Schema unique = floe::testing::UniqueLeafNamesSchema();
  RandomRows modern(77);
  modern.modern_times_only = true;
  std::vector<Row> unique_rows;
  for (int i = 0; i < 2000; ++i) unique_rows.push_back(modern.Next(unique));
  for (CodecKind c : {CodecKind::kNone, CodecKind::kSnappy, CodecKind::kGzip, CodecKind::kZstd,
                      CodecKind::kLz4Raw}) {
    WriterOptions o;
    o.codec = c;
    o.codec_level = 0;
    failures += Write(dir, "oracle-" + std::string(floe::CodecKindName(c)), unique, unique_rows, o);
  }
  failures += Write(dir, "oracle-plain", unique, unique_rows, plain);
  failures += Write(dir, "oracle-dictionary-fallback", unique, unique_rows, dict);
  failures += Write(dir, "oracle-page-v2", unique, unique_rows, v2);
  failures += Write(dir, "oracle-small-pages", unique, unique_rows, small);
  failures += Write(dir, "oracle-one-row", unique, {unique_rows[3]}, WriterOptions{});
  failures += Write(dir, "oracle-empty", unique, {}, WriterOptions{});
  RandomRows modern_nulls(78);
  modern_nulls.null_probability = 1.0;
  modern_nulls.modern_times_only = true;
  std::vector<Row> unique_null_rows;
  for (int i = 0; i < 100; ++i) unique_null_rows.push_back(modern_nulls.Next(unique));
  failures += Write(dir, "oracle-all-null", unique, unique_null_rows, WriterOptions{});

  failures += Write(dir, "empty", every, {}, WriterOptions{});
  failures += Write(dir, "one-row", every, {rows[1]}, WriterOptions{});
  RandomRows nulls(5);
  nulls.null_probability = 1.0;
  std::vector<Row> null_rows;
  for (int i = 0; i < 100; ++i) null_rows.push_back(nulls.Next(every));
  failures += Write(dir, "all-null", every, null_rows, WriterOptions{});
  return failures == 0 ? 0 : 1;
}
