// POST /admin/compact: the admin token, the seed's bodies, a bad body naming the field, unknown
// tables, and 409 while another maintenance run holds the table.

#include "floe/server/admin_compact_route.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "floe/catalog/sql_catalog.h"
#include "floe/catalog/transaction.h"
#include "floe/io/memory_store.h"
#include "support/temp_dir.h"
#include "unit/catalog/table_test_util.h"

namespace floe::server {
namespace {

class AdminCompactRouteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto catalog = SqlCatalog::Open("sqlite:" + dir_.path() + "/catalog.db");
    ASSERT_TRUE(catalog.ok());
    catalog_ = std::move(*catalog);
    ASSERT_TRUE(catalog_->CreateNamespace({"analytics"}, {}).ok());
    services_ = TableServices{&store_, catalog_.get(), &clock_, 1};
    auto table = Table::Create(services_, TableIdentifier{{"analytics"}, "events"},
                               testing::EventsTable("file:///wh/analytics/events"));
    ASSERT_TRUE(table.ok());
    Transaction txn = (*table)->NewTransaction();
    std::vector<iceberg::DataFile> files;
    for (int i = 0; i < 3; ++i) {
      files.push_back(testing::MakeFile(
          "file:///wh/analytics/events/data/f" + std::to_string(i) + ".parquet", 5));
    }
    txn.AppendFiles(files);
    ASSERT_TRUE(txn.Commit().ok());
    MaintenanceRouteContext ctx;
    ctx.services = services_;
    ctx.locks = &locks_;
    ctx.node_id = "test-node";
    ASSERT_TRUE(AddMaintenanceRoutes(&router_, &auth_, ctx).ok());
  }

  HttpResponse Post(const std::string& body, const std::string& token = "secret") {
    HttpRequest request;
    request.method = "POST";
    request.path = "/admin/compact";
    request.target = request.path;
    request.body = body;
    if (!token.empty()) request.headers.push_back({"authorization", "Bearer " + token});
    Router::Match match = router_.Find("POST", request.path);
    EXPECT_EQ(match.status, 200);
    return match.route->handler(request);
  }

  floe::testing::TempDir dir_;
  FakeClock clock_{1'700'000'000'000'000};
  MemoryStore store_{&clock_};
  std::unique_ptr<SqlCatalog> catalog_;
  TableServices services_;
  scheduler::InProcessTableLocks locks_;
  Authenticator auth_{AuthConfig{"secret", {}}};
  Router router_;
};

TEST_F(AdminCompactRouteTest, NeedsTheAdminToken) {
  EXPECT_EQ(Post(R"({"table":"events","force":true})", "").status, 401);
  EXPECT_EQ(Post(R"({"table":"events","force":true})", "wrong").status, 401);
}

TEST_F(AdminCompactRouteTest, SeedBodiesAnswerWithTheReport) {
  for (const char* body : {R"({"table":"events","force":true,"dryRun":true})",
                           R"({"table":"events","force":true,"aggressive":true,"targetFiles":50,
                               "dryRun":true})"}) {
    HttpResponse r = Post(body);
    ASSERT_EQ(r.status, 200) << r.body;
    auto report = nlohmann::json::parse(r.body);
    EXPECT_EQ(report["action"], "compact");
    EXPECT_EQ(report["table"], "analytics.events");
    EXPECT_EQ(report["dry_run"], true);
    EXPECT_EQ(report["plan"]["groups"].size(), 1u) << r.body;
    EXPECT_TRUE(report.contains("groups_skipped"));
    EXPECT_TRUE(report.contains("peak_memory_bytes"));
  }
  // A real run: these inputs are not Parquet files, so they are quarantined and reported.
  HttpResponse r = Post(R"({"table":"events","force":true})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto report = nlohmann::json::parse(r.body);
  EXPECT_EQ(report["quarantined"].size(), 3u) << r.body;
  EXPECT_EQ(report["status"], "failure");
}

TEST_F(AdminCompactRouteTest, BadBodiesNameTheField) {
  HttpResponse r = Post(R"({"table":"events","targetFiles":"many"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("targetFiles"), std::string::npos) << r.body;
  r = Post(R"({"table":"events","olderThan":"someday"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("olderThan"), std::string::npos) << r.body;
  r = Post(R"({"table":"events","profile":"fast"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("profile"), std::string::npos) << r.body;
  r = Post(R"({"table":"events","forse":true})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("forse"), std::string::npos) << r.body;
  EXPECT_EQ(Post(R"({"table":"nope","force":true})").status, 404);
}

TEST_F(AdminCompactRouteTest, SecondRunOnTheTableIsAConflict) {
  ASSERT_TRUE(locks_.TryLock("analytics.events", "other", INT64_MAX).ok());
  HttpResponse r = Post(R"({"table":"events","force":true})");
  EXPECT_EQ(r.status, 409) << r.body;
  locks_.Unlock("analytics.events", "other");
  EXPECT_EQ(Post(R"({"table":"events","force":true,"dryRun":true})").status, 200);
}

}  // namespace
}  // namespace floe::server
