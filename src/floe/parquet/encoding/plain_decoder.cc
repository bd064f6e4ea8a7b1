#include "floe/parquet/encoding/plain_decoder.h"

#include <cstring>
#include <string>

#include "floe/parquet/format.h"
#include "floe/util/endian.h"

namespace floe::parquet {

PlainDecoder::PlainDecoder(PhysicalType physical, int32_t type_length) : physical_(physical) {
  switch (physical) {
    case PhysicalType::kInt32:
    case PhysicalType::kFloat: width_ = 4; break;
    case PhysicalType::kInt64:
    case PhysicalType::kDouble: width_ = 8; break;
    case PhysicalType::kInt96: width_ = 12; break;
    case PhysicalType::kFixedLenByteArray: width_ = type_length; break;
    default: width_ = 0; break;
  }
}

Status PlainDecoder::SetData(ByteView data, int64_t /*max_values*/) {
  if (physical_ == PhysicalType::kFixedLenByteArray && width_ <= 0) {
    return Status::Corrupt("PLAIN FIXED_LEN_BYTE_ARRAY: type length " + std::to_string(width_) +
                           " is not positive");
  }
  begin_ = pos_ = data.data();
  end_ = data.data() + data.size();
  bit_offset_ = 0;
  return Status::OK();
}

Status PlainDecoder::Decode(int64_t n, ColumnVector* out) {
  if (n <= 0) return Status::OK();
  switch (physical_) {
    case PhysicalType::kBoolean: return DecodeBooleans(n, out);
    case PhysicalType::kInt32: return DecodeFixed(n, &out->i32);
    case PhysicalType::kInt64: return DecodeFixed(n, &out->i64);
    case PhysicalType::kFloat: return DecodeFixed(n, &out->f32);
    case PhysicalType::kDouble: return DecodeFixed(n, &out->f64);
    case PhysicalType::kByteArray: return DecodeByteArrays(n, out);
    case PhysicalType::kInt96:
    case PhysicalType::kFixedLenByteArray: return DecodeFixedBytes(n, out);
  }
  return Status::Internal("PLAIN: unknown physical type");
}

template <typename T>
Status PlainDecoder::DecodeFixed(int64_t n, std::vector<T>* out) {
  const uint64_t need = static_cast<uint64_t>(n) * sizeof(T);
  if (need > remaining()) {
    return Status::Corrupt(std::string("PLAIN ") + format::PhysicalTypeName(physical_) + ": " +
                           std::to_string(n) + " values need " + std::to_string(need) +
                           " bytes, only " + std::to_string(remaining()) + " remain at byte " +
                           std::to_string(pos_ - begin_));
  }
  const size_t old = out->size();
  out->resize(old + static_cast<size_t>(n));
  std::memcpy(out->data() + old, pos_, need);
  pos_ += need;
  return Status::OK();
}

Status PlainDecoder::DecodeBooleans(int64_t n, ColumnVector* out) {
  const uint64_t bits_left = remaining() * 8 - static_cast<uint64_t>(bit_offset_);
  if (static_cast<uint64_t>(n) > bits_left) {
    return Status::Corrupt("PLAIN BOOLEAN: " + std::to_string(n) + " values need " +
                           std::to_string(n) + " bits, only " + std::to_string(bits_left) +
                           " remain");
  }
  const size_t old = out->bools.size();
  out->bools.resize(old + static_cast<size_t>(n));
  uint8_t* dst = out->bools.data() + old;
  int64_t i = 0;
  while (i < n && bit_offset_ != 0) {
    dst[i++] = (*pos_ >> bit_offset_) & 1;
    if (++bit_offset_ == 8) {
      bit_offset_ = 0;
      ++pos_;
    }
  }
  for (; i + 8 <= n; i += 8, ++pos_) {
    const uint8_t byte = *pos_;
    for (int b = 0; b < 8; ++b) dst[i + b] = (byte >> b) & 1;
  }
  for (; i < n; ++i) {
    dst[i] = (*pos_ >> bit_offset_) & 1;
    if (++bit_offset_ == 8) {
      bit_offset_ = 0;
      ++pos_;
    }
  }
  return Status::OK();
}

Status PlainDecoder::LengthError(const uint8_t* p, int64_t i) const {
  const size_t left = static_cast<size_t>(end_ - p);
  if (left < 4) {
    return Status::Corrupt("PLAIN BYTE_ARRAY: value " + std::to_string(i) +
                           " of the batch has no length at byte " + std::to_string(p - begin_));
  }
  return Status::Corrupt("PLAIN BYTE_ARRAY: value length " + std::to_string(LoadLE<uint32_t>(p)) +
                         " at byte " + std::to_string(p - begin_) + " exceeds the " +
                         std::to_string(left - 4) + " bytes that remain");
}

Status PlainDecoder::DecodeByteArrays(int64_t n, ColumnVector* out) {
  // A value takes at least its 4-byte length, which bounds what may be reserved.
  if (static_cast<uint64_t>(n) > remaining() / 4) {
    return Status::Corrupt("PLAIN BYTE_ARRAY: " + std::to_string(n) + " values need at least " +
                           std::to_string(static_cast<uint64_t>(n) * 4) + " bytes, only " +
                           std::to_string(remaining()) + " remain at byte " +
                           std::to_string(pos_ - begin_));
  }
  constexpr uint64_t kLongAverage = 128;
  if (remaining() >= static_cast<uint64_t>(n) * (4 + kLongAverage) &&
      CheckByteCapacity(*out, remaining()).ok()) {
    return AppendLongByteArrays(n, out);
  }
  // First pass: check every length against the input and total the bytes, so the second pass
  // copies into storage sized once.
  const uint8_t* p = pos_;
  uint64_t total = 0;
  for (int64_t i = 0; i < n; ++i) {
    const size_t left = static_cast<size_t>(end_ - p);
    if (left < 4 || LoadLE<uint32_t>(p) > left - 4) return LengthError(p, i);
    const uint32_t len = LoadLE<uint32_t>(p);
    total += len;
    p += 4 + size_t{len};
  }
  FLOE_RETURN_IF_ERROR(CheckByteCapacity(*out, total));
  StartOffsets(out);
  const size_t old_offsets = out->offsets.size();
  out->offsets.resize(old_offsets + static_cast<size_t>(n));
  uint32_t* offsets = out->offsets.data() + old_offsets;
  // Values up to kSmall bytes are copied as one fixed-size block (a couple of vector moves
  // instead of a memcpy call); the slack this needs is trimmed at the end.
  constexpr size_t kSmall = 32;
  size_t at = out->bytes.size();
  out->bytes.resize(at + total + kSmall);
  char* dst = out->bytes.data();
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t len = LoadLE<uint32_t>(pos_);
    const uint8_t* src = pos_ + 4;
    if (len <= kSmall && static_cast<size_t>(end_ - src) >= kSmall) {
      std::memcpy(dst + at, src, kSmall);
    } else {
      std::memcpy(dst + at, src, len);
    }
    at += len;
    offsets[i] = static_cast<uint32_t>(at);
    pos_ = src + len;
  }
  out->bytes.resize(at);
  return Status::OK();
}

// Long values are checked and appended one by one in a single pass: growing the string first
// would zero every byte before it is overwritten, and a separate checking pass would walk the
// page twice (JSON payloads: about a tenth of their decode time together). The caller checked
// that every byte left could be added without overflowing the offsets.
Status PlainDecoder::AppendLongByteArrays(int64_t n, ColumnVector* out) {
  const size_t offsets_before = out->offsets.size();
  const size_t bytes_before = out->bytes.size();
  StartOffsets(out);
  const size_t old_offsets = out->offsets.size();
  out->offsets.resize(old_offsets + static_cast<size_t>(n));
  uint32_t* offsets = out->offsets.data() + old_offsets;
  const uint8_t* p = pos_;
  for (int64_t i = 0; i < n; ++i) {
    const size_t left = static_cast<size_t>(end_ - p);
    if (left < 4 || LoadLE<uint32_t>(p) > left - 4) {
      out->offsets.resize(offsets_before);
      out->bytes.resize(bytes_before);
      return LengthError(p, i);
    }
    const uint32_t len = LoadLE<uint32_t>(p);
    out->bytes.append(reinterpret_cast<const char*>(p + 4), len);
    offsets[i] = static_cast<uint32_t>(out->bytes.size());
    p += 4 + size_t{len};
  }
  pos_ = p;
  return Status::OK();
}

Status PlainDecoder::DecodeFixedBytes(int64_t n, ColumnVector* out) {
  const uint64_t need = static_cast<uint64_t>(n) * static_cast<uint64_t>(width_);
  if (need > remaining()) {
    return Status::Corrupt(
        std::string("PLAIN ") + format::PhysicalTypeName(physical_) + ": " + std::to_string(n) +
        " values of " + std::to_string(width_) + " bytes need " + std::to_string(need) + ", only " +
        std::to_string(remaining()) + " remain at byte " + std::to_string(pos_ - begin_));
  }
  FLOE_RETURN_IF_ERROR(CheckByteCapacity(*out, need));
  StartOffsets(out);
  const size_t old = out->offsets.size();
  out->offsets.resize(old + static_cast<size_t>(n));
  uint32_t off = static_cast<uint32_t>(out->bytes.size());
  for (int64_t i = 0; i < n; ++i) {
    off += static_cast<uint32_t>(width_);
    out->offsets[old + static_cast<size_t>(i)] = off;
  }
  out->bytes.append(reinterpret_cast<const char*>(pos_), need);
  pos_ += need;
  return Status::OK();
}

}  // namespace floe::parquet
