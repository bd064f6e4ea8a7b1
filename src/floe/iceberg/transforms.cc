#include "floe/iceberg/transforms.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "floe/iceberg/datetime.h"
#include "floe/util/base64.h"
#include "floe/util/endian.h"
#include "floe/util/hash.h"

namespace floe::iceberg {

namespace {

bool IsTemporal(TypeId id) {
  return id == TypeId::kDate || id == TypeId::kTimestamp || id == TypeId::kTimestampTz;
}

bool IsTimestamp(TypeId id) { return id == TypeId::kTimestamp || id == TypeId::kTimestampTz; }

template <typename T>
bool ParseNumber(std::string_view s, T* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Shortest text that reads back to the same value, with Java's ".0" for integral values.
template <typename F>
std::string FloatToString(F v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  std::string s(buf, ec == std::errc() ? p : buf);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

// Java's String.format("%04d", year).
std::string FormatYear(int64_t year) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld", static_cast<long long>(year));
  return buf;
}

int64_t HashLong(int64_t v) {
  uint8_t b[8];
  StoreLE<int64_t>(b, v);
  return Murmur3_32(b, 8);
}

// The number of bytes of the first `n` code points of UTF-8 text.
size_t Utf8PrefixBytes(std::string_view s, int64_t n) {
  size_t i = 0;
  for (int64_t cp = 0; cp < n && i < s.size(); ++cp) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  }
  return i;
}

}  // namespace

Result<Transform> Transform::Parse(std::string_view text) {
  static constexpr std::pair<std::string_view, TransformKind> kSimple[] = {
      {"identity", TransformKind::kIdentity}, {"year", TransformKind::kYear},
      {"month", TransformKind::kMonth},       {"day", TransformKind::kDay},
      {"hour", TransformKind::kHour},         {"void", TransformKind::kVoid},
  };
  for (const auto& [name, kind] : kSimple) {
    if (text == name) return Transform(kind, 0);
  }
  for (auto [prefix, kind] :
       {std::pair<std::string_view, TransformKind>{"bucket[", TransformKind::kBucket},
        {"truncate[", TransformKind::kTruncate}}) {
    if (text.starts_with(prefix) && text.ends_with("]")) {
      int32_t n = 0;
      if (!ParseNumber(text.substr(prefix.size(), text.size() - prefix.size() - 1), &n) || n <= 0) {
        return Status::InvalidArgument("bad transform \"" + std::string(text) +
                                       "\": the parameter must be a positive integer");
      }
      return Transform(kind, n);
    }
  }
  if (text.empty()) return Status::InvalidArgument("empty transform name");
  Transform t(TransformKind::kUnknown, 0);
  t.unknown_name_ = std::string(text);
  return t;
}

std::string Transform::ToString() const {
  switch (kind_) {
    case TransformKind::kIdentity: return "identity";
    case TransformKind::kBucket: return "bucket[" + std::to_string(param_) + "]";
    case TransformKind::kTruncate: return "truncate[" + std::to_string(param_) + "]";
    case TransformKind::kYear: return "year";
    case TransformKind::kMonth: return "month";
    case TransformKind::kDay: return "day";
    case TransformKind::kHour: return "hour";
    case TransformKind::kVoid: return "void";
    case TransformKind::kUnknown: return unknown_name_;
  }
  return unknown_name_;
}

bool Transform::CanTransform(const Type& source) const {
  if (!source.is_primitive()) return false;
  switch (kind_) {
    case TransformKind::kIdentity:
    case TransformKind::kVoid: return true;
    case TransformKind::kBucket:
      return source.id != TypeId::kBoolean && source.id != TypeId::kFloat &&
             source.id != TypeId::kDouble;
    case TransformKind::kTruncate:
      return source.id == TypeId::kInt || source.id == TypeId::kLong ||
             source.id == TypeId::kDecimal || source.id == TypeId::kString ||
             source.id == TypeId::kBinary;
    case TransformKind::kYear:
    case TransformKind::kMonth:
    case TransformKind::kDay: return IsTemporal(source.id);
    case TransformKind::kHour: return IsTimestamp(source.id);
    case TransformKind::kUnknown: return false;
  }
  return false;
}

Result<Type> Transform::ResultType(const Type& source) const {
  if (kind_ == TransformKind::kUnknown) {
    return Status::NotSupported("unknown transform \"" + unknown_name_ + "\"");
  }
  if (!CanTransform(source)) {
    return Status::InvalidArgument("transform " + ToString() + " cannot be applied to type " +
                                   source.ToString());
  }
  switch (kind_) {
    case TransformKind::kBucket:
    case TransformKind::kYear:
    case TransformKind::kMonth:
    case TransformKind::kHour: return Type::Primitive(TypeId::kInt);
    case TransformKind::kDay: return Type::Primitive(TypeId::kDate);
    default: return source;
  }
}

bool Transform::PreservesOrder() const {
  return kind_ != TransformKind::kBucket && kind_ != TransformKind::kVoid &&
         kind_ != TransformKind::kUnknown;
}

std::string Transform::DefaultFieldName(std::string_view source_name) const {
  std::string s(source_name);
  switch (kind_) {
    case TransformKind::kIdentity: return s;
    case TransformKind::kBucket: return s + "_bucket";
    case TransformKind::kTruncate: return s + "_trunc";
    case TransformKind::kYear: return s + "_year";
    case TransformKind::kMonth: return s + "_month";
    case TransformKind::kDay: return s + "_day";
    case TransformKind::kHour: return s + "_hour";
    case TransformKind::kVoid: return s + "_null";
    case TransformKind::kUnknown: return s + "_" + unknown_name_;
  }
  return s;
}

Result<int32_t> BucketHash(const Literal& value) {
  if (value.is_null()) return Status::InvalidArgument("a null value has no bucket hash");
  switch (value.type().id) {
    case TypeId::kInt:
    case TypeId::kDate: return static_cast<int32_t>(HashLong(value.int_value()));
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: return static_cast<int32_t>(HashLong(value.long_value()));
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kFixed: return Murmur3_32(value.bytes_value().data(), value.bytes_value().size());
    case TypeId::kUuid: return Murmur3_32(value.uuid_value().bytes.data(), 16);
    case TypeId::kDecimal: {
      std::string b = DecimalToMinimalBytes(value.decimal_unscaled());
      return Murmur3_32(b.data(), b.size());
    }
    default:
      return Status::InvalidArgument("type " + value.type().ToString() + " cannot be bucketed");
  }
}

Result<Literal> Transform::Apply(const Literal& value) const {
  FLOE_ASSIGN_OR_RETURN(Type result_type, ResultType(value.type()));
  if (value.is_null() || kind_ == TransformKind::kVoid) return Literal::Null(result_type);
  const TypeId id = value.type().id;
  switch (kind_) {
    case TransformKind::kIdentity: return value;
    case TransformKind::kBucket: {
      FLOE_ASSIGN_OR_RETURN(int32_t h, BucketHash(value));
      return Literal::Int((h & 0x7FFFFFFF) % param_);
    }
    case TransformKind::kTruncate: {
      const int64_t w = param_;
      switch (id) {
        case TypeId::kInt: {
          int64_t v = value.int_value();
          return Literal::Int(static_cast<int32_t>(v - FloorMod(v, w)));
        }
        case TypeId::kLong: {
          int64_t v = value.long_value();
          // Unsigned arithmetic wraps like Java's long at the extremes instead of overflowing.
          return Literal::Long(static_cast<int64_t>(static_cast<uint64_t>(v) -
                                                    static_cast<uint64_t>(FloorMod(v, w))));
        }
        case TypeId::kDecimal: {
          Int128 v = value.decimal_unscaled();
          Int128 mod = v % w;
          if (mod < 0) mod += w;
          return Literal::Decimal(v - mod, value.type().precision, value.type().scale);
        }
        case TypeId::kString: {
          const std::string& s = value.bytes_value();
          return Literal::String(s.substr(0, Utf8PrefixBytes(s, w)));
        }
        default: {  // binary
          const std::string& s = value.bytes_value();
          return Literal::Binary(s.substr(0, static_cast<size_t>(std::min<int64_t>(w, s.size()))));
        }
      }
    }
    case TransformKind::kYear:
    case TransformKind::kMonth:
    case TransformKind::kDay:
    case TransformKind::kHour: {
      int64_t days = 0;
      if (id == TypeId::kDate) {
        days = value.int_value();
      } else {
        if (kind_ == TransformKind::kHour) {
          return Literal::Int(static_cast<int32_t>(FloorDiv(value.long_value(), kMicrosPerHour)));
        }
        days = FloorDiv(value.long_value(), kMicrosPerDay);
      }
      if (kind_ == TransformKind::kDay) return Literal::Date(static_cast<int32_t>(days));
      CivilDate c = CivilFromDays(days);
      if (kind_ == TransformKind::kYear) return Literal::Int(static_cast<int32_t>(c.year - 1970));
      return Literal::Int(static_cast<int32_t>((c.year - 1970) * 12 + c.month - 1));
    }
    default: break;
  }
  return Status::NotSupported("transform " + ToString() + " cannot be applied");
}

std::string Transform::ToHumanString(const Literal& result) const {
  if (result.is_null()) return "null";
  const TypeId id = result.type().id;
  if (id == TypeId::kInt) {
    int64_t v = result.int_value();
    switch (kind_) {
      case TransformKind::kYear: return FormatYear(1970 + v);
      case TransformKind::kMonth: {
        char buf[16];
        std::snprintf(buf, sizeof(buf), "-%02d", static_cast<int>(FloorMod(v, 12) + 1));
        return FormatYear(1970 + FloorDiv(v, 12)) + buf;
      }
      case TransformKind::kHour: {
        char buf[16];
        std::snprintf(buf, sizeof(buf), "-%02d", static_cast<int>(FloorMod(v, 24)));
        return FormatDate(FloorDiv(v, 24)) + buf;
      }
      default: return std::to_string(v);
    }
  }
  switch (id) {
    case TypeId::kBoolean: return result.bool_value() ? "true" : "false";
    case TypeId::kLong: return std::to_string(result.long_value());
    case TypeId::kFloat: return FloatToString(result.float_value());
    case TypeId::kDouble: return FloatToString(result.double_value());
    case TypeId::kDecimal: return DecimalToString(result.decimal_unscaled(), result.type().scale);
    case TypeId::kDate: return FormatDate(result.int_value());
    case TypeId::kTime: return FormatTime(result.long_value());
    case TypeId::kTimestamp: return FormatTimestamp(result.long_value(), false);
    case TypeId::kTimestampTz: return FormatTimestamp(result.long_value(), true);
    case TypeId::kString: return result.bytes_value();
    case TypeId::kUuid: return result.uuid_value().ToString();
    case TypeId::kBinary:
    case TypeId::kFixed: return Base64Encode(result.bytes_value());
    default: return result.ToString();
  }
}

Result<Literal> Transform::ParseHumanString(const Type& result_type, std::string_view text) const {
  if (text == "null") return Literal::Null(result_type);
  auto bad = [&]() {
    return Status::InvalidArgument("bad " + ToString() + " partition value \"" + std::string(text) +
                                   "\" for type " + result_type.ToString());
  };
  auto IntOrBad = [&](int64_t v) -> Result<Literal> {
    if (v < INT32_MIN || v > INT32_MAX) return bad();
    return Literal::Int(static_cast<int32_t>(v));
  };
  if (result_type.id == TypeId::kInt) {
    int64_t v = 0;
    switch (kind_) {
      case TransformKind::kYear: {
        std::optional<int32_t> d = ParseDate(std::string(text) + "-01-01");
        if (!d) return bad();
        return IntOrBad(CivilFromDays(*d).year - 1970);
      }
      case TransformKind::kMonth: {
        std::optional<int32_t> d = ParseDate(std::string(text) + "-01");
        if (!d) return bad();
        CivilDate c = CivilFromDays(*d);
        return IntOrBad((c.year - 1970) * 12 + c.month - 1);
      }
      case TransformKind::kHour: {
        if (text.size() < 4 || text[text.size() - 3] != '-') return bad();
        std::optional<int32_t> d = ParseDate(text.substr(0, text.size() - 3));
        int32_t h = 0;
        if (!d || !ParseNumber(text.substr(text.size() - 2), &h) || h < 0 || h > 23) return bad();
        return IntOrBad(int64_t{*d} * 24 + h);
      }
      default:
        if (!ParseNumber(text, &v) || v < INT32_MIN || v > INT32_MAX) return bad();
        return Literal::Int(static_cast<int32_t>(v));
    }
  }
  switch (result_type.id) {
    case TypeId::kBoolean:
      if (text == "true") return Literal::Boolean(true);
      if (text == "false") return Literal::Boolean(false);
      return bad();
    case TypeId::kLong: {
      int64_t v = 0;
      if (!ParseNumber(text, &v)) return bad();
      return Literal::Long(v);
    }
    case TypeId::kFloat:
    case TypeId::kDouble: {
      double v = 0;
      std::string s(text);
      if (s == "NaN") {
        v = std::nan("");
      } else if (s == "Infinity" || s == "-Infinity") {
        v = s[0] == '-' ? -HUGE_VAL : HUGE_VAL;
      } else if (!ParseNumber(text, &v)) {
        return bad();
      }
      if (result_type.id == TypeId::kFloat) return Literal::Float(static_cast<float>(v));
      return Literal::Double(v);
    }
    case TypeId::kDecimal: {
      Result<Int128> v = ParseDecimal(text, result_type.scale);
      if (!v.ok()) return bad();
      return Literal::Decimal(*v, result_type.precision, result_type.scale);
    }
    case TypeId::kDate: {
      std::optional<int32_t> d = ParseDate(text);
      if (!d) return bad();
      return Literal::Date(*d);
    }
    case TypeId::kTime: {
      std::optional<int64_t> t = ParseTime(text);
      if (!t) return bad();
      return Literal::Time(*t);
    }
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      bool tz = result_type.id == TypeId::kTimestampTz;
      std::optional<int64_t> t = ParseTimestamp(text, tz);
      if (!t) return bad();
      return tz ? Literal::TimestampTz(*t) : Literal::Timestamp(*t);
    }
    case TypeId::kString: return Literal::String(std::string(text));
    case TypeId::kUuid: {
      std::optional<Uuid> u = Uuid::Parse(text);
      if (!u) return bad();
      return Literal::UuidValue(*u);
    }
    case TypeId::kBinary:
    case TypeId::kFixed: {
      std::optional<std::string> b = Base64Decode(text);
      if (!b) return bad();
      if (result_type.id == TypeId::kBinary) return Literal::Binary(std::move(*b));
      if (b->size() != static_cast<size_t>(result_type.length)) return bad();
      return Literal::Fixed(std::move(*b));
    }
    default: return bad();
  }
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
        c == '-' || c == '*' || c == '_') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Result<std::string> UrlDecode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      int hi = i + 2 < text.size() ? hex(text[i + 1]) : -1;
      int lo = i + 2 < text.size() ? hex(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return Status::InvalidArgument("bad %-escape at offset " + std::to_string(i) + " in \"" +
                                       std::string(text) + "\"");
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace floe::iceberg
