// The scheduler's job kinds run the maintenance actions on the job's table and report results
// the scheduler understands.

#include "floe/cli/maintenance_jobs.h"

#include <gtest/gtest.h>

#include "floe/catalog/sql_catalog.h"
#include "floe/catalog/transaction.h"
#include "floe/io/memory_store.h"
#include "support/temp_dir.h"
#include "unit/catalog/table_test_util.h"

namespace floe::cli {
namespace {

TEST(MaintenanceJobsTest, EveryDefaultKindHasAFunctionThatRuns) {
  floe::testing::TempDir dir;
  FakeClock clock(1'700'000'000'000'000);
  MemoryStore store(&clock);
  auto catalog = SqlCatalog::Open("sqlite:" + dir.path() + "/catalog.db");
  ASSERT_TRUE(catalog.ok());
  ASSERT_TRUE((*catalog)->CreateNamespace({"analytics"}, {}).ok());
  TableServices services{&store, catalog->get(), &clock, 4};
  auto table = Table::Create(services, TableIdentifier{{"analytics"}, "events"},
                             testing::EventsTable("file:///wh/analytics/events"));
  ASSERT_TRUE(table.ok());
  for (int i = 0; i < 3; ++i) {
    Transaction txn = (*table)->NewTransaction();
    txn.AppendFiles({testing::MakeFile(
        "file:///wh/analytics/events/data/f" + std::to_string(i) + ".parquet", 5)});
    ASSERT_TRUE(txn.Commit().ok());
    clock.AdvanceMicros(86'400'000'000LL);
  }
  Logger logger(&clock, LogLevel::kError, [](std::string_view) {});
  std::vector<nlohmann::json> reports;
  MaintenanceJobsConfig config;
  config.services = services;
  config.logger = &logger;
  config.expire_older_than_ms = 3600'000;
  config.on_report = [&](const nlohmann::json& r) { reports.push_back(r); };
  auto functions = MaintenanceJobFunctions(config);
  for (const auto& spec : scheduler::DefaultJobs("analytics.events")) {
    EXPECT_TRUE(functions.count(spec.kind)) << spec.kind;
  }

  scheduler::JobContext ctx;
  ctx.table = "analytics.events";
  ctx.clock = &clock;
  ctx.started_micros = clock.NowMicros();
  ctx.deadline_micros = ctx.started_micros + 3600'000'000LL;
  // Three files are far under the threshold: a no-op.
  ctx.job = "compact-check";
  scheduler::JobResult r = functions[std::string(scheduler::kKindCompactIfNeeded)](ctx);
  EXPECT_EQ(r.result, scheduler::RunResult::kNoop) << r.message;
  ctx.job = "expire-snapshots";
  r = functions[std::string(scheduler::kKindExpireSnapshots)](ctx);
  EXPECT_EQ(r.result, scheduler::RunResult::kSuccess) << r.message;
  ASSERT_TRUE((*table)->Refresh().ok());
  EXPECT_EQ((*table)->metadata().snapshots.size(), 1u);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[1]["job"], "expire-snapshots");
  EXPECT_EQ(reports[1]["action"], "expire-snapshots");

  // Three manifests, under the threshold: a no-op; over it, merged into one.
  ctx.job = "rewrite-manifests";
  r = functions[std::string(scheduler::kKindRewriteManifests)](ctx);
  EXPECT_EQ(r.result, scheduler::RunResult::kNoop) << r.message;
  config.manifest_threshold = 1;
  r = MaintenanceJobFunctions(config)[std::string(scheduler::kKindRewriteManifests)](ctx);
  EXPECT_EQ(r.result, scheduler::RunResult::kSuccess) << r.message;
  ASSERT_EQ(reports.size(), 4u);
  EXPECT_EQ(reports[3]["action"], "rewrite-manifests");

  ctx.table = "analytics.missing";
  r = functions[std::string(scheduler::kKindRemoveOrphans)](ctx);
  EXPECT_EQ(r.result, scheduler::RunResult::kFailure);
  EXPECT_NE(r.message.find("missing"), std::string::npos) << r.message;
}

}  // namespace
}  // namespace floe::cli
