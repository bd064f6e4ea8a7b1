#include "floe/parquet/encoding/rle_decoder.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <utility>

#include "floe/util/endian.h"
#include "floe/util/varint.h"

namespace floe::parquet {

namespace internal {
namespace {

// Eight values of W bits take exactly W bytes; with 8 readable bytes past them each value is one
// unaligned 64-bit load and a shift, which the compiler unrolls for a constant W.
template <int W, typename T>
inline void Unpack8(const uint8_t* in, T* out) {
  if constexpr (W == 0) {
    for (int i = 0; i < 8; ++i) out[i] = 0;
  } else {
    constexpr uint64_t kMask = W == 32 ? 0xffffffffULL : ((uint64_t{1} << W) - 1);
    for (int i = 0; i < 8; ++i) {
      const int bit = i * W;
      out[i] = static_cast<T>((LoadLE<uint64_t>(in + bit / 8) >> (bit % 8)) & kMask);
    }
  }
}

template <int W, typename T>
void UnpackGroups(const uint8_t* in, size_t in_size, int64_t groups, T* out) {
  int64_t g = 0;
  // Direct loads while 8 bytes of slack remain past the group; the tail goes through a
  // zero-padded copy so nothing past the input is read.
  while (g < groups && static_cast<size_t>(g * W + W + 8) <= in_size) {
    Unpack8<W>(in + g * W, out + g * 8);
    ++g;
  }
  for (; g < groups; ++g) {
    uint8_t padded[48] = {};
    const size_t start = static_cast<size_t>(g * W);
    if (start < in_size) std::memcpy(padded, in + start, std::min<size_t>(W, in_size - start));
    Unpack8<W>(padded, out + g * 8);
  }
}

template <typename T>
using UnpackFn = void (*)(const uint8_t*, size_t, int64_t, T*);

template <typename T, int... Ws>
constexpr auto MakeTable(std::integer_sequence<int, Ws...>) {
  return std::array<UnpackFn<T>, sizeof...(Ws)>{&UnpackGroups<Ws, T>...};
}

template <typename T>
void Dispatch(const uint8_t* in, size_t in_size, int bit_width, int64_t groups, T* out) {
  static constexpr auto kTable = MakeTable<T>(std::make_integer_sequence<int, 33>{});
  kTable[bit_width](in, in_size, groups, out);
}

}  // namespace

void UnpackBits(const uint8_t* in, size_t in_size, int bit_width, int64_t groups, uint8_t* out) {
  Dispatch(in, in_size, bit_width, groups, out);
}
void UnpackBits(const uint8_t* in, size_t in_size, int bit_width, int64_t groups, int16_t* out) {
  Dispatch(in, in_size, bit_width, groups, out);
}
void UnpackBits(const uint8_t* in, size_t in_size, int bit_width, int64_t groups, uint32_t* out) {
  Dispatch(in, in_size, bit_width, groups, out);
}

}  // namespace internal

Status RleBitPackedDecoder::Reset(ByteView data, int bit_width) {
  if (bit_width < 0 || bit_width > 32) {
    return Status::Corrupt("RLE/bit-packed hybrid: bit width " + std::to_string(bit_width) +
                           " outside 0..32");
  }
  begin_ = pos_ = data.data();
  end_ = data.data() + data.size();
  bit_width_ = bit_width;
  rle_left_ = packed_left_ = 0;
  buffered_pos_ = buffered_count_ = 0;
  return Status::OK();
}

Status RleBitPackedDecoder::ResetWithLengthPrefix(ByteView data, int bit_width, size_t* consumed) {
  if (data.size() < 4) {
    return Status::Corrupt("RLE/bit-packed hybrid: length prefix needs 4 bytes, " +
                           std::to_string(data.size()) + " remain");
  }
  const uint32_t length = LoadLE<uint32_t>(data.data());
  if (length > data.size() - 4) {
    return Status::Corrupt("RLE/bit-packed hybrid: length prefix " + std::to_string(length) +
                           " exceeds the " + std::to_string(data.size() - 4) +
                           " bytes that remain");
  }
  *consumed = 4 + size_t{length};
  return Reset(data.subspan(4, length), bit_width);
}

Status RleBitPackedDecoder::NextRun() {
  const size_t at = static_cast<size_t>(pos_ - begin_);
  uint64_t header;
  if (!DecodeUleb128(&pos_, end_, &header) || header > 0xffffffffULL) {
    return Status::Corrupt("RLE/bit-packed hybrid: run header at byte " + std::to_string(at) +
                           (pos_ >= end_ ? " missing (runs ended before the values did)"
                                         : " is not a valid 32-bit varint"));
  }
  if (header & 1) {
    const int64_t values = static_cast<int64_t>(header >> 1) * 8;
    if (bit_width_ == 0) {
      packed_left_ = values;
    } else {
      // Writers may end the last run early; only the values whose bits are present count.
      const int64_t available = static_cast<int64_t>(end_ - pos_) * 8 / bit_width_;
      packed_left_ = std::min(values, available);
    }
    if (packed_left_ == 0 && values != 0) {
      return Status::Corrupt("RLE/bit-packed hybrid: bit-packed run at byte " + std::to_string(at) +
                             " has no data");
    }
    return Status::OK();
  }
  const int value_bytes = (bit_width_ + 7) / 8;
  if (end_ - pos_ < value_bytes) {
    return Status::Corrupt("RLE/bit-packed hybrid: RLE run at byte " + std::to_string(at) +
                           " is truncated");
  }
  uint32_t value = 0;
  for (int i = 0; i < value_bytes; ++i) value |= static_cast<uint32_t>(pos_[i]) << (8 * i);
  pos_ += value_bytes;
  if (bit_width_ < 32 && (value >> bit_width_) != 0) {
    return Status::Corrupt("RLE/bit-packed hybrid: RLE run at byte " + std::to_string(at) +
                           " repeats " + std::to_string(value) + ", wider than bit width " +
                           std::to_string(bit_width_));
  }
  rle_left_ = static_cast<int64_t>(header >> 1);
  rle_value_ = value;
  return Status::OK();
}

template <typename T>
Status RleBitPackedDecoder::GetImpl(T* out, int64_t n) {
  if (static_cast<size_t>(bit_width_) > sizeof(T) * 8) {
    return Status::Internal("RLE/bit-packed hybrid: bit width " + std::to_string(bit_width_) +
                            " too wide for the output type");
  }
  while (n > 0) {
    if (rle_left_ > 0) {
      const int64_t k = std::min(n, rle_left_);
      std::fill_n(out, k, static_cast<T>(rle_value_));
      out += k;
      n -= k;
      rle_left_ -= k;
    } else if (buffered_pos_ < buffered_count_) {
      const int64_t k = std::min<int64_t>(n, buffered_count_ - buffered_pos_);
      for (int64_t i = 0; i < k; ++i) out[i] = static_cast<T>(buffered_[buffered_pos_ + i]);
      buffered_pos_ += static_cast<int>(k);
      out += k;
      n -= k;
    } else if (packed_left_ > 0) {
      const size_t in_size = static_cast<size_t>(end_ - pos_);
      const int64_t groups = std::min(n, packed_left_) / 8;
      if (groups > 0) {
        internal::UnpackBits(pos_, in_size, bit_width_, groups, out);
        pos_ += std::min<size_t>(in_size, static_cast<size_t>(groups * bit_width_));
        out += groups * 8;
        n -= groups * 8;
        packed_left_ -= groups * 8;
      } else {
        internal::UnpackBits(pos_, in_size, bit_width_, 1, buffered_);
        pos_ += std::min<size_t>(in_size, static_cast<size_t>(bit_width_));
        buffered_pos_ = 0;
        buffered_count_ = static_cast<int>(std::min<int64_t>(8, packed_left_));
        packed_left_ -= buffered_count_;
      }
    } else {
      FLOE_RETURN_IF_ERROR(NextRun());
    }
  }
  return Status::OK();
}

template Status RleBitPackedDecoder::GetImpl(uint8_t*, int64_t);
template Status RleBitPackedDecoder::GetImpl(int16_t*, int64_t);
template Status RleBitPackedDecoder::GetImpl(uint32_t*, int64_t);

Status RleBooleanDecoder::SetData(ByteView data, int64_t /*max_values*/) {
  size_t consumed;
  return runs_.ResetWithLengthPrefix(data, 1, &consumed).WithContext("RLE booleans");
}

Status RleBooleanDecoder::Decode(int64_t n, ColumnVector* out) {
  const size_t old = out->bools.size();
  out->bools.resize(old + static_cast<size_t>(n));
  Status s = runs_.Get(out->bools.data() + old, n);
  if (!s.ok()) {
    out->bools.resize(old);
    return s.WithContext("RLE booleans");
  }
  return Status::OK();
}

}  // namespace floe::parquet
