#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

#include "floe/common/clock.h"
#include "floe/util/base64.h"
#include "floe/util/crc32c.h"
#include "floe/util/endian.h"
#include "floe/util/hash.h"
#include "floe/util/uuid.h"
#include "floe/util/varint.h"

namespace floe {
namespace {

TEST(VarintTest, RoundTripsAndRejectsTruncation) {
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 300ull, 1ull << 35, ~0ull}) {
    uint8_t buf[kMaxVarint64Bytes];
    size_t n = EncodeUleb128(v, buf);
    const uint8_t* p = buf;
    uint64_t out = 0;
    ASSERT_TRUE(DecodeUleb128(&p, buf + n, &out));
    EXPECT_EQ(out, v);
    EXPECT_EQ(p, buf + n);
    const uint8_t* q = buf;
    if (n > 1) {
      EXPECT_FALSE(DecodeUleb128(&q, buf + n - 1, &out));
    }
  }
  uint8_t overlong[11];
  for (auto& b : overlong) b = 0xff;
  const uint8_t* p = overlong;
  uint64_t out;
  EXPECT_FALSE(DecodeUleb128(&p, overlong + 11, &out));
}

TEST(VarintTest, ZigZag) {
  EXPECT_EQ(ZigZagEncode64(0), 0u);
  EXPECT_EQ(ZigZagEncode64(-1), 1u);
  EXPECT_EQ(ZigZagEncode64(1), 2u);
  EXPECT_EQ(ZigZagEncode32(-2), 3u);
  for (int64_t v : std::initializer_list<int64_t>{0, -1, 1, INT64_MIN, INT64_MAX, -123456789}) {
    EXPECT_EQ(ZigZagDecode64(ZigZagEncode64(v)), v);
  }
  for (int32_t v : {0, -1, INT32_MIN, INT32_MAX}) EXPECT_EQ(ZigZagDecode32(ZigZagEncode32(v)), v);
}

TEST(Crc32cTest, KnownVectors) {
  // RFC 3720 B.4 test vectors.
  uint8_t zeros[32] = {0};
  EXPECT_EQ(Crc32c(zeros, 32), 0x8a9136aau);
  uint8_t ones[32];
  for (auto& b : ones) b = 0xff;
  EXPECT_EQ(Crc32c(ones, 32), 0x62a8ab43u);
  EXPECT_EQ(Crc32c("123456789", 9), 0xe3069283u);
  uint32_t part = Crc32cExtend(0, "1234", 4);
  EXPECT_EQ(Crc32cExtend(part, "56789", 5), 0xe3069283u);
  EXPECT_EQ(Crc32("123456789", 9), 0xcbf43926u);
}

TEST(Crc32cTest, ThreeAtOnceEqualsOneByOne) {
  std::mt19937 rng(3);
  std::string bytes(1000, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  int checked = 0;
  for (int round = 0; round < 2000; ++round) {
    // Lengths alike (WAL records are) and not: the common part, each one's rest, empty ones.
    const size_t base = rng() % 300;
    size_t n[3];
    const void* data[3];
    for (int i = 0; i < 3; ++i) {
      n[i] = round % 4 == 0 ? rng() % 300 : base + rng() % 17;
      if (round % 50 == 0 && i == 1) n[i] = 0;
      data[i] = bytes.data() + rng() % (bytes.size() - n[i]);
    }
    uint32_t crc[3];
    Crc32cOfThree(data, n, crc);
    for (int i = 0; i < 3; ++i) ASSERT_EQ(crc[i], Crc32c(data[i], n[i])) << round << " " << i;
    ++checked;
  }
  EXPECT_EQ(checked, 2000);
  const void* known[3] = {"123456789", "", "123456789"};
  const size_t known_n[3] = {9, 0, 9};
  uint32_t known_crc[3];
  Crc32cOfThree(known, known_n, known_crc);
  EXPECT_EQ(known_crc[0], 0xe3069283u);
  EXPECT_EQ(known_crc[1], 0u);
  EXPECT_EQ(known_crc[2], 0xe3069283u);
}

TEST(HashTest, Murmur3MatchesIcebergSpec) {
  // Values from the Iceberg spec's "Appendix B: 32-bit Hash Requirements".
  auto le64 = [](int64_t v) {
    uint8_t b[8];
    StoreLE<int64_t>(b, v);
    return Murmur3_32(b, 8);
  };
  EXPECT_EQ(le64(34), 2017239379);
  EXPECT_EQ(Murmur3_32("iceberg", 7), 1210000089);
  uint8_t bytes[] = {0, 1, 2, 3};
  EXPECT_EQ(Murmur3_32(bytes, 4), -188683207);
  EXPECT_EQ(XxHash64("abc", 3), XxHash64(std::string_view("abc")));
  // XXH3's published value for empty input; dictionary encoding relies on it being XXH3.
  EXPECT_EQ(XxHash3("", 0), 0x2D06800538D394C2ull);
  EXPECT_EQ(XxHash3("abc", 3), 0x78AF5F94892F3950ull);
}

TEST(UuidTest, V4AndV7) {
  FakeClock clock(1795881600000000);
  UuidGenerator gen(&clock, 42);
  Uuid a = gen.NewV4();
  EXPECT_EQ(a.version(), 4);
  EXPECT_EQ(a.bytes[8] & 0xc0, 0x80);
  auto parsed = Uuid::Parse(a.ToString());
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, a);
  Uuid b = gen.NewV7();
  EXPECT_EQ(b.version(), 7);
  clock.AdvanceMicros(5000);
  Uuid c = gen.NewV7();
  EXPECT_LT(b.ToString(), c.ToString());  // time-ordered
  EXPECT_FALSE(Uuid::Parse("not-a-uuid").has_value());
  EXPECT_FALSE(Uuid::Parse("0123456789abcdef0123456789abcdef0123").has_value());
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(gen.NewV4().ToString());
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Base64Test, RoundTrip) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(*Base64Decode("Zm9vYg=="), "foob");
  EXPECT_FALSE(Base64Decode("Zm9").has_value());
  EXPECT_FALSE(Base64Decode("Zm9!").has_value());
}

}  // namespace
}  // namespace floe
