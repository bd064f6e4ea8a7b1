#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "floe/parquet/encoding/delta_binary_packed_decoder.h"
#include "floe/parquet/encoding/value_decoder.h"

namespace floe::parquet {

// DELTA_LENGTH_BYTE_ARRAY: all lengths as one DELTA_BINARY_PACKED stream, then all bytes.
class DeltaLengthByteArrayDecoder final : public ValueDecoder {
 public:
  DeltaLengthByteArrayDecoder() : lengths_(PhysicalType::kInt32) {}

  Status SetData(ByteView data, int64_t max_values) override;
  Status Decode(int64_t n, ColumnVector* out) override;

  // The next `n` values as views into the page data (valid until the next SetData).
  Status NextViews(int64_t n, std::string_view* out);

 private:
  DeltaBinaryPackedDecoder lengths_;
  const uint8_t* bytes_pos_ = nullptr;
  const uint8_t* bytes_end_ = nullptr;
  std::vector<int64_t> length_scratch_;
  std::vector<std::string_view> view_scratch_;
};

}  // namespace floe::parquet
