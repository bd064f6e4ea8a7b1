#pragma once

// DELTA_BINARY_PACKED (Encodings.md) for INT32 and INT64: a header <block size 128>
// <miniblocks 4> <value count> <first value zigzag>, then per block of 128 deltas <min delta
// zigzag> <4 bit widths> <miniblocks of 32 (delta - min) bit-packed>. Deltas wrap in the column's
// width, as parquet-java computes them.

#include <cstddef>
#include <cstdint>

#include "floe/util/buffer.h"

namespace floe::parquet {

class DeltaBinaryPackedEncoder {
 public:
  static constexpr size_t kBlockSize = 128;
  static constexpr size_t kMiniblocks = 4;

  static void Encode(const int32_t* values, size_t n, Buffer* out);
  static void Encode(const int64_t* values, size_t n, Buffer* out);
};

}  // namespace floe::parquet
