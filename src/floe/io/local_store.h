#pragma once

#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "floe/io/object_store.h"

namespace floe {

// Objects as files below a root folder. Locations are "file:///<root>/..." (or the bare absolute
// path); anything outside the root, or with a ".." segment, is kInvalidArgument.
//
// Writes are atomic: bytes go to a hidden temporary file beside the target (".<name>.floe-tmp-*",
// never listed), which is fsynced and then renamed (or, for PutIfAbsent, hard-linked, which fails
// if the target exists) into place, and the folder is fsynced so the name survives a crash.
// Parent folders are created as needed. Empty folders stay behind after deletes (harmless: only
// files are objects).
class LocalStore final : public ObjectStore {
 public:
  // `root` is an absolute local path or a file: location; it is created if missing.
  static Result<std::unique_ptr<LocalStore>> Make(const std::string& root);

  Result<std::unique_ptr<RandomAccessFile>> OpenRead(const std::string& location) override;
  Result<std::unique_ptr<OutputStream>> Create(const std::string& location) override;
  Status PutIfAbsent(const std::string& location, std::string_view data) override;
  Result<ObjectInfo> Stat(const std::string& location) override;
  Result<ObjectListPage> ListPage(const std::string& prefix, const std::string& page_token,
                                  int max_keys) override;
  // One walk of the folder tree instead of one per page.
  Result<std::vector<ObjectInfo>> List(const std::string& prefix) override;
  Status Delete(const std::string& location) override;

  // The root as a location, "file:///...".
  const std::string& root_location() const { return root_location_; }

 private:
  explicit LocalStore(std::string root_path);
  // The local path of an object location below the root; `location_out` gets its normal form.
  Result<std::string> PathOf(const std::string& location, std::string* location_out) const;
  // The objects matching `prefix` after `page_token`, sorted.
  Result<std::vector<ObjectInfo>> Collect(const std::string& prefix, const std::string& page_token);
  // A fresh hidden temporary path beside `path`.
  std::string TempPathFor(const std::string& path);

  std::string root_path_;  // absolute, no trailing slash ("" for "/")
  std::string root_location_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
};

}  // namespace floe
