#include "floe/ingest/dedup_window.h"

#include "floe/util/hash.h"

namespace floe::ingest {

DedupWindow::Key DedupWindow::KeyOf(std::string_view table, std::string_view id) {
  uint64_t seed = XxHash64(table, 0x666c6f65);  // "floe"
  return Key{XxHash64(id, seed), XxHash64(id, ~seed)};
}

int64_t* DedupWindow::KeyTimes::Find(const Key& key) {
  if (size_ == 0) return nullptr;
  size_t mask = slots_.size() - 1;
  for (size_t i = Home(key);; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.at == kEmpty) return nullptr;
    if (s.key == key) return &s.at;
  }
}

int64_t* DedupWindow::KeyTimes::TryEmplace(const Key& key, int64_t at, bool* inserted) {
  if ((size_ + 1) * 8 > slots_.size() * 7) Grow();
  size_t mask = slots_.size() - 1;
  for (size_t i = Home(key);; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.at == kEmpty) {
      s.key = key;
      s.at = at;
      ++size_;
      *inserted = true;
      return &s.at;
    }
    if (s.key == key) {
      *inserted = false;
      return &s.at;
    }
  }
}

void DedupWindow::KeyTimes::Erase(const Key& key) {
  if (size_ == 0) return;
  size_t mask = slots_.size() - 1;
  size_t hole = Home(key);
  while (true) {
    if (slots_[hole].at == kEmpty) return;
    if (slots_[hole].key == key) break;
    hole = (hole + 1) & mask;
  }
  // Backward shift: pull later entries of the run into the hole when their home is not between
  // the hole and them, so lookups never need tombstones.
  for (size_t j = (hole + 1) & mask; slots_[j].at != kEmpty; j = (j + 1) & mask) {
    size_t home = Home(slots_[j].key);
    bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (stays) continue;
    slots_[hole] = slots_[j];
    hole = j;
  }
  slots_[hole] = Slot{};
  --size_;
}

void DedupWindow::KeyTimes::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
  size_ = 0;
  bool inserted = false;
  for (const Slot& s : old) {
    if (s.at != kEmpty) TryEmplace(s.key, s.at, &inserted);
  }
}

void DedupWindow::Expire(int64_t now_micros) {
  // The oldest ids go first, one for each new one once the count bound is reached: their slots
  // are loaded this many ids ahead, so the forgetting waits for a cache miss less often.
  constexpr size_t kPrefetchAhead = 8;
  while (!order_.empty() && (order_.front().second <= now_micros - window_micros_ ||
                             static_cast<int64_t>(ids_.size()) > max_ids_)) {
    if (order_.size() > kPrefetchAhead) ids_.Prefetch(order_[kPrefetchAhead].first);
    int64_t* at = ids_.Find(order_.front().first);
    // A key accepted again later has a newer entry further back; only its last one counts.
    if (at != nullptr && *at == order_.front().second) ids_.Erase(order_.front().first);
    order_.pop_front();
  }
}

bool DedupWindow::SeenOrInsert(const Key& key, int64_t now_micros) {
  Expire(now_micros);
  bool inserted = false;
  int64_t* at = ids_.TryEmplace(key, now_micros, &inserted);
  if (!inserted) {
    if (*at > now_micros - window_micros_) return true;
    *at = now_micros;
  }
  order_.emplace_back(key, now_micros);
  if (static_cast<int64_t>(ids_.size()) > max_ids_) Expire(now_micros);
  return false;
}

void DedupWindow::Insert(const Key& key, int64_t at_micros, int64_t now_micros) {
  if (at_micros <= now_micros - window_micros_) return;
  bool inserted = false;
  int64_t* at = ids_.TryEmplace(key, at_micros, &inserted);
  if (!inserted) {
    if (*at >= at_micros) return;
    *at = at_micros;
  }
  order_.emplace_back(key, at_micros);
  Expire(now_micros);
}

void DedupWindow::Erase(const Key& key, int64_t at_micros) {
  int64_t* at = ids_.Find(key);
  if (at != nullptr && *at == at_micros) ids_.Erase(key);
}

}  // namespace floe::ingest
