#include "floe/parquet/encoding/rle_encoder.h"

#include "floe/util/endian.h"
#include "floe/util/varint.h"

namespace floe::parquet {

namespace internal {

void PackBits(const uint32_t* values, size_t count, int bit_width, uint8_t* out) {
  if (bit_width == 0) return;
  uint64_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < count; ++i) {
    acc |= static_cast<uint64_t>(values[i]) << bits;
    bits += bit_width;
    while (bits >= 8) {
      *out++ = static_cast<uint8_t>(acc);
      acc >>= 8;
      bits -= 8;
    }
  }
}

void PackBits(const uint64_t* values, size_t count, int bit_width, uint8_t* out) {
  if (bit_width == 0) return;
  unsigned __int128 acc = 0;
  int bits = 0;
  for (size_t i = 0; i < count; ++i) {
    acc |= static_cast<unsigned __int128>(values[i]) << bits;
    bits += bit_width;
    while (bits >= 8) {
      *out++ = static_cast<uint8_t>(acc);
      acc >>= 8;
      bits -= 8;
    }
  }
}

}  // namespace internal

namespace {

// A one-byte header (63 groups) keeps literal runs readable by the most conservative readers.
constexpr size_t kMaxLiteralValues = 63 * 8;

template <typename T>
void EmitLiteral(const T* v, size_t count, int bit_width, Buffer* out) {
  while (count > 0) {
    size_t take = count < kMaxLiteralValues ? count : kMaxLiteralValues;
    size_t groups = (take + 7) / 8;
    uint8_t* p = out->EnsureTail(kMaxVarint64Bytes + groups * static_cast<size_t>(bit_width));
    size_t pos = EncodeUleb128((groups << 1) | 1, p);
    uint32_t tmp[8];
    for (size_t g = 0; g < groups; ++g) {
      size_t base = g * 8;
      for (size_t k = 0; k < 8; ++k) {
        tmp[k] = base + k < take ? static_cast<uint32_t>(v[base + k]) : 0;
      }
      internal::PackBits(tmp, 8, bit_width, p + pos);
      pos += static_cast<size_t>(bit_width);
    }
    out->Resize(out->size() + pos);
    v += take;
    count -= take;
  }
}

void EmitRun(uint32_t value, size_t count, int bit_width, Buffer* out) {
  uint8_t* p = out->EnsureTail(kMaxVarint64Bytes + 4);
  size_t pos = EncodeUleb128(static_cast<uint64_t>(count) << 1, p);
  int bytes = (bit_width + 7) / 8;
  for (int b = 0; b < bytes; ++b) p[pos++] = static_cast<uint8_t>(value >> (8 * b));
  out->Resize(out->size() + pos);
}

template <typename T>
void EncodeImpl(const T* v, size_t n, int bit_width, Buffer* out) {
  size_t literal_start = 0;  // pending literal values are [literal_start, i)
  size_t i = 0;
  while (i < n) {
    T x = v[i];
    size_t j = i + 1;
    while (j < n && v[j] == x) ++j;
    size_t run = j - i;
    size_t pending = i - literal_start;
    if (run >= 8) {
      // Bit-packed runs hold whole groups of 8: the run lends values to complete the literal.
      size_t lend = (8 - pending % 8) % 8;
      if (run - lend >= 8) {
        if (pending + lend > 0) EmitLiteral(v + literal_start, pending + lend, bit_width, out);
        EmitRun(static_cast<uint32_t>(x), run - lend, bit_width, out);
        literal_start = j;
      }
    } else if (j == n && pending % 8 == 0) {
      // A short run that ends the input after whole groups: an RLE run is smaller than padding.
      if (pending > 0) EmitLiteral(v + literal_start, pending, bit_width, out);
      EmitRun(static_cast<uint32_t>(x), run, bit_width, out);
      literal_start = j;
    }
    i = j;
  }
  if (literal_start < n) EmitLiteral(v + literal_start, n - literal_start, bit_width, out);
}

}  // namespace

void RleBitPackedEncoder::Encode(const uint32_t* values, size_t n, int bit_width, Buffer* out) {
  EncodeImpl(values, n, bit_width, out);
}
void RleBitPackedEncoder::Encode(const int16_t* values, size_t n, int bit_width, Buffer* out) {
  EncodeImpl(values, n, bit_width, out);
}
void RleBitPackedEncoder::Encode(const uint8_t* values, size_t n, int bit_width, Buffer* out) {
  EncodeImpl(values, n, bit_width, out);
}

void RleBitPackedEncoder::EncodeWithLengthPrefix(const int16_t* values, size_t n, int bit_width,
                                                 Buffer* out) {
  size_t start = out->size();
  out->Resize(start + 4);
  EncodeImpl(values, n, bit_width, out);
  StoreLE<uint32_t>(out->data() + start, static_cast<uint32_t>(out->size() - start - 4));
}

size_t RleBitPackedEncoder::MaxEncodedSize(size_t n, int bit_width) {
  // Worst case: everything bit-packed, one header per literal run, plus one final padded group.
  size_t groups = (n + 7) / 8 + 1;
  return groups * static_cast<size_t>(bit_width) + (groups / 63 + 2) * kMaxVarint64Bytes;
}

}  // namespace floe::parquet
