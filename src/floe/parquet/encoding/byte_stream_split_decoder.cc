#include "floe/parquet/encoding/byte_stream_split_decoder.h"

#include <string>

namespace floe::parquet {

ByteStreamSplitDecoder::ByteStreamSplitDecoder(PhysicalType physical, int32_t type_length)
    : physical_(physical) {
  switch (physical) {
    case PhysicalType::kFloat:
    case PhysicalType::kInt32: width_ = 4; break;
    case PhysicalType::kDouble:
    case PhysicalType::kInt64: width_ = 8; break;
    case PhysicalType::kFixedLenByteArray: width_ = type_length; break;
    default: width_ = 0; break;
  }
}

Status ByteStreamSplitDecoder::SetData(ByteView data, int64_t /*max_values*/) {
  if (width_ <= 0) {
    return Status::Corrupt("BYTE_STREAM_SPLIT: not defined for this physical type or width " +
                           std::to_string(width_));
  }
  if (data.size() % static_cast<size_t>(width_) != 0) {
    return Status::Corrupt("BYTE_STREAM_SPLIT: " + std::to_string(data.size()) +
                           " bytes are not a whole number of " + std::to_string(width_) +
                           "-byte values");
  }
  data_ = data.data();
  num_values_ = static_cast<int64_t>(data.size() / static_cast<size_t>(width_));
  pos_ = 0;
  return Status::OK();
}

void ByteStreamSplitDecoder::Gather(int64_t n, uint8_t* dst) const {
  const size_t w = static_cast<size_t>(width_);
  for (size_t k = 0; k < w; ++k) {
    const uint8_t* stream =
        data_ + k * static_cast<size_t>(num_values_) + static_cast<size_t>(pos_);
    for (int64_t i = 0; i < n; ++i) dst[static_cast<size_t>(i) * w + k] = stream[i];
  }
}

Status ByteStreamSplitDecoder::Decode(int64_t n, ColumnVector* out) {
  if (n <= 0) return Status::OK();
  if (n > num_values_ - pos_) {
    return Status::Corrupt("BYTE_STREAM_SPLIT: " + std::to_string(n) + " values wanted, only " +
                           std::to_string(num_values_ - pos_) + " remain");
  }
  const size_t count = static_cast<size_t>(n);
  uint8_t* dst = nullptr;
  switch (physical_) {
    case PhysicalType::kFloat:
      out->f32.resize(out->f32.size() + count);
      dst = reinterpret_cast<uint8_t*>(out->f32.data() + out->f32.size() - count);
      break;
    case PhysicalType::kInt32:
      out->i32.resize(out->i32.size() + count);
      dst = reinterpret_cast<uint8_t*>(out->i32.data() + out->i32.size() - count);
      break;
    case PhysicalType::kDouble:
      out->f64.resize(out->f64.size() + count);
      dst = reinterpret_cast<uint8_t*>(out->f64.data() + out->f64.size() - count);
      break;
    case PhysicalType::kInt64:
      out->i64.resize(out->i64.size() + count);
      dst = reinterpret_cast<uint8_t*>(out->i64.data() + out->i64.size() - count);
      break;
    case PhysicalType::kFixedLenByteArray: {
      const uint64_t bytes = count * static_cast<uint64_t>(width_);
      FLOE_RETURN_IF_ERROR(CheckByteCapacity(*out, bytes));
      StartOffsets(out);
      uint32_t off = static_cast<uint32_t>(out->bytes.size());
      for (size_t i = 0; i < count; ++i) {
        off += static_cast<uint32_t>(width_);
        out->offsets.push_back(off);
      }
      out->bytes.resize(out->bytes.size() + bytes);
      dst = reinterpret_cast<uint8_t*>(out->bytes.data() + out->bytes.size() - bytes);
      break;
    }
    default: return Status::Internal("BYTE_STREAM_SPLIT: unsupported physical type");
  }
  Gather(n, dst);
  pos_ += n;
  return Status::OK();
}

}  // namespace floe::parquet
