#pragma once

#include <cstdint>

#include "floe/parquet/encoding/value_decoder.h"

namespace floe::parquet {

// PLAIN values of any physical type: fixed-width little-endian numbers, booleans bit-packed
// LSB-first, BYTE_ARRAY as 4-byte length + bytes, FIXED_LEN_BYTE_ARRAY and INT96 as raw bytes.
class PlainDecoder final : public ValueDecoder {
 public:
  // `type_length` is the FIXED_LEN_BYTE_ARRAY width (ignored otherwise; INT96 is always 12).
  PlainDecoder(PhysicalType physical, int32_t type_length);

  Status SetData(ByteView data, int64_t max_values) override;
  Status Decode(int64_t n, ColumnVector* out) override;

  // Bytes not yet consumed.
  size_t remaining() const { return static_cast<size_t>(end_ - pos_); }

 private:
  template <typename T>
  Status DecodeFixed(int64_t n, std::vector<T>* out);
  Status DecodeBooleans(int64_t n, ColumnVector* out);
  Status DecodeByteArrays(int64_t n, ColumnVector* out);
  Status AppendLongByteArrays(int64_t n, ColumnVector* out);
  // The error for the byte-array length at `p` (value `i` of the batch) that does not fit.
  Status LengthError(const uint8_t* p, int64_t i) const;
  Status DecodeFixedBytes(int64_t n, ColumnVector* out);

  PhysicalType physical_;
  int32_t width_;  // bytes per value of fixed-width types
  const uint8_t* begin_ = nullptr;
  const uint8_t* pos_ = nullptr;
  const uint8_t* end_ = nullptr;
  int bit_offset_ = 0;  // booleans: bits of *pos_ already consumed
};

}  // namespace floe::parquet
