// Writers racing on one table, on SQLite and on a real PostgreSQL server the test starts: threads
// of this process and separate processes (floe_test_append_worker) append through Table and
// Transaction into one warehouse folder at once, while compactions replace files. Every append
// lands exactly once, the lineage stays one chain, and a replace either commits on top of the
// appends or, when a file it removes went away, fails with kConflict and leaves no files.
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "floe/catalog/sql_catalog.h"
#include "floe/io/local_store.h"
#include "support/postgres_server.h"
#include "support/temp_dir.h"
#include "unit/catalog/table_test_util.h"

extern char** environ;

namespace floe::testing {
namespace {

constexpr int kWriters = 2;      // threads, and as many processes
constexpr int kAppendsEach = 4;  // commits per writer

// Fast retries, enough of them for a dozen writers on a 2-core machine.
std::map<std::string, std::string> RacingProperties() {
  return {{"commit.retry.num-retries", "500"},
          {"commit.retry.min-wait-ms", "1"},
          {"commit.retry.max-wait-ms", "20"}};
}

enum class Backend { kSqlite, kPostgres };

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

// Worker processes started with posix_spawn, waited for by Wait().
class Workers {
 public:
  Status Spawn(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(FLOE_APPEND_WORKER));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = 0;
    int rc = ::posix_spawn(&pid, FLOE_APPEND_WORKER, nullptr, nullptr, argv.data(), environ);
    if (rc != 0) return Status::IOError("posix_spawn " + std::string(FLOE_APPEND_WORKER));
    pids_.push_back(pid);
    return Status::OK();
  }
  // Exit codes, in spawn order.
  std::vector<int> Wait() {
    std::vector<int> codes;
    for (pid_t pid : pids_) {
      int status = 0;
      if (::waitpid(pid, &status, 0) != pid) status = -1;
      codes.push_back(WIFEXITED(status) ? WEXITSTATUS(status) : 128);
    }
    pids_.clear();
    return codes;
  }
  ~Workers() { Wait(); }

 private:
  std::vector<pid_t> pids_;
};

class ConcurrentAppendTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    if (GetParam() == Backend::kSqlite) {
      uri_ = "sqlite:" + dir_.path() + "/catalog.db";
    } else {
      auto server = PostgresServer::Start();
      if (!server.ok()) GTEST_SKIP() << "no PostgreSQL server: " << server.status().ToString();
      server_ = std::move(server).value();
      ASSERT_TRUE(server_->CreateDatabase("races").ok());
      uri_ = server_->Uri("races");
    }
    auto store = LocalStore::Make(dir_.path());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    auto catalog = SqlCatalog::Open(uri_);
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    catalog_ = std::move(catalog).value();
    ASSERT_TRUE(catalog_->CreateNamespace({"ns"}, {}).ok());
    auto table = Table::Create(TableServices{store_.get(), catalog_.get(), &clock_, 1}, id_,
                               EventsTable(location_, RacingProperties()));
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    table_ = std::move(table).value();
  }

  std::string DataPath(const std::string& name) const { return location_ + "/data/" + name; }

  // Starts `writers` worker processes, each waiting for the start file.
  void SpawnWorkers(Workers* workers, const std::string& start_file, int writers) {
    for (int p = 0; p < writers; ++p) {
      ASSERT_TRUE(workers
                      ->Spawn({"--catalog", uri_, "--warehouse", dir_.path(), "--table",
                               id_.ToString(), "--writer", "p" + std::to_string(p), "--appends",
                               std::to_string(kAppendsEach), "--start-file", start_file})
                      .ok());
    }
  }

  // `writers` threads, each with its own catalog connection and Table, appending kAppendsEach
  // files named t<writer>-<i>.parquet (as the workers name theirs p<writer>-<i>.parquet).
  void RunThreads(std::atomic<int>* failures, int writers) {
    std::vector<std::thread> threads;
    for (int t = 0; t < writers; ++t) {
      threads.emplace_back([this, t, failures] {
        auto catalog = SqlCatalog::Open(uri_);
        if (!catalog.ok()) {
          ++*failures;
          return;
        }
        auto table =
            Table::Load(TableServices{store_.get(), catalog->get(), &clock_, 100u + t}, id_);
        if (!table.ok()) {
          ++*failures;
          return;
        }
        for (int i = 0; i < kAppendsEach; ++i) {
          std::string name = "t" + std::to_string(t) + "-" + std::to_string(i) + ".parquet";
          auto r = (*table)->NewTransaction().AppendFiles({MakeFile(DataPath(name), 1)}).Commit();
          if (!r.ok()) ++*failures;
        }
      });
    }
    for (auto& t : threads) t.join();
  }

  // `writers` threads and as many processes each appended kAppendsEach files: each is live.
  void ExpectEveryAppendLive(const std::set<std::string>& live, int writers) {
    for (const char* prefix : {"t", "p"}) {
      for (int w = 0; w < writers; ++w) {
        for (int i = 0; i < kAppendsEach; ++i) {
          std::string name = prefix + std::to_string(w) + "-" + std::to_string(i) + ".parquet";
          EXPECT_EQ(live.count(DataPath(name)), 1u) << name;
        }
      }
    }
  }

  TempDir dir_{"floe-concurrent-append"};
  std::unique_ptr<PostgresServer> server_;
  std::string uri_;
  SystemClock clock_;
  std::unique_ptr<LocalStore> store_;
  std::unique_ptr<SqlCatalog> catalog_;
  TableIdentifier id_{{"ns"}, "events"};
  std::string location_ = "file://" + dir_.path() + "/ns/events";
  std::unique_ptr<Table> table_;
};

void Touch(const std::string& path) { std::ofstream(path) << "go\n"; }

TEST_P(ConcurrentAppendTest, ThreadsAndProcessesEachLandOnce) {
  Workers workers;
  const std::string start = dir_.path() + "/start";
  SpawnWorkers(&workers, start, kWriters);
  Touch(start);
  std::atomic<int> failures{0};
  RunThreads(&failures, kWriters);
  EXPECT_EQ(failures.load(), 0);
  for (int code : workers.Wait()) EXPECT_EQ(code, 0);

  ASSERT_TRUE(table_->Refresh().ok());
  const iceberg::TableMetadata& m = table_->metadata();
  const size_t commits = 2 * kWriters * kAppendsEach;
  EXPECT_EQ(CheckLinearLineage(m), commits);
  // One file per snapshot, none twice: the added files of the chain are the appended ones.
  for (const iceberg::Snapshot& s : m.snapshots) {
    EXPECT_EQ(SummaryValue(s, "added-data-files"), "1") << s.snapshot_id;
  }
  const std::set<std::string> live = LivePaths(store_.get(), m);
  EXPECT_EQ(live.size(), commits);
  ExpectEveryAppendLive(live, kWriters);
  EXPECT_EQ(SummaryValue(*m.CurrentSnapshot(), "total-data-files"), std::to_string(commits));
  ExpectNoLeftovers(store_.get(), m, table_->metadata_location());
}

// Two compactions start from the same snapshot and remove an overlapping set of files while a
// thread and a process append: the first to commit wins, the other finds a removed file no
// longer live and fails with kConflict; a third over other files commits on top of everything.
TEST_P(ConcurrentAppendTest, ReplacesRacingAppendsCommitOrAbortCleanly) {
  std::vector<iceberg::DataFile> small;
  for (const char* name : {"a.parquet", "b.parquet", "c.parquet", "d.parquet"}) {
    small.push_back(MakeFile(DataPath(name), 1));
  }
  ASSERT_TRUE(table_->NewTransaction().AppendFiles(small).Commit().ok());

  struct Compaction {
    std::vector<std::string> removed;
    std::string added;
    std::unique_ptr<Table> table;
    Result<CommitResult> result = Status::Internal("not run");
  };
  Compaction compactions[3];
  compactions[0].removed = {DataPath("a.parquet"), DataPath("b.parquet")};
  compactions[0].added = "ab.parquet";
  compactions[1].removed = {DataPath("b.parquet"), DataPath("c.parquet")};
  compactions[1].added = "bc.parquet";
  compactions[2].removed = {DataPath("d.parquet")};
  compactions[2].added = "d2.parquet";
  std::vector<Transaction> transactions;
  for (size_t c = 0; c < 3; ++c) {
    auto table = Table::Load(TableServices{store_.get(), catalog_.get(), &clock_, 50u + c}, id_);
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    compactions[c].table = std::move(table).value();
    transactions.push_back(compactions[c].table->NewTransaction());
    transactions.back().ReplaceFiles(compactions[c].removed,
                                     {MakeFile(DataPath(compactions[c].added), 2)});
  }

  Workers workers;
  const std::string start = dir_.path() + "/start";
  SpawnWorkers(&workers, start, 1);
  Touch(start);
  std::atomic<int> failures{0};
  std::thread appenders([&] { RunThreads(&failures, 1); });
  std::vector<std::thread> compactors;
  for (size_t c = 0; c < 3; ++c) {
    compactors.emplace_back([&, c] { compactions[c].result = transactions[c].Commit(); });
  }
  for (auto& t : compactors) t.join();
  appenders.join();
  EXPECT_EQ(failures.load(), 0);
  for (int code : workers.Wait()) EXPECT_EQ(code, 0);

  const bool ab_won = compactions[0].result.ok();
  const Compaction& winner = compactions[ab_won ? 0 : 1];
  const Compaction& loser = compactions[ab_won ? 1 : 0];
  ASSERT_TRUE(winner.result.ok()) << winner.result.status().ToString();
  ASSERT_FALSE(loser.result.ok());
  EXPECT_EQ(loser.result.status().kind(), ErrorKind::kConflict);
  EXPECT_NE(loser.result.status().message().find("b.parquet"), std::string::npos)
      << loser.result.status().message();
  ASSERT_TRUE(compactions[2].result.ok()) << compactions[2].result.status().ToString();

  ASSERT_TRUE(table_->Refresh().ok());
  const iceberg::TableMetadata& m = table_->metadata();
  // The first append, every racing append, the winning compaction and the third one.
  EXPECT_EQ(CheckLinearLineage(m), 1u + 2 * kAppendsEach + 2);
  const std::set<std::string> live = LivePaths(store_.get(), m);
  ExpectEveryAppendLive(live, 1);
  EXPECT_EQ(live.count(DataPath(winner.added)), 1u);
  EXPECT_EQ(live.count(DataPath(loser.added)), 0u);
  EXPECT_EQ(live.count(DataPath("b.parquet")), 0u);
  // The file only the loser would have removed stays.
  const std::string untouched = ab_won ? "c.parquet" : "a.parquet";
  EXPECT_EQ(live.count(DataPath(untouched)), 1u);
  EXPECT_EQ(live.count(DataPath("d2.parquet")), 1u);
  EXPECT_EQ(live.count(DataPath("d.parquet")), 0u);
  EXPECT_EQ(live.size(), 2u * kAppendsEach + 3);
  EXPECT_EQ(SummaryValue(*m.CurrentSnapshot(), "total-data-files"), std::to_string(live.size()));
  ExpectNoLeftovers(store_.get(), m, table_->metadata_location());
}

INSTANTIATE_TEST_SUITE_P(Backends, ConcurrentAppendTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace floe::testing
