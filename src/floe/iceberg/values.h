#pragma once

// Typed single values (partition values, column bounds, defaults) and Iceberg's single-value
// binary serialization (spec Appendix D; FORMAT_NOTES §5), plus the conversion of a Parquet
// PLAIN-encoded statistic into that form.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "floe/common/result.h"
#include "floe/iceberg/types.h"
#include "floe/parquet/types.h"
#include "floe/util/buffer.h"
#include "floe/util/uuid.h"

namespace floe::iceberg {

// Decimal unscaled values: up to 38 digits need 128 bits.
using Int128 = __int128;

// One value of a primitive type, or null. Dates are days since 1970-01-01, times microseconds
// since midnight, timestamps microseconds since the epoch (UTC for timestamptz); strings are
// UTF-8; binary and fixed are raw bytes; decimals keep their unscaled value (the scale is in
// the type).
class Literal {
 public:
  Literal() = default;  // a null string
  static Literal Null(Type type) { return Literal(std::move(type), std::monostate{}); }
  static Literal Boolean(bool v) { return Literal(Type::Primitive(TypeId::kBoolean), v); }
  static Literal Int(int32_t v) { return Literal(Type::Primitive(TypeId::kInt), v); }
  static Literal Long(int64_t v) { return Literal(Type::Primitive(TypeId::kLong), v); }
  static Literal Float(float v) { return Literal(Type::Primitive(TypeId::kFloat), v); }
  static Literal Double(double v) { return Literal(Type::Primitive(TypeId::kDouble), v); }
  static Literal Date(int32_t days) { return Literal(Type::Primitive(TypeId::kDate), days); }
  static Literal Time(int64_t micros) { return Literal(Type::Primitive(TypeId::kTime), micros); }
  static Literal Timestamp(int64_t micros) {
    return Literal(Type::Primitive(TypeId::kTimestamp), micros);
  }
  static Literal TimestampTz(int64_t micros) {
    return Literal(Type::Primitive(TypeId::kTimestampTz), micros);
  }
  static Literal String(std::string v) {
    return Literal(Type::Primitive(TypeId::kString), std::move(v));
  }
  static Literal Binary(std::string bytes) {
    return Literal(Type::Primitive(TypeId::kBinary), std::move(bytes));
  }
  static Literal Fixed(std::string bytes) {
    int32_t n = static_cast<int32_t>(bytes.size());
    return Literal(Type::Fixed(n), std::move(bytes));
  }
  static Literal UuidValue(const Uuid& v) { return Literal(Type::Primitive(TypeId::kUuid), v); }
  static Literal Decimal(Int128 unscaled, int32_t precision, int32_t scale) {
    return Literal(Type::Decimal(precision, scale), unscaled);
  }

  const Type& type() const { return type_; }
  bool is_null() const { return std::holds_alternative<std::monostate>(value_); }

  // Accessors; each requires the matching type (checked by the caller through type()).
  bool bool_value() const { return std::get<bool>(value_); }
  // kInt and kDate.
  int32_t int_value() const { return std::get<int32_t>(value_); }
  // kLong, kTime, kTimestamp, kTimestampTz.
  int64_t long_value() const { return std::get<int64_t>(value_); }
  float float_value() const { return std::get<float>(value_); }
  double double_value() const { return std::get<double>(value_); }
  Int128 decimal_unscaled() const { return std::get<Int128>(value_); }
  // kString, kBinary, kFixed.
  const std::string& bytes_value() const { return std::get<std::string>(value_); }
  const Uuid& uuid_value() const { return std::get<Uuid>(value_); }

  // For messages and tests: "null", "42", "\"abc\"", "12.30", "X'0102'", a uuid...
  std::string ToString() const;

  friend bool operator==(const Literal& a, const Literal& b) {
    return a.type_ == b.type_ && a.value_ == b.value_;
  }

 private:
  using Storage = std::variant<std::monostate, bool, int32_t, int64_t, float, double, Int128,
                               std::string, Uuid>;
  Literal(Type type, Storage value) : type_(std::move(type)), value_(std::move(value)) {}

  Type type_ = Type::Primitive(TypeId::kString);
  Storage value_;
};

// The single-value binary form of a non-null primitive literal (ints/longs/floats LE, decimals
// minimal big-endian two's complement, uuid 16 bytes big-endian, strings UTF-8, ...).
Result<std::string> SerializeValue(const Literal& value);

// Reads a single-value binary form as `type`. A long (or double) stored in 4 bytes is taken as a
// written int (float) and widened, as the spec allows after a type promotion.
Result<Literal> DeserializeValue(const Type& type, ByteView bytes);

// Converts a Parquet min/max statistic (PLAIN encoding of the physical type, no length prefix;
// what ColumnMetrics carries) into Iceberg's single-value form for `type`. The two differ only
// for decimals: INT32/INT64 are little-endian fixed width and FIXED_LEN_BYTE_ARRAY is sign-padded.
Result<std::string> ParquetBoundToIceberg(const Type& type, parquet::PhysicalType physical,
                                          std::string_view plain);

// Minimal big-endian two's-complement bytes of an unscaled decimal (0 → 00, 128 → 00 80).
std::string DecimalToMinimalBytes(Int128 unscaled);
// Reads big-endian two's-complement bytes (1..16) as a signed value.
Result<Int128> DecimalFromBytes(ByteView bytes);

// "123.45" for unscaled 12345 with scale 2 (Java BigDecimal.toPlainString).
std::string DecimalToString(Int128 unscaled, int32_t scale);
// Parses "-123.45" (at most `scale` fraction digits, padded) into an unscaled value.
Result<Int128> ParseDecimal(std::string_view text, int32_t scale);

// Bounds under the truncate(N) metrics mode (FORMAT_NOTES §5). Lower: the first N code points of
// a string, the first N bytes of binary. Upper: unchanged when the value is that short already;
// otherwise the prefix with its last code point (byte) incremented, dropping trailing code points
// that cannot be (U+10FFFF; 0xFF) and skipping the surrogate range; nullopt when nothing can be
// incremented (then no upper bound may be written).
std::string TruncateStringLowerBound(std::string_view utf8, int32_t n);
std::optional<std::string> TruncateStringUpperBound(std::string_view utf8, int32_t n);
std::string TruncateBinaryLowerBound(std::string_view bytes, int32_t n);
std::optional<std::string> TruncateBinaryUpperBound(std::string_view bytes, int32_t n);

// Three-way comparison of two non-null literals of the same type, in the order bounds use
// (signed numbers, strings and binary by unsigned bytes, decimals by value). NaN sorts last.
Result<int> CompareLiterals(const Literal& a, const Literal& b);

}  // namespace floe::iceberg
