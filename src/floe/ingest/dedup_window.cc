#include "floe/ingest/dedup_window.h"

#include "floe/util/hash.h"

namespace floe::ingest {

DedupWindow::Key DedupWindow::KeyOf(std::string_view table, std::string_view id) {
  uint64_t seed = XxHash64(table, 0x666c6f65);  // "floe"
  return Key{XxHash64(id, seed), XxHash64(id, ~seed)};
}

void DedupWindow::Expire(int64_t now_micros) {
  while (!order_.empty() && (order_.front().second <= now_micros - window_micros_ ||
                             static_cast<int64_t>(ids_.size()) > max_ids_)) {
    auto it = ids_.find(order_.front().first);
    // A key accepted again later has a newer entry further back; only its last one counts.
    if (it != ids_.end() && it->second == order_.front().second) ids_.erase(it);
    order_.pop_front();
  }
}

bool DedupWindow::SeenOrInsert(const Key& key, int64_t now_micros) {
  Expire(now_micros);
  auto [it, inserted] = ids_.try_emplace(key, now_micros);
  if (!inserted) {
    if (it->second > now_micros - window_micros_) return true;
    it->second = now_micros;
  }
  order_.emplace_back(key, now_micros);
  if (static_cast<int64_t>(ids_.size()) > max_ids_) Expire(now_micros);
  return false;
}

void DedupWindow::Insert(const Key& key, int64_t at_micros, int64_t now_micros) {
  if (at_micros <= now_micros - window_micros_) return;
  auto [it, inserted] = ids_.try_emplace(key, at_micros);
  if (!inserted) {
    if (it->second >= at_micros) return;
    it->second = at_micros;
  }
  order_.emplace_back(key, at_micros);
  Expire(now_micros);
}

void DedupWindow::Erase(const Key& key, int64_t at_micros) {
  auto it = ids_.find(key);
  if (it != ids_.end() && it->second == at_micros) ids_.erase(it);
}

}  // namespace floe::ingest
