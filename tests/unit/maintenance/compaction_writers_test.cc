// Compaction against other writers. Data files other engines wrote: columns a file lacks are
// written out with the values a reader sees (identity partition value, initial default), and
// files without field ids are read through the table's name mapping, renamed columns included.
// A writer that commits back to back (floe serve's flush under load) wins swap after swap: the
// compaction commit keeps trying in fresh rounds while its inputs are live, and counts them.
#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "floe/maintenance/compactor.h"
#include "support/forwarding_catalog.h"
#include "unit/maintenance/compaction_test_util.h"

namespace floe::maintenance {
namespace {

using iceberg::Literal;
using iceberg::NestedField;
using iceberg::Type;
using iceberg::TypeId;

// Groups of 2 or more files, 8 MiB outputs, a 16 MiB memory limit.
CompactionOptions SmallGroupOptions() {
  CompactionOptions options;
  options.threshold = 2;
  options.target_file_size_bytes = 8 << 20;
  options.min_input_files = 2;
  options.memory_limit_bytes = 16 << 20;
  return options;
}

class CompactionProjectionTest : public testing::CompactionFixture {
 protected:
  // id long, ts timestamptz, type string, region string (identity partition), score long added
  // later with initial-default 7.
  std::unique_ptr<Table> CreateEvolved() {
    constexpr auto field = testing::PrimitiveField;
    NestedField score = field(5, "score", false, TypeId::kLong);
    score.initial_default_json = "7";
    CreateTableRequest request;
    request.schema = iceberg::Schema(
        0, {field(1, "id", true, TypeId::kLong), field(2, "ts", true, TypeId::kTimestampTz),
            field(3, "type", true, TypeId::kString), field(4, "region", false, TypeId::kString),
            score});
    request.spec.fields.push_back(
        iceberg::PartitionField{4, 1000, "region", iceberg::Transform::Identity()});
    request.properties = {
        {"schema.name-mapping.default",
         R"([{"field-id":1,"names":["id","ident"]},{"field-id":2,"names":["ts"]},)"
         R"({"field-id":3,"names":["type"]},{"field-id":4,"names":["region"]},)"
         R"({"field-id":5,"names":["score"]}])"}};
    request.location = kLocation;
    auto table = Table::Create(Services(), id_, request);
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    return table.ok() ? std::move(*table) : nullptr;
  }

  // A file of the "west" partition with only id (named `id_name`), ts and type: no region (left
  // out as Spark and DuckDB do for identity partitions), no score (written before it was added).
  iceberg::DataFile WriteNarrowFile(Table* table, int64_t first, int64_t count, bool field_ids,
                                    const std::string& id_name, const std::string& name) {
    parquet::Schema schema;
    auto leaf = [&](int32_t id, const std::string& n, parquet::FieldType type) {
      parquet::Field f;
      f.field_id = field_ids ? id : -1;
      f.name = n;
      f.required = true;
      f.type = type;
      return f;
    };
    schema.fields = {leaf(1, id_name, parquet::FieldType::kLong),
                     leaf(2, "ts", parquet::FieldType::kTimestampTz),
                     leaf(3, "type", parquet::FieldType::kString)};
    parquet::RowBatch batch;
    batch.num_rows = count;
    batch.columns.resize(3);
    batch.columns[2].offsets.push_back(0);
    for (int64_t i = 0; i < count; ++i) {
      batch.columns[0].i64.push_back(first + i);
      batch.columns[1].i64.push_back((first + i) * 1000);
      batch.columns[2].bytes += "click";
      batch.columns[2].offsets.push_back(static_cast<uint32_t>(batch.columns[2].bytes.size()));
    }
    for (auto& c : batch.columns) c.num_levels = c.num_values = count;
    const std::string path = std::string(kLocation) + "/data/region=west/" + name + ".parquet";
    auto stream = store_.Create(path);
    EXPECT_TRUE(stream.ok());
    auto writer = parquet::ParquetWriter::Make(stream->get(), schema, parquet::WriterOptions{});
    EXPECT_TRUE(writer.ok()) << writer.status().ToString();
    EXPECT_TRUE((*writer)->WriteBatch(batch).ok());
    auto metrics = (*writer)->Close();
    EXPECT_TRUE(metrics.ok());
    if (!field_ids) {
      // Column metrics are keyed by field id: a file without ids gets none (as registered files).
      iceberg::DataFile file;
      file.file_path = path;
      file.file_format = iceberg::FileFormat::kParquet;
      file.partition = {Literal::String("west")};
      file.record_count = count;
      file.file_size_in_bytes = metrics->file_size;
      return file;
    }
    auto file =
        iceberg::DataFileFromParquet(path, iceberg::FileFormat::kParquet, *metrics,
                                     {Literal::String("west")}, table->metadata().CurrentSchema());
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    return *file;
  }
};

TEST_F(CompactionProjectionTest, MissingColumnsTakePartitionValuesDefaultsAndMappedNames) {
  auto table = CreateEvolved();
  ASSERT_NE(table, nullptr);
  Append(table.get(), {WriteNarrowFile(table.get(), 0, 100, true, "id", "with-ids-0"),
                       WriteNarrowFile(table.get(), 100, 100, true, "id", "with-ids-1"),
                       // No field ids, and the id column under its old name.
                       WriteNarrowFile(table.get(), 200, 100, false, "ident", "no-ids-0"),
                       WriteNarrowFile(table.get(), 300, 100, false, "ident", "no-ids-1")});

  const CompactionOptions options = SmallGroupOptions();
  CompactionRequest request;
  request.force = true;
  Logger logger(&clock_, LogLevel::kError, [](std::string_view) {});
  CompactionEnv env;
  env.logger = &logger;
  auto report = RunCompaction(table.get(), options, request, env);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->run.status, "success") << CompactionReportToJson(*report);
  EXPECT_EQ(report->run.files_in, 4);
  EXPECT_EQ(report->run.rows_out, 400);

  auto live = LiveData(*table);
  ASSERT_EQ(live.size(), 1u);
  auto file = store_.OpenRead(live[0].file.file_path);
  ASSERT_TRUE(file.ok());
  auto reader = parquet::ParquetReader::Open(file->get());
  ASSERT_TRUE(reader.ok());
  std::set<int64_t> ids;
  int64_t rows = 0;
  for (int g = 0; g < (*reader)->num_row_groups(); ++g) {
    parquet::RowBatch batch;
    ASSERT_TRUE((*reader)->ReadRowGroup(g, {0, 1, 2, 3, 4}, &batch).ok());
    const auto& region = batch.columns[3];
    const auto& score = batch.columns[4];
    ASSERT_EQ(region.num_values, batch.num_rows) << "region must never be null";
    ASSERT_EQ(score.num_values, batch.num_rows) << "score must take its initial default";
    for (int64_t i = 0; i < batch.num_rows; ++i) {
      const auto k = static_cast<size_t>(i);
      ids.insert(batch.columns[0].i64[k]);
      EXPECT_EQ(region.bytes.substr(region.offsets[k], region.offsets[k + 1] - region.offsets[k]),
                "west");
      EXPECT_EQ(score.i64[k], 7);
    }
    rows += batch.num_rows;
  }
  EXPECT_EQ(rows, 400);
  ASSERT_EQ(ids.size(), 400u);
  EXPECT_EQ(*ids.begin(), 0);
  EXPECT_EQ(*ids.rbegin(), 399);
}

// Runs `race` before each of the next `races` compare-and-swaps, so each of them loses.
class RacingCatalog : public testing::ForwardingCatalog {
 public:
  using ForwardingCatalog::ForwardingCatalog;
  Status CommitTable(const TableIdentifier& id, const std::string& expected,
                     const std::string& next) override {
    if (races > 0) {
      --races;
      ++raced;
      race();
    }
    return inner_->CommitTable(id, expected, next);
  }
  int races = 0;
  int raced = 0;
  std::function<void()> race;
};

class CompactionAgainstWritersTest : public testing::CompactionFixture {};

TEST_F(CompactionAgainstWritersTest, CommitOutlastsAWriterThatWinsRoundAfterRound) {
  // Four attempts per transaction (Java's default retries), short waits.
  auto table = Create(true, {{"commit.retry.num-retries", "4"},
                             {"commit.retry.min-wait-ms", "1"},
                             {"commit.retry.max-wait-ms", "2"}});
  ASSERT_NE(table, nullptr);
  std::vector<iceberg::DataFile> files;
  for (int f = 0; f < 4; ++f) {
    files.push_back(WriteFile(table.get(), Rows(f * 100, 100, 100), "in-" + std::to_string(f)));
  }
  Append(table.get(), files);

  // The appender commits straight to the catalog; the compactor goes through the racing one.
  RacingCatalog racing(catalog_.get());
  int appended = 0;
  racing.race = [&] {
    auto file = WriteFile(table.get(), Rows(10000 + appended * 10, 10, 101),
                          "race-" + std::to_string(appended));
    ++appended;
    ASSERT_TRUE(table->Refresh().ok());
    auto result = table->NewTransaction().AppendFiles({file}).Commit();
    ASSERT_TRUE(result.ok()) << result.status().ToString();
  };
  auto compacting = Table::Load(TableServices{&store_, &racing, &clock_, 7}, id_);
  ASSERT_TRUE(compacting.ok());
  // Two whole transactions (5 swaps each) and two swaps of the third are lost.
  racing.races = 12;

  const CompactionOptions options = SmallGroupOptions();
  CompactionRequest request;
  request.force = true;
  request.partitions = {"ts_day=1970-04-11"};  // day 100: the appender writes day 101
  std::vector<std::string> lines;
  Logger logger(&clock_, LogLevel::kInfo, [&](std::string_view l) { lines.emplace_back(l); });
  CompactionEnv env;
  env.logger = &logger;
  auto report = RunCompaction(compacting->get(), options, request, env);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->run.status, "success") << CompactionReportToJson(*report);
  EXPECT_EQ(racing.raced, 12);
  EXPECT_EQ(report->run.commits, 1);
  EXPECT_EQ(report->run.files_in, 4);
  // Two rounds given up (one conflict each) and two lost swaps in the round that landed.
  EXPECT_EQ(report->run.conflicts, 4);
  EXPECT_EQ(report->run.retries, 4);
  int retry_lines = 0;
  for (const auto& l : lines) retry_lines += l.find("\"compaction.retry\"") != std::string::npos;
  EXPECT_EQ(retry_lines, 2);

  // Nothing of the appender was undone; the four inputs are one file now.
  ASSERT_TRUE(table->Refresh().ok());
  EXPECT_EQ(AllRows(*table).size(), 400u + 10u * static_cast<size_t>(appended));
  EXPECT_EQ(LiveData(*table).size(), 1u + static_cast<size_t>(appended));
}

}  // namespace
}  // namespace floe::maintenance
