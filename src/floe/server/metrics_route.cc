#include "floe/server/metrics_route.h"

namespace floe::server {

Status AddMetricsRoute(Router* router, const metrics::Registry* registry) {
  return router->Add("GET", "/metrics", [registry](const HttpRequest&) {
    HttpResponse response;
    response.content_type = std::string(metrics::kPrometheusContentType);
    response.body = registry->Render();
    return response;
  });
}

}  // namespace floe::server
