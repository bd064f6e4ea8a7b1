#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace floe {

inline uint64_t ZigZagEncode64(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline uint32_t ZigZagEncode32(int32_t v) {
  return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
}
inline int64_t ZigZagDecode64(uint64_t v) {
  return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
}
inline int32_t ZigZagDecode32(uint32_t v) {
  return static_cast<int32_t>((v >> 1) ^ (~(v & 1) + 1));
}

constexpr size_t kMaxVarint64Bytes = 10;

// Writes `v` as ULEB128 at `out` (room for kMaxVarint64Bytes); returns bytes written.
inline size_t EncodeUleb128(uint64_t v, uint8_t* out) {
  size_t n = 0;
  while (v >= 0x80) {
    out[n++] = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  out[n++] = static_cast<uint8_t>(v);
  return n;
}

inline void AppendUleb128(std::string* out, uint64_t v) {
  uint8_t buf[kMaxVarint64Bytes];
  size_t n = EncodeUleb128(v, buf);
  out->append(reinterpret_cast<const char*>(buf), n);
}

// Reads a ULEB128 value from [*p, end). On success advances *p and returns true; returns false
// (leaving *p unchanged) when the input ends first or the value overflows 64 bits.
inline bool DecodeUleb128(const uint8_t** p, const uint8_t* end, uint64_t* out) {
  const uint8_t* q = *p;
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (q >= end) return false;
    uint8_t byte = *q++;
    if (shift == 63 && byte > 1) return false;
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *p = q;
      *out = result;
      return true;
    }
  }
  return false;
}

}  // namespace floe
