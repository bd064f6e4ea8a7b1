#pragma once

// Settings of every command, from four layers (DESIGN.md "Defaults"): a flag beats an environment
// variable, which beats the config file (`--config floe.toml` or FLOE_CONFIG), which beats the
// built-in default. Each setting names itself in all three sources, so one error message can say
// where a bad value came from:
//
//   constexpr Setting kThreshold{"compaction-threshold", "COMPACTION_THRESHOLD",
//                                "compaction.threshold"};
//   FLOE_ASSIGN_OR_RETURN(int64_t threshold, settings.Int(kThreshold, 50, 2, 100000));
//
// The config file is TOML; tables flatten into dotted keys ([compaction] threshold = 30 is
// "compaction.threshold"). Values of any TOML scalar type are read as their text.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "floe/cli/cli.h"
#include "floe/common/duration.h"
#include "floe/common/result.h"

namespace floe::cli {

// Where one setting is looked up; an empty name means "not settable that way" (secrets have no
// flag, so they never show in `ps`).
struct Setting {
  std::string_view flag;      // "--<flag>"
  std::string_view env;       // environment variable
  std::string_view file_key;  // dotted key in the config file
};

// Settings every command shares.
inline constexpr Setting kConfigSetting{"config", "FLOE_CONFIG", ""};
inline constexpr Setting kWarehouseSetting{"warehouse", "FLOE_WAREHOUSE", "warehouse"};
inline constexpr Setting kCatalogSetting{"catalog", "FLOE_CATALOG", "catalog"};
inline constexpr Setting kCatalogNameSetting{"catalog-name", "FLOE_CATALOG_NAME", "catalog_name"};
inline constexpr Setting kStateDirSetting{"state-dir", "FLOE_STATE_DIR", "state_dir"};
inline constexpr Setting kListenSetting{"listen", "FLOE_LISTEN", "listen"};
inline constexpr Setting kTableSetting{"table", "FLOE_TABLE", "table"};
inline constexpr Setting kLogLevelSetting{"log-level", "FLOE_LOG_LEVEL", "log_level"};
inline constexpr Setting kNodeIdSetting{"node-id", "FLOE_NODE_ID", "node_id"};
inline constexpr Setting kAdminTokenSetting{"", "ADMIN_TOKEN", "admin_token"};
inline constexpr Setting kApiKeysSetting{"", "FLOE_API_KEYS", "api_keys"};
inline constexpr Setting kCatalogReadTokensSetting{"", "FLOE_CATALOG_READ_TOKENS",
                                                   "catalog_read_tokens"};

class Settings {
 public:
  // Reads the config file named by --config / FLOE_CONFIG, if any. A missing or malformed file is
  // kInvalidArgument naming the file (and line and column for a syntax error).
  static Result<Settings> Load(const Args& args, const CliContext& ctx);
  // Flags and environment only (tests, and commands that take no config).
  Settings(const Args& args, const CliContext& ctx);

  // The value from the highest layer that has one.
  std::optional<std::string> Get(const Setting& setting) const;
  std::string GetOr(const Setting& setting, std::string fallback) const;
  // Integers (an optional unit suffix is not accepted: say "128", not "128MB"), checked against
  // [min, max]; the error names the setting, where its value came from, and the allowed range.
  Result<int64_t> Int(const Setting& setting, int64_t fallback, int64_t min, int64_t max) const;
  Result<double> Double(const Setting& setting, double fallback, double min, double max) const;
  // true/false, 1/0, yes/no, on/off.
  Result<bool> Bool(const Setting& setting, bool fallback) const;
  // A duration: "90" (seconds) or "500ms", "30s", "10m", "12h", "7d", "2w"; in milliseconds.
  Result<int64_t> DurationMs(const Setting& setting, int64_t fallback_ms, int64_t min_ms,
                             int64_t max_ms) const;

  // "--compaction-threshold / COMPACTION_THRESHOLD" style name for messages.
  static std::string Describe(const Setting& setting);
  // Which layer gave the value: "flag --x", "environment X", "config file key x", "default".
  std::string SourceOf(const Setting& setting) const;

  const std::string& config_path() const { return config_path_; }
  // Config file keys starting with `prefix` ("schedule."), with their values.
  std::map<std::string, std::string> FileKeysWithPrefix(std::string_view prefix) const;

 private:
  Settings() = default;
  std::map<std::string, std::string> flags_;
  std::function<const char*(const char*)> getenv_;
  std::map<std::string, std::string> file_;
  std::string config_path_;
};

}  // namespace floe::cli
