// Run history and table samples in the catalog database: written, read back newest/oldest first,
// filtered by table, partitioned by catalog name, pruned by age, and kept across reopening.

#include "floe/catalog/run_history.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace floe {
namespace {

TEST(RunHistoryTest, RunsAndSamplesSurviveReopenAndPrune) {
  floe::testing::TempDir dir;
  const std::string uri = "sqlite:" + dir.path() + "/catalog.db";
  {
    auto history = RunHistory::Open(uri, "floe");
    ASSERT_TRUE(history.ok()) << history.status().ToString();
    ASSERT_TRUE((*history)->AddRun({"a.t", "compact", "success", 1000, R"({"x":1})"}).ok());
    ASSERT_TRUE((*history)->AddRun({"a.t", "fsck", "failure", 3000, R"({"x":2})"}).ok());
    ASSERT_TRUE((*history)->AddRun({"a.u", "compact", "noop", 2000, "{}"}).ok());
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE((*history)->AddSample({"a.t", 60'000 * i, 10 + i, 5, 1000 * i, 7, "[]"}).ok());
    }
  }
  auto history = RunHistory::Open(uri, "floe");
  ASSERT_TRUE(history.ok());
  auto runs = (*history)->RecentRuns("", 10);
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  ASSERT_EQ(runs->size(), 3u);
  EXPECT_EQ((*runs)[0].action, "fsck");  // newest first
  EXPECT_EQ((*runs)[0].report_json, R"({"x":2})");
  EXPECT_EQ((*history)->RecentRuns("a.u", 10)->size(), 1u);
  EXPECT_EQ((*history)->RecentRuns("", 1)->size(), 1u);
  auto samples = (*history)->Samples("a.t", 60'000);
  ASSERT_TRUE(samples.ok());
  ASSERT_EQ(samples->size(), 2u);
  EXPECT_EQ((*samples)[0].data_files, 11);
  EXPECT_EQ((*samples)[1].bytes, 2000);
  // Another catalog name in the same database sees nothing.
  auto other = RunHistory::Open(uri, "other");
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE((*other)->RecentRuns("", 10)->empty());
  // Pruning drops what is older.
  ASSERT_TRUE((*history)->Prune(2500).ok());
  EXPECT_EQ((*history)->RecentRuns("", 10)->size(), 1u);
  EXPECT_EQ((*history)->Samples("a.t", 0)->size(), 2u);  // the one at 0 ms is gone
}

}  // namespace
}  // namespace floe
