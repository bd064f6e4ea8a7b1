#pragma once

// The RLE / bit-packed hybrid of Parquet's Encodings.md, written: repetition and definition
// levels, dictionary indices. The encoder works on whole arrays (a page's levels or indices are
// complete before the page is written), which lets it look ahead for runs without buffering.

#include <cstddef>
#include <cstdint>

#include "floe/util/buffer.h"

namespace floe::parquet {

namespace internal {
// Packs `count` (a multiple of 8) values of `bit_width` (0..64) bits LSB-first into
// count * bit_width / 8 bytes at `out`.
void PackBits(const uint32_t* values, size_t count, int bit_width, uint8_t* out);
void PackBits(const uint64_t* values, size_t count, int bit_width, uint8_t* out);
}  // namespace internal

// Bits needed for values up to `max_value` (0 for 0).
inline int BitWidthFor(uint64_t max_value) {
  return max_value == 0 ? 0 : 64 - __builtin_clzll(max_value);
}

class RleBitPackedEncoder {
 public:
  // Appends the hybrid runs of `values` (each < 2^bit_width, bit_width 0..32) to `out`, without a
  // length prefix (dictionary indices). Runs of 8 or more equal values become RLE runs; the rest
  // is bit-packed in groups of 8, the last group padded with zeros.
  static void Encode(const uint32_t* values, size_t n, int bit_width, Buffer* out);
  static void Encode(const int16_t* values, size_t n, int bit_width, Buffer* out);
  static void Encode(const uint8_t* values, size_t n, int bit_width, Buffer* out);

  // The same preceded by its byte length as 4 bytes little-endian (data page v1 levels).
  static void EncodeWithLengthPrefix(const int16_t* values, size_t n, int bit_width, Buffer* out);

  // An upper bound of the encoded size of n values (no prefix).
  static size_t MaxEncodedSize(size_t n, int bit_width);
};

}  // namespace floe::parquet
