#include "floe/util/crc32c.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>

#if defined(__SSE4_2__)
#include <nmmintrin.h>
#endif

namespace floe {
namespace {

constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kTable = MakeTable();

}  // namespace

uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  uint32_t c = ~crc;
#if defined(__SSE4_2__)
  uint64_t c64 = c;
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    c64 = _mm_crc32_u64(c64, v);
    p += 8;
    n -= 8;
  }
  c = static_cast<uint32_t>(c64);
  while (n--) c = _mm_crc32_u8(c, *p++);
#else
  while (n--) c = kTable[(c ^ *p++) & 0xff] ^ (c >> 8);
#endif
  (void)kTable;
  return ~c;
}

void Crc32cOfThree(const void* const data[3], const size_t n[3], uint32_t crc[3]) {
  size_t done = 0;
#if defined(__SSE4_2__)
  const auto* a = static_cast<const uint8_t*>(data[0]);
  const auto* b = static_cast<const uint8_t*>(data[1]);
  const auto* c = static_cast<const uint8_t*>(data[2]);
  const size_t common = std::min({n[0], n[1], n[2]}) & ~size_t{7};
  uint64_t ca = 0xFFFFFFFFu, cb = 0xFFFFFFFFu, cc = 0xFFFFFFFFu;
  for (; done < common; done += 8) {
    uint64_t va, vb, vc;
    std::memcpy(&va, a + done, 8);
    std::memcpy(&vb, b + done, 8);
    std::memcpy(&vc, c + done, 8);
    ca = _mm_crc32_u64(ca, va);
    cb = _mm_crc32_u64(cb, vb);
    cc = _mm_crc32_u64(cc, vc);
  }
  // Finished values of the common part, extended by each buffer's rest.
  crc[0] = ~static_cast<uint32_t>(ca);
  crc[1] = ~static_cast<uint32_t>(cb);
  crc[2] = ~static_cast<uint32_t>(cc);
#else
  crc[0] = crc[1] = crc[2] = 0;
#endif
  for (int i = 0; i < 3; ++i) {
    crc[i] = Crc32cExtend(crc[i], static_cast<const uint8_t*>(data[i]) + done, n[i] - done);
  }
}

uint32_t Crc32(const void* data, size_t n) {
  uLong c = crc32(0L, Z_NULL, 0);
  const auto* p = static_cast<const Bytef*>(data);
  while (n > 0) {
    uInt chunk = n > (1u << 30) ? (1u << 30) : static_cast<uInt>(n);
    c = crc32(c, p, chunk);
    p += chunk;
    n -= chunk;
  }
  return static_cast<uint32_t>(c);
}

}  // namespace floe
