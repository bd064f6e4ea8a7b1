#include "floe/server/ui_route.h"

#include <cstdio>
#include <memory>
#include <string>

#include "floe/common/result.h"
#include "floe/util/hash.h"

namespace floe::server {
namespace {

struct Asset {
  std::string_view body;
  std::string content_type;
  std::string etag;
};

// Only this origin: the page's script and style are files of /ui, its charts inline SVG.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

HttpResponse Serve(const HttpRequest& request, const Asset& asset) {
  HttpResponse response;
  response.content_type = asset.content_type;
  response.AddHeader("ETag", asset.etag)
      .AddHeader("Cache-Control", "no-cache")
      .AddHeader("X-Content-Type-Options", "nosniff")
      .AddHeader("Content-Security-Policy", kContentSecurityPolicy)
      .AddHeader("Referrer-Policy", "no-referrer");
  if (request.Header("if-none-match") == asset.etag) {
    response.status = 304;
    return response;
  }
  response.body = std::string(asset.body);
  return response;
}

}  // namespace

std::string_view UiContentType(std::string_view name) {
  auto ends_with = [&](std::string_view suffix) {
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  if (ends_with(".html")) return "text/html; charset=utf-8";
  if (ends_with(".js")) return "text/javascript; charset=utf-8";
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

Status AddUiRoutes(Router* router) {
  auto assets = std::make_shared<std::vector<std::pair<std::string, Asset>>>();
  for (const auto& [name, body] : UiAssetFiles()) {
    char etag[24];
    std::snprintf(etag, sizeof(etag), "\"%016llx\"",
                  static_cast<unsigned long long>(XxHash64(body)));
    assets->push_back({std::string(name), Asset{body, std::string(UiContentType(name)), etag}});
  }
  auto find = [assets](std::string_view name) -> const Asset* {
    for (const auto& [n, asset] : *assets) {
      if (n == name) return &asset;
    }
    return nullptr;
  };
  const Asset* index = find("index.html");
  if (index == nullptr) return Status::Internal("dashboard assets lack index.html");
  FLOE_RETURN_IF_ERROR(router->Add(
      "GET", "/ui", [index](const HttpRequest& request) { return Serve(request, *index); },
      Dispatch::kInline));
  return router->Add(
      "GET", "/ui/{file}",
      [find](const HttpRequest& request) {
        const Asset* asset = find(request.PathParam("file"));
        if (asset == nullptr) {
          return ErrorResponse(
              404, "no dashboard file '" + std::string(request.PathParam("file")) + "'");
        }
        return Serve(request, *asset);
      },
      Dispatch::kInline);
}

}  // namespace floe::server
