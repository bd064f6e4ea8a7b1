#include "floe/io/s3_store_xml.h"

#include <cstdint>
#include <cstdlib>

namespace floe::s3xml {
namespace {

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Position just after the '>' of the next start tag <name ...> or <name/> at or after `from`;
// npos when none. `self_closing` tells which.
size_t FindStartTag(std::string_view xml, std::string_view name, size_t from, bool* self_closing,
                    size_t* tag_begin) {
  while (from < xml.size()) {
    size_t lt = xml.find('<', from);
    if (lt == std::string_view::npos || lt + 1 + name.size() > xml.size())
      return std::string_view::npos;
    from = lt + 1;
    if (xml.compare(lt + 1, name.size(), name) != 0) continue;
    size_t after = lt + 1 + name.size();
    if (after >= xml.size()) return std::string_view::npos;
    char c = xml[after];
    if (c != '>' && c != '/' && c != ' ' && c != '\t' && c != '\r' && c != '\n') continue;
    size_t gt = xml.find('>', after);
    if (gt == std::string_view::npos) return std::string_view::npos;
    *self_closing = xml[gt - 1] == '/';
    *tag_begin = lt;
    return gt + 1;
  }
  return std::string_view::npos;
}

}  // namespace

std::vector<std::string_view> Elements(std::string_view xml, std::string_view name) {
  std::vector<std::string_view> out;
  std::string end_tag = "</" + std::string(name) + ">";
  size_t pos = 0;
  while (true) {
    bool self_closing = false;
    size_t begin = 0;
    size_t content = FindStartTag(xml, name, pos, &self_closing, &begin);
    if (content == std::string_view::npos) break;
    if (self_closing) {
      out.emplace_back();
      pos = content;
      continue;
    }
    size_t end = xml.find(end_tag, content);
    if (end == std::string_view::npos) break;
    out.push_back(xml.substr(content, end - content));
    pos = end + end_tag.size();
  }
  return out;
}

std::string Text(std::string_view xml, std::string_view name) {
  std::string end_tag = "</" + std::string(name) + ">";
  bool self_closing = false;
  size_t begin = 0;
  size_t content = FindStartTag(xml, name, 0, &self_closing, &begin);
  if (content == std::string_view::npos || self_closing) return "";
  size_t end = xml.find(end_tag, content);
  if (end == std::string_view::npos) return "";
  return Unescape(xml.substr(content, end - content));
}

bool Has(std::string_view xml, std::string_view name) {
  bool self_closing = false;
  size_t begin = 0;
  return FindStartTag(xml, name, 0, &self_closing, &begin) != std::string_view::npos;
}

std::string Unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    size_t semi = text.find(';', i);
    // Entities are short; a far ';' means a stray '&'.
    if (semi == std::string_view::npos || semi - i > 10) {
      out += '&';
      continue;
    }
    std::string_view entity = text.substr(i + 1, semi - i - 1);
    if (entity == "amp") {
      out += '&';
    } else if (entity == "lt") {
      out += '<';
    } else if (entity == "gt") {
      out += '>';
    } else if (entity == "quot") {
      out += '"';
    } else if (entity == "apos") {
      out += '\'';
    } else if (entity.size() >= 2 && entity[0] == '#') {
      bool hex = entity[1] == 'x' || entity[1] == 'X';
      std::string digits(entity.substr(hex ? 2 : 1));
      char* end = nullptr;
      unsigned long cp = std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
      if (digits.empty() || *end != '\0' || cp > 0x10FFFF) {
        out += '&';
        continue;
      }
      AppendUtf8(static_cast<uint32_t>(cp), &out);
    } else {
      out += '&';
      continue;
    }
    i = semi;
  }
  return out;
}

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace floe::s3xml
