#include "floe/ingest/event_mapper_values.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "floe/iceberg/datetime.h"
#include "floe/util/base64.h"
#include "floe/util/uuid.h"

namespace floe::ingest {

using iceberg::Int128;
using iceberg::Literal;
using iceberg::Type;
using iceberg::TypeId;

namespace {

std::string_view KindName(JsonKind kind) {
  switch (kind) {
    case JsonKind::kNull: return "null";
    case JsonKind::kBoolean: return "boolean";
    case JsonKind::kNumber: return "number";
    case JsonKind::kString: return "string";
    case JsonKind::kArray: return "array";
    case JsonKind::kObject: return "object";
  }
  return "value";
}

std::optional<int64_t> ParseInt64(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> ParseDouble(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// An integer, also from a number written with a zero fraction or exponent ("3.0", "1e3").
std::optional<int64_t> ParseWholeNumber(std::string_view s) {
  if (auto v = ParseInt64(s)) return v;
  std::optional<double> d = ParseDouble(s);
  // 2^63 is exactly representable; every integral double below it converts without loss.
  if (!d || !std::isfinite(*d) || std::trunc(*d) != *d || *d >= 9223372036854775808.0 ||
      *d < -9223372036854775808.0) {
    return std::nullopt;
  }
  return static_cast<int64_t>(*d);
}

std::optional<int64_t> EpochMillisToMicros(std::string_view s) {
  if (std::optional<int64_t> ms = ParseInt64(s)) {
    constexpr int64_t kMax = std::numeric_limits<int64_t>::max() / 1000;
    if (*ms > kMax || *ms < -kMax) return std::nullopt;
    return *ms * 1000;
  }
  std::optional<double> ms = ParseDouble(s);
  if (!ms || !std::isfinite(*ms) || std::fabs(*ms) > 9.2e15) return std::nullopt;
  return static_cast<int64_t>(std::floor(*ms * 1000.0));
}

std::optional<int64_t> ParseRfc3339(std::string_view text) {
  if (text.size() < 16 || text.size() > 64 || text[4] != '-' || text[7] != '-') {
    return std::nullopt;
  }
  const size_t dot = text.find('.', 11);
  size_t digits = 0;  // of the fraction
  if (dot != std::string_view::npos) {
    while (dot + 1 + digits < text.size() && text[dot + 1 + digits] >= '0' &&
           text[dot + 1 + digits] <= '9') {
      ++digits;
    }
  }
  if (digits > 9) return std::nullopt;
  std::string_view s = text;  // parsed where it lies unless it needs normalizing
  char buf[64];               // the normalized copy; on the stack, this runs for every event
  if (text[10] != 'T' || text.back() == 'z' || digits > 6) {
    size_t n = text.size();
    std::memcpy(buf, text.data(), n);
    if (buf[10] == ' ' || buf[10] == 't') buf[10] = 'T';
    if (buf[n - 1] == 'z') buf[n - 1] = 'Z';
    // Iceberg keeps microseconds: nanosecond digits are dropped, not an error.
    if (digits > 6) {
      const size_t end = dot + 1 + digits;
      std::memmove(buf + dot + 7, buf + end, n - end);
      n -= end - (dot + 7);
    }
    s = std::string_view(buf, n);
  }
  bool zone = s.back() == 'Z' || s.find_first_of("+-", 11) != std::string_view::npos;
  return iceberg::ParseTimestamp(s, zone);
}

Int128 Pow10(int n) {
  Int128 v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

// Decimal text without exponent; trailing zeros past the scale are not a loss.
Result<Literal> ToDecimal(std::string_view text, const Type& type) {
  if (text.find_first_of("eE") != std::string_view::npos) {
    return Status::InvalidArgument("exponent notation is not taken for a decimal");
  }
  std::string s(text);
  size_t dot = s.find('.');
  if (dot != std::string::npos) {
    while (s.size() > dot + 1 && s.back() == '0' &&
           static_cast<int>(s.size() - dot - 1) > type.scale) {
      s.pop_back();
    }
    if (s.size() == dot + 1) s.pop_back();
  }
  Result<Int128> unscaled = iceberg::ParseDecimal(s, type.scale);
  if (!unscaled.ok()) {
    return Status::InvalidArgument("not a decimal with at most " + std::to_string(type.scale) +
                                   " fraction digits");
  }
  Int128 limit = Pow10(type.precision);
  if (*unscaled >= limit || *unscaled <= -limit) {
    return Status::InvalidArgument("more than " + std::to_string(type.precision) + " digits");
  }
  return Literal::Decimal(*unscaled, type.precision, type.scale);
}

Result<Literal> ToFloating(const JsonScalar& v, const Type& type) {
  std::optional<double> d;
  if (v.kind == JsonKind::kNumber) {
    d = ParseDouble(v.text);
  } else if (v.kind == JsonKind::kString) {
    if (v.text == "NaN") {
      d = std::numeric_limits<double>::quiet_NaN();
    } else if (v.text == "Infinity") {
      d = std::numeric_limits<double>::infinity();
    } else if (v.text == "-Infinity") {
      d = -std::numeric_limits<double>::infinity();
    } else {
      d = ParseDouble(v.text);
    }
  }
  if (!d) return Status::InvalidArgument("not a number");
  if (type.id == TypeId::kDouble) return Literal::Double(*d);
  if (std::isfinite(*d) && std::fabs(*d) > std::numeric_limits<float>::max()) {
    return Status::InvalidArgument("out of range for float");
  }
  return Literal::Float(static_cast<float>(*d));
}

Result<Literal> ToInteger(const JsonScalar& v, const Type& type) {
  std::optional<int64_t> n;
  if (v.kind == JsonKind::kNumber || v.kind == JsonKind::kString) n = ParseWholeNumber(v.text);
  if (!n) return Status::InvalidArgument("not a whole number in the range of " + type.ToString());
  if (type.id == TypeId::kLong) return Literal::Long(*n);
  if (*n < std::numeric_limits<int32_t>::min() || *n > std::numeric_limits<int32_t>::max()) {
    return Status::InvalidArgument("out of range for int");
  }
  return Literal::Int(static_cast<int32_t>(*n));
}

Result<Literal> ToTime(const JsonScalar& v, const Type& type) {
  if (type.id == TypeId::kDate) {
    if (v.kind == JsonKind::kString) {
      if (std::optional<int32_t> days = iceberg::ParseDate(v.text)) return Literal::Date(*days);
    }
    return Status::InvalidArgument("not an ISO date (YYYY-MM-DD)");
  }
  if (type.id == TypeId::kTime) {
    if (v.kind == JsonKind::kString) {
      if (std::optional<int64_t> t = iceberg::ParseTime(v.text)) return Literal::Time(*t);
    }
    return Status::InvalidArgument("not an ISO time (HH:MM:SS[.ffffff])");
  }
  std::optional<int64_t> micros;
  if (v.kind == JsonKind::kNumber || v.kind == JsonKind::kString) micros = ParseEventTime(v.text);
  if (!micros) return Status::InvalidArgument("not an RFC 3339 timestamp or epoch milliseconds");
  return type.id == TypeId::kTimestamp ? Literal::Timestamp(*micros)
                                       : Literal::TimestampTz(*micros);
}

Result<Literal> ToBytes(const JsonScalar& v, const Type& type) {
  if (type.id == TypeId::kUuid) {
    if (v.kind == JsonKind::kString) {
      if (std::optional<Uuid> u = Uuid::Parse(v.text)) return Literal::UuidValue(*u);
    }
    return Status::InvalidArgument("not a UUID (8-4-4-4-12 hex digits)");
  }
  std::optional<std::string> bytes;
  if (v.kind == JsonKind::kString) bytes = Base64Decode(v.text);
  if (!bytes) return Status::InvalidArgument("not base64 text");
  if (type.id == TypeId::kBinary) return Literal::Binary(std::move(*bytes));
  if (static_cast<int32_t>(bytes->size()) != type.length) {
    return Status::InvalidArgument("decodes to " + std::to_string(bytes->size()) + " bytes, not " +
                                   std::to_string(type.length));
  }
  return Literal::Fixed(std::move(*bytes));
}

Result<Literal> Coerce(const JsonScalar& v, const Type& type) {
  switch (type.id) {
    case TypeId::kBoolean:
      if (v.kind == JsonKind::kBoolean || v.kind == JsonKind::kString) {
        if (v.text == "true") return Literal::Boolean(true);
        if (v.text == "false") return Literal::Boolean(false);
      }
      return Status::InvalidArgument("not true or false");
    case TypeId::kInt:
    case TypeId::kLong: return ToInteger(v, type);
    case TypeId::kFloat:
    case TypeId::kDouble: return ToFloating(v, type);
    case TypeId::kDecimal:
      if (v.kind != JsonKind::kNumber && v.kind != JsonKind::kString) {
        return Status::InvalidArgument("not a decimal number");
      }
      return ToDecimal(v.text, type);
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: return ToTime(v, type);
    case TypeId::kString:
      if (v.kind == JsonKind::kObject || v.kind == JsonKind::kArray) {
        return Status::Internal("objects and arrays are compacted by the caller");
      }
      return Literal::String(std::string(v.text));
    case TypeId::kUuid:
    case TypeId::kBinary:
    case TypeId::kFixed: return ToBytes(v, type);
    default: return Status::NotSupported("nested columns are not supported");
  }
}

}  // namespace

Result<Literal> CoerceValue(const JsonScalar& value, std::string_view column, const Type& type) {
  if (value.kind == JsonKind::kNull) return Literal::Null(type);
  Result<Literal> r = Coerce(value, type);
  if (r.ok()) return r;
  return Status::InvalidArgument("column \"" + std::string(column) + "\" (" + type.ToString() +
                                 "): the " + std::string(KindName(value.kind)) + " " +
                                 QuoteValue(value.raw) + " is " + r.status().message());
}

std::optional<int64_t> ParseEventTime(std::string_view text) {
  // A date ("2026-01-...") cannot be a number: no failed epoch-milliseconds attempt first for the
  // form nearly every event's time takes.
  if (text.size() >= 16 && text[4] == '-' && text[7] == '-') return ParseRfc3339(text);
  if (text.empty()) return std::nullopt;
  if ((text[0] >= '0' && text[0] <= '9') || text[0] == '-') {
    if (std::optional<int64_t> micros = EpochMillisToMicros(text)) return micros;
  }
  return ParseRfc3339(text);
}

std::string QuoteValue(std::string_view raw) {
  constexpr size_t kMax = 64;
  if (raw.size() <= kMax) return std::string(raw);
  size_t cut = kMax;
  // Do not split a UTF-8 sequence: back up over continuation bytes.
  while (cut > 0 && (static_cast<unsigned char>(raw[cut]) & 0xC0) == 0x80) --cut;
  return std::string(raw.substr(0, cut)) + (raw.front() == '"' ? "...\"" : "...");
}

}  // namespace floe::ingest
