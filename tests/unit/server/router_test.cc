#include "floe/server/router.h"

#include <gtest/gtest.h>

namespace floe::server {
namespace {

Handler Named(std::string name) {
  return [name](const HttpRequest&) {
    HttpResponse r;
    r.body = name;
    return r;
  };
}

std::string Call(const Router::Match& match) {
  HttpRequest request;
  return match.route->handler(request).body;
}

TEST(RouterTest, MatchesLiteralsAndCaptures) {
  Router router;
  ASSERT_TRUE(router.Add("POST", "/v1/events", Named("events")).ok());
  ASSERT_TRUE(router.Add("POST", "/v1/tables/{namespace}/{table}/events", Named("table")).ok());
  ASSERT_TRUE(router.Add("GET", "/health", Named("health"), Dispatch::kInline).ok());

  auto m = router.Find("POST", "/v1/events");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(Call(m), "events");
  EXPECT_TRUE(m.params.empty());

  m = router.Find("POST", "/v1/tables/analytics/page%20views/events");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(Call(m), "table");
  EXPECT_EQ(m.params.at("namespace"), "analytics");
  EXPECT_EQ(m.params.at("table"), "page views");

  m = router.Find("GET", "/health");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.route->dispatch, Dispatch::kInline);
}

TEST(RouterTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  Router router;
  ASSERT_TRUE(router.Add("POST", "/v1/events", Named("a")).ok());
  ASSERT_TRUE(router.Add("PUT", "/v1/events", Named("b")).ok());
  EXPECT_EQ(router.Find("GET", "/nope").status, 404);
  EXPECT_EQ(router.Find("POST", "/v1/events/").status, 404);  // trailing slash: another path
  EXPECT_EQ(router.Find("POST", "/v1").status, 404);
  EXPECT_EQ(router.Find("POST", "").status, 404);
  auto m = router.Find("GET", "/v1/events");
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.allow, "POST, PUT");
  EXPECT_EQ(m.route, nullptr);
}

TEST(RouterTest, CapturesNeedANonEmptySegment) {
  Router router;
  ASSERT_TRUE(router.Add("POST", "/v1/tables/{namespace}/{table}/events", Named("t")).ok());
  EXPECT_EQ(router.Find("POST", "/v1/tables//x/events").status, 404);
  EXPECT_EQ(router.Find("POST", "/v1/tables/a/b/c/events").status, 404);
}

TEST(RouterTest, LiteralSegmentWinsOverCaptureWhateverTheOrder) {
  Router router;
  ASSERT_TRUE(router.Add("GET", "/t/{name}", Named("capture")).ok());
  ASSERT_TRUE(router.Add("GET", "/t/special", Named("literal")).ok());
  EXPECT_EQ(Call(router.Find("GET", "/t/special")), "literal");
  EXPECT_EQ(Call(router.Find("GET", "/t/other")), "capture");
}

TEST(RouterTest, MalformedEscapeInCaptureIs400) {
  Router router;
  ASSERT_TRUE(router.Add("GET", "/t/{name}", Named("x")).ok());
  EXPECT_EQ(router.Find("GET", "/t/a%zz").status, 400);
  EXPECT_EQ(router.Find("GET", "/t/a%2").status, 400);
}

TEST(RouterTest, RejectsBadPatterns) {
  Router router;
  EXPECT_EQ(router.Add("GET", "health", Named("x")).kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a//b", Named("x")).kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a/{}", Named("x")).kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a/{b", Named("x")).kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a/x{b}", Named("x")).kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a/{b}/{b}", Named("x")).kind(), ErrorKind::kInvalidArgument);
  ASSERT_TRUE(router.Add("GET", "/a/{b}", Named("x")).ok());
  Status dup = router.Add("GET", "/a/{c}", Named("y"));
  EXPECT_EQ(dup.kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(dup.message().find("duplicates GET /a/{b}"), std::string::npos) << dup.message();
  EXPECT_TRUE(router.Add("POST", "/a/{c}", Named("y")).ok());
}

TEST(HttpTypesTest, HeadersQueryAndErrors) {
  HttpRequest request;
  request.headers = {{"content-type", "application/json"}, {"x-api-key", "k"}};
  request.query = "a=1&name=hello%20world&flag";
  EXPECT_EQ(request.Header("Content-Type"), "application/json");
  EXPECT_EQ(request.Header("missing"), "");
  EXPECT_TRUE(request.HasHeader("X-API-KEY"));
  EXPECT_EQ(request.QueryParam("name"), "hello world");
  EXPECT_EQ(request.QueryParam("a"), "1");
  EXPECT_EQ(request.QueryParam("flag"), "");
  EXPECT_EQ(request.QueryParam("zzz"), "");

  HttpResponse error = ErrorResponse(400, "bad \"thing\" at byte 3\xff");
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.content_type, "application/json");
  EXPECT_EQ(error.body, "{\"error\":\"bad \\\"thing\\\" at byte 3\xEF\xBF\xBD\"}");

  HttpResponse busy = ErrorResponseFor(Status::ResourceExhausted("buffers full"), 2);
  EXPECT_EQ(busy.status, 429);
  ASSERT_EQ(busy.headers.size(), 1u);
  EXPECT_EQ(busy.headers[0].first, "Retry-After");
  EXPECT_EQ(busy.headers[0].second, "2");
  EXPECT_EQ(ErrorResponseFor(Status::NotFound("no table")).status, 404);
  EXPECT_EQ(ErrorResponseFor(Status::Unavailable("x")).status, 503);
  EXPECT_EQ(ErrorResponseFor(Status::IOError("x")).status, 500);
}

}  // namespace
}  // namespace floe::server
