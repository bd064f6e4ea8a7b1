#include "floe/catalog/sql_catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "floe/catalog/postgres_store.h"
#include "floe/catalog/sqlite_store.h"
#include "support/temp_dir.h"

namespace floe {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(TableIdentifierTest, ParsesAndPrints) {
  auto id = TableIdentifier::Parse("org.team.events");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->ns, (Namespace{"org", "team"}));
  EXPECT_EQ(id->name, "events");
  EXPECT_EQ(id->ToString(), "org.team.events");
  EXPECT_EQ(TableIdentifier::Parse("events").status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(TableIdentifier::Parse("a..b").status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(TableIdentifier::Parse("a.").status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(ParseNamespace("").value(), Namespace{});
}

TEST(CatalogUriTest, SqliteSpellings) {
  testing::TempDir dir("floe-uri");
  auto a = SqlCatalog::Open("sqlite:" + dir.path() + "/a.db");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ((*a)->name(), "floe");
  auto b = SqlCatalog::Open("sqlite://" + dir.path() + "/b.db");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/b.db"));
  auto memory = SqlCatalog::Open("sqlite::memory:");
  ASSERT_TRUE(memory.ok()) << memory.status().ToString();
  EXPECT_TRUE((*memory)->CreateNamespace({"x"}, {}).ok());
}

TEST(CatalogUriTest, UnknownSchemesAndBadCatalogNamesAreInvalid) {
  EXPECT_EQ(SqlCatalog::Open("mysql://u:p@h/db").status().kind(), ErrorKind::kInvalidArgument);
  auto st = SqlCatalog::Open("jdbc:postgresql://u:secret@h/db").status();
  EXPECT_EQ(st.kind(), ErrorKind::kInvalidArgument);
  SqlCatalogOptions options;
  options.catalog_name = "";
  EXPECT_EQ(SqlCatalog::Open("sqlite::memory:", options).status().kind(),
            ErrorKind::kInvalidArgument);
}

TEST(CatalogUriTest, PasswordsNeverReachMessages) {
  EXPECT_EQ(RedactConninfo("postgresql://floe:secret@db:5432/cat"),
            "postgresql://floe:***@db:5432/cat");
  EXPECT_EQ(RedactConninfo("host=db password=secret user=x"), "host=db password=*** user=x");
  EXPECT_EQ(RedactConninfo("postgresql://db/cat?password=secret&sslmode=require"),
            "postgresql://db/cat?password=***&sslmode=require");
  EXPECT_EQ(RedactConninfo("postgresql://floe@db/cat"), "postgresql://floe@db/cat");
  // Nothing listens on port 1: connecting fails at once, as kUnavailable, without the password.
  auto st = SqlCatalog::Open("postgresql://floe:secret@127.0.0.1:1/cat?connect_timeout=5").status();
  EXPECT_EQ(st.kind(), ErrorKind::kUnavailable) << st.ToString();
  EXPECT_THAT(st.message(), Not(HasSubstr("secret")));
  EXPECT_THAT(st.message(), HasSubstr("127.0.0.1"));
}

TEST(CatalogUriTest, ConnectTimeoutIsAddedUnlessGiven) {
  EXPECT_EQ(WithConnectTimeout("postgresql://u@h/db", 10),
            "postgresql://u@h/db?connect_timeout=10");
  EXPECT_EQ(WithConnectTimeout("postgresql://u@h/db?sslmode=require", 5),
            "postgresql://u@h/db?sslmode=require&connect_timeout=5");
  EXPECT_EQ(WithConnectTimeout("postgresql://u@h/db?connect_timeout=2", 5),
            "postgresql://u@h/db?connect_timeout=2");
  EXPECT_EQ(WithConnectTimeout("host=h dbname=db", 7), "host=h dbname=db connect_timeout=7");
}

TEST(SqliteCatalogTest, UsesWriteAheadLogging) {
  testing::TempDir dir("floe-wal");
  auto catalog = SqlCatalog::Open("sqlite:" + dir.path() + "/c.db");
  ASSERT_TRUE(catalog.ok());
  auto rows = (*catalog)->store().Query("PRAGMA journal_mode", {});
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0][0], "wal");
}

TEST(SqliteCatalogTest, AddsTheTypeColumnToAJavaV0Table) {
  testing::TempDir dir("floe-v0");
  std::string path = dir.path() + "/c.db";
  {
    auto raw = SqliteCatalogStore::Open(path, {});
    ASSERT_TRUE(raw.ok());
    ASSERT_TRUE((*raw)
                    ->Execute("CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, "
                              "table_namespace VARCHAR(255) NOT NULL, table_name VARCHAR(255) "
                              "NOT NULL, metadata_location VARCHAR(1000), "
                              "previous_metadata_location VARCHAR(1000), PRIMARY KEY "
                              "(catalog_name, table_namespace, table_name))",
                              {})
                    .ok());
    ASSERT_TRUE(
        (*raw)
            ->Execute("INSERT INTO iceberg_tables VALUES ('floe', 'ns', 't', 'm0', NULL)", {})
            .ok());
  }
  auto catalog = SqlCatalog::Open("sqlite:" + path);
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  EXPECT_EQ((*catalog)->LoadTable({{"ns"}, "t"}).value().metadata_location, "m0");
  EXPECT_TRUE((*catalog)->CommitTable({{"ns"}, "t"}, "m0", "m1").ok());
  EXPECT_TRUE((*catalog)->NamespaceExists({"ns"}).value());
}

TEST(SqliteCatalogTest, ABusyDatabaseIsUnavailableNotAConflict) {
  testing::TempDir dir("floe-busy");
  std::string uri = "sqlite:" + dir.path() + "/c.db";
  auto holder = SqlCatalog::Open(uri);
  ASSERT_TRUE(holder.ok());
  ASSERT_TRUE((*holder)->CreateNamespace({"ns"}, {}).ok());
  ASSERT_TRUE((*holder)->CreateTable({{"ns"}, "t"}, "m0").ok());
  SqlCatalogOptions impatient;
  impatient.store.busy_timeout_ms = 50;
  auto waiter = SqlCatalog::Open(uri, impatient);
  ASSERT_TRUE(waiter.ok());

  std::atomic<bool> locked{false}, release{false};
  std::thread lock_holder([&] {
    Status st = (*holder)->store().Transaction([&](SqlSession&) {
      locked = true;
      while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      return Status::OK();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
  });
  while (!locked) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  Status st = (*waiter)->CommitTable({{"ns"}, "t"}, "m0", "m1");
  release = true;
  lock_holder.join();
  EXPECT_EQ(st.kind(), ErrorKind::kUnavailable) << st.ToString();
  EXPECT_TRUE((*waiter)->CommitTable({{"ns"}, "t"}, "m0", "m1").ok());
}

}  // namespace
}  // namespace floe
