#include "floe/parquet/column_writer_stats.h"

#include <vector>

#include "floe/util/endian.h"

namespace floe::parquet {

namespace {

// Length of the UTF-8 sequence starting with `lead`; malformed leads count as one byte.
size_t Utf8Len(uint8_t lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xF0 && lead <= 0xF7) return 4;
  if (lead >= 0xE0) return lead <= 0xEF ? 3 : 1;
  if (lead >= 0xC0) return 2;
  return 1;
}

// Splits `s` into characters (code points or bytes): their start offsets, plus s.size() at the
// end. Stops early once `limit` characters are found past the first `limit`, which is all the
// callers need to know.
std::vector<size_t> CharStarts(std::string_view s, bool utf8, size_t limit) {
  std::vector<size_t> starts;
  size_t i = 0;
  while (i < s.size() && starts.size() <= limit) {
    starts.push_back(i);
    size_t len = utf8 ? Utf8Len(static_cast<uint8_t>(s[i])) : 1;
    i = std::min(s.size(), i + len);
  }
  starts.push_back(i);
  return starts;
}

// How many leading characters fit both limits.
size_t FittingChars(const std::vector<size_t>& starts, size_t max_chars, size_t max_bytes) {
  size_t chars = std::min(max_chars, starts.size() - 1);
  while (chars > 0 && starts[chars] > max_bytes) --chars;
  return chars;
}

bool DecodeUtf8(std::string_view c, uint32_t* cp) {
  auto b = [&](size_t i) { return static_cast<uint8_t>(c[i]); };
  switch (c.size()) {
    case 1: *cp = b(0); return b(0) < 0x80;
    case 2: *cp = (b(0) & 0x1Fu) << 6 | (b(1) & 0x3Fu); return true;
    case 3: *cp = (b(0) & 0x0Fu) << 12 | (b(1) & 0x3Fu) << 6 | (b(2) & 0x3Fu); return true;
    case 4:
      *cp = (b(0) & 0x07u) << 18 | (b(1) & 0x3Fu) << 12 | (b(2) & 0x3Fu) << 6 | (b(3) & 0x3Fu);
      return true;
    default: return false;
  }
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

std::string TruncateLower(std::string_view s, size_t max_chars, size_t max_bytes, bool utf8) {
  // A character takes at least one byte, so a short enough string fits both limits.
  if (s.size() <= max_bytes && s.size() <= max_chars) return std::string(s);
  std::vector<size_t> starts = CharStarts(s, utf8, max_chars);
  size_t chars = FittingChars(starts, max_chars, max_bytes);
  return std::string(s.substr(0, starts[chars]));
}

std::optional<std::string> TruncateUpper(std::string_view s, size_t max_chars, size_t max_bytes,
                                         bool utf8) {
  if (s.size() <= max_bytes && s.size() <= max_chars) return std::string(s);
  std::vector<size_t> starts = CharStarts(s, utf8, max_chars);
  size_t total_chars = starts.size() - 1;
  if (s.size() <= max_bytes && total_chars <= max_chars) return std::string(s);
  size_t chars = FittingChars(starts, max_chars, max_bytes);
  // Try the last kept character, then earlier ones, dropping what cannot be incremented.
  while (chars > 0) {
    size_t begin = starts[chars - 1], end = starts[chars];
    std::string_view last = s.substr(begin, end - begin);
    if (!utf8) {
      auto byte = static_cast<uint8_t>(last[0]);
      if (byte != 0xFF) {
        std::string out(s.substr(0, begin));
        out.push_back(static_cast<char>(byte + 1));
        return out;
      }
    } else {
      uint32_t cp;
      if (DecodeUtf8(last, &cp) && cp < 0x10FFFF) {
        uint32_t next = cp + 1 == 0xD800 ? 0xE000 : cp + 1;
        std::string out(s.substr(0, begin));
        if (out.size() + (next < 0x80      ? 1
                          : next < 0x800   ? 2
                          : next < 0x10000 ? 3
                                           : 4) <=
            max_bytes) {
          AppendUtf8(next, &out);
          return out;
        }
      }
    }
    --chars;
  }
  return std::nullopt;
}

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

bool ColumnStats::BytesLess(std::string_view a, std::string_view b) const {
  if (order_ == StatsOrder::kSignedBytes) {
    // Two's complement big-endian (decimals): the sign decides first; equal lengths assumed
    // (FIXED_LEN_BYTE_ARRAY), shorter sorts first otherwise.
    if (a.size() != b.size()) return a.size() < b.size();
    if (a.empty()) return false;
    auto sa = static_cast<int8_t>(a[0]), sb = static_cast<int8_t>(b[0]);
    if (sa != sb) return sa < sb;
    return std::memcmp(a.data() + 1, b.data() + 1, a.size() - 1) < 0;
  }
  size_t n = std::min(a.size(), b.size());
  int c = std::memcmp(a.data(), b.data(), n);
  return c < 0 || (c == 0 && a.size() < b.size());
}

void ColumnStats::UpdateBytes(const uint32_t* offsets, const char* bytes, size_t first, size_t n) {
  if (n == 0) return;
  auto at = [&](size_t i) {
    return std::string_view(bytes + offsets[i], offsets[i + 1] - offsets[i]);
  };
  // Track the extremes as views, copy once per slice.
  std::string_view lo = at(first), hi = lo;
  for (size_t i = first + 1; i < first + n; ++i) {
    std::string_view v = at(i);
    if (BytesLess(v, lo)) lo = v;
    if (BytesLess(hi, v)) hi = v;
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
