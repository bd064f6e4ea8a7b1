// GET /ui: the embedded dashboard files, their content types, caching headers (ETag, 304 on
// If-None-Match), the security headers, 404 for unknown files; the page sends the admin token
// as a Bearer header and keeps it in sessionStorage only.

#include "floe/server/ui_route.h"

#include <gtest/gtest.h>

#include <string>

namespace floe::server {
namespace {

class UiRouteTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(AddUiRoutes(&router_).ok()); }

  HttpResponse Get(const std::string& path, const std::string& if_none_match = "") {
    HttpRequest request;
    request.method = "GET";
    request.path = path;
    request.target = path;
    if (!if_none_match.empty()) request.headers.push_back({"if-none-match", if_none_match});
    Router::Match match = router_.Find("GET", path);
    EXPECT_EQ(match.status, 200) << path;
    if (match.status != 200) {
      HttpResponse missing;
      missing.status = match.status;
      return missing;
    }
    request.path_params = match.params;
    return match.route->handler(request);
  }

  static std::string HeaderOf(const HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }

  Router router_;
};

TEST_F(UiRouteTest, ServesThePageWithoutCredentials) {
  HttpResponse r = Get("/ui");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("<title>floe dashboard</title>"), std::string::npos);
  // Its script and style are files of /ui itself, never a CDN.
  EXPECT_NE(r.body.find("src=\"/ui/app.js\""), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/ui/app.css\""), std::string::npos);
  EXPECT_EQ(r.body.find("http://"), std::string::npos);
  EXPECT_EQ(r.body.find("https://"), std::string::npos);
}

TEST_F(UiRouteTest, ServesEachAssetWithItsContentType) {
  HttpResponse js = Get("/ui/app.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_NE(js.body.find("/admin/status"), std::string::npos);
  HttpResponse css = Get("/ui/app.css");
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.content_type, "text/css; charset=utf-8");
  // The bytes served are the embedded file, whole.
  for (const auto& [name, body] : UiAssetFiles()) {
    HttpResponse r = Get(name == "index.html" ? "/ui" : "/ui/" + std::string(name));
    EXPECT_EQ(r.body, std::string(body)) << name;
    EXPECT_EQ(r.content_type, UiContentType(name)) << name;
  }
}

TEST_F(UiRouteTest, TheTokenGoesOnlyToSessionStorageAndABearerHeader) {
  std::string js = Get("/ui/app.js").body;
  EXPECT_NE(js.find("sessionStorage"), std::string::npos);
  EXPECT_EQ(js.find("localStorage"), std::string::npos);
  EXPECT_NE(js.find("Authorization: `Bearer ${token}`"), std::string::npos);
  EXPECT_EQ(js.find("document.cookie"), std::string::npos);
}

TEST_F(UiRouteTest, CachingHeadersAndConditionalRequests) {
  HttpResponse first = Get("/ui/app.js");
  std::string etag = HeaderOf(first, "ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(etag.back(), '"');
  // Revalidated every time, so a new binary's page is never mixed with an old script.
  EXPECT_EQ(HeaderOf(first, "Cache-Control"), "no-cache");
  EXPECT_EQ(HeaderOf(first, "X-Content-Type-Options"), "nosniff");
  EXPECT_NE(HeaderOf(first, "Content-Security-Policy").find("default-src 'none'"),
            std::string::npos);
  EXPECT_NE(HeaderOf(first, "Content-Security-Policy").find("script-src 'self'"),
            std::string::npos);

  HttpResponse again = Get("/ui/app.js", etag);
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(HeaderOf(again, "ETag"), etag);

  HttpResponse stale = Get("/ui/app.js", "\"0000000000000000\"");
  EXPECT_EQ(stale.status, 200);
  // Different files, different tags.
  EXPECT_NE(HeaderOf(Get("/ui/app.css"), "ETag"), etag);
  EXPECT_NE(HeaderOf(Get("/ui"), "ETag"), etag);
}

TEST_F(UiRouteTest, UnknownFileIs404) {
  HttpResponse r = Get("/ui/secrets.txt");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("secrets.txt"), std::string::npos);
  EXPECT_EQ(router_.Find("GET", "/ui/a/b").status, 404);
  EXPECT_EQ(router_.Find("POST", "/ui").status, 405);
}

TEST(UiContentTypeTest, ByExtension) {
  EXPECT_EQ(UiContentType("a.html"), "text/html; charset=utf-8");
  EXPECT_EQ(UiContentType("a.svg"), "image/svg+xml");
  EXPECT_EQ(UiContentType("a"), "application/octet-stream");
}

}  // namespace
}  // namespace floe::server
