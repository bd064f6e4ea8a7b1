#pragma once

#include <map>
#include <mutex>
#include <string>

#include "floe/common/clock.h"
#include "floe/io/object_store.h"

namespace floe {

// Objects in a map, for tests and as the simple model the conformance suite also runs against.
// Accepts any scheme ("mem://bucket/key", "s3://...", "file:///..."); locations are normalised.
class MemoryStore final : public ObjectStore {
 public:
  // `clock` (not owned, must outlive the store) stamps modification times.
  explicit MemoryStore(const Clock* clock);

  Result<std::unique_ptr<RandomAccessFile>> OpenRead(const std::string& location) override;
  Result<std::unique_ptr<OutputStream>> Create(const std::string& location) override;
  Status Put(const std::string& location, std::string_view data) override;
  Status PutIfAbsent(const std::string& location, std::string_view data) override;
  Result<ObjectInfo> Stat(const std::string& location) override;
  Result<ObjectListPage> ListPage(const std::string& prefix, const std::string& page_token,
                                  int max_keys) override;
  Status Delete(const std::string& location) override;

  // Number of objects (tests).
  size_t size() const;

 private:
  struct Object {
    std::string data;
    int64_t mtime_micros;
  };
  // Stores `data` under the normalised `key`; used by the streams' Close().
  void Store(const std::string& key, std::string data);

  const Clock* clock_;
  mutable std::mutex mu_;
  std::map<std::string, Object> objects_;
};

}  // namespace floe
