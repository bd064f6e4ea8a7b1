#pragma once

#include "floe/common/metrics.h"
#include "floe/server/router.h"

namespace floe::server {

// GET /metrics: `registry` in the Prometheus text format 0.0.4 (docs/metrics.md). No
// authentication (DESIGN.md): the listener is meant to be private. `registry` must outlive the
// router's server.
Status AddMetricsRoute(Router* router, const metrics::Registry* registry);

}  // namespace floe::server
