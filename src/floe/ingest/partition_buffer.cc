#include "floe/ingest/partition_buffer.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "floe/parquet/writer.h"

namespace floe::ingest {

using iceberg::Literal;
using iceberg::TypeId;
using parquet::ColumnVector;
using parquet::LeafColumn;
using parquet::PhysicalType;

namespace {

// Appends the index of each row's value in the column's dense value arrays, -1 for a null.
void AppendValueIndex(const ColumnVector& c, int64_t rows, std::vector<int32_t>* idx) {
  const size_t start = idx->size();
  idx->resize(start + static_cast<size_t>(rows));
  int32_t* out = idx->data() + start;
  if (c.def_levels.empty()) {
    std::iota(out, out + rows, 0);
    return;
  }
  int32_t next = 0;
  for (int64_t r = 0; r < rows; ++r) {
    out[r] = c.def_levels[static_cast<size_t>(r)] > 0 ? next++ : -1;
  }
}

std::string_view BytesAt(const ColumnVector& c, int32_t i) {
  return std::string_view(
      c.bytes.data() + c.offsets[static_cast<size_t>(i)],
      c.offsets[static_cast<size_t>(i) + 1] - c.offsets[static_cast<size_t>(i)]);
}

template <typename T>
int Cmp(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// Compares value `a` of `ca` with value `b` of `cb`, two chunks of one column.
int CompareValues(const LeafColumn& leaf, const ColumnVector& ca, int32_t a, const ColumnVector& cb,
                  int32_t b) {
  switch (leaf.physical) {
    case PhysicalType::kBoolean:
      return Cmp(ca.bools[static_cast<size_t>(a)], cb.bools[static_cast<size_t>(b)]);
    case PhysicalType::kInt32:
      return Cmp(ca.i32[static_cast<size_t>(a)], cb.i32[static_cast<size_t>(b)]);
    case PhysicalType::kInt64:
      return Cmp(ca.i64[static_cast<size_t>(a)], cb.i64[static_cast<size_t>(b)]);
    case PhysicalType::kFloat:
      return Cmp(ca.f32[static_cast<size_t>(a)], cb.f32[static_cast<size_t>(b)]);
    case PhysicalType::kDouble:
      return Cmp(ca.f64[static_cast<size_t>(a)], cb.f64[static_cast<size_t>(b)]);
    default: {
      int r = BytesAt(ca, a).compare(BytesAt(cb, b));
      return r < 0 ? -1 : (r > 0 ? 1 : 0);
    }
  }
}

void AppendBytes(ColumnVector* c, std::string_view v) {
  if (c->offsets.empty()) c->offsets.push_back(0);
  c->bytes.append(v);
  c->offsets.push_back(static_cast<uint32_t>(c->bytes.size()));
}

// What a column's vectors hold from the allocator: their capacities, which run up to twice their
// sizes as they grow; counting sizes let the server's RSS reach about twice max_buffered_bytes.
int64_t HeldBytes(const ColumnVector& c) {
  size_t held = c.def_levels.capacity() * sizeof(int16_t) +
                c.rep_levels.capacity() * sizeof(int16_t) + c.bools.capacity() +
                c.i32.capacity() * sizeof(int32_t) + c.i64.capacity() * sizeof(int64_t) +
                c.f32.capacity() * sizeof(float) + c.f64.capacity() * sizeof(double) +
                c.offsets.capacity() * sizeof(uint32_t) + c.bytes.capacity();
  return static_cast<int64_t>(held);
}

void AppendValue(const LeafColumn& leaf, const Literal& v, ColumnVector* column);

// Room for `rows` levels of `leaf` in `c`, and `values` values in the vector of its physical type
// (byte arrays: their offsets and `bytes` bytes).
void ReserveRows(const LeafColumn& leaf, size_t rows, size_t values, size_t bytes,
                 ColumnVector* c) {
  if (leaf.max_def > 0) c->def_levels.reserve(rows);
  if (values == 0) return;
  switch (leaf.physical) {
    case PhysicalType::kBoolean: c->bools.reserve(values); break;
    case PhysicalType::kInt32: c->i32.reserve(values); break;
    case PhysicalType::kInt64: c->i64.reserve(values); break;
    case PhysicalType::kFloat: c->f32.reserve(values); break;
    case PhysicalType::kDouble: c->f64.reserve(values); break;
    default:
      c->offsets.reserve(values + 1);
      c->bytes.reserve(bytes);
      break;
  }
}

// Copies value `i` of `from` to the end of `to`.
void CopyValue(const LeafColumn& leaf, const ColumnVector& from, int32_t i, ColumnVector* to) {
  size_t k = static_cast<size_t>(i);
  switch (leaf.physical) {
    case PhysicalType::kBoolean: to->bools.push_back(from.bools[k]); break;
    case PhysicalType::kInt32: to->i32.push_back(from.i32[k]); break;
    case PhysicalType::kInt64: to->i64.push_back(from.i64[k]); break;
    case PhysicalType::kFloat: to->f32.push_back(from.f32[k]); break;
    case PhysicalType::kDouble: to->f64.push_back(from.f64[k]); break;
    default: AppendBytes(to, BytesAt(from, i)); break;
  }
  ++to->num_values;
}

// One value of a column: its chunk and its index in the chunk's value arrays.
struct ValueRef {
  uint32_t chunk = 0;
  int32_t value = 0;
};

// Sets `to`'s values to values `values` of `chunks` (one column's vector in each chunk), sized
// once instead of growing value by value. Byte arrays become views of the chunks (the writer
// copies them into its pages): copying them into `to` first was most of a flush's memmove and
// held a batch's bytes (~30 MB of 65,536 events) besides.
void GatherValues(const LeafColumn& leaf, const std::vector<const ColumnVector*>& chunks,
                  std::span<const ValueRef> values, ColumnVector* to) {
  const size_t n = values.size();
  to->num_values = static_cast<int64_t>(n);
  auto gather = [&](auto member, auto* dst) {
    dst->resize(n);
    for (size_t j = 0; j < n; ++j) {
      (*dst)[j] = (chunks[values[j].chunk]->*member)[static_cast<size_t>(values[j].value)];
    }
  };
  switch (leaf.physical) {
    case PhysicalType::kBoolean: gather(&ColumnVector::bools, &to->bools); return;
    case PhysicalType::kInt32: gather(&ColumnVector::i32, &to->i32); return;
    case PhysicalType::kInt64: gather(&ColumnVector::i64, &to->i64); return;
    case PhysicalType::kFloat: gather(&ColumnVector::f32, &to->f32); return;
    case PhysicalType::kDouble: gather(&ColumnVector::f64, &to->f64); return;
    default: break;
  }
  to->views.resize(n);
  for (size_t j = 0; j < n; ++j) to->views[j] = BytesAt(*chunks[values[j].chunk], values[j].value);
}

}  // namespace

PartitionBuffer::PartitionBuffer(const std::vector<LeafColumn>* leaves,
                                 std::vector<Literal> partition, std::string partition_path,
                                 int64_t expected_rows)
    : leaves_(leaves),
      partition_(std::move(partition)),
      partition_path_(std::move(partition_path)),
      expected_rows_(expected_rows) {}

PartitionBuffer::Chunk& PartitionBuffer::Tail() {
  if (chunks_.empty()) {
    chunks_.push_back(Chunk{std::vector<ColumnVector>(leaves_->size()), 0});
    // A body's buffer: room for the sample rows at once (64 bytes a byte array), instead of
    // growing to them value by value (five reallocations of every vector); ReserveExpected
    // sizes it for the rest.
    if (expected_rows_ > 2 * kSampleRows) {
      for (size_t i = 0; i < leaves_->size(); ++i) {
        ReserveRows((*leaves_)[i], kSampleRows, kSampleRows, kSampleRows * 64,
                    &chunks_.back().columns[i]);
      }
    }
  }
  return chunks_.back();
}

int64_t PartitionBuffer::TailBytes() const {
  int64_t held = 0;
  if (!chunks_.empty()) {
    for (const ColumnVector& c : chunks_.back().columns) held += HeldBytes(c);
  }
  return held;
}

int64_t PartitionBuffer::bytes() const { return sealed_bytes_ + TailBytes(); }

void PartitionBuffer::ReserveExpected() {
  // From the rows so far (kSampleRows of them), with an eighth to spare.
  Chunk& tail = chunks_.back();
  const auto rows = static_cast<size_t>(expected_rows_);
  const auto sample = static_cast<size_t>(tail.rows);
  for (size_t i = 0; i < leaves_->size(); ++i) {
    ColumnVector& c = tail.columns[i];
    // A column with no value in the sample (all null so far) reserves its levels only.
    ReserveRows((*leaves_)[i], rows, c.num_values > 0 ? rows : 0,
                c.bytes.size() / sample * rows / 8 * 9, &c);
  }
  expected_rows_ = 0;
}

Status PartitionBuffer::AppendRow(const MappedRow& row) {
  const auto& leaves = *leaves_;
  if (row.values.size() != leaves.size()) {
    return Status::Internal("buffer: " + std::to_string(row.values.size()) + " values for " +
                            std::to_string(leaves.size()) + " columns");
  }
  using Kind = RowValue::Kind;
  // Checked first so a bad row leaves every column as it was.
  for (size_t i = 0; i < leaves.size(); ++i) {
    const RowValue& v = row.values[i];
    const LeafColumn& leaf = leaves[i];
    bool null = v.kind == Kind::kNull || v.kind == Kind::kUnset ||
                (v.kind == Kind::kLiteral && row.literals[v.literal].is_null());
    if (null && leaf.max_def == 0) {
      return Status::Internal("buffer: null in required column " + leaf.path[0]);
    }
    if ((v.kind == Kind::kString && leaf.physical != PhysicalType::kByteArray) ||
        (v.kind == Kind::kTimestampTz && leaf.physical != PhysicalType::kInt64)) {
      return Status::Internal("buffer: a value of another type for column " + leaf.path[0]);
    }
  }
  Chunk& tail = Tail();
  for (size_t i = 0; i < leaves.size(); ++i) {
    const LeafColumn& leaf = leaves[i];
    const RowValue& v = row.values[i];
    ColumnVector& c = tail.columns[i];
    switch (v.kind) {
      case Kind::kString:
        ++c.num_levels;
        ++c.num_values;
        if (leaf.max_def > 0) c.def_levels.push_back(1);
        AppendBytes(&c, v.text);
        break;
      case Kind::kTimestampTz:
        ++c.num_levels;
        ++c.num_values;
        if (leaf.max_def > 0) c.def_levels.push_back(1);
        c.i64.push_back(v.micros);
        break;
      case Kind::kLiteral: AppendValue(leaf, row.literals[v.literal], &c); break;
      case Kind::kUnset:
      case Kind::kNull:
        ++c.num_levels;
        c.def_levels.push_back(0);
        break;
    }
  }
  ++tail.rows;
  ++rows_;
  if (tail.rows == kSampleRows && expected_rows_ > 2 * kSampleRows) ReserveExpected();
  return Status::OK();
}

void PartitionBuffer::AppendRows(const PartitionBuffer& from, std::span<const uint32_t> rows) {
  const auto& leaves = *leaves_;
  Chunk& tail = Tail();
  for (size_t i = 0; i < leaves.size(); ++i) {
    ColumnVector& c = tail.columns[i];
    const bool optional = leaves[i].max_def > 0;
    size_t next = 0;  // in `rows`
    uint32_t first = 0;
    std::vector<int32_t> index;
    for (const Chunk& chunk : from.chunks_) {
      const ColumnVector& src = chunk.columns[i];
      const uint32_t end = first + static_cast<uint32_t>(chunk.rows);
      if (next < rows.size() && rows[next] < end) {
        index.clear();
        AppendValueIndex(src, chunk.rows, &index);
        for (; next < rows.size() && rows[next] < end; ++next) {
          int32_t v = index[rows[next] - first];
          ++c.num_levels;
          if (optional) c.def_levels.push_back(v < 0 ? 0 : 1);
          if (v >= 0) CopyValue(leaves[i], src, v, &c);
        }
      }
      first = end;
    }
  }
  tail.rows += static_cast<int64_t>(rows.size());
  rows_ += static_cast<int64_t>(rows.size());
}

void PartitionBuffer::Adopt(PartitionBuffer&& from) {
  if (from.rows_ == 0) return;
  // The tail so far is sealed: rows go on being appended to the last adopted chunk.
  int64_t held = bytes();
  for (Chunk& chunk : from.chunks_) {
    if (chunk.rows == 0) continue;
    for (const ColumnVector& c : chunk.columns) held += HeldBytes(c);
    chunks_.push_back(std::move(chunk));
  }
  sealed_bytes_ = held;
  sealed_bytes_ -= TailBytes();
  rows_ += from.rows_;
  from.chunks_.clear();
  from.rows_ = 0;
  from.sealed_bytes_ = 0;
}

namespace {

void AppendValue(const LeafColumn& leaf, const Literal& v, ColumnVector* column) {
  ColumnVector& c = *column;
  ++c.num_levels;
  if (leaf.max_def > 0) c.def_levels.push_back(v.is_null() ? 0 : 1);
  if (v.is_null()) return;
  ++c.num_values;
  TypeId type = v.type().id;
  switch (leaf.physical) {
    case PhysicalType::kBoolean: c.bools.push_back(v.bool_value() ? 1 : 0); break;
    case PhysicalType::kInt32:
      c.i32.push_back(type == TypeId::kDecimal ? static_cast<int32_t>(v.decimal_unscaled())
                                               : v.int_value());
      break;
    case PhysicalType::kInt64:
      c.i64.push_back(type == TypeId::kDecimal ? static_cast<int64_t>(v.decimal_unscaled())
                      : type == TypeId::kInt   ? v.int_value()
                                               : v.long_value());
      break;
    case PhysicalType::kFloat: c.f32.push_back(v.float_value()); break;
    case PhysicalType::kDouble:
      c.f64.push_back(type == TypeId::kFloat ? v.float_value() : v.double_value());
      break;
    default: {
      if (type == TypeId::kUuid) {
        const auto& b = v.uuid_value().bytes;
        AppendBytes(&c, std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
      } else if (type == TypeId::kDecimal) {
        // Big-endian two's complement, sign-extended to the column's width.
        std::string be(static_cast<size_t>(leaf.type_length), '\0');
        iceberg::Int128 u = v.decimal_unscaled();
        for (int k = leaf.type_length - 1; k >= 0; --k) {
          be[static_cast<size_t>(k)] = static_cast<char>(static_cast<uint8_t>(u & 0xff));
          u >>= 8;
        }
        AppendBytes(&c, be);
      } else {
        AppendBytes(&c, v.bytes_value());
      }
      break;
    }
  }
}

}  // namespace

namespace {

// Order-preserving unsigned images of a key column's values (ascending), or nothing for a column
// they are not made for (nulls, floating point). Strings get their rank among the distinct
// values: the columns rows are sorted by (type, ...) have few distinct values.
// `chunks` are the column's vector in each chunk of `rows` rows in all.
std::optional<std::vector<uint64_t>> Ordinals(const LeafColumn& leaf,
                                              const std::vector<const ColumnVector*>& chunks,
                                              int64_t rows) {
  int64_t values = 0;
  for (const ColumnVector* c : chunks) values += c->num_values;
  if (values != rows) return std::nullopt;  // nulls
  const auto n = static_cast<size_t>(rows);
  std::vector<uint64_t> out(n);
  constexpr uint64_t kSign = uint64_t{1} << 63;
  switch (leaf.physical) {
    case PhysicalType::kFloat:
    case PhysicalType::kDouble: return std::nullopt;
    default: break;
  }
  std::unordered_map<std::string_view, uint32_t> ids;
  std::vector<std::string_view> distinct;
  size_t r = 0;
  for (const ColumnVector* cp : chunks) {
    const ColumnVector& c = *cp;
    const auto m = static_cast<size_t>(c.num_values);
    switch (leaf.physical) {
      case PhysicalType::kBoolean:
        for (size_t k = 0; k < m; ++k) out[r++] = c.bools[k];
        break;
      case PhysicalType::kInt32:
        for (size_t k = 0; k < m; ++k) out[r++] = static_cast<uint64_t>(int64_t{c.i32[k]}) ^ kSign;
        break;
      case PhysicalType::kInt64:
        for (size_t k = 0; k < m; ++k) out[r++] = static_cast<uint64_t>(c.i64[k]) ^ kSign;
        break;
      default:
        for (size_t k = 0; k < m; ++k) {
          std::string_view v = BytesAt(c, static_cast<int32_t>(k));
          // try_emplace, not emplace: emplace makes (mallocs) a node before it looks, once per
          // row, and a flush's mallocs contend with the mapping threads' for the one arena.
          auto [it, added] = ids.try_emplace(v, static_cast<uint32_t>(distinct.size()));
          if (added) distinct.push_back(v);
          out[r++] = it->second;
        }
        break;
    }
  }
  if (leaf.physical == PhysicalType::kBoolean || leaf.physical == PhysicalType::kInt32 ||
      leaf.physical == PhysicalType::kInt64) {
    return out;
  }
  std::vector<uint32_t> by_value(distinct.size());
  std::iota(by_value.begin(), by_value.end(), 0u);
  std::sort(by_value.begin(), by_value.end(),
            [&](uint32_t a, uint32_t b) { return distinct[a] < distinct[b]; });
  std::vector<uint64_t> rank(distinct.size());
  for (size_t i = 0; i < by_value.size(); ++i) rank[by_value[i]] = i;
  for (uint64_t& o : out) o = rank[o];
  return out;
}

}  // namespace

std::vector<const ColumnVector*> PartitionBuffer::ColumnChunks(size_t column) const {
  std::vector<const ColumnVector*> out;
  out.reserve(chunks_.size());
  for (const Chunk& chunk : chunks_) out.push_back(&chunk.columns[column]);
  return out;
}

bool PartitionBuffer::SortByOrdinals(const std::vector<SortKey>& keys,
                                     std::vector<uint32_t>* order) const {
  // Comparing integers in one array beats comparing values through the columns: the sort was
  // most of a flush's CPU beside the Parquet encoding.
  constexpr size_t kMaxKeys = 3;
  if (keys.size() > kMaxKeys) return false;
  struct Entry {
    std::array<uint64_t, kMaxKeys> key{};
    uint32_t row = 0;
  };
  std::vector<Entry> entries(static_cast<size_t>(rows_));
  for (size_t k = 0; k < keys.size(); ++k) {
    const size_t column = keys[k].column;
    auto ordinals = Ordinals((*leaves_)[column], ColumnChunks(column), rows_);
    if (!ordinals) return false;
    for (size_t r = 0; r < entries.size(); ++r) {
      entries[r].key[k] = keys[k].descending ? ~(*ordinals)[r] : (*ordinals)[r];
    }
  }
  for (size_t r = 0; r < entries.size(); ++r) entries[r].row = static_cast<uint32_t>(r);
  // The row breaks ties, so the order is the stable one.
  auto less = [](const Entry& a, const Entry& b) {
    return a.key != b.key ? a.key < b.key : a.row < b.row;
  };
  // Events are sorted by a first key of few values (the type) and then mostly arrive in the
  // order of the next (the time): a stable counting sort by the first key leaves runs that are
  // in order but for a few late events, which are sorted on their own and merged back.
  uint64_t max_first = 0;
  for (const Entry& e : entries) max_first = std::max(max_first, e.key[0]);
  constexpr uint64_t kMaxBuckets = 4096;
  if (max_first >= kMaxBuckets || entries.size() < 2 * kMaxBuckets) {
    std::sort(entries.begin(), entries.end(), less);
  } else {
    std::vector<size_t> start(static_cast<size_t>(max_first) + 2, 0);
    for (const Entry& e : entries) ++start[static_cast<size_t>(e.key[0]) + 1];
    for (size_t b = 1; b < start.size(); ++b) start[b] += start[b - 1];
    std::vector<Entry> sorted(entries.size());
    std::vector<size_t> next(start.begin(), start.end() - 1);
    for (const Entry& e : entries) sorted[next[static_cast<size_t>(e.key[0])]++] = e;
    std::vector<Entry> late;
    for (size_t b = 0; b + 1 < start.size(); ++b) {
      auto first = sorted.begin() + static_cast<std::ptrdiff_t>(start[b]);
      auto last = sorted.begin() + static_cast<std::ptrdiff_t>(start[b + 1]);
      if (std::is_sorted(first, last, less)) continue;
      // A few late events: the in-order rest stays where it is, the late ones are sorted apart
      // and merged in.
      late.clear();
      auto kept = first;
      for (auto it = first; it != last; ++it) {
        if (kept != first && less(*it, *(kept - 1))) {
          late.push_back(*it);
        } else {
          *kept++ = *it;
        }
      }
      std::copy(late.begin(), late.end(), kept);
      std::sort(kept, last, less);
      std::inplace_merge(first, kept, last, less);
    }
    entries = std::move(sorted);
  }
  for (size_t r = 0; r < entries.size(); ++r) (*order)[r] = entries[r].row;
  return true;
}

Status PartitionBuffer::WriteSorted(const std::vector<SortKey>& keys,
                                    parquet::ParquetWriter* writer, int64_t batch_rows) const {
  const auto& leaves = *leaves_;
  // Row r's chunk, and each column's index of row r's value in that chunk (-1: null), made only
  // for the columns with nulls and the comparing sort's keys: in a column with a value in every
  // row, a row's value has the row's place in its chunk.
  std::vector<uint32_t> row_chunk;
  row_chunk.reserve(static_cast<size_t>(rows_));
  std::vector<uint32_t> chunk_first(chunks_.size());
  for (size_t k = 0; k < chunks_.size(); ++k) {
    chunk_first[k] = static_cast<uint32_t>(row_chunk.size());
    row_chunk.insert(row_chunk.end(), static_cast<size_t>(chunks_[k].rows),
                     static_cast<uint32_t>(k));
  }
  std::vector<std::vector<int32_t>> index(leaves.size());
  std::vector<std::vector<const ColumnVector*>> sources(leaves.size());
  std::vector<char> dense(leaves.size(), 1);
  for (size_t i = 0; i < leaves.size(); ++i) {
    sources[i] = ColumnChunks(i);
    for (const Chunk& chunk : chunks_) {
      if (chunk.columns[i].num_values != chunk.rows) dense[i] = 0;
    }
  }
  auto make_index = [&](size_t i) {
    if (!index[i].empty() || rows_ == 0) return;
    index[i].reserve(static_cast<size_t>(rows_));
    for (const Chunk& chunk : chunks_) AppendValueIndex(chunk.columns[i], chunk.rows, &index[i]);
  };
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (!dense[i]) make_index(i);
  }
  std::vector<uint32_t> order(static_cast<size_t>(rows_));
  std::iota(order.begin(), order.end(), 0u);
  if (!keys.empty() && !SortByOrdinals(keys, &order)) {
    for (const SortKey& k : keys) make_index(k.column);
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      for (const SortKey& k : keys) {
        int32_t va = index[k.column][a];
        int32_t vb = index[k.column][b];
        int r;
        if (va < 0 || vb < 0) {
          if (va < 0 && vb < 0) continue;
          r = (va < 0) == k.nulls_first ? -1 : 1;
          return r < 0;
        }
        r = CompareValues(leaves[k.column], *sources[k.column][row_chunk[a]], va,
                          *sources[k.column][row_chunk[b]], vb);
        if (r == 0) continue;
        return k.descending ? r > 0 : r < 0;
      }
      return false;
    });
  }
  // Each row's chunk and place in it, in write order: found once per row, where looking them up
  // per column (two reads at scattered places of arrays of a few MB for each value) was most of
  // the gather's time.
  std::vector<ValueRef> place(order.size());
  for (size_t r = 0; r < order.size(); ++r) {
    const uint32_t row = order[r];
    const uint32_t chunk = row_chunk[row];
    place[r] = ValueRef{chunk, static_cast<int32_t>(row - chunk_first[chunk])};
  }
  // Each column is gathered in the writer's task that encodes it: on its threads, and while the
  // values are still in cache.
  std::vector<parquet::ColumnVector> columns;
  std::vector<std::vector<ValueRef>> values(leaves.size());  // a batch column's, in write order
  for (int64_t start = 0; start < rows_; start += batch_rows) {
    const int64_t end = std::min(rows_, start + batch_rows);
    auto fill = [&](size_t i, ColumnVector* out) {
      out->Clear();
      out->num_levels = end - start;
      const auto n = static_cast<size_t>(end - start);
      if (dense[i]) {
        if (leaves[i].max_def > 0) out->def_levels.assign(n, 1);
        GatherValues(leaves[i], sources[i],
                     std::span<const ValueRef>(place).subspan(static_cast<size_t>(start), n), out);
        return Status::OK();
      }
      std::vector<ValueRef>& vals = values[i];  // a column with nulls: an optional one
      vals.clear();
      const std::vector<int32_t>& idx = index[i];
      out->def_levels.resize(n);
      for (int64_t r = start; r < end; ++r) {
        int32_t v = idx[order[static_cast<size_t>(r)]];
        out->def_levels[static_cast<size_t>(r - start)] = v < 0 ? 0 : 1;
        if (v >= 0) vals.push_back(ValueRef{place[static_cast<size_t>(r)].chunk, v});
      }
      GatherValues(leaves[i], sources[i], vals, out);
      return Status::OK();
    };
    FLOE_RETURN_IF_ERROR(writer->WriteColumns(end - start, fill, &columns));
  }
  return Status::OK();
}

}  // namespace floe::ingest
