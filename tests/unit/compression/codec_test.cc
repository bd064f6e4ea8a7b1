#include <gtest/gtest.h>

#include <random>
#include <string>

#include "floe/compression/codec.h"

namespace floe {
namespace {

std::string Sample(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s;
  s.reserve(n);
  for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('a' + rng() % (i % 7 == 0 ? 26 : 3)));
  return s;
}

class CodecRoundTrip : public ::testing::TestWithParam<CodecKind> {};

TEST_P(CodecRoundTrip, KnownAndUnknownSize) {
  auto codec = MakeCodec(GetParam());
  ASSERT_TRUE(codec.ok()) << codec.status().ToString();
  for (size_t n : {size_t{0}, size_t{1}, size_t{1000}, size_t{300000}}) {
    std::string in = Sample(n, static_cast<uint32_t>(n));
    Buffer compressed;
    ASSERT_TRUE((*codec)->Compress(AsBytes(in), &compressed).ok());
    std::string out(n, '\0');
    Status s = (*codec)->Decompress(compressed.view(), reinterpret_cast<uint8_t*>(out.data()), n);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(out, in);
    if (GetParam() != CodecKind::kLz4Raw) {
      Buffer unbounded;
      ASSERT_TRUE((*codec)->DecompressUnbounded(compressed.view(), n, &unbounded).ok());
      EXPECT_EQ(unbounded.string_view(), in);
    }
    if (n > 0) {
      // A wrong expected size is an error, not a buffer overrun.
      std::string small(n - 1, '\0');
      EXPECT_FALSE((*codec)->Decompress(compressed.view(), reinterpret_cast<uint8_t*>(small.data()), n - 1).ok());
    }
  }
}

TEST_P(CodecRoundTrip, GarbageIsAnErrorNotACrash) {
  auto codec = MakeCodec(GetParam());
  ASSERT_TRUE(codec.ok());
  if (GetParam() == CodecKind::kNone) return;
  std::string garbage = "\xff\xfe\x00garbage garbage garbage";
  std::string out(100, '\0');
  EXPECT_FALSE((*codec)->Decompress(AsBytes(garbage), reinterpret_cast<uint8_t*>(out.data()), 100).ok());
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, CodecRoundTrip,
                         ::testing::Values(CodecKind::kNone, CodecKind::kSnappy, CodecKind::kGzip,
                                           CodecKind::kDeflate, CodecKind::kZstd, CodecKind::kLz4Raw),
                         [](const auto& info) { return std::string(CodecKindName(info.param)); });

TEST(CodecTest, BombsAreBounded) {
  std::string zeros(10 << 20, '\0');
  for (CodecKind k : {CodecKind::kGzip, CodecKind::kZstd}) {
    auto codec = MakeCodec(k);
    Buffer compressed;
    ASSERT_TRUE((*codec)->Compress(AsBytes(zeros), &compressed).ok());
    Buffer out;
    Status s = (*codec)->DecompressUnbounded(compressed.view(), 1 << 20, &out);
    EXPECT_EQ(s.kind(), ErrorKind::kResourceExhausted) << CodecKindName(k);
    EXPECT_LE(out.size(), (1u << 20) + 128 * 1024);
  }
}

TEST(CodecTest, TruncatedGzipIsCorrupt) {
  auto codec = MakeCodec(CodecKind::kGzip);
  std::string in = Sample(5000, 1);
  Buffer compressed;
  ASSERT_TRUE((*codec)->Compress(AsBytes(in), &compressed).ok());
  Buffer out;
  Status s = (*codec)->DecompressUnbounded(ByteView(compressed.data(), compressed.size() / 2), 1 << 20, &out);
  EXPECT_EQ(s.kind(), ErrorKind::kCorrupt) << s.ToString();
}

TEST(CodecTest, ParsesNames) {
  EXPECT_EQ(*ParseCodecKind("zstd"), CodecKind::kZstd);
  auto bad = ParseCodecKind("brotli");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("brotli"), std::string::npos);
  EXPECT_EQ(MakeCodec(CodecKind::kZstd, 99).status().kind(), ErrorKind::kInvalidArgument);
}

}  // namespace
}  // namespace floe
