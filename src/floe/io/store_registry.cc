#include "floe/io/store_registry.h"

#include "floe/io/local_store.h"

namespace floe {

void StoreRegistry::Register(std::string scheme, StoreFactory factory) {
  std::lock_guard lock(mu_);
  for (auto it = stores_.begin(); it != stores_.end();) {
    it = it->first.compare(0, scheme.size() + 3, scheme + "://") == 0 ? stores_.erase(it)
                                                                      : std::next(it);
  }
  factories_[std::move(scheme)] = std::move(factory);
}

Result<std::shared_ptr<ObjectStore>> StoreRegistry::Resolve(std::string_view location) {
  FLOE_ASSIGN_OR_RETURN(Location loc, ParseLocation(location));
  std::string key = loc.scheme + "://" + loc.authority;
  std::lock_guard lock(mu_);
  auto found = stores_.find(key);
  if (found != stores_.end()) return found->second;
  auto factory = factories_.find(loc.scheme);
  if (factory == factories_.end()) {
    return Status::NotSupported("location '" + std::string(location) + "': no store for scheme '" +
                                loc.scheme + "'");
  }
  Location root{loc.scheme, loc.authority, "/"};
  FLOE_ASSIGN_OR_RETURN(std::shared_ptr<ObjectStore> store, factory->second(root));
  stores_.emplace(key, store);
  return store;
}

std::unique_ptr<StoreRegistry> MakeDefaultStoreRegistry() {
  auto registry = std::make_unique<StoreRegistry>();
  registry->Register("file", [](const Location&) -> Result<std::shared_ptr<ObjectStore>> {
    FLOE_ASSIGN_OR_RETURN(auto store, LocalStore::Make("/"));
    return std::shared_ptr<ObjectStore>(std::move(store));
  });
  registry->Register("s3", [](const Location& root) -> Result<std::shared_ptr<ObjectStore>> {
    return Status::NotSupported(root.ToString() +
                                ": no S3 settings were given to this store registry");
  });
  return registry;
}

std::unique_ptr<StoreRegistry> MakeDefaultStoreRegistry(const S3Options& s3) {
  auto registry = MakeDefaultStoreRegistry();
  registry->Register("s3", [s3](const Location& root) -> Result<std::shared_ptr<ObjectStore>> {
    FLOE_ASSIGN_OR_RETURN(auto store, S3Store::Make(root.authority, s3));
    return std::shared_ptr<ObjectStore>(std::move(store));
  });
  return registry;
}

}  // namespace floe
