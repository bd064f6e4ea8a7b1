#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "floe/common/result.h"
#include "floe/io/file.h"

namespace floe {

// One object as a listing or Stat() reports it.
struct ObjectInfo {
  std::string location;  // normalised ("file:///...", "s3://bucket/key")
  int64_t size_bytes = 0;
  int64_t mtime_micros = 0;  // last modification, microseconds since the Unix epoch
};

// One page of a listing. `next_page_token` is empty on the last page; otherwise pass it back to
// ListPage() to continue after the last object of this page.
struct ObjectListPage {
  std::vector<ObjectInfo> objects;
  std::string next_page_token;
};

// Storage of whole objects under locations (URIs), with the semantics of S3: an object appears
// complete or not at all, there are no folders (a listing prefix is a plain string prefix), and
// put-if-absent is the one atomic primitive. Implementations: LocalStore, MemoryStore,
// FaultInjectingStore (a wrapper for tests); S3 later.
//
// Errors: kNotFound for a missing object, kInvalidArgument for a location the store cannot hold,
// kCorrupt for reads beyond the end of an object, kIOError for everything else; each message
// names the location. All methods are safe to call from many threads at once.
class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // A reader of the object as it is now; its size comes from the store.
  virtual Result<std::unique_ptr<RandomAccessFile>> OpenRead(const std::string& location) = 0;
  // The whole object.
  virtual Result<std::string> Get(const std::string& location);
  // `length` bytes at `offset`; a range that does not lie inside the object is kCorrupt.
  virtual Result<std::string> GetRange(const std::string& location, int64_t offset, int64_t length);

  // A writer of a new object (replacing any old one) that becomes visible only when Close()
  // succeeds; Abort() or destroying the stream unclosed leaves nothing behind.
  virtual Result<std::unique_ptr<OutputStream>> Create(const std::string& location) = 0;
  // Writes the whole object at once (replacing any old one).
  virtual Status Put(const std::string& location, std::string_view data);
  // Writes the object only if nothing is at `location`: of many concurrent callers exactly one
  // succeeds, the others get kAlreadyExists and the object keeps the winner's bytes.
  virtual Status PutIfAbsent(const std::string& location, std::string_view data) = 0;

  virtual Result<ObjectInfo> Stat(const std::string& location) = 0;

  // Objects whose location starts with `prefix` (a string prefix, at any depth), sorted by
  // location, at most `max_keys` per page, starting after `page_token` (empty: from the start).
  virtual Result<ObjectListPage> ListPage(const std::string& prefix, const std::string& page_token,
                                          int max_keys) = 0;
  // All pages of ListPage() at once (stores that can list in one pass override it).
  virtual Result<std::vector<ObjectInfo>> List(const std::string& prefix);

  // Removes one object; kNotFound when there is none.
  virtual Status Delete(const std::string& location) = 0;
  // Removes many objects; missing ones are not an error (deletes are idempotent, as in S3's
  // batch delete). Tries every location and returns the first error.
  virtual Status DeleteMany(const std::vector<std::string>& locations);
};

}  // namespace floe
