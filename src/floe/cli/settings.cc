#include "floe/cli/settings.h"

#include <toml++/toml.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "floe/common/duration.h"

namespace floe::cli {
namespace {

// The text of a TOML scalar; dates and times are not settings floe has.
std::optional<std::string> ScalarText(const toml::node& node) {
  if (auto v = node.value_exact<std::string>()) return *v;
  if (auto v = node.value_exact<int64_t>()) return std::to_string(*v);
  if (auto v = node.value_exact<bool>()) return std::string(*v ? "true" : "false");
  if (auto v = node.value_exact<double>()) {
    std::ostringstream text;
    text << *v;
    return text.str();
  }
  return std::nullopt;
}

// Flattens TOML tables into dotted keys; arrays become comma-separated text (FLOE_API_KEYS style).
Status Flatten(const toml::table& table, const std::string& prefix, const std::string& path,
               std::map<std::string, std::string>* out) {
  for (const auto& [key, node] : table) {
    std::string name =
        prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    if (const toml::table* sub = node.as_table()) {
      FLOE_RETURN_IF_ERROR(Flatten(*sub, name, path, out));
      continue;
    }
    std::optional<std::string> text;
    if (const toml::array* array = node.as_array()) {
      text = "";
      for (const auto& item : *array) {
        std::optional<std::string> one = ScalarText(item);
        if (!one) {
          text.reset();
          break;
        }
        *text += (text->empty() ? "" : ",") + *one;
      }
    } else {
      text = ScalarText(node);
    }
    if (!text) {
      return Status(ErrorKind::kInvalidArgument,
                    "config file " + path + " line " + std::to_string(node.source().begin.line) +
                        ": key " + name + " must be a string, number, boolean or array of them");
    }
    (*out)[name] = *text;
  }
  return Status();
}

}  // namespace

Settings::Settings(const Args& args, const CliContext& ctx)
    : flags_(args.flags()), getenv_(ctx.getenv) {}

Result<Settings> Settings::Load(const Args& args, const CliContext& ctx) {
  Settings settings(args, ctx);
  std::optional<std::string> path = settings.Get(kConfigSetting);
  if (!path || path->empty()) return settings;
  std::ifstream in(*path, std::ios::binary);
  if (!in) return Status(ErrorKind::kInvalidArgument, "config file " + *path + " cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  toml::table parsed;
  try {
    // Debian's toml++ reports syntax errors by exception; none leaves this function.
    parsed = toml::parse(text.str(), std::string_view(*path));
  } catch (const toml::parse_error& e) {
    return Status(ErrorKind::kInvalidArgument,
                  "config file " + *path + " line " + std::to_string(e.source().begin.line) +
                      " column " + std::to_string(e.source().begin.column) + ": " +
                      std::string(e.description()));
  }
  FLOE_RETURN_IF_ERROR(Flatten(parsed, "", *path, &settings.file_));
  settings.config_path_ = *path;
  return settings;
}

std::optional<std::string> Settings::Get(const Setting& setting) const {
  if (!setting.flag.empty()) {
    auto it = flags_.find(std::string(setting.flag));
    if (it != flags_.end()) return it->second;
  }
  if (!setting.env.empty() && getenv_) {
    if (const char* v = getenv_(std::string(setting.env).c_str())) return std::string(v);
  }
  if (!setting.file_key.empty()) {
    auto it = file_.find(std::string(setting.file_key));
    if (it != file_.end()) return it->second;
  }
  return std::nullopt;
}

std::string Settings::GetOr(const Setting& setting, std::string fallback) const {
  std::optional<std::string> v = Get(setting);
  return v ? *v : fallback;
}

std::map<std::string, std::string> Settings::FileKeysWithPrefix(std::string_view prefix) const {
  std::map<std::string, std::string> out;
  for (auto it = file_.lower_bound(std::string(prefix));
       it != file_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    out.insert(*it);
  }
  return out;
}

std::string Settings::Describe(const Setting& setting) {
  std::string out;
  if (!setting.flag.empty()) out = "--" + std::string(setting.flag);
  if (!setting.env.empty()) out += (out.empty() ? "" : " / ") + std::string(setting.env);
  if (out.empty()) out = std::string(setting.file_key);
  return out;
}

std::string Settings::SourceOf(const Setting& setting) const {
  if (!setting.flag.empty() && flags_.count(std::string(setting.flag)))
    return "flag --" + std::string(setting.flag);
  if (!setting.env.empty() && getenv_ && getenv_(std::string(setting.env).c_str()))
    return "environment " + std::string(setting.env);
  if (!setting.file_key.empty() && file_.count(std::string(setting.file_key)))
    return "config file " + config_path_ + " key " + std::string(setting.file_key);
  return "default";
}

namespace {

Status BadValue(const Settings& s, const Setting& setting, const std::string& value,
                const std::string& allowed) {
  return Status(ErrorKind::kInvalidArgument, "setting " + Settings::Describe(setting) + " = \"" +
                                                 value + "\" (from " + s.SourceOf(setting) +
                                                 "): " + allowed);
}

}  // namespace

Result<int64_t> Settings::Int(const Setting& setting, int64_t fallback, int64_t min,
                              int64_t max) const {
  std::optional<std::string> v = Get(setting);
  if (!v) return fallback;
  int64_t value = 0;
  const char* end = v->data() + v->size();
  auto [ptr, ec] = std::from_chars(v->data(), end, value);
  std::string range = "allowed " + std::to_string(min) + ".." + std::to_string(max);
  if (ec != std::errc() || ptr != end)
    return BadValue(*this, setting, *v, "not an integer; " + range);
  if (value < min || value > max) return BadValue(*this, setting, *v, "out of range; " + range);
  return value;
}

Result<double> Settings::Double(const Setting& setting, double fallback, double min,
                                double max) const {
  std::optional<std::string> v = Get(setting);
  if (!v) return fallback;
  double value = 0;
  const char* end = v->data() + v->size();
  auto [ptr, ec] = std::from_chars(v->data(), end, value);
  std::ostringstream range;
  range << "allowed " << min << ".." << max;
  if (ec != std::errc() || ptr != end || !std::isfinite(value))
    return BadValue(*this, setting, *v, "not a number; " + range.str());
  if (value < min || value > max)
    return BadValue(*this, setting, *v, "out of range; " + range.str());
  return value;
}

Result<bool> Settings::Bool(const Setting& setting, bool fallback) const {
  std::optional<std::string> v = Get(setting);
  if (!v) return fallback;
  if (*v == "true" || *v == "1" || *v == "yes" || *v == "on") return true;
  if (*v == "false" || *v == "0" || *v == "no" || *v == "off") return false;
  return BadValue(*this, setting, *v, "allowed true or false");
}

Result<int64_t> Settings::DurationMs(const Setting& setting, int64_t fallback_ms, int64_t min_ms,
                                     int64_t max_ms) const {
  std::optional<std::string> v = Get(setting);
  if (!v) return fallback_ms;
  Result<int64_t> ms = ParseDurationMs(*v);
  std::string range =
      "allowed " + std::to_string(min_ms / 1000) + "s.." + std::to_string(max_ms / 1000) + "s";
  if (!ms.ok()) return BadValue(*this, setting, *v, ms.status().message() + "; " + range);
  if (*ms < min_ms || *ms > max_ms) return BadValue(*this, setting, *v, "out of range; " + range);
  return *ms;
}

}  // namespace floe::cli
