#include "floe/io/memory_store.h"

#include <algorithm>
#include <functional>

#include "floe/io/location.h"

namespace floe {
namespace {

Status Missing(const std::string& location) {
  return Status::NotFound(location + ": no such object");
}

class MemoryStoreOutputStream final : public OutputStream {
 public:
  using Sink = std::function<void(std::string)>;
  MemoryStoreOutputStream(std::string location, Sink sink)
      : location_(std::move(location)), sink_(std::move(sink)) {}
  const std::string& location() const override { return location_; }
  Status Append(ByteView data) override {
    if (done_) return Status::Internal(location_ + ": append after close or abort");
    data_.append(reinterpret_cast<const char*>(data.data()), data.size());
    return Status::OK();
  }
  int64_t Tell() const override { return size_ + static_cast<int64_t>(data_.size()); }
  Status Close() override {
    if (done_) return Status::Internal(location_ + ": close after close or abort");
    done_ = true;
    // Tell() still counts what was written once the bytes are handed over.
    size_ = static_cast<int64_t>(data_.size());
    sink_(std::move(data_));
    data_.clear();
    return Status::OK();
  }
  void Abort() override {
    done_ = true;
    data_.clear();
  }

 private:
  std::string location_;
  Sink sink_;
  std::string data_;
  int64_t size_ = 0;
  bool done_ = false;
};

}  // namespace

MemoryStore::MemoryStore(const Clock* clock) : clock_(clock) {}

void MemoryStore::Store(const std::string& key, std::string data) {
  std::lock_guard lock(mu_);
  objects_[key] = Object{std::move(data), clock_->NowMicros()};
}

Result<std::unique_ptr<RandomAccessFile>> MemoryStore::OpenRead(const std::string& location) {
  FLOE_ASSIGN_OR_RETURN(std::string key, NormalizeLocation(location));
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return Missing(key);
  return std::unique_ptr<RandomAccessFile>(new MemoryRandomAccessFile(key, it->second.data));
}

Result<std::unique_ptr<OutputStream>> MemoryStore::Create(const std::string& location) {
  FLOE_ASSIGN_OR_RETURN(std::string key, NormalizeLocation(location));
  return std::unique_ptr<OutputStream>(new MemoryStoreOutputStream(
      key, [this, key](std::string data) { Store(key, std::move(data)); }));
}

Status MemoryStore::Put(const std::string& location, std::string_view data) {
  FLOE_ASSIGN_OR_RETURN(std::string key, NormalizeLocation(location));
  Store(key, std::string(data));
  return Status::OK();
}

Status MemoryStore::PutIfAbsent(const std::string& location, std::string_view data) {
  FLOE_ASSIGN_OR_RETURN(std::string key, NormalizeLocation(location));
  std::lock_guard lock(mu_);
  auto [it, inserted] = objects_.try_emplace(key, Object{std::string(data), clock_->NowMicros()});
  if (!inserted) return Status::AlreadyExists(key + ": object already exists");
  return Status::OK();
}

Result<ObjectInfo> MemoryStore::Stat(const std::string& location) {
  FLOE_ASSIGN_OR_RETURN(std::string key, NormalizeLocation(location));
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return Missing(key);
  return ObjectInfo{key, static_cast<int64_t>(it->second.data.size()), it->second.mtime_micros};
}

Result<ObjectListPage> MemoryStore::ListPage(const std::string& prefix,
                                             const std::string& page_token, int max_keys) {
  if (max_keys <= 0) return Status::InvalidArgument("list of '" + prefix + "': max_keys <= 0");
  FLOE_ASSIGN_OR_RETURN(std::string key_prefix, NormalizeLocationPrefix(prefix));
  std::lock_guard lock(mu_);
  ObjectListPage page;
  auto it = page_token.empty() ? objects_.lower_bound(key_prefix)
                               : objects_.upper_bound(std::max(page_token, key_prefix));
  for (; it != objects_.end() && it->first.compare(0, key_prefix.size(), key_prefix) == 0; ++it) {
    if (static_cast<int>(page.objects.size()) == max_keys) {
      page.next_page_token = page.objects.back().location;
      break;
    }
    page.objects.push_back(
        {it->first, static_cast<int64_t>(it->second.data.size()), it->second.mtime_micros});
  }
  return page;
}

Status MemoryStore::Delete(const std::string& location) {
  FLOE_ASSIGN_OR_RETURN(std::string key, NormalizeLocation(location));
  std::lock_guard lock(mu_);
  if (objects_.erase(key) == 0) return Missing(key);
  return Status::OK();
}

size_t MemoryStore::size() const {
  std::lock_guard lock(mu_);
  return objects_.size();
}

}  // namespace floe
