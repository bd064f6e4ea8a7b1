#include "floe/io/location.h"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <vector>

namespace floe {
namespace {

Status Invalid(std::string_view text, std::string_view why) {
  return Status::InvalidArgument("location '" + std::string(text) + "': " + std::string(why));
}

// Splits `path` on '/', drops empty and "." segments, rejects "..".
Result<std::string> NormalizePath(std::string_view text, std::string_view path) {
  std::string out;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(pos, end - pos);
    pos = end + 1;
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") return Invalid(text, "'..' segments are not allowed");
    out += '/';
    out += segment;
  }
  if (out.empty()) out = "/";
  return out;
}

}  // namespace

std::string Location::ToString() const { return scheme + "://" + authority + path; }

Result<Location> ParseLocation(std::string_view text) {
  if (text.empty()) return Invalid(text, "empty");
  if (text.find('\0') != std::string_view::npos) return Invalid(text, "contains a NUL byte");
  Location loc;
  std::string_view rest;
  size_t colon = text.find(':');
  size_t slash = text.find('/');
  if (colon == std::string_view::npos || (slash != std::string_view::npos && slash < colon)) {
    if (text.front() != '/') return Invalid(text, "a relative path needs a scheme or a base");
    loc.scheme = "file";
    rest = text;
  } else {
    for (char c : text.substr(0, colon)) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
        return Invalid(text, "malformed scheme");
      }
      loc.scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (loc.scheme.empty()) return Invalid(text, "empty scheme");
    if (loc.scheme == "s3a" || loc.scheme == "s3n") loc.scheme = "s3";
    rest = text.substr(colon + 1);
    if (rest.substr(0, 2) == "//") {
      rest.remove_prefix(2);
      size_t end = rest.find('/');
      loc.authority = std::string(rest.substr(0, end));
      rest = end == std::string_view::npos ? std::string_view("/") : rest.substr(end);
    } else if (rest.empty() || rest.front() != '/') {
      return Invalid(text, "the path after the scheme must be absolute");
    }
  }
  if (loc.scheme == "file") {
    if (!loc.authority.empty() && loc.authority != "localhost") {
      return Invalid(text, "file locations on another host are not supported");
    }
    loc.authority.clear();
  } else if (loc.scheme == "s3" && loc.authority.empty()) {
    return Invalid(text, "s3 locations need a bucket");
  }
  FLOE_ASSIGN_OR_RETURN(loc.path, NormalizePath(text, rest));
  return loc;
}

Result<std::string> NormalizeLocation(std::string_view text) {
  FLOE_ASSIGN_OR_RETURN(Location loc, ParseLocation(text));
  return loc.ToString();
}

Result<std::string> NormalizeLocationPrefix(std::string_view prefix) {
  FLOE_ASSIGN_OR_RETURN(std::string out, NormalizeLocation(prefix));
  if (!prefix.empty() && prefix.back() == '/' && out.back() != '/') out += '/';
  return out;
}

Result<std::string> LocationFromLocalPath(std::string_view path) {
  if (path.empty()) return Invalid(path, "empty path");
  std::string absolute(path);
  if (path.front() != '/') {
    std::vector<char> cwd(4096);
    if (::getcwd(cwd.data(), cwd.size()) == nullptr) {
      return Status::IOError("getcwd: " + std::string(std::strerror(errno)));
    }
    absolute = std::string(cwd.data()) + "/" + absolute;
  }
  return NormalizeLocation(absolute);
}

std::string JoinLocation(std::string_view base, std::string_view relative) {
  std::string out(base);
  while (!out.empty() && out.back() == '/') out.pop_back();
  out += '/';
  out += relative;
  return out;
}

bool IsLocationUnder(std::string_view location, std::string_view dir) {
  if (location.size() < dir.size() || location.substr(0, dir.size()) != dir) return false;
  if (location.size() == dir.size()) return true;
  return dir.back() == '/' || location[dir.size()] == '/';
}

}  // namespace floe
