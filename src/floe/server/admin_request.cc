#include "floe/server/admin_request.h"

#include "floe/common/duration.h"

namespace floe::server {

Result<TableIdentifier> ParseAdminTableName(const std::string& text) {
  if (text.find('.') == std::string::npos) {
    if (text.empty()) return Status::InvalidArgument("field \"table\" is empty");
    return TableIdentifier{{"analytics"}, text};
  }
  Result<TableIdentifier> id = TableIdentifier::Parse(text);
  if (!id.ok()) return Status::InvalidArgument("field \"table\": " + id.status().message());
  return id;
}

Result<AdminBody> AdminBody::Parse(const std::string& body, const std::set<std::string>& allowed) {
  AdminBody out;
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
    out.json_ = nlohmann::json::object();
    return out;
  }
  out.json_ = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (out.json_.is_discarded()) return Status::InvalidArgument("body is not valid JSON");
  if (!out.json_.is_object()) return Status::InvalidArgument("body must be a JSON object");
  for (const auto& [key, value] : out.json_.items()) {
    if (!allowed.count(key)) {
      std::string list;
      for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
      return Status::InvalidArgument("unknown field \"" + key + "\" (allowed: " + list + ")");
    }
  }
  return out;
}

Result<TableIdentifier> AdminBody::Table(const TableIdentifier& fallback) const {
  FLOE_ASSIGN_OR_RETURN(std::optional<std::string> name, String("table"));
  if (!name) return fallback;
  return ParseAdminTableName(*name);
}

Result<std::optional<bool>> AdminBody::Bool(const std::string& name) const {
  auto it = json_.find(name);
  if (it == json_.end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean()) {
    return Status::InvalidArgument("field \"" + name + "\" must be true or false, got " +
                                   it->dump());
  }
  return std::optional<bool>(it->get<bool>());
}

Result<std::optional<int64_t>> AdminBody::Int(const std::string& name, int64_t min,
                                              int64_t max) const {
  auto it = json_.find(name);
  if (it == json_.end() || it->is_null()) return std::optional<int64_t>();
  if (!it->is_number_integer()) {
    return Status::InvalidArgument("field \"" + name + "\" must be an integer, got " + it->dump());
  }
  int64_t v = it->get<int64_t>();
  if (v < min || v > max) {
    return Status::InvalidArgument("field \"" + name + "\" = " + std::to_string(v) +
                                   " is out of range " + std::to_string(min) + ".." +
                                   std::to_string(max));
  }
  return std::optional<int64_t>(v);
}

Result<std::optional<std::string>> AdminBody::String(const std::string& name) const {
  auto it = json_.find(name);
  if (it == json_.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return Status::InvalidArgument("field \"" + name + "\" must be a string, got " + it->dump());
  }
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::optional<int64_t>> AdminBody::DurationMs(const std::string& name) const {
  auto it = json_.find(name);
  if (it == json_.end() || it->is_null()) return std::optional<int64_t>();
  if (it->is_number_integer() && it->get<int64_t>() >= 0) {
    return std::optional<int64_t>(it->get<int64_t>() * 1000);
  }
  if (it->is_string()) {
    Result<int64_t> ms = ParseDurationMs(it->get<std::string>());
    if (ms.ok()) return std::optional<int64_t>(*ms);
  }
  return Status::InvalidArgument("field \"" + name +
                                 "\" must be a duration like \"7d\", \"12h\""
                                 " or a number of seconds, got " +
                                 it->dump());
}

}  // namespace floe::server
