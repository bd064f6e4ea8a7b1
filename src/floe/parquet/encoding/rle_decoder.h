#pragma once

// The RLE / bit-packed hybrid of Parquet's Encodings.md, used for repetition and definition
// levels, dictionary indices and (data page v2) booleans.

#include <cstddef>
#include <cstdint>

#include "floe/common/result.h"
#include "floe/parquet/encoding/value_decoder.h"
#include "floe/util/buffer.h"

namespace floe::parquet {

namespace internal {
// Unpacks `groups` groups of 8 values of `bit_width` (0..32) bits, packed LSB-first, from `in`
// (of which `in_size` bytes may be read; missing bytes read as zero) into `out`.
void UnpackBits(const uint8_t* in, size_t in_size, int bit_width, int64_t groups, uint8_t* out);
void UnpackBits(const uint8_t* in, size_t in_size, int bit_width, int64_t groups, int16_t* out);
void UnpackBits(const uint8_t* in, size_t in_size, int bit_width, int64_t groups, uint32_t* out);
}  // namespace internal

class RleBitPackedDecoder {
 public:
  // Starts on hybrid runs without a length prefix (dictionary indices). `bit_width` 0..32.
  Status Reset(ByteView data, int bit_width);
  // Starts on a 4-byte little-endian length followed by that many bytes of runs (v1 levels, RLE
  // booleans); `*consumed` is set to 4 + the length.
  Status ResetWithLengthPrefix(ByteView data, int bit_width, size_t* consumed);

  // Decode the next `n` values; kCorrupt when the runs end first. T is uint8_t (bit width <= 8),
  // int16_t (<= 16) or uint32_t.
  Status Get(uint8_t* out, int64_t n) { return GetImpl(out, n); }
  Status Get(int16_t* out, int64_t n) { return GetImpl(out, n); }
  Status Get(uint32_t* out, int64_t n) { return GetImpl(out, n); }

  int bit_width() const { return bit_width_; }

 private:
  template <typename T>
  Status GetImpl(T* out, int64_t n);
  Status NextRun();

  const uint8_t* begin_ = nullptr;
  const uint8_t* pos_ = nullptr;
  const uint8_t* end_ = nullptr;
  int bit_width_ = 0;
  int64_t rle_left_ = 0;
  uint32_t rle_value_ = 0;
  int64_t packed_left_ = 0;  // values of the current bit-packed run not yet unpacked
  uint32_t buffered_[8] = {};
  int buffered_pos_ = 0;
  int buffered_count_ = 0;
};

// Data page v2 booleans (encoding RLE): a 4-byte length, then hybrid runs of bit width 1.
class RleBooleanDecoder final : public ValueDecoder {
 public:
  Status SetData(ByteView data, int64_t max_values) override;
  Status Decode(int64_t n, ColumnVector* out) override;

 private:
  RleBitPackedDecoder runs_;
};

}  // namespace floe::parquet
