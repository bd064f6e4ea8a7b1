// Snapshot expiry and orphan removal on real files (LocalStore in a temp folder, SQLite catalog):
// they delete exactly what nothing needs, and never a live, young or other table's file.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>

#include "floe/catalog/sql_catalog.h"
#include "floe/catalog/transaction.h"
#include "floe/io/local_store.h"
#include "floe/maintenance/expire_snapshots.h"
#include "floe/maintenance/remove_orphans.h"
#include "support/temp_dir.h"
#include "unit/catalog/table_test_util.h"

namespace floe::maintenance {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kDayMs = 86'400'000;

int64_t RealNowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class MaintenanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    auto store = LocalStore::Make("/");
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    auto catalog = SqlCatalog::Open("sqlite:" + dir_.path() + "/catalog.db");
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    catalog_ = std::move(*catalog);
    ASSERT_TRUE(catalog_->CreateNamespace({"db"}, {}).ok());
    // Ten days ago, so each commit can be a day apart and still be in the past.
    clock_.SetMicros(RealNowMicros() - 10 * kDayMs * 1000);
    location_ = "file://" + dir_.path() + "/db/t";
    auto table = Table::Create(Services(), id_, testing::EventsTable(location_));
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    table_ = std::move(*table);
  }

  TableServices Services() { return TableServices{store_.get(), catalog_.get(), &clock_, 5}; }

  // A real (tiny) file under data/, as a data file of the table.
  iceberg::DataFile WriteFile(const std::string& name) {
    std::string path = dir_.path() + "/db/t/data/ts_day=2024-10-04/" + name;
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << "not parquet; expiry and orphan removal never read data files";
    return testing::MakeFile("file://" + path, 10);
  }

  void Append(const std::string& name) {
    Transaction txn = table_->NewTransaction();
    txn.AppendFiles({WriteFile(name)});
    ASSERT_TRUE(txn.Commit().ok());
    clock_.AdvanceMicros(kDayMs * 1000);
  }

  std::string Local(const std::string& name) {
    return dir_.path() + "/db/t/data/ts_day=2024-10-04/" + name;
  }

  std::set<std::string> AllFiles() {
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir_.path() + "/db/t")) {
      if (e.is_regular_file()) out.insert(e.path().string());
    }
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

TEST_F(MaintenanceTest, ExpiryDeletesOnlyWhatNoRemainingSnapshotReads) {
  for (std::string name : {"a.parquet", "b.parquet", "c.parquet"}) Append(name);
  // A rewrite of a and b into ab: a and b are then read only by the older snapshots.
  {
    Transaction txn = table_->NewTransaction();
    txn.ReplaceFiles({"file://" + Local("a.parquet"), "file://" + Local("b.parquet")},
                     {WriteFile("ab.parquet")});
    ASSERT_TRUE(txn.Commit().ok());
  }
  ASSERT_EQ(table_->metadata().snapshots.size(), 4u);
  const int64_t current = *table_->metadata().current_snapshot_id;
  std::set<std::string> before = AllFiles();

  ExpireOptions dry;
  dry.older_than_ms = 0;
  dry.retain_last = 1;
  dry.dry_run = true;
  auto preview = ExpireSnapshots(table_.get(), dry, nullptr);
  ASSERT_TRUE(preview.ok()) << preview.status().ToString();
  EXPECT_EQ(AllFiles(), before);  // a dry run deletes nothing
  EXPECT_EQ(preview->details["snapshots_expired"].size(), 3u);
  EXPECT_EQ(table_->metadata().snapshots.size(), 4u);

  ExpireOptions real = dry;
  real.dry_run = false;
  auto report = ExpireSnapshots(table_.get(), real, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->status, "success");
  EXPECT_EQ(report->details["paths"], preview->details["paths"]);
  EXPECT_EQ(report->details["deleted"]["files"], 2);
  EXPECT_EQ(report->details["deleted"]["manifest_lists"], 3);

  ASSERT_EQ(table_->metadata().snapshots.size(), 1u);
  EXPECT_EQ(table_->metadata().snapshots[0].snapshot_id, current);
  EXPECT_FALSE(fs::exists(Local("a.parquet")));
  EXPECT_FALSE(fs::exists(Local("b.parquet")));
  EXPECT_TRUE(fs::exists(Local("c.parquet")));
  EXPECT_TRUE(fs::exists(Local("ab.parquet")));
  // The remaining snapshot is whole: its manifest list and manifests read, files live.
  auto entries = testing::CurrentEntries(store_.get(), table_->metadata());
  std::set<std::string> live;
  for (const auto& e : entries) {
    if (e.is_live()) live.insert(e.data_file.file_path);
  }
  EXPECT_EQ(live, (std::set<std::string>{"file://" + Local("c.parquet"),
                                         "file://" + Local("ab.parquet")}));
  // The catalog points at the new metadata, which another reader sees.
  auto reloaded = Table::Load(Services(), id_);
  ASSERT_TRUE(reloaded.ok());
  EXPECT_EQ((*reloaded)->metadata().snapshots.size(), 1u);
  EXPECT_EQ((*reloaded)->metadata().snapshot_log.size(), 1u);

  // Nothing more to expire: a no-op.
  auto again = ExpireSnapshots(table_.get(), real, nullptr);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, "noop");
}

TEST_F(MaintenanceTest, ExpiryKeepsYoungSnapshotsAndRetainLast) {
  for (std::string name : {"a.parquet", "b.parquet", "c.parquet", "d.parquet"}) Append(name);
  // Snapshots at day 0,1,2,3; now is day 4. Older than 2.5 days: days 0 and 1 expire.
  ExpireOptions options;
  options.older_than_ms = 2 * kDayMs + kDayMs / 2;
  auto report = ExpireSnapshots(table_.get(), options, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(table_->metadata().snapshots.size(), 2u);
  // Appends only: every file is still live in the current snapshot.
  for (std::string name : {"a.parquet", "b.parquet", "c.parquet", "d.parquet"}) {
    EXPECT_TRUE(fs::exists(Local(name))) << name;
  }
  // retain_last wins over age.
  options.older_than_ms = 0;
  options.retain_last = 2;
  ASSERT_TRUE(ExpireSnapshots(table_.get(), options, nullptr).ok());
  EXPECT_EQ(table_->metadata().snapshots.size(), 2u);
  options.retain_last = 0;
  EXPECT_EQ(ExpireSnapshots(table_.get(), options, nullptr).status().kind(),
            ErrorKind::kInvalidArgument);
}

TEST_F(MaintenanceTest, ExpiryDefaultsFromTableProperties) {
  for (std::string name : {"a.parquet", "b.parquet", "c.parquet"}) Append(name);
  Transaction txn = table_->NewTransaction();
  txn.SetProperty("history.expire.max-snapshot-age-ms", "0");
  txn.SetProperty("history.expire.min-snapshots-to-keep", "2");
  ASSERT_TRUE(txn.Commit().ok());
  auto report = ExpireSnapshots(table_.get(), ExpireOptions{}, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(table_->metadata().snapshots.size(), 2u);
}

TEST_F(MaintenanceTest, OrphanRemovalSparesLiveYoungAndOtherTablesFiles) {
  Append("live.parquet");
  clock_.SetMicros(RealNowMicros());
  const auto old_time = fs::file_time_type::clock::now() - std::chrono::hours(24 * 5);
  // Everything the table wrote is old now, so only references protect it.
  for (const auto& f : AllFiles()) fs::last_write_time(f, old_time);

  std::string old_orphan = Local("old-orphan.parquet");
  std::ofstream(old_orphan) << "x";
  fs::last_write_time(old_orphan, old_time);
  std::string young_orphan = Local("young-orphan.parquet");
  std::ofstream(young_orphan) << "x";
  std::string stray_metadata = dir_.path() + "/db/t/metadata/stray.avro";
  std::ofstream(stray_metadata) << "x";
  fs::last_write_time(stray_metadata, old_time);
  // Another table nested under this one's location, with an old file of its own.
  auto nested = Table::Create(Services(), TableIdentifier{{"db"}, "nested"},
                              testing::EventsTable(location_ + "/nested"));
  ASSERT_TRUE(nested.ok()) << nested.status().ToString();
  std::string nested_file = dir_.path() + "/db/t/nested/data/n.parquet";
  fs::create_directories(fs::path(nested_file).parent_path());
  std::ofstream(nested_file) << "x";
  fs::last_write_time(nested_file, old_time);
  // Same prefix, not nested: db/t2 is not under db/t/.
  std::string sibling = dir_.path() + "/db/t2/data/s.parquet";
  fs::create_directories(fs::path(sibling).parent_path());
  std::ofstream(sibling) << "x";
  fs::last_write_time(sibling, old_time);

  OrphanOptions options;
  options.dry_run = true;
  auto others = OtherTableLocations(Services(), id_);
  ASSERT_TRUE(others.ok()) << others.status().ToString();
  options.other_table_locations = *others;
  auto preview = RemoveOrphans(table_.get(), options, nullptr);
  ASSERT_TRUE(preview.ok()) << preview.status().ToString();
  std::set<std::string> found;
  for (const auto& p : preview->details["orphans"]) found.insert(p.get<std::string>());
  EXPECT_EQ(found, (std::set<std::string>{"file://" + old_orphan, "file://" + stray_metadata}));
  EXPECT_TRUE(fs::exists(old_orphan));
  EXPECT_EQ(preview->details["too_young"], 1);
  EXPECT_GE(preview->details["other_tables"].get<int64_t>(), 2);

  options.dry_run = false;
  auto report = RemoveOrphans(table_.get(), options, nullptr);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->status, "success");
  EXPECT_FALSE(fs::exists(old_orphan));
  EXPECT_FALSE(fs::exists(stray_metadata));
  EXPECT_TRUE(fs::exists(young_orphan));
  EXPECT_TRUE(fs::exists(nested_file));
  EXPECT_TRUE(fs::exists(sibling));
  EXPECT_TRUE(fs::exists(Local("live.parquet")));
  // The table still loads and reads: its metadata, list and manifests are all there.
  auto reloaded = Table::Load(Services(), id_);
  ASSERT_TRUE(reloaded.ok());
  EXPECT_EQ(testing::CurrentEntries(store_.get(), (*reloaded)->metadata()).size(), 1u);
}

}  // namespace
}  // namespace floe::maintenance
