#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace floe::server::testing {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;

using Response = http::response<http::string_body>;

// A blocking HTTP/1.1 client over one loopback connection, for tests. Every operation gives up
// after 20 s (so a server bug fails a test instead of hanging it); no test asserts on time.
class TestClient {
 public:
  explicit TestClient(uint16_t port) : stream_(ioc_) {
    stream_.expires_after(kGiveUp);
    beast::error_code ec;
    stream_.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                          [&](beast::error_code e) { ec = e; });
    Run();
    connect_error_ = ec;
  }

  bool connected() const { return !connect_error_; }
  const beast::error_code& connect_error() const { return connect_error_; }

  // Sends `request` (Content-Length set unless chunked) and reads the response.
  Response Send(http::request<http::string_body> request, beast::error_code* error = nullptr) {
    if (!request.chunked()) request.prepare_payload();
    beast::error_code ec = Write(request);
    Response response;
    if (!ec) ec = Read(&response);
    if (error != nullptr) *error = ec;
    return response;
  }

  Response Get(std::string target, std::vector<std::pair<std::string, std::string>> headers = {},
               beast::error_code* error = nullptr) {
    return Send(MakeRequest(http::verb::get, std::move(target), "", std::move(headers)), error);
  }
  Response Post(std::string target, std::string body,
                std::vector<std::pair<std::string, std::string>> headers = {},
                beast::error_code* error = nullptr) {
    return Send(
        MakeRequest(http::verb::post, std::move(target), std::move(body), std::move(headers)),
        error);
  }

  static http::request<http::string_body> MakeRequest(
      http::verb verb, std::string target, std::string body,
      std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::request<http::string_body> request(verb, target, 11);
    request.set(http::field::host, "127.0.0.1");
    for (auto& [name, value] : headers) request.set(name, value);
    request.body() = std::move(body);
    return request;
  }

  template <class Message>
  beast::error_code Write(Message& message) {
    beast::error_code ec;
    stream_.expires_after(kGiveUp);
    http::async_write(stream_, message, [&](beast::error_code e, size_t) { ec = e; });
    Run();
    return ec;
  }

  template <class Message>
  beast::error_code Read(Message* message) {
    beast::error_code ec;
    stream_.expires_after(kGiveUp);
    http::async_read(stream_, buffer_, *message, [&](beast::error_code e, size_t) { ec = e; });
    Run();
    return ec;
  }

  // Writes raw bytes (a partial or malformed request).
  beast::error_code WriteRaw(std::string_view bytes) {
    beast::error_code ec;
    stream_.expires_after(kGiveUp);
    net::async_write(stream_, net::buffer(bytes.data(), bytes.size()),
                     [&](beast::error_code e, size_t) { ec = e; });
    Run();
    return ec;
  }

  // Reads until the server closes the connection; true when it did (EOF or reset), false when
  // the give-up time passed first. Bytes received meanwhile are appended to `received`.
  bool WaitForClose(std::string* received = nullptr) {
    if (received != nullptr) received->append(beast::buffers_to_string(buffer_.data()));
    buffer_.consume(buffer_.size());
    char chunk[4096];
    while (true) {
      beast::error_code ec;
      size_t n = 0;
      stream_.expires_after(kGiveUp);
      stream_.async_read_some(net::buffer(chunk), [&](beast::error_code e, size_t got) {
        ec = e;
        n = got;
      });
      Run();
      if (received != nullptr) received->append(chunk, n);
      if (ec == beast::error::timeout) return false;
      if (ec) return true;
    }
  }

  beast::tcp_stream& stream() { return stream_; }

 private:
  static constexpr std::chrono::seconds kGiveUp{20};

  void Run() {
    ioc_.restart();
    ioc_.run();
  }

  net::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  beast::error_code connect_error_;
};

}  // namespace floe::server::testing
