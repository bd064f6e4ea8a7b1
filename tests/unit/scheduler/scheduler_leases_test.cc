// The schedulers of two nodes on one catalog database (SQLite here; the leases themselves are
// tested on PostgreSQL too in lease_table_locks_test.cc): a job runs on one node at a time, the
// other waits for the table, and a table whose holder died is taken over once its lease expires.

#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <vector>

#include "floe/iceberg/datetime.h"
#include "floe/scheduler/lease_table_locks.h"
#include "floe/scheduler/scheduler.h"
#include "support/temp_dir.h"

namespace floe::scheduler {
namespace {

int64_t Utc(const std::string& text) {
  return iceberg::ParseTimestamp(text, /*with_zone=*/false).value();
}

constexpr int64_t kTtlMs = 10'000;
const std::string kTable = "analytics.events";

class SchedulerLeasesTest : public ::testing::Test {
 protected:
  std::unique_ptr<LeaseTableLocks> Leases(const std::string& node) {
    auto store = OpenCatalogStore("sqlite:" + dir_.path() + "/catalog.db");
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return nullptr;
    auto leases = LeaseTableLocks::Make(std::move(store).value(), &clock_, nullptr,
                                        LeaseOptions{"floe", node, kTtlMs});
    EXPECT_TRUE(leases.ok()) << leases.status().ToString();
    return leases.ok() ? std::move(leases).value() : nullptr;
  }
  std::unique_ptr<Scheduler> Node(const std::string& node, TableLocks* locks, JobFunction fn,
                                  RunStateStore* state) {
    SchedulerOptions options;
    options.holder = node;
    auto s = Scheduler::Make({{"compact-daily", kTable, "0 2 * * *", "compact", 3'600'000}},
                             {{"compact", std::move(fn)}}, &clock_, locks, state, nullptr, nullptr,
                             options);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  void Ran(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu_);
    runs_.push_back(what);
  }

  testing::TempDir dir_{"floe-scheduler-leases"};
  FakeClock clock_{Utc("2026-11-30T01:59:00")};
  std::mutex mu_;
  std::vector<std::string> runs_;
};

TEST_F(SchedulerLeasesTest, OneNodeRunsATablesJobAtATimeAndADeadHoldersTableIsTakenOver) {
  auto leases_a = Leases("node-a");
  auto leases_b = Leases("node-b");
  ASSERT_TRUE(leases_a && leases_b);
  std::promise<void> a_started, a_may_finish;
  std::shared_future<void> gate = a_may_finish.get_future().share();
  MemoryRunStateStore state_a, state_b;
  auto a = Node(
      "node-a", leases_a.get(),
      [&](const JobContext&) {
        Ran("a start");
        a_started.set_value();
        gate.wait();
        Ran("a end");
        return JobResult{};
      },
      &state_a);
  auto b = Node(
      "node-b", leases_b.get(),
      [&](const JobContext& c) {
        Ran("b " + iceberg::FormatTimestamp(c.started_micros, false));
        return JobResult{};
      },
      &state_b);
  ASSERT_TRUE(a && b);

  clock_.SetMicros(Utc("2026-11-30T02:00:00"));
  ASSERT_EQ(a->RunDue(), 1);
  a_started.get_future().wait();
  // Node b's job is due too, but node a's run holds the table.
  EXPECT_EQ(b->RunDue(), 0);
  EXPECT_TRUE(b->JobStatuses()[0].waiting_for_table);
  auto holder = leases_b->Current(kTable);
  ASSERT_TRUE(holder.ok() && *holder);
  EXPECT_EQ((*holder)->holder, "node-a/compact-daily");
  a_may_finish.set_value();
  a->WaitIdle();
  EXPECT_EQ(b->RunDue(), 1);
  b->WaitIdle();

  // The next day a node dies holding the table (its lease is never renewed nor released): node
  // b waits until the lease expires, then takes the table over and runs.
  auto leases_dead = Leases("node-c");
  ASSERT_TRUE(leases_dead);
  clock_.SetMicros(Utc("2026-12-01T02:00:00"));
  ASSERT_TRUE(
      leases_dead->TryLock(kTable, "node-c/compact-daily", Utc("2026-12-02T00:00:00")).ok());
  EXPECT_EQ(b->RunDue(), 0);
  clock_.AdvanceMicros(kTtlMs * 1000);
  EXPECT_EQ(b->RunDue(), 1);
  b->WaitIdle();
  holder = leases_b->Current(kTable);
  ASSERT_TRUE(holder.ok());
  EXPECT_FALSE(*holder) << "node-b released the table after its run";

  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_EQ(runs_, (std::vector<std::string>{"a start", "a end", "b 2026-11-30T02:00:00",
                                             "b 2026-12-01T02:00:10"}));
}

}  // namespace
}  // namespace floe::scheduler
