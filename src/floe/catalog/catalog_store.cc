#include "floe/catalog/catalog_store.h"

#include "floe/catalog/postgres_store.h"
#include "floe/catalog/sqlite_store.h"

namespace floe {

Result<std::unique_ptr<CatalogStore>> OpenCatalogStore(std::string_view uri,
                                                       const CatalogStoreOptions& options) {
  if (uri.substr(0, 7) == "sqlite:") {
    std::string path(uri.substr(7));
    // "sqlite:///abs/path" is a common spelling too (SQLAlchemy's, which PyIceberg uses).
    if (path.substr(0, 2) == "//") path = path.substr(2);
    FLOE_ASSIGN_OR_RETURN(auto store, SqliteCatalogStore::Open(path, options));
    return std::unique_ptr<CatalogStore>(std::move(store));
  }
  if (uri.substr(0, 13) == "postgresql://" || uri.substr(0, 11) == "postgres://") {
    FLOE_ASSIGN_OR_RETURN(auto store, PostgresCatalogStore::Open(std::string(uri), options));
    return std::unique_ptr<CatalogStore>(std::move(store));
  }
  return Status::InvalidArgument("catalog URI '" + RedactConninfo(uri) +
                                 "': expected sqlite:PATH or postgresql://user:pass@host:port/db");
}

}  // namespace floe
