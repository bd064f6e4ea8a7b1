// fsck on a table with injected problems: each is reported with its kind and path; the healthy
// table reports none; --repair removes references to missing files (rows lost reported) and
// orphans, never a live or young file.

#include "floe/maintenance/fsck.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>

#include "floe/catalog/sql_catalog.h"
#include "floe/catalog/transaction.h"
#include "floe/iceberg/types.h"
#include "floe/io/local_store.h"
#include "floe/maintenance/remove_orphans.h"
#include "support/parquet_files.h"
#include "support/rows.h"
#include "support/temp_dir.h"
#include "unit/catalog/table_test_util.h"

namespace floe::maintenance {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kDay = 20000;  // days since the epoch: 2024-10-04

int64_t RealNowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class FsckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = LocalStore::Make("/");
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    auto catalog = SqlCatalog::Open("sqlite:" + dir_.path() + "/catalog.db");
    ASSERT_TRUE(catalog.ok());
    catalog_ = std::move(*catalog);
    ASSERT_TRUE(catalog_->CreateNamespace({"db"}, {}).ok());
    clock_.SetMicros(RealNowMicros());
    location_ = "file://" + dir_.path() + "/db/t";
    auto table = Table::Create(Services(), id_, testing::EventsTable(location_));
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    table_ = std::move(*table);
  }

  TableServices Services() { return TableServices{store_.get(), catalog_.get(), &clock_, 9}; }

  // A real Parquet data file of `rows` rows in the day partition.
  iceberg::DataFile WriteParquetFile(const std::string& name, int rows) {
    const iceberg::Schema& schema = table_->metadata().CurrentSchema();
    auto pq_schema = iceberg::ToParquetSchema(schema);
    EXPECT_TRUE(pq_schema.ok());
    std::vector<testing::Row> data;
    for (int i = 0; i < rows; ++i) {
      data.push_back(
          {testing::Value::Int(i), testing::Value::Int(kDay * 86'400'000'000LL + i * 1'000'000LL)});
    }
    auto written = testing::WriteParquet(*pq_schema, data, parquet::WriterOptions{});
    EXPECT_TRUE(written.ok()) << written.status().ToString();
    std::string path = dir_.path() + "/db/t/data/ts_day=2024-10-04/" + name;
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << written->bytes;
    auto file =
        iceberg::DataFileFromParquet("file://" + path, iceberg::FileFormat::kParquet,
                                     written->metrics, {iceberg::Literal::Date(kDay)}, schema);
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    return *file;
  }

  void Append(const std::string& name, int rows) {
    Transaction txn = table_->NewTransaction();
    txn.AppendFiles({WriteParquetFile(name, rows)});
    auto result = txn.Commit();
    ASSERT_TRUE(result.ok()) << result.status().ToString();
  }

  std::string Data(const std::string& name) {
    return dir_.path() + "/db/t/data/ts_day=2024-10-04/" + name;
  }

  std::multiset<std::string> Kinds(const RunReport& report) {
    std::multiset<std::string> out;
    for (const auto& p : report.details["problems"]) out.insert(p["kind"].get<std::string>());
    return out;
  }

  floe::testing::TempDir dir_;
  std::unique_ptr<ObjectStore> store_;
  std::unique_ptr<SqlCatalog> catalog_;
  FakeClock clock_;
  TableIdentifier id_{{"db"}, "t"};
  std::string location_;
  std::unique_ptr<Table> table_;
};

TEST_F(FsckTest, HealthyTableHasNoProblems) {
  Append("a.parquet", 10);
  Append("b.parquet", 20);
  auto report = Fsck(table_.get(), FsckOptions{}, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->status, "success") << report->ToJson().dump(2);
  EXPECT_TRUE(report->details["problems"].empty()) << report->ToJson().dump(2);
  EXPECT_EQ(report->details["checked"]["data_files"], 2);
  EXPECT_EQ(report->rows_in, 30);
}

TEST_F(FsckTest, ReportsEachInjectedProblem) {
  Append("a.parquet", 10);
  Append("b.parquet", 20);
  Append("c.parquet", 5);
  const auto old_time = fs::file_time_type::clock::now() - std::chrono::hours(24 * 5);
  // A deleted data file.
  fs::remove(Data("a.parquet"));
  // A data file whose footer is garbage (same size, so only the footer read finds it).
  {
    auto size = fs::file_size(Data("b.parquet"));
    std::ofstream(Data("b.parquet"), std::ios::binary) << std::string(size, 'x');
  }
  // An extra unreferenced old file, and a young one.
  std::ofstream(Data("stray.parquet")) << "x";
  fs::last_write_time(Data("stray.parquet"), old_time);
  std::ofstream(Data("young.parquet")) << "x";
  // A file of another table nested under the location.
  ASSERT_TRUE(Table::Create(Services(), TableIdentifier{{"db"}, "inner"},
                            testing::EventsTable(location_ + "/inner"))
                  .ok());
  fs::create_directories(dir_.path() + "/db/t/inner/data");
  std::ofstream(dir_.path() + "/db/t/inner/data/x.parquet") << "x";
  fs::last_write_time(dir_.path() + "/db/t/inner/data/x.parquet", old_time);
  // A truncated manifest: the one the last append wrote (c.parquet's).
  std::string manifest;
  for (const auto& e : fs::directory_iterator(dir_.path() + "/db/t/metadata")) {
    std::string p = e.path().string();
    if (p.ends_with(".avro") && p.find("snap-") == std::string::npos &&
        (manifest.empty() || fs::last_write_time(p) > fs::last_write_time(manifest))) {
      manifest = p;
    }
  }
  ASSERT_FALSE(manifest.empty());
  fs::resize_file(manifest, fs::file_size(manifest) / 2);

  FsckOptions options;
  auto others = OtherTableLocations(Services(), id_);
  ASSERT_TRUE(others.ok());
  options.other_table_locations = *others;
  auto report = Fsck(table_.get(), options, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->status, "failure");
  std::multiset<std::string> kinds = Kinds(*report);
  EXPECT_EQ(kinds.count("data-file-missing"), 1u) << report->ToJson().dump(2);
  EXPECT_EQ(kinds.count("data-file-corrupt"), 1u) << report->ToJson().dump(2);
  EXPECT_GE(kinds.count("manifest-length") + kinds.count("manifest-unreadable"), 1u);
  EXPECT_EQ(kinds.count("manifest-unreadable"), 1u) << report->ToJson().dump(2);
  EXPECT_EQ(kinds.count("orphan"), 1u);
  EXPECT_EQ(kinds.count("young-unreferenced"), 1u);
  EXPECT_EQ(kinds.count("other-table-files"), 1u);
  for (const auto& p : report->details["problems"]) {
    if (p["kind"] == "data-file-missing") {
      EXPECT_EQ(p["path"], "file://" + Data("a.parquet"));
    }
    if (p["kind"] == "orphan") {
      EXPECT_EQ(p["path"], "file://" + Data("stray.parquet"));
    }
  }
  // Nothing was changed by a check.
  EXPECT_TRUE(fs::exists(Data("stray.parquet")));
}

TEST_F(FsckTest, RepairRemovesReferencesToMissingFilesAndOrphans) {
  Append("a.parquet", 10);
  Append("b.parquet", 20);
  fs::remove(Data("a.parquet"));
  const auto old_time = fs::file_time_type::clock::now() - std::chrono::hours(24 * 5);
  std::ofstream(Data("stray.parquet")) << "x";
  fs::last_write_time(Data("stray.parquet"), old_time);
  std::ofstream(Data("young.parquet")) << "x";

  FsckOptions options;
  options.repair = true;
  auto report = Fsck(table_.get(), options, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->details["repaired"]["files_removed"], 1);
  EXPECT_EQ(report->details["repaired"]["rows_lost"], 10);
  EXPECT_EQ(report->details["repaired"]["orphans_removed"], 1);
  EXPECT_FALSE(fs::exists(Data("stray.parquet")));
  EXPECT_TRUE(fs::exists(Data("young.parquet")));
  EXPECT_TRUE(fs::exists(Data("b.parquet")));
  EXPECT_EQ(table_->metadata().CurrentSnapshot()->operation(), "delete");

  // The current snapshot is healthy now; the missing file is still named by older snapshots,
  // which is what time travel to them would need (expiry drops those).
  FsckOptions check;
  auto after = Fsck(table_.get(), check, nullptr);
  ASSERT_TRUE(after.ok());
  auto current = testing::CurrentEntries(store_.get(), table_->metadata());
  int live = 0;
  for (const auto& e : current) live += e.is_live() ? 1 : 0;
  EXPECT_EQ(live, 1);
}

}  // namespace
}  // namespace floe::maintenance
