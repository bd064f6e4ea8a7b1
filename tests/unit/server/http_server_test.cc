#include "floe/server/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "floe/server/auth.h"
#include "http_test_client.h"

namespace floe::server {
namespace {

using testing::Response;
using testing::TestClient;
namespace http = boost::beast::http;

// A gate handlers wait on, so tests control when a "blocking" handler returns.
class Gate {
 public:
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    ++waiting_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
    --waiting_;
  }
  void WaitForWaiters(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return waiting_ >= n; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int waiting_ = 0;
  bool open_ = false;
};

HttpResponse Text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain";
  r.body = std::move(body);
  return r;
}

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest()
      : logger_(&clock_, LogLevel::kDebug, [this](std::string_view line) {
          std::lock_guard<std::mutex> lock(log_mu_);
          log_ += line;
          log_cv_.notify_all();
        }) {
    options_.host = "127.0.0.1";
    options_.port = 0;
    options_.io_threads = 2;
    options_.worker_threads = 4;
  }
  ~HttpServerTest() override {
    gate_.Open();
    if (server_) server_->Shutdown();
  }

  Router DefaultRouter() {
    Router router;
    EXPECT_TRUE(router
                    .Add(
                        "GET", "/health", [](const HttpRequest&) { return Text(200, "ok"); },
                        Dispatch::kInline)
                    .ok());
    EXPECT_TRUE(
        router.Add("GET", "/fast", [](const HttpRequest&) { return Text(200, "fast"); }).ok());
    EXPECT_TRUE(
        router.Add("POST", "/echo", [](const HttpRequest& r) { return Text(200, r.body); }).ok());
    EXPECT_TRUE(
        router
            .Add("GET", "/remote", [](const HttpRequest& r) { return Text(200, r.remote_address); })
            .ok());
    EXPECT_TRUE(router
                    .Add("POST", "/v1/tables/{namespace}/{table}/events",
                         [](const HttpRequest& r) {
                           return Text(202, std::string(r.PathParam("namespace")) + "." +
                                                std::string(r.PathParam("table")) + "?" +
                                                r.QueryParam("x"));
                         })
                    .ok());
    EXPECT_TRUE(router
                    .Add("GET", "/block",
                         [this](const HttpRequest&) {
                           gate_.Wait();
                           return Text(200, "unblocked");
                         })
                    .ok());
    EXPECT_TRUE(
        router
            .Add("GET", "/throw",
                 [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); })
            .ok());
    EXPECT_TRUE(
        router
            .Add("POST", "/admin/flush",
                 RequireAdmin(&auth_, [](const HttpRequest&) { return Text(200, "flushed"); }))
            .ok());
    return router;
  }

  void StartServer() { StartServer(DefaultRouter()); }
  void StartServer(Router router) {
    auto server = HttpServer::Start(options_, std::move(router), &logger_, &clock_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
  }

  std::string Log() {
    std::lock_guard<std::mutex> lock(log_mu_);
    return log_;
  }

  // Some lines are written after the client already saw the outcome (a timed-out connection is
  // closed before its handler logs); waits for `text` to be logged (gives up after 20 s).
  bool WaitForLog(std::string_view text) {
    std::unique_lock<std::mutex> lock(log_mu_);
    return log_cv_.wait_for(lock, std::chrono::seconds(20),
                            [&] { return log_.find(text) != std::string::npos; });
  }

  SystemClock clock_;
  std::mutex log_mu_;
  std::condition_variable log_cv_;
  std::string log_;
  Logger logger_;
  ServerOptions options_;
  Authenticator auth_{AuthConfig{"the-admin-token", {}}};
  Gate gate_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, RoutesWithParamsAndJsonErrors) {
  StartServer();
  TestClient client(server_->port());
  ASSERT_TRUE(client.connected());

  Response r = client.Get("/health");
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body(), "ok");
  EXPECT_EQ(r[http::field::server], "floe");

  r = client.Post("/v1/tables/analytics/page%2Dviews/events?x=1", "{}");
  EXPECT_EQ(r.result_int(), 202);
  EXPECT_EQ(r.body(), "analytics.page-views?1");

  r = client.Get("/nope?token=zzz");
  EXPECT_EQ(r.result_int(), 404);
  EXPECT_EQ(r[http::field::content_type], "application/json");
  auto body = nlohmann::json::parse(r.body());
  EXPECT_EQ(body["error"], "no route for GET /nope");

  r = client.Post("/health", "");
  EXPECT_EQ(r.result_int(), 405);
  EXPECT_EQ(r[http::field::allow], "GET");
  EXPECT_TRUE(nlohmann::json::parse(r.body()).contains("error"));

  r = client.Get("/throw");
  EXPECT_EQ(r.result_int(), 500);
  EXPECT_EQ(nlohmann::json::parse(r.body())["error"], "internal error in GET /throw");
  EXPECT_TRUE(r.keep_alive());
  EXPECT_EQ(client.Get("/fast").body(), "fast");  // the connection survived all of that

  std::string log = Log();
  EXPECT_NE(log.find("\"status\":404"), std::string::npos) << log;
  EXPECT_NE(log.find("\"path\":\"/nope\""), std::string::npos) << log;
  EXPECT_EQ(log.find("zzz"), std::string::npos) << "the query string must not be logged";
  EXPECT_NE(log.find("\"event\":\"http.handler_exception\""), std::string::npos);
  EXPECT_NE(log.find("\"duration_ms\":"), std::string::npos);
}

TEST_F(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  StartServer();
  TestClient client(server_->port());
  std::string first = client.Get("/remote").body();
  ASSERT_FALSE(first.empty());
  for (int i = 0; i < 20; ++i) {
    Response r = client.Post("/echo", "body " + std::to_string(i));
    ASSERT_EQ(r.result_int(), 200);
    EXPECT_EQ(r.body(), "body " + std::to_string(i));
    EXPECT_TRUE(r.keep_alive());
  }
  // The same client port: still the first connection.
  EXPECT_EQ(client.Get("/remote").body(), first);

  // Pipelined: two requests in one write, two responses in order.
  ASSERT_FALSE(
      client.WriteRaw("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n"
                      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"));
  Response a, b;
  ASSERT_FALSE(client.Read(&a));
  ASSERT_FALSE(client.Read(&b));
  EXPECT_EQ(a.body(), "fast");
  EXPECT_EQ(b.body(), "hi");
}

// Bodies arrive in many reads of up to 64 KiB, appended as they come; a connection gives its
// read space back between requests. Every body must come out as sent, byte for byte (NULs and
// high bytes too), at sizes around the read sizes, small and large bodies in turn on one
// connection, and a large body pipelined with a small request.
TEST_F(HttpServerTest, BodiesOfEverySizeAreReadAsSent) {
  StartServer();
  TestClient client(server_->port());
  auto body_of = [](size_t n, unsigned seed) {
    std::string b(n, '\0');
    for (size_t i = 0; i < n; ++i) b[i] = static_cast<char>((i * 131 + seed * 7 + i / 509) & 0xff);
    return b;
  };
  unsigned seed = 0;
  for (size_t n : {size_t{0}, size_t{1}, size_t{4095}, size_t{4097}, size_t{65536},
                   size_t{65543}, size_t{300000}, size_t{3}, size_t{2} << 20, size_t{17}}) {
    std::string body = body_of(n, ++seed);
    Response r = client.Post("/echo", body);
    ASSERT_EQ(r.result_int(), 200) << n;
    EXPECT_EQ(r.body().size(), n);
    EXPECT_TRUE(r.body() == body) << "body of " << n << " bytes came back changed";
    EXPECT_TRUE(r.keep_alive());
  }
  std::string big = body_of(200000, 99);
  ASSERT_FALSE(client.WriteRaw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                               std::to_string(big.size()) + "\r\n\r\n" + big +
                               "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok"));
  Response a, b;
  ASSERT_FALSE(client.Read(&a));
  ASSERT_FALSE(client.Read(&b));
  EXPECT_TRUE(a.body() == big);
  EXPECT_EQ(b.body(), "ok");
}

TEST_F(HttpServerTest, ConnectionCloseAndHttp10AreHonoured) {
  StartServer();
  TestClient client(server_->port());
  auto req = TestClient::MakeRequest(http::verb::get, "/fast", "", {{"Connection", "close"}});
  Response r = client.Send(req);
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_FALSE(r.keep_alive());
  EXPECT_TRUE(client.WaitForClose());

  TestClient old(server_->port());
  ASSERT_FALSE(old.WriteRaw("GET /fast HTTP/1.0\r\n\r\n"));
  std::string received;
  EXPECT_TRUE(old.WaitForClose(&received));
  EXPECT_EQ(received.rfind("HTTP/1.0 200", 0), 0u) << received;
}

TEST_F(HttpServerTest, BodyOverTheLimitIs413AndCloses) {
  options_.max_body_bytes = 1000;
  StartServer();
  {
    TestClient client(server_->port());
    Response r = client.Post("/echo", std::string(1000, 'a'));
    EXPECT_EQ(r.result_int(), 200);
    EXPECT_EQ(r.body().size(), 1000u);
  }
  {
    // Declared length over the limit: refused before the body is read.
    TestClient client(server_->port());
    ASSERT_FALSE(client.WriteRaw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n"));
    Response r;
    ASSERT_FALSE(client.Read(&r));
    EXPECT_EQ(r.result_int(), 413);
    EXPECT_FALSE(r.keep_alive());
    auto body = nlohmann::json::parse(r.body());
    EXPECT_EQ(body["error"], "request body over the limit of 1000 bytes");
    EXPECT_EQ(body["limit_bytes"], 1000);
    EXPECT_TRUE(client.WaitForClose());
  }
  {
    // Chunked: refused once the chunks pass the limit.
    TestClient client(server_->port());
    std::string raw = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) raw += "190\r\n" + std::string(400, 'b') + "\r\n";
    raw += "0\r\n\r\n";
    ASSERT_FALSE(client.WriteRaw(raw));
    Response r;
    ASSERT_FALSE(client.Read(&r));
    EXPECT_EQ(r.result_int(), 413);
  }
  // Still serving.
  TestClient after(server_->port());
  EXPECT_EQ(after.Get("/fast").result_int(), 200);
  EXPECT_NE(Log().find("\"status\":413"), std::string::npos);
}

TEST_F(HttpServerTest, ExpectContinueGetsA100ThenTheBodyIsRead) {
  options_.max_body_bytes = 100;
  StartServer();
  TestClient client(server_->port());
  ASSERT_FALSE(client.WriteRaw(
      "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  http::response_parser<http::empty_body> p;
  ASSERT_FALSE(client.Read(&p));
  EXPECT_EQ(p.get().result_int(), 100);
  ASSERT_FALSE(client.WriteRaw("hello"));
  Response r;
  ASSERT_FALSE(client.Read(&r));
  EXPECT_EQ(r.body(), "hello");

  // Too large: 413 at once, no 100.
  TestClient big(server_->port());
  ASSERT_FALSE(big.WriteRaw(
      "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 101\r\n\r\n"));
  Response refused;
  ASSERT_FALSE(big.Read(&refused));
  EXPECT_EQ(refused.result_int(), 413);
}

TEST_F(HttpServerTest, HeaderOverTheLimitIs431) {
  options_.max_header_bytes = 2048;
  StartServer();
  TestClient client(server_->port());
  Response r = client.Get("/fast", {{"X-Big", std::string(4096, 'h')}});
  EXPECT_EQ(r.result_int(), 431);
  EXPECT_FALSE(r.keep_alive());
  EXPECT_EQ(nlohmann::json::parse(r.body())["error"],
            "request header fields over the limit of 2048 bytes");
  TestClient ok(server_->port());
  EXPECT_EQ(ok.Get("/fast", {{"X-Small", std::string(100, 'h')}}).result_int(), 200);
}

TEST_F(HttpServerTest, MalformedRequestIs400) {
  StartServer();
  TestClient client(server_->port());
  ASSERT_FALSE(client.WriteRaw("GET /fast HTTP/1.1\r\nHost x\r\n\r\n"));
  Response r;
  ASSERT_FALSE(client.Read(&r));
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_NE(nlohmann::json::parse(r.body())["error"].get<std::string>().find("malformed HTTP"),
            std::string::npos);
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  options_.idle_timeout_ms = 100;
  StartServer();
  TestClient client(server_->port());
  EXPECT_EQ(client.Get("/fast").result_int(), 200);
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(HttpServerTest, RequestNotFinishedWithinTheReadTimeoutIsDropped) {
  options_.read_timeout_ms = 100;
  options_.idle_timeout_ms = 60'000;
  StartServer();
  TestClient client(server_->port());
  ASSERT_FALSE(client.WriteRaw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"));
  std::string received;
  EXPECT_TRUE(client.WaitForClose(&received));
  EXPECT_EQ(received, "");
  EXPECT_TRUE(WaitForLog("\"status\":408")) << Log();
  TestClient after(server_->port());
  EXPECT_EQ(after.Get("/fast").result_int(), 200);
}

TEST_F(HttpServerTest, AdminRouteNeedsTheBearerTokenAndTokensAreNotLogged) {
  StartServer();
  TestClient client(server_->port());
  Response r = client.Post("/admin/flush", "");
  EXPECT_EQ(r.result_int(), 401);
  EXPECT_EQ(r[http::field::www_authenticate], "Bearer realm=\"floe\"");
  r = client.Post("/admin/flush", "", {{"Authorization", "Bearer wrong-token-value"}});
  EXPECT_EQ(r.result_int(), 401);
  EXPECT_EQ(nlohmann::json::parse(r.body())["error"], "admin route: wrong admin token");
  r = client.Post("/admin/flush", "", {{"Authorization", "Bearer the-admin-token"}});
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body(), "flushed");
  std::string log = Log();
  EXPECT_NE(log.find("\"status\":401"), std::string::npos);
  EXPECT_EQ(log.find("wrong-token-value"), std::string::npos);
  EXPECT_EQ(log.find("the-admin-token"), std::string::npos);
}

TEST_F(HttpServerTest, BlockedHandlersDoNotStallOtherConnections) {
  options_.worker_threads = 4;
  StartServer();
  std::vector<std::future<Response>> blocked;
  for (int i = 0; i < 3; ++i) {
    blocked.push_back(std::async(std::launch::async, [port = server_->port()] {
      TestClient c(port);
      return c.Get("/block");
    }));
  }
  gate_.WaitForWaiters(3);
  // Three of four workers are stuck; other connections still get answers, inline and on a worker.
  for (int i = 0; i < 5; ++i) {
    TestClient other(server_->port());
    EXPECT_EQ(other.Get("/health").body(), "ok");
    EXPECT_EQ(other.Get("/fast").body(), "fast");
  }
  gate_.Open();
  for (auto& f : blocked) EXPECT_EQ(f.get().body(), "unblocked");
}

TEST_F(HttpServerTest, FullWorkerQueueAnswers503WithRetryAfter) {
  options_.worker_threads = 1;
  options_.max_queued_requests = 1;
  StartServer();
  uint16_t port = server_->port();
  auto running = std::async(std::launch::async, [port] {
    TestClient c(port);
    return c.Get("/block");
  });
  gate_.WaitForWaiters(1);
  // The only worker is blocked and the queue holds one request: of two more, whichever comes
  // second is refused.
  auto a = std::async(std::launch::async, [port] { return TestClient(port).Get("/fast"); });
  auto b = std::async(std::launch::async, [port] { return TestClient(port).Get("/fast"); });
  // Inline routes answer even now.
  EXPECT_EQ(TestClient(port).Get("/health").result_int(), 200);
  std::future<Response>* first_done = nullptr;
  while (first_done == nullptr) {
    if (a.wait_for(std::chrono::milliseconds(10)) == std::future_status::ready)
      first_done = &a;
    else if (b.wait_for(std::chrono::milliseconds(10)) == std::future_status::ready)
      first_done = &b;
  }
  Response refused = first_done->get();
  EXPECT_EQ(refused.result_int(), 503);
  EXPECT_EQ(refused[http::field::retry_after], "1");
  EXPECT_TRUE(nlohmann::json::parse(refused.body()).contains("error"));
  gate_.Open();
  EXPECT_EQ(running.get().body(), "unblocked");
  EXPECT_EQ((first_done == &a ? b : a).get().body(), "fast");
}

TEST_F(HttpServerTest, GracefulShutdownFinishesInFlightRequestsAndStopsAccepting) {
  StartServer();
  uint16_t port = server_->port();
  auto in_flight = std::async(std::launch::async, [port] {
    TestClient c(port);
    return c.Get("/block");
  });
  gate_.WaitForWaiters(1);
  TestClient idle(port);
  ASSERT_EQ(idle.Get("/fast").result_int(), 200);

  std::thread stopper([this] { server_->Shutdown(); });
  // Shutdown closes idle keep-alive connections (so it has begun).
  EXPECT_TRUE(idle.WaitForClose());
  // A new connection is refused, or (if the kernel took it before the listener closed) closed
  // unanswered.
  TestClient late(port);
  if (late.connected()) {
    boost::beast::error_code ec;
    late.Get("/fast", {}, &ec);
    EXPECT_TRUE(ec);
  }
  // The request being handled still completes, with Connection: close.
  gate_.Open();
  Response r = in_flight.get();
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body(), "unblocked");
  EXPECT_FALSE(r.keep_alive());
  stopper.join();
  EXPECT_NE(Log().find("\"event\":\"http.stopped\""), std::string::npos);
  server_->Shutdown();  // idempotent
}

TEST_F(HttpServerTest, ShutdownTimeoutClosesStuckConnections) {
  options_.shutdown_timeout_ms = 100;
  StartServer();
  uint16_t port = server_->port();
  TestClient stuck(port);
  ASSERT_FALSE(stuck.WriteRaw("GET /block HTTP/1.1\r\nHost: x\r\n\r\n"));
  gate_.WaitForWaiters(1);
  std::thread stopper([this] { server_->Shutdown(); });
  // Past the timeout the connection is closed although its handler still runs.
  std::string received;
  EXPECT_TRUE(stuck.WaitForClose(&received));
  EXPECT_EQ(received, "");
  gate_.Open();  // Shutdown returns once the handler does
  stopper.join();
  EXPECT_TRUE(WaitForLog("\"event\":\"http.shutdown_timeout\""));
}

TEST_F(HttpServerTest, StartFailsOnBadAddressOrOptions) {
  options_.host = "not-an-ip";
  auto bad_host = HttpServer::Start(options_, DefaultRouter(), &logger_, &clock_);
  ASSERT_FALSE(bad_host.ok());
  EXPECT_EQ(bad_host.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(bad_host.status().message().find("not-an-ip"), std::string::npos);

  options_.host = "127.0.0.1";
  options_.worker_threads = 0;
  auto bad_option = HttpServer::Start(options_, DefaultRouter(), &logger_, &clock_);
  ASSERT_FALSE(bad_option.ok());
  EXPECT_NE(bad_option.status().message().find("worker_threads"), std::string::npos);

  options_.worker_threads = 2;
  StartServer();
  options_.port = server_->port();
  auto taken = HttpServer::Start(options_, DefaultRouter(), &logger_, &clock_);
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.status().kind(), ErrorKind::kIOError);
  EXPECT_NE(taken.status().message().find(std::to_string(options_.port)), std::string::npos);
}

}  // namespace
}  // namespace floe::server
