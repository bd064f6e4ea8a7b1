#pragma once

// Reading the JSON bodies of the admin routes: a strict object whose unknown or mistyped members
// are 400 errors naming the member, and the seed's table names ("events" is analytics.events).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "floe/catalog/catalog.h"
#include "floe/common/result.h"

namespace floe::server {

class AdminBody {
 public:
  // An empty body is {}. kInvalidArgument: not JSON, not an object, or a member not in `allowed`.
  static Result<AdminBody> Parse(const std::string& body, const std::set<std::string>& allowed);

  // "table": "events" → analytics.events, "ns.name" as is; absent → `fallback`.
  Result<TableIdentifier> Table(const TableIdentifier& fallback) const;
  Result<std::optional<bool>> Bool(const std::string& name) const;
  Result<std::optional<int64_t>> Int(const std::string& name, int64_t min, int64_t max) const;
  Result<std::optional<std::string>> String(const std::string& name) const;
  // "7d", "36h", "90" (seconds) or a number of seconds; in milliseconds.
  Result<std::optional<int64_t>> DurationMs(const std::string& name) const;

  const nlohmann::json& json() const { return json_; }

 private:
  nlohmann::json json_;
};

// "events" → {"analytics"}, "events"; "a.b" → {"a"}, "b".
Result<TableIdentifier> ParseAdminTableName(const std::string& text);

}  // namespace floe::server
