#pragma once

// OAuth2 tokens for the REST catalog: POST /catalog/v1/oauth/tokens (the REST spec's token
// endpoint, form-encoded) exchanges a configured client id and secret (client_credentials grant,
// in the body or an HTTP Basic header) for a bearer token that expires, and exchanges a valid
// token for a fresh one (token-exchange grant, what Java clients use to refresh). Clients
// configured with `credential=<id>:<secret>` (PyIceberg, Spark/Java, Trino) log in this way.
//
// Tokens are stateless and signed: "floe1.<base64url payload>.<base64url HMAC-SHA256>", the payload
// naming the client and the expiry, the key derived from that client's secret. So every node
// with the same client settings accepts a token any node issued, and changing a client's secret
// revokes its tokens.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "floe/common/clock.h"
#include "floe/common/result.h"
#include "floe/server/router.h"

namespace floe::server {

struct OAuthClient {
  std::string id;
  std::string secret;
  bool read_only = false;
};

// Parses "id:secret,id2:secret2" (blanks around items dropped, empty items ignored). Errors name
// `setting` and the item's position, never the secret.
Result<std::vector<OAuthClient>> ParseOAuthClients(std::string_view text, bool read_only,
                                                   std::string_view setting);

struct OAuthToken {
  std::string access_token;
  int64_t expires_in_s = 0;
};

struct OAuthGrant {
  std::string client_id;
  bool read_only = false;
};

class OAuthTokens {
 public:
  // `clock` must outlive this object.
  OAuthTokens(std::vector<OAuthClient> clients, int64_t token_ttl_ms, const Clock* clock)
      : clients_(std::move(clients)), token_ttl_ms_(token_ttl_ms), clock_(clock) {}

  bool enabled() const { return !clients_.empty(); }
  // kUnauthenticated when the id is unknown or the secret wrong (the same message for both).
  Result<OAuthToken> Issue(std::string_view client_id, std::string_view client_secret) const;
  // A fresh token for the client of a valid `token`.
  Result<OAuthToken> Refresh(std::string_view token) const;
  // kUnauthenticated when `token` is not one of ours, was signed with another secret, or has
  // expired (the message says which, without the token).
  Result<OAuthGrant> Verify(std::string_view token) const;

 private:
  const OAuthClient* Find(std::string_view id) const;
  OAuthToken Sign(const OAuthClient& client) const;

  std::vector<OAuthClient> clients_;
  int64_t token_ttl_ms_;
  const Clock* clock_;
};

// The token route under the REST catalog's prefix. `tokens` must outlive the router's server.
inline constexpr const char* kOAuthTokensPath = "/catalog/v1/oauth/tokens";
Status AddOAuthTokenRoute(Router* router, const OAuthTokens* tokens);

}  // namespace floe::server
