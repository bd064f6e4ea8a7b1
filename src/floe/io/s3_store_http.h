#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "floe/common/result.h"

namespace floe {

// One HTTP exchange as S3Store sees it. The transport is an interface so tests can put faults
// (5xx, timeouts, resets, short bodies) between the store and a real server.
struct HttpRequest {
  std::string method;  // GET, HEAD, PUT, POST, DELETE
  std::string url;     // absolute, already encoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;
  // A response body larger than this fails the request (kResourceExhausted), so a server can
  // never make the client allocate without bound.
  int64_t max_response_bytes = 64 << 20;
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;

  // The value of the first header called `name` (lower case), or nullptr.
  const std::string* Header(std::string_view name) const;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends one request. An HTTP error status is a response, not an error. Errors: kUnavailable
  // when retrying may help (connection refused or reset, timeout, a body cut short),
  // kResourceExhausted for an oversized response, kIOError otherwise.
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

struct CurlTransportOptions {
  int connect_timeout_ms = 10'000;
  // The whole exchange; generous, since one request may carry a multipart part.
  int request_timeout_ms = 300'000;
  // A transfer slower than 1 KiB/s for this long is a timeout (a stalled connection).
  int stall_timeout_ms = 30'000;
  // Idle easy handles (each keeps its connections alive) kept for reuse.
  int max_idle_handles = 16;
};

// libcurl with a pool of easy handles, so connections (and TLS sessions) are reused across
// requests and threads. Safe to call from many threads.
std::unique_ptr<HttpTransport> MakeCurlTransport(const CurlTransportOptions& options);

}  // namespace floe
