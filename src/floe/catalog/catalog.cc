#include "floe/catalog/catalog.h"

#include <utility>

namespace floe {

std::string NamespaceToString(const Namespace& ns) {
  std::string out;
  for (const auto& level : ns) {
    if (!out.empty()) out += '.';
    out += level;
  }
  return out;
}

Result<Namespace> ParseNamespace(std::string_view text) {
  Namespace ns;
  if (text.empty()) return ns;
  size_t pos = 0;
  while (true) {
    size_t dot = text.find('.', pos);
    std::string_view level = text.substr(pos, dot == std::string_view::npos ? dot : dot - pos);
    if (level.empty()) {
      return Status::InvalidArgument("namespace '" + std::string(text) + "' has an empty level");
    }
    ns.emplace_back(level);
    if (dot == std::string_view::npos) break;
    pos = dot + 1;
  }
  return ns;
}

std::string TableIdentifier::ToString() const {
  std::string ns_text = NamespaceToString(ns);
  return ns_text.empty() ? name : ns_text + "." + name;
}

Result<TableIdentifier> TableIdentifier::Parse(std::string_view text) {
  size_t dot = text.rfind('.');
  if (dot == std::string_view::npos || dot + 1 == text.size()) {
    return Status::InvalidArgument("table identifier '" + std::string(text) +
                                   "' must be <namespace>.<table>");
  }
  FLOE_ASSIGN_OR_RETURN(Namespace ns, ParseNamespace(text.substr(0, dot)));
  return TableIdentifier{std::move(ns), std::string(text.substr(dot + 1))};
}

std::unique_lock<std::mutex> CommitTurns::Take(const TableIdentifier& id) {
  std::mutex* table = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::unique_ptr<std::mutex>& slot = tables_[id.ToString()];
    if (slot == nullptr) slot = std::make_unique<std::mutex>();
    table = slot.get();
  }
  return std::unique_lock<std::mutex>(*table);
}

void WrittenMetadata::Remember(const TableIdentifier& id, const std::string& location,
                               std::shared_ptr<const iceberg::TableMetadata> metadata) {
  std::string key = id.ToString();
  std::shared_ptr<const iceberg::TableMetadata> previous;  // freed outside the lock
  std::lock_guard<std::mutex> lock(mu_);
  Entry& entry = tables_[std::move(key)];
  entry.location = location;
  previous = std::exchange(entry.metadata, std::move(metadata));
}

std::shared_ptr<const iceberg::TableMetadata> WrittenMetadata::Find(
    const TableIdentifier& id, const std::string& location) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tables_.find(id.ToString());
  if (it == tables_.end() || it->second.location != location) return nullptr;
  return it->second.metadata;
}

iceberg::MetadataJsonCache WrittenMetadata::TakeJsonCache(const TableIdentifier& id) {
  std::string key = id.ToString();
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(tables_[std::move(key)].json_cache, iceberg::MetadataJsonCache());
}

void WrittenMetadata::GiveBackJsonCache(const TableIdentifier& id,
                                        iceberg::MetadataJsonCache cache) {
  std::string key = id.ToString();
  iceberg::MetadataJsonCache previous;  // freed outside the lock
  std::lock_guard<std::mutex> lock(mu_);
  previous = std::exchange(tables_[std::move(key)].json_cache, std::move(cache));
}

}  // namespace floe
