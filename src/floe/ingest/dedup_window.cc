#include "floe/ingest/dedup_window.h"

#include "floe/util/hash.h"

namespace floe::ingest {

namespace {

// Positions are kept as their low 32 bits: they stay unique while order_ holds fewer entries.
constexpr size_t kMaxQueued = (size_t{1} << 32) - 1;

}  // namespace

DedupWindow::Key DedupWindow::KeyOf(std::string_view table, std::string_view id) {
  uint64_t seed = XxHash64(table, 0x666c6f65);  // "floe"
  return Key{XxHash64(id, seed), XxHash64(id, ~seed)};
}

size_t DedupWindow::Probe(const Key& key, uint32_t tag) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = Home(tag);; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.tag == 0 || (s.tag == tag && EntryAt(s).key == key)) return i;
  }
}

DedupWindow::Slot* DedupWindow::Find(const Key& key) {
  if (size_ == 0) return nullptr;
  Slot& s = slots_[Probe(key, Tag(key))];
  return s.tag != 0 ? &s : nullptr;
}

uint32_t DedupWindow::Append(const Key& key, int64_t at) {
  const auto pos = static_cast<uint32_t>(first_ + order_.size());
  order_.push_back(Accepted{key, at});
  return pos;
}

void DedupWindow::Add(const Key& key, uint32_t pos) {
  if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
  const uint32_t tag = Tag(key);
  slots_[Probe(key, tag)] = Slot{tag, pos};
  ++size_;
}

void DedupWindow::EraseSlot(size_t hole) {
  const size_t mask = slots_.size() - 1;
  // Backward shift: pull later entries of the run into the hole when their home is not between
  // the hole and them, so lookups never need tombstones.
  for (size_t j = (hole + 1) & mask; slots_[j].tag != 0; j = (j + 1) & mask) {
    const size_t home = Home(slots_[j].tag);
    const bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (stays) continue;
    slots_[hole] = slots_[j];
    hole = j;
  }
  slots_[hole] = Slot{};
  --size_;
}

void DedupWindow::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.tag == 0) continue;
    size_t i = Home(s.tag);
    while (slots_[i].tag != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

void DedupWindow::Expire(int64_t now_micros) {
  // The oldest accepts go first, one for each new one once the count bound is reached: their
  // slots are loaded this many ahead, so the forgetting waits for a cache miss less often.
  constexpr size_t kPrefetchAhead = 8;
  while (!order_.empty() &&
         (order_.front().at <= now_micros - window_micros_ ||
          static_cast<int64_t>(size_) > max_ids_ || order_.size() >= kMaxQueued)) {
    if (order_.size() > kPrefetchAhead) Prefetch(order_[kPrefetchAhead].key);
    // The key's slot goes only if this is still its latest accept (accepted again later, or
    // erased, it is not); positions are unique, so the position alone says.
    if (size_ > 0) {
      const uint32_t tag = Tag(order_.front().key);
      const auto pos = static_cast<uint32_t>(first_);
      const size_t mask = slots_.size() - 1;
      for (size_t i = Home(tag); slots_[i].tag != 0; i = (i + 1) & mask) {
        if (slots_[i].pos == pos && slots_[i].tag == tag) {
          EraseSlot(i);
          break;
        }
      }
    }
    order_.pop_front();
    ++first_;
  }
}

bool DedupWindow::SeenOrInsert(const Key& key, int64_t now_micros) {
  Expire(now_micros);
  if (Slot* s = Find(key)) {
    if (EntryAt(*s).at > now_micros - window_micros_) return true;
    s->pos = Append(key, now_micros);
  } else {
    Add(key, Append(key, now_micros));
  }
  if (static_cast<int64_t>(size_) > max_ids_) Expire(now_micros);
  return false;
}

void DedupWindow::Insert(const Key& key, int64_t at_micros, int64_t now_micros) {
  if (at_micros <= now_micros - window_micros_) return;
  if (Slot* s = Find(key)) {
    if (EntryAt(*s).at >= at_micros) return;
    s->pos = Append(key, at_micros);
  } else {
    Add(key, Append(key, at_micros));
  }
  Expire(now_micros);
}

void DedupWindow::Erase(const Key& key, int64_t at_micros) {
  if (size_ == 0) return;
  const size_t i = Probe(key, Tag(key));
  if (slots_[i].tag != 0 && EntryAt(slots_[i]).at == at_micros) EraseSlot(i);
}

}  // namespace floe::ingest
