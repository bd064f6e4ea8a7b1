#include "floe/parquet/encoding/plain_encoder.h"

#include "floe/util/endian.h"

namespace floe::parquet {

void PlainEncoder::PutByteArrays(const ByteArrayValues& values, size_t first, size_t n,
                                 Buffer* out) {
  if (n == 0) return;
  size_t total = values.TotalBytes(first, n) + 4 * n;
  uint8_t* p = out->EnsureTail(total);
  for (size_t i = first; i < first + n; ++i) {
    const std::string_view v = values[i];
    const auto len = static_cast<uint32_t>(v.size());
    StoreLE<uint32_t>(p, len);
    std::memcpy(p + 4, v.data(), len);
    p += 4 + len;
  }
  out->Resize(out->size() + total);
}

void PlainEncoder::PutFixedLenByteArrays(const ByteArrayValues& values, size_t first, size_t n,
                                         Buffer* out) {
  if (n == 0) return;
  const size_t total = values.TotalBytes(first, n);
  uint8_t* p = out->EnsureTail(total);
  for (size_t i = first; i < first + n; ++i) {
    const std::string_view v = values[i];
    std::memcpy(p, v.data(), v.size());
    p += v.size();
  }
  out->Resize(out->size() + total);
}

void PlainEncoder::PutBooleans(const uint8_t* values, size_t n, Buffer* out) {
  size_t bytes = (n + 7) / 8;
  uint8_t* p = out->EnsureTail(bytes);
  size_t full = n / 8;
  for (size_t b = 0; b < full; ++b) {
    const uint8_t* v = values + 8 * b;
    p[b] = static_cast<uint8_t>((v[0] != 0) | (v[1] != 0) << 1 | (v[2] != 0) << 2 |
                                (v[3] != 0) << 3 | (v[4] != 0) << 4 | (v[5] != 0) << 5 |
                                (v[6] != 0) << 6 | (v[7] != 0) << 7);
  }
  if (full < bytes) {
    uint8_t last = 0;
    for (size_t i = full * 8; i < n; ++i) last |= static_cast<uint8_t>((values[i] != 0) << (i % 8));
    p[full] = last;
  }
  out->Resize(out->size() + bytes);
}

}  // namespace floe::parquet
