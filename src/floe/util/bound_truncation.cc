#include "floe/util/bound_truncation.h"

#include <algorithm>
#include <vector>

namespace floe {

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

std::string TruncateLowerBound(std::string_view s, size_t max_chars, size_t max_bytes, bool utf8) {
  // A character takes at least one byte, so a short enough string fits both limits.
  if (s.size() <= max_bytes && s.size() <= max_chars) return std::string(s);
  std::vector<size_t> starts = CharStarts(s, utf8, max_chars);
  size_t chars = FittingChars(starts, max_chars, max_bytes);
  return std::string(s.substr(0, starts[chars]));
}

std::optional<std::string> TruncateUpperBound(std::string_view s, size_t max_chars,
                                              size_t max_bytes, bool utf8) {
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

}  // namespace floe
