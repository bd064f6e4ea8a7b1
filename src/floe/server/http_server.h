#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "floe/common/clock.h"
#include "floe/common/logger.h"
#include "floe/common/result.h"
#include "floe/server/router.h"

namespace floe::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8181;  // 0: any free port (see HttpServer::port())
  // Threads running the Asio event loop: accept, read, parse, write. They never run a blocking
  // handler, so a slow or stuck handler cannot stall other connections.
  int io_threads = 2;
  // Threads running kWorker handlers. Each ingest request waiting for the WAL group commit holds
  // one, so this bounds how many requests share one fsync.
  int worker_threads = 32;
  // Requests waiting for a worker beyond this are answered 503 with Retry-After.
  size_t max_queued_requests = 1024;
  // Connections beyond this are closed at accept.
  size_t max_connections = 4096;
  uint32_t max_header_bytes = 16 * 1024;          // request line + fields; over → 431
  uint64_t max_body_bytes = 16ull * 1024 * 1024;  // as sent (compressed); over → 413
  int64_t read_timeout_ms = 30'000;      // from a request's first byte to its last; over → 408
  int64_t idle_timeout_ms = 60'000;      // a keep-alive connection with no request is closed
  int64_t write_timeout_ms = 30'000;     // sending one response
  int64_t shutdown_timeout_ms = 30'000;  // Shutdown() waits this long for in-flight requests
};

// An HTTP/1.1 server (Boost.Beast) with keep-alive, size limits, timeouts and graceful shutdown.
// Every request is logged at debug level, and non-2xx ones at info (4xx) or warn (5xx), with
// method, path (no query string), status, duration and sizes; never headers, so no credential
// reaches the log.
class HttpServer {
 public:
  // Binds and starts serving. kInvalidArgument for a bad host or option, kIOError when the
  // address cannot be bound. `logger` and `clock` must outlive the server.
  static Result<std::unique_ptr<HttpServer>> Start(ServerOptions options, Router router,
                                                   Logger* logger, const Clock* clock);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port (the real one when options.port was 0).
  uint16_t port() const;
  // "host:port" as bound.
  std::string address() const;

  // Graceful stop: no new connections; idle keep-alive connections are closed; requests being
  // read or handled finish and are answered with `Connection: close`. Waits up to
  // shutdown_timeout_ms for them, then closes what is left and waits for running handlers to
  // return. After it returns no handler runs. Idempotent; the destructor calls it.
  void Shutdown();

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace floe::server
