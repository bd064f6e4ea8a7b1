#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "floe/parquet/encoding/delta_binary_packed_decoder.h"
#include "floe/parquet/encoding/delta_length_byte_array_decoder.h"
#include "floe/parquet/encoding/value_decoder.h"

namespace floe::parquet {

// DELTA_BYTE_ARRAY (incremental encoding): prefix lengths as DELTA_BINARY_PACKED, then the
// suffixes as DELTA_LENGTH_BYTE_ARRAY; value i = value(i-1)[0, prefix_i) + suffix_i.
class DeltaByteArrayDecoder final : public ValueDecoder {
 public:
  // kByteArray, or kFixedLenByteArray with its width (every value must have that length).
  DeltaByteArrayDecoder(PhysicalType physical, int32_t type_length)
      : physical_(physical), type_length_(type_length), prefixes_(PhysicalType::kInt32) {}

  Status SetData(ByteView data, int64_t max_values) override;
  Status Decode(int64_t n, ColumnVector* out) override;

 private:
  PhysicalType physical_;
  int32_t type_length_;
  DeltaBinaryPackedDecoder prefixes_;
  DeltaLengthByteArrayDecoder suffixes_;
  std::string last_;
  std::vector<int64_t> prefix_scratch_;
  std::vector<std::string_view> suffix_scratch_;
};

}  // namespace floe::parquet
