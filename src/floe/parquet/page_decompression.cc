#include "floe/parquet/page_decompression.h"

#include <algorithm>
#include <utility>

namespace floe::parquet {

struct DecompressionBoard::Chunk {
  enum class State { kFree, kBusy, kReady, kFailed };
  struct Slot {
    Buffer buffer;
    State state = State::kFree;
    size_t task = 0;
  };
  std::vector<PageTask> tasks;
  CodecKind kind = CodecKind::kNone;
  size_t next_claim = 0;  // pages before it were claimed by a helper or passed by the reader
  std::vector<Slot> slots;
  int held = -1;  // the slot of the page the reader is decoding
  int helpers = 0;
  bool withdrawn = false;

  int FreeSlot() const {
    for (size_t s = 0; s < slots.size(); ++s) {
      if (slots[s].state == State::kFree) return static_cast<int>(s);
    }
    return -1;
  }
  bool Claimable() const { return !withdrawn && next_claim < tasks.size() && FreeSlot() >= 0; }
};

DecompressionBoard::DecompressionBoard(size_t columns, size_t window)
    : columns_(columns), window_(std::max<size_t>(window, 1)) {}

DecompressionBoard::~DecompressionBoard() = default;

DecompressionBoard::Chunk* DecompressionBoard::Offer(std::vector<PageTask> tasks, CodecKind kind) {
  auto chunk = std::make_unique<Chunk>();
  chunk->tasks = std::move(tasks);
  chunk->kind = kind;
  chunk->slots.resize(window_);
  Chunk* handle = chunk.get();
  std::lock_guard<std::mutex> lock(mu_);
  chunks_.push_back(std::move(chunk));
  changed_.notify_all();
  return handle;
}

bool DecompressionBoard::DecompressNext(Chunk* chunk, std::unique_ptr<Codec>* own_codec,
                                        Codec* codec, std::unique_lock<std::mutex>* lock) {
  if (!chunk->Claimable()) return false;
  const size_t task = chunk->next_claim++;
  const int s = chunk->FreeSlot();
  chunk->slots[static_cast<size_t>(s)].state = Chunk::State::kBusy;
  chunk->slots[static_cast<size_t>(s)].task = task;
  ++chunk->helpers;
  const PageTask& page = chunk->tasks[task];
  Buffer buffer = std::move(chunk->slots[static_cast<size_t>(s)].buffer);
  lock->unlock();
  bool ok = false;
  if (codec == nullptr && (*own_codec == nullptr || (*own_codec)->kind() != chunk->kind)) {
    auto made = MakeCodec(chunk->kind);
    if (made.ok()) *own_codec = std::move(made).value();
  }
  if (codec == nullptr && *own_codec != nullptr && (*own_codec)->kind() == chunk->kind) {
    codec = own_codec->get();
  }
  if (codec != nullptr) {
    buffer.Resize(page.uncompressed_size);
    ok = codec->Decompress(page.compressed, buffer.data(), page.uncompressed_size).ok();
  }
  lock->lock();
  Chunk::Slot& slot = chunk->slots[static_cast<size_t>(s)];
  slot.buffer = std::move(buffer);
  slot.state = ok ? Chunk::State::kReady : Chunk::State::kFailed;
  --chunk->helpers;
  changed_.notify_all();
  return true;
}

bool DecompressionBoard::Take(Chunk* chunk, const uint8_t* compressed, Codec* codec,
                              ByteView* body) {
  std::unique_lock<std::mutex> lock(mu_);
  if (chunk->held >= 0) {
    chunk->slots[static_cast<size_t>(chunk->held)].state = Chunk::State::kFree;
    chunk->held = -1;
    changed_.notify_all();
  }
  const auto it =
      std::lower_bound(chunk->tasks.begin(), chunk->tasks.end(), compressed,
                       [](const PageTask& t, const uint8_t* p) { return t.compressed.data() < p; });
  if (it == chunk->tasks.end() || it->compressed.data() != compressed) return false;
  const size_t task = static_cast<size_t>(it - chunk->tasks.begin());
  if (task >= chunk->next_claim) {
    chunk->next_claim = task + 1;
    return false;
  }
  int s = -1;
  for (size_t i = 0; i < chunk->slots.size(); ++i) {
    if (chunk->slots[i].state != Chunk::State::kFree && chunk->slots[i].task == task) {
      s = static_cast<int>(i);
    }
  }
  if (s < 0) return false;
  Chunk::Slot& slot = chunk->slots[static_cast<size_t>(s)];
  std::unique_ptr<Codec> unused;
  while (slot.state == Chunk::State::kBusy) {
    if (!DecompressNext(chunk, &unused, codec, &lock)) changed_.wait(lock);
  }
  if (slot.state == Chunk::State::kFailed) {
    slot.state = Chunk::State::kFree;
    changed_.notify_all();
    return false;
  }
  chunk->held = s;
  *body = ByteView(slot.buffer.data(), chunk->tasks[task].uncompressed_size);
  return true;
}

void DecompressionBoard::Withdraw(Chunk* chunk) {
  std::unique_lock<std::mutex> lock(mu_);
  chunk->withdrawn = true;
  changed_.wait(lock, [&] { return chunk->helpers == 0; });
  chunks_.erase(std::find_if(chunks_.begin(), chunks_.end(),
                             [&](const std::unique_ptr<Chunk>& c) { return c.get() == chunk; }));
}

void DecompressionBoard::ColumnFinished() {
  std::lock_guard<std::mutex> lock(mu_);
  ++finished_;
  changed_.notify_all();
}

void DecompressionBoard::Help(std::unique_ptr<Codec>* codec) {
  std::unique_lock<std::mutex> lock(mu_);
  while (finished_ < columns_) {
    bool worked = false;
    for (size_t c = 0; c < chunks_.size() && !worked; ++c) {
      worked = DecompressNext(chunks_[c].get(), codec, nullptr, &lock);
    }
    if (!worked) changed_.wait(lock);
  }
}

}  // namespace floe::parquet
