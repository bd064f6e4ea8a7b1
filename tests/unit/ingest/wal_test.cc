#include "floe/ingest/wal.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.h"

namespace floe::ingest {
namespace {

struct Replayed {
  uint64_t lsn;
  int64_t received_at;
  std::string table, id, json;
};

class WalTest : public ::testing::Test {
 protected:
  WalTest()
      : logger_(&clock_, LogLevel::kDebug, [this](std::string_view l) {
          std::lock_guard lock(log_mu_);
          log_.emplace_back(l);
        }) {}

  Result<std::unique_ptr<Wal>> Open(WalOptions options = {}, uint64_t min_next = 1) {
    replayed_.clear();
    if (options.dir.empty()) options.dir = dir_.path() + "/wal";
    return Wal::Open(
        options, &logger_,
        [this](const WalRecord& r) {
          replayed_.push_back({r.lsn, r.entry.received_at_micros, std::string(r.entry.table),
                               std::string(r.entry.event_id), std::string(r.entry.json)});
          return Status::OK();
        },
        min_next);
  }

  std::vector<std::string> SegmentFiles() {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir_.path() + "/wal")) {
      out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  bool Logged(std::string_view what) {
    std::lock_guard lock(log_mu_);
    for (const auto& l : log_) {
      if (l.find(what) != std::string::npos) return true;
    }
    return false;
  }

  testing::TempDir dir_{"floe-wal"};
  FakeClock clock_;
  std::mutex log_mu_;
  std::vector<std::string> log_;
  Logger logger_;
  std::vector<Replayed> replayed_;
};

// A batch's checksums are computed three records at a time, the rest one by one: a batch of
// seven records of unlike sizes (two triples, one left over) comes back whole, every checksum
// verified by the replay.
TEST_F(WalTest, EveryRecordOfALargeBatchComesBack) {
  std::vector<std::string> ids;  // WalEntry views its texts
  std::vector<std::string> texts;
  for (int i = 0; i < 7; ++i) {
    ids.push_back(std::to_string(i));
    texts.push_back(std::string(1 + 37 * i * i, static_cast<char>('a' + i)));
  }
  std::vector<WalEntry> batch;
  for (int i = 0; i < 7; ++i) batch.push_back(WalEntry{200 + i, "analytics.events", ids[i], texts[i]});
  {
    auto wal = Open();
    ASSERT_TRUE(wal.ok()) << wal.status().ToString();
    ASSERT_TRUE((*wal)->Write(batch).ok());
  }
  auto wal = Open();
  ASSERT_TRUE(wal.ok()) << wal.status().ToString();
  ASSERT_EQ(replayed_.size(), 7u);
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(replayed_[i].lsn, static_cast<uint64_t>(i + 1));
    EXPECT_EQ(replayed_[i].id, std::to_string(i));
    EXPECT_EQ(replayed_[i].json, texts[i]);
  }
}

TEST_F(WalTest, RecordsComeBackInOrderAfterReopen) {
  {
    auto wal = Open();
    ASSERT_TRUE(wal.ok()) << wal.status().ToString();
    EXPECT_EQ((*wal)->next_lsn(), 1u);
    std::vector<WalEntry> batch = {{100, "analytics.events", "a", R"({"id":"a"})"},
                                   {101, "ns.other", "", R"({"x":1})"}};
    auto first = (*wal)->Write(batch);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(*first, 1u);
    ASSERT_TRUE((*wal)->Sync(2).ok());
    std::string big(100000, 'z');
    std::vector<WalEntry> one = {{102, "analytics.events", "c", big}};
    EXPECT_EQ(*(*wal)->Write(one), 3u);
  }
  auto wal = Open();
  ASSERT_TRUE(wal.ok());
  ASSERT_EQ(replayed_.size(), 3u);
  EXPECT_EQ(replayed_[0].lsn, 1u);
  EXPECT_EQ(replayed_[0].received_at, 100);
  EXPECT_EQ(replayed_[0].table, "analytics.events");
  EXPECT_EQ(replayed_[0].id, "a");
  EXPECT_EQ(replayed_[0].json, R"({"id":"a"})");
  EXPECT_EQ(replayed_[1].table, "ns.other");
  EXPECT_EQ(replayed_[1].id, "");
  EXPECT_EQ(replayed_[2].lsn, 3u);
  EXPECT_EQ(replayed_[2].json.size(), 100000u);
  EXPECT_EQ((*wal)->next_lsn(), 4u);
}

TEST_F(WalTest, NextLsnHonoursPositionsRecordedElsewhere) {
  auto wal = Open({}, 500);
  ASSERT_TRUE(wal.ok());
  std::vector<WalEntry> one = {{1, "t.t", "", "{}"}};
  EXPECT_EQ(*(*wal)->Write(one), 500u);
}

TEST_F(WalTest, TornTailEndsTheLogAndIsCutOff) {
  {
    auto wal = Open();
    ASSERT_TRUE(wal.ok());
    for (int i = 0; i < 5; ++i) {
      std::string id = std::to_string(i);
      std::string json = "{\"n\":" + id + "}";
      std::vector<WalEntry> one = {{i, "t.t", id, json}};
      ASSERT_TRUE((*wal)->Write(one).ok());
    }
  }
  auto files = SegmentFiles();
  ASSERT_EQ(files.size(), 1u);
  auto size = std::filesystem::file_size(files[0]);
  // A crash in the middle of the last record's write.
  std::filesystem::resize_file(files[0], size - 3);
  auto wal = Open();
  ASSERT_TRUE(wal.ok()) << wal.status().ToString();
  ASSERT_EQ(replayed_.size(), 4u);
  EXPECT_EQ((*wal)->next_lsn(), 5u);
  EXPECT_TRUE(Logged("wal.torn_tail"));
  std::vector<WalEntry> one = {{9, "t.t", "9", "{}"}};
  EXPECT_EQ(*(*wal)->Write(one), 5u);
  wal->reset();
  ASSERT_TRUE(Open().ok());
  ASSERT_EQ(replayed_.size(), 5u);
  EXPECT_EQ(replayed_[4].id, "9");
}

TEST_F(WalTest, CorruptRecordEndsItsSegment) {
  {
    auto wal = Open();
    ASSERT_TRUE(wal.ok());
    for (int i = 0; i < 3; ++i) {
      std::vector<WalEntry> one = {{i, "t.t", "id", "{\"payload\":\"abcdefgh\"}"}};
      ASSERT_TRUE((*wal)->Write(one).ok());
    }
  }
  auto files = SegmentFiles();
  ASSERT_EQ(files.size(), 1u);
  auto size = std::filesystem::file_size(files[0]);
  {
    // Flip a byte inside the second record's JSON.
    std::fstream f(files[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(8 + (size - 8) / 3 + (size - 8) / 6));
    f.put('#');
  }
  auto wal = Open();
  ASSERT_TRUE(wal.ok());
  EXPECT_EQ(replayed_.size(), 1u);
  EXPECT_TRUE(Logged("checksum mismatch"));
  // Garbage in place of a segment header (a crash right after the file was made) is no crash.
  std::ofstream(dir_.path() + "/wal/wal-00000000000000000099.log") << "xy";
  wal->reset();
  EXPECT_TRUE(Open().ok());
}

TEST_F(WalTest, SegmentsRotateBySizeAndCoveredOnesAreDeleted) {
  WalOptions options;
  options.segment_bytes = 200;
  auto wal = Open(options);
  ASSERT_TRUE(wal.ok());
  for (int i = 0; i < 20; ++i) {
    std::string json(60, 'x');
    std::vector<WalEntry> one = {{1000 + i, "t.t", "", json}};
    ASSERT_TRUE((*wal)->Write(one).ok());
  }
  auto segments = (*wal)->segments();
  ASSERT_GT(segments.size(), 5u);
  for (size_t i = 1; i < segments.size(); ++i) {
    EXPECT_GT(segments[i].first_lsn, segments[i - 1].first_lsn);
  }
  int64_t before = (*wal)->total_bytes();
  // Nothing is deleted while its records are too recent for the dedup window.
  EXPECT_EQ(*(*wal)->DeleteSegmentsBelow(11, 0), 0);
  auto deleted = (*wal)->DeleteSegmentsBelow(11, 1 << 30);
  ASSERT_TRUE(deleted.ok());
  EXPECT_GT(*deleted, 0);
  EXPECT_EQ((*wal)->total_bytes(), before - *deleted);
  auto left = (*wal)->segments();
  // Only segments wholly below LSN 11 went; LSN 11 itself is still in the log.
  EXPECT_LE(left.front().first_lsn, 11u);
  EXPECT_EQ(*(*wal)->DeleteSegmentsBelow(1000, 1 << 30) > 0, true);
  ASSERT_EQ((*wal)->segments().size(), 1u);  // the active one stays
  uint64_t active_first = (*wal)->segments()[0].first_lsn;
  wal->reset();
  auto reopened = Open(options);
  ASSERT_TRUE(reopened.ok());
  ASSERT_FALSE(replayed_.empty());
  EXPECT_EQ(replayed_.front().lsn, active_first);
  EXPECT_EQ(replayed_.back().lsn, 20u);
  EXPECT_EQ((*reopened)->next_lsn(), 21u);
}

// Retired segments become spares that later segments reuse in place. A copy of the folder taken
// while the log is open (what a crash leaves: a reused segment whose older records follow the new
// ones) replays exactly the records written, none of the older ones; a clean close cuts the
// reused segment to its records; spares left over are deleted at the next open.
TEST_F(WalTest, ReusedSegmentsReplayOnlyTheirOwnRecords) {
  WalOptions options;
  options.segment_bytes = 300;
  options.spare_segments = 2;
  auto wal = Open(options);
  ASSERT_TRUE(wal.ok());
  const std::string long_json(80, 'o');  // the older records: longer than the new ones
  for (int i = 0; i < 30; ++i) {
    std::vector<WalEntry> one = {{1000 + i, "t.t", "", long_json}};
    ASSERT_TRUE((*wal)->Write(one).ok());
  }
  auto count_spares = [&] {
    size_t n = 0;
    for (const auto& f : SegmentFiles()) n += f.find("/spare-") != std::string::npos;
    return n;
  };
  ASSERT_GT((*wal)->segments().size(), 4u);
  ASSERT_GT(*(*wal)->DeleteSegmentsBelow(1000, int64_t{1} << 40), 0);
  EXPECT_EQ(count_spares(), 2u);
  ASSERT_EQ((*wal)->segments().size(), 1u);
  const uint64_t first_kept = (*wal)->segments()[0].first_lsn;

  // New records of unlike, shorter lengths, until both spares are in use.
  std::vector<std::string> jsons;
  for (int i = 0; count_spares() > 0 || (*wal)->segments().back().size_bytes < 150; ++i) {
    ASSERT_LT(i, 100);
    jsons.push_back("{\"n\":" + std::to_string(i) + std::string(static_cast<size_t>(i % 7), 'x') +
                    "}");
    std::vector<WalEntry> one = {{2000 + i, "t.t", "", jsons.back()}};
    ASSERT_TRUE((*wal)->Write(one).ok());
  }
  const uint64_t last = (*wal)->next_lsn() - 1;
  // The active segment is a reused one and still ends in bytes of its former life.
  const WalSegmentInfo active = (*wal)->segments().back();
  ASSERT_GT(std::filesystem::file_size(active.path), static_cast<uintmax_t>(active.size_bytes));

  // A crash: open a copy of the folder as it is now.
  const std::string copy = dir_.path() + "/crashed";
  std::filesystem::copy(dir_.path() + "/wal", copy);
  std::ofstream(copy + "/spare-00000000000000000001.log") << "left by the crash";
  {
    WalOptions crashed = options;
    crashed.dir = copy;
    log_.clear();
    auto reopened = Open(crashed);
    ASSERT_TRUE(reopened.ok());
    ASSERT_EQ(replayed_.size(), last - first_kept + 1);
    for (size_t i = 0; i < replayed_.size(); ++i) {
      ASSERT_EQ(replayed_[i].lsn, first_kept + i);
      const bool older = replayed_[i].received_at < 2000;
      EXPECT_EQ(replayed_[i].json, older ? long_json : jsons[replayed_[i].received_at - 2000]);
    }
    EXPECT_EQ((*reopened)->next_lsn(), last + 1);
    EXPECT_TRUE(Logged("wal.torn_tail"));          // the active segment's older bytes
    EXPECT_FALSE(Logged("\"level\":\"error\""));  // nothing is missing
    for (const auto& e : std::filesystem::directory_iterator(copy)) {
      EXPECT_EQ(e.path().filename().string().rfind("spare-", 0), std::string::npos);
    }
  }

  // A clean close cuts the reused segment to its records: no torn tail at the next open.
  wal->reset();
  EXPECT_EQ(std::filesystem::file_size(active.path), static_cast<uintmax_t>(active.size_bytes));
  log_.clear();
  auto reopened = Open(options);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(replayed_.size(), last - first_kept + 1);
  EXPECT_FALSE(Logged("wal.torn_tail"));
  EXPECT_EQ(count_spares(), 0u);
}

// Bytes after the last record of a segment whose records reach the next one's first LSN lose
// nothing (a reused segment whose cut to length did not reach the disk): a warning. A segment
// that ends short of the next one's first LSN lost records: an error.
TEST_F(WalTest, OnlyASegmentEndingShortIsAnError) {
  WalOptions options;
  options.segment_bytes = 200;
  {
    auto wal = Open(options);
    ASSERT_TRUE(wal.ok());
    const std::string json(60, 'x');
    for (int i = 0; i < 10; ++i) {
      std::vector<WalEntry> one = {{1000 + i, "t.t", "", json}};
      ASSERT_TRUE((*wal)->Write(one).ok());
    }
  }
  const std::string first = SegmentFiles().front();
  ASSERT_GT(SegmentFiles().size(), 2u);
  std::ofstream(first, std::ios::app) << "older bytes of a reused segment";
  log_.clear();
  {
    auto wal = Open(options);
    ASSERT_TRUE(wal.ok());
    EXPECT_EQ(replayed_.size(), 10u);
    EXPECT_TRUE(Logged("wal.torn_tail"));
    EXPECT_FALSE(Logged("\"level\":\"error\""));
  }
  std::filesystem::resize_file(first, std::filesystem::file_size(first) - 5);
  log_.clear();
  auto wal = Open(options);
  ASSERT_TRUE(wal.ok());
  EXPECT_EQ(replayed_.size(), 9u);
  EXPECT_TRUE(Logged("\"level\":\"error\",\"event\":\"wal.torn_tail\""));
}

TEST_F(WalTest, PastItsByteBudgetOnlyTheOldestCoveredSegmentsGo) {
  WalOptions options;
  options.segment_bytes = 200;
  auto wal = Open(options);
  ASSERT_TRUE(wal.ok());
  const std::string json(60, 'x');  // WalEntry views its text
  for (int i = 0; i < 20; ++i) {
    std::vector<WalEntry> one = {{1000 + i, "t.t", "", json}};
    ASSERT_TRUE((*wal)->Write(one).ok());
  }
  auto before = (*wal)->segments();
  ASSERT_GT(before.size(), 5u);
  const int64_t total = (*wal)->total_bytes();
  // Every record is covered, and all are inside the dedup window (received after 0): only the
  // budget decides. Two segments over it: the two oldest go, the rest stay.
  const int64_t budget = total - before[0].size_bytes - before[1].size_bytes;
  auto deleted = (*wal)->DeleteSegmentsBelow(1000, 0, budget);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, before[0].size_bytes + before[1].size_bytes);
  auto after = (*wal)->segments();
  ASSERT_EQ(after.size(), before.size() - 2);
  EXPECT_EQ(after.front().first_lsn, before[2].first_lsn);
  EXPECT_EQ((*wal)->total_bytes(), budget);
  // Within the budget, nothing more goes; a budget of 0 leaves only the active segment.
  EXPECT_EQ(*(*wal)->DeleteSegmentsBelow(1000, 0, budget), 0);
  EXPECT_GT(*(*wal)->DeleteSegmentsBelow(1000, 0, 0), 0);
  EXPECT_EQ((*wal)->segments().size(), 1u);
}

TEST_F(WalTest, GroupCommitFromManyThreads) {
  auto wal = Open();
  ASSERT_TRUE(wal.ok());
  Wal* w = wal->get();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::mutex order_mu;  // the collector serialises writes the same way
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string id = std::to_string(t) + "-" + std::to_string(i);
        std::vector<WalEntry> one = {{t, "t.t", id, "{}"}};
        Result<uint64_t> lsn = [&] {
          std::lock_guard lock(order_mu);
          return w->Write(one);
        }();
        if (!lsn.ok() || !w->Sync(*lsn).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  wal->reset();
  ASSERT_TRUE(Open().ok());
  ASSERT_EQ(replayed_.size(), static_cast<size_t>(kThreads * kPerThread));
  std::set<std::string> ids;
  for (size_t i = 0; i < replayed_.size(); ++i) {
    EXPECT_EQ(replayed_[i].lsn, i + 1);
    ids.insert(replayed_[i].id);
  }
  EXPECT_EQ(ids.size(), replayed_.size());
}

TEST_F(WalTest, DurabilityNamesParse) {
  EXPECT_EQ(*ParseDurability("fsync"), Durability::kFsync);
  EXPECT_EQ(*ParseDurability("none"), Durability::kNone);
  EXPECT_EQ(ParseDurability("sometimes").status().kind(), ErrorKind::kInvalidArgument);
}

}  // namespace
}  // namespace floe::ingest
