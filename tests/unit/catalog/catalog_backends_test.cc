// Runs the catalog conformance suite on SQLite and on a real PostgreSQL server that this test
// program starts itself (tests/support/postgres_server.h) and stops at the end.
#include <mutex>
#include <random>

#include "floe/catalog/postgres_store.h"
#include "support/postgres_server.h"
#include "support/temp_dir.h"
#include "unit/catalog/catalog_conformance.h"

namespace floe::testing {
namespace {

// The server is started on first use, so a run of only SQLite tests never starts one, and
// stopped by the environment's TearDown (which gtest runs even when tests failed).
class PostgresEnvironment : public ::testing::Environment {
 public:
  Result<std::string> Uri() {
    std::lock_guard lock(mu_);
    FLOE_RETURN_IF_ERROR(StartLocked());
    return server_->Uri("floe_catalog_test");
  }
  // A new, empty database on the same server.
  Result<std::string> FreshUri() {
    std::lock_guard lock(mu_);
    FLOE_RETURN_IF_ERROR(StartLocked());
    std::string name = "fresh_" + std::to_string(++fresh_count_);
    FLOE_RETURN_IF_ERROR(server_->CreateDatabase(name));
    return server_->Uri(name);
  }
  void TearDown() override {
    std::lock_guard lock(mu_);
    server_.reset();
  }

 private:
  Status StartLocked() {
    if (!started_) {
      started_ = true;
      auto server = PostgresServer::Start();
      if (!server.ok()) {
        error_ = server.status();
      } else {
        server_ = std::move(server).value();
        error_ = server_->CreateDatabase("floe_catalog_test");
      }
    }
    return error_;
  }

  std::mutex mu_;
  int fresh_count_ = 0;
  bool started_ = false;
  Status error_;
  std::unique_ptr<PostgresServer> server_;
};

PostgresEnvironment* const postgres =
    static_cast<PostgresEnvironment*>(::testing::AddGlobalTestEnvironment(new PostgresEnvironment));

Result<std::string> SqliteUri(std::shared_ptr<void>* keep_alive) {
  auto dir = std::make_shared<TempDir>("floe-sqlite-catalog");
  if (dir->path().empty()) return Status::IOError("cannot make a temp folder");
  *keep_alive = dir;
  return "sqlite:" + dir->path() + "/catalog.db";
}

Result<std::string> PostgresUri(std::shared_ptr<void>*) { return postgres->Uri(); }
Result<std::string> PostgresFreshUri(std::shared_ptr<void>*) { return postgres->FreshUri(); }

INSTANTIATE_TEST_SUITE_P(Backends, CatalogConformanceTest,
                         ::testing::Values(CatalogBackend{"Sqlite", SqliteUri, SqliteUri},
                                           CatalogBackend{"Postgres", PostgresUri,
                                                          PostgresFreshUri}),
                         CatalogBackendName);

}  // namespace
}  // namespace floe::testing

namespace floe::testing {
namespace {

Result<std::string> BackendPid(CatalogStore& store) {
  FLOE_ASSIGN_OR_RETURN(auto rows, store.Query("SELECT pg_backend_pid()", {}));
  if (rows.empty() || !rows[0][0]) return Status::Internal("no backend pid");
  return *rows[0][0];
}

// Returns once the backend has exited (the timeout makes pg_terminate_backend wait), so the next
// statement on that connection is certain to find it gone.
Status KillBackend(const std::string& uri, const std::string& pid) {
  FLOE_ASSIGN_OR_RETURN(auto killer, PostgresCatalogStore::Open(uri, {}));
  FLOE_ASSIGN_OR_RETURN(auto rows, killer->Query("SELECT pg_terminate_backend(?, 10000)", {pid}));
  if (rows.empty() || rows[0][0] != "t") return Status::Internal("backend " + pid + " not killed");
  return Status::OK();
}

TEST(PostgresCatalogTest, ReconnectsAfterTheServerDropsTheConnection) {
  auto uri = postgres->Uri();
  ASSERT_TRUE(uri.ok()) << uri.status().ToString();
  SqlCatalogOptions options;
  options.catalog_name = "reconnect_" + std::to_string(std::random_device{}());
  auto catalog = SqlCatalog::Open(*uri, options);
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  ASSERT_TRUE((*catalog)->CreateNamespace({"ns"}, {}).ok());
  ASSERT_TRUE((*catalog)->CreateTable({{"ns"}, "t"}, "m0").ok());

  // A read on a dropped connection reconnects and succeeds.
  auto pid = BackendPid((*catalog)->store());
  ASSERT_TRUE(pid.ok()) << pid.status().ToString();
  ASSERT_TRUE(KillBackend(*uri, *pid).ok());
  auto loaded = (*catalog)->LoadTable({{"ns"}, "t"});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->metadata_location, "m0");
  auto new_pid = BackendPid((*catalog)->store());
  ASSERT_TRUE(new_pid.ok());
  EXPECT_NE(*new_pid, *pid);

  // A commit on a dropped connection cannot know whether it landed: never report a plain failure.
  ASSERT_TRUE(KillBackend(*uri, *new_pid).ok());
  Status st = (*catalog)->CommitTable({{"ns"}, "t"}, "m0", "m1");
  EXPECT_EQ(st.kind(), ErrorKind::kCommitStateUnknown) << st.ToString();
  EXPECT_EQ((*catalog)->LoadTable({{"ns"}, "t"}).value().metadata_location, "m0");
  EXPECT_TRUE((*catalog)->CommitTable({{"ns"}, "t"}, "m0", "m1").ok());
}

TEST(PostgresCatalogTest, UsesTheJdbcTableLayout) {
  auto uri = postgres->Uri();
  ASSERT_TRUE(uri.ok()) << uri.status().ToString();
  auto catalog = SqlCatalog::Open(*uri);
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  auto columns = (*catalog)->store().Query(
      "SELECT table_name, column_name, data_type, character_maximum_length, is_nullable FROM "
      "information_schema.columns WHERE table_name IN ('iceberg_tables', "
      "'iceberg_namespace_properties') ORDER BY table_name, ordinal_position",
      {});
  ASSERT_TRUE(columns.ok()) << columns.status().ToString();
  std::vector<std::string> described;
  for (const auto& row : *columns) {
    described.push_back(*row[0] + "." + *row[1] + " " + *row[2] + "(" + row[3].value_or("") + ") " +
                        *row[4]);
  }
  EXPECT_EQ(described,
            (std::vector<std::string>{
                "iceberg_namespace_properties.catalog_name character varying(255) NO",
                "iceberg_namespace_properties.namespace character varying(255) NO",
                "iceberg_namespace_properties.property_key character varying(255) NO",
                "iceberg_namespace_properties.property_value character varying(1000) YES",
                "iceberg_tables.catalog_name character varying(255) NO",
                "iceberg_tables.table_namespace character varying(255) NO",
                "iceberg_tables.table_name character varying(255) NO",
                "iceberg_tables.metadata_location character varying(1000) YES",
                "iceberg_tables.previous_metadata_location character varying(1000) YES",
                "iceberg_tables.iceberg_type character varying(5) YES",
            }));
}

}  // namespace
}  // namespace floe::testing
