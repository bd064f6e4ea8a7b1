#include "floe/cli/settings.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "floe/catalog/events_table.h"
#include "floe/cli/warehouse.h"
#include "floe/common/clock.h"
#include "support/temp_dir.h"
#include "unit/cli/cli_test_env.h"

namespace floe::cli {
namespace {

using Env = testing::CliEnv;

Args Parse(std::vector<std::string> argv) {
  Args args;
  std::string error;
  EXPECT_TRUE(Args::Parse(argv, {}, &args, &error)) << error;
  return args;
}

constexpr Setting kThreshold{"compaction-threshold", "COMPACTION_THRESHOLD",
                             "compaction.threshold"};

TEST(SettingsTest, FlagBeatsEnvironmentBeatsFileBeatsDefault) {
  testing::TempDir dir;
  std::string config = dir.path() + "/floe.toml";
  std::ofstream(config) << "warehouse = \"/data/wh\"\n[compaction]\nthreshold = 30\n";
  Env env;
  auto with_file = Settings::Load(Parse({"--config", config}), env.ctx());
  ASSERT_TRUE(with_file.ok()) << with_file.status().ToString();
  EXPECT_EQ(*with_file->Int(kThreshold, 50, 2, 1000), 30);
  EXPECT_EQ(with_file->GetOr(kWarehouseSetting, "x"), "/data/wh");
  EXPECT_EQ(with_file->SourceOf(kThreshold), "config file " + config + " key compaction.threshold");

  env.vars["COMPACTION_THRESHOLD"] = "40";
  auto with_env = Settings::Load(Parse({"--config", config}), env.ctx());
  EXPECT_EQ(*with_env->Int(kThreshold, 50, 2, 1000), 40);

  auto with_flag =
      Settings::Load(Parse({"--config", config, "--compaction-threshold", "60"}), env.ctx());
  EXPECT_EQ(*with_flag->Int(kThreshold, 50, 2, 1000), 60);

  Env empty;
  auto defaults = Settings::Load(Parse({}), empty.ctx());
  EXPECT_EQ(*defaults->Int(kThreshold, 50, 2, 1000), 50);
  EXPECT_EQ(defaults->SourceOf(kThreshold), "default");
}

TEST(SettingsTest, ConfigFileFromEnvironment) {
  testing::TempDir dir;
  std::string config = dir.path() + "/floe.toml";
  std::ofstream(config) << "[compaction]\nthreshold = 31\n";
  Env env;
  env.vars["FLOE_CONFIG"] = config;
  auto settings = Settings::Load(Parse({}), env.ctx());
  ASSERT_TRUE(settings.ok());
  EXPECT_EQ(*settings->Int(kThreshold, 50, 2, 1000), 31);
}

TEST(SettingsTest, OutOfRangeNamesSettingValueSourceAndRange) {
  Env env;
  env.vars["COMPACTION_THRESHOLD"] = "1";
  auto settings = Settings::Load(Parse({}), env.ctx());
  Result<int64_t> value = settings->Int(kThreshold, 50, 2, 1000);
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(value.status().message(),
            "setting --compaction-threshold / COMPACTION_THRESHOLD = \"1\" (from environment "
            "COMPACTION_THRESHOLD): out of range; allowed 2..1000");
  env.vars["COMPACTION_THRESHOLD"] = "ten";
  settings = Settings::Load(Parse({}), env.ctx());
  EXPECT_NE(settings->Int(kThreshold, 50, 2, 1000).status().message().find("not an integer"),
            std::string::npos);
}

TEST(SettingsTest, MalformedConfigFileNamesLine) {
  testing::TempDir dir;
  std::string config = dir.path() + "/floe.toml";
  std::ofstream(config) << "warehouse = \"/x\"\nthreshold = = 3\n";
  Env env;
  auto settings = Settings::Load(Parse({"--config", config}), env.ctx());
  ASSERT_FALSE(settings.ok());
  EXPECT_NE(settings.status().message().find(config + " line 2"), std::string::npos)
      << settings.status().message();
  auto missing = Settings::Load(Parse({"--config", dir.path() + "/none.toml"}), env.ctx());
  EXPECT_FALSE(missing.ok());
}

TEST(SettingsTest, SecretsHaveNoFlag) {
  Env env;
  auto settings = Settings::Load(Parse({"--admin-token", "x"}), env.ctx());
  EXPECT_FALSE(settings->Get(kAdminTokenSetting).has_value());
  env.vars["ADMIN_TOKEN"] = "s3cret";
  settings = Settings::Load(Parse({}), env.ctx());
  EXPECT_EQ(settings->GetOr(kAdminTokenSetting, ""), "s3cret");
}

TEST(SettingsTest, BoolsAndDurations) {
  constexpr Setting kFlag{"dry-run", "", ""};
  constexpr Setting kAge{"older-than", "", ""};
  Env env;
  auto settings = Settings::Load(Parse({"--dry-run", "yes", "--older-than", "7d"}), env.ctx());
  EXPECT_TRUE(*settings->Bool(kFlag, false));
  EXPECT_EQ(*settings->DurationMs(kAge, 0, 0, INT64_MAX), 7 * 86'400'000LL);
  EXPECT_EQ(*ParseDurationMs("90"), 90'000);
  EXPECT_EQ(*ParseDurationMs("500ms"), 500);
  EXPECT_EQ(*ParseDurationMs("2w"), 14 * 86'400'000LL);
  EXPECT_FALSE(ParseDurationMs("7 days").ok());
  EXPECT_FALSE(ParseDurationMs("d").ok());
  EXPECT_FALSE(ParseDurationMs("99999999999999999999s").ok());
  auto bad = Settings::Load(Parse({"--dry-run", "maybe"}), env.ctx());
  EXPECT_FALSE(bad->Bool(kFlag, false).ok());
}

TEST(WarehouseTest, EmbeddedDefaultCreatesSqliteCatalogAndEventsTable) {
  testing::TempDir dir;
  Env env;
  auto settings = Settings::Load(Parse({"--warehouse", dir.path() + "/wh"}), env.ctx());
  auto wh = Warehouse::Open(*settings, env.ctx());
  ASSERT_TRUE(wh.ok()) << wh.status().ToString();
  EXPECT_EQ((*wh)->root(), "file://" + dir.path() + "/wh");
  EXPECT_EQ((*wh)->catalog_uri(), "sqlite:" + dir.path() + "/wh/catalog.db");
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/wh/catalog.db"));

  auto table = (*wh)->LoadOrCreateEventsTable();
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ((*table)->metadata().location, "file://" + dir.path() + "/wh/analytics/events");
  EXPECT_EQ((*table)->metadata().CurrentSchema().fields().size(), 10u);
  // A second open finds the same table instead of creating another.
  auto again = (*wh)->LoadOrCreateEventsTable();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->metadata_location(), (*table)->metadata_location());

  auto id = TableFromSettings(*settings);
  EXPECT_EQ(id->ToString(), "analytics.events");
  auto missing = (*wh)->LoadTable(*TableIdentifier::Parse("analytics.nope"));
  EXPECT_EQ(missing.status().kind(), ErrorKind::kNotFound);
  EXPECT_NE(missing.status().message().find("analytics.nope"), std::string::npos);
}

TEST(WarehouseTest, RemoteWarehouseNeedsACatalog) {
  Env env;
  auto settings = Settings::Load(Parse({"--warehouse", "s3://bucket/wh"}), env.ctx());
  auto wh = Warehouse::Open(*settings, env.ctx());
  ASSERT_FALSE(wh.ok());
}

TEST(WarehouseTest, BadTableNameNamesTheFlag) {
  Env env;
  auto settings = Settings::Load(Parse({"--table", "a..b"}), env.ctx());
  auto id = TableFromSettings(*settings);
  ASSERT_FALSE(id.ok());
  EXPECT_NE(id.status().message().find("--table"), std::string::npos);
}

}  // namespace
}  // namespace floe::cli
