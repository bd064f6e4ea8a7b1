#include "unit/catalog/catalog_conformance.h"

#include <gmock/gmock.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "support/temp_dir.h"

namespace floe::testing {

void CatalogConformanceTest::SetUp() {
  auto uri = GetParam().make_uri(&keep_alive_);
  ASSERT_TRUE(uri.ok()) << uri.status().ToString();
  uri_ = *uri;
  // One catalog name per test keeps tests apart in a shared database.
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  // The random suffix keeps repeated runs (--gtest_repeat) on one server apart too.
  catalog_name_ = std::string("t_") + info->name() + "_" + std::to_string(std::random_device{}());
  catalog_ = OpenAnother();
  ASSERT_NE(catalog_, nullptr);
}

std::unique_ptr<SqlCatalog> CatalogConformanceTest::OpenAnother(
    const std::string& catalog_name) const {
  SqlCatalogOptions options;
  options.catalog_name = catalog_name.empty() ? catalog_name_ : catalog_name;
  auto catalog = SqlCatalog::Open(uri_, options);
  if (!catalog.ok()) {
    ADD_FAILURE() << catalog.status().ToString();
    return nullptr;
  }
  return std::move(catalog).value();
}

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

const TableIdentifier kTable{{"analytics"}, "events"};

#define EXPECT_OK(expr)                               \
  do {                                                \
    auto&& _st = (expr);                              \
    EXPECT_TRUE(_st.ok()) << _st.status().ToString(); \
  } while (false)
#define ASSERT_STATUS_OK(expr)               \
  do {                                       \
    ::floe::Status _st = (expr);             \
    ASSERT_TRUE(_st.ok()) << _st.ToString(); \
  } while (false)

TEST_P(CatalogConformanceTest, NamespaceLifecycle) {
  Namespace ns{"analytics"};
  EXPECT_FALSE(catalog_->NamespaceExists(ns).value());
  ASSERT_STATUS_OK(catalog_->CreateNamespace(ns, {{"owner", "data"}, {"team", "x"}}));
  EXPECT_TRUE(catalog_->NamespaceExists(ns).value());
  Status again = catalog_->CreateNamespace(ns, {});
  EXPECT_EQ(again.kind(), ErrorKind::kAlreadyExists);
  EXPECT_THAT(again.message(), HasSubstr("analytics"));
  EXPECT_EQ(catalog_->LoadNamespaceProperties(ns).value(),
            (NamespaceProperties{{"owner", "data"}, {"team", "x"}}));
  ASSERT_STATUS_OK(catalog_->UpdateNamespaceProperties(ns, {{"owner", "ops"}, {"new", "1"}},
                                                       {"team", "absent"}));
  EXPECT_EQ(catalog_->LoadNamespaceProperties(ns).value(),
            (NamespaceProperties{{"owner", "ops"}, {"new", "1"}}));
  ASSERT_STATUS_OK(catalog_->DropNamespace(ns));
  EXPECT_FALSE(catalog_->NamespaceExists(ns).value());
  EXPECT_EQ(catalog_->DropNamespace(ns).kind(), ErrorKind::kNotFound);
  EXPECT_EQ(catalog_->LoadNamespaceProperties(ns).status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(catalog_->UpdateNamespaceProperties(ns, {{"a", "b"}}, {}).kind(), ErrorKind::kNotFound);
}

TEST_P(CatalogConformanceTest, NamespaceWithoutPropertiesKeepsExisting) {
  Namespace ns{"bare"};
  ASSERT_STATUS_OK(catalog_->CreateNamespace(ns, {}));
  EXPECT_TRUE(catalog_->NamespaceExists(ns).value());
  EXPECT_TRUE(catalog_->LoadNamespaceProperties(ns).value().empty());  // "exists" is hidden
  ASSERT_STATUS_OK(catalog_->UpdateNamespaceProperties(ns, {{"k", "v"}}, {}));
  ASSERT_STATUS_OK(catalog_->UpdateNamespaceProperties(ns, {}, {"k", "exists"}));
  EXPECT_TRUE(catalog_->NamespaceExists(ns).value());
  EXPECT_TRUE(catalog_->LoadNamespaceProperties(ns).value().empty());
  EXPECT_EQ(catalog_->UpdateNamespaceProperties(ns, {{"k", "v"}}, {"k"}).kind(),
            ErrorKind::kInvalidArgument);
}

TEST_P(CatalogConformanceTest, ListNamespacesByParent) {
  for (const char* text : {"a", "a.b", "a.c", "a.b.d", "x"}) {
    ASSERT_STATUS_OK(catalog_->CreateNamespace(ParseNamespace(text).value(), {}));
  }
  // A parent implied only by a child namespace is listed too (as Java and PyIceberg do).
  ASSERT_STATUS_OK(catalog_->CreateNamespace({"y", "z"}, {}));
  EXPECT_THAT(catalog_->ListNamespaces({}).value(),
              ElementsAre(Namespace{"a"}, Namespace{"x"}, Namespace{"y"}));
  EXPECT_THAT(catalog_->ListNamespaces({"a"}).value(),
              ElementsAre(Namespace{"a", "b"}, Namespace{"a", "c"}));
  EXPECT_THAT(catalog_->ListNamespaces({"a", "b"}).value(), ElementsAre(Namespace{"a", "b", "d"}));
  EXPECT_TRUE(catalog_->ListNamespaces({"x"}).value().empty());
  EXPECT_TRUE(catalog_->NamespaceExists({"y"}).value());
  EXPECT_EQ(catalog_->ListNamespaces({"nope"}).status().kind(), ErrorKind::kNotFound);
}

TEST_P(CatalogConformanceTest, NonAsciiNamespacesNestToo) {
  ASSERT_STATUS_OK(catalog_->CreateNamespace({"données"}, {}));
  ASSERT_STATUS_OK(catalog_->CreateNamespace({"données", "équipe"}, {}));
  EXPECT_THAT(catalog_->ListNamespaces({"données"}).value(),
              ElementsAre(Namespace{"données", "équipe"}));
  EXPECT_EQ(catalog_->DropNamespace({"données"}).kind(), ErrorKind::kConflict);
  ASSERT_STATUS_OK(catalog_->CreateTable({{"données", "équipe"}, "événements"}, "m0"));
  EXPECT_EQ(catalog_->LoadTable({{"données", "équipe"}, "événements"}).value().metadata_location,
            "m0");
}

TEST_P(CatalogConformanceTest, DropNonEmptyNamespaceIsAConflict) {
  ASSERT_STATUS_OK(catalog_->CreateNamespace({"p"}, {}));
  ASSERT_STATUS_OK(catalog_->CreateNamespace({"p", "child"}, {}));
  Status st = catalog_->DropNamespace({"p"});
  EXPECT_EQ(st.kind(), ErrorKind::kConflict);
  EXPECT_THAT(st.message(), HasSubstr("not empty"));
  ASSERT_STATUS_OK(catalog_->CreateTable({{"p", "child"}, "t"}, "file:///m/1.json"));
  EXPECT_EQ(catalog_->DropNamespace({"p", "child"}).kind(), ErrorKind::kConflict);
  ASSERT_STATUS_OK(catalog_->DropTable({{"p", "child"}, "t"}));
  ASSERT_STATUS_OK(catalog_->DropNamespace({"p", "child"}));
  ASSERT_STATUS_OK(catalog_->DropNamespace({"p"}));
}

TEST_P(CatalogConformanceTest, MalformedNamesAreInvalid) {
  EXPECT_EQ(catalog_->CreateNamespace({"a.b"}, {}).kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(catalog_->CreateNamespace({""}, {}).kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(catalog_->CreateNamespace({}, {}).kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(catalog_->CreateNamespace({std::string(300, 'n')}, {}).kind(),
            ErrorKind::kInvalidArgument);
  ASSERT_STATUS_OK(catalog_->CreateNamespace({"ok"}, {}));
  EXPECT_EQ(catalog_->CreateTable({{"ok"}, ""}, "file:///m").kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(catalog_->CreateTable({{"ok"}, "t"}, "").kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(catalog_->CreateTable({{"ok"}, "t"}, std::string(1001, 'm')).kind(),
            ErrorKind::kInvalidArgument);
}

TEST_P(CatalogConformanceTest, TableLifecycle) {
  EXPECT_EQ(catalog_->CreateTable(kTable, "file:///w/m/0.json").kind(), ErrorKind::kNotFound);
  ASSERT_STATUS_OK(catalog_->CreateNamespace(kTable.ns, {}));
  EXPECT_FALSE(catalog_->TableExists(kTable).value());
  ASSERT_STATUS_OK(catalog_->CreateTable(kTable, "file:///w/m/0.json"));
  EXPECT_TRUE(catalog_->TableExists(kTable).value());
  auto pointer = catalog_->LoadTable(kTable);
  ASSERT_TRUE(pointer.ok()) << pointer.status().ToString();
  EXPECT_EQ(pointer->metadata_location, "file:///w/m/0.json");
  EXPECT_FALSE(pointer->previous_metadata_location.has_value());
  Status dup = catalog_->CreateTable(kTable, "file:///w/m/other.json");
  EXPECT_EQ(dup.kind(), ErrorKind::kAlreadyExists);
  EXPECT_THAT(dup.message(), HasSubstr("analytics.events"));
  EXPECT_EQ(catalog_->LoadTable(kTable).value().metadata_location, "file:///w/m/0.json");
  ASSERT_STATUS_OK(catalog_->CreateTable({kTable.ns, "another"}, "file:///w/a/0.json"));
  EXPECT_THAT(catalog_->ListTables(kTable.ns).value(),
              ElementsAre(TableIdentifier{kTable.ns, "another"}, kTable));
  EXPECT_EQ(catalog_->ListTables({"missing"}).status().kind(), ErrorKind::kNotFound);
  ASSERT_STATUS_OK(catalog_->DropTable(kTable));
  EXPECT_FALSE(catalog_->TableExists(kTable).value());
  EXPECT_EQ(catalog_->LoadTable(kTable).status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(catalog_->DropTable(kTable).kind(), ErrorKind::kNotFound);
}

TEST_P(CatalogConformanceTest, RegisterTableAddsAnExistingTable) {
  ASSERT_STATUS_OK(catalog_->CreateNamespace({"reg"}, {}));
  ASSERT_STATUS_OK(catalog_->RegisterTable({{"reg"}, "t"}, "s3://b/t/metadata/00007-x.json"));
  EXPECT_EQ(catalog_->LoadTable({{"reg"}, "t"}).value().metadata_location,
            "s3://b/t/metadata/00007-x.json");
  EXPECT_EQ(catalog_->RegisterTable({{"reg"}, "t"}, "s3://b/other.json").kind(),
            ErrorKind::kAlreadyExists);
}

TEST_P(CatalogConformanceTest, CommitIsACompareAndSwap) {
  ASSERT_STATUS_OK(catalog_->CreateNamespace(kTable.ns, {}));
  ASSERT_STATUS_OK(catalog_->CreateTable(kTable, "m0"));
  ASSERT_STATUS_OK(catalog_->CommitTable(kTable, "m0", "m1"));
  auto pointer = catalog_->LoadTable(kTable).value();
  EXPECT_EQ(pointer.metadata_location, "m1");
  EXPECT_EQ(pointer.previous_metadata_location, "m0");

  Status stale = catalog_->CommitTable(kTable, "m0", "m2");
  EXPECT_EQ(stale.kind(), ErrorKind::kConflict);
  EXPECT_THAT(stale.message(), HasSubstr("m1"));
  EXPECT_EQ(catalog_->LoadTable(kTable).value().metadata_location, "m1");

  EXPECT_EQ(catalog_->CommitTable({kTable.ns, "nope"}, "m0", "m1").kind(), ErrorKind::kNotFound);
  EXPECT_EQ(catalog_->CommitTable(kTable, "m1", "").kind(), ErrorKind::kInvalidArgument);
}

TEST_P(CatalogConformanceTest, RenameMovesThePointer) {
  ASSERT_STATUS_OK(catalog_->CreateNamespace({"src"}, {}));
  ASSERT_STATUS_OK(catalog_->CreateNamespace({"dst"}, {}));
  ASSERT_STATUS_OK(catalog_->CreateTable({{"src"}, "t"}, "m0"));
  ASSERT_STATUS_OK(catalog_->CreateTable({{"dst"}, "taken"}, "mx"));
  EXPECT_EQ(catalog_->RenameTable({{"src"}, "t"}, {{"dst"}, "taken"}).kind(),
            ErrorKind::kAlreadyExists);
  EXPECT_EQ(catalog_->RenameTable({{"src"}, "t"}, {{"nowhere"}, "t"}).kind(), ErrorKind::kNotFound);
  EXPECT_EQ(catalog_->RenameTable({{"src"}, "none"}, {{"dst"}, "t2"}).kind(), ErrorKind::kNotFound);
  ASSERT_STATUS_OK(catalog_->RenameTable({{"src"}, "t"}, {{"dst"}, "t"}));
  EXPECT_FALSE(catalog_->TableExists({{"src"}, "t"}).value());
  EXPECT_EQ(catalog_->LoadTable({{"dst"}, "t"}).value().metadata_location, "m0");
  EXPECT_EQ(catalog_->LoadTable({{"dst"}, "taken"}).value().metadata_location, "mx");
}

TEST_P(CatalogConformanceTest, CatalogNamesPartitionOneDatabase) {
  auto other = OpenAnother(catalog_name_ + "_other");
  ASSERT_NE(other, nullptr);
  ASSERT_STATUS_OK(catalog_->CreateNamespace(kTable.ns, {{"k", "mine"}}));
  ASSERT_STATUS_OK(catalog_->CreateTable(kTable, "mine"));
  EXPECT_FALSE(other->NamespaceExists(kTable.ns).value());
  EXPECT_FALSE(other->TableExists(kTable).value());
  ASSERT_STATUS_OK(other->CreateNamespace(kTable.ns, {{"k", "theirs"}}));
  ASSERT_STATUS_OK(other->CreateTable(kTable, "theirs"));
  EXPECT_EQ(catalog_->LoadTable(kTable).value().metadata_location, "mine");
  EXPECT_EQ(other->LoadNamespaceProperties(kTable.ns).value().at("k"), "theirs");
  EXPECT_EQ(catalog_->CommitTable(kTable, "theirs", "x").kind(), ErrorKind::kConflict);
}

TEST_P(CatalogConformanceTest, StateSurvivesReopening) {
  ASSERT_STATUS_OK(catalog_->CreateNamespace(kTable.ns, {}));
  ASSERT_STATUS_OK(catalog_->CreateTable(kTable, "m0"));
  ASSERT_STATUS_OK(catalog_->CommitTable(kTable, "m0", "m1"));
  catalog_.reset();
  auto reopened = OpenAnother();
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->LoadTable(kTable).value().metadata_location, "m1");
}

// Rows as Java's JdbcCatalog (schema V0: no type) and PyIceberg write them, and a view.
TEST_P(CatalogConformanceTest, ReadsRowsWrittenByOtherIcebergCatalogs) {
  CatalogStore& store = catalog_->store();
  EXPECT_OK(store.Execute(
      "INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, "
      "property_value) VALUES (?, 'jdbc', 'exists', 'true')",
      {catalog_name_}));
  EXPECT_OK(store.Execute(
      "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, "
      "previous_metadata_location) VALUES (?, 'jdbc', 'legacy', 'j0', NULL)",
      {catalog_name_}));
  EXPECT_OK(store.Execute(
      "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, "
      "previous_metadata_location, iceberg_type) VALUES (?, 'jdbc', 'a_view', 'v0', NULL, 'VIEW')",
      {catalog_name_}));
  EXPECT_THAT(catalog_->ListTables({"jdbc"}).value(),
              ElementsAre(TableIdentifier{{"jdbc"}, "legacy"}));
  EXPECT_FALSE(catalog_->TableExists({{"jdbc"}, "a_view"}).value());
  EXPECT_EQ(catalog_->CommitTable({{"jdbc"}, "a_view"}, "v0", "v1").kind(), ErrorKind::kNotFound);
  ASSERT_STATUS_OK(catalog_->CommitTable({{"jdbc"}, "legacy"}, "j0", "j1"));
  EXPECT_EQ(catalog_->CreateTable({{"jdbc"}, "a_view"}, "x").kind(), ErrorKind::kAlreadyExists);
  EXPECT_TRUE(catalog_->LoadNamespaceProperties({"jdbc"}).value().empty());

  // And what floe writes is what the JDBC layout holds, column for column.
  ASSERT_STATUS_OK(catalog_->CreateTable({{"jdbc"}, "ours"}, "o0"));
  ASSERT_STATUS_OK(catalog_->CommitTable({{"jdbc"}, "ours"}, "o0", "o1"));
  auto rows = store.Query(
      "SELECT catalog_name, table_namespace, table_name, metadata_location, "
      "previous_metadata_location, iceberg_type FROM iceberg_tables WHERE catalog_name = ? AND "
      "table_name = 'ours'",
      {catalog_name_});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0], (SqlRow{catalog_name_, "jdbc", "ours", "o1", "o0", "TABLE"}));
}

TEST_P(CatalogConformanceTest, ConcurrentCreateTableHasOneWinner) {
  ASSERT_STATUS_OK(catalog_->CreateNamespace(kTable.ns, {}));
  constexpr int kThreads = 6;
  std::atomic<int> created{0}, exists{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto mine = OpenAnother();
      if (!mine) return;
      Status st = mine->CreateTable(kTable, "m-" + std::to_string(t));
      if (st.ok()) {
        ++created;
      } else if (st.kind() == ErrorKind::kAlreadyExists) {
        ++exists;
      } else {
        ++other;
        ADD_FAILURE() << st.ToString();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(exists.load(), kThreads - 1);
}

// Commits made by one worker: (expected, new) pairs that succeeded.
using CommitLog = std::vector<std::pair<std::string, std::string>>;

// Commits `count` times on the table, reloading and retrying on kConflict.
Status CommitMany(Catalog& catalog, const std::string& worker, int count, CommitLog* log) {
  int conflicts = 0;
  for (int i = 0; i < count;) {
    FLOE_ASSIGN_OR_RETURN(TablePointer current, catalog.LoadTable(kTable));
    std::string next = worker + "-" + std::to_string(i);
    Status st = catalog.CommitTable(kTable, current.metadata_location, next);
    if (st.ok()) {
      log->emplace_back(current.metadata_location, next);
      ++i;
    } else if (st.kind() == ErrorKind::kConflict || st.kind() == ErrorKind::kUnavailable) {
      if (++conflicts > 100000) return Status::Internal(worker + ": livelock");
    } else {
      return st;
    }
  }
  return Status::OK();
}

// Every successful commit must appear once, each built on a distinct predecessor, forming one
// linear chain from the first pointer to the current one: no commit lost or forked.
void ExpectLinearChain(Catalog& catalog, const CommitLog& all, size_t expected_commits) {
  ASSERT_EQ(all.size(), expected_commits);
  std::map<std::string, std::string> next_of;
  std::set<std::string> news;
  for (const auto& [prev, next] : all) {
    EXPECT_TRUE(next_of.emplace(prev, next).second) << "two commits on top of " << prev;
    EXPECT_TRUE(news.insert(next).second) << "duplicate commit " << next;
  }
  std::string at = "m0";
  size_t steps = 0;
  while (next_of.count(at)) {
    at = next_of[at];
    ++steps;
  }
  EXPECT_EQ(steps, expected_commits);
  auto pointer = catalog.LoadTable(kTable);
  ASSERT_TRUE(pointer.ok());
  EXPECT_EQ(pointer->metadata_location, at);
}

TEST_P(CatalogConformanceTest, ConcurrentCommitsFromThreadsFormOneChain) {
  ASSERT_STATUS_OK(catalog_->CreateNamespace(kTable.ns, {}));
  ASSERT_STATUS_OK(catalog_->CreateTable(kTable, "m0"));
  constexpr int kThreads = 4;
  constexpr int kCommitsEach = 25;
  std::vector<CommitLog> logs(kThreads);
  std::vector<Status> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Half the threads share the fixture's catalog object, half have their own connection.
      std::unique_ptr<SqlCatalog> own = t % 2 ? OpenAnother() : nullptr;
      Catalog& catalog = own ? *own : *catalog_;
      results[t] = CommitMany(catalog, "thread" + std::to_string(t), kCommitsEach, &logs[t]);
    });
  }
  for (auto& t : threads) t.join();
  CommitLog all;
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_TRUE(results[t].ok()) << results[t].ToString();
    all.insert(all.end(), logs[t].begin(), logs[t].end());
  }
  ExpectLinearChain(*catalog_, all, kThreads * kCommitsEach);
}

TEST_P(CatalogConformanceTest, ConcurrentCommitsFromProcessesFormOneChain) {
  ASSERT_STATUS_OK(catalog_->CreateNamespace(kTable.ns, {}));
  ASSERT_STATUS_OK(catalog_->CreateTable(kTable, "m0"));
  constexpr int kProcesses = 4;
  constexpr int kCommitsEach = 25;
  TempDir dir("floe-catalog-procs");
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // The child opens its own connection and reports through a file; _exit skips the parent's
      // destructors (which would stop the shared test server).
      SqlCatalogOptions options;
      options.catalog_name = catalog_name_;
      auto mine = SqlCatalog::Open(uri_, options);
      CommitLog log;
      Status st = mine.ok() ? CommitMany(**mine, "proc" + std::to_string(p), kCommitsEach, &log)
                            : mine.status();
      std::ofstream out(dir.path() + "/child" + std::to_string(p));
      for (const auto& [prev, next] : log) out << prev << '\t' << next << '\n';
      if (!st.ok()) out << "ERROR\t" << st.ToString() << '\n';
      out.close();
      ::_exit(st.ok() ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  }
  CommitLog all;
  for (int p = 0; p < kProcesses; ++p) {
    std::ifstream in(dir.path() + "/child" + std::to_string(p));
    std::string line;
    while (std::getline(in, line)) {
      size_t tab = line.find('\t');
      ASSERT_NE(tab, std::string::npos);
      ASSERT_NE(line.substr(0, tab), "ERROR") << line;
      all.emplace_back(line.substr(0, tab), line.substr(tab + 1));
    }
  }
  ExpectLinearChain(*catalog_, all, kProcesses * kCommitsEach);
}

TEST_P(CatalogConformanceTest, ProcessesOpeningAFreshDatabaseAtOnceAllSucceed) {
  std::shared_ptr<void> keep_alive;
  auto fresh = GetParam().make_fresh_uri(&keep_alive);
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  constexpr int kProcesses = 6;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // Every process creates the tables if missing and then writes; they race on the DDL.
      auto catalog = SqlCatalog::Open(*fresh);
      Status st = catalog.ok() ? (*catalog)->CreateNamespace({"p" + std::to_string(p)}, {})
                               : catalog.status();
      if (!st.ok()) std::fprintf(stderr, "child %d: %s\n", p, st.ToString().c_str());
      ::_exit(st.ok() ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  }
  auto catalog = SqlCatalog::Open(*fresh);
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  EXPECT_EQ((*catalog)->ListNamespaces({}).value().size(), static_cast<size_t>(kProcesses));
}

}  // namespace
}  // namespace floe::testing
