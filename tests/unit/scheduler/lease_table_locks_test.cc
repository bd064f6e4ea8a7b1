// Leases in the catalog database (lease_table_locks.h) on SQLite and on a real PostgreSQL server
// the test starts: each "node" is its own LeaseTableLocks with its own connection, as separate
// floe serve processes have. Time is a FakeClock; the heartbeat thread is not used (RenewAll()).

#include "floe/scheduler/lease_table_locks.h"

#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <thread>
#include <vector>

#include "support/postgres_server.h"
#include "support/temp_dir.h"

namespace floe::scheduler {
namespace {

using floe::testing::PostgresServer;
using floe::testing::TempDir;

enum class Backend { kSqlite, kPostgres };

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kTtlMs = 10'000;
constexpr int64_t kStart = int64_t{1'700'000'000} * kSecond;
constexpr int64_t kFarCap = kStart + int64_t{24} * 3600 * kSecond;

class LeaseTableLocksTest : public ::testing::TestWithParam<Backend> {
 protected:
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override {
    if (GetParam() == Backend::kSqlite) {
      ASSERT_FALSE(dir_.path().empty());
      uri_ = "sqlite:" + dir_.path() + "/catalog.db";
      return;
    }
    // One server for the whole suite; a database per test.
    if (!server_) {
      auto server = PostgresServer::Start();
      if (!server.ok()) GTEST_SKIP() << "no PostgreSQL server: " << server.status().ToString();
      server_ = std::move(server).value();
    }
    static int databases = 0;
    const std::string name = "leases" + std::to_string(++databases);
    ASSERT_TRUE(server_->CreateDatabase(name).ok());
    uri_ = server_->Uri(name);
  }

  // A node: its own connection to the catalog database.
  std::unique_ptr<LeaseTableLocks> Node(std::string node_id, std::string catalog = "floe") {
    auto store = OpenCatalogStore(uri_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return nullptr;
    auto locks =
        LeaseTableLocks::Make(std::move(store).value(), &clock_, nullptr,
                              LeaseOptions{std::move(catalog), std::move(node_id), kTtlMs});
    EXPECT_TRUE(locks.ok()) << locks.status().ToString();
    return locks.ok() ? std::move(locks).value() : nullptr;
  }

  std::string CurrentHolder(LeaseTableLocks* node, const std::string& table) {
    auto current = node->Current(table);
    EXPECT_TRUE(current.ok()) << current.status().ToString();
    return current.ok() && *current ? (*current)->holder : std::string();
  }

  static inline std::unique_ptr<PostgresServer> server_;
  TempDir dir_{"floe-leases"};
  std::string uri_;
  FakeClock clock_{kStart};
};

TEST_P(LeaseTableLocksTest, OneHolderAtATimeAndTheConflictNamesIt) {
  auto a = Node("node-a");
  auto b = Node("node-b");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->TryLock("analytics.events", "node-a/compact-daily", kFarCap).ok());
  Status busy = b->TryLock("analytics.events", "node-b/compact-daily", kFarCap);
  EXPECT_EQ(busy.kind(), ErrorKind::kConflict) << busy.ToString();
  EXPECT_NE(busy.message().find("node-a/compact-daily"), std::string::npos) << busy.message();
  // The same node cannot take the table twice either (a second admin request).
  EXPECT_EQ(a->TryLock("analytics.events", "node-a POST /admin/compact", kFarCap).kind(),
            ErrorKind::kConflict);
  // Other tables are independent.
  EXPECT_TRUE(b->TryLock("analytics.other", "node-b/compact-daily", kFarCap).ok());
  EXPECT_EQ(CurrentHolder(b.get(), "analytics.events"), "node-a/compact-daily");

  a->Unlock("analytics.events", "node-a/compact-daily");
  EXPECT_EQ(CurrentHolder(b.get(), "analytics.events"), "");
  EXPECT_TRUE(b->TryLock("analytics.events", "node-b/compact-daily", kFarCap).ok());
  // Unlocking with a holder that does not hold the table changes nothing.
  a->Unlock("analytics.events", "node-b/compact-daily");
  EXPECT_EQ(CurrentHolder(a.get(), "analytics.events"), "node-b/compact-daily");
}

TEST_P(LeaseTableLocksTest, AnExpiredLeaseIsTakenOverAndItsOldHolderCannotRemoveIt) {
  auto a = Node("node-a");
  auto b = Node("node-b");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->TryLock("analytics.events", "node-a/compact", kFarCap).ok());
  clock_.AdvanceMicros(kTtlMs * 1000 - 1);
  EXPECT_EQ(b->TryLock("analytics.events", "node-b/compact", kFarCap).kind(), ErrorKind::kConflict);
  // Node a stopped renewing (it died or hung): at the expiry, b takes the table.
  clock_.AdvanceMicros(1);
  ASSERT_TRUE(b->TryLock("analytics.events", "node-b/compact", kFarCap).ok());
  auto current = b->Current("analytics.events");
  ASSERT_TRUE(current.ok() && *current);
  EXPECT_EQ((*current)->holder, "node-b/compact");
  EXPECT_EQ((*current)->previous_holder, "node-a/compact");
  EXPECT_EQ((*current)->expires_at_ms, kStart / 1000 + 2 * kTtlMs);

  // Node a comes back: its renewal finds the lease gone, and its release leaves b's lease alone.
  EXPECT_EQ(a->RenewAll(), 0);
  a->Unlock("analytics.events", "node-a/compact");
  EXPECT_EQ(CurrentHolder(a.get(), "analytics.events"), "node-b/compact");
  EXPECT_EQ(b->RenewAll(), 1);
}

TEST_P(LeaseTableLocksTest, RenewalKeepsTheLeaseAliveUpToTheCallersDeadline) {
  auto a = Node("node-a");
  auto b = Node("node-b");
  ASSERT_TRUE(a && b);
  const int64_t cap = kStart + 25 * kSecond;
  ASSERT_TRUE(a->TryLock("t", "node-a/job", cap).ok());
  for (int beat = 0; beat < 3; ++beat) {  // 8 s apart: each renewal lands before the expiry
    clock_.AdvanceMicros(8 * kSecond);
    EXPECT_EQ(a->RenewAll(), 1);
    EXPECT_EQ(b->TryLock("t", "node-b/job", cap + 100 * kSecond).kind(), ErrorKind::kConflict)
        << "beat " << beat;
  }
  // At 24 s the last renewal stopped at the cap (25 s), not at 34 s.
  auto current = a->Current("t");
  ASSERT_TRUE(current.ok() && *current);
  EXPECT_EQ((*current)->expires_at_ms, cap / 1000);
  clock_.AdvanceMicros(1 * kSecond);
  EXPECT_TRUE(b->TryLock("t", "node-b/job", cap + 100 * kSecond).ok());
}

TEST_P(LeaseTableLocksTest, CatalogsDoNotShareLeases) {
  auto a = Node("node-a", "one");
  auto b = Node("node-b", "two");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->TryLock("analytics.events", "node-a/job", kFarCap).ok());
  EXPECT_TRUE(b->TryLock("analytics.events", "node-b/job", kFarCap).ok());
}

TEST_P(LeaseTableLocksTest, ARestartedNodeDropsTheLeasesOfItsDeadPredecessor) {
  auto dead = Node("node-a");
  auto other = Node("node-b");
  ASSERT_TRUE(dead && other);
  ASSERT_TRUE(dead->TryLock("t1", "node-a/compact", kFarCap).ok());
  ASSERT_TRUE(dead->TryLock("t2", "node-a POST /admin/compact", kFarCap).ok());
  ASSERT_TRUE(other->TryLock("t3", "node-b/compact", kFarCap).ok());
  auto restarted = Node("node-a");
  ASSERT_TRUE(restarted);
  auto released = restarted->ReleaseStaleLeases();
  ASSERT_TRUE(released.ok()) << released.status().ToString();
  EXPECT_EQ(*released, 2);
  EXPECT_EQ(CurrentHolder(other.get(), "t1"), "");
  EXPECT_EQ(CurrentHolder(other.get(), "t2"), "");
  EXPECT_EQ(CurrentHolder(other.get(), "t3"), "node-b/compact");
  EXPECT_TRUE(restarted->TryLock("t1", "node-a/compact", kFarCap).ok());
}

TEST_P(LeaseTableLocksTest, ADeadlineInThePastIsRefused) {
  auto a = Node("node-a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->TryLock("t", "node-a/job", kStart).kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(CurrentHolder(a.get(), "t"), "");
}

// Many nodes race for one table, round after round: when it is free (inserts race) and when its
// lease has just expired (takeovers race). Exactly one wins each round.
TEST_P(LeaseTableLocksTest, RacingNodesNeverBothAcquire) {
  constexpr int kNodes = 6;
  constexpr int kRounds = 16;
  std::vector<std::unique_ptr<LeaseTableLocks>> nodes;
  for (int i = 0; i < kNodes; ++i) {
    nodes.push_back(Node("node-" + std::to_string(i)));
    ASSERT_TRUE(nodes.back());
  }
  std::atomic<int> winners[kRounds] = {};
  std::atomic<int> errors{0};
  std::barrier<> round_start(kNodes);
  std::barrier<> round_tried(kNodes);
  std::barrier round_end(kNodes, [&]() noexcept {
    // Between rounds: every other round lets the lease lapse instead of releasing it.
    clock_.AdvanceMicros(kTtlMs * 1000);
  });
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] {
      const std::string holder = "node-" + std::to_string(i) + "/compact";
      for (int round = 0; round < kRounds; ++round) {
        round_start.arrive_and_wait();
        Status st = nodes[i]->TryLock("analytics.events", holder, kFarCap);
        if (st.ok()) {
          ++winners[round];
        } else if (st.kind() != ErrorKind::kConflict) {
          ++errors;
          ADD_FAILURE() << st.ToString();
        }
        round_tried.arrive_and_wait();
        if (st.ok() && round % 2 == 0) nodes[i]->Unlock("analytics.events", holder);
        round_end.arrive_and_wait();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  for (int round = 0; round < kRounds; ++round) {
    EXPECT_EQ(winners[round].load(), 1) << "round " << round;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, LeaseTableLocksTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
                         });

}  // namespace
}  // namespace floe::scheduler
