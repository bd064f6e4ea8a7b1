#pragma once

// Coercion of one JSON value to a column's type, and the time formats events use (internal to
// the event mapper; rules in docs/ingest-formats.md).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "floe/common/result.h"
#include "floe/iceberg/types.h"
#include "floe/iceberg/values.h"

namespace floe::ingest {

enum class JsonKind { kNull, kBoolean, kNumber, kString, kArray, kObject };

// A JSON value as read: `text` is the unescaped string, or the number/literal as sent; `raw` the
// value's JSON text (validated), used for objects and arrays.
struct JsonScalar {
  JsonKind kind = JsonKind::kNull;
  std::string_view text;
  std::string_view raw;
};

// The value for column `column` of primitive `type`; kInvalidArgument naming the column and why
// when the value cannot be coerced without loss. JSON null gives a null literal.
Result<iceberg::Literal> CoerceValue(const JsonScalar& value, std::string_view column,
                                     const iceberg::Type& type);

// RFC 3339 ("2026-01-05T13:05:00.123Z", a space or 't' for 'T', 'z', up to 9 fraction digits,
// sub-microsecond digits dropped) or epoch milliseconds (a number, or a string of one, fraction
// allowed) as microseconds since the epoch. A timestamp without an offset is taken as UTC.
std::optional<int64_t> ParseEventTime(std::string_view text);

// A value for an error message: quoted JSON text, cut after 64 bytes ("...").
std::string QuoteValue(std::string_view raw);

}  // namespace floe::ingest
