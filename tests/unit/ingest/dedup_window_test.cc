#include "floe/ingest/dedup_window.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace floe::ingest
