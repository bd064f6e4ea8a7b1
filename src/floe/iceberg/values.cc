#include "floe/iceberg/values.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <vector>

#include "floe/iceberg/datetime.h"
#include "floe/util/bound_truncation.h"
#include "floe/util/endian.h"

namespace floe::iceberg {

namespace {

std::string Int128ToString(Int128 v) {
  if (v == 0) return "0";
  bool negative = v < 0;
  // Work on the unsigned magnitude so the most negative value does not overflow.
  unsigned __int128 mag =
      negative ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string digits;
  while (mag != 0) {
    digits.push_back(static_cast<char>('0' + static_cast<int>(mag % 10)));
    mag /= 10;
  }
  if (negative) digits.push_back('-');
  return std::string(digits.rbegin(), digits.rend());
}

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

template <typename T>
std::string LittleEndianBytes(T v) {
  std::string out(sizeof(T), '\0');
  StoreLE<T>(out.data(), v);
  return out;
}

Status WrongLength(const Type& type, size_t got, std::string_view want) {
  return Status::Corrupt("a " + type.ToString() + " value takes " + std::string(want) +
                         " bytes, got " + std::to_string(got));
}

}  // namespace

std::string DecimalToMinimalBytes(Int128 unscaled) {
  uint8_t be[16];
  auto u = static_cast<unsigned __int128>(unscaled);
  for (int i = 15; i >= 0; --i) {
    be[i] = static_cast<uint8_t>(u & 0xff);
    u >>= 8;
  }
  // Drop leading bytes that only repeat the sign of the byte after them.
  int start = 0;
  while (start < 15) {
    bool redundant = (be[start] == 0x00 && (be[start + 1] & 0x80) == 0) ||
                     (be[start] == 0xff && (be[start + 1] & 0x80) != 0);
    if (!redundant) break;
    ++start;
  }
  return std::string(reinterpret_cast<const char*>(be + start), 16 - start);
}

Result<Int128> DecimalFromBytes(ByteView bytes) {
  if (bytes.empty() || bytes.size() > 16) {
    return Status::Corrupt("a decimal value takes 1 to 16 bytes, got " +
                           std::to_string(bytes.size()));
  }
  unsigned __int128 u = (bytes[0] & 0x80) ? ~static_cast<unsigned __int128>(0) : 0;
  for (uint8_t b : bytes) u = (u << 8) | b;
  return static_cast<Int128>(u);
}

std::string DecimalToString(Int128 unscaled, int32_t scale) {
  std::string digits = Int128ToString(unscaled);
  bool negative = !digits.empty() && digits[0] == '-';
  if (negative) digits.erase(0, 1);
  if (scale > 0) {
    if (digits.size() <= static_cast<size_t>(scale)) {
      digits.insert(0, static_cast<size_t>(scale) - digits.size() + 1, '0');
    }
    digits.insert(digits.size() - static_cast<size_t>(scale), ".");
  }
  return negative ? "-" + digits : digits;
}

Result<Int128> ParseDecimal(std::string_view text, int32_t scale) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  unsigned __int128 v = 0;
  int digits = 0, fraction_digits = 0;
  bool seen_point = false;
  for (char c : s) {
    if (c == '.' && !seen_point) {
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9' || ++digits > 38) {
      return Status::InvalidArgument("bad decimal \"" + std::string(text) + "\"");
    }
    if (seen_point) ++fraction_digits;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (digits == 0 || fraction_digits > scale) {
    return Status::InvalidArgument("bad decimal \"" + std::string(text) + "\" for scale " +
                                   std::to_string(scale));
  }
  for (int i = fraction_digits; i < scale; ++i) v *= 10;
  auto signed_v = static_cast<Int128>(v);
  return negative ? -signed_v : signed_v;
}

std::string Literal::ToString() const {
  if (is_null()) return "null";
  switch (type_.id) {
    case TypeId::kBoolean: return bool_value() ? "true" : "false";
    case TypeId::kInt: return std::to_string(int_value());
    case TypeId::kLong: return std::to_string(long_value());
    case TypeId::kFloat: return std::to_string(float_value());
    case TypeId::kDouble: return std::to_string(double_value());
    case TypeId::kDecimal: return DecimalToString(decimal_unscaled(), type_.scale);
    case TypeId::kDate: return FormatDate(int_value());
    case TypeId::kTime: return FormatTime(long_value());
    case TypeId::kTimestamp: return FormatTimestamp(long_value(), false);
    case TypeId::kTimestampTz: return FormatTimestamp(long_value(), true);
    case TypeId::kString: return "\"" + bytes_value() + "\"";
    case TypeId::kUuid: return uuid_value().ToString();
    case TypeId::kFixed:
    case TypeId::kBinary: return "X'" + Hex(bytes_value()) + "'";
    default: return "?";
  }
}

Result<std::string> SerializeValue(const Literal& value) {
  if (value.is_null()) return Status::InvalidArgument("a null value has no binary form");
  switch (value.type().id) {
    case TypeId::kBoolean: return std::string(1, value.bool_value() ? '\x01' : '\x00');
    case TypeId::kInt:
    case TypeId::kDate: return LittleEndianBytes<int32_t>(value.int_value());
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: return LittleEndianBytes<int64_t>(value.long_value());
    case TypeId::kFloat: return LittleEndianBytes<float>(value.float_value());
    case TypeId::kDouble: return LittleEndianBytes<double>(value.double_value());
    case TypeId::kDecimal: return DecimalToMinimalBytes(value.decimal_unscaled());
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kFixed: return value.bytes_value();
    case TypeId::kUuid: {
      const auto& b = value.uuid_value().bytes;
      return std::string(reinterpret_cast<const char*>(b.data()), b.size());
    }
    default:
      return Status::InvalidArgument("type " + value.type().ToString() +
                                     " has no single-value binary form");
  }
}

Result<Literal> DeserializeValue(const Type& type, ByteView bytes) {
  switch (type.id) {
    case TypeId::kBoolean:
      if (bytes.size() != 1) return WrongLength(type, bytes.size(), "1");
      return Literal::Boolean(bytes[0] != 0);
    case TypeId::kInt:
    case TypeId::kDate: {
      if (bytes.size() != 4) return WrongLength(type, bytes.size(), "4");
      int32_t v = LoadLE<int32_t>(bytes.data());
      return type.id == TypeId::kInt ? Literal::Int(v) : Literal::Date(v);
    }
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      int64_t v = 0;
      if (bytes.size() == 8) {
        v = LoadLE<int64_t>(bytes.data());
      } else if (bytes.size() == 4 && type.id == TypeId::kLong) {
        v = LoadLE<int32_t>(bytes.data());  // written before an int→long promotion
      } else {
        return WrongLength(type, bytes.size(), "8");
      }
      switch (type.id) {
        case TypeId::kLong: return Literal::Long(v);
        case TypeId::kTime: return Literal::Time(v);
        case TypeId::kTimestamp: return Literal::Timestamp(v);
        default: return Literal::TimestampTz(v);
      }
    }
    case TypeId::kFloat:
      if (bytes.size() != 4) return WrongLength(type, bytes.size(), "4");
      return Literal::Float(LoadLE<float>(bytes.data()));
    case TypeId::kDouble:
      if (bytes.size() == 8) return Literal::Double(LoadLE<double>(bytes.data()));
      if (bytes.size() == 4) return Literal::Double(LoadLE<float>(bytes.data()));
      return WrongLength(type, bytes.size(), "8");
    case TypeId::kDecimal: {
      FLOE_ASSIGN_OR_RETURN(Int128 v, DecimalFromBytes(bytes));
      return Literal::Decimal(v, type.precision, type.scale);
    }
    case TypeId::kString: return Literal::String(std::string(AsStringView(bytes)));
    case TypeId::kBinary: return Literal::Binary(std::string(AsStringView(bytes)));
    case TypeId::kFixed:
      if (bytes.size() != static_cast<size_t>(type.length)) {
        return WrongLength(type, bytes.size(), std::to_string(type.length));
      }
      return Literal::Fixed(std::string(AsStringView(bytes)));
    case TypeId::kUuid: {
      if (bytes.size() != 16) return WrongLength(type, bytes.size(), "16");
      Uuid u;
      std::memcpy(u.bytes.data(), bytes.data(), 16);
      return Literal::UuidValue(u);
    }
    default:
      return Status::InvalidArgument("type " + type.ToString() +
                                     " has no single-value binary form");
  }
}

Result<std::string> ParquetBoundToIceberg(const Type& type, parquet::PhysicalType physical,
                                          std::string_view plain) {
  if (type.id != TypeId::kDecimal) return std::string(plain);
  ByteView b = AsBytes(plain);
  switch (physical) {
    case parquet::PhysicalType::kInt32:
      if (b.size() != 4) return WrongLength(type, b.size(), "4 (INT32)");
      return DecimalToMinimalBytes(LoadLE<int32_t>(b.data()));
    case parquet::PhysicalType::kInt64:
      if (b.size() != 8) return WrongLength(type, b.size(), "8 (INT64)");
      return DecimalToMinimalBytes(LoadLE<int64_t>(b.data()));
    case parquet::PhysicalType::kFixedLenByteArray:
    case parquet::PhysicalType::kByteArray: {
      FLOE_ASSIGN_OR_RETURN(Int128 v, DecimalFromBytes(b));
      return DecimalToMinimalBytes(v);
    }
    default:
      return Status::InvalidArgument("a decimal cannot be stored as Parquet physical type " +
                                     std::to_string(static_cast<int>(physical)));
  }
}

// Iceberg's truncate(N) bounds: N code points of a string, N bytes of a binary.
std::string TruncateStringLowerBound(std::string_view utf8, int32_t n) {
  return TruncateLowerBound(utf8, static_cast<size_t>(std::max(n, 0)), SIZE_MAX, true);
}

std::optional<std::string> TruncateStringUpperBound(std::string_view utf8, int32_t n) {
  return TruncateUpperBound(utf8, static_cast<size_t>(std::max(n, 0)), SIZE_MAX, true);
}

std::string TruncateBinaryLowerBound(std::string_view bytes, int32_t n) {
  return TruncateLowerBound(bytes, static_cast<size_t>(std::max(n, 0)), SIZE_MAX, false);
}

std::optional<std::string> TruncateBinaryUpperBound(std::string_view bytes, int32_t n) {
  return TruncateUpperBound(bytes, static_cast<size_t>(std::max(n, 0)), SIZE_MAX, false);
}

namespace {

template <typename T>
int Cmp(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// -0.0 before +0.0, NaN after everything (IEEE totalOrder for the values bounds can hold).
template <typename F>
int CmpFloat(F a, F b) {
  if (std::isnan(a) || std::isnan(b)) return Cmp<int>(std::isnan(a), std::isnan(b));
  if (a == b) return Cmp<int>(!std::signbit(a), !std::signbit(b));
  return Cmp(a, b);
}

}  // namespace

Result<int> CompareLiterals(const Literal& a, const Literal& b) {
  if (a.is_null() || b.is_null() || a.type().id != b.type().id) {
    return Status::InvalidArgument("cannot compare " + a.ToString() + " (" + a.type().ToString() +
                                   ") with " + b.ToString() + " (" + b.type().ToString() + ")");
  }
  switch (a.type().id) {
    case TypeId::kBoolean: return Cmp(a.bool_value(), b.bool_value());
    case TypeId::kInt:
    case TypeId::kDate: return Cmp(a.int_value(), b.int_value());
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: return Cmp(a.long_value(), b.long_value());
    case TypeId::kFloat: return CmpFloat(a.float_value(), b.float_value());
    case TypeId::kDouble: return CmpFloat(a.double_value(), b.double_value());
    case TypeId::kDecimal: {
      if (a.type().scale != b.type().scale) {
        return Status::InvalidArgument("cannot compare decimals of different scales");
      }
      return Cmp(a.decimal_unscaled(), b.decimal_unscaled());
    }
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kFixed: {
      // std::string compares chars as unsigned (char_traits<char>::lt), i.e. by unsigned bytes.
      int c = a.bytes_value().compare(b.bytes_value());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case TypeId::kUuid: return Cmp(a.uuid_value().bytes, b.uuid_value().bytes);
    default: return Status::InvalidArgument("type " + a.type().ToString() + " is not comparable");
  }
}

}  // namespace floe::iceberg
