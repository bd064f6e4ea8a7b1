// Optimistic concurrency of commits: lost compare-and-swaps retried on the new base, racing
// writers on SQLite (and PostgreSQL when a server can be started), replace against deletes,
// failed writes and unknown commit outcomes.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "floe/catalog/sql_catalog.h"
#include "floe/io/fault_store.h"
#include "floe/io/memory_store.h"
#include "support/postgres_server.h"
#include "support/temp_dir.h"
#include "unit/catalog/table_test_util.h"

namespace floe::testing {
namespace {

constexpr const char* kLocation = "s3://bucket/wh/ns/events";

// Fast retries, enough of them for several writers racing on a 2-core machine.
std::map<std::string, std::string> RacingProperties() {
  return {{"commit.retry.num-retries", "200"},
          {"commit.retry.min-wait-ms", "1"},
          {"commit.retry.max-wait-ms", "20"}};
}

class CommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uri_ = "sqlite:" + dir_.path() + "/catalog.db";
    auto catalog = SqlCatalog::Open(uri_);
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    catalog_ = std::move(*catalog);
    ASSERT_TRUE(catalog_->CreateNamespace({"ns"}, {}).ok());
  }

  TableServices Services(ObjectStore* store, uint64_t seed = 7) {
    return TableServices{store, catalog_.get(), &clock_, seed};
  }

  TempDir dir_{"floe-commit-test"};
  std::string uri_;
  SystemClock clock_;
  MemoryStore store_{&clock_};
  std::unique_ptr<SqlCatalog> catalog_;
  TableIdentifier id_{{"ns"}, "events"};
};

// Commits to one table from one process take turns (CommitTurns): while the turn is held (here by
// the test, in floe serve by a compaction's slow attempt) an append waits instead of racing, and
// another table's commit does not wait.
TEST_F(CommitTest, CommitsToOneTableTakeTurnsInAProcess) {
  auto a = Table::Create(Services(&store_, 1), id_, EventsTable(kLocation, RacingProperties()));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  const TableIdentifier other_id{{"ns"}, "other"};
  auto other = Table::Create(Services(&store_, 3), other_id,
                             EventsTable("s3://bucket/wh/ns/other", RacingProperties()));
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  std::unique_lock<std::mutex> turn = catalog_->commit_turns().Take(id_);
  std::atomic<bool> committed{false};
  std::thread writer([&] {
    auto r = (*a)->NewTransaction().AppendFiles({MakeFile("s3://b/one", 1)}).Commit();
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    committed = true;
  });
  // Another table's commit goes ahead while this table's turn is held.
  ASSERT_TRUE((*other)->NewTransaction().AppendFiles({MakeFile("s3://b/x", 1)}).Commit().ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(committed.load()) << "the append did not wait for the table's turn";
  turn.unlock();
  writer.join();
  EXPECT_TRUE(committed.load());
  ASSERT_TRUE((*a)->Refresh().ok());
  EXPECT_EQ(LivePaths(&store_, (*a)->metadata()), (std::set<std::string>{"s3://b/one"}));
}

TEST_F(CommitTest, LostSwapIsRetriedOnTheNewBase) {
  auto a = Table::Create(Services(&store_, 1), id_, EventsTable(kLocation, RacingProperties()));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto b = Table::Load(Services(&store_, 2), id_);
  ASSERT_TRUE(b.ok());
  auto stale = (*b)->NewTransaction();
  ASSERT_TRUE((*a)->NewTransaction().AppendFiles({MakeFile("s3://b/one", 1)}).Commit().ok());
  auto r = stale.AppendFiles({MakeFile("s3://b/two", 2)}).Commit();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->attempts, 2);
  EXPECT_EQ(r->conflicts, 1);
  const auto& m = (*b)->metadata();
  EXPECT_EQ(m.CurrentSnapshot()->sequence_number, 2);
  EXPECT_EQ(SummaryValue(*m.CurrentSnapshot(), "total-data-files"), "2");
  EXPECT_EQ(SummaryValue(*m.CurrentSnapshot(), "total-records"), "3");
  EXPECT_TRUE(m.CurrentSnapshot()->manifest_list.find("-2-") != std::string::npos);
  EXPECT_EQ(LivePaths(&store_, m), (std::set<std::string>{"s3://b/one", "s3://b/two"}));
  EXPECT_EQ(CheckLinearLineage(m), 2u);
  ExpectNoLeftovers(&store_, m, (*b)->metadata_location());
}

// floe serve's collector holds a table loaded before a compaction and a snapshot expiry that
// deleted the manifest list its base names: the commit is rebuilt on the catalog's metadata.
TEST_F(CommitTest, StaleBaseWhoseFilesWereExpiredIsRebuilt) {
  auto a = Table::Create(Services(&store_, 1), id_, EventsTable(kLocation, RacingProperties()));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE((*a)->NewTransaction().AppendFiles({MakeFile("s3://b/one", 1)}).Commit().ok());
  auto b = Table::Load(Services(&store_, 2), id_);
  ASSERT_TRUE(b.ok());
  const std::string expired_list = (*b)->metadata().CurrentSnapshot()->manifest_list;
  ASSERT_TRUE((*a)->NewTransaction().AppendFiles({MakeFile("s3://b/two", 2)}).Commit().ok());
  ASSERT_TRUE(store_.Delete(expired_list).ok());

  auto r = (*b)->NewTransaction().AppendFiles({MakeFile("s3://b/three", 3)}).Commit();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->attempts, 2);
  const auto& m = (*b)->metadata();
  EXPECT_EQ(LivePaths(&store_, m),
            (std::set<std::string>{"s3://b/one", "s3://b/two", "s3://b/three"}));
  EXPECT_EQ(SummaryValue(*m.CurrentSnapshot(), "total-records"), "6");
}

TEST_F(CommitTest, RetriesRunOutAsConflict) {
  auto a = Table::Create(Services(&store_, 1), id_,
                         EventsTable(kLocation, {{"commit.retry.num-retries", "0"}}));
  ASSERT_TRUE(a.ok());
  auto b = Table::Load(Services(&store_, 2), id_);
  ASSERT_TRUE(b.ok());
  auto stale = (*b)->NewTransaction();
  ASSERT_TRUE((*a)->NewTransaction().AppendFiles({MakeFile("s3://b/one", 1)}).Commit().ok());
  auto r = stale.AppendFiles({MakeFile("s3://b/two", 2)}).Commit();
  EXPECT_EQ(r.status().kind(), ErrorKind::kConflict);
  ASSERT_TRUE((*a)->Refresh().ok());
  ExpectNoLeftovers(&store_, (*a)->metadata(), (*a)->metadata_location());
}

// N writers, each with its own catalog connection and Table, append to one table at once.
void RaceAppends(const std::string& uri, ObjectStore* store, const Clock* clock,
                 const TableIdentifier& id, int writers, int appends_each) {
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      auto catalog = SqlCatalog::Open(uri);
      if (!catalog.ok()) {
        ADD_FAILURE() << catalog.status().ToString();
        return;
      }
      auto table = Table::Load(TableServices{store, catalog->get(), clock, 100u + w}, id);
      if (!table.ok()) {
        ADD_FAILURE() << table.status().ToString();
        return;
      }
      for (int i = 0; i < appends_each; ++i) {
        std::string path = "s3://b/w" + std::to_string(w) + "-" + std::to_string(i);
        auto r = (*table)->NewTransaction().AppendFiles({MakeFile(path, 1)}).Commit();
        if (!r.ok()) {
          ++failures;
          ADD_FAILURE() << r.status().ToString();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

void CheckRaceOutcome(ObjectStore* store, Table* table, int writers, int appends_each) {
  ASSERT_TRUE(table->Refresh().ok());
  const auto& m = table->metadata();
  const size_t commits = static_cast<size_t>(writers * appends_each);
  EXPECT_EQ(CheckLinearLineage(m), commits);
  std::set<std::string> live = LivePaths(store, m);
  EXPECT_EQ(live.size(), commits);
  for (int w = 0; w < writers; ++w) {
    for (int i = 0; i < appends_each; ++i) {
      EXPECT_EQ(live.count("s3://b/w" + std::to_string(w) + "-" + std::to_string(i)), 1u);
    }
  }
  EXPECT_EQ(SummaryValue(*m.CurrentSnapshot(), "total-data-files"), std::to_string(commits));
  ExpectNoLeftovers(store, m, table->metadata_location());
}

TEST_F(CommitTest, ConcurrentAppendersOnSqliteEachLandOnce) {
  auto table = Table::Create(Services(&store_), id_, EventsTable(kLocation, RacingProperties()));
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  RaceAppends(uri_, &store_, &clock_, id_, 4, 8);
  CheckRaceOutcome(&store_, table->get(), 4, 8);
}

TEST(CommitPostgresTest, ConcurrentAppendersOnPostgresEachLandOnce) {
  auto server = PostgresServer::Start();
  if (!server.ok()) GTEST_SKIP() << "no PostgreSQL server: " << server.status().ToString();
  ASSERT_TRUE((*server)->CreateDatabase("commit_race").ok());
  const std::string uri = (*server)->Uri("commit_race");
  auto catalog = SqlCatalog::Open(uri);
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  ASSERT_TRUE((*catalog)->CreateNamespace({"ns"}, {}).ok());
  SystemClock clock;
  MemoryStore store(&clock);
  TableIdentifier id{{"ns"}, "events"};
  auto table = Table::Create(TableServices{&store, catalog->get(), &clock, 3}, id,
                             EventsTable(kLocation, RacingProperties()));
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  RaceAppends(uri, &store, &clock, id, 4, 6);
  CheckRaceOutcome(&store, table->get(), 4, 6);
}

TEST_F(CommitTest, ReplaceRacingAppendsKeepsTheAppends) {
  auto table = Table::Create(Services(&store_), id_, EventsTable(kLocation, RacingProperties()));
  ASSERT_TRUE(table.ok());
  ASSERT_TRUE((*table)
                  ->NewTransaction()
                  .AppendFiles({MakeFile("s3://b/small1", 1), MakeFile("s3://b/small2", 1)})
                  .Commit()
                  .ok());
  auto compactor = Table::Load(Services(&store_, 9), id_);
  ASSERT_TRUE(compactor.ok());
  auto replace = (*compactor)->NewTransaction();
  replace.ReplaceFiles({"s3://b/small1", "s3://b/small2"}, {MakeFile("s3://b/big", 2)});

  std::thread appender([&] { RaceAppends(uri_, &store_, &clock_, id_, 1, 10); });
  auto r = replace.Commit();
  appender.join();
  ASSERT_TRUE(r.ok()) << r.status().ToString();

  ASSERT_TRUE((*table)->Refresh().ok());
  const auto& m = (*table)->metadata();
  std::set<std::string> live = LivePaths(&store_, m);
  EXPECT_EQ(live.size(), 11u);
  EXPECT_EQ(live.count("s3://b/big"), 1u);
  EXPECT_EQ(live.count("s3://b/small1"), 0u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(live.count("s3://b/w0-" + std::to_string(i)), 1u);
  EXPECT_EQ(CheckLinearLineage(m), 12u);
  // The compacted file keeps the starting snapshot's data sequence number.
  for (const auto& e : CurrentEntries(&store_, m)) {
    if (e.data_file.file_path == "s3://b/big") {
      EXPECT_EQ(e.sequence_number, 1);
    }
  }
  EXPECT_EQ(SummaryValue(*m.CurrentSnapshot(), "total-data-files"), "11");
  ExpectNoLeftovers(&store_, m, (*table)->metadata_location());
}

TEST_F(CommitTest, ReplaceOfAFileDeletedMeanwhileFailsCleanly) {
  auto table = Table::Create(Services(&store_), id_, EventsTable(kLocation, RacingProperties()));
  ASSERT_TRUE(table.ok());
  ASSERT_TRUE((*table)
                  ->NewTransaction()
                  .AppendFiles({MakeFile("s3://b/a", 1), MakeFile("s3://b/b", 1)})
                  .Commit()
                  .ok());
  auto compactor = Table::Load(Services(&store_, 9), id_);
  ASSERT_TRUE(compactor.ok());
  auto replace = (*compactor)->NewTransaction();
  replace.ReplaceFiles({"s3://b/a", "s3://b/b"}, {MakeFile("s3://b/ab", 2)});
  ASSERT_TRUE((*table)->NewTransaction().DeleteFiles({"s3://b/b"}).Commit().ok());

  auto r = replace.Commit();
  EXPECT_EQ(r.status().kind(), ErrorKind::kConflict);
  EXPECT_NE(r.status().message().find("s3://b/b"), std::string::npos) << r.status().message();
  EXPECT_EQ(r.status().message().find("s3://b/a,"), std::string::npos) << r.status().message();
  ASSERT_TRUE((*table)->Refresh().ok());
  EXPECT_EQ(LivePaths(&store_, (*table)->metadata()), (std::set<std::string>{"s3://b/a"}));
  ExpectNoLeftovers(&store_, (*table)->metadata(), (*table)->metadata_location());
}

TEST_F(CommitTest, FailedWritesLeaveNoPartialState) {
  FaultInjectingStore faulty(&store_, 11);
  auto table = Table::Create(Services(&faulty), id_, EventsTable(kLocation));
  ASSERT_TRUE(table.ok());
  ASSERT_TRUE((*table)->NewTransaction().AppendFiles({MakeFile("s3://b/a", 1)}).Commit().ok());
  const std::string before = (*table)->metadata_location();
  const size_t objects = store_.size();

  struct Fault {
    StoreOp op;
    FaultKind kind;
    std::string filter;
  };
  const Fault faults[] = {
      {StoreOp::kPutIfAbsent, FaultKind::kError, ".metadata.json"},
      {StoreOp::kPutIfAbsent, FaultKind::kErrorAfterApply, ".metadata.json"},
      {StoreOp::kCreate, FaultKind::kError, "/snap-"},
      {StoreOp::kWrite, FaultKind::kError, "/snap-"},
      {StoreOp::kWrite, FaultKind::kErrorAfterApply, "-m0.avro"},
      {StoreOp::kOpenRead, FaultKind::kError, "/snap-"},
  };
  for (const Fault& f : faults) {
    SCOPED_TRACE(f.filter + " op " + std::to_string(static_cast<int>(f.op)));
    faulty.Clear();
    faulty.SetLocationFilter(f.filter);
    faulty.FailNext(f.op, f.kind, 1000);
    auto r = (*table)->NewTransaction().AppendFiles({MakeFile("s3://b/new", 1)}).Commit();
    faulty.Clear();
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(store_.size(), objects);
    auto pointer = catalog_->LoadTable(id_);
    ASSERT_TRUE(pointer.ok());
    EXPECT_EQ(pointer->metadata_location, before);
    EXPECT_EQ((*table)->metadata_location(), before);
  }
  // The table still takes commits.
  ASSERT_TRUE((*table)->NewTransaction().AppendFiles({MakeFile("s3://b/new", 1)}).Commit().ok());
  EXPECT_EQ(LivePaths(&store_, (*table)->metadata()).size(), 2u);
}

// Forwards to a real catalog, but commits either land and report an unknown outcome (as when
// the database connection breaks after the UPDATE) or always lose the compare-and-swap.
class ScriptedCatalog final : public Catalog {
 public:
  enum class Mode { kUnknownAfterApply, kAlwaysConflict };
  ScriptedCatalog(Catalog* base, Mode mode) : base_(base), mode_(mode) {}
  const std::string& name() const override { return base_->name(); }
  Status CreateNamespace(const Namespace& ns, const NamespaceProperties& p) override {
    return base_->CreateNamespace(ns, p);
  }
  Result<std::vector<Namespace>> ListNamespaces(const Namespace& parent) override {
    return base_->ListNamespaces(parent);
  }
  Result<bool> NamespaceExists(const Namespace& ns) override { return base_->NamespaceExists(ns); }
  Result<NamespaceProperties> LoadNamespaceProperties(const Namespace& ns) override {
    return base_->LoadNamespaceProperties(ns);
  }
  Status UpdateNamespaceProperties(const Namespace& ns, const NamespaceProperties& u,
                                   const std::vector<std::string>& r) override {
    return base_->UpdateNamespaceProperties(ns, u, r);
  }
  Status DropNamespace(const Namespace& ns) override { return base_->DropNamespace(ns); }
  Status CreateTable(const TableIdentifier& id, const std::string& location) override {
    return base_->CreateTable(id, location);
  }
  Status RegisterTable(const TableIdentifier& id, const std::string& location) override {
    return base_->RegisterTable(id, location);
  }
  Result<TablePointer> LoadTable(const TableIdentifier& id) override {
    return base_->LoadTable(id);
  }
  Result<std::vector<TableIdentifier>> ListTables(const Namespace& ns) override {
    return base_->ListTables(ns);
  }
  Result<bool> TableExists(const TableIdentifier& id) override { return base_->TableExists(id); }
  Status DropTable(const TableIdentifier& id) override { return base_->DropTable(id); }
  Status RenameTable(const TableIdentifier& from, const TableIdentifier& to) override {
    return base_->RenameTable(from, to);
  }
  Status CommitTable(const TableIdentifier& id, const std::string& expected,
                     const std::string& next) override {
    ++commits_;
    if (mode_ == Mode::kAlwaysConflict) return Status::Conflict("scripted conflict");
    FLOE_RETURN_IF_ERROR(base_->CommitTable(id, expected, next));
    return Status::CommitStateUnknown("connection lost after the update");
  }
  int commits() const { return commits_; }

 private:
  Catalog* base_;
  Mode mode_;
  int commits_ = 0;
};

TEST_F(CommitTest, RetriesBackOffExponentiallyWithinTheTimeout) {
  auto table = Table::Create(Services(&store_), id_, EventsTable(kLocation));
  ASSERT_TRUE(table.ok());
  ScriptedCatalog conflicting(catalog_.get(), ScriptedCatalog::Mode::kAlwaysConflict);
  FakeClock fake(int64_t{1700000000} * 1000000);
  auto loser = Table::Load(TableServices{&store_, &conflicting, &fake, 5}, id_);
  ASSERT_TRUE(loser.ok());
  const size_t objects = store_.size();
  auto r = (*loser)->NewTransaction().AppendFiles({MakeFile("s3://b/a", 1)}).Commit();
  EXPECT_EQ(r.status().kind(), ErrorKind::kConflict);
  EXPECT_EQ(conflicting.commits(), 5);  // the first try and commit.retry.num-retries (4)
  // Waits of 100, 200, 400 and 800 ms, each with up to 10% jitter.
  const int64_t waited_ms = (fake.NowMicros() - int64_t{1700000000} * 1000000) / 1000;
  EXPECT_GE(waited_ms, 1500);
  EXPECT_LE(waited_ms, 1650);
  EXPECT_EQ(store_.size(), objects);  // every attempt's files and the new manifest removed

  // The total timeout ends the retries early.
  ASSERT_TRUE((*table)
                  ->NewTransaction()
                  .SetProperty("commit.retry.total-timeout-ms", "250")
                  .SetProperty("commit.retry.num-retries", "100")
                  .Commit()
                  .ok());
  ScriptedCatalog conflicting2(catalog_.get(), ScriptedCatalog::Mode::kAlwaysConflict);
  auto impatient = Table::Load(TableServices{&store_, &conflicting2, &fake, 6}, id_);
  ASSERT_TRUE(impatient.ok());
  r = (*impatient)->NewTransaction().AppendFiles({MakeFile("s3://b/a", 1)}).Commit();
  EXPECT_EQ(r.status().kind(), ErrorKind::kConflict);
  EXPECT_EQ(conflicting2.commits(), 3);  // after 100 and 200 ms of waiting, 250 ms are spent
}

TEST_F(CommitTest, UnknownCommitStateKeepsEveryFile) {
  auto table = Table::Create(Services(&store_), id_, EventsTable(kLocation));
  ASSERT_TRUE(table.ok());
  ASSERT_TRUE((*table)->NewTransaction().AppendFiles({MakeFile("s3://b/a", 1)}).Commit().ok());
  ScriptedCatalog unknown(catalog_.get(), ScriptedCatalog::Mode::kUnknownAfterApply);
  auto flaky = Table::Load(TableServices{&store_, &unknown, &clock_, 5}, id_);
  ASSERT_TRUE(flaky.ok());
  const size_t objects = store_.size();
  auto r = (*flaky)->NewTransaction().AppendFiles({MakeFile("s3://b/b", 1)}).Commit();
  EXPECT_EQ(r.status().kind(), ErrorKind::kCommitStateUnknown);
  // New manifest, manifest list and metadata file all stay, and the commit did land.
  EXPECT_EQ(store_.size(), objects + 3);
  ASSERT_TRUE((*table)->Refresh().ok());
  EXPECT_EQ(LivePaths(&store_, (*table)->metadata()),
            (std::set<std::string>{"s3://b/a", "s3://b/b"}));
  ExpectNoLeftovers(&store_, (*table)->metadata(), (*table)->metadata_location());
}

}  // namespace
}  // namespace floe::testing
