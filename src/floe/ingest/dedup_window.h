#pragma once

// The ids of events accepted recently, per table, so a re-sent event counts as a duplicate
// instead of landing twice. Bounded twice: by age (the window) and by count (the oldest ids are
// forgotten first). Ids are kept as 128-bit hashes of (table, id): no id text is held, and a
// false "duplicate" needs a 128-bit collision.

#include <cstdint>
#include <deque>
#include <string_view>
#include <vector>

namespace floe::ingest {

class DedupWindow {
 public:
  DedupWindow(int64_t window_micros, int64_t max_ids)
      : window_micros_(window_micros), max_ids_(max_ids < 1 ? 1 : max_ids) {}

  struct Key {
    uint64_t hi = 0;
    uint64_t lo = 0;
    friend bool operator==(const Key&, const Key&) = default;
  };
  static Key KeyOf(std::string_view table, std::string_view id);

  // True when `key` was recorded less than the window before `now_micros`; otherwise records it
  // at `now_micros` and returns false.
  bool SeenOrInsert(const Key& key, int64_t now_micros);
  // Records `key` as accepted at `at_micros` (replay), unless that is outside the window.
  void Insert(const Key& key, int64_t at_micros, int64_t now_micros);
  // Forgets `key` if it was recorded at `at_micros` (an accept that was undone).
  void Erase(const Key& key, int64_t at_micros);
  // Starts loading the slot `key` would be looked up in: a batch of lookups that prefetches a few
  // keys ahead waits for one cache miss at a time less often (the table is tens of MB).
  void Prefetch(const Key& key) const { ids_.Prefetch(key); }

  size_t size() const { return ids_.size(); }

 private:
  // Key → when it was accepted, in one open-addressed array (linear probing, backward-shift
  // erase): a node map cost an allocation per accepted event and a cache miss per lookup, ~10 %
  // of `floe ingest`'s CPU. Keys are already uniform hashes, so their low bits pick the slot.
  class KeyTimes {
   public:
    int64_t* Find(const Key& key);
    // The slot of `key`, inserted with `at` when absent (then *inserted is true).
    int64_t* TryEmplace(const Key& key, int64_t at, bool* inserted);
    void Erase(const Key& key);
    size_t size() const { return size_; }
    void Prefetch(const Key& key) const {
      if (!slots_.empty()) __builtin_prefetch(&slots_[Home(key)]);
    }

   private:
    struct Slot {
      Key key;
      int64_t at = kEmpty;
    };
    static constexpr int64_t kEmpty = INT64_MIN;
    size_t Home(const Key& key) const { return static_cast<size_t>(key.lo) & (slots_.size() - 1); }
    void Grow();

    std::vector<Slot> slots_;  // size 0 or a power of two, at most 7/8 full
    size_t size_ = 0;
  };
  void Expire(int64_t now_micros);

  int64_t window_micros_;
  int64_t max_ids_;
  KeyTimes ids_;
  std::deque<std::pair<Key, int64_t>> order_;  // by acceptance, for expiry
};

}  // namespace floe::ingest
