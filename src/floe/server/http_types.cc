#include "floe/server/http_types.h"

#include <nlohmann/json.hpp>

namespace floe::server {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (EqualsIgnoreCase(key, name)) return value;
  return {};
}

bool HttpRequest::HasHeader(std::string_view name) const {
  for (const auto& field : headers)
    if (EqualsIgnoreCase(field.first, name)) return true;
  return false;
}

std::string_view HttpRequest::PathParam(std::string_view name) const {
  auto it = path_params.find(name);
  return it == path_params.end() ? std::string_view() : std::string_view(it->second);
}

std::string HttpRequest::QueryParam(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    if (key != name) continue;
    std::string decoded;
    if (eq == std::string_view::npos) return decoded;
    if (!PercentDecode(pair.substr(eq + 1), &decoded)) return {};
    return decoded;
  }
  return {};
}

HttpResponse JsonResponse(int status, const nlohmann::ordered_json& body) {
  HttpResponse response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return response;
}

HttpResponse ErrorResponse(int status, std::string_view message) {
  return ErrorResponse(status, message, nlohmann::ordered_json::object());
}

HttpResponse ErrorResponse(int status, std::string_view message,
                           const nlohmann::ordered_json& extra) {
  nlohmann::ordered_json body = nlohmann::ordered_json::object();
  body["error"] = std::string(message);
  if (extra.is_object())
    for (const auto& [key, value] : extra.items()) body[key] = value;
  return JsonResponse(status, body);
}

int HttpStatusForError(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidArgument: return 400;
    case ErrorKind::kUnauthenticated: return 401;
    case ErrorKind::kPermissionDenied: return 403;
    case ErrorKind::kNotFound: return 404;
    case ErrorKind::kConflict:
    case ErrorKind::kAlreadyExists: return 409;
    case ErrorKind::kResourceExhausted: return 429;
    case ErrorKind::kUnavailable: return 503;
    default: return 500;
  }
}

HttpResponse ErrorResponseFor(const Status& status, int retry_after_seconds) {
  int code = HttpStatusForError(status.kind());
  HttpResponse response = ErrorResponse(code, status.message());
  if (code == 429 || code == 503)
    response.AddHeader("Retry-After", std::to_string(retry_after_seconds));
  return response;
}

bool PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

}  // namespace floe::server
