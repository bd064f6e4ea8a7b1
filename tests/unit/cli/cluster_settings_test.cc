// floe serve's settings for many nodes (cluster_settings.h): lease TTL and OAuth2 clients from
// flags, environment and config file, with errors that name the setting; the leases opened on a
// warehouse's catalog drop a restarted node's stale leases.

#include "floe/cli/cluster_settings.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "support/temp_dir.h"

namespace floe::cli {
namespace {

struct Env {
  std::map<std::string, std::string> vars;
  std::ostringstream out, err;
  FakeClock clock{1'700'000'000'000'000};
  CliContext ctx() {
    return CliContext{&out, &err,
                      [this](const char* name) -> const char* {
                        auto it = vars.find(name);
                        return it == vars.end() ? nullptr : it->second.c_str();
                      },
                      &clock, false};
  }
};

Result<ClusterSettings> Load(Env& env, std::vector<std::string> argv = {}) {
  Args args;
  std::string error;
  EXPECT_TRUE(Args::Parse(argv, {}, &args, &error)) << error;
  FLOE_ASSIGN_OR_RETURN(Settings settings, Settings::Load(args, env.ctx()));
  return ClusterSettingsFrom(settings);
}

TEST(ClusterSettingsTest, DefaultsAndEverySource) {
  Env env;
  auto defaults = Load(env);
  ASSERT_TRUE(defaults.ok()) << defaults.status().ToString();
  EXPECT_EQ(defaults->lease_ttl_ms, 60'000);
  EXPECT_EQ(defaults->catalog_token_ttl_ms, 3'600'000);
  EXPECT_TRUE(defaults->catalog_clients.empty());

  testing::TempDir dir;
  std::ofstream(dir.path() + "/floe.toml")
      << "catalog_clients = \"spark:one\"\ncatalog_token_ttl = \"10m\"\n[cluster]\n"
         "lease_ttl = \"30s\"\n";
  env.vars["FLOE_CATALOG_READ_CLIENTS"] = "dash:two";
  env.vars["FLOE_LEASE_TTL"] = "5s";
  auto loaded = Load(env, {"--config", dir.path() + "/floe.toml", "--lease-ttl", "2s"});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->lease_ttl_ms, 2'000);  // the flag wins
  EXPECT_EQ(loaded->catalog_token_ttl_ms, 600'000);
  ASSERT_EQ(loaded->catalog_clients.size(), 2u);
  EXPECT_EQ(loaded->catalog_clients[0].id, "spark");
  EXPECT_FALSE(loaded->catalog_clients[0].read_only);
  EXPECT_EQ(loaded->catalog_clients[1].id, "dash");
  EXPECT_TRUE(loaded->catalog_clients[1].read_only);
}

TEST(ClusterSettingsTest, BadValuesNameTheSetting) {
  Env env;
  env.vars["FLOE_LEASE_TTL"] = "500ms";
  auto short_ttl = Load(env);
  ASSERT_FALSE(short_ttl.ok());
  EXPECT_EQ(short_ttl.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(short_ttl.status().message().find("FLOE_LEASE_TTL"), std::string::npos)
      << short_ttl.status().message();

  Env clients;
  clients.vars["FLOE_CATALOG_CLIENTS"] = "spark:one,secret-without-id";
  auto bad = Load(clients);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("FLOE_CATALOG_CLIENTS: client 2"), std::string::npos)
      << bad.status().message();
  EXPECT_EQ(bad.status().message().find("secret-without-id"), std::string::npos);

  Env token;
  token.vars["FLOE_CATALOG_TOKEN_TTL"] = "48h";
  EXPECT_FALSE(Load(token).ok());
}

TEST(ClusterSettingsTest, LeasesOnTheWarehouseCatalogDropARestartedNodesStaleLeases) {
  testing::TempDir dir;
  Env env;
  Args args;
  std::string error;
  ASSERT_TRUE(Args::Parse({"--warehouse", dir.path() + "/wh"}, {}, &args, &error)) << error;
  auto settings = Settings::Load(args, env.ctx());
  ASSERT_TRUE(settings.ok());
  auto warehouse = Warehouse::Open(*settings, env.ctx());
  ASSERT_TRUE(warehouse.ok()) << warehouse.status().ToString();
  ClusterSettings cluster;
  const int64_t cap = env.clock.NowMicros() + int64_t{3600} * 1'000'000;
  {
    auto first = OpenTableLeases(cluster, **warehouse, "node-1", &env.clock, nullptr);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    ASSERT_TRUE((*first)->TryLock("analytics.events", "node-1/compact-daily", cap).ok());
    auto other = OpenTableLeases(cluster, **warehouse, "node-2", &env.clock, nullptr);
    ASSERT_TRUE(other.ok());
    EXPECT_EQ((*other)->TryLock("analytics.events", "node-2/compact-daily", cap).kind(),
              ErrorKind::kConflict);
    // node-1's process "dies" here with its lease held; the row stays in the catalog database.
    auto restarted = OpenTableLeases(cluster, **warehouse, "node-1", &env.clock, nullptr);
    ASSERT_TRUE(restarted.ok());
    EXPECT_TRUE((*other)->TryLock("analytics.events", "node-2/compact-daily", cap).ok());
  }
}

}  // namespace
}  // namespace floe::cli
