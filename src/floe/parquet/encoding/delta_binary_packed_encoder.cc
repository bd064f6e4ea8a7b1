#include "floe/parquet/encoding/delta_binary_packed_encoder.h"

#include <algorithm>
#include <limits>
#include <type_traits>

#include "floe/parquet/encoding/rle_encoder.h"
#include "floe/util/varint.h"

namespace floe::parquet {

namespace {

template <typename T>
void EncodeImpl(const T* v, size_t n, Buffer* out) {
  using U = std::make_unsigned_t<T>;
  constexpr size_t kBlock = DeltaBinaryPackedEncoder::kBlockSize;
  constexpr size_t kMini = kBlock / DeltaBinaryPackedEncoder::kMiniblocks;
  uint8_t* p = out->EnsureTail(4 * kMaxVarint64Bytes);
  size_t pos = EncodeUleb128(kBlock, p);
  pos += EncodeUleb128(DeltaBinaryPackedEncoder::kMiniblocks, p + pos);
  pos += EncodeUleb128(n, p + pos);
  pos += EncodeUleb128(ZigZagEncode64(n > 0 ? static_cast<int64_t>(v[0]) : 0), p + pos);
  out->Resize(out->size() + pos);
  if (n <= 1) return;

  U d[kBlock];
  U prev = static_cast<U>(v[0]);
  for (size_t start = 1; start < n; start += kBlock) {
    size_t m = std::min(kBlock, n - start);
    T min_delta = std::numeric_limits<T>::max();
    for (size_t k = 0; k < m; ++k) {
      U cur = static_cast<U>(v[start + k]);
      d[k] = static_cast<U>(cur - prev);
      prev = cur;
      min_delta = std::min(min_delta, static_cast<T>(d[k]));
    }
    U max_adjusted = 0;
    int widths[DeltaBinaryPackedEncoder::kMiniblocks] = {};
    for (size_t k = 0; k < m; ++k) d[k] = static_cast<U>(d[k] - static_cast<U>(min_delta));
    std::fill(d + m, d + kBlock, U{0});
    size_t used = (m + kMini - 1) / kMini;
    for (size_t mb = 0; mb < used; ++mb) {
      max_adjusted = 0;
      for (size_t k = mb * kMini; k < (mb + 1) * kMini; ++k) max_adjusted |= d[k];
      widths[mb] = BitWidthFor(max_adjusted);
    }
    size_t body = 0;
    for (size_t mb = 0; mb < used; ++mb) body += static_cast<size_t>(widths[mb]) * kMini / 8;
    p = out->EnsureTail(kMaxVarint64Bytes + DeltaBinaryPackedEncoder::kMiniblocks + body);
    pos = EncodeUleb128(ZigZagEncode64(static_cast<int64_t>(min_delta)), p);
    for (size_t mb = 0; mb < DeltaBinaryPackedEncoder::kMiniblocks; ++mb) {
      p[pos++] = static_cast<uint8_t>(widths[mb]);
    }
    for (size_t mb = 0; mb < used; ++mb) {
      if constexpr (sizeof(T) == 4) {
        internal::PackBits(reinterpret_cast<const uint32_t*>(d + mb * kMini), kMini, widths[mb],
                           p + pos);
      } else {
        internal::PackBits(reinterpret_cast<const uint64_t*>(d + mb * kMini), kMini, widths[mb],
                           p + pos);
      }
      pos += static_cast<size_t>(widths[mb]) * kMini / 8;
    }
    out->Resize(out->size() + pos);
  }
}

}  // namespace

void DeltaBinaryPackedEncoder::Encode(const int32_t* values, size_t n, Buffer* out) {
  EncodeImpl(values, n, out);
}

void DeltaBinaryPackedEncoder::Encode(const int64_t* values, size_t n, Buffer* out) {
  EncodeImpl(values, n, out);
}

}  // namespace floe::parquet
