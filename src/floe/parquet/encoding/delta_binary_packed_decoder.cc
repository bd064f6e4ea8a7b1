#include "floe/parquet/encoding/delta_binary_packed_decoder.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "floe/util/endian.h"
#include "floe/util/varint.h"

namespace floe::parquet {

namespace {

struct Header {
  uint64_t block_size = 0;
  uint64_t miniblocks = 0;
  uint64_t total = 0;
  uint64_t first = 0;
};

Status ReadVarint(const uint8_t** p, const uint8_t* begin, const uint8_t* end, const char* what,
                  uint64_t* out) {
  if (!DecodeUleb128(p, end, out)) {
    return Status::Corrupt(std::string("DELTA_BINARY_PACKED: ") + what + " at byte " +
                           std::to_string(*p - begin) + " is truncated or not a valid varint");
  }
  return Status::OK();
}

Status ReadHeader(const uint8_t** p, const uint8_t* begin, const uint8_t* end, Header* h) {
  FLOE_RETURN_IF_ERROR(ReadVarint(p, begin, end, "block size", &h->block_size));
  FLOE_RETURN_IF_ERROR(ReadVarint(p, begin, end, "miniblock count", &h->miniblocks));
  FLOE_RETURN_IF_ERROR(ReadVarint(p, begin, end, "total value count", &h->total));
  uint64_t zz;
  FLOE_RETURN_IF_ERROR(ReadVarint(p, begin, end, "first value", &zz));
  h->first = static_cast<uint64_t>(ZigZagDecode64(zz));
  if (h->block_size == 0 || h->block_size % 128 != 0 || h->block_size > (1u << 24)) {
    return Status::Corrupt("DELTA_BINARY_PACKED: block size " + std::to_string(h->block_size) +
                           " is not a positive multiple of 128 (up to 2^24)");
  }
  if (h->miniblocks == 0 || h->block_size % h->miniblocks != 0 ||
      (h->block_size / h->miniblocks) % 32 != 0) {
    return Status::Corrupt("DELTA_BINARY_PACKED: " + std::to_string(h->miniblocks) +
                           " miniblocks do not split a block of " + std::to_string(h->block_size) +
                           " values into multiples of 32");
  }
  return Status::OK();
}

// Unpacks 32 values of `w` (1..64) bits: 4*w bytes at `in`.
void Unpack32(const uint8_t* in, int w, uint64_t* out) {
  uint8_t padded[4 * 64 + 16] = {};
  std::memcpy(padded, in, static_cast<size_t>(4 * w));
  const uint64_t mask = w == 64 ? ~uint64_t{0} : ((uint64_t{1} << w) - 1);
  for (int i = 0; i < 32; ++i) {
    const int bit = i * w;
    const int shift = bit % 8;
    uint64_t v = LoadLE<uint64_t>(padded + bit / 8) >> shift;
    if (shift + w > 64) v |= static_cast<uint64_t>(padded[bit / 8 + 8]) << (64 - shift);
    out[i] = v & mask;
  }
}

}  // namespace

Status DeltaBinaryPackedDecoder::SetData(ByteView data, int64_t /*max_values*/) {
  begin_ = pos_ = data.data();
  end_ = data.data() + data.size();
  Header h;
  FLOE_RETURN_IF_ERROR(ReadHeader(&pos_, begin_, end_, &h));
  values_per_block_ = h.block_size;
  miniblocks_per_block_ = h.miniblocks;
  values_per_miniblock_ = h.block_size / h.miniblocks;
  values_left_ = h.total;
  first_pending_ = h.total > 0;
  last_value_ = h.first;
  miniblock_ = miniblocks_per_block_;
  groups_left_in_miniblock_ = 0;
  group_pos_ = 32;
  return Status::OK();
}

Status DeltaBinaryPackedDecoder::NextBlock() {
  FLOE_RETURN_IF_ERROR(ReadVarint(&pos_, begin_, end_, "block min delta", &min_delta_));
  min_delta_ = static_cast<uint64_t>(ZigZagDecode64(min_delta_));
  if (static_cast<uint64_t>(end_ - pos_) < miniblocks_per_block_) {
    return Status::Corrupt("DELTA_BINARY_PACKED: the bit widths of a block at byte " +
                           std::to_string(pos_ - begin_) + " are truncated");
  }
  bit_widths_ = pos_;
  pos_ += miniblocks_per_block_;
  miniblock_ = 0;
  groups_left_in_miniblock_ = values_per_miniblock_ / 32;
  return Status::OK();
}

Status DeltaBinaryPackedDecoder::NextGroup() {
  if (groups_left_in_miniblock_ == 0) {
    if (miniblock_ + 1 >= miniblocks_per_block_) {
      FLOE_RETURN_IF_ERROR(NextBlock());
    } else {
      ++miniblock_;
      groups_left_in_miniblock_ = values_per_miniblock_ / 32;
    }
  }
  const int w = bit_widths_[miniblock_];
  const int max_width = physical_ == PhysicalType::kInt32 ? 32 : 64;
  if (w > max_width) {
    return Status::Corrupt("DELTA_BINARY_PACKED: miniblock bit width " + std::to_string(w) +
                           " exceeds " + std::to_string(max_width) + " at byte " +
                           std::to_string(bit_widths_ + miniblock_ - begin_));
  }
  const size_t bytes = static_cast<size_t>(4 * w);
  if (static_cast<size_t>(end_ - pos_) < bytes) {
    return Status::Corrupt("DELTA_BINARY_PACKED: miniblock data at byte " +
                           std::to_string(pos_ - begin_) + " needs " + std::to_string(bytes) +
                           " bytes, " + std::to_string(end_ - pos_) + " remain");
  }
  if (w == 0) {
    std::fill_n(group_, 32, uint64_t{0});
  } else {
    Unpack32(pos_, w, group_);
  }
  pos_ += bytes;
  --groups_left_in_miniblock_;
  group_pos_ = 0;
  return Status::OK();
}

Status DeltaBinaryPackedDecoder::DecodeRaw(int64_t n, int64_t* out) {
  if (n <= 0) return Status::OK();
  if (static_cast<uint64_t>(n) > values_left_) {
    return Status::Corrupt("DELTA_BINARY_PACKED: " + std::to_string(n) +
                           " values wanted, the header announces only " +
                           std::to_string(values_left_) + " more");
  }
  const bool narrow = physical_ == PhysicalType::kInt32;
  int64_t i = 0;
  if (first_pending_) {
    out[i++] = narrow ? static_cast<int32_t>(last_value_) : static_cast<int64_t>(last_value_);
    first_pending_ = false;
  }
  while (i < n) {
    if (group_pos_ == 32) FLOE_RETURN_IF_ERROR(NextGroup());
    const int64_t k = std::min<int64_t>(n - i, 32 - group_pos_);
    uint64_t v = last_value_;
    for (int64_t j = 0; j < k; ++j) {
      v += min_delta_ + group_[group_pos_ + j];
      out[i + j] = narrow ? static_cast<int32_t>(v) : static_cast<int64_t>(v);
    }
    last_value_ = v;
    group_pos_ += static_cast<int>(k);
    i += k;
  }
  values_left_ -= static_cast<uint64_t>(n);
  return Status::OK();
}

Status DeltaBinaryPackedDecoder::Decode(int64_t n, ColumnVector* out) {
  if (n <= 0) return Status::OK();
  if (static_cast<uint64_t>(n) > values_left_) {
    return Status::Corrupt("DELTA_BINARY_PACKED: " + std::to_string(n) +
                           " values wanted, the header announces only " +
                           std::to_string(values_left_) + " more");
  }
  if (physical_ == PhysicalType::kInt64) {
    const size_t old = out->i64.size();
    out->i64.resize(old + static_cast<size_t>(n));
    Status s = DecodeRaw(n, out->i64.data() + old);
    if (!s.ok()) out->i64.resize(old);
    return s;
  }
  const size_t old = out->i32.size();
  out->i32.resize(old + static_cast<size_t>(n));
  int64_t chunk[256];
  for (int64_t done = 0; done < n;) {
    const int64_t k = std::min<int64_t>(256, n - done);
    Status s = DecodeRaw(k, chunk);
    if (!s.ok()) {
      out->i32.resize(old);
      return s;
    }
    for (int64_t j = 0; j < k; ++j) out->i32[old + done + j] = static_cast<int32_t>(chunk[j]);
    done += k;
  }
  return Status::OK();
}

Result<size_t> DeltaBinaryPackedDecoder::EncodedLength(ByteView data) {
  const uint8_t* begin = data.data();
  const uint8_t* end = begin + data.size();
  const uint8_t* p = begin;
  Header h;
  FLOE_RETURN_IF_ERROR(ReadHeader(&p, begin, end, &h));
  const uint64_t per_miniblock = h.block_size / h.miniblocks;
  uint64_t left = h.total > 0 ? h.total - 1 : 0;
  // Each block takes at least one byte, so this loop is bounded by the input, not by `total`.
  while (left > 0) {
    uint64_t min_delta;
    FLOE_RETURN_IF_ERROR(ReadVarint(&p, begin, end, "block min delta", &min_delta));
    if (static_cast<uint64_t>(end - p) < h.miniblocks) {
      return Status::Corrupt("DELTA_BINARY_PACKED: the bit widths of a block at byte " +
                             std::to_string(p - begin) + " are truncated");
    }
    const uint8_t* widths = p;
    p += h.miniblocks;
    for (uint64_t m = 0; m < h.miniblocks && left > 0; ++m) {
      if (widths[m] > 64) {
        return Status::Corrupt("DELTA_BINARY_PACKED: miniblock bit width " +
                               std::to_string(widths[m]) + " exceeds 64");
      }
      const uint64_t bytes = per_miniblock * widths[m] / 8;
      if (static_cast<uint64_t>(end - p) < bytes) {
        return Status::Corrupt("DELTA_BINARY_PACKED: miniblock at byte " +
                               std::to_string(p - begin) + " needs " + std::to_string(bytes) +
                               " bytes, " + std::to_string(end - p) + " remain");
      }
      p += bytes;
      left -= std::min(left, per_miniblock);
    }
  }
  return static_cast<size_t>(p - begin);
}

}  // namespace floe::parquet
