#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>

#include "floe/io/s3_store_http.h"

namespace floe::testing {

// An HttpTransport that fails a share of requests the ways networks and S3 servers do, for
// tests of S3Store and of everything above it. Of the failed requests, some fail before reaching
// the server (503 SlowDown, a connection reset) and some after the server acted (a timeout, a
// 500, a body cut short behind its Content-Length), so callers meet lost replies too. Faults
// come from a seeded RNG: a failing run replays with the same seed.
class FlakyTransport final : public HttpTransport {
 public:
  FlakyTransport(std::shared_ptr<HttpTransport> base, double rate, uint64_t seed)
      : base_(std::move(base)), rate_(rate), rng_(seed) {}

  Result<HttpResponse> Send(const HttpRequest& request) override;

  // Changes the share of failed requests (0 turns faults off).
  void set_rate(double rate);
  int64_t injected() const { return injected_.load(); }

 private:
  // -1: no fault; 0..4: the fault kind.
  int Draw();

  std::shared_ptr<HttpTransport> base_;
  std::mutex mu_;
  double rate_;
  std::mt19937_64 rng_;
  std::atomic<int64_t> injected_{0};
};

}  // namespace floe::testing
