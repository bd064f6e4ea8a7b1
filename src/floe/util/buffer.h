#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <span>
#include <string_view>
#include <utility>

namespace floe {

using ByteView = std::span<const uint8_t>;

inline ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsStringView(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// A growable byte buffer that, unlike std::vector<uint8_t>, does not zero memory on resize:
// encoders reserve, write through data(), then set the size. Move-only.
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(size_t capacity) { Reserve(capacity); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  Buffer(Buffer&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)),
        capacity_(std::exchange(o.capacity_, 0)) {}
  Buffer& operator=(Buffer&& o) noexcept {
    if (this != &o) {
      std::free(data_);
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
      capacity_ = std::exchange(o.capacity_, 0);
    }
    return *this;
  }
  ~Buffer() { std::free(data_); }

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }
  ByteView view() const { return {data_, size_}; }
  std::string_view string_view() const { return {reinterpret_cast<const char*>(data_), size_}; }

  void Reserve(size_t capacity) {
    if (capacity <= capacity_) return;
    size_t next = capacity_ ? capacity_ : 64;
    while (next < capacity) next += next / 2 + 64;
    auto* p = static_cast<uint8_t*>(std::realloc(data_, next));
    if (p == nullptr) throw std::bad_alloc();
    data_ = p;
    capacity_ = next;
  }
  // Sets the size; new bytes (if growing) are uninitialized.
  void Resize(size_t size) {
    Reserve(size);
    size_ = size;
  }
  void Clear() { size_ = 0; }
  // Frees the memory, not only the contents.
  void Release() {
    std::free(data_);
    data_ = nullptr;
    size_ = capacity_ = 0;
  }

  void Append(const void* p, size_t n) {
    if (n == 0) return;
    Reserve(size_ + n);
    std::memcpy(data_ + size_, p, n);
    size_ += n;
  }
  void Append(ByteView b) { Append(b.data(), b.size()); }
  void Append(std::string_view s) { Append(s.data(), s.size()); }
  void PushBack(uint8_t b) {
    if (size_ == capacity_) Reserve(size_ + 1);
    data_[size_++] = b;
  }
  // Room for n more bytes at the end; returns where to write them. Call Resize() after.
  uint8_t* EnsureTail(size_t n) {
    Reserve(size_ + n);
    return data_ + size_;
  }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace floe
