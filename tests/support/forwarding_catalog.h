#pragma once

// A Catalog that forwards every call to a real one; tests derive from it and override what they
// need to break (usually CommitTable).

#include "floe/catalog/catalog.h"

namespace floe::testing {

class ForwardingCatalog : public Catalog {
 public:
  explicit ForwardingCatalog(Catalog* inner) : inner_(inner) {}
  const std::string& name() const override { return inner_->name(); }
  Status CreateNamespace(const Namespace& ns, const NamespaceProperties& p) override {
    return inner_->CreateNamespace(ns, p);
  }
  Result<std::vector<Namespace>> ListNamespaces(const Namespace& parent) override {
    return inner_->ListNamespaces(parent);
  }
  Result<bool> NamespaceExists(const Namespace& ns) override { return inner_->NamespaceExists(ns); }
  Result<NamespaceProperties> LoadNamespaceProperties(const Namespace& ns) override {
    return inner_->LoadNamespaceProperties(ns);
  }
  Status UpdateNamespaceProperties(const Namespace& ns, const NamespaceProperties& u,
                                   const std::vector<std::string>& r) override {
    return inner_->UpdateNamespaceProperties(ns, u, r);
  }
  Status DropNamespace(const Namespace& ns) override { return inner_->DropNamespace(ns); }
  Status CreateTable(const TableIdentifier& id, const std::string& m) override {
    return inner_->CreateTable(id, m);
  }
  Status RegisterTable(const TableIdentifier& id, const std::string& m) override {
    return inner_->RegisterTable(id, m);
  }
  Result<TablePointer> LoadTable(const TableIdentifier& id) override {
    return inner_->LoadTable(id);
  }
  Result<std::vector<TableIdentifier>> ListTables(const Namespace& ns) override {
    return inner_->ListTables(ns);
  }
  Result<bool> TableExists(const TableIdentifier& id) override { return inner_->TableExists(id); }
  Status DropTable(const TableIdentifier& id) override { return inner_->DropTable(id); }
  Status RenameTable(const TableIdentifier& a, const TableIdentifier& b) override {
    return inner_->RenameTable(a, b);
  }
  Status CommitTable(const TableIdentifier& id, const std::string& expected,
                     const std::string& next) override {
    return inner_->CommitTable(id, expected, next);
  }

 protected:
  Catalog* inner_;
};

}  // namespace floe::testing
