#include "floe/server/http_server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "floe/server/worker_pool.h"

namespace floe::server {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;
using std::chrono::milliseconds;

namespace {

class Session;

constexpr size_t kFirstReadBytes = 4096;
// A body is read up to this many bytes per receive (Beast reads at most what the buffer holds
// free, and at most 64 KiB): a 200 KB body in 4 reads instead of 50, each one a system call and
// often a wake-up. Connections between requests give the space back (WaitForRequest).
constexpr size_t kBodyReadBytes = 64 * 1024;

// Beast's string_body, except that a request body grows by appending what arrives, where
// string_body resizes first (zero-filling every byte before copying over it).
struct AppendStringBody {
  using value_type = std::string;
  static std::uint64_t size(const value_type& body) { return body.size(); }

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(http::header<isRequest, Fields>&, value_type& body) : body_(body) {}

    void init(const boost::optional<std::uint64_t>& length, beast::error_code& ec) {
      if (length) {
        if (*length > body_.max_size()) {
          ec = http::error::buffer_overflow;
          return;
        }
        body_.reserve(static_cast<size_t>(*length));
      }
      ec = {};
    }

    template <class ConstBufferSequence>
    size_t put(const ConstBufferSequence& buffers, beast::error_code& ec) {
      const size_t extra = net::buffer_size(buffers);
      if (extra > body_.max_size() - body_.size()) {
        ec = http::error::buffer_overflow;
        return 0;
      }
      for (auto b : beast::buffers_range_ref(buffers)) {
        body_.append(static_cast<const char*>(b.data()), b.size());
      }
      ec = {};
      return extra;
    }

    void finish(beast::error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };
};

// After a response that closes the connection, unread request bytes are drained this long so the
// close does not turn into a reset that destroys the response before the client reads it.
constexpr int64_t kLingerMs = 2000;

std::string_view View(beast::string_view s) { return {s.data(), s.size()}; }

std::string Lower(beast::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(ServerOptions options, Router router, Logger* logger, const Clock* clock)
      : options_(std::move(options)),
        router_(std::move(router)),
        logger_(logger),
        clock_(clock),
        work_guard_(net::make_work_guard(ioc_)),
        acceptor_(net::make_strand(ioc_)),
        accept_retry_(acceptor_.get_executor()),
        workers_(options_.worker_threads, options_.max_queued_requests) {}

  Status Listen();
  void Run();
  void Shutdown();

  const ServerOptions& options() const { return options_; }
  const Router& router() const { return router_; }
  Logger* logger() const { return logger_; }
  const Clock* clock() const { return clock_; }
  WorkerPool& workers() { return workers_; }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  uint16_t port() const { return port_; }
  std::string address() const { return address_; }

  void Unregister(Session* session) {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    sessions_.erase(session);
    if (sessions_.empty()) sessions_cv_.notify_all();
  }

 private:
  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  std::vector<std::shared_ptr<Session>> LiveSessions();
  bool WaitForSessions(int64_t timeout_ms);

  const ServerOptions options_;
  const Router router_;
  Logger* const logger_;
  const Clock* const clock_;
  std::atomic<bool> stopping_{false};
  std::mutex shutdown_mu_;
  bool shut_down_ = false;
  std::mutex sessions_mu_;
  std::condition_variable sessions_cv_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
  // Declared after the session registry: destroying the context destroys pending handlers, and
  // with them sessions that unregister themselves.
  net::io_context ioc_;
  net::executor_work_guard<net::io_context::executor_type> work_guard_;
  tcp::acceptor acceptor_;
  net::steady_timer accept_retry_;
  WorkerPool workers_;
  std::vector<std::thread> io_threads_;
  uint16_t port_ = 0;
  std::string address_;
};

namespace {

// One connection: reads requests one after another (keep-alive), hands each to its handler and
// writes the response. All of its state is touched only on its strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, HttpServer::Impl* server)
      : stream_(std::move(socket)), server_(server) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  }
  ~Session() { server_->Unregister(this); }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->WaitForRequest(); });
  }

  // Shutdown has begun: a connection between requests closes now; one with a request in
  // progress finishes it (the response then closes the connection).
  void Stop() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (self->state_ == State::kIdle || self->state_ == State::kLingering) self->stream_.cancel();
    });
  }

  // Shutdown ran out of time: close whatever is in progress.
  void ForceClose() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Close(); });
  }

 private:
  enum class State { kIdle, kReading, kHandling, kWriting, kLingering, kClosed };

  const ServerOptions& options() const { return server_->options(); }

  void WaitForRequest() {
    if (server_->stopping()) return Close();
    if (buffer_.size() > 0) return ReadHeader();  // a pipelined request is already here
    if (buffer_.capacity() > kFirstReadBytes) buffer_.shrink_to_fit();
    state_ = State::kIdle;
    stream_.expires_after(milliseconds(options().idle_timeout_ms));
    stream_.async_read_some(
        buffer_.prepare(kFirstReadBytes),
        [self = shared_from_this()](beast::error_code ec, size_t n) { self->OnFirstBytes(ec, n); });
  }

  void OnFirstBytes(beast::error_code ec, size_t n) {
    if (ec) return Close();  // idle timeout, client gone, or shutdown
    buffer_.commit(n);
    ReadHeader();
  }

  void ReadHeader() {
    state_ = State::kReading;
    start_nanos_ = server_->clock()->MonotonicNanos();
    read_deadline_ = std::chrono::steady_clock::now() + milliseconds(options().read_timeout_ms);
    method_ = "-";
    path_ = "-";
    bytes_in_ = 0;
    keep_alive_ = false;
    version_ = 11;
    parser_.emplace();
    parser_->header_limit(options().max_header_bytes);
    parser_->body_limit(options().max_body_bytes);
    stream_.expires_at(read_deadline_);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (!ec || ec == http::error::body_limit) {
      const auto& req = parser_->get();
      method_ = std::string(View(req.method_string()));
      std::string_view target = View(req.target());
      path_ = std::string(target.substr(0, target.find('?')));
      version_ = req.version();
    }
    if (ec) return ReadFailed(ec);
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      continue_.emplace(http::status::continue_, version_);
      stream_.expires_after(milliseconds(options().write_timeout_ms));
      http::async_write(stream_, *continue_,
                        [self = shared_from_this()](beast::error_code ec, size_t) {
                          if (ec) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (auto length = parser_->content_length(); length && *length > kFirstReadBytes) {
      buffer_.reserve(std::min<uint64_t>(*length, kBodyReadBytes));
    }
    stream_.expires_at(read_deadline_);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->ReadFailed(ec);
                       self->Dispatch();
                     });
  }

  void ReadFailed(beast::error_code ec) {
    const ServerOptions& o = options();
    if (ec == http::error::header_limit) {
      return Write(
          CloseAfter(ErrorResponse(431, "request header fields over the limit of " +
                                            std::to_string(o.max_header_bytes) + " bytes")));
    }
    if (ec == http::error::body_limit) {
      return Write(CloseAfter(ErrorResponse(
          413, "request body over the limit of " + std::to_string(o.max_body_bytes) + " bytes",
          {{"limit_bytes", o.max_body_bytes}})));
    }
    if (ec == beast::error::timeout) {
      // The stream closed the socket when the deadline passed, so no 408 can be sent.
      LogRequest(408, 0);
      return Close();
    }
    static const auto& http_category = beast::error_code(http::error::end_of_stream).category();
    if (ec.category() == http_category && ec != http::error::end_of_stream &&
        ec != http::error::partial_message) {
      return Write(CloseAfter(ErrorResponse(400, "malformed HTTP request: " + ec.message())));
    }
    Close();  // the client went away or shutdown closed the connection
  }

  static HttpResponse CloseAfter(HttpResponse response) {
    response.close_connection = true;
    return response;
  }

  void Dispatch() {
    auto& msg = parser_->get();
    HttpRequest request;
    request.method = method_;
    request.target = std::string(View(msg.target()));
    size_t q = request.target.find('?');
    request.path = request.target.substr(0, q);
    if (q != std::string::npos) request.query = request.target.substr(q + 1);
    for (const auto& field : msg)
      request.headers.emplace_back(Lower(field.name_string()), View(field.value()));
    request.body = std::move(msg.body());
    request.remote_address = remote_;
    bytes_in_ = request.body.size();
    keep_alive_ = msg.keep_alive();
    parser_.reset();

    Router::Match match = server_->router().Find(request.method, request.path);
    if (match.status == 404)
      return Write(ErrorResponse(404, "no route for " + request.method + " " + request.path));
    if (match.status == 405) {
      HttpResponse response =
          ErrorResponse(405, "method " + request.method + " not allowed on " + request.path +
                                 " (allowed: " + match.allow + ")");
      response.AddHeader("Allow", match.allow);
      return Write(std::move(response));
    }
    if (match.status != 200)
      return Write(ErrorResponse(400, "malformed %-escape in path " + request.path));
    request.path_params = std::move(match.params);
    const Route* route = match.route;
    state_ = State::kHandling;
    if (route->dispatch == Dispatch::kInline) return Write(RunHandler(*route, request));

    stream_.expires_never();  // a handler may take long; its time is not the client's fault
    bool queued = server_->workers().TrySubmit(
        [self = shared_from_this(), route, request = std::move(request)]() {
          HttpResponse response = self->RunHandler(*route, request);
          net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
            self->Write(std::move(response));
          });
        });
    if (!queued) {
      HttpResponse busy =
          ErrorResponse(503, "server busy: " + std::to_string(options().max_queued_requests) +
                                 " requests already wait for a worker");
      busy.AddHeader("Retry-After", "1");
      Write(std::move(busy));
    }
  }

  HttpResponse RunHandler(const Route& route, const HttpRequest& request) {
    try {
      return route.handler(request);
    } catch (const std::exception& e) {
      server_->logger()->Error("http.handler_exception",
                               {{"route", route.pattern}, {"what", e.what()}});
    } catch (...) {
      server_->logger()->Error("http.handler_exception", {{"route", route.pattern}});
    }
    return ErrorResponse(500, "internal error in " + route.method + " " + route.pattern);
  }

  void Write(HttpResponse response) {
    if (state_ == State::kClosed) return;  // shutdown forced the connection closed meanwhile
    state_ = State::kWriting;
    bool keep = keep_alive_ && !response.close_connection && !server_->stopping();
    res_.emplace();
    res_->version(version_ == 10 ? 10 : 11);
    res_->result(static_cast<unsigned>(response.status));
    res_->set(http::field::server, "floe");
    res_->set(http::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) res_->insert(name, value);
    res_->body() = std::move(response.body);
    res_->keep_alive(keep);
    res_->prepare_payload();
    close_after_write_ = !keep;
    LogRequest(response.status, res_->body().size());
    stream_.expires_after(milliseconds(options().write_timeout_ms));
    http::async_write(stream_, *res_, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->res_.reset();
      if (ec) return self->Close();
      if (self->close_after_write_) return self->Linger();
      self->WaitForRequest();
    });
  }

  void LogRequest(int status, size_t bytes_out) {
    Logger* logger = server_->logger();
    LogLevel level = status >= 500   ? LogLevel::kWarn
                     : status >= 300 ? LogLevel::kInfo
                                     : LogLevel::kDebug;
    if (!logger->Enabled(level)) return;
    double ms = static_cast<double>(server_->clock()->MonotonicNanos() - start_nanos_) / 1e6;
    logger->Log(level, "http.request",
                {{"method", method_},
                 {"path", path_},
                 {"status", status},
                 {"duration_ms", ms},
                 {"bytes_in", static_cast<uint64_t>(bytes_in_)},
                 {"bytes_out", static_cast<uint64_t>(bytes_out)},
                 {"remote", remote_}});
  }

  void Linger() {
    state_ = State::kLingering;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    buffer_.consume(buffer_.size());
    if (!scratch_) scratch_ = std::make_unique<char[]>(kFirstReadBytes);
    stream_.expires_after(milliseconds(std::min(kLingerMs, options().read_timeout_ms)));
    Drain();
  }

  void Drain() {
    stream_.async_read_some(net::buffer(scratch_.get(), kFirstReadBytes),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->Close();
                              self->Drain();
                            });
  }

  void Close() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  HttpServer::Impl* server_;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<AppendStringBody>> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  std::optional<http::response<http::string_body>> res_;
  std::unique_ptr<char[]> scratch_;
  State state_ = State::kIdle;
  std::chrono::steady_clock::time_point read_deadline_;
  int64_t start_nanos_ = 0;
  std::string method_ = "-";
  std::string path_ = "-";
  size_t bytes_in_ = 0;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool close_after_write_ = false;
};

}  // namespace

Status HttpServer::Impl::Listen() {
  beast::error_code ec;
  std::string host = options_.host == "localhost" ? "127.0.0.1" : options_.host;
  net::ip::address ip = net::ip::make_address(host, ec);
  if (ec)
    return Status::InvalidArgument("listen address '" + options_.host +
                                   "' is not an IP address (or localhost)");
  tcp::endpoint endpoint(ip, options_.port);
  std::string where = options_.host + ":" + std::to_string(options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Status::IOError("cannot listen on " + where + ": " + ec.message());
  tcp::endpoint bound = acceptor_.local_endpoint(ec);
  if (ec) return Status::IOError("cannot read the bound address of " + where + ": " + ec.message());
  port_ = bound.port();
  address_ = (ip.is_v6() ? "[" + bound.address().to_string() + "]" : bound.address().to_string()) +
             ":" + std::to_string(port_);
  return Status::OK();
}

void HttpServer::Impl::Run() {
  net::dispatch(acceptor_.get_executor(), [this] { DoAccept(); });
  for (int i = 0; i < std::max(1, options_.io_threads); ++i) {
    io_threads_.emplace_back([this] {
      while (true) {
        try {
          ioc_.run();
          return;
        } catch (const std::exception& e) {
          logger_->Error("http.io_exception", {{"what", e.what()}});
        }
      }
    });
  }
  logger_->Info("http.listening", {{"address", address_},
                                   {"io_threads", options_.io_threads},
                                   {"worker_threads", options_.worker_threads}});
}

void HttpServer::Impl::DoAccept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping() || !acceptor_.is_open()) return;
  if (ec) {
    // Out of descriptors and the like: wait a little instead of spinning on the error.
    logger_->Warn("http.accept_failed", {{"error", ec.message()}});
    accept_retry_.expires_after(milliseconds(50));
    accept_retry_.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && !stopping()) DoAccept();
    });
    return;
  }
  std::shared_ptr<Session> session;
  {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    if (sessions_.size() < options_.max_connections) {
      session = std::make_shared<Session>(std::move(socket), this);
      sessions_.emplace(session.get(), session);
    }
  }
  if (session) {
    session->Start();
  } else {
    logger_->Warn("http.connection_refused",
                  {{"reason", "max_connections"},
                   {"max_connections", static_cast<uint64_t>(options_.max_connections)}});
    beast::error_code close_ec;
    socket.close(close_ec);
  }
  DoAccept();
}

std::vector<std::shared_ptr<Session>> HttpServer::Impl::LiveSessions() {
  std::vector<std::shared_ptr<Session>> live;
  std::lock_guard<std::mutex> lock(sessions_mu_);
  for (auto& [ptr, weak] : sessions_)
    if (auto s = weak.lock()) live.push_back(std::move(s));
  return live;
}

bool HttpServer::Impl::WaitForSessions(int64_t timeout_ms) {
  std::unique_lock<std::mutex> lock(sessions_mu_);
  return sessions_cv_.wait_for(lock, milliseconds(timeout_ms),
                               [this] { return sessions_.empty(); });
}

void HttpServer::Impl::Shutdown() {
  std::lock_guard<std::mutex> once(shutdown_mu_);
  if (shut_down_) return;
  shut_down_ = true;
  stopping_.store(true, std::memory_order_release);
  if (!io_threads_.empty()) {
    std::promise<void> closed;
    net::post(acceptor_.get_executor(), [this, &closed] {
      beast::error_code ec;
      acceptor_.close(ec);
      accept_retry_.cancel();
      closed.set_value();
    });
    closed.get_future().wait();
  }
  for (auto& session : LiveSessions()) session->Stop();
  bool drained = WaitForSessions(options_.shutdown_timeout_ms);
  if (!drained) {
    logger_->Warn("http.shutdown_timeout", {{"timeout_ms", options_.shutdown_timeout_ms}});
    for (auto& session : LiveSessions()) session->ForceClose();
  }
  // Handlers still running return to closed connections; none starts after this.
  workers_.Stop();
  if (!drained) WaitForSessions(options_.shutdown_timeout_ms);
  work_guard_.reset();
  ioc_.stop();
  for (std::thread& t : io_threads_) t.join();
  io_threads_.clear();
  logger_->Info("http.stopped", {{"address", address_}});
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() {
  if (impl_) impl_->Shutdown();
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(ServerOptions options, Router router,
                                                      Logger* logger, const Clock* clock) {
  auto positive = [](int64_t v, const char* name) -> Status {
    if (v > 0) return Status::OK();
    return Status::InvalidArgument(std::string("server option ") + name + " is " +
                                   std::to_string(v) + "; it must be at least 1");
  };
  FLOE_RETURN_IF_ERROR(positive(options.io_threads, "io_threads"));
  FLOE_RETURN_IF_ERROR(positive(options.worker_threads, "worker_threads"));
  FLOE_RETURN_IF_ERROR(
      positive(static_cast<int64_t>(options.max_queued_requests), "max_queued_requests"));
  FLOE_RETURN_IF_ERROR(positive(static_cast<int64_t>(options.max_connections), "max_connections"));
  FLOE_RETURN_IF_ERROR(positive(options.max_header_bytes, "max_header_bytes"));
  FLOE_RETURN_IF_ERROR(positive(static_cast<int64_t>(options.max_body_bytes), "max_body_bytes"));
  FLOE_RETURN_IF_ERROR(positive(options.read_timeout_ms, "read_timeout_ms"));
  FLOE_RETURN_IF_ERROR(positive(options.idle_timeout_ms, "idle_timeout_ms"));
  FLOE_RETURN_IF_ERROR(positive(options.write_timeout_ms, "write_timeout_ms"));
  FLOE_RETURN_IF_ERROR(positive(options.shutdown_timeout_ms, "shutdown_timeout_ms"));
  auto impl = std::make_unique<Impl>(std::move(options), std::move(router), logger, clock);
  FLOE_RETURN_IF_ERROR(impl->Listen());
  impl->Run();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const { return impl_->port(); }
std::string HttpServer::address() const { return impl_->address(); }
void HttpServer::Shutdown() { impl_->Shutdown(); }

}  // namespace floe::server
