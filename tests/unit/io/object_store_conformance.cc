#include "unit/io/object_store_conformance.h"

#include <gmock/gmock.h>

#include <atomic>
#include <thread>
#include <vector>

namespace floe::testing {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Locations(const std::vector<ObjectInfo>& infos) {
  std::vector<std::string> out;
  for (const auto& info : infos) out.push_back(info.location);
  return out;
}

TEST_P(ObjectStoreConformanceTest, PutThenGetReturnsTheBytes) {
  std::string binary(1000, '\xff');
  binary[3] = '\0';
  ASSERT_TRUE(store().Put(Loc("a/b.bin"), binary).ok());
  auto got = store().Get(Loc("a/b.bin"));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, binary);
  ASSERT_TRUE(store().Put(Loc("a/b.bin"), "replaced").ok());
  EXPECT_EQ(store().Get(Loc("a/b.bin")).value(), "replaced");
}

TEST_P(ObjectStoreConformanceTest, EmptyObjectExists) {
  ASSERT_TRUE(store().Put(Loc("empty"), "").ok());
  EXPECT_EQ(store().Get(Loc("empty")).value(), "");
  EXPECT_EQ(store().Stat(Loc("empty")).value().size_bytes, 0);
}

TEST_P(ObjectStoreConformanceTest, MissingObjectIsNotFoundNamingTheLocation) {
  auto got = store().Get(Loc("nope"));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().kind(), ErrorKind::kNotFound);
  EXPECT_THAT(got.status().message(), ::testing::HasSubstr("nope"));
  EXPECT_EQ(store().Stat(Loc("nope")).status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(store().OpenRead(Loc("nope")).status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(store().GetRange(Loc("nope"), 0, 1).status().kind(), ErrorKind::kNotFound);
}

TEST_P(ObjectStoreConformanceTest, RangedGetReturnsTheRange) {
  ASSERT_TRUE(store().Put(Loc("r"), "0123456789").ok());
  EXPECT_EQ(store().GetRange(Loc("r"), 0, 10).value(), "0123456789");
  EXPECT_EQ(store().GetRange(Loc("r"), 3, 4).value(), "3456");
  EXPECT_EQ(store().GetRange(Loc("r"), 10, 0).value(), "");
}

TEST_P(ObjectStoreConformanceTest, ReadsBeyondTheEndAreErrors) {
  ASSERT_TRUE(store().Put(Loc("r"), "0123456789").ok());
  EXPECT_EQ(store().GetRange(Loc("r"), 5, 6).status().kind(), ErrorKind::kCorrupt);
  EXPECT_EQ(store().GetRange(Loc("r"), 11, 0).status().kind(), ErrorKind::kCorrupt);
  EXPECT_EQ(store().GetRange(Loc("r"), -1, 2).status().kind(), ErrorKind::kCorrupt);
  // A length read from a corrupt footer must not become a huge allocation.
  EXPECT_EQ(store().GetRange(Loc("r"), 0, int64_t{1} << 60).status().kind(), ErrorKind::kCorrupt);
  auto file = store().OpenRead(Loc("r"));
  ASSERT_TRUE(file.ok());
  EXPECT_EQ((*file)->Size().value(), 10);
  uint8_t buf[16];
  EXPECT_TRUE((*file)->ReadAt(8, 2, buf).ok());
  EXPECT_EQ(buf[0], '8');
  Status st = (*file)->ReadAt(8, 3, buf);
  EXPECT_EQ(st.kind(), ErrorKind::kCorrupt);
  EXPECT_THAT(st.message(), ::testing::HasSubstr("r"));
}

TEST_P(ObjectStoreConformanceTest, StatReportsSizeAndMtime) {
  ASSERT_TRUE(store().Put(Loc("s/t"), "12345").ok());
  auto info = store().Stat(Loc("s/t"));
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->size_bytes, 5);
  EXPECT_GT(info->mtime_micros, 0);
  EXPECT_EQ(info->location, Loc("s/t"));
}

TEST_P(ObjectStoreConformanceTest, ListIsRecursiveSortedAndByStringPrefix) {
  for (const char* key : {"d/b/2", "d/a", "d/b/1", "d/bc", "e/x", "d/b/c/3"}) {
    ASSERT_TRUE(store().Put(Loc(key), key).ok());
  }
  auto all = store().List(Loc("d/"));
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_THAT(Locations(*all),
              ElementsAre(Loc("d/a"), Loc("d/b/1"), Loc("d/b/2"), Loc("d/b/c/3"), Loc("d/bc")));
  EXPECT_EQ((*all)[0].size_bytes, 3);
  EXPECT_THAT(Locations(store().List(Loc("d/b/")).value()),
              ElementsAre(Loc("d/b/1"), Loc("d/b/2"), Loc("d/b/c/3")));
  EXPECT_THAT(Locations(store().List(Loc("d/b")).value()),
              ElementsAre(Loc("d/b/1"), Loc("d/b/2"), Loc("d/b/c/3"), Loc("d/bc")));
  EXPECT_TRUE(store().List(Loc("zzz/")).value().empty());
  EXPECT_EQ(store().List(under_test_.base).value().size(), 6u);
}

TEST_P(ObjectStoreConformanceTest, ListPagesThroughMoreThanAThousandKeys) {
  constexpr int kKeys = 1100;
  // Written from several threads: one at a time, a network store spends seconds on round trips.
  constexpr int kThreads = 8;
  std::atomic<int> failed_puts{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = t; i < kKeys; i += kThreads) {
        char key[32];
        std::snprintf(key, sizeof(key), "many/%02d/k%05d", i % 7, i);
        if (!store().Put(Loc(key), "x").ok()) ++failed_puts;
      }
    });
  }
  for (auto& w : writers) w.join();
  ASSERT_EQ(failed_puts.load(), 0);
  auto all = store().List(Loc("many/"));
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), static_cast<size_t>(kKeys));
  EXPECT_TRUE(std::is_sorted(all->begin(), all->end(),
                             [](const auto& a, const auto& b) { return a.location < b.location; }));
  std::vector<std::string> paged;
  std::string token;
  int pages = 0;
  do {
    auto page = store().ListPage(Loc("many/"), token, 250);
    ASSERT_TRUE(page.ok());
    EXPECT_LE(page->objects.size(), 250u);
    for (const auto& info : page->objects) paged.push_back(info.location);
    token = page->next_page_token;
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(pages, 5);
  EXPECT_EQ(paged, Locations(*all));
}

TEST_P(ObjectStoreConformanceTest, PutIfAbsentFailsWhenPresentAndKeepsTheBytes) {
  ASSERT_TRUE(store().PutIfAbsent(Loc("once"), "first").ok());
  Status st = store().PutIfAbsent(Loc("once"), "second");
  EXPECT_EQ(st.kind(), ErrorKind::kAlreadyExists);
  EXPECT_THAT(st.message(), ::testing::HasSubstr("once"));
  EXPECT_EQ(store().Get(Loc("once")).value(), "first");
}

TEST_P(ObjectStoreConformanceTest, PutIfAbsentRaceHasExactlyOneWinner) {
  constexpr int kThreads = 8;
  constexpr int kKeys = 20;
  std::vector<std::atomic<int>> wins(kKeys);
  std::vector<std::atomic<int>> winner(kKeys);
  std::atomic<int> other_errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kKeys; ++k) {
        Status st = store().PutIfAbsent(Loc("race/" + std::to_string(k)), "t" + std::to_string(t));
        if (st.ok()) {
          ++wins[k];
          winner[k] = t;
        } else if (st.kind() != ErrorKind::kAlreadyExists) {
          ++other_errors;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(other_errors.load(), 0);
  for (int k = 0; k < kKeys; ++k) {
    EXPECT_EQ(wins[k].load(), 1) << "key " << k;
    EXPECT_EQ(store().Get(Loc("race/" + std::to_string(k))).value(),
              "t" + std::to_string(winner[k].load()));
  }
  EXPECT_EQ(store().List(Loc("race/")).value().size(), static_cast<size_t>(kKeys));
}

TEST_P(ObjectStoreConformanceTest, ReadersNeverSeeAHalfWrittenObject) {
  if (under_test_.torn_reads_possible) GTEST_SKIP() << "this store's server writes in place";
  constexpr size_t kSize = 64 * 1024;
  ASSERT_TRUE(store().Put(Loc("torn"), std::string(kSize, 'a')).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0}, reads{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      // Fast stores could finish before a reader starts: keep writing until reads overlapped.
      for (int i = 0; i < 40 || reads < 20; ++i) {
        // Every version is one repeated letter, so any mix of two versions is detectable.
        std::string data(kSize, static_cast<char>('b' + (w * 40 + i) % 20));
        if (!store().Put(Loc("torn"), data).ok()) ++bad;
      }
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      while (!stop) {
        auto got = store().Get(Loc("torn"));
        ++reads;
        if (!got.ok() || got->size() != kSize ||
            got->find_first_not_of(got->front()) != std::string::npos) {
          ++bad;
        }
      }
    });
  }
  for (int t = 0; t < 2; ++t) threads[t].join();
  stop = true;
  for (size_t t = 2; t < threads.size(); ++t) threads[t].join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(reads.load(), 0);
}

TEST_P(ObjectStoreConformanceTest, DeleteRemovesAndMissingIsNotFound) {
  ASSERT_TRUE(store().Put(Loc("del/x"), "x").ok());
  EXPECT_TRUE(store().Delete(Loc("del/x")).ok());
  EXPECT_EQ(store().Get(Loc("del/x")).status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(store().Delete(Loc("del/x")).kind(), ErrorKind::kNotFound);
  EXPECT_TRUE(store().List(Loc("del/")).value().empty());
}

TEST_P(ObjectStoreConformanceTest, DeleteManyIgnoresMissing) {
  for (const char* key : {"dm/1", "dm/2", "dm/3"}) ASSERT_TRUE(store().Put(Loc(key), "x").ok());
  EXPECT_TRUE(store().DeleteMany({Loc("dm/1"), Loc("dm/3"), Loc("dm/none")}).ok());
  EXPECT_THAT(Locations(store().List(Loc("dm/")).value()), ElementsAre(Loc("dm/2")));
}

TEST_P(ObjectStoreConformanceTest, CreatedObjectIsInvisibleUntilClose) {
  auto out = store().Create(Loc("c/obj"));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_TRUE((*out)->Append(AsBytes("abc")).ok());
  ASSERT_TRUE((*out)->Append(AsBytes("def")).ok());
  EXPECT_EQ((*out)->Tell(), 6);
  EXPECT_EQ(store().Stat(Loc("c/obj")).status().kind(), ErrorKind::kNotFound);
  EXPECT_TRUE(store().List(Loc("c/")).value().empty());
  ASSERT_TRUE((*out)->Close().ok());
  EXPECT_EQ(store().Get(Loc("c/obj")).value(), "abcdef");
}

TEST_P(ObjectStoreConformanceTest, CreateThenAbortLeavesNothing) {
  {
    auto out = store().Create(Loc("ab/aborted"));
    ASSERT_TRUE(out.ok());
    ASSERT_TRUE((*out)->Append(AsBytes("data")).ok());
    (*out)->Abort();
    auto dropped = store().Create(Loc("ab/dropped"));
    ASSERT_TRUE(dropped.ok());
    ASSERT_TRUE((*dropped)->Append(AsBytes("data")).ok());
  }  // `dropped` destroyed without Close
  EXPECT_TRUE(store().List(Loc("ab/")).value().empty());
  EXPECT_EQ(store().Stat(Loc("ab/aborted")).status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(store().Stat(Loc("ab/dropped")).status().kind(), ErrorKind::kNotFound);
}

// Large enough for several multipart parts on S3 (the S3 test stores use small parts).
TEST_P(ObjectStoreConformanceTest, CreateStreamsALargeObject) {
  std::string expected;
  auto out = store().Create(Loc("big/obj"));
  ASSERT_TRUE(out.ok());
  for (int i = 0; i < 300; ++i) {
    std::string chunk(4000 + i, static_cast<char>('a' + i % 26));
    chunk[0] = static_cast<char>(i);
    ASSERT_TRUE((*out)->Append(AsBytes(chunk)).ok());
    expected += chunk;
  }
  EXPECT_EQ((*out)->Tell(), static_cast<int64_t>(expected.size()));
  EXPECT_EQ(store().Stat(Loc("big/obj")).status().kind(), ErrorKind::kNotFound);
  ASSERT_TRUE((*out)->Close().ok());
  auto got = store().Get(Loc("big/obj"));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == expected) << "sizes " << got->size() << " and " << expected.size();
  EXPECT_EQ(store().Stat(Loc("big/obj")).value().size_bytes, static_cast<int64_t>(expected.size()));
  EXPECT_EQ(store().GetRange(Loc("big/obj"), 500'000, 70'000).value(),
            expected.substr(500'000, 70'000));
  auto file = store().OpenRead(Loc("big/obj"));
  ASSERT_TRUE(file.ok());
  std::string tail(100, '\0');
  ASSERT_TRUE((*file)
                  ->ReadAt(static_cast<int64_t>(expected.size()) - 100, 100,
                           reinterpret_cast<uint8_t*>(tail.data()))
                  .ok());
  EXPECT_EQ(tail, expected.substr(expected.size() - 100));
  std::string head(100, '\0');
  ASSERT_TRUE((*file)->ReadAt(0, 100, reinterpret_cast<uint8_t*>(head.data())).ok());
  EXPECT_EQ(head, expected.substr(0, 100));
}

TEST_P(ObjectStoreConformanceTest, AbortedLargeStreamLeavesNothing) {
  {
    auto out = store().Create(Loc("bigab/obj"));
    ASSERT_TRUE(out.ok());
    ASSERT_TRUE((*out)->Append(AsBytes(std::string(700'000, 'x'))).ok());
    (*out)->Abort();
    auto dropped = store().Create(Loc("bigab/dropped"));
    ASSERT_TRUE(dropped.ok());
    ASSERT_TRUE((*dropped)->Append(AsBytes(std::string(700'000, 'y'))).ok());
  }
  EXPECT_TRUE(store().List(Loc("bigab/")).value().empty());
  EXPECT_EQ(store().Stat(Loc("bigab/obj")).status().kind(), ErrorKind::kNotFound);
}

TEST_P(ObjectStoreConformanceTest, CreateReplacesOnClose) {
  ASSERT_TRUE(store().Put(Loc("rep"), "old").ok());
  auto out = store().Create(Loc("rep"));
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE((*out)->Append(AsBytes("new")).ok());
  EXPECT_EQ(store().Get(Loc("rep")).value(), "old");
  ASSERT_TRUE((*out)->Close().ok());
  EXPECT_EQ(store().Get(Loc("rep")).value(), "new");
}

TEST_P(ObjectStoreConformanceTest, EquivalentSpellingsNameTheSameObject) {
  ASSERT_TRUE(store().Put(Loc("sp/a"), "x").ok());
  EXPECT_EQ(store().Get(Loc("sp//./a")).value(), "x");
  EXPECT_EQ(store().Get(Loc("sp/../sp/a")).status().kind(), ErrorKind::kInvalidArgument);
}

}  // namespace
}  // namespace floe::testing
