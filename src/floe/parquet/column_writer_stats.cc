#include "floe/parquet/column_writer_stats.h"

#include <vector>

#include "floe/util/endian.h"

namespace floe::parquet {

StatsOrder StatsOrderFor(const LeafColumn& leaf) {
  switch (leaf.physical) {
    case PhysicalType::kBoolean: return StatsOrder::kBoolean;
    case PhysicalType::kInt32:
    case PhysicalType::kInt64: return StatsOrder::kSigned;
    case PhysicalType::kFloat:
    case PhysicalType::kDouble: return StatsOrder::kFloat;
    case PhysicalType::kFixedLenByteArray:
    case PhysicalType::kByteArray:
      return leaf.type == FieldType::kDecimal ? StatsOrder::kSignedBytes
                                              : StatsOrder::kUnsignedBytes;
    case PhysicalType::kInt96: return StatsOrder::kUnsignedBytes;
  }
  return StatsOrder::kUnsignedBytes;
}

void ColumnStats::UpdateBools(const uint8_t* v, size_t n) {
  if (n == 0) return;
  bool any_false = false, any_true = false;
  for (size_t i = 0; i < n; ++i) {
    any_true |= v[i] != 0;
    any_false |= v[i] == 0;
  }
  width_ = 1;
  int64_t lo = any_false ? 0 : 1, hi = any_true ? 1 : 0;
  if (!has_min_max_) {
    imin_ = lo;
    imax_ = hi;
    has_min_max_ = true;
  } else {
    imin_ = std::min(imin_, lo);
    imax_ = std::max(imax_, hi);
  }
}

bool ColumnStats::SignedBytesLess(std::string_view a, std::string_view b) {
  // Two's complement big-endian (decimals): the sign decides first; equal lengths assumed
  // (FIXED_LEN_BYTE_ARRAY), shorter sorts first otherwise.
  if (a.size() != b.size()) return a.size() < b.size();
  if (a.empty()) return false;
  auto sa = static_cast<int8_t>(a[0]), sb = static_cast<int8_t>(b[0]);
  if (sa != sb) return sa < sb;
  return std::memcmp(a.data() + 1, b.data() + 1, a.size() - 1) < 0;
}

void ColumnStats::UpdateBytes(const ByteArrayValues& values, size_t first, size_t n) {
  if (n == 0) return;
  // Track the extremes as views, copy once per slice.
  std::string_view lo = values[first], hi = lo;
  // Two comparisons per value of every plain string column (event ids, JSON text): as calls to
  // memcmp they were ~3 % of `floe ingest`'s CPU; BytesLess compares unsigned bytes inline.
  for (size_t i = first + 1; i < first + n; ++i) {
    std::string_view v = values[i];
    if (BytesLess(v, lo)) {
      lo = v;
    } else if (BytesLess(hi, v)) {
      hi = v;
    }
  }
  if (!has_min_max_) {
    smin_.assign(lo);
    smax_.assign(hi);
    has_min_max_ = true;
    return;
  }
  if (BytesLess(lo, smin_)) smin_.assign(lo);
  if (BytesLess(smax_, hi)) smax_.assign(hi);
}

void ColumnStats::Merge(const ColumnStats& o) {
  null_count_ += o.null_count_;
  nan_count_ += o.nan_count_;
  if (!o.has_min_max_) return;
  width_ = o.width_;
  if (!has_min_max_) {
    imin_ = o.imin_;
    imax_ = o.imax_;
    fmin_ = o.fmin_;
    fmax_ = o.fmax_;
    smin_ = o.smin_;
    smax_ = o.smax_;
    has_min_max_ = true;
    return;
  }
  imin_ = std::min(imin_, o.imin_);
  imax_ = std::max(imax_, o.imax_);
  fmin_ = o.fmin_ < fmin_ ? o.fmin_ : fmin_;
  fmax_ = o.fmax_ > fmax_ ? o.fmax_ : fmax_;
  if (BytesLess(o.smin_, smin_)) smin_ = o.smin_;
  if (BytesLess(smax_, o.smax_)) smax_ = o.smax_;
}

std::string ColumnStats::FloatBytes(bool is_min) const {
  double v = is_min ? fmin_ : fmax_;
  if (v == 0) v = is_min ? -0.0 : 0.0;
  std::string out(static_cast<size_t>(width_), '\0');
  if (width_ == 4) {
    StoreLE<float>(out.data(), static_cast<float>(v));
  } else {
    StoreLE<double>(out.data(), v);
  }
  return out;
}

std::string ColumnStats::min_bytes() const {
  switch (order_) {
    case StatsOrder::kFloat: return FloatBytes(true);
    case StatsOrder::kUnsignedBytes:
    case StatsOrder::kSignedBytes: return smin_;
    default: {
      std::string out(static_cast<size_t>(width_), '\0');
      std::memcpy(out.data(), &imin_, out.size());  // little-endian low bytes
      return out;
    }
  }
}

std::string ColumnStats::max_bytes() const {
  switch (order_) {
    case StatsOrder::kFloat: return FloatBytes(false);
    case StatsOrder::kUnsignedBytes:
    case StatsOrder::kSignedBytes: return smax_;
    default: {
      std::string out(static_cast<size_t>(width_), '\0');
      std::memcpy(out.data(), &imax_, out.size());
      return out;
    }
  }
}

}  // namespace floe::parquet
