#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "floe/io/location.h"
#include "floe/io/object_store.h"
#include "floe/io/s3_store.h"

namespace floe {

// Makes the store that serves one scheme and authority (an S3 bucket; "" for file).
using StoreFactory = std::function<Result<std::shared_ptr<ObjectStore>>(const Location& root)>;

// Finds the ObjectStore for a location by its scheme: "file://" and bare absolute paths go to a
// LocalStore, "s3://" is reserved (kNotSupported until an S3 store registers itself). A value
// the application builds once and passes down; stores are made on first use and shared.
class StoreRegistry {
 public:
  // An empty registry; see MakeDefaultStoreRegistry() for the usual one.
  StoreRegistry() = default;

  // Adds or replaces the factory of `scheme` (lower case).
  void Register(std::string scheme, StoreFactory factory);
  // The store for `location`'s scheme and authority.
  Result<std::shared_ptr<ObjectStore>> Resolve(std::string_view location);

 private:
  std::mutex mu_;
  std::map<std::string, StoreFactory> factories_;
  std::map<std::string, std::shared_ptr<ObjectStore>> stores_;  // by "scheme://authority"
};

// "file" → one LocalStore rooted at "/"; "s3" → kNotSupported (no S3 settings given).
std::unique_ptr<StoreRegistry> MakeDefaultStoreRegistry();
// The same with "s3" → one S3Store per bucket, all with these settings.
std::unique_ptr<StoreRegistry> MakeDefaultStoreRegistry(const S3Options& s3);

}  // namespace floe
