#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "floe/common/status.h"
#include "floe/server/http_types.h"

namespace floe::server {

using Handler = std::function<HttpResponse(const HttpRequest&)>;

// Where a handler runs. Handlers may block (an ingest waits for the WAL fsync), so by default they
// run on the server's worker pool and never hold an I/O thread; kInline is for handlers that
// return at once (liveness), so they answer even when every worker is busy.
enum class Dispatch { kWorker, kInline };

struct Route {
  std::string method;
  std::string pattern;
  std::vector<std::string> segments;  // "{name}" segments capture one path segment
  Handler handler;
  Dispatch dispatch = Dispatch::kWorker;
};

// Method + path pattern → handler. Patterns are absolute paths whose segments are literals or
// `{name}` captures of one non-empty segment ("/v1/tables/{namespace}/{table}/events").
class Router {
 public:
  // kInvalidArgument for a pattern that is not absolute, has an empty segment, a malformed or
  // repeated capture, or duplicates the method and shape of an existing route.
  Status Add(std::string method, std::string_view pattern, Handler handler,
             Dispatch dispatch = Dispatch::kWorker);

  struct Match {
    const Route* route = nullptr;  // set when status == 200
    int status = 404;              // 200 found, 404 no such path, 405 path known but not method,
                                   // 400 a capture with a malformed %-escape
    std::string allow;             // for 405: the methods the path accepts, "GET, POST"
    std::map<std::string, std::string, std::less<>> params;
  };
  // A literal segment wins over a capture at the same position (routes are tried in order of
  // specificity, not of registration).
  Match Find(std::string_view method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace floe::server
