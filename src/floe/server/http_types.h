#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "floe/common/status.h"

namespace floe::server {

// One HTTP request as handlers see it: no Beast types, so handlers (and the CLI that registers
// them) compile without Boost.
struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: "/v1/events?x=1"
  std::string path;    // target before '?', not percent-decoded
  std::string query;   // target after '?', "" when absent
  // Field names lower-cased, in arrival order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Captures of the route's {name} segments, percent-decoded.
  std::map<std::string, std::string, std::less<>> path_params;
  std::string remote_address;

  // The first field of that name (any case), or "" when absent.
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  // The path parameter, or "" when the route has none of that name.
  std::string_view PathParam(std::string_view name) const;
  // The first `name=value` of the query string, percent-decoded; "" when absent.
  std::string QueryParam(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra fields (Retry-After, WWW-Authenticate, Allow, ...). Content-Type, Content-Length and
  // Connection are set by the server.
  std::vector<std::pair<std::string, std::string>> headers;
  // The server closes the connection after sending this response.
  bool close_connection = false;

  HttpResponse& AddHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// A JSON response; the value is dumped with invalid UTF-8 replaced, so a message quoting the
// client's bytes can never make serialisation fail.
HttpResponse JsonResponse(int status, const nlohmann::ordered_json& body);
// `{"error": message, ...extra}` — the one error shape of the HTTP API (DESIGN.md).
HttpResponse ErrorResponse(int status, std::string_view message);
HttpResponse ErrorResponse(int status, std::string_view message,
                           const nlohmann::ordered_json& extra);

// The HTTP status a handler answers for an error kind when nothing more specific applies:
// kInvalidArgument 400, kUnauthenticated 401, kPermissionDenied 403, kNotFound 404, kConflict and
// kAlreadyExists 409, kResourceExhausted 429, kUnavailable 503, anything else 500.
int HttpStatusForError(ErrorKind kind);
// ErrorResponse(HttpStatusForError(status.kind()), status.message()); 429 and 503 carry
// Retry-After: `retry_after_seconds`.
HttpResponse ErrorResponseFor(const Status& status, int retry_after_seconds = 1);

// Decodes %XX escapes ('+' stays '+'); false on a malformed escape.
bool PercentDecode(std::string_view in, std::string* out);

}  // namespace floe::server
