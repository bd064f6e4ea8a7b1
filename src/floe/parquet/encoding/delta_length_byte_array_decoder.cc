#include "floe/parquet/encoding/delta_length_byte_array_decoder.h"

#include <cstring>
#include <string>

namespace floe::parquet {

Status DeltaLengthByteArrayDecoder::SetData(ByteView data, int64_t max_values) {
  auto length = DeltaBinaryPackedDecoder::EncodedLength(data);
  if (!length.ok()) return length.status().WithContext("DELTA_LENGTH_BYTE_ARRAY lengths");
  FLOE_RETURN_IF_ERROR(lengths_.SetData(data.first(*length), max_values)
                           .WithContext("DELTA_LENGTH_BYTE_ARRAY lengths"));
  bytes_pos_ = data.data() + *length;
  bytes_end_ = data.data() + data.size();
  return Status::OK();
}

Status DeltaLengthByteArrayDecoder::NextViews(int64_t n, std::string_view* out) {
  if (n <= 0) return Status::OK();
  if (static_cast<uint64_t>(n) > lengths_.values_left()) {
    return Status::Corrupt("DELTA_LENGTH_BYTE_ARRAY: " + std::to_string(n) +
                           " values wanted, only " + std::to_string(lengths_.values_left()) +
                           " lengths remain");
  }
  if (length_scratch_.size() < static_cast<size_t>(n)) {
    length_scratch_.resize(static_cast<size_t>(n));
  }
  FLOE_RETURN_IF_ERROR(
      lengths_.DecodeRaw(n, length_scratch_.data()).WithContext("DELTA_LENGTH_BYTE_ARRAY lengths"));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t len = length_scratch_[static_cast<size_t>(i)];
    if (len < 0 || len > bytes_end_ - bytes_pos_) {
      return Status::Corrupt("DELTA_LENGTH_BYTE_ARRAY: value length " + std::to_string(len) +
                             " is negative or exceeds the " +
                             std::to_string(bytes_end_ - bytes_pos_) + " bytes that remain");
    }
    out[i] = std::string_view(reinterpret_cast<const char*>(bytes_pos_), static_cast<size_t>(len));
    bytes_pos_ += len;
  }
  return Status::OK();
}

Status DeltaLengthByteArrayDecoder::Decode(int64_t n, ColumnVector* out) {
  if (n <= 0) return Status::OK();
  if (static_cast<uint64_t>(n) > lengths_.values_left()) {
    return Status::Corrupt("DELTA_LENGTH_BYTE_ARRAY: " + std::to_string(n) +
                           " values wanted, only " + std::to_string(lengths_.values_left()) +
                           " lengths remain");
  }
  if (view_scratch_.size() < static_cast<size_t>(n)) view_scratch_.resize(static_cast<size_t>(n));
  FLOE_RETURN_IF_ERROR(NextViews(n, view_scratch_.data()));
  uint64_t total = 0;
  for (int64_t i = 0; i < n; ++i) total += view_scratch_[static_cast<size_t>(i)].size();
  FLOE_RETURN_IF_ERROR(CheckByteCapacity(*out, total));
  StartOffsets(out);
  // The views are consecutive in the page, so the bytes are one copy.
  if (total > 0) out->bytes.append(view_scratch_[0].data(), total);
  uint32_t off = static_cast<uint32_t>(out->bytes.size() - total);
  const size_t old = out->offsets.size();
  out->offsets.resize(old + static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    off += static_cast<uint32_t>(view_scratch_[static_cast<size_t>(i)].size());
    out->offsets[old + static_cast<size_t>(i)] = off;
  }
  return Status::OK();
}

}  // namespace floe::parquet
