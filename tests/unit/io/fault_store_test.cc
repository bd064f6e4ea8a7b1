#include "floe/io/fault_store.h"

#include <gtest/gtest.h>

#include "floe/io/memory_store.h"

namespace floe {
namespace {

class FaultStoreTest : public ::testing::Test {
 protected:
  FakeClock clock_{1};
  MemoryStore base_{&clock_};
  FaultInjectingStore store_{&base_, 7};
};

TEST_F(FaultStoreTest, FailNextFailsExactlyThatManyCalls) {
  store_.FailNext(StoreOp::kWrite, FaultKind::kError, 2);
  EXPECT_EQ(store_.Put("mem://b/x", "1").kind(), ErrorKind::kIOError);
  Status st = store_.Put("mem://b/x", "2");
  EXPECT_EQ(st.kind(), ErrorKind::kIOError);
  EXPECT_NE(st.message().find("mem://b/x"), std::string::npos);
  EXPECT_EQ(base_.size(), 0u);
  EXPECT_TRUE(store_.Put("mem://b/x", "3").ok());
  EXPECT_EQ(base_.Get("mem://b/x").value(), "3");
  EXPECT_EQ(store_.injected_count(), 2);
}

TEST_F(FaultStoreTest, ErrorAfterApplyLandsTheWriteButReportsFailure) {
  store_.FailNext(StoreOp::kPutIfAbsent, FaultKind::kErrorAfterApply);
  EXPECT_EQ(store_.PutIfAbsent("mem://b/p", "v").kind(), ErrorKind::kIOError);
  EXPECT_EQ(base_.Get("mem://b/p").value(), "v");
  store_.FailNext(StoreOp::kDelete, FaultKind::kErrorAfterApply);
  EXPECT_EQ(store_.Delete("mem://b/p").kind(), ErrorKind::kIOError);
  EXPECT_EQ(base_.size(), 0u);
}

TEST_F(FaultStoreTest, FailedCloseOfAStreamLeavesNothing) {
  store_.FailNext(StoreOp::kWrite);
  auto out = store_.Create("mem://b/s");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)->Append(AsBytes("abc")).kind(), ErrorKind::kIOError);
  ASSERT_TRUE((*out)->Append(AsBytes("abc")).ok());
  store_.FailNext(StoreOp::kWrite);
  EXPECT_EQ((*out)->Close().kind(), ErrorKind::kIOError);
  EXPECT_EQ(base_.size(), 0u);
}

TEST_F(FaultStoreTest, ReadFaultsShortenOrCorruptTheBytes) {
  std::string data(64, 'a');
  ASSERT_TRUE(base_.Put("mem://b/r", data).ok());
  store_.FailNext(StoreOp::kRead, FaultKind::kShortRead);
  EXPECT_EQ(store_.Get("mem://b/r").value().size(), 32u);
  store_.FailNext(StoreOp::kRead, FaultKind::kCorruptBytes);
  std::string corrupt = store_.Get("mem://b/r").value();
  ASSERT_EQ(corrupt.size(), data.size());
  EXPECT_NE(corrupt, data);
  store_.FailNext(StoreOp::kRead, FaultKind::kError);
  EXPECT_EQ(store_.GetRange("mem://b/r", 0, 4).status().kind(), ErrorKind::kIOError);

  auto file = store_.OpenRead("mem://b/r");
  ASSERT_TRUE(file.ok());
  uint8_t buf[8];
  store_.FailNext(StoreOp::kRead, FaultKind::kShortRead);
  EXPECT_EQ((*file)->ReadAt(0, 8, buf).kind(), ErrorKind::kCorrupt);
  store_.FailNext(StoreOp::kRead, FaultKind::kCorruptBytes);
  ASSERT_TRUE((*file)->ReadAt(0, 8, buf).ok());
  EXPECT_NE(std::string(reinterpret_cast<char*>(buf), 8), std::string(8, 'a'));
  EXPECT_TRUE((*file)->ReadAt(0, 8, buf).ok());
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), 8), std::string(8, 'a'));
}

TEST_F(FaultStoreTest, RandomFaultsAreReproducibleFromTheSeed) {
  auto pattern = [](uint64_t seed) {
    FakeClock clock(1);
    MemoryStore base(&clock);
    FaultInjectingStore store(&base, seed);
    store.SetFailureProbability(StoreOp::kStat, 0.5);
    std::string out;
    for (int i = 0; i < 64; ++i)
      out += store.Stat("mem://b/none").status().kind() == ErrorKind::kIOError ? 'E' : '.';
    return out;
  };
  std::string a = pattern(123);
  EXPECT_EQ(a, pattern(123));
  EXPECT_NE(a.find('E'), std::string::npos);
  EXPECT_NE(a.find('.'), std::string::npos);
}

TEST_F(FaultStoreTest, LocationFilterLimitsFaults) {
  store_.SetLocationFilter("/metadata/");
  store_.SetFailureProbability(StoreOp::kWrite, 1.0);
  EXPECT_TRUE(store_.Put("mem://b/t/data/f", "x").ok());
  EXPECT_EQ(store_.Put("mem://b/t/metadata/m.json", "x").kind(), ErrorKind::kIOError);
  store_.Clear();
  EXPECT_TRUE(store_.Put("mem://b/t/metadata/m.json", "x").ok());
}

}  // namespace
}  // namespace floe
