#pragma once

// Min/max/null/NaN statistics of a column as it is written, for the footer (Parquet Statistics)
// and for Iceberg's manifest (ColumnMetrics bounds), truncated with floe/util/bound_truncation.h.

#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "floe/parquet/types.h"
#include "floe/util/bound_truncation.h"
#include "floe/util/endian.h"

namespace floe::parquet {

// How values of a leaf compare for statistics (parquet.thrift ColumnOrder TYPE_ORDER).
enum class StatsOrder { kBoolean, kSigned, kFloat, kUnsignedBytes, kSignedBytes };
StatsOrder StatsOrderFor(const LeafColumn& leaf);

// a < b as unsigned bytes, a prefix first (StatsOrder::kUnsignedBytes): what memcmp and then the
// lengths decide, eight bytes at a time and inline, for the per-value loops of statistics.
inline bool UnsignedBytesLess(std::string_view a, std::string_view b) {
  const size_t n = a.size() < b.size() ? a.size() : b.size();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const uint64_t x = LoadBE64(a.data() + i), y = LoadBE64(b.data() + i);
    if (x != y) return x < y;
  }
  for (; i < n; ++i) {
    const auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x != y) return x < y;
  }
  return a.size() < b.size();
}

// Running statistics of one column over a run of pages (a chunk, or the whole file).
// Bounds are kept in PLAIN form without length prefix, untruncated.
class ColumnStats {
 public:
  explicit ColumnStats(StatsOrder order = StatsOrder::kSigned) : order_(order) {}

  void AddNulls(int64_t n) { null_count_ += n; }

  void Update(const int32_t* v, size_t n) { UpdateInt(v, n); }
  void Update(const int64_t* v, size_t n) { UpdateInt(v, n); }
  void Update(const float* v, size_t n) { UpdateFloat(v, n); }
  void Update(const double* v, size_t n) { UpdateFloat(v, n); }
  void UpdateBools(const uint8_t* v, size_t n);
  // Values [first, first + n) of a byte-array ColumnVector.
  void UpdateBytes(const ByteArrayValues& values, size_t first, size_t n);

  // Folds another stats object (same order) into this one.
  void Merge(const ColumnStats& other);
  void Reset() { *this = ColumnStats(order_); }

  bool has_min_max() const { return has_min_max_; }
  // PLAIN bytes; float zeros are normalised: a min of zero is -0.0, a max of zero +0.0.
  std::string min_bytes() const;
  std::string max_bytes() const;
  int64_t null_count() const { return null_count_; }
  int64_t nan_count() const { return nan_count_; }

 private:
  template <typename T>
  void UpdateInt(const T* v, size_t n);
  template <typename T>
  void UpdateFloat(const T* v, size_t n);
  // Inline for the per-value loop of UpdateBytes; decimals' order out of line.
  bool BytesLess(std::string_view a, std::string_view b) const {
    return order_ == StatsOrder::kSignedBytes ? SignedBytesLess(a, b) : UnsignedBytesLess(a, b);
  }
  static bool SignedBytesLess(std::string_view a, std::string_view b);
  std::string FloatBytes(bool is_min) const;

  StatsOrder order_;
  bool has_min_max_ = false;
  int64_t null_count_ = 0;
  int64_t nan_count_ = 0;
  // Numbers: the min/max as int64 (ints, bools) or double (floats) plus the width of the PLAIN
  // form; byte arrays: the values themselves.
  int64_t imin_ = 0, imax_ = 0;
  double fmin_ = 0, fmax_ = 0;
  int width_ = 0;
  std::string smin_, smax_;
};

template <typename T>
void ColumnStats::UpdateInt(const T* v, size_t n) {
  if (n == 0) return;
  T lo = v[0], hi = v[0];
  for (size_t i = 1; i < n; ++i) {
    lo = v[i] < lo ? v[i] : lo;
    hi = v[i] > hi ? v[i] : hi;
  }
  width_ = sizeof(T);
  if (!has_min_max_) {
    imin_ = lo;
    imax_ = hi;
    has_min_max_ = true;
  } else {
    imin_ = lo < imin_ ? lo : imin_;
    imax_ = hi > imax_ ? hi : imax_;
  }
}

template <typename T>
void ColumnStats::UpdateFloat(const T* v, size_t n) {
  width_ = sizeof(T);
  for (size_t i = 0; i < n; ++i) {
    T x = v[i];
    if (std::isnan(x)) {
      ++nan_count_;
      continue;
    }
    if (!has_min_max_) {
      fmin_ = fmax_ = x;
      has_min_max_ = true;
      continue;
    }
    // -0.0 and +0.0 compare equal here; min_bytes()/max_bytes() choose the sign of a zero.
    fmin_ = x < fmin_ ? x : fmin_;
    fmax_ = x > fmax_ ? x : fmax_;
  }
}

}  // namespace floe::parquet
