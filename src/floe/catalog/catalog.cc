#include "floe/catalog/catalog.h"

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

}  // namespace floe
