// floe serve's settings for many nodes (cluster_settings.h): lease TTL and OAuth2 clients from
// flags, environment and config file, with errors that name the setting; the leases opened on a
// warehouse's catalog drop a restarted node's stale leases.

#include "floe/cli/cluster_settings.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>

#include "floe/cli/cli.h"
#include "support/temp_dir.h"
#include "unit/cli/cli_test_env.h"

namespace floe::cli {
namespace {

using Env = testing::CliEnv;

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

// The CLI's writing maintenance commands take their table's lease: while a node holds it they exit
// 3 naming the holder and its expiry and change nothing; a dry run takes none; released, they run.
TEST(ClusterSettingsTest, CliMaintenanceCommandsTakeTheTableLease) {
  testing::TempDir dir;
  Env env;
  const std::string wh = dir.path() + "/wh";
  auto run = [&env, &wh](std::vector<std::string> argv) {
    env.out.str("");
    env.err.str("");
    argv.insert(argv.begin(), "floe");
    argv.insert(argv.end(), {"--warehouse", wh});
    return RunCli(argv, env.ctx());
  };
  Args args;
  std::string error;
  ASSERT_TRUE(Args::Parse({"--warehouse", wh}, {}, &args, &error)) << error;
  auto settings = Settings::Load(args, env.ctx());
  ASSERT_TRUE(settings.ok());
  auto warehouse = Warehouse::Open(*settings, env.ctx());
  ASSERT_TRUE(warehouse.ok()) << warehouse.status().ToString();
  auto table = (*warehouse)->LoadOrCreateEventsTable();
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  auto node = OpenTableLeases(ClusterSettings{}, **warehouse, "node-1", &env.clock, nullptr);
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  const int64_t cap = env.clock.NowMicros() + int64_t{3600} * 1'000'000;
  ASSERT_TRUE((*node)->TryLock("analytics.events", "node-1 /admin/compact", cap).ok());

  EXPECT_EQ(run({"compact", "--force"}), 3);
  EXPECT_NE(
      env.err.str().find("floe compact: table analytics.events is busy: node-1 /admin/compact "
                         "holds its lease until 2023-11-14T"),
      std::string::npos)
      << env.err.str();
  EXPECT_NE(env.err.str().find("nothing was done"), std::string::npos) << env.err.str();
  EXPECT_EQ(env.out.str(), "");
  for (std::vector<std::string> argv :
       std::vector<std::vector<std::string>>{{"expire-snapshots"},
                                             {"remove-orphans"},
                                             {"retention", "--max-age", "90d"},
                                             {"rewrite-manifests"},
                                             {"fsck", "--repair"}}) {
    EXPECT_EQ(run(argv), 3) << argv[0] << ": " << env.err.str();
    EXPECT_NE(env.err.str().find("node-1 /admin/compact holds its lease"), std::string::npos)
        << env.err.str();
  }
  EXPECT_EQ(run({"compact", "--force", "--dry-run"}), 0) << env.err.str();
  EXPECT_EQ(run({"expire-snapshots", "--dry-run"}), 0) << env.err.str();

  (*node)->Unlock("analytics.events", "node-1 /admin/compact");
  EXPECT_EQ(run({"compact", "--force"}), 0) << env.err.str();
  EXPECT_EQ(run({"expire-snapshots"}), 0) << env.err.str();
  // Each run released its lease at the end: the node takes the table again.
  EXPECT_TRUE((*node)->TryLock("analytics.events", "node-1 /admin/compact", cap).ok());
  (*node)->Unlock("analytics.events", "node-1 /admin/compact");

  // A command of this host whose process is gone (killed) leaves a lease that the next command
  // releases; one whose process lives (here the test's parent) keeps the table.
  char host[256] = {};
  ASSERT_EQ(gethostname(host, sizeof(host) - 1), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  for (pid_t pid : {child, getppid()}) {
    const std::string cli_node = "cli:" + std::string(host) + ":" + std::to_string(pid);
    auto other = OpenTableLeases(ClusterSettings{}, **warehouse, cli_node, &env.clock, nullptr);
    ASSERT_TRUE(other.ok()) << other.status().ToString();
    ASSERT_TRUE((*other)->TryLock("analytics.events", cli_node + " compact", cap).ok());
    if (pid == child) {
      EXPECT_EQ(run({"compact", "--force"}), 0) << env.err.str();
    } else {
      EXPECT_EQ(run({"compact", "--force"}), 3);
      EXPECT_NE(env.err.str().find(cli_node + " compact holds its lease"), std::string::npos)
          << env.err.str();
    }
  }
}

}  // namespace
}  // namespace floe::cli
