#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "floe/parquet/encoding/byte_stream_split_decoder.h"
#include "floe/parquet/encoding/delta_binary_packed_decoder.h"
#include "floe/parquet/encoding/delta_byte_array_decoder.h"
#include "floe/parquet/encoding/delta_length_byte_array_decoder.h"
#include "floe/parquet/encoding/dictionary_decoder.h"
#include "floe/parquet/encoding/plain_decoder.h"
#include "floe/parquet/encoding/rle_decoder.h"
#include "floe/util/varint.h"

namespace floe::parquet {
namespace {

using Bytes = std::vector<uint8_t>;

ByteView View(const Bytes& b) { return {b.data(), b.size()}; }

void PutUleb(Bytes* out, uint64_t v) {
  uint8_t buf[10];
  size_t n = EncodeUleb128(v, buf);
  out->insert(out->end(), buf, buf + n);
}
void PutZigZag(Bytes* out, int64_t v) { PutUleb(out, ZigZagEncode64(v)); }
void PutLE32(Bytes* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}
// Packs values LSB-first at `width` bits each (a whole number of bytes is emitted).
void PutBits(Bytes* out, const std::vector<uint64_t>& values, int width) {
  size_t bits = values.size() * static_cast<size_t>(width);
  size_t start = out->size();
  out->resize(start + (bits + 7) / 8, 0);
  for (size_t i = 0; i < values.size(); ++i) {
    for (int b = 0; b < width; ++b) {
      if ((values[i] >> b) & 1) {
        size_t bit = i * static_cast<size_t>(width) + static_cast<size_t>(b);
        (*out)[start + bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
      }
    }
  }
}

bool IsCorrupt(const Status& s) { return s.kind() == ErrorKind::kCorrupt; }

// ---------------------------------------------------------------- RLE / bit-packed hybrid

TEST(RleBitPackedDecoder, SpecExampleBitPackedWidth3) {
  // Encodings.md: 0..7 at bit width 3 bit-packed are 10001000 11000110 11111010.
  Bytes in = {0x03, 0x88, 0xC6, 0xFA};
  RleBitPackedDecoder d;
  ASSERT_TRUE(d.Reset(View(in), 3).ok());
  uint32_t out[8];
  ASSERT_TRUE(d.Get(out, 8).ok());
  for (uint32_t i = 0; i < 8; ++i) EXPECT_EQ(out[i], i);
  EXPECT_TRUE(IsCorrupt(d.Get(out, 1)));
}

TEST(RleBitPackedDecoder, FormatNotesLevelsExampleWithLengthPrefix) {
  Bytes in = {0x02, 0x00, 0x00, 0x00, 0x0A, 0x01, 0xEE};
  RleBitPackedDecoder d;
  size_t consumed = 0;
  ASSERT_TRUE(d.ResetWithLengthPrefix(View(in), 1, &consumed).ok());
  EXPECT_EQ(consumed, 6u);
  int16_t levels[5];
  ASSERT_TRUE(d.Get(levels, 5).ok());
  for (int16_t l : levels) EXPECT_EQ(l, 1);
  Status s = d.Get(levels, 1);
  EXPECT_TRUE(IsCorrupt(s)) << s.ToString();
}

TEST(RleBitPackedDecoder, LengthPrefixBeyondInputIsCorrupt) {
  Bytes in = {0x09, 0x00, 0x00, 0x00, 0x0A, 0x01};
  RleBitPackedDecoder d;
  size_t consumed;
  Status s = d.ResetWithLengthPrefix(View(in), 1, &consumed);
  EXPECT_TRUE(IsCorrupt(s));
  EXPECT_NE(s.message().find("length prefix 9"), std::string::npos) << s.message();
  Bytes shorter = {0x01, 0x00};
  EXPECT_TRUE(IsCorrupt(d.ResetWithLengthPrefix(View(shorter), 1, &consumed)));
}

class RleWidths : public ::testing::TestWithParam<int> {};

// Mixed runs at every width: an RLE run, a long bit-packed run read in odd-sized pieces (so the
// 8-at-a-time fast path and the buffered path both run), then another RLE run.
TEST_P(RleWidths, MixedRunsRoundTrip) {
  const int w = GetParam();
  const uint64_t mask = w == 0 ? 0 : (w == 32 ? 0xffffffffULL : ((1ULL << w) - 1));
  std::vector<uint64_t> packed;
  for (uint64_t i = 0; i < 200; ++i) packed.push_back((i * 2654435761ULL) & mask);
  Bytes in;
  PutUleb(&in, 13 << 1);
  uint64_t rle_value = mask / 3;
  for (int i = 0; i < (w + 7) / 8; ++i) in.push_back(static_cast<uint8_t>(rle_value >> (8 * i)));
  PutUleb(&in, (packed.size() / 8) << 1 | 1);
  PutBits(&in, packed, w);
  PutUleb(&in, 5 << 1);
  for (int i = 0; i < (w + 7) / 8; ++i) in.push_back(static_cast<uint8_t>(mask >> (8 * i)));

  std::vector<uint64_t> expected(13, rle_value);
  expected.insert(expected.end(), packed.begin(), packed.end());
  expected.insert(expected.end(), 5, mask);

  RleBitPackedDecoder d;
  ASSERT_TRUE(d.Reset(View(in), w).ok());
  std::vector<uint32_t> out(expected.size());
  size_t pos = 0;
  for (int64_t step : {1, 3, 20, 7, 64, 100, 1000}) {
    int64_t k = std::min<int64_t>(step, static_cast<int64_t>(expected.size() - pos));
    if (k == 0) break;
    ASSERT_TRUE(d.Get(out.data() + pos, k).ok());
    pos += static_cast<size_t>(k);
  }
  ASSERT_EQ(pos, expected.size());
  for (size_t i = 0; i < expected.size(); ++i) ASSERT_EQ(out[i], expected[i]) << "value " << i;
  EXPECT_TRUE(IsCorrupt(d.Get(out.data(), 1)));
}

INSTANTIATE_TEST_SUITE_P(AllWidths, RleWidths, ::testing::Range(0, 33));

TEST(RleBitPackedDecoder, LevelsAsInt16) {
  std::vector<uint64_t> values = {0, 1, 2, 3, 3, 2, 1, 0, 1, 1, 1, 1, 2, 2, 2, 2};
  Bytes in;
  PutUleb(&in, 2 << 1 | 1);
  PutBits(&in, values, 2);
  RleBitPackedDecoder d;
  ASSERT_TRUE(d.Reset(View(in), 2).ok());
  int16_t out[16];
  ASSERT_TRUE(d.Get(out, 16).ok());
  for (int i = 0; i < 16; ++i) EXPECT_EQ(out[i], static_cast<int16_t>(values[i]));
}

TEST(RleBitPackedDecoder, TruncatedLastBitPackedRunYieldsOnlyPresentValues) {
  // Header says 2 groups (16 values) at width 8, but only 10 bytes follow.
  Bytes in = {0x05, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  RleBitPackedDecoder d;
  ASSERT_TRUE(d.Reset(View(in), 8).ok());
  uint8_t out[16];
  ASSERT_TRUE(d.Get(out, 10).ok());
  EXPECT_EQ(out[9], 10);
  EXPECT_TRUE(IsCorrupt(d.Get(out, 1)));
}

TEST(RleBitPackedDecoder, CorruptInputs) {
  RleBitPackedDecoder d;
  uint32_t out[4];
  EXPECT_TRUE(IsCorrupt(d.Reset({}, 33)));
  // RLE run whose value bytes are missing.
  Bytes truncated_value = {0x08, 0x01};
  ASSERT_TRUE(d.Reset(View(truncated_value), 16).ok());
  EXPECT_TRUE(IsCorrupt(d.Get(out, 1)));
  // RLE value wider than the bit width.
  Bytes wide = {0x08, 0x05};
  ASSERT_TRUE(d.Reset(View(wide), 2).ok());
  Status s = d.Get(out, 1);
  EXPECT_TRUE(IsCorrupt(s));
  EXPECT_NE(s.message().find("wider than bit width 2"), std::string::npos) << s.message();
  // An unterminated varint header.
  Bytes bad_header = {0xFF, 0xFF};
  ASSERT_TRUE(d.Reset(View(bad_header), 1).ok());
  EXPECT_TRUE(IsCorrupt(d.Get(out, 1)));
  // Empty input.
  ASSERT_TRUE(d.Reset({}, 1).ok());
  EXPECT_TRUE(IsCorrupt(d.Get(out, 1)));
  // A bit-packed run header with no data at all.
  Bytes no_data = {0x03};
  ASSERT_TRUE(d.Reset(View(no_data), 3).ok());
  EXPECT_TRUE(IsCorrupt(d.Get(out, 1)));
}

TEST(RleBooleanDecoder, DecodesV2Booleans) {
  Bytes in = {0x04, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x05};  // 3x true, then 8 packed bits
  RleBooleanDecoder d;
  ASSERT_TRUE(d.SetData(View(in), 11).ok());
  ColumnVector out;
  ASSERT_TRUE(d.Decode(11, &out).ok());
  std::vector<uint8_t> expected = {1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0};
  EXPECT_EQ(out.bools, expected);
  EXPECT_TRUE(IsCorrupt(d.Decode(1, &out)));
  Bytes no_prefix = {0x04};
  EXPECT_TRUE(IsCorrupt(d.SetData(View(no_prefix), 1)));
}

// ---------------------------------------------------------------- PLAIN

TEST(PlainDecoder, FixedWidthTypes) {
  Bytes in;
  PutLE32(&in, 7);
  PutLE32(&in, static_cast<uint32_t>(-3));
  PutLE32(&in, 0x7fffffff);
  PlainDecoder d(PhysicalType::kInt32, 0);
  ASSERT_TRUE(d.SetData(View(in), 3).ok());
  ColumnVector out;
  ASSERT_TRUE(d.Decode(2, &out).ok());
  ASSERT_TRUE(d.Decode(1, &out).ok());
  EXPECT_EQ(out.i32, (std::vector<int32_t>{7, -3, 0x7fffffff}));
  Status s = d.Decode(1, &out);
  EXPECT_TRUE(IsCorrupt(s));
  EXPECT_NE(s.message().find("PLAIN INT32"), std::string::npos) << s.message();

  Bytes dbl(16);
  double values[2] = {1.5, -std::numeric_limits<double>::infinity()};
  std::memcpy(dbl.data(), values, 16);
  PlainDecoder dd(PhysicalType::kDouble, 0);
  ASSERT_TRUE(dd.SetData(View(dbl), 2).ok());
  ASSERT_TRUE(dd.Decode(2, &out).ok());
  EXPECT_EQ(out.f64[0], 1.5);
  EXPECT_TRUE(std::isinf(out.f64[1]));

  Bytes i64(8, 0xff);
  PlainDecoder d64(PhysicalType::kInt64, 0);
  ASSERT_TRUE(d64.SetData(View(i64), 1).ok());
  ASSERT_TRUE(d64.Decode(1, &out).ok());
  EXPECT_EQ(out.i64, std::vector<int64_t>{-1});

  Bytes f32(4);
  float f = 0.1f;
  std::memcpy(f32.data(), &f, 4);
  PlainDecoder df(PhysicalType::kFloat, 0);
  ASSERT_TRUE(df.SetData(View(f32), 1).ok());
  ASSERT_TRUE(df.Decode(1, &out).ok());
  EXPECT_EQ(out.f32, std::vector<float>{0.1f});
}

TEST(PlainDecoder, BooleansAreBitPackedLsbFirst) {
  Bytes in = {0b10110001, 0b00000011};
  PlainDecoder d(PhysicalType::kBoolean, 0);
  ASSERT_TRUE(d.SetData(View(in), 10).ok());
  ColumnVector out;
  ASSERT_TRUE(d.Decode(3, &out).ok());  // unaligned start for the next call
  ASSERT_TRUE(d.Decode(7, &out).ok());
  EXPECT_EQ(out.bools, (std::vector<uint8_t>{1, 0, 0, 0, 1, 1, 0, 1, 1, 1}));
  ASSERT_TRUE(d.Decode(6, &out).ok());  // the rest of the second byte
  EXPECT_TRUE(IsCorrupt(d.Decode(1, &out)));
}

TEST(PlainDecoder, ByteArrays) {
  Bytes in;
  PutLE32(&in, 3);
  in.insert(in.end(), {'a', 'b', 'c'});
  PutLE32(&in, 0);
  PutLE32(&in, 2);
  in.insert(in.end(), {'x', 'y'});
  PlainDecoder d(PhysicalType::kByteArray, 0);
  ASSERT_TRUE(d.SetData(View(in), 3).ok());
  ColumnVector out;
  ASSERT_TRUE(d.Decode(1, &out).ok());
  ASSERT_TRUE(d.Decode(2, &out).ok());
  EXPECT_EQ(out.bytes, "abcxy");
  EXPECT_EQ(out.offsets, (std::vector<uint32_t>{0, 3, 3, 5}));
  EXPECT_TRUE(IsCorrupt(d.Decode(1, &out)));
}

TEST(PlainDecoder, ByteArrayCorruptLengths) {
  Bytes in;
  PutLE32(&in, 100);
  in.insert(in.end(), {'a', 'b'});
  PlainDecoder d(PhysicalType::kByteArray, 0);
  ASSERT_TRUE(d.SetData(View(in), 1).ok());
  ColumnVector out;
  Status s = d.Decode(1, &out);
  EXPECT_TRUE(IsCorrupt(s));
  EXPECT_NE(s.message().find("value length 100"), std::string::npos) << s.message();
  // Asking for more values than 4-byte lengths fit never reserves that much.
  ASSERT_TRUE(d.SetData(View(in), 1).ok());
  EXPECT_TRUE(IsCorrupt(d.Decode(int64_t{1} << 40, &out)));
}

// Values of 128 bytes and more on average are checked and copied in one pass; the result and the
// errors are those of short values.
TEST(PlainDecoder, LongByteArrays) {
  std::vector<std::string> values;
  Bytes in;
  for (int i = 0; i < 50; ++i) {
    values.push_back(
        std::string(static_cast<size_t>(100 + i * 13), static_cast<char>('a' + i % 26)));
    PutLE32(&in, static_cast<uint32_t>(values.back().size()));
    in.insert(in.end(), values.back().begin(), values.back().end());
  }
  PlainDecoder d(PhysicalType::kByteArray, 0);
  ASSERT_TRUE(d.SetData(View(in), 50).ok());
  ColumnVector out;
  ASSERT_TRUE(d.Decode(20, &out).ok());
  ASSERT_TRUE(d.Decode(30, &out).ok());
  ASSERT_EQ(out.offsets.size(), 51u);
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(out.bytes.substr(out.offsets[i], out.offsets[i + 1] - out.offsets[i]), values[i]);
  }
  EXPECT_TRUE(IsCorrupt(d.Decode(1, &out)));

  // A length running past the page in the middle of a batch: kCorrupt naming it, and the vector
  // as it was before the batch.
  Bytes bad = in;
  size_t at = 0;
  for (int i = 0; i < 10; ++i) at += 4 + values[static_cast<size_t>(i)].size();
  bad[at + 3] = 0x7f;
  ASSERT_TRUE(d.SetData(View(bad), 50).ok());
  ColumnVector partial;
  ASSERT_TRUE(d.Decode(5, &partial).ok());
  const std::string bytes_before = partial.bytes;
  const std::vector<uint32_t> offsets_before = partial.offsets;
  Status s = d.Decode(20, &partial);
  EXPECT_TRUE(IsCorrupt(s));
  EXPECT_NE(s.message().find("at byte " + std::to_string(at)), std::string::npos) << s.message();
  EXPECT_EQ(partial.bytes, bytes_before);
  EXPECT_EQ(partial.offsets, offsets_before);
}

TEST(PlainDecoder, FixedLenByteArrayAndInt96) {
  Bytes in = {1, 2, 3, 4, 5, 6};
  PlainDecoder d(PhysicalType::kFixedLenByteArray, 3);
  ASSERT_TRUE(d.SetData(View(in), 2).ok());
  ColumnVector out;
  ASSERT_TRUE(d.Decode(2, &out).ok());
  EXPECT_EQ(out.offsets, (std::vector<uint32_t>{0, 3, 6}));
  EXPECT_EQ(out.bytes, std::string("\1\2\3\4\5\6", 6));
  EXPECT_TRUE(IsCorrupt(d.Decode(1, &out)));

  Bytes int96(24, 0x11);
  PlainDecoder d96(PhysicalType::kInt96, 0);
  ColumnVector out96;
  ASSERT_TRUE(d96.SetData(View(int96), 2).ok());
  ASSERT_TRUE(d96.Decode(2, &out96).ok());
  EXPECT_EQ(out96.offsets.back(), 24u);

  PlainDecoder zero_width(PhysicalType::kFixedLenByteArray, 0);
  EXPECT_TRUE(IsCorrupt(zero_width.SetData(View(in), 1)));
}

// ---------------------------------------------------------------- dictionary

TEST(DictionaryDecoder, GathersValuesAndChecksIndices) {
  ColumnVector dict;
  dict.num_values = 3;
  dict.bytes = "redgreenblue";
  dict.offsets = {0, 3, 8, 12};
  Bytes in = {2};  // bit width 2
  PutUleb(&in, 1 << 1 | 1);
  PutBits(&in, {2, 0, 1, 1, 2, 2, 0, 0}, 2);
  PutUleb(&in, 3 << 1);
  in.push_back(1);
  DictionaryDecoder d(PhysicalType::kByteArray, &dict);
  ASSERT_TRUE(d.SetData(View(in), 11).ok());
  ColumnVector out;
  ASSERT_TRUE(d.Decode(5, &out).ok());
  ASSERT_TRUE(d.Decode(6, &out).ok());
  std::vector<std::string> got;
  for (size_t i = 0; i + 1 < out.offsets.size(); ++i) {
    got.push_back(out.bytes.substr(out.offsets[i], out.offsets[i + 1] - out.offsets[i]));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"blue", "red", "green", "green", "blue", "blue", "red",
                                           "red", "green", "green", "green"}));
}

TEST(DictionaryDecoder, IndexOutOfRangeIsCorrupt) {
  ColumnVector dict;
  dict.num_values = 2;
  dict.i64 = {10, 20};
  Bytes in = {2};
  PutUleb(&in, 1 << 1 | 1);
  PutBits(&in, {0, 1, 3, 0, 0, 0, 0, 0}, 2);
  DictionaryDecoder d(PhysicalType::kInt64, &dict);
  ASSERT_TRUE(d.SetData(View(in), 8).ok());
  ColumnVector out;
  Status s = d.Decode(8, &out);
  EXPECT_TRUE(IsCorrupt(s));
  EXPECT_NE(s.message().find("dictionary index 3 out of range"), std::string::npos) << s.message();

  Bytes rle = {1, 0x02, 0x01};  // RLE run of one index 1, fine; then nothing
  ASSERT_TRUE(d.SetData(View(rle), 2).ok());
  ColumnVector ok_out;
  ASSERT_TRUE(d.Decode(1, &ok_out).ok());
  EXPECT_EQ(ok_out.i64, std::vector<int64_t>{20});
  EXPECT_TRUE(IsCorrupt(d.Decode(1, &ok_out)));

  Bytes too_wide = {40, 0x02, 0x00};
  EXPECT_TRUE(IsCorrupt(d.SetData(View(too_wide), 1)));
}

TEST(DictionaryDecoder, AllNullPageMayBeEmpty) {
  ColumnVector dict;
  DictionaryDecoder d(PhysicalType::kInt32, &dict);
  ASSERT_TRUE(d.SetData({}, 0).ok());
  ColumnVector out;
  EXPECT_TRUE(d.Decode(0, &out).ok());
  EXPECT_TRUE(IsCorrupt(d.Decode(1, &out)));
}

// ---------------------------------------------------------------- DELTA_BINARY_PACKED

// A straightforward encoder for tests: blocks of 128 values in 4 miniblocks of 32.
Bytes EncodeDelta(const std::vector<int64_t>& values, bool int32) {
  Bytes out;
  PutUleb(&out, 128);
  PutUleb(&out, 4);
  PutUleb(&out, values.size());
  PutZigZag(&out, values.empty() ? 0 : values[0]);
  size_t i = 1;
  while (i < values.size()) {
    std::vector<int64_t> deltas;
    for (size_t j = i; j < values.size() && deltas.size() < 128; ++j) {
      uint64_t d = static_cast<uint64_t>(values[j]) - static_cast<uint64_t>(values[j - 1]);
      deltas.push_back(int32 ? static_cast<int32_t>(d) : static_cast<int64_t>(d));
    }
    int64_t min_delta = deltas[0];
    for (int64_t d : deltas) min_delta = std::min(min_delta, d);
    PutZigZag(&out, min_delta);
    size_t widths_at = out.size();
    out.resize(out.size() + 4, 0);
    for (size_t m = 0; m < 4 && m * 32 < deltas.size(); ++m) {
      std::vector<uint64_t> rel(32, 0);
      uint64_t max = 0;
      for (size_t k = 0; k < 32 && m * 32 + k < deltas.size(); ++k) {
        uint64_t r = static_cast<uint64_t>(deltas[m * 32 + k]) - static_cast<uint64_t>(min_delta);
        if (int32) r &= 0xffffffffULL;
        rel[k] = r;
        max = std::max(max, r);
      }
      int w = 0;
      while (w < 64 && (max >> w) != 0) ++w;
      out[widths_at + m] = static_cast<uint8_t>(w);
      PutBits(&out, rel, w);
    }
    i += deltas.size();
  }
  return out;
}

TEST(DeltaBinaryPackedDecoder, SpecExamples) {
  // Encodings.md example 2 (7 5 3 1 2 3 4 5), with a block size the format allows.
  Bytes in = {0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 0x02, 0x00, 0x00, 0x00};
  std::vector<uint64_t> rel = {0, 0, 0, 3, 3, 3, 3};
  rel.resize(32, 0);
  PutBits(&in, rel, 2);
  DeltaBinaryPackedDecoder d(PhysicalType::kInt32);
  ASSERT_TRUE(d.SetData(View(in), 8).ok());
  ColumnVector out;
  ASSERT_TRUE(d.Decode(3, &out).ok());
  ASSERT_TRUE(d.Decode(5, &out).ok());
  EXPECT_EQ(out.i32, (std::vector<int32_t>{7, 5, 3, 1, 2, 3, 4, 5}));
  EXPECT_TRUE(IsCorrupt(d.Decode(1, &out)));
  auto len = DeltaBinaryPackedDecoder::EncodedLength(View(in));
  ASSERT_TRUE(len.ok());
  EXPECT_EQ(*len, in.size());

  // Example 1 (1 2 3 4 5): min delta 1, bit width 0, no miniblock data.
  Bytes ex1 = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00};
  ASSERT_TRUE(d.SetData(View(ex1), 5).ok());
  out.Clear();
  ASSERT_TRUE(d.Decode(5, &out).ok());
  EXPECT_EQ(out.i32, (std::vector<int32_t>{1, 2, 3, 4, 5}));
}

TEST(DeltaBinaryPackedDecoder, ManyBlocksAndInt64Extremes) {
  std::vector<int64_t> values;
  for (int64_t i = 0; i < 1000; ++i) values.push_back(i * i * 977 - 31 * i);
  values.push_back(std::numeric_limits<int64_t>::max());
  values.push_back(std::numeric_limits<int64_t>::min());
  values.push_back(0);
  Bytes in = EncodeDelta(values, false);
  DeltaBinaryPackedDecoder d(PhysicalType::kInt64);
  ASSERT_TRUE(d.SetData(View(in), static_cast<int64_t>(values.size())).ok());
  ColumnVector out;
  ASSERT_TRUE(d.Decode(1, &out).ok());
  ASSERT_TRUE(d.Decode(500, &out).ok());
  ASSERT_TRUE(d.Decode(static_cast<int64_t>(values.size()) - 501, &out).ok());
  EXPECT_EQ(out.i64, values);
  auto len = DeltaBinaryPackedDecoder::EncodedLength(View(in));
  ASSERT_TRUE(len.ok());
  EXPECT_EQ(*len, in.size());
}

TEST(DeltaBinaryPackedDecoder, Int32DeltasWrap) {
  std::vector<int64_t> values = {std::numeric_limits<int32_t>::max(),
                                 std::numeric_limits<int32_t>::min(), 5,
                                 std::numeric_limits<int32_t>::min(), -1};
  Bytes in = EncodeDelta(values, true);
  DeltaBinaryPackedDecoder d(PhysicalType::kInt32);
  ASSERT_TRUE(d.SetData(View(in), 5).ok());
  ColumnVector out;
  ASSERT_TRUE(d.Decode(5, &out).ok());
  EXPECT_EQ(out.i32, (std::vector<int32_t>{std::numeric_limits<int32_t>::max(),
                                           std::numeric_limits<int32_t>::min(), 5,
                                           std::numeric_limits<int32_t>::min(), -1}));
}

TEST(DeltaBinaryPackedDecoder, CorruptInputs) {
  DeltaBinaryPackedDecoder d(PhysicalType::kInt32);
  Bytes bad_block = {0x08, 0x01, 0x05, 0x02};  // block size 8
  Status s = d.SetData(View(bad_block), 5);
  EXPECT_TRUE(IsCorrupt(s));
  EXPECT_NE(s.message().find("block size 8"), std::string::npos) << s.message();
  Bytes bad_miniblocks = {0x80, 0x01, 0x05, 0x05, 0x02};  // 128 / 5
  EXPECT_TRUE(IsCorrupt(d.SetData(View(bad_miniblocks), 5)));
  Bytes truncated_header = {0x80, 0x01, 0x04};
  EXPECT_TRUE(IsCorrupt(d.SetData(View(truncated_header), 5)));
  // Width 33 for an INT32 stream.
  Bytes wide = {0x80, 0x01, 0x04, 0x03, 0x02, 0x00, 33, 0, 0, 0};
  wide.resize(wide.size() + 4 * 33, 0);
  ASSERT_TRUE(d.SetData(View(wide), 3).ok());
  ColumnVector out;
  EXPECT_TRUE(IsCorrupt(d.Decode(3, &out)));
  // Miniblock data cut short.
  Bytes cut = {0x80, 0x01, 0x04, 0x03, 0x02, 0x00, 8, 0, 0, 0, 1, 2, 3};
  ASSERT_TRUE(d.SetData(View(cut), 3).ok());
  out.Clear();
  EXPECT_TRUE(IsCorrupt(d.Decode(3, &out)));
  EXPECT_TRUE(IsCorrupt(DeltaBinaryPackedDecoder::EncodedLength(View(cut)).status()));
  // More values than the header announces.
  Bytes one = {0x80, 0x01, 0x04, 0x01, 0x02};
  ASSERT_TRUE(d.SetData(View(one), 2).ok());
  out.Clear();
  EXPECT_TRUE(IsCorrupt(d.Decode(2, &out)));
  // A huge announced count with nothing behind it is walked in bounded time.
  Bytes huge = {0x80, 0x01, 0x04, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x02};
  EXPECT_TRUE(IsCorrupt(DeltaBinaryPackedDecoder::EncodedLength(View(huge)).status()));
}

// ---------------------------------------------------------------- byte-array deltas

std::vector<std::string> Strings(const ColumnVector& v) {
  std::vector<std::string> s;
  for (size_t i = 0; i + 1 < v.offsets.size(); ++i) {
    s.push_back(v.bytes.substr(v.offsets[i], v.offsets[i + 1] - v.offsets[i]));
  }
  return s;
}

TEST(DeltaLengthByteArrayDecoder, SpecExample) {
  // Encodings.md: "Hello", "World", "Foobar", "ABCDEF" → lengths 5 5 6 6, then the bytes.
  Bytes in = EncodeDelta({5, 5, 6, 6}, true);
  std::string data = "HelloWorldFoobarABCDEF";
  in.insert(in.end(), data.begin(), data.end());
  DeltaLengthByteArrayDecoder d;
  ASSERT_TRUE(d.SetData(View(in), 4).ok());
  ColumnVector out;
  ASSERT_TRUE(d.Decode(1, &out).ok());
  ASSERT_TRUE(d.Decode(3, &out).ok());
  EXPECT_EQ(Strings(out), (std::vector<std::string>{"Hello", "World", "Foobar", "ABCDEF"}));
  EXPECT_TRUE(IsCorrupt(d.Decode(1, &out)));
}

TEST(DeltaLengthByteArrayDecoder, LengthBeyondDataIsCorrupt) {
  Bytes in = EncodeDelta({5, 50}, true);
  std::string data = "Helloabc";
  in.insert(in.end(), data.begin(), data.end());
  DeltaLengthByteArrayDecoder d;
  ASSERT_TRUE(d.SetData(View(in), 2).ok());
  ColumnVector out;
  EXPECT_TRUE(IsCorrupt(d.Decode(2, &out)));
  Bytes negative = EncodeDelta({-1}, true);
  ASSERT_TRUE(d.SetData(View(negative), 1).ok());
  EXPECT_TRUE(IsCorrupt(d.Decode(1, &out)));
}

TEST(DeltaByteArrayDecoder, SpecExample) {
  // Encodings.md: axis, axle, babble, babyhood → prefixes 0 2 0 3, suffixes axis le babble yhood.
  Bytes in = EncodeDelta({0, 2, 0, 3}, true);
  Bytes suffixes = EncodeDelta({4, 2, 6, 5}, true);
  in.insert(in.end(), suffixes.begin(), suffixes.end());
  std::string data = "axislebabbleyhood";
  in.insert(in.end(), data.begin(), data.end());
  DeltaByteArrayDecoder d(PhysicalType::kByteArray, 0);
  ASSERT_TRUE(d.SetData(View(in), 4).ok());
  ColumnVector out;
  ASSERT_TRUE(d.Decode(2, &out).ok());
  ASSERT_TRUE(d.Decode(2, &out).ok());
  EXPECT_EQ(Strings(out), (std::vector<std::string>{"axis", "axle", "babble", "babyhood"}));
  EXPECT_TRUE(IsCorrupt(d.Decode(1, &out)));
}

TEST(DeltaByteArrayDecoder, CorruptPrefixAndFixedWidth) {
  Bytes in = EncodeDelta({0, 9}, true);  // second prefix longer than the first value
  Bytes suffixes = EncodeDelta({2, 1}, true);
  in.insert(in.end(), suffixes.begin(), suffixes.end());
  in.insert(in.end(), {'a', 'b', 'c'});
  DeltaByteArrayDecoder d(PhysicalType::kByteArray, 0);
  ASSERT_TRUE(d.SetData(View(in), 2).ok());
  ColumnVector out;
  Status s = d.Decode(2, &out);
  EXPECT_TRUE(IsCorrupt(s));
  EXPECT_NE(s.message().find("prefix length 9"), std::string::npos) << s.message();

  Bytes fixed = EncodeDelta({0, 1}, true);
  Bytes fixed_suffixes = EncodeDelta({2, 2}, true);
  fixed.insert(fixed.end(), fixed_suffixes.begin(), fixed_suffixes.end());
  fixed.insert(fixed.end(), {'a', 'b', 'c', 'd'});
  DeltaByteArrayDecoder flba(PhysicalType::kFixedLenByteArray, 2);
  ASSERT_TRUE(flba.SetData(View(fixed), 2).ok());
  out.Clear();
  ASSERT_TRUE(flba.Decode(1, &out).ok());
  EXPECT_TRUE(IsCorrupt(flba.Decode(1, &out)));  // "acd" is 3 bytes wide
}

// ---------------------------------------------------------------- BYTE_STREAM_SPLIT

TEST(ByteStreamSplitDecoder, FloatsDoublesIntsAndFixed) {
  std::vector<float> floats = {1.5f, -2.25f, 3.0e10f};
  Bytes in(12);
  for (size_t i = 0; i < 3; ++i) {
    uint8_t b[4];
    std::memcpy(b, &floats[i], 4);
    for (size_t k = 0; k < 4; ++k) in[k * 3 + i] = b[k];
  }
  ByteStreamSplitDecoder d(PhysicalType::kFloat, 0);
  ASSERT_TRUE(d.SetData(View(in), 3).ok());
  ColumnVector out;
  ASSERT_TRUE(d.Decode(1, &out).ok());
  ASSERT_TRUE(d.Decode(2, &out).ok());
  EXPECT_EQ(out.f32, floats);
  EXPECT_TRUE(IsCorrupt(d.Decode(1, &out)));

  std::vector<int64_t> longs = {1, -1, std::numeric_limits<int64_t>::min()};
  Bytes in64(24);
  for (size_t i = 0; i < 3; ++i) {
    uint8_t b[8];
    std::memcpy(b, &longs[i], 8);
    for (size_t k = 0; k < 8; ++k) in64[k * 3 + i] = b[k];
  }
  ByteStreamSplitDecoder d64(PhysicalType::kInt64, 0);
  ASSERT_TRUE(d64.SetData(View(in64), 3).ok());
  ASSERT_TRUE(d64.Decode(3, &out).ok());
  EXPECT_EQ(out.i64, longs);

  Bytes fixed = {'a', 'c', 'b', 'd'};  // values "ab", "cd"
  ByteStreamSplitDecoder df(PhysicalType::kFixedLenByteArray, 2);
  ColumnVector fout;
  ASSERT_TRUE(df.SetData(View(fixed), 2).ok());
  ASSERT_TRUE(df.Decode(2, &fout).ok());
  EXPECT_EQ(Strings(fout), (std::vector<std::string>{"ab", "cd"}));

  ByteStreamSplitDecoder dd(PhysicalType::kDouble, 0);
  Bytes ragged(12);
  EXPECT_TRUE(IsCorrupt(dd.SetData(View(ragged), 2)));
  ByteStreamSplitDecoder di(PhysicalType::kInt32, 0);
  ASSERT_TRUE(di.SetData(View(ragged), 3).ok());
  ColumnVector iout;
  ASSERT_TRUE(di.Decode(3, &iout).ok());
  EXPECT_EQ(iout.i32, (std::vector<int32_t>{0, 0, 0}));
}

}  // namespace
}  // namespace floe::parquet
