#include "floe/server/rest_oauth.h"

#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "floe/io/sigv4.h"
#include "floe/server/auth.h"
#include "floe/util/base64.h"

namespace floe::server {
namespace {

constexpr std::string_view kTokenPrefix = "floe1.";
constexpr std::string_view kClientCredentials = "client_credentials";
constexpr std::string_view kTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange";
constexpr std::string_view kAccessTokenType = "urn:ietf:params:oauth:token-type:access_token";
// Form bodies are a few fields; anything larger is not a token request.
constexpr size_t kMaxFormBytes = 16 * 1024;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// base64url without padding (RFC 4648 section 5): tokens then pass through forms, headers and
// URLs unescaped ('+' in a form body would turn into a space).
std::string Base64Url(std::string_view bytes) {
  std::string out = Base64Encode(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

std::optional<std::string> FromBase64Url(std::string_view text) {
  std::string padded(text);
  for (char& c : padded) {
    if (c == '+' || c == '/' || c == '=') return std::nullopt;
    c = c == '-' ? '+' : c == '_' ? '/' : c;
  }
  while (padded.size() % 4 != 0) padded.push_back('=');
  return Base64Decode(padded);
}

// A signing key per client, so a token names which secret vouches for it.
std::string SigningKey(const OAuthClient& client) {
  return HmacSha256(client.secret, "floe catalog token");
}

// application/x-www-form-urlencoded: '+' is a space, then %XX escapes. nullopt on a bad escape.
std::optional<std::map<std::string, std::string>> ParseForm(std::string_view body) {
  std::map<std::string, std::string> fields;
  while (!body.empty()) {
    size_t amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string name(pair.substr(0, eq));
    std::string value(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    for (std::string* s : {&name, &value}) {
      for (char& c : *s)
        if (c == '+') c = ' ';
      std::string decoded;
      if (!PercentDecode(*s, &decoded)) return std::nullopt;
      *s = std::move(decoded);
    }
    fields.emplace(std::move(name), std::move(value));  // the first of a repeated name wins
  }
  return fields;
}

// RFC 6749 section 5.2 error body.
HttpResponse OAuthError(int status, std::string_view error, std::string_view description) {
  nlohmann::ordered_json body = {{"error", error}, {"error_description", description}};
  HttpResponse response = JsonResponse(status, body);
  if (status == 401) response.AddHeader("WWW-Authenticate", "Basic realm=\"floe\"");
  response.AddHeader("Cache-Control", "no-store");
  return response;
}

HttpResponse TokenResponse(const OAuthToken& token) {
  nlohmann::ordered_json body = {{"access_token", token.access_token},
                                 {"token_type", "bearer"},
                                 {"expires_in", token.expires_in_s},
                                 {"issued_token_type", kAccessTokenType}};
  HttpResponse response = JsonResponse(200, body);
  response.AddHeader("Cache-Control", "no-store");
  return response;
}

// Client id and secret from `Authorization: Basic` (RFC 6749 2.3.1: each form-encoded before
// base64), else from the form.
bool ClientCredentials(const HttpRequest& request, const std::map<std::string, std::string>& form,
                       std::string* id, std::string* secret) {
  std::string_view auth = request.Header("authorization");
  if (auth.size() > 6 && (auth.substr(0, 6) == "Basic " || auth.substr(0, 6) == "basic ")) {
    std::optional<std::string> decoded = Base64Decode(Trim(auth.substr(6)));
    if (!decoded) return false;
    size_t colon = decoded->find(':');
    if (colon == std::string::npos) return false;
    auto parsed = ParseForm("i=" + decoded->substr(0, colon) + "&s=" + decoded->substr(colon + 1));
    if (!parsed) return false;
    *id = (*parsed)["i"];
    *secret = (*parsed)["s"];
    return true;
  }
  auto i = form.find("client_id");
  auto s = form.find("client_secret");
  if (i == form.end() || s == form.end()) return false;
  *id = i->second;
  *secret = s->second;
  return true;
}

HttpResponse HandleTokenRequest(const OAuthTokens& tokens, const HttpRequest& request) {
  std::string_view type = request.Header("content-type");
  if (type.substr(0, type.find(';')) != "application/x-www-form-urlencoded") {
    return OAuthError(400, "invalid_request",
                      "the token request must be application/x-www-form-urlencoded");
  }
  if (request.body.size() > kMaxFormBytes) {
    return OAuthError(400, "invalid_request", "the token request body is over 16 KiB");
  }
  auto form = ParseForm(request.body);
  if (!form) return OAuthError(400, "invalid_request", "malformed %-escape in the form body");
  auto grant = form->find("grant_type");
  if (grant == form->end()) return OAuthError(400, "invalid_request", "grant_type is missing");
  if (!tokens.enabled()) {
    return OAuthError(401, "invalid_client",
                      "no OAuth2 clients are configured (FLOE_CATALOG_CLIENTS)");
  }
  Result<OAuthToken> token = Status::Internal("unreachable");
  if (grant->second == kClientCredentials) {
    std::string id, secret;
    if (!ClientCredentials(request, *form, &id, &secret)) {
      return OAuthError(400, "invalid_request",
                        "client_id and client_secret are missing (send them in the form or an "
                        "HTTP Basic header)");
    }
    token = tokens.Issue(id, secret);
    if (!token.ok()) return OAuthError(401, "invalid_client", token.status().message());
  } else if (grant->second == kTokenExchange) {
    auto subject = form->find("subject_token");
    if (subject == form->end()) {
      return OAuthError(400, "invalid_request", "subject_token is missing");
    }
    token = tokens.Refresh(subject->second);
    if (!token.ok()) return OAuthError(400, "invalid_grant", token.status().message());
  } else {
    return OAuthError(400, "unsupported_grant_type",
                      "grant_type must be client_credentials or token-exchange");
  }
  return TokenResponse(*token);
}

}  // namespace

Result<std::vector<OAuthClient>> ParseOAuthClients(std::string_view text, bool read_only,
                                                   std::string_view setting) {
  std::vector<OAuthClient> clients;
  int position = 0;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = Trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (item.empty()) continue;
    ++position;
    size_t colon = item.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == item.size()) {
      return Status::InvalidArgument(std::string(setting) + ": client " + std::to_string(position) +
                                     " is not CLIENT_ID:CLIENT_SECRET with both non-empty");
    }
    clients.push_back(
        {std::string(item.substr(0, colon)), std::string(item.substr(colon + 1)), read_only});
  }
  return clients;
}

const OAuthClient* OAuthTokens::Find(std::string_view id) const {
  for (const OAuthClient& c : clients_) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

OAuthToken OAuthTokens::Sign(const OAuthClient& client) const {
  const int64_t expires_ms = clock_->NowMillis() + token_ttl_ms_;
  const std::string payload = std::to_string(expires_ms) + ":" + client.id;
  return OAuthToken{std::string(kTokenPrefix) + Base64Url(payload) + "." +
                        Base64Url(HmacSha256(SigningKey(client), payload)),
                    token_ttl_ms_ / 1000};
}

Result<OAuthToken> OAuthTokens::Issue(std::string_view client_id,
                                      std::string_view client_secret) const {
  const OAuthClient* client = Find(client_id);
  // Compared even for an unknown id, so timing does not tell which ids exist.
  const bool secret_ok =
      ConstantTimeEquals(client ? std::string_view(client->secret) : "-", client_secret);
  if (client == nullptr || !secret_ok) {
    return Status::Unauthenticated("unknown client id or wrong client secret");
  }
  return Sign(*client);
}

Result<OAuthToken> OAuthTokens::Refresh(std::string_view token) const {
  FLOE_ASSIGN_OR_RETURN(OAuthGrant grant, Verify(token));
  const OAuthClient* client = Find(grant.client_id);
  if (client == nullptr) return Status::Unauthenticated("the token's client is gone");
  return Sign(*client);
}

Result<OAuthGrant> OAuthTokens::Verify(std::string_view token) const {
  const Status bad = Status::Unauthenticated("not a token this catalog issued");
  if (token.substr(0, kTokenPrefix.size()) != kTokenPrefix) return bad;
  token.remove_prefix(kTokenPrefix.size());
  const size_t dot = token.find('.');
  if (dot == std::string_view::npos) return bad;
  std::optional<std::string> payload = FromBase64Url(token.substr(0, dot));
  std::optional<std::string> mac = FromBase64Url(token.substr(dot + 1));
  if (!payload || !mac) return bad;
  const size_t colon = payload->find(':');
  if (colon == std::string::npos) return bad;
  int64_t expires_ms = 0;
  auto [end, ec] = std::from_chars(payload->data(), payload->data() + colon, expires_ms);
  if (ec != std::errc() || end != payload->data() + colon) return bad;
  const OAuthClient* client = Find(std::string_view(*payload).substr(colon + 1));
  if (client == nullptr) return bad;
  if (!ConstantTimeEquals(HmacSha256(SigningKey(*client), *payload), *mac)) return bad;
  if (clock_->NowMillis() >= expires_ms) {
    return Status::Unauthenticated("the token has expired; request a new one");
  }
  return OAuthGrant{client->id, client->read_only};
}

Status AddOAuthTokenRoute(Router* router, const OAuthTokens* tokens) {
  return router->Add("POST", kOAuthTokensPath, [tokens](const HttpRequest& request) {
    return HandleTokenRequest(*tokens, request);
  });
}

}  // namespace floe::server
