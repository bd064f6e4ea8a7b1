#include "floe/ingest/decoder_json.h"

#include <cstring>
#include <utility>

namespace floe::ingest {

namespace od = simdjson::ondemand;

namespace {

// The number `token` (trailing whitespace allowed) when its exponent has 19 digits or more, else
// empty. simdjson's ondemand parser refuses every exponent of more than 19 digits and reads one
// of 19 digits past 2^63 wrapped around (1e9999999999999999999 is 0 to it); its DOM parser (the
// NDJSON lines' fast path) reads the exponent's value: 1e000000000000000000001 is 10,
// 0e99999999999999999999 and 1e-99999999999999999999 are 0, 1e9999999999999999999 overflows.
std::string_view LongExponentNumber(std::string_view token) {
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\n' ||
                            token.back() == '\r')) {
    token.remove_suffix(1);
  }
  const JsonNumber n = ReadJsonNumber(token);
  return n.valid && n.exponent_digits >= 19 ? token : std::string_view();
}

// Whether the DOM parser takes the number `token`: it is refused only when it overflows a double.
// Made here, not kept: numbers with such exponents are rare.
bool DomTakesNumber(std::string_view token) {
  simdjson::dom::parser parser;
  simdjson::dom::element number;
  return parser.parse(token.data(), token.size()).get(number) == simdjson::SUCCESS &&
         number.is_number();
}

}  // namespace

simdjson::error_code WalkObject(od::object& object, int depth, int max_depth) {
  if (depth > max_depth) return simdjson::DEPTH_ERROR;
  for (auto field : object) {
    od::field f;
    if (auto err = std::move(field).get(f)) return err;
    std::string_view key;
    if (auto err = f.unescaped_key().get(key)) return err;
    if (auto err = Walk(f.value(), depth + 1, max_depth)) return err;
  }
  return simdjson::SUCCESS;
}

simdjson::error_code Walk(od::value value, int depth, int max_depth) {
  od::json_type type;
  if (auto err = value.type().get(type)) return err;
  switch (type) {
    case od::json_type::object: {
      if (depth > max_depth) return simdjson::DEPTH_ERROR;
      od::object object;
      if (auto err = value.get_object().get(object)) return err;
      return WalkObject(object, depth, max_depth);
    }
    case od::json_type::array: {
      if (depth > max_depth) return simdjson::DEPTH_ERROR;
      od::array array;
      if (auto err = value.get_array().get(array)) return err;
      for (auto element : array) {
        od::value child;
        if (auto err = element.get(child)) return err;
        if (auto err = Walk(child, depth + 1, max_depth)) return err;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::string: {
      std::string_view s;
      return value.get_string().get(s);
    }
    case od::json_type::number: {
      // get_double accepts every JSON number that does not overflow, integers past 64 bits
      // included, but for exponents of 19 digits or more (LongExponentNumber), which the DOM
      // parser decides here as it does for NDJSON lines, so that one event is accepted or
      // rejected alike in every body format. Such a number gives an error or 0 here: only
      // those are looked at again.
      double d = 1;
      auto err = value.get_double().get(d);
      if (err == simdjson::NUMBER_ERROR || (err == simdjson::SUCCESS && d == 0)) {
        std::string_view token = LongExponentNumber(value.raw_json_token());
        if (!token.empty())
          return DomTakesNumber(token) ? simdjson::SUCCESS : simdjson::NUMBER_ERROR;
      }
      return err == simdjson::INCORRECT_TYPE ? simdjson::NUMBER_ERROR : err;
    }
    case od::json_type::boolean: {
      bool b;
      auto err = value.get_bool().get(b);
      return err == simdjson::INCORRECT_TYPE ? simdjson::T_ATOM_ERROR : err;
    }
    case od::json_type::null: {
      bool is_null = false;
      if (auto err = value.is_null().get(is_null)) {
        return err == simdjson::INCORRECT_TYPE ? simdjson::N_ATOM_ERROR : err;
      }
      return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
  }
  return simdjson::TAPE_ERROR;
}

std::string_view TypeName(od::json_type type) {
  switch (type) {
    case od::json_type::object: return "object";
    case od::json_type::array: return "array";
    case od::json_type::string: return "string";
    case od::json_type::number: return "number";
    case od::json_type::boolean: return "boolean";
    case od::json_type::null: return "null";
  }
  return "value";
}

std::string JsonErrorText(simdjson::error_code code) {
  switch (code) {
    case simdjson::TAPE_ERROR:
      return "unexpected character (a missing or extra comma, colon, bracket or quote)";
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT: return "unclosed or unbalanced array or object";
    case simdjson::UNCLOSED_STRING: return "unclosed string";
    case simdjson::UNESCAPED_CHARS: return "control character inside a string (escape it)";
    case simdjson::STRING_ERROR: return "invalid escape sequence in a string";
    case simdjson::NUMBER_ERROR: return "invalid or out-of-range number";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR: return "invalid literal (expected true, false or null)";
    case simdjson::INCORRECT_TYPE: return "unexpected value type";
    case simdjson::EMPTY: return "no JSON value";
    case simdjson::UTF8_ERROR: return "invalid UTF-8";
    default: return simdjson::error_message(code);
  }
}

namespace {

// Stage 1 reports these without a position: find the first control character inside a string,
// or the opening quote of a string that never closes.
size_t ScanStringError(std::string_view text) {
  bool in_string = false;
  size_t string_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (!in_string) {
      if (c == '"') {
        in_string = true;
        string_start = i;
      }
      continue;
    }
    if (c == '\\') {
      ++i;
    } else if (c == '"') {
      in_string = false;
    } else if (c < 0x20) {
      return i;
    }
  }
  return in_string ? string_start : text.size();
}

}  // namespace

size_t ErrorOffset(simdjson::error_code code, std::string_view doc_text, od::document* doc) {
  if (code == simdjson::UTF8_ERROR) return FirstInvalidUtf8(doc_text);
  if (code == simdjson::UNCLOSED_STRING || code == simdjson::UNESCAPED_CHARS || doc == nullptr) {
    return ScanStringError(doc_text);
  }
  const char* at = nullptr;
  if (doc->current_location().get(at) != simdjson::SUCCESS || at < doc_text.data() ||
      at > doc_text.data() + doc_text.size()) {
    return doc_text.size();
  }
  return static_cast<size_t>(at - doc_text.data());
}

bool IsCompactJson(std::string_view json) {
  size_t low = 0;
  for (unsigned char c : json) low += c <= 0x20;
  return low == 0;
}

size_t CompactJsonTo(std::string_view json, char* out) {
  // A plain copy is much cheaper than minify().
  if (IsCompactJson(json)) {
    std::memcpy(out, json.data(), json.size());
    return json.size();
  }
  size_t len = 0;
  if (simdjson::minify(json.data(), json.size(), out, len) != simdjson::SUCCESS) {
    len = json.size();
    std::memcpy(out, json.data(), len);
  }
  return len;
}

void AppendCompactJson(std::string_view json, std::string* out) {
  size_t old = out->size();
  out->resize(old + json.size());
  out->resize(old + CompactJsonTo(json, out->data() + old));
}

size_t FirstInvalidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (n - i < len) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    bool overlong =
        (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return n;
}

}  // namespace floe::ingest
