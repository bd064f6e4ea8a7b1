#include "floe/parquet/encoding/delta_byte_array_decoder.h"

#include <string>

namespace floe::parquet {

Status DeltaByteArrayDecoder::SetData(ByteView data, int64_t max_values) {
  auto length = DeltaBinaryPackedDecoder::EncodedLength(data);
  if (!length.ok()) return length.status().WithContext("DELTA_BYTE_ARRAY prefix lengths");
  FLOE_RETURN_IF_ERROR(prefixes_.SetData(data.first(*length), max_values)
                           .WithContext("DELTA_BYTE_ARRAY prefix lengths"));
  FLOE_RETURN_IF_ERROR(suffixes_.SetData(data.subspan(*length), max_values)
                           .WithContext("DELTA_BYTE_ARRAY suffixes"));
  last_.clear();
  return Status::OK();
}

Status DeltaByteArrayDecoder::Decode(int64_t n, ColumnVector* out) {
  if (n <= 0) return Status::OK();
  if (static_cast<uint64_t>(n) > prefixes_.values_left()) {
    return Status::Corrupt("DELTA_BYTE_ARRAY: " + std::to_string(n) + " values wanted, only " +
                           std::to_string(prefixes_.values_left()) + " prefix lengths remain");
  }
  const size_t count = static_cast<size_t>(n);
  if (prefix_scratch_.size() < count) prefix_scratch_.resize(count);
  if (suffix_scratch_.size() < count) suffix_scratch_.resize(count);
  FLOE_RETURN_IF_ERROR(prefixes_.DecodeRaw(n, prefix_scratch_.data())
                           .WithContext("DELTA_BYTE_ARRAY prefix lengths"));
  FLOE_RETURN_IF_ERROR(
      suffixes_.NextViews(n, suffix_scratch_.data()).WithContext("DELTA_BYTE_ARRAY suffixes"));
  StartOffsets(out);
  out->offsets.reserve(out->offsets.size() + count);
  for (size_t i = 0; i < count; ++i) {
    const int64_t prefix = prefix_scratch_[i];
    if (prefix < 0 || static_cast<uint64_t>(prefix) > last_.size()) {
      return Status::Corrupt("DELTA_BYTE_ARRAY: prefix length " + std::to_string(prefix) +
                             " of value " + std::to_string(i) + " of the batch exceeds the " +
                             std::to_string(last_.size()) + " bytes of the previous value");
    }
    last_.resize(static_cast<size_t>(prefix));
    last_.append(suffix_scratch_[i]);
    if (physical_ == PhysicalType::kFixedLenByteArray &&
        last_.size() != static_cast<size_t>(type_length_)) {
      return Status::Corrupt("DELTA_BYTE_ARRAY: FIXED_LEN_BYTE_ARRAY value of " +
                             std::to_string(last_.size()) + " bytes, the column's width is " +
                             std::to_string(type_length_));
    }
    FLOE_RETURN_IF_ERROR(CheckByteCapacity(*out, last_.size()));
    out->bytes.append(last_);
    out->offsets.push_back(static_cast<uint32_t>(out->bytes.size()));
  }
  return Status::OK();
}

}  // namespace floe::parquet
