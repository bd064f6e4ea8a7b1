#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "floe/io/object_store.h"

namespace floe {

// The operations a FaultInjectingStore can fail. kRead covers Get, GetRange and ReadAt on files
// from OpenRead; kWrite covers Append and Close of streams from Create, Put and PutIfAbsent.
enum class StoreOp { kOpenRead, kRead, kCreate, kWrite, kPutIfAbsent, kStat, kList, kDelete };
inline constexpr int kStoreOpCount = 8;

enum class FaultKind {
  kError,            // the operation fails with kIOError and does nothing
  kErrorAfterApply,  // writes and deletes take effect but still report kIOError (lost reply)
  kShortRead,        // reads return fewer bytes than asked (Get/GetRange) or fail as kCorrupt
  kCorruptBytes,     // reads succeed with one byte flipped
};

// Wraps a store and makes chosen or random operations fail, as LevelDB's ErrorEnv does, so tests
// can drive the error paths of everything that writes through an ObjectStore. Random failures
// come from a seeded RNG: a failing test replays with the same seed.
class FaultInjectingStore final : public ObjectStore {
 public:
  // `base` is not owned and must outlive this store.
  FaultInjectingStore(ObjectStore* base, uint64_t seed);

  // The next `count` calls of `op` fail with `kind`.
  void FailNext(StoreOp op, FaultKind kind = FaultKind::kError, int count = 1);
  // Every call of `op` fails with `kind` with this probability (0 turns it off).
  void SetFailureProbability(StoreOp op, double probability, FaultKind kind = FaultKind::kError);
  // Only locations containing this text are failed (empty: all).
  void SetLocationFilter(std::string substring);
  // Turns all faults off.
  void Clear();
  // Faults injected so far.
  int64_t injected_count() const { return injected_.load(); }

  Result<std::unique_ptr<RandomAccessFile>> OpenRead(const std::string& location) override;
  Result<std::string> Get(const std::string& location) override;
  Result<std::string> GetRange(const std::string& location, int64_t offset,
                               int64_t length) override;
  Result<std::unique_ptr<OutputStream>> Create(const std::string& location) override;
  Status Put(const std::string& location, std::string_view data) override;
  Status PutIfAbsent(const std::string& location, std::string_view data) override;
  Result<ObjectInfo> Stat(const std::string& location) override;
  Result<ObjectListPage> ListPage(const std::string& prefix, const std::string& page_token,
                                  int max_keys) override;
  Status Delete(const std::string& location) override;

  // Whether this call of `op` on `location` fails, and how (used by the wrapped streams too).
  std::optional<FaultKind> NextFault(StoreOp op, const std::string& location);
  // Damages `data` as `kind` says; returns false if the fault is not a read fault.
  bool DamageRead(FaultKind kind, std::string* data);

 private:
  struct Rule {
    int fail_next = 0;
    FaultKind next_kind = FaultKind::kError;
    double probability = 0;
    FaultKind random_kind = FaultKind::kError;
  };

  ObjectStore* base_;
  std::mutex mu_;
  std::mt19937_64 rng_;
  std::array<Rule, kStoreOpCount> rules_{};
  std::string location_filter_;
  std::atomic<int64_t> injected_{0};
};

// "injected fault: <op> <location>", kIOError.
Status InjectedError(StoreOp op, const std::string& location);

}  // namespace floe
