#include "support/flaky_transport.h"

namespace floe::testing {

Result<HttpResponse> FlakyTransport::Send(const HttpRequest& request) {
  int fault = Draw();
  switch (fault) {
    case 0: {
      HttpResponse r;
      r.status = 503;
      r.body = "<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>";
      return r;
    }
    case 1: return Status::Unavailable(request.url + ": Connection reset by peer (injected)");
    default: break;
  }
  auto result = base_->Send(request);
  if (!result.ok() || fault < 0) return result;
  switch (fault) {
    case 2:
      return Status::Unavailable(request.url + ": Timeout was reached (injected, after send)");
    case 3: {
      HttpResponse r;
      r.status = 500;
      r.body = "<Error><Code>InternalError</Code></Error>";
      return r;
    }
    default:
      // A body cut short: keep the declared length, drop the second half.
      if (result->body.size() >= 2) {
        result->body.resize(result->body.size() / 2);
        return result;
      }
      return Status::Unavailable(request.url + ": Connection reset (injected, after send)");
  }
}

void FlakyTransport::set_rate(double rate) {
  std::lock_guard lock(mu_);
  rate_ = rate;
}

int FlakyTransport::Draw() {
  std::lock_guard lock(mu_);
  if (rate_ <= 0 || std::uniform_real_distribution<double>(0, 1)(rng_) >= rate_) return -1;
  ++injected_;
  return static_cast<int>(rng_() % 5);
}

}  // namespace floe::testing
