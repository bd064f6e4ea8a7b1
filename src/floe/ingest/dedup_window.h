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
  // keys ahead waits for one cache miss at a time less often (the table is MBs).
  void Prefetch(const Key& key) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[Home(Tag(key))]);
  }

  size_t size() const { return size_; }

 private:
  // Every accept, in order (the expiry queue): the key and when. Entry i has position
  // first_ + i; positions only grow.
  struct Accepted {
    Key key;
    int64_t at = 0;
  };
  // The ids in one open-addressed array (linear probing, backward-shift erase; a node map cost
  // an allocation per accepted event and a cache miss per lookup, ~10 % of `floe ingest`'s CPU).
  // A slot is 8 bytes: 32 bits of the key's hash (its tag, which also picks its home slot; 0 is
  // an empty slot) and the low 32 bits of the position of the key's latest accept in `order_`,
  // where its full key and time are. Keeping key and time only there, rather than in 24-byte
  // slots as well: at a million ids the window measured 72-97 MB (heaptrack, the table while it
  // grows plus the queue); now the slots are 16 MB (24 while growing) beside the 24 MB queue.
  struct Slot {
    uint32_t tag = 0;
    uint32_t pos = 0;
  };
  static uint32_t Tag(const Key& key) {
    const auto tag = static_cast<uint32_t>(key.hi >> 32);
    return tag != 0 ? tag : 1;
  }
  size_t Home(uint32_t tag) const { return tag & (slots_.size() - 1); }
  // The entry in order_ at a slot's position (the slot is live, so the entry is in order_).
  const Accepted& EntryAt(const Slot& s) const {
    return order_[static_cast<uint32_t>(s.pos - static_cast<uint32_t>(first_))];
  }
  // The slot holding `key`, or the empty slot where it would go (Find: nullptr then).
  size_t Probe(const Key& key, uint32_t tag) const;
  Slot* Find(const Key& key);
  // Records a new accept of `key` at `at`; returns its position's low 32 bits.
  uint32_t Append(const Key& key, int64_t at);
  // Adds `key` (absent) with the accept just appended.
  void Add(const Key& key, uint32_t pos);
  void EraseSlot(size_t hole);
  void Grow();
  void Expire(int64_t now_micros);

  int64_t window_micros_;
  int64_t max_ids_;
  std::deque<Accepted> order_;
  uint64_t first_ = 0;       // position of order_.front()
  std::vector<Slot> slots_;  // size 0 or a power of two, at most 3/4 full
  size_t size_ = 0;
};

}  // namespace floe::ingest
