// The REST catalog's OAuth2 token endpoint (rest_oauth.h) called through the router: the
// client-credentials grant (form body and HTTP Basic), token refresh by token exchange, OAuth
// error bodies, expiry on a FakeClock, and issued tokens accepted by the catalog routes as their
// client's kind (read-write or read-only).

#include "floe/server/rest_oauth.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "floe/catalog/sql_catalog.h"
#include "floe/io/memory_store.h"
#include "floe/server/rest_catalog.h"
#include "floe/util/base64.h"
#include "support/temp_dir.h"

namespace floe::server {
namespace {

using Json = nlohmann::json;

constexpr int64_t kTtlMs = 3'600'000;
constexpr char kForm[] = "application/x-www-form-urlencoded";

class RestOAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto clients = ParseOAuthClients("spark:s3cret+/=, trino:other", false, "FLOE_CATALOG_CLIENTS");
    ASSERT_TRUE(clients.ok()) << clients.status().ToString();
    auto readers = ParseOAuthClients("dash:look", true, "FLOE_CATALOG_READ_CLIENTS");
    ASSERT_TRUE(readers.ok());
    clients->insert(clients->end(), readers->begin(), readers->end());
    tokens_ = std::make_unique<OAuthTokens>(*clients, kTtlMs, &clock_);
    auto catalog = SqlCatalog::Open("sqlite:" + dir_.path() + "/catalog.db");
    ASSERT_TRUE(catalog.ok());
    catalog_ = std::move(*catalog);
    RestCatalogContext ctx;
    ctx.services = TableServices{&store_, catalog_.get(), &clock_, std::nullopt};
    ctx.warehouse = "file:///wh";
    ctx.admin_token = "admin";
    ctx.oauth = tokens_.get();
    ASSERT_TRUE(AddRestCatalogRoutes(&router_, ctx).ok());
    ASSERT_TRUE(AddOAuthTokenRoute(&router_, tokens_.get()).ok());
  }

  HttpResponse Call(const std::string& method, const std::string& path, const std::string& body,
                    std::vector<std::pair<std::string, std::string>> headers) {
    HttpRequest request;
    request.method = method;
    request.target = request.path = path;
    request.body = body;
    request.headers = std::move(headers);
    Router::Match match = router_.Find(method, request.path);
    EXPECT_EQ(match.status, 200) << method << " " << path;
    if (match.status != 200) return ErrorResponse(match.status, "no route");
    request.path_params = match.params;
    return match.route->handler(request);
  }
  HttpResponse PostToken(const std::string& form,
                         std::vector<std::pair<std::string, std::string>> headers = {}) {
    headers.push_back({"content-type", kForm});
    return Call("POST", kOAuthTokensPath, form, std::move(headers));
  }
  HttpResponse WithBearer(const std::string& method, const std::string& path,
                          const std::string& token, const std::string& body = "") {
    return Call(method, path, body, {{"authorization", "Bearer " + token}});
  }
  // The access token of a 200 response, after checking the response's fields.
  static std::string AccessToken(const HttpResponse& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    Json body = Json::parse(r.body);
    EXPECT_EQ(body["token_type"], "bearer");
    EXPECT_EQ(body["expires_in"], kTtlMs / 1000);
    EXPECT_EQ(body["issued_token_type"], "urn:ietf:params:oauth:token-type:access_token");
    return body.value("access_token", "");
  }
  static std::string OAuthErrorOf(const HttpResponse& r) {
    return Json::parse(r.body).value("error", "");
  }

  testing::TempDir dir_{"floe-oauth"};
  FakeClock clock_{int64_t{1'700'000'000'000'000}};
  MemoryStore store_{&clock_};
  std::unique_ptr<SqlCatalog> catalog_;
  std::unique_ptr<OAuthTokens> tokens_;
  Router router_;
};

TEST_F(RestOAuthTest, ClientCredentialsInTheFormGiveATokenTheCatalogAccepts) {
  // PyIceberg's and Java's request: the secret form-encoded ('+' '/' '=' escaped), a scope.
  std::string token = AccessToken(PostToken(
      "grant_type=client_credentials&client_id=spark&client_secret=s3cret%2B%2F%3D&scope=catalog"));
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(WithBearer("GET", "/catalog/v1/config", token).status, 200);
  EXPECT_EQ(WithBearer("POST", "/catalog/v1/namespaces", token, R"({"namespace":["db"]})").status,
            200);
}

TEST_F(RestOAuthTest, ClientCredentialsInABasicHeader) {
  std::string token =
      AccessToken(PostToken("grant_type=client_credentials",
                            {{"authorization", "Basic " + Base64Encode("trino:other")}}));
  EXPECT_EQ(WithBearer("GET", "/catalog/v1/namespaces", token).status, 200);
}

TEST_F(RestOAuthTest, WrongCredentialsAndMalformedRequestsGetOAuthErrors) {
  HttpResponse wrong =
      PostToken("grant_type=client_credentials&client_id=spark&client_secret=nope");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(OAuthErrorOf(wrong), "invalid_client");
  EXPECT_EQ(wrong.body.find("s3cret"), std::string::npos);
  EXPECT_EQ(PostToken("grant_type=client_credentials&client_id=who&client_secret=x").status, 401);
  HttpResponse grant = PostToken("grant_type=password&username=a&password=b");
  EXPECT_EQ(grant.status, 400);
  EXPECT_EQ(OAuthErrorOf(grant), "unsupported_grant_type");
  EXPECT_EQ(OAuthErrorOf(PostToken("client_id=spark&client_secret=s3cret")), "invalid_request");
  EXPECT_EQ(OAuthErrorOf(PostToken("grant_type=client_credentials&client_id=spark")),
            "invalid_request");
  EXPECT_EQ(OAuthErrorOf(PostToken("grant_type=client_credentials&client_id=%zz")),
            "invalid_request");
  HttpResponse json = Call("POST", kOAuthTokensPath, R"({"grant_type":"client_credentials"})",
                           {{"content-type", "application/json"}});
  EXPECT_EQ(json.status, 400);
  EXPECT_EQ(OAuthErrorOf(json), "invalid_request");
}

TEST_F(RestOAuthTest, TokensExpireAndCanBeRefreshedBeforeThat) {
  std::string token = AccessToken(
      PostToken("grant_type=client_credentials&client_id=spark&client_secret=s3cret%2B%2F%3D"));
  clock_.AdvanceMicros((kTtlMs - 1000) * 1000);
  EXPECT_EQ(WithBearer("GET", "/catalog/v1/namespaces", token).status, 200);
  // Java's refresh: token exchange with the expiring token as the subject.
  std::string fresh = AccessToken(PostToken(
      "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=" +
      token + "&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token"));
  clock_.AdvanceMicros(1000 * 1000);
  HttpResponse expired = WithBearer("GET", "/catalog/v1/namespaces", token);
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(expired.body.find("expired"), std::string::npos) << expired.body;
  EXPECT_EQ(WithBearer("GET", "/catalog/v1/namespaces", fresh).status, 200);
  // An expired token cannot be exchanged.
  HttpResponse late = PostToken(
      "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=" +
      token);
  EXPECT_EQ(late.status, 400);
  EXPECT_EQ(OAuthErrorOf(late), "invalid_grant");
}

TEST_F(RestOAuthTest, ReadOnlyClientsGetReadOnlyTokens) {
  std::string token =
      AccessToken(PostToken("grant_type=client_credentials&client_id=dash&client_secret=look"));
  EXPECT_EQ(WithBearer("GET", "/catalog/v1/namespaces", token).status, 200);
  EXPECT_EQ(WithBearer("POST", "/catalog/v1/namespaces", token, R"({"namespace":["db"]})").status,
            403);
}

TEST_F(RestOAuthTest, ForgedOrForeignTokensAreRefused) {
  std::string token =
      AccessToken(PostToken("grant_type=client_credentials&client_id=trino&client_secret=other"));
  // Tokens are base64url: nothing to escape in forms, headers or URLs.
  EXPECT_EQ(token.find_first_of("+/= "), std::string::npos) << token;
  // Another expiry or client in the payload breaks the signature.
  const size_t dot = token.rfind('.');
  std::string payload_text = token.substr(6, dot - 6);
  for (char& c : payload_text) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (payload_text.size() % 4 != 0) payload_text.push_back('=');
  std::optional<std::string> payload = Base64Decode(payload_text);
  ASSERT_TRUE(payload.has_value()) << token;
  EXPECT_NE(payload->find(":trino"), std::string::npos) << *payload;
  for (std::string forged :
       {std::string("9") + *payload, payload->substr(0, payload->find(':')) + ":spark"}) {
    std::string encoded = Base64Encode(forged);
    while (encoded.back() == '=') encoded.pop_back();
    for (char& c : encoded) c = c == '+' ? '-' : c == '/' ? '_' : c;
    std::string t = "floe1." + encoded + token.substr(dot);
    EXPECT_EQ(WithBearer("GET", "/catalog/v1/namespaces", t).status, 401) << forged;
  }
  EXPECT_EQ(WithBearer("GET", "/catalog/v1/namespaces", "floe1.garbage").status, 401);
  // A node whose client has another secret does not accept the token.
  auto rotated = ParseOAuthClients("trino:rotated", false, "FLOE_CATALOG_CLIENTS");
  ASSERT_TRUE(rotated.ok());
  OAuthTokens other(*rotated, kTtlMs, &clock_);
  EXPECT_EQ(other.Verify(token).status().kind(), ErrorKind::kUnauthenticated);
  // The same settings on another node: accepted.
  OAuthTokens same(*ParseOAuthClients("trino:other", false, "X"), kTtlMs, &clock_);
  EXPECT_TRUE(same.Verify(token).ok());
}

TEST(OAuthClientsTest, ParsesAndNamesBadItemsWithoutTheirSecret) {
  auto clients = ParseOAuthClients(" a:b , ,c:d:e", true, "FLOE_CATALOG_READ_CLIENTS");
  ASSERT_TRUE(clients.ok());
  ASSERT_EQ(clients->size(), 2u);
  EXPECT_EQ((*clients)[1].id, "c");
  EXPECT_EQ((*clients)[1].secret, "d:e");
  EXPECT_TRUE((*clients)[1].read_only);
  auto bad = ParseOAuthClients("a:b,secretonly", false, "FLOE_CATALOG_CLIENTS");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("FLOE_CATALOG_CLIENTS: client 2"), std::string::npos);
  EXPECT_EQ(bad.status().message().find("secretonly"), std::string::npos);
}

TEST(OAuthClientsTest, WithoutClientsTheEndpointRefuses) {
  FakeClock clock;
  OAuthTokens none({}, kTtlMs, &clock);
  Router router;
  ASSERT_TRUE(AddOAuthTokenRoute(&router, &none).ok());
  HttpRequest request;
  request.method = "POST";
  request.path = kOAuthTokensPath;
  request.headers = {{"content-type", kForm}};
  request.body = "grant_type=client_credentials&client_id=a&client_secret=b";
  HttpResponse r = router.Find("POST", request.path).route->handler(request);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("FLOE_CATALOG_CLIENTS"), std::string::npos);
}

}  // namespace
}  // namespace floe::server
