// The admin maintenance routes: auth, body validation naming the field, unknown tables, the
// per-table single flight (409), and the report of each action.

#include "floe/server/admin_maintenance_routes.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "floe/catalog/sql_catalog.h"
#include "floe/catalog/transaction.h"
#include "floe/io/memory_store.h"
#include "floe/server/admin_request.h"
#include "floe/server/admin_status_route.h"
#include "support/temp_dir.h"
#include "unit/catalog/table_test_util.h"

namespace floe::server {
namespace {

class AdminMaintenanceRoutesTest : public ::testing::Test {
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
    for (int i = 0; i < 3; ++i) {
      Transaction txn = (*table)->NewTransaction();
      txn.AppendFiles({testing::MakeFile(
          "file:///wh/analytics/events/data/f" + std::to_string(i) + ".parquet", 5)});
      ASSERT_TRUE(txn.Commit().ok());
      clock_.AdvanceMicros(86'400'000'000LL);
    }
    MaintenanceRouteContext ctx;
    ctx.services = services_;
    ctx.locks = &locks_;
    ctx.node_id = "test-node";
    ctx.on_report = [this](const nlohmann::json& r) { reports_.push_back(r); };
    ASSERT_TRUE(AddMaintenanceRoutes(&router_, &auth_, ctx).ok());
  }

  HttpResponse Post(const std::string& path, const std::string& body,
                    const std::string& token = "secret") {
    HttpRequest request;
    request.method = "POST";
    request.path = path;
    request.target = path;
    request.body = body;
    if (!token.empty()) request.headers.push_back({"authorization", "Bearer " + token});
    Router::Match match = router_.Find("POST", path);
    EXPECT_EQ(match.status, 200) << path;
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
  std::vector<nlohmann::json> reports_;
};

TEST_F(AdminMaintenanceRoutesTest, NeedsTheAdminToken) {
  for (const char* path : {"/admin/expire-snapshots", "/admin/remove-orphans", "/admin/retention",
                           "/admin/fsck", "/admin/rewrite-manifests"}) {
    EXPECT_EQ(Post(path, "{}", "").status, 401) << path;
    EXPECT_EQ(Post(path, "{}", "wrong").status, 401) << path;
  }
}

TEST_F(AdminMaintenanceRoutesTest, BadBodiesNameTheField) {
  HttpResponse r = Post("/admin/expire-snapshots", R"({"table":"events","retainLast":"x"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("retainLast"), std::string::npos) << r.body;
  r = Post("/admin/expire-snapshots", R"({"olderThen":"7d"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("olderThen"), std::string::npos) << r.body;
  r = Post("/admin/retention", R"({"maxAge":"ninety days"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("maxAge"), std::string::npos) << r.body;
  r = Post("/admin/retention", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("maxAge"), std::string::npos) << r.body;
  r = Post("/admin/fsck", "[1,2]");
  EXPECT_EQ(r.status, 400);
  r = Post("/admin/fsck", R"({"table":"nope"})");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("analytics.nope"), std::string::npos) << r.body;
}

TEST_F(AdminMaintenanceRoutesTest, ExpireReportsAndSeedTableNameWorks) {
  HttpResponse r = Post("/admin/expire-snapshots",
                        R"({"table":"events","olderThan":"1h","retainLast":1,"dryRun":true})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto report = nlohmann::json::parse(r.body);
  EXPECT_EQ(report["table"], "analytics.events");
  EXPECT_EQ(report["action"], "expire-snapshots");
  EXPECT_EQ(report["dry_run"], true);
  EXPECT_EQ(report["snapshots_expired"].size(), 2u);
  for (const char* key : {"status", "files_in", "files_out", "bytes_in", "bytes_out", "rows_in",
                          "rows_out", "groups_done", "groups_skipped", "commits", "retries",
                          "duration_ms", "cpu_ms", "peak_memory_bytes", "snapshot_id"}) {
    EXPECT_TRUE(report.contains(key)) << key;
  }
  ASSERT_EQ(reports_.size(), 1u);
  r = Post("/admin/expire-snapshots", R"({"table":"analytics.events","olderThan":3600})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["status"], "success");
}

TEST_F(AdminMaintenanceRoutesTest, RewriteManifestsMergesTheAppendsManifests) {
  HttpResponse r = Post("/admin/rewrite-manifests", R"({"targetSizeBytes":"big"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("targetSizeBytes"), std::string::npos) << r.body;
  r = Post("/admin/rewrite-manifests", R"({"table":"events","minManifests":4})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["status"], "noop");
  r = Post("/admin/rewrite-manifests", R"({"table":"events","dryRun":true})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto dry = nlohmann::json::parse(r.body);
  EXPECT_EQ(dry["action"], "rewrite-manifests");
  EXPECT_EQ(dry["status"], "success");
  EXPECT_EQ(dry["files_in"], 3);
  EXPECT_EQ(dry["commits"], 0);
  r = Post("/admin/rewrite-manifests", R"({"table":"events","targetSizeBytes":8388608})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto report = nlohmann::json::parse(r.body);
  EXPECT_EQ(report["status"], "success");
  EXPECT_EQ(report["commits"], 1);
  EXPECT_EQ(report["manifests_before"], 3);
  EXPECT_EQ(report["manifests_after"], 1);
  r = Post("/admin/rewrite-manifests", "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["status"], "noop");
  EXPECT_EQ(reports_.size(), 4u);
}

TEST_F(AdminMaintenanceRoutesTest, OneRunPerTable) {
  ASSERT_TRUE(locks_.TryLock("analytics.events", "compaction", INT64_MAX).ok());
  HttpResponse r = Post("/admin/fsck", "{}");
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.body.find("analytics.events"), std::string::npos) << r.body;
  locks_.Unlock("analytics.events", "compaction");
  r = Post("/admin/retention", R"({"maxAge":"400d","dryRun":true})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["status"], "noop");
}

TEST_F(AdminMaintenanceRoutesTest, StatusShowsEveryTableWithItsFiguresAndJobs) {
  StatusRouteContext ctx;
  ctx.services = services_;
  ctx.compaction.threshold = 2;
  ctx.node_id = "node-a";
  ctx.jobs = [] {
    scheduler::JobStatus job;
    job.spec = scheduler::DefaultJobs("analytics.events")[1];
    job.next_run_micros = 1'800'000'000'000'000;
    return std::vector<scheduler::JobStatus>{job};
  };
  ASSERT_TRUE(AddStatusRoute(&router_, &auth_, ctx).ok());
  HttpRequest request;
  request.method = "GET";
  request.path = "/admin/status";
  Router::Match match = router_.Find("GET", "/admin/status");
  ASSERT_EQ(match.status, 200);
  EXPECT_EQ(match.route->handler(request).status, 401);
  request.headers.push_back({"authorization", "Bearer secret"});
  HttpResponse r = match.route->handler(request);
  ASSERT_EQ(r.status, 200) << r.body;
  auto status = nlohmann::json::parse(r.body);
  EXPECT_EQ(status["node"], "node-a");
  ASSERT_EQ(status["tables"].size(), 1u);
  const auto& t = status["tables"][0];
  EXPECT_EQ(t["table"], "analytics.events");
  EXPECT_EQ(t["data_files"], 3);  // three appends of one file each (MakeFile sizes: 150 bytes)
  EXPECT_EQ(t["small_files"], 3);
  EXPECT_EQ(t["bytes"], 450);
  EXPECT_EQ(t["records"], 15);
  EXPECT_EQ(t["snapshots"], 3);
  EXPECT_EQ(t["needs_compaction"], true);
  EXPECT_EQ(t["backlog"], false);  // 3 is not above 2 x 2
  int64_t histogram_files = 0;
  for (const auto& b : t["size_histogram"]) histogram_files += b["files"].get<int64_t>();
  EXPECT_EQ(histogram_files, 3);
  ASSERT_EQ(t["jobs"].size(), 1u);
  EXPECT_EQ(t["jobs"][0]["job"], "compact-daily");
}

TEST_F(AdminMaintenanceRoutesTest, RunsAndHistoryFromTheCatalogDatabase) {
  auto history = RunHistory::Open("sqlite:" + dir_.path() + "/catalog.db", "floe");
  ASSERT_TRUE(history.ok());
  ASSERT_TRUE(AddHistoryRoutes(&router_, &auth_, history->get(), &clock_).ok());
  ASSERT_TRUE((*history)
                  ->AddRun({"analytics.events", "compact", "success", clock_.NowMillis(),
                            R"({"table":"analytics.events","action":"compact"})"})
                  .ok());
  ASSERT_TRUE((*history)
                  ->AddSample({"analytics.events", clock_.NowMillis() - 60'000, 30, 28, 999, 5,
                               R"([{"le":65536,"files":30}])"})
                  .ok());
  ASSERT_TRUE(
      (*history)
          ->AddSample({"analytics.events", clock_.NowMillis() - 3 * 86'400'000LL, 1, 1, 1, 1, "[]"})
          .ok());
  auto get = [&](const std::string& target) {
    HttpRequest request;
    request.method = "GET";
    request.target = target;
    request.path = target.substr(0, target.find('?'));
    request.query =
        target.find('?') == std::string::npos ? "" : target.substr(target.find('?') + 1);
    request.headers.push_back({"authorization", "Bearer secret"});
    return router_.Find("GET", request.path).route->handler(request);
  };
  HttpResponse r = get("/admin/runs?table=events&limit=5");
  ASSERT_EQ(r.status, 200) << r.body;
  auto runs = nlohmann::json::parse(r.body)["runs"];
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["action"], "compact");
  EXPECT_TRUE(runs[0].contains("finished"));
  EXPECT_EQ(get("/admin/runs?limit=0").status, 400);
  r = get("/admin/history?table=events&since=1d");
  ASSERT_EQ(r.status, 200) << r.body;
  auto h = nlohmann::json::parse(r.body);
  ASSERT_EQ(h["samples"].size(), 1u);  // the 3-day-old sample is outside the window
  EXPECT_EQ(h["samples"][0]["small_files"], 28);
  EXPECT_EQ(h["samples"][0]["size_histogram"][0]["files"], 30);
  EXPECT_EQ(get("/admin/history?since=forever").status, 400);
}

TEST(AdminRequestTest, TableNamesAndDurations) {
  EXPECT_EQ(ParseAdminTableName("events")->ToString(), "analytics.events");
  EXPECT_EQ(ParseAdminTableName("a.b")->ToString(), "a.b");
  EXPECT_FALSE(ParseAdminTableName("").ok());
  auto body = AdminBody::Parse(R"({"d":"7d","n":60,"b":true})", {"d", "n", "b"});
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(**body->DurationMs("d"), 7 * 86'400'000LL);
  EXPECT_EQ(**body->DurationMs("n"), 60'000);
  EXPECT_TRUE(**body->Bool("b"));
  EXPECT_FALSE(body->DurationMs("missing")->has_value());
  EXPECT_TRUE(AdminBody::Parse("", {})->json().empty());
  EXPECT_FALSE(AdminBody::Parse("{", {}).ok());
}

}  // namespace
}  // namespace floe::server
