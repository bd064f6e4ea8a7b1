#pragma once

// simdjson ondemand helpers shared by the decoder and the event mapper (internal to ingest).

#include <simdjson.h>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include <cstddef>
#include <cstdint>
#include <cstring>
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

// The first '"', '\\' or control character (< 0x20, never in a valid string) in [p, end), or
// end: where a string's text stops being plain. Eight bytes at a time: a byte equal to c makes a
// zero byte of x ^ c, and (v - 0x01..) & ~v & 0x80.. marks the first zero byte of v;
// (x - 0x20..) & ~x & 0x80.. marks the first byte below 0x20 (later marks may be false, the first
// is not). Reads only [p, end).
inline const char* FindStringStopPortable(const char* p, const char* end) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHighs = 0x8080808080808080ull;
  for (; end - p >= 8; p += 8) {
    uint64_t x;
    std::memcpy(&x, p, 8);
    const uint64_t q = x ^ (kOnes * '"');
    const uint64_t b = x ^ (kOnes * '\\');
    const uint64_t hit = ((q - kOnes) & ~q & kHighs) | ((b - kOnes) & ~b & kHighs) |
                         ((x - kOnes * 0x20) & ~x & kHighs);
    if (hit != 0) return p + (__builtin_ctzll(hit) >> 3);
  }
  while (p != end && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20) ++p;
  return p;
}

// FindStringStopPortable's answer, 32 bytes at a time with AVX2 where the build has it: strings
// in events are mostly shorter than that, and the scan of one (its loop and its checks) was a
// fifth of the mapping's samples. Reads up to 31 bytes past `end`: the caller guarantees them
// readable (text followed by kEventPadding or SIMDJSON_PADDING bytes).
inline const char* FindStringStop(const char* p, const char* end) {
#if defined(__AVX2__)
  const __m256i quote = _mm256_set1_epi8('"');
  const __m256i backslash = _mm256_set1_epi8('\\');
  const __m256i below_space = _mm256_set1_epi8(0x1F);
  for (; p < end; p += 32) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    // min(x, 0x1F) == x: x <= 0x1F as an unsigned byte.
    const __m256i hit = _mm256_or_si256(
        _mm256_or_si256(_mm256_cmpeq_epi8(x, quote), _mm256_cmpeq_epi8(x, backslash)),
        _mm256_cmpeq_epi8(_mm256_min_epu8(x, below_space), x));
    const auto mask = static_cast<uint32_t>(_mm256_movemask_epi8(hit));
    if (mask != 0) {
      const char* q = p + __builtin_ctz(mask);
      return q < end ? q : end;
    }
  }
  return end;
#else
  return FindStringStopPortable(p, end);
#endif
}

// The offset of the first byte that is not valid UTF-8 (overlong forms, surrogates and code
// points past U+10FFFF included), or text.size().
size_t FirstInvalidUtf8(std::string_view text);

}  // namespace floe::ingest
