#include "floe/server/auth.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "floe/server/signals.h"
#include "support/temp_dir.h"

namespace floe::server {
namespace {

TEST(ConstantTimeEqualsTest, EqualOnlyForTheSameBytes) {
  EXPECT_TRUE(ConstantTimeEquals("s3cret-token", "s3cret-token"));
  EXPECT_FALSE(ConstantTimeEquals("s3cret-token", "s3cret-tokeN"));
  EXPECT_FALSE(ConstantTimeEquals("s3cret-token", "X3cret-token"));
  EXPECT_FALSE(ConstantTimeEquals("s3cret-token", "s3cret"));  // prefix
  EXPECT_FALSE(ConstantTimeEquals("s3cret", "s3cret-token"));  // longer
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcabc"));           // the secret repeated
  EXPECT_FALSE(ConstantTimeEquals("s3cret-token", ""));
  EXPECT_FALSE(ConstantTimeEquals("", ""));  // no secret, no match
  EXPECT_FALSE(ConstantTimeEquals("", "anything"));
  EXPECT_TRUE(ConstantTimeEquals(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
  EXPECT_FALSE(ConstantTimeEquals(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

HttpRequest WithHeaders(std::vector<std::pair<std::string, std::string>> headers) {
  HttpRequest request;
  request.headers = std::move(headers);
  return request;
}

TEST(AuthTest, BearerTokenParsing) {
  EXPECT_EQ(BearerToken(WithHeaders({{"authorization", "Bearer abc"}})), "abc");
  EXPECT_EQ(BearerToken(WithHeaders({{"authorization", "bearer   abc  "}})), "abc");
  EXPECT_EQ(BearerToken(WithHeaders({{"authorization", "Basic abc"}})), "");
  EXPECT_EQ(BearerToken(WithHeaders({{"authorization", "Bearer"}})), "");
  EXPECT_EQ(BearerToken(WithHeaders({})), "");
}

TEST(AuthTest, AdminNeedsTheAdminToken) {
  Authenticator auth(AuthConfig{"admin-secret", {}});
  EXPECT_TRUE(auth.CheckAdmin(WithHeaders({{"authorization", "Bearer admin-secret"}})).ok());
  Status missing = auth.CheckAdmin(WithHeaders({}));
  EXPECT_EQ(missing.kind(), ErrorKind::kUnauthenticated);
  Status wrong = auth.CheckAdmin(WithHeaders({{"authorization", "Bearer admin-secreT"}}));
  EXPECT_EQ(wrong.kind(), ErrorKind::kUnauthenticated);
  EXPECT_EQ(wrong.message().find("admin-secre"), std::string::npos);
  // An API key header is not an admin credential.
  EXPECT_FALSE(auth.CheckAdmin(WithHeaders({{"x-api-key", "admin-secret"}})).ok());
}

TEST(AuthTest, IngestOpenWithoutKeysElseNeedsOne) {
  Authenticator open(AuthConfig{"admin", {}});
  EXPECT_FALSE(open.ingest_requires_key());
  EXPECT_TRUE(open.CheckIngest(WithHeaders({})).ok());

  Authenticator keyed(AuthConfig{"admin", ParseApiKeys(" k1 , ,k2,")});
  EXPECT_TRUE(keyed.ingest_requires_key());
  EXPECT_TRUE(keyed.CheckIngest(WithHeaders({{"x-api-key", "k1"}})).ok());
  EXPECT_TRUE(keyed.CheckIngest(WithHeaders({{"authorization", "Bearer k2"}})).ok());
  EXPECT_EQ(keyed.CheckIngest(WithHeaders({})).kind(), ErrorKind::kUnauthenticated);
  EXPECT_EQ(keyed.CheckIngest(WithHeaders({{"x-api-key", "k3"}})).kind(),
            ErrorKind::kUnauthenticated);
  EXPECT_EQ(keyed.CheckIngest(WithHeaders({{"x-api-key", ""}})).kind(),
            ErrorKind::kUnauthenticated);
}

TEST(AuthTest, ParseApiKeys) {
  EXPECT_EQ(ParseApiKeys(""), std::vector<std::string>{});
  EXPECT_EQ(ParseApiKeys("a"), std::vector<std::string>{"a"});
  EXPECT_EQ(ParseApiKeys(" a ,b,, c"), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(AuthTest, RequireAdminAnswers401WithChallenge) {
  Authenticator auth(AuthConfig{"tok", {}});
  Handler h = RequireAdmin(&auth, [](const HttpRequest&) { return HttpResponse{}; });
  HttpResponse missing = h(WithHeaders({}));
  EXPECT_EQ(missing.status, 401);
  ASSERT_EQ(missing.headers.size(), 1u);
  EXPECT_EQ(missing.headers[0].first, "WWW-Authenticate");
  EXPECT_EQ(missing.headers[0].second, "Bearer realm=\"floe\"");
  HttpResponse wrong = h(WithHeaders({{"authorization", "Bearer nope"}}));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.headers[0].second, "Bearer realm=\"floe\", error=\"invalid_token\"");
  EXPECT_NE(wrong.body.find("\"error\""), std::string::npos);
  EXPECT_EQ(h(WithHeaders({{"authorization", "Bearer tok"}})).status, 200);
}

TEST(AuthTest, AdminTokenFileIsFreshRandomAndPrivate) {
  floe::testing::TempDir dir;
  std::string state = dir.path() + "/state/nested";
  auto first = CreateAdminTokenFile(state);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->size(), 64u);
  EXPECT_EQ(first->find_first_not_of("0123456789abcdef"), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::stat((state + "/admin-token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  std::ifstream in(state + "/admin-token");
  std::string stored;
  in >> stored;
  EXPECT_EQ(stored, *first);

  ASSERT_EQ(::chmod((state + "/admin-token").c_str(), 0644), 0);
  auto second = CreateAdminTokenFile(state);
  ASSERT_TRUE(second.ok());
  EXPECT_NE(*second, *first);
  ASSERT_EQ(::stat((state + "/admin-token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
}

TEST(AuthTest, AdminTokenFileErrorNamesThePath) {
  floe::testing::TempDir dir;
  std::string blocker = dir.path() + "/file";
  std::ofstream(blocker) << "x";
  auto token = CreateAdminTokenFile(blocker + "/state");
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().kind(), ErrorKind::kIOError);
  EXPECT_NE(token.status().message().find(blocker), std::string::npos);
}

TEST(SignalsTest, TerminationSignalIsReceivedNotFatal) {
  BlockTerminationSignals();
  ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
  EXPECT_EQ(WaitForTerminationSignal(), SIGTERM);
  ASSERT_EQ(::kill(::getpid(), SIGINT), 0);
  EXPECT_EQ(WaitForTerminationSignal(), SIGINT);
}

}  // namespace
}  // namespace floe::server
