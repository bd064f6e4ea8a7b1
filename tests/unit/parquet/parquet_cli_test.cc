#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "floe/cli/cli.h"
#include "floe/parquet/format.h"

namespace floe::parquet {
namespace {

namespace fs = std::filesystem;
using format::Encoding;
using format::LogicalType;
using format::PageType;
using format::Repetition;
using format::SchemaElement;

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

CliRun RunFloe(std::vector<std::string> args) {
  std::ostringstream out, err;
  cli::CliContext ctx{&out, &err, [](const char*) -> const char* { return nullptr; }, nullptr};
  args.insert(args.begin(), "floe");
  int code = cli::RunCli(args, ctx);
  return {code, out.str(), err.str()};
}

std::string FixtureMatching(const std::string& needle) {
  for (const auto& e : fs::recursive_directory_iterator(FLOE_FIXTURES_DIR)) {
    if (e.path().extension() == ".parquet" && e.path().string().find(needle) != std::string::npos) {
      return e.path();
    }
  }
  return "";
}

// ---------------------------------------------------------------- hand-built files

struct TestColumn {
  std::vector<std::string> path;
  PhysicalType type;
  int64_t num_values;
  std::string page_body;  // one uncompressed data page v1
};

class TempFile {
 public:
  explicit TempFile(const std::string& data) {
    path_ = (fs::temp_directory_path() / ("floe-cli-test-" + std::to_string(::getpid()) + "-" +
                                          std::to_string(counter_++) + ".parquet"))
                .string();
    std::ofstream(path_, std::ios::binary) << data;
  }
  ~TempFile() { fs::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

std::string BuildFile(const std::vector<SchemaElement>& schema,
                      const std::vector<TestColumn>& columns, int64_t num_rows) {
  std::string out = "PAR1";
  format::RowGroup rg;
  rg.num_rows = num_rows;
  for (const TestColumn& c : columns) {
    format::ColumnMetaData meta;
    meta.type = c.type;
    meta.encodings = {Encoding::kPlain, Encoding::kRle};
    meta.path_in_schema = c.path;
    meta.num_values = c.num_values;
    meta.data_page_offset = static_cast<int64_t>(out.size());
    format::PageHeader h;
    h.type = PageType::kDataPage;
    h.uncompressed_page_size = static_cast<int32_t>(c.page_body.size());
    h.compressed_page_size = h.uncompressed_page_size;
    format::DataPageHeader dph;
    dph.num_values = static_cast<int32_t>(c.num_values);
    h.data_page_header = dph;
    format::SerializeTo(h, &out);
    out += c.page_body;
    meta.total_compressed_size = static_cast<int64_t>(out.size()) - meta.data_page_offset;
    meta.total_uncompressed_size = meta.total_compressed_size;
    format::ColumnChunk cc;
    cc.file_offset = meta.data_page_offset;
    cc.meta_data = meta;
    rg.columns.push_back(cc);
  }
  format::FileMetaData fmd;
  fmd.schema = schema;
  fmd.num_rows = num_rows;
  fmd.row_groups.push_back(rg);
  fmd.created_by = "floe cli test";
  fmd.key_value_metadata = std::vector<format::KeyValue>{{"iceberg.schema", "{}"}};
  std::string footer = format::Serialize(fmd);
  out += footer;
  uint32_t len = static_cast<uint32_t>(footer.size());
  out.append(reinterpret_cast<const char*>(&len), 4);
  out += "PAR1";
  return out;
}

SchemaElement Group(const std::string& name, int children, std::optional<Repetition> rep,
                    std::optional<int32_t> id = std::nullopt) {
  SchemaElement e;
  e.name = name;
  e.num_children = children;
  e.repetition_type = rep;
  e.field_id = id;
  return e;
}

SchemaElement Leaf(const std::string& name, PhysicalType t, Repetition rep,
                   std::optional<LogicalType> lt = std::nullopt,
                   std::optional<int32_t> id = std::nullopt) {
  SchemaElement e;
  e.name = name;
  e.type = t;
  e.repetition_type = rep;
  e.logical_type = lt;
  e.field_id = id;
  return e;
}

template <typename T>
std::string Plain(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}
std::string PlainBytes(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    uint32_t n = static_cast<uint32_t>(s.size());
    out.append(reinterpret_cast<const char*>(&n), 4);
    out += s;
  }
  return out;
}

TEST(ParquetCat, ReassemblesListsFromLevels) {
  // FORMAT_NOTES 7.3: optional list<optional string>; rows null, [], [null], ["a","b"].
  SchemaElement tags = Group("tags", 1, Repetition::kOptional, 5);
  tags.converted_type = format::ConvertedType::kList;
  tags.logical_type = LogicalType::Of(LogicalType::Kind::kList);
  std::vector<SchemaElement> schema = {
      Group("table", 1, std::nullopt), tags, Group("list", 1, Repetition::kRepeated),
      Leaf("element", PhysicalType::kByteArray, Repetition::kOptional,
           LogicalType::Of(LogicalType::Kind::kString), 7)};
  std::string body = std::string("\x02\x00\x00\x00\x03\x10", 6) +      // rep 0,0,0,0,1
                     std::string("\x03\x00\x00\x00\x03\xE4\x03", 7) +  // def 0,1,2,3,3
                     PlainBytes({"a", "b"});
  TempFile f(
      BuildFile(schema, {{{"tags", "list", "element"}, PhysicalType::kByteArray, 5, body}}, 4));
  CliRun r = RunFloe({"parquet-cat", f.path()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"tags\":null}\n{\"tags\":[]}\n{\"tags\":[null]}\n{\"tags\":[\"a\",\"b\"]}\n");
  CliRun limited = RunFloe({"parquet-cat", f.path(), "--limit", "2"});
  EXPECT_EQ(limited.out, "{\"tags\":null}\n{\"tags\":[]}\n");
}

TEST(ParquetCat, StructOfRequiredAndOptional) {
  std::vector<SchemaElement> schema = {
      Group("table", 1, std::nullopt), Group("s", 2, Repetition::kOptional, 1),
      Leaf("a", PhysicalType::kInt32, Repetition::kRequired, std::nullopt, 2),
      Leaf("b", PhysicalType::kInt64, Repetition::kOptional, std::nullopt, 3)};
  // Rows: null, {a:1,b:null}, {a:2,b:9}. a: def 0,1,1 (max 1); b: def 0,1,2 (max 2).
  std::string a = std::string("\x02\x00\x00\x00\x03\x06", 6) + Plain<int32_t>({1, 2});
  std::string b = std::string("\x02\x00\x00\x00\x03\x24", 6) + Plain<int64_t>({9});
  TempFile f(BuildFile(
      schema, {{{"s", "a"}, PhysicalType::kInt32, 3, a}, {{"s", "b"}, PhysicalType::kInt64, 3, b}},
      3));
  CliRun r = RunFloe({"parquet-cat", f.path()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"s\":null}\n{\"s\":{\"a\":1,\"b\":null}}\n{\"s\":{\"a\":2,\"b\":9}}\n");
}

TEST(ParquetCat, ValueFormats) {
  std::vector<SchemaElement> schema = {
      Group("table", 10, std::nullopt),
      Leaf("ts", PhysicalType::kInt64, Repetition::kRequired,
           LogicalType::Timestamp(true, TimeUnit::kMicros)),
      Leaf("ts_local", PhysicalType::kInt64, Repetition::kRequired,
           LogicalType::Timestamp(false, TimeUnit::kMillis)),
      Leaf("d", PhysicalType::kInt32, Repetition::kRequired,
           LogicalType::Of(LogicalType::Kind::kDate)),
      Leaf("t", PhysicalType::kInt64, Repetition::kRequired,
           LogicalType::Time(false, TimeUnit::kMicros)),
      Leaf("dec", PhysicalType::kInt32, Repetition::kRequired, LogicalType::Decimal(2, 9)),
      Leaf("f", PhysicalType::kFloat, Repetition::kRequired),
      Leaf("x", PhysicalType::kDouble, Repetition::kRequired),
      Leaf("bin", PhysicalType::kByteArray, Repetition::kRequired),
      Leaf("s", PhysicalType::kByteArray, Repetition::kRequired,
           LogicalType::Of(LogicalType::Kind::kString)),
      Leaf("big", PhysicalType::kInt64, Repetition::kRequired)};
  schema[5].scale = 2;
  schema[5].precision = 9;
  schema[5].converted_type = format::ConvertedType::kDecimal;
  const float inf = std::numeric_limits<float>::infinity();
  TempFile f(BuildFile(
      schema,
      {{{"ts"}, PhysicalType::kInt64, 2, Plain<int64_t>({-1, 1767225600000000})},
       {{"ts_local"}, PhysicalType::kInt64, 2, Plain<int64_t>({1500, 0})},
       {{"d"}, PhysicalType::kInt32, 2, Plain<int32_t>({-1, 20454})},
       {{"t"}, PhysicalType::kInt64, 2, Plain<int64_t>({3723000001, 0})},
       {{"dec"}, PhysicalType::kInt32, 2, Plain<int32_t>({-5, 1230})},
       {{"f"}, PhysicalType::kFloat, 2, Plain<float>({std::nanf(""), 0.1f})},
       {{"x"}, PhysicalType::kDouble, 2, Plain<double>({-inf, 0.1})},
       {{"bin"}, PhysicalType::kByteArray, 2, PlainBytes({std::string("\x00\xff", 2), ""})},
       {{"s"}, PhysicalType::kByteArray, 2, PlainBytes({"q\"\n\x01", "bad\xff"})},
       {{"big"},
        PhysicalType::kInt64,
        2,
        Plain<int64_t>(
            {std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()})}},
      2));
  CliRun r = RunFloe({"parquet-cat", f.path()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"ts\":\"1969-12-31T23:59:59.999999Z\",\"ts_local\":\"1970-01-01T00:00:01.500000\","
            "\"d\":\"1969-12-31\",\"t\":\"01:02:03.000001\",\"dec\":\"-0.05\",\"f\":\"NaN\","
            "\"x\":\"-Infinity\",\"bin\":\"AP8=\",\"s\":\"q\\\"\\n\\u0001\","
            "\"big\":9223372036854775807}\n"
            "{\"ts\":\"2026-01-01T00:00:00.000000Z\",\"ts_local\":\"1970-01-01T00:00:00.000000\","
            "\"d\":\"2026-01-01\",\"t\":\"00:00:00.000000\",\"dec\":\"12.30\",\"f\":0.1,"
            "\"x\":0.1,\"bin\":\"\",\"s\":\"bad\xEF\xBF\xBD\",\"big\":-9223372036854775808}\n");
  CliRun cols = RunFloe({"parquet-cat", f.path(), "--columns", "dec,d", "--limit", "1"});
  ASSERT_EQ(cols.code, 0) << cols.err;
  EXPECT_EQ(cols.out, "{\"dec\":\"-0.05\",\"d\":\"1969-12-31\"}\n");
  CliRun unknown = RunFloe({"parquet-cat", f.path(), "--columns", "nope"});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_NE(unknown.err.find("no top-level column 'nope'"), std::string::npos);

  CliRun inspect = RunFloe({"parquet-inspect", f.path()});
  ASSERT_EQ(inspect.code, 0) << inspect.err;
  auto j = nlohmann::json::parse(inspect.out);
  EXPECT_EQ(j["created_by"], "floe cli test");
  EXPECT_EQ(j["num_rows"], 2);
  EXPECT_EQ(j["key_value_metadata"]["iceberg.schema"], "{}");
  EXPECT_EQ(j["schema"]["children"][4]["type"], "decimal");
  EXPECT_EQ(j["row_groups"][0]["columns"][0]["encodings"][0], "PLAIN");
  EXPECT_EQ(j["row_groups"][0]["columns"][0]["codec"], "UNCOMPRESSED");
}

TEST(ParquetCat, LegacyInt96Timestamps) {
  SchemaElement leaf = Leaf("ts96", PhysicalType::kInt96, Repetition::kRequired);
  std::vector<SchemaElement> schema = {Group("table", 1, std::nullopt), leaf};
  // Nanoseconds of the day, then the Julian day (2440588 = 1970-01-01), little-endian.
  std::string value(12, '\0');
  const int64_t nanos = 1000000001;
  const int32_t julian = 2440589;
  std::memcpy(value.data(), &nanos, 8);
  std::memcpy(value.data() + 8, &julian, 4);
  TempFile f(BuildFile(schema, {{{"ts96"}, PhysicalType::kInt96, 1, value}}, 1));
  CliRun r = RunFloe({"parquet-cat", f.path()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"ts96\":\"1970-01-02T00:00:01.000000001Z\"}\n");
}

TEST(ParquetCat, MapFixture) {
  std::string path = FixtureMatching("map_stats/data/_day=2026-01-01");
  ASSERT_FALSE(path.empty());
  CliRun r = RunFloe({"parquet-cat", path});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"timestamp\":\"2026-01-01T00:00:00.000000Z\",\"input\":\"hello\",\"output\":"
            "\"world\",\"metadata\":{\"key\":\"value1\"}}\n");
}

TEST(ParquetInspect, FixtureStatisticsAreDecoded) {
  std::string path = FixtureMatching("map_stats/data/_day=2026-01-01");
  CliRun r = RunFloe({"parquet-inspect", path});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["created_by"], "parquet-cpp-arrow version 20.0.0");
  auto col = j["row_groups"][0]["columns"][0];
  EXPECT_EQ(col["path"], "timestamp");
  EXPECT_EQ(col["field_id"], 1);
  EXPECT_EQ(col["statistics"]["min"], "2026-01-01T00:00:00.000000Z");
  EXPECT_EQ(j["schema"]["children"][3]["type"], "map");
}

TEST(ParquetCat, CorruptFileExitsOneNamingTheFile) {
  std::string path = FixtureMatching("map_stats/data/_day=2026-01-01");
  std::ifstream in(path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  TempFile f(data.substr(0, data.size() - 3));
  for (const char* cmd : {"parquet-cat", "parquet-inspect"}) {
    CliRun r = RunFloe({cmd, f.path()});
    EXPECT_EQ(r.code, 1);
    EXPECT_TRUE(r.out.empty());
    EXPECT_NE(r.err.find(f.path()), std::string::npos) << r.err;
  }
  CliRun missing = RunFloe({"parquet-cat", "/nonexistent/x.parquet"});
  EXPECT_EQ(missing.code, 1);
}

}  // namespace
}  // namespace floe::parquet
