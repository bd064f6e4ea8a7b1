#include "floe/server/metrics_route.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>

#include "floe/common/metrics_floe.h"
#include "floe/server/http_server.h"
#include "http_test_client.h"
#include "support/temp_dir.h"

namespace floe::server {
namespace {

TEST(MetricsRouteTest, ServesTheRegistryAsPrometheusText) {
  metrics::Registry registry;
  metrics::FloeMetrics m = metrics::FloeMetrics::Register(&registry);
  m.ingest_events->Labels({"accepted"}).Increment(42);
  m.compaction_runs->Labels({"analytics.events", "failure"}).Increment();
  Router router;
  ASSERT_TRUE(AddMetricsRoute(&router, &registry).ok());

  FakeClock clock(0);
  Logger logger(&clock, LogLevel::kError, [](std::string_view) {});
  ServerOptions options;
  options.port = 0;
  options.worker_threads = 2;
  auto server = HttpServer::Start(options, std::move(router), &logger, &clock);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  testing::TestClient client((*server)->port());
  ASSERT_TRUE(client.connected());
  testing::Response response = client.Get("/metrics");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response[boost::beast::http::field::content_type],
            "text/plain; version=0.0.4; charset=utf-8");
  const std::string& body = response.body();
  EXPECT_NE(body.find("floe_ingest_events_total{result=\"accepted\"} 42\n"), std::string::npos);
  EXPECT_NE(
      body.find("floe_compaction_runs_total{table=\"analytics.events\",result=\"failure\"} 1\n"),
      std::string::npos);
  EXPECT_NE(body.find("# TYPE process_resident_memory_bytes gauge\n"), std::string::npos);

  // What was served parses with an independent parser.
  floe::testing::TempDir dir("floe-metrics-route");
  std::string path = dir.path() + "/metrics.txt";
  std::ofstream(path) << body;
  FILE* pipe = ::popen(("promtool check metrics < " + path + " 2>&1").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof(buf), pipe)) output.append(buf, n);
  int status = ::pclose(pipe);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << output;

  EXPECT_EQ(client.Post("/metrics", "").result_int(), 405);
}

}  // namespace
}  // namespace floe::server
