#pragma once

// A small events-like table for the compaction tests: schema (id long, ts timestamptz, type
// string, payload string optional), partitioned by day(ts), sorted by id; Parquet inputs written
// straight from rows, and the rows of the current snapshot read back.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "floe/catalog/snapshot_producer.h"
#include "floe/catalog/sql_catalog.h"
#include "floe/catalog/table.h"
#include "floe/catalog/transaction.h"
#include "floe/io/memory_store.h"
#include "floe/maintenance/compaction_plan.h"
#include "floe/parquet/reader.h"
#include "floe/parquet/writer.h"
#include "support/temp_dir.h"

namespace floe::testing {

struct EventRow {
  int64_t id = 0;
  int64_t ts = 0;  // microseconds
  std::string type;
  std::optional<std::string> payload;
  friend auto operator<=>(const EventRow&, const EventRow&) = default;
};

constexpr int64_t kDayMicros = int64_t{86400} * 1000000;

inline iceberg::NestedField PrimitiveField(int32_t id, const char* name, bool required,
                                           iceberg::TypeId type) {
  iceberg::NestedField f;
  f.id = id;
  f.name = name;
  f.required = required;
  f.type = iceberg::Type::Primitive(type);
  return f;
}

inline iceberg::Schema CompactionSchema() {
  using iceberg::TypeId;
  constexpr auto field = PrimitiveField;
  return iceberg::Schema(
      0, {field(1, "id", true, TypeId::kLong), field(2, "ts", true, TypeId::kTimestampTz),
          field(3, "type", true, TypeId::kString), field(4, "payload", false, TypeId::kString)});
}

inline parquet::RowBatch ToBatch(const std::vector<EventRow>& rows) {
  parquet::RowBatch batch;
  batch.num_rows = static_cast<int64_t>(rows.size());
  batch.columns.resize(4);
  auto& id = batch.columns[0];
  auto& ts = batch.columns[1];
  auto& type = batch.columns[2];
  auto& payload = batch.columns[3];
  type.offsets.push_back(0);
  payload.offsets.push_back(0);
  for (const EventRow& r : rows) {
    id.i64.push_back(r.id);
    ts.i64.push_back(r.ts);
    type.bytes += r.type;
    type.offsets.push_back(static_cast<uint32_t>(type.bytes.size()));
    payload.def_levels.push_back(r.payload ? 1 : 0);
    if (r.payload) {
      payload.bytes += *r.payload;
      payload.offsets.push_back(static_cast<uint32_t>(payload.bytes.size()));
    }
  }
  id.num_levels = id.num_values = ts.num_levels = ts.num_values = batch.num_rows;
  type.num_levels = type.num_values = batch.num_rows;
  payload.num_levels = batch.num_rows;
  payload.num_values = static_cast<int64_t>(payload.offsets.size()) - 1;
  if (payload.num_values == 0) payload.offsets.clear();
  return batch;
}

class CompactionFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto catalog = SqlCatalog::Open("sqlite:" + dir_.path() + "/catalog.db");
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    catalog_ = std::move(*catalog);
    ASSERT_TRUE(catalog_->CreateNamespace({"ns"}, {}).ok());
  }

  TableServices Services() { return TableServices{&store_, catalog_.get(), &clock_, 42}; }

  std::unique_ptr<Table> Create(bool sorted = true,
                                std::map<std::string, std::string> properties = {}) {
    CreateTableRequest request;
    request.schema = CompactionSchema();
    request.spec.fields.push_back(
        iceberg::PartitionField{2, 0, "ts_day", iceberg::Transform::Day()});
    if (sorted) {
      request.sort_order.order_id = 1;
      request.sort_order.fields.push_back(iceberg::SortField{iceberg::Transform::Identity(), 1,
                                                             iceberg::SortDirection::kAsc,
                                                             iceberg::NullOrder::kNullsFirst});
    }
    properties.emplace("commit.retry.num-retries", "50");
    request.properties = std::move(properties);
    request.location = kLocation;
    auto table = Table::Create(Services(), id_, request);
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    return table.ok() ? std::move(*table) : nullptr;
  }

  // Writes `rows` (all of one day) sorted by id as one Parquet file; returns its DataFile.
  iceberg::DataFile WriteFile(Table* table, std::vector<EventRow> rows, const std::string& name,
                              int64_t row_group_rows = 0) {
    std::sort(rows.begin(), rows.end());
    const int32_t day = static_cast<int32_t>(rows.front().ts / kDayMicros);
    const std::string path =
        std::string(kLocation) + "/data/ts_day=" + std::to_string(day) + "/" + name + ".parquet";
    auto schema = iceberg::ToParquetSchema(table->metadata().CurrentSchema());
    EXPECT_TRUE(schema.ok());
    auto stream = store_.Create(path);
    EXPECT_TRUE(stream.ok());
    parquet::WriterOptions options;
    options.codec = input_codec_;
    auto writer = parquet::ParquetWriter::Make(stream->get(), *schema, options);
    EXPECT_TRUE(writer.ok());
    const size_t step = row_group_rows > 0 ? static_cast<size_t>(row_group_rows) : rows.size();
    for (size_t i = 0; i < rows.size(); i += step) {
      std::vector<EventRow> part(
          rows.begin() + static_cast<std::ptrdiff_t>(i),
          rows.begin() + static_cast<std::ptrdiff_t>(std::min(rows.size(), i + step)));
      EXPECT_TRUE((*writer)->WriteBatch(ToBatch(part)).ok());
    }
    auto metrics = (*writer)->Close();
    EXPECT_TRUE(metrics.ok()) << metrics.status().ToString();
    auto file = iceberg::DataFileFromParquet(path, iceberg::FileFormat::kParquet, *metrics,
                                             {iceberg::Literal::Date(day)},
                                             table->metadata().CurrentSchema());
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    return *file;
  }

  void Append(Table* table, std::vector<iceberg::DataFile> files) {
    clock_.AdvanceMicros(1000000);
    auto result = table->NewTransaction().AppendFiles(std::move(files)).Commit();
    ASSERT_TRUE(result.ok()) << result.status().ToString();
  }

  // Rows of `count` events of `day`, ids from `first`.
  static std::vector<EventRow> Rows(int64_t first, int64_t count, int32_t day,
                                    size_t payload_bytes = 20) {
    std::vector<EventRow> rows;
    for (int64_t i = 0; i < count; ++i) {
      EventRow r;
      r.id = first + i;
      r.ts = day * kDayMicros + (first + i) * 1000;
      r.type = i % 3 == 0 ? "click" : "view";
      if (i % 5 != 0) r.payload = std::string(payload_bytes, static_cast<char>('a' + i % 26));
      rows.push_back(std::move(r));
    }
    return rows;
  }

  // Every row of one data file, in file order.
  std::vector<EventRow> ReadFile(const std::string& path) {
    std::vector<EventRow> rows;
    auto file = store_.OpenRead(path);
    EXPECT_TRUE(file.ok()) << path;
    if (!file.ok()) return rows;
    auto reader = parquet::ParquetReader::Open(file->get());
    EXPECT_TRUE(reader.ok());
    if (!reader.ok()) return rows;
    for (int g = 0; g < (*reader)->num_row_groups(); ++g) {
      parquet::RowBatch batch;
      EXPECT_TRUE((*reader)->ReadRowGroup(g, {0, 1, 2, 3}, &batch).ok());
      size_t payload = 0;
      for (int64_t i = 0; i < batch.num_rows; ++i) {
        const auto k = static_cast<size_t>(i);
        EventRow r;
        r.id = batch.columns[0].i64[k];
        r.ts = batch.columns[1].i64[k];
        const auto& t = batch.columns[2];
        r.type = t.bytes.substr(t.offsets[k], t.offsets[k + 1] - t.offsets[k]);
        const auto& p = batch.columns[3];
        if (p.def_levels[k] == 1) {
          r.payload =
              p.bytes.substr(p.offsets[payload], p.offsets[payload + 1] - p.offsets[payload]);
          ++payload;
        }
        rows.push_back(std::move(r));
      }
    }
    return rows;
  }

  std::vector<maintenance::LiveFile> LiveData(const Table& table) {
    auto files = maintenance::LoadLiveFiles(&store_, table.metadata());
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    return files.ok() ? files->data_files : std::vector<maintenance::LiveFile>{};
  }

  // Every live row, sorted (a multiset).
  std::vector<EventRow> AllRows(const Table& table) {
    std::vector<EventRow> rows;
    for (const auto& f : LiveData(table)) {
      auto part = ReadFile(f.file.file_path);
      rows.insert(rows.end(), part.begin(), part.end());
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  // Of the files WriteFile writes (the tables' outputs are zstd by default).
  CodecKind input_codec_ = CodecKind::kNone;
  static constexpr const char* kLocation = "s3://bucket/wh/ns/events";
  TempDir dir_{"floe-compaction-test"};
  FakeClock clock_{int64_t{1700000000} * 1000000};
  MemoryStore store_{&clock_};
  std::unique_ptr<SqlCatalog> catalog_;
  TableIdentifier id_{{"ns"}, "events"};
};

}  // namespace floe::testing
