#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "floe/catalog/sql_catalog.h"

namespace floe::testing {

// A database the catalog suite runs against. `make_uri` returns a catalog URI for one test
// (a fresh SQLite file, or the shared test PostgreSQL database); tests isolate themselves further
// by catalog name. `keep_alive` holds what the URI needs (a temp folder).
struct CatalogBackend {
  std::string name;
  std::function<Result<std::string>(std::shared_ptr<void>* keep_alive)> make_uri;
  // A URI of a database nobody has used yet (no catalog tables).
  std::function<Result<std::string>(std::shared_ptr<void>* keep_alive)> make_fresh_uri;
};

class CatalogConformanceTest : public ::testing::TestWithParam<CatalogBackend> {
 protected:
  void SetUp() override;
  // Another catalog object (its own connection) on the same database and catalog name.
  std::unique_ptr<SqlCatalog> OpenAnother(const std::string& catalog_name = "") const;

  std::string uri_;
  std::string catalog_name_;
  std::shared_ptr<void> keep_alive_;
  std::unique_ptr<SqlCatalog> catalog_;
};

inline std::string CatalogBackendName(const ::testing::TestParamInfo<CatalogBackend>& info) {
  return info.param.name;
}

}  // namespace floe::testing
