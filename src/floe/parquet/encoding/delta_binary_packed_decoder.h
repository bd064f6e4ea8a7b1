#pragma once

#include <cstddef>
#include <cstdint>

#include "floe/parquet/encoding/value_decoder.h"

namespace floe::parquet {

// DELTA_BINARY_PACKED (Encodings.md): a header <block size> <miniblocks per block> <total count>
// <first value>, then blocks of <min delta> <one bit width per miniblock> <miniblocks>. Arithmetic
// wraps in two's complement (deltas of INT32 columns wrap at 32 bits, which 64-bit arithmetic
// truncated to 32 bits reproduces).
class DeltaBinaryPackedDecoder final : public ValueDecoder {
 public:
  // `physical` is kInt32 or kInt64 (the byte-array decoders use kInt32 for lengths).
  explicit DeltaBinaryPackedDecoder(PhysicalType physical) : physical_(physical) {}

  Status SetData(ByteView data, int64_t max_values) override;
  Status Decode(int64_t n, ColumnVector* out) override;

  // The next `n` values as 64-bit integers (int32 streams: sign-extended low 32 bits).
  Status DecodeRaw(int64_t n, int64_t* out);

  // Values the header announces that are not yet decoded.
  uint64_t values_left() const { return values_left_; }

  // The length in bytes of the whole encoded stream at the start of `data`, found by walking the
  // block headers without decoding values (byte-array encodings store bytes after it).
  static Result<size_t> EncodedLength(ByteView data);

 private:
  Status NextBlock();
  Status NextGroup();

  PhysicalType physical_;
  const uint8_t* begin_ = nullptr;
  const uint8_t* pos_ = nullptr;
  const uint8_t* end_ = nullptr;
  uint64_t values_per_block_ = 0;
  uint64_t miniblocks_per_block_ = 0;
  uint64_t values_per_miniblock_ = 0;
  uint64_t values_left_ = 0;
  bool first_pending_ = false;
  uint64_t last_value_ = 0;
  uint64_t min_delta_ = 0;
  const uint8_t* bit_widths_ = nullptr;
  uint64_t miniblock_ = 0;  // index in the current block
  uint64_t groups_left_in_miniblock_ = 0;
  uint64_t group_[32] = {};
  int group_pos_ = 32;
};

}  // namespace floe::parquet
