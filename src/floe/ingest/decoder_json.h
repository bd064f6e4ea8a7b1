#pragma once

// simdjson ondemand helpers shared by the decoder and the event mapper (internal to ingest).

#include <simdjson.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace floe::ingest {

// Validates every value under `value` (atoms, string escapes, keys), which sits at nesting
// `depth` (the top level is 1); a container deeper than `max_depth` gives DEPTH_ERROR. On return
// the iterator is past the value.
simdjson::error_code Walk(simdjson::ondemand::value value, int depth, int max_depth);
simdjson::error_code WalkObject(simdjson::ondemand::object& object, int depth, int max_depth);

// "object", "array", "string", "number", "boolean", "null".
std::string_view TypeName(simdjson::ondemand::json_type type);

// A short description of a parse error ("unclosed string", "invalid number", ...).
std::string JsonErrorText(simdjson::error_code code);

// Where in `doc_text` the error `code` lies: the parser's position when `doc` was created and is
// positioned, else a scan for the errors stage 1 finds (unclosed strings, control characters).
size_t ErrorOffset(simdjson::error_code code, std::string_view doc_text,
                   simdjson::ondemand::document* doc);

// Whether JSON text is compact already: whitespace (and control characters, which valid JSON has
// none of) are the only bytes <= 0x20.
bool IsCompactJson(std::string_view json);
// Appends the compact form (no whitespace outside strings) of validated JSON text.
void AppendCompactJson(std::string_view json, std::string* out);
// Writes that compact form to `out` (room for json.size() bytes); returns its length.
size_t CompactJsonTo(std::string_view json, char* out);

// A JSON number token as RFC 8259's grammar reads it:
// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
struct JsonNumber {
  bool valid = false;           // the whole token is one number
  size_t digits = 0;            // before the exponent (integer and fraction parts)
  size_t exponent_digits = 0;
};
inline JsonNumber ReadJsonNumber(std::string_view s) {
  JsonNumber n;
  size_t i = 0;
  auto digits = [&] {
    const size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - from;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
    n.digits = 1;
  } else if ((n.digits = digits()) == 0) {
    return n;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    const size_t fraction = digits();
    if (fraction == 0) return n;
    n.digits += fraction;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if ((n.exponent_digits = digits()) == 0) return n;
  }
  n.valid = i == s.size();
  return n;
}

// The offset of the first byte that is not valid UTF-8 (overlong forms, surrogates and code
// points past U+10FFFF included), or text.size().
size_t FirstInvalidUtf8(std::string_view text);

}  // namespace floe::ingest
