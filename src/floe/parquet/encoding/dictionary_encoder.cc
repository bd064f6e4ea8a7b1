#include "floe/parquet/encoding/dictionary_encoder.h"

#include <algorithm>

#include "floe/parquet/encoding/rle_encoder.h"
#include "floe/util/endian.h"
#include "floe/util/hash.h"

namespace floe::parquet {

namespace {
constexpr int kInitialLog2 = 10;

// Equality of n bytes; short values (most dictionary keys) compare with two overlapping loads
// instead of a call to memcmp.
inline bool BytesEqual(const char* a, const char* b, size_t n) {
  if (n >= 8 && n <= 16) {
    uint64_t a0, b0, a1, b1;
    std::memcpy(&a0, a, 8);
    std::memcpy(&b0, b, 8);
    std::memcpy(&a1, a + n - 8, 8);
    std::memcpy(&b1, b + n - 8, 8);
    return a0 == b0 && a1 == b1;
  }
  if (n >= 4 && n < 8) {
    uint32_t a0, b0, a1, b1;
    std::memcpy(&a0, a, 4);
    std::memcpy(&b0, b, 4);
    std::memcpy(&a1, a + n - 4, 4);
    std::memcpy(&b1, b + n - 4, 4);
    return a0 == b0 && a1 == b1;
  }
  if (n < 4) {
    for (size_t i = 0; i < n; ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }
  return std::memcmp(a, b, n) == 0;
}
}  // namespace

template <typename T>
void NumericDictionaryEncoder<T>::Clear() {
  values_.clear();
  slots_.assign(size_t{1} << kInitialLog2, 0);
  shift_ = 64 - kInitialLog2;
}

template <typename T>
void NumericDictionaryEncoder<T>::Grow() {
  size_t cap = slots_.size() * 2;
  slots_.assign(cap, 0);
  --shift_;
  size_t mask = cap - 1;
  for (size_t i = 0; i < values_.size(); ++i) {
    size_t s = Slot(ToBits(values_[i]));
    while (slots_[s] != 0) s = (s + 1) & mask;
    slots_[s] = static_cast<uint32_t>(i + 1);
  }
}

template <typename T>
void NumericDictionaryEncoder<T>::Encode(const T* values, size_t n,
                                         std::vector<uint32_t>* indices) {
  size_t base = indices->size();
  indices->resize(base + n);
  uint32_t* out = indices->data() + base;
  size_t mask = slots_.size() - 1;
  for (size_t i = 0; i < n; ++i) {
    Bits b = ToBits(values[i]);
    size_t s = Slot(b);
    while (true) {
      uint32_t e = slots_[s];
      if (e == 0) {
        values_.push_back(values[i]);
        slots_[s] = static_cast<uint32_t>(values_.size());
        out[i] = static_cast<uint32_t>(values_.size() - 1);
        if (values_.size() * 2 > slots_.size()) {
          Grow();
          mask = slots_.size() - 1;
        }
        break;
      }
      if (ToBits(values_[e - 1]) == b) {
        out[i] = e - 1;
        break;
      }
      s = (s + 1) & mask;
    }
  }
}

template class NumericDictionaryEncoder<int32_t>;
template class NumericDictionaryEncoder<int64_t>;
template class NumericDictionaryEncoder<float>;
template class NumericDictionaryEncoder<double>;

void ByteArrayDictionaryEncoder::Clear() {
  bytes_.clear();
  starts_.assign(1, 0);
  slots_.assign(size_t{1} << kInitialLog2, 0);
  log2_capacity_ = kInitialLog2;
}

void ByteArrayDictionaryEncoder::Grow() {
  std::vector<uint64_t> old = std::move(slots_);
  ++log2_capacity_;
  slots_.assign(size_t{1} << log2_capacity_, 0);
  size_t mask = slots_.size() - 1;
  for (uint64_t e : old) {
    if (e == 0) continue;
    size_t s = static_cast<size_t>((e >> 32) >> (32 - log2_capacity_));
    while (slots_[s] != 0) s = (s + 1) & mask;
    slots_[s] = e;
  }
}

void ByteArrayDictionaryEncoder::Encode(const ByteArrayValues& values, size_t first, size_t n,
                                        std::vector<uint32_t>* indices) {
  size_t base = indices->size();
  indices->resize(base + n);
  uint32_t* out = indices->data() + base;
  size_t mask = slots_.size() - 1;
  // Hashes are computed a block ahead and their slots prefetched: with tens of thousands of
  // distinct values the table no longer fits the cache and each probe would wait on memory.
  // A value equal to the one before it takes its index unhashed: runs are common (the first
  // sort column; values that hardly change, such as extensions), and for a column of distinct
  // values the check costs a length comparison or two loads of bytes in cache.
  constexpr size_t kBlock = 16;
  uint32_t hashes[kBlock];
  bool repeats[kBlock];
  for (size_t i = 0; i < n; ++i) {
    if (i % kBlock == 0) {
      size_t m = std::min(kBlock, n - i);
      for (size_t k = 0; k < m; ++k) {
        const std::string_view v = values[first + i + k];
        if (i + k > 0) {
          const std::string_view before = values[first + i + k - 1];
          repeats[k] = before.size() == v.size() &&
                       (before.data() == v.data() || BytesEqual(before.data(), v.data(), v.size()));
          if (repeats[k]) continue;
        } else {
          repeats[k] = false;
        }
        hashes[k] = static_cast<uint32_t>(XxHash3(v.data(), v.size()) >> 32);
        __builtin_prefetch(&slots_[hashes[k] >> (32 - log2_capacity_)]);
      }
    }
    if (repeats[i % kBlock]) {
      out[i] = out[i - 1];
      continue;
    }
    const std::string_view v = values[first + i];
    const char* p = v.data();
    const size_t len = v.size();
    uint32_t h32 = hashes[i % kBlock];
    size_t s = h32 >> (32 - log2_capacity_);
    while (true) {
      uint64_t e = slots_[s];
      if (e == 0) {
        bytes_.append(p, len);
        starts_.push_back(static_cast<uint32_t>(bytes_.size()));
        auto idx = static_cast<uint32_t>(starts_.size() - 2);
        slots_[s] = (uint64_t{h32} << 32) | (idx + 1);
        out[i] = idx;
        if ((size() + 1) * 2 > slots_.size()) {
          Grow();
          mask = slots_.size() - 1;
        }
        break;
      }
      if (static_cast<uint32_t>(e >> 32) == h32) {
        uint32_t idx = static_cast<uint32_t>(e) - 1;
        uint32_t begin = starts_[idx];
        if (starts_[idx + 1] - begin == len && BytesEqual(bytes_.data() + begin, p, len)) {
          out[i] = idx;
          break;
        }
      }
      s = (s + 1) & mask;
    }
  }
}

void ByteArrayDictionaryEncoder::WriteDictionaryPage(Buffer* out) const {
  if (fixed_length_ != 0) {
    out->Append(bytes_.data(), bytes_.size());
    return;
  }
  uint8_t* p = out->EnsureTail(plain_bytes());
  for (size_t i = 0; i < size(); ++i) {
    uint32_t len = starts_[i + 1] - starts_[i];
    StoreLE<uint32_t>(p, len);
    std::memcpy(p + 4, bytes_.data() + starts_[i], len);
    p += 4 + len;
  }
  out->Resize(out->size() + plain_bytes());
}

void EncodeDictionaryIndices(const uint32_t* indices, size_t n, size_t dictionary_size,
                             Buffer* out) {
  // Width 0 is legal for a one-entry dictionary, but some readers mishandle it: use at least 1.
  int width = BitWidthFor(dictionary_size > 1 ? dictionary_size - 1 : 1);
  out->PushBack(static_cast<uint8_t>(width));
  RleBitPackedEncoder::Encode(indices, n, width, out);
}

}  // namespace floe::parquet
