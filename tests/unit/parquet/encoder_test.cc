#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "floe/parquet/encoding/delta_binary_packed_decoder.h"
#include "floe/parquet/encoding/delta_binary_packed_encoder.h"
#include "floe/parquet/encoding/dictionary_encoder.h"
#include "floe/parquet/encoding/plain_decoder.h"
#include "floe/parquet/encoding/plain_encoder.h"
#include "floe/parquet/encoding/rle_decoder.h"
#include "floe/parquet/encoding/rle_encoder.h"

namespace floe::parquet {
namespace {

std::string Hex(ByteView b) {
  static const char* kDigits = "0123456789ABCDEF";
  std::string out;
  for (uint8_t c : b) {
    if (!out.empty()) out += ' ';
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

TEST(RleEncoder, FiveDefinedValuesWithLengthPrefix) {
  // FORMAT_NOTES 7.3: 5 defined values of an optional flat column, data page v1.
  std::vector<int16_t> def(5, 1);
  Buffer out;
  RleBitPackedEncoder::EncodeWithLengthPrefix(def.data(), def.size(), 1, &out);
  EXPECT_EQ(Hex(out.view()), "02 00 00 00 0A 01");
}

TEST(RleEncoder, BitPackedExampleOfEncodingsMd) {
  std::vector<uint32_t> v = {0, 1, 2, 3, 4, 5, 6, 7};
  Buffer out;
  RleBitPackedEncoder::Encode(v.data(), v.size(), 3, &out);
  EXPECT_EQ(Hex(out.view()), "03 88 C6 FA");
}

TEST(RleEncoder, LongRunsBecomeRleRunsAndLiteralsAreGrouped) {
  // 3 literals, then 20 sevens: the run lends 5 values to complete the group of 8, then an RLE
  // run of 15.
  std::vector<uint32_t> v = {1, 2, 3};
  v.insert(v.end(), 20, 7);
  Buffer out;
  RleBitPackedEncoder::Encode(v.data(), v.size(), 3, &out);
  EXPECT_EQ(Hex(out.view()), "03 D1 FE FF 1E 07");
}

TEST(RleEncoder, WideValuesUseWholeBytesInRleRuns) {
  std::vector<uint32_t> v(10, 0x12345);
  Buffer out;
  RleBitPackedEncoder::Encode(v.data(), v.size(), 17, &out);
  EXPECT_EQ(Hex(out.view()), "14 45 23 01");
}

TEST(RleEncoder, RoundTripsThroughTheDecoder) {
  std::mt19937 rng(7);
  for (int width : {0, 1, 2, 3, 5, 8, 13, 16, 20, 32}) {
    for (size_t n :
         {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{1000}, size_t{5000}}) {
      std::vector<uint32_t> v(n);
      uint64_t mask = width == 32 ? 0xFFFFFFFFull : (uint64_t{1} << width) - 1;
      for (size_t i = 0; i < n; ++i) {
        // Mix runs and noise.
        v[i] = (i / 37) % 2 == 0 ? static_cast<uint32_t>(rng() & mask)
                                 : static_cast<uint32_t>((i / 37) & mask);
      }
      Buffer out;
      RleBitPackedEncoder::Encode(v.data(), n, width, &out);
      EXPECT_LE(out.size(), RleBitPackedEncoder::MaxEncodedSize(n, width));
      RleBitPackedDecoder dec;
      ASSERT_TRUE(dec.Reset(out.view(), width).ok());
      std::vector<uint32_t> back(n);
      ASSERT_TRUE(dec.Get(back.data(), static_cast<int64_t>(n)).ok()) << width << " " << n;
      EXPECT_EQ(back, v) << width << " " << n;
    }
  }
}

TEST(RleEncoder, LevelsRoundTripWithPrefix) {
  std::vector<int16_t> levels;
  for (int i = 0; i < 3000; ++i) levels.push_back(static_cast<int16_t>(i % 11 == 0 ? 0 : 3));
  Buffer out;
  RleBitPackedEncoder::EncodeWithLengthPrefix(levels.data(), levels.size(), 2, &out);
  RleBitPackedDecoder dec;
  size_t consumed = 0;
  ASSERT_TRUE(dec.ResetWithLengthPrefix(out.view(), 2, &consumed).ok());
  EXPECT_EQ(consumed, out.size());
  std::vector<int16_t> back(levels.size());
  ASSERT_TRUE(dec.Get(back.data(), static_cast<int64_t>(back.size())).ok());
  EXPECT_EQ(back, levels);
}

TEST(PlainEncoder, BooleansAndByteArrays) {
  std::vector<uint8_t> bools = {1, 0, 1, 1, 0, 0, 0, 0, 1};
  Buffer out;
  PlainEncoder::PutBooleans(bools.data(), bools.size(), &out);
  EXPECT_EQ(Hex(out.view()), "0D 01");

  std::vector<uint32_t> offsets = {0, 2, 2, 3};
  std::string bytes = "abc";
  Buffer ba;
  PlainEncoder::PutByteArrays(ByteArrayValues(offsets.data(), bytes.data()), 0, 3, &ba);
  EXPECT_EQ(Hex(ba.view()), "02 00 00 00 61 62 00 00 00 00 01 00 00 00 63");
  Buffer tail;
  PlainEncoder::PutByteArrays(ByteArrayValues(offsets.data(), bytes.data()), 2, 1, &tail);
  EXPECT_EQ(Hex(tail.view()), "01 00 00 00 63");

  std::vector<int32_t> ints = {1, -1};
  Buffer iv;
  PlainEncoder::PutFixed(ints.data(), ints.size(), &iv);
  EXPECT_EQ(Hex(iv.view()), "01 00 00 00 FF FF FF FF");
}

TEST(DictionaryEncoder, StringsInInsertionOrder) {
  std::vector<std::string> values = {"b", "a", "b", "", "a", "c"};
  std::string bytes;
  std::vector<uint32_t> offsets = {0};
  for (const auto& v : values) {
    bytes += v;
    offsets.push_back(static_cast<uint32_t>(bytes.size()));
  }
  ByteArrayDictionaryEncoder dict;
  std::vector<uint32_t> idx;
  dict.Encode(ByteArrayValues(offsets.data(), bytes.data()), 0, values.size(), &idx);
  EXPECT_EQ(idx, (std::vector<uint32_t>{0, 1, 0, 2, 1, 3}));
  EXPECT_EQ(dict.size(), 4u);
  Buffer page;
  dict.WriteDictionaryPage(&page);
  EXPECT_EQ(page.size(), dict.plain_bytes());
  EXPECT_EQ(Hex(page.view()), "01 00 00 00 62 01 00 00 00 61 00 00 00 00 01 00 00 00 63");

  Buffer data;
  EncodeDictionaryIndices(idx.data(), idx.size(), dict.size(), &data);
  EXPECT_EQ(data.data()[0], 2);  // bit width for 4 entries
  RleBitPackedDecoder dec;
  ASSERT_TRUE(dec.Reset(ByteView(data.data() + 1, data.size() - 1), 2).ok());
  std::vector<uint32_t> back(idx.size());
  ASSERT_TRUE(dec.Get(back.data(), static_cast<int64_t>(back.size())).ok());
  EXPECT_EQ(back, idx);
}

TEST(DictionaryEncoder, OneEntryStillHasBitWidthOne) {
  std::vector<uint32_t> idx(3, 0);
  Buffer data;
  EncodeDictionaryIndices(idx.data(), idx.size(), 1, &data);
  EXPECT_EQ(Hex(data.view()), "01 06 00");
}

TEST(DictionaryEncoder, FloatsByBitPattern) {
  std::vector<double> v = {0.0, -0.0, std::nan(""), std::nan(""), 1.5, 0.0};
  NumericDictionaryEncoder<double> dict;
  std::vector<uint32_t> idx;
  dict.Encode(v.data(), v.size(), &idx);
  EXPECT_EQ(idx, (std::vector<uint32_t>{0, 1, 2, 2, 3, 0}));
  EXPECT_TRUE(std::signbit(dict.values()[1]));
}

TEST(DictionaryEncoder, GrowsAndKeepsIndices) {
  NumericDictionaryEncoder<int64_t> dict;
  std::vector<int64_t> v;
  for (int64_t i = 0; i < 100000; ++i) v.push_back((i * 7919) % 50000 - 25000);
  std::vector<uint32_t> idx;
  dict.Encode(v.data(), v.size(), &idx);
  ASSERT_EQ(dict.size(), 50000u);
  for (size_t i = 0; i < v.size(); ++i) ASSERT_EQ(dict.values()[idx[i]], v[i]) << i;

  ByteArrayDictionaryEncoder bytes_dict(4);  // FIXED_LEN_BYTE_ARRAY(4)
  std::string bytes;
  std::vector<uint32_t> offsets = {0};
  for (uint32_t i = 0; i < 30000; ++i) {
    uint32_t x = i % 20000;
    bytes.append(reinterpret_cast<const char*>(&x), 4);
    offsets.push_back(static_cast<uint32_t>(bytes.size()));
  }
  std::vector<uint32_t> bidx;
  bytes_dict.Encode(ByteArrayValues(offsets.data(), bytes.data()), 0, 30000, &bidx);
  ASSERT_EQ(bytes_dict.size(), 20000u);
  EXPECT_EQ(bytes_dict.plain_bytes(), 80000u);  // no length prefixes for fixed width
  for (size_t i = 0; i < 30000; ++i) {
    ASSERT_EQ(bytes_dict.value(bidx[i]), std::string_view(bytes).substr(4 * i, 4));
  }
}

// Runs of equal values take the index of the value before them without a lookup: equal bytes at
// other addresses, neighbours of one length that differ in their last byte, the empty value, runs
// across the encoder's blocks of 16 and across calls all get the indices of first appearance.
TEST(DictionaryEncoder, RunsAndNearRepeatsKeepTheirIndices) {
  std::mt19937 rng(11);
  const std::vector<std::string> pool = {"",        "a",       "b",          "user0001",
                                         "user0002", "user0001x", "page_view", "session_start",
                                         std::string(40, 'q'), std::string(39, 'q') + "r"};
  std::vector<std::string> values;
  while (values.size() < 5000) {
    const std::string& v = pool[rng() % pool.size()];
    const size_t run = 1 + rng() % (rng() % 4 == 0 ? 40 : 3);
    for (size_t k = 0; k < run; ++k) values.push_back(v);
  }
  std::string bytes;
  std::vector<uint32_t> offsets = {0};
  for (const auto& v : values) {
    bytes += v;
    offsets.push_back(static_cast<uint32_t>(bytes.size()));
  }
  std::map<std::string, uint32_t> first_seen;
  std::vector<uint32_t> want;
  for (const auto& v : values) {
    want.push_back(first_seen.try_emplace(v, static_cast<uint32_t>(first_seen.size())).first->second);
  }
  ByteArrayDictionaryEncoder dict;
  std::vector<uint32_t> idx;
  const ByteArrayValues all(offsets.data(), bytes.data());
  for (size_t first = 0; first < values.size(); first += 777) {
    dict.Encode(all, first, std::min<size_t>(777, values.size() - first), &idx);
  }
  EXPECT_EQ(idx, want);
  EXPECT_EQ(dict.size(), first_seen.size());
  for (const auto& [v, i] : first_seen) EXPECT_EQ(dict.value(i), v);
}

TEST(DeltaBinaryPackedEncoder, ExamplesOfEncodingsMd) {
  std::vector<int32_t> a = {1, 2, 3, 4, 5};
  Buffer out;
  DeltaBinaryPackedEncoder::Encode(a.data(), a.size(), &out);
  EXPECT_EQ(Hex(out.view()), "80 01 04 05 02 02 00 00 00 00");

  std::vector<int32_t> b = {7, 5, 3, 1, 2, 3, 4, 5};
  Buffer out2;
  DeltaBinaryPackedEncoder::Encode(b.data(), b.size(), &out2);
  EXPECT_EQ(Hex(out2.view()), "80 01 04 08 0E 03 02 00 00 00 C0 3F 00 00 00 00 00 00");

  Buffer empty;
  DeltaBinaryPackedEncoder::Encode(a.data(), 0, &empty);
  EXPECT_EQ(Hex(empty.view()), "80 01 04 00 00");
}

template <typename T>
std::vector<T> DecodeDelta(const Buffer& encoded, size_t n, PhysicalType type) {
  DeltaBinaryPackedDecoder dec(type);
  EXPECT_TRUE(dec.SetData(encoded.view(), static_cast<int64_t>(n)).ok());
  ColumnVector out;
  Status s = dec.Decode(static_cast<int64_t>(n), &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if constexpr (sizeof(T) == 4) {
    return out.i32;
  } else {
    return out.i64;
  }
}

TEST(DeltaBinaryPackedEncoder, RoundTripsExtremesAndWrapping) {
  std::mt19937_64 rng(3);
  for (size_t n :
       {size_t{1}, size_t{2}, size_t{127}, size_t{128}, size_t{129}, size_t{1000}, size_t{4097}}) {
    std::vector<int32_t> i32(n);
    std::vector<int64_t> i64(n);
    for (size_t i = 0; i < n; ++i) {
      switch (i % 4) {
        case 0:
          i32[i] = INT32_MIN;
          i64[i] = INT64_MIN;
          break;
        case 1:
          i32[i] = INT32_MAX;
          i64[i] = INT64_MAX;
          break;
        default: i32[i] = static_cast<int32_t>(rng()); i64[i] = static_cast<int64_t>(rng());
      }
    }
    Buffer e32, e64;
    DeltaBinaryPackedEncoder::Encode(i32.data(), n, &e32);
    DeltaBinaryPackedEncoder::Encode(i64.data(), n, &e64);
    EXPECT_EQ(DecodeDelta<int32_t>(e32, n, PhysicalType::kInt32), i32) << n;
    EXPECT_EQ(DecodeDelta<int64_t>(e64, n, PhysicalType::kInt64), i64) << n;

    std::vector<int64_t> ts(n);
    for (size_t i = 0; i < n; ++i) ts[i] = 1700000000000000 + static_cast<int64_t>(i) * 1000;
    Buffer ets;
    DeltaBinaryPackedEncoder::Encode(ts.data(), n, &ets);
    EXPECT_EQ(DecodeDelta<int64_t>(ets, n, PhysicalType::kInt64), ts);
    if (n >= 128) {
      EXPECT_LT(ets.size(), n * 8 / 10);  // sorted timestamps shrink a lot
    }
  }
}

}  // namespace
}  // namespace floe::parquet
