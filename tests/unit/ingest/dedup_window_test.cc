#include "floe/ingest/dedup_window.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <random>
#include <string>
#include <utility>

namespace floe::ingest {
namespace {

constexpr int64_t kSecond = 1000000;

DedupWindow::Key KeyOf(int i) { return DedupWindow::KeyOf("db.events", std::to_string(i)); }

TEST(DedupWindowTest, SeenWithinWindowOnly) {
  DedupWindow w(10 * kSecond, 1000);
  EXPECT_FALSE(w.SeenOrInsert(KeyOf(1), 0));
  EXPECT_TRUE(w.SeenOrInsert(KeyOf(1), 5 * kSecond));
  EXPECT_FALSE(w.SeenOrInsert(KeyOf(2), 5 * kSecond));
  // Past the window the first id is forgotten and accepted again.
  EXPECT_FALSE(w.SeenOrInsert(KeyOf(1), 11 * kSecond));
  EXPECT_TRUE(w.SeenOrInsert(KeyOf(2), 11 * kSecond));
  EXPECT_TRUE(w.SeenOrInsert(KeyOf(1), 12 * kSecond));
}

TEST(DedupWindowTest, SameIdOtherTableIsNotADuplicate) {
  DedupWindow w(10 * kSecond, 1000);
  EXPECT_FALSE(w.SeenOrInsert(DedupWindow::KeyOf("a.t", "x"), 0));
  EXPECT_FALSE(w.SeenOrInsert(DedupWindow::KeyOf("b.t", "x"), 0));
  EXPECT_TRUE(w.SeenOrInsert(DedupWindow::KeyOf("a.t", "x"), 0));
}

TEST(DedupWindowTest, CountBoundForgetsOldestFirst) {
  DedupWindow w(3600 * kSecond, 100);
  for (int i = 0; i < 250; ++i) EXPECT_FALSE(w.SeenOrInsert(KeyOf(i), i));
  EXPECT_LE(w.size(), 100u);
  for (int i = 150; i < 250; ++i) EXPECT_TRUE(w.SeenOrInsert(KeyOf(i), 300)) << i;
  EXPECT_FALSE(w.SeenOrInsert(KeyOf(0), 300));
}

TEST(DedupWindowTest, EraseUndoesOnlyThatAccept) {
  DedupWindow w(10 * kSecond, 1000);
  EXPECT_FALSE(w.SeenOrInsert(KeyOf(1), 100));
  w.Erase(KeyOf(1), 99);  // another accept time: kept
  EXPECT_TRUE(w.SeenOrInsert(KeyOf(1), 200));
  w.Erase(KeyOf(1), 100);
  EXPECT_FALSE(w.SeenOrInsert(KeyOf(1), 300));
}

TEST(DedupWindowTest, ReplayInsertSkipsExpiredAndKeepsNewest) {
  DedupWindow w(10 * kSecond, 1000);
  w.Insert(KeyOf(1), 0, 20 * kSecond);  // outside the window
  EXPECT_FALSE(w.SeenOrInsert(KeyOf(1), 20 * kSecond));
  w.Insert(KeyOf(2), 15 * kSecond, 20 * kSecond);
  w.Insert(KeyOf(2), 12 * kSecond, 20 * kSecond);  // older: the newer time stays
  EXPECT_TRUE(w.SeenOrInsert(KeyOf(2), 24 * kSecond));
}

// Many inserts, expiries and erases (growth and backward-shift deletion of the flat table)
// against a simple model: the set of ids accepted within the window.
TEST(DedupWindowTest, AgreesWithModelUnderChurn) {
  const int64_t window = 1000;
  DedupWindow w(window, 1 << 20);
  std::map<int, int64_t> model;  // id → accepted at
  std::mt19937 rng(7);
  for (int64_t now = 0; now < 200000; ++now) {
    int id = static_cast<int>(rng() % 3000);
    auto it = model.find(id);
    bool expect = it != model.end() && it->second > now - window;
    ASSERT_EQ(w.SeenOrInsert(KeyOf(id), now), expect) << "id " << id << " at " << now;
    if (!expect) model[id] = now;
    if (rng() % 16 == 0 && !expect) {
      w.Erase(KeyOf(id), now);
      model.erase(id);
    }
  }
}

// The same with replayed inserts (older accepts queued after newer ones) and erases, against a
// model kept the plain way: a queue of every accept and the time of each id's latest one. Run
// once with the count bound doing the forgetting, once with the window doing it.
void CheckAgainstModel(int64_t window, size_t max_ids, int64_t replay_age) {
  DedupWindow w(window, static_cast<int64_t>(max_ids));
  std::map<int, int64_t> latest;          // id → its latest accept, while remembered
  std::deque<std::pair<int, int64_t>> q;  // every accept, oldest first
  auto expire = [&](int64_t now) {
    while (!q.empty() && (q.front().second <= now - window || latest.size() > max_ids)) {
      auto it = latest.find(q.front().first);
      if (it != latest.end() && it->second == q.front().second) latest.erase(it);
      q.pop_front();
    }
  };
  std::mt19937 rng(11);
  for (int64_t now = 0; now < 300000; ++now) {
    const int id = static_cast<int>(rng() % 2500);
    const uint32_t op = rng() % 32;
    if (op == 0) {  // a replayed accept from a while ago
      const int64_t at = now - static_cast<int64_t>(rng() % static_cast<uint32_t>(replay_age));
      w.Insert(KeyOf(id), at, now);
      if (at > now - window) {
        auto it = latest.find(id);
        if (it == latest.end() || it->second < at) {
          latest[id] = at;
          q.emplace_back(id, at);
        }
        expire(now);
      }
      continue;
    }
    expire(now);
    auto it = latest.find(id);
    const bool expect = it != latest.end() && it->second > now - window;
    ASSERT_EQ(w.SeenOrInsert(KeyOf(id), now), expect) << "id " << id << " at " << now;
    if (!expect) {
      latest[id] = now;
      q.emplace_back(id, now);
      expire(now);
      if (op == 1) {  // the accept is undone
        w.Erase(KeyOf(id), now);
        latest.erase(id);
      }
    }
    ASSERT_EQ(w.size(), latest.size()) << "at " << now;
  }
}

TEST(DedupWindowTest, AgreesWithModelUnderCountBoundReplayAndErase) {
  CheckAgainstModel(/*window=*/5000, /*max_ids=*/700, /*replay_age=*/3000);
}

TEST(DedupWindowTest, AgreesWithModelUnderWindowReplayAndErase) {
  CheckAgainstModel(/*window=*/600, /*max_ids=*/100000, /*replay_age=*/500);
}

}  // namespace
}  // namespace floe::ingest
