#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "floe/common/logger.h"
#include "floe/common/result.h"
#include "floe/server/http_types.h"
#include "floe/server/router.h"

namespace floe::server {

// True when `presented` equals `secret`. The time taken depends only on the length of
// `presented` (what the client already knows), never on where the two first differ or on the
// secret's length, so response timing leaks nothing about the secret. An empty secret matches
// nothing.
bool ConstantTimeEquals(std::string_view secret, std::string_view presented);

// The credential of `Authorization: Bearer <token>` (scheme in any case), "" when absent or of
// another scheme.
std::string_view BearerToken(const HttpRequest& request);

struct AuthConfig {
  std::string admin_token;            // never empty when the server runs (see CreateAdminToken)
  std::vector<std::string> api_keys;  // empty: ingest routes are open
};

// Checks credentials. Tokens never appear in messages or logs.
class Authenticator {
 public:
  explicit Authenticator(AuthConfig config) : config_(std::move(config)) {}

  // kUnauthenticated unless the request carries `Authorization: Bearer <admin token>`.
  Status CheckAdmin(const HttpRequest& request) const;
  // OK when no API keys are configured; otherwise kUnauthenticated unless `X-API-Key` or the
  // Bearer token is one of them.
  Status CheckIngest(const HttpRequest& request) const;

  bool ingest_requires_key() const { return !config_.api_keys.empty(); }

 private:
  AuthConfig config_;
};

// The handler behind a credential check: 401 with `WWW-Authenticate: Bearer realm="floe"` (and
// error="invalid_token" when a credential was sent but is wrong) instead of calling `handler`.
Handler RequireAdmin(const Authenticator* auth, Handler handler);
Handler RequireApiKey(const Authenticator* auth, Handler handler);

// Parses FLOE_API_KEYS: comma-separated, surrounding blanks dropped, empty items ignored.
std::vector<std::string> ParseApiKeys(std::string_view text);

// A fresh random admin token (32 bytes from the kernel's CSPRNG, hex) written to
// `<state_dir>/admin-token` with mode 0600 (replacing an older one atomically). Returns the
// token. kIOError when the folder or file cannot be written.
Result<std::string> CreateAdminTokenFile(const std::string& state_dir);

}  // namespace floe::server
