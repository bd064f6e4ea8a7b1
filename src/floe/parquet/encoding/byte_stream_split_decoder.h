#pragma once

#include <cstdint>

#include "floe/parquet/encoding/value_decoder.h"

namespace floe::parquet {

// BYTE_STREAM_SPLIT: for values of K bytes, K streams of one byte per value; byte k of value i is
// at k * N + i, N being the page's value count (its data size divided by K).
class ByteStreamSplitDecoder final : public ValueDecoder {
 public:
  // kFloat, kDouble, kInt32, kInt64, or kFixedLenByteArray of `type_length` bytes.
  ByteStreamSplitDecoder(PhysicalType physical, int32_t type_length);

  Status SetData(ByteView data, int64_t max_values) override;
  Status Decode(int64_t n, ColumnVector* out) override;

 private:
  // Reassembles `n` values starting at the current position into `dst` (n * width_ bytes).
  void Gather(int64_t n, uint8_t* dst) const;

  PhysicalType physical_;
  int32_t width_;
  const uint8_t* data_ = nullptr;
  int64_t num_values_ = 0;
  int64_t pos_ = 0;
};

}  // namespace floe::parquet
