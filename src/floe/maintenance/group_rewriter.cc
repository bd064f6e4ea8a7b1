#include "floe/maintenance/group_rewriter.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "floe/iceberg/json_serde.h"
#include "floe/iceberg/name_mapping.h"
#include "floe/io/location.h"
#include "floe/parquet/reader.h"
#include "floe/parquet/writer.h"

namespace floe::maintenance {

namespace {

using parquet::ColumnVector;
using parquet::LeafColumn;
using parquet::PhysicalType;
using parquet::RowBatch;

constexpr int64_t kMiB = int64_t{1} << 20;

// Stored pages smaller than this (uncompressed, on average in a chunk) are encoded again rather
// than copied: merged into the writer's larger pages they compress better, which is worth the CPU.
// Event payload columns written in small files have pages of several hundred KiB; ids and
// timestamps in the same files have pages of a few KiB.
constexpr int64_t kMinCopiedPageBytes = 64 * 1024;

// How an input column becomes an output column.
enum class ColumnFill : uint8_t {
  kCopy,
  kIntToLong,      // int promoted to long
  kFloatToDouble,  // float promoted to double
  kAllNull,        // an optional top-level column the file does not have
  kConstant,       // a top-level column the file does not have, with a value (see MissingValue)
  kDefineAll,      // a required flat column read into an optional one
};

struct InputLayout {
  // The file and reader verification opened, kept for the rewrite so each input is fetched once
  // (on S3 the opening GET brings a small file whole). Null when not kept: reopened then.
  std::unique_ptr<RandomAccessFile> file;
  std::unique_ptr<parquet::ParquetReader> reader;
  std::vector<int> source_leaf;  // per output leaf: input leaf, or -1 (kAllNull, kConstant)
  std::vector<ColumnFill> fill;
  std::vector<iceberg::Literal> constants;  // per output leaf: the value of a kConstant column
  std::vector<int> read_leaves;             // input leaves to read, in output order
  int64_t max_row_group_bytes = 0;          // decoded estimate of the largest row group
  // Per output leaf: every chunk of the column has pages that can be copied into the output
  // as they are (see Rewrite::ChoosePageCopies).
  std::vector<bool> pages_copyable;
};

struct Pos {
  int64_t level = 0;
  int64_t value = 0;
};

int64_t Capacity(const ColumnVector& c) {
  return static_cast<int64_t>(c.def_levels.capacity() * 2 + c.rep_levels.capacity() * 2 +
                              c.bools.capacity() + c.i32.capacity() * 4 + c.i64.capacity() * 8 +
                              c.f32.capacity() * 4 + c.f64.capacity() * 8 +
                              c.offsets.capacity() * 4 + c.bytes.capacity());
}

int64_t Capacity(const RowBatch& b) {
  int64_t n = 0;
  for (const ColumnVector& c : b.columns) n += Capacity(c);
  return n;
}

template <typename T>
void AppendRange(const std::vector<T>& src, int64_t from, int64_t n, std::vector<T>* dst) {
  dst->insert(dst->end(), src.begin() + from, src.begin() + from + n);
}

// Appends `rows` rows of `src` starting at `pos` (a row start) to `dst` and moves `pos` past
// them. Returns the bytes appended (an estimate of the memory they take).
int64_t AppendRows(const ColumnVector& src, const LeafColumn& leaf, int64_t rows, Pos* pos,
                   ColumnVector* dst) {
  const int64_t l0 = pos->level;
  int64_t l1 = l0 + rows;
  if (leaf.max_rep > 0) {
    l1 = l0;
    int64_t seen = 0;
    while (l1 < src.num_levels) {
      if (src.rep_levels[static_cast<size_t>(l1)] == 0) {
        if (seen == rows) break;
        ++seen;
      }
      ++l1;
    }
  }
  const int64_t levels = l1 - l0;
  int64_t values = levels;
  if (leaf.max_def > 0) {
    values = 0;
    for (int64_t i = l0; i < l1; ++i)
      values += src.def_levels[static_cast<size_t>(i)] == leaf.max_def;
    AppendRange(src.def_levels, l0, levels, &dst->def_levels);
  }
  if (leaf.max_rep > 0) AppendRange(src.rep_levels, l0, levels, &dst->rep_levels);
  const int64_t v0 = pos->value;
  int64_t bytes = levels * 4;
  switch (leaf.physical) {
    case PhysicalType::kBoolean:
      AppendRange(src.bools, v0, values, &dst->bools);
      bytes += values;
      break;
    case PhysicalType::kInt32:
      AppendRange(src.i32, v0, values, &dst->i32);
      bytes += values * 4;
      break;
    case PhysicalType::kInt64:
      AppendRange(src.i64, v0, values, &dst->i64);
      bytes += values * 8;
      break;
    case PhysicalType::kFloat:
      AppendRange(src.f32, v0, values, &dst->f32);
      bytes += values * 4;
      break;
    case PhysicalType::kDouble:
      AppendRange(src.f64, v0, values, &dst->f64);
      bytes += values * 8;
      break;
    default: {
      if (values == 0) break;
      const uint32_t begin = src.offsets[static_cast<size_t>(v0)];
      const uint32_t end = src.offsets[static_cast<size_t>(v0 + values)];
      const auto base = static_cast<uint32_t>(dst->bytes.size());
      if (dst->offsets.empty()) dst->offsets.push_back(base);
      dst->bytes.append(src.bytes, begin, end - begin);
      for (int64_t i = 1; i <= values; ++i) {
        dst->offsets.push_back(base + (src.offsets[static_cast<size_t>(v0 + i)] - begin));
      }
      bytes += values * 4 + (end - begin);
      break;
    }
  }
  dst->num_levels += levels;
  dst->num_values += values;
  pos->level = l1;
  pos->value = v0 + values;
  return bytes;
}

// A leading sort field the merge compares on: an identity transform of a flat output column.
struct KeyColumn {
  size_t leaf = 0;
  bool descending = false;
  bool nulls_first = true;
};

// One input being read: its reader, the row group in memory and where in it the next row is.
struct Cursor {
  const LiveFile* input = nullptr;
  const InputLayout* layout = nullptr;
  std::unique_ptr<RandomAccessFile> file;
  std::unique_ptr<parquet::ParquetReader> reader;
  int next_row_group = 0;
  RowBatch raw;
  RowBatch batch;  // output leaf order
  // Per output leaf, the pages `batch`'s values were decoded from, where they are copied into
  // the output (empty: nothing copied from this batch). Such a batch goes to the writer whole.
  std::vector<parquet::StoredPages> stored;
  int64_t row = 0;
  std::vector<Pos> pos;             // per output column
  std::vector<int64_t> key_values;  // per key column: value index of row `row`
  bool done = false;
  size_t index = 0;         // in the group's usable inputs
  int64_t ahead_bytes = 0;  // of `batch`, while DecodeAhead counts it
};

// Decoded row groups handed from the thread that decodes inputs ahead to the one that copies
// and encodes them. Bytes are counted from the moment a row group's decode starts (its estimate)
// until the consumer releases the batch, and a decode starts only while they stay within the
// budget, or when nothing is held at all (one row group is always allowed, as without this).
class DecodeAhead {
 public:
  struct Item {
    size_t input = 0;
    RowBatch batch;
    std::vector<parquet::StoredPages> stored;
    int64_t bytes = 0;
    bool end = false;  // the input has no more row groups
    Status status;
    bool input_failed = false;  // the status is about the input's data
  };

  explicit DecodeAhead(int64_t budget_bytes) : budget_(budget_bytes) {}
  ~DecodeAhead() { Stop(); }
  DecodeAhead(const DecodeAhead&) = delete;
  DecodeAhead& operator=(const DecodeAhead&) = delete;

  // `work` runs on the decoding thread; it must return once WaitForRoom answers false.
  void Start(std::function<void()> work) { worker_ = std::thread(std::move(work)); }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (worker_.joinable()) worker_.join();
  }

  // Decoding thread: reserves `need` bytes before decoding; false when stopping.
  bool WaitForRoom(int64_t need) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] {
      return stop_ || held_ == 0 || (held_ + need <= budget_ && queue_.size() < kMaxQueued);
    });
    if (stop_) return false;
    held_ += need;
    return true;
  }

  // Decoding thread: replaces the reservation by the item's real bytes.
  void Push(Item item, int64_t reserved) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      held_ += item.bytes - reserved;
      queue_.push_back(std::move(item));
    }
    cv_.notify_all();
  }

  void Unreserve(int64_t reserved) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      held_ -= reserved;
    }
    cv_.notify_all();
  }

  Item Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !queue_.empty(); });
    Item item = std::move(queue_.front());
    queue_.pop_front();
    return item;
  }

  // The consumer is done with a batch of `bytes`.
  void Release(int64_t bytes) { Unreserve(bytes); }

  int64_t held_bytes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return held_;
  }

 private:
  // Inputs of a few rows each would otherwise queue by the thousand.
  static constexpr size_t kMaxQueued = 16;

  const int64_t budget_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;  // guarded by mu_
  int64_t held_ = 0;        // guarded by mu_
  bool stop_ = false;       // guarded by mu_
  std::thread worker_;
};

bool Defined(const ColumnVector& c, const LeafColumn& leaf, int64_t row) {
  return leaf.max_def == 0 || c.def_levels[static_cast<size_t>(row)] == leaf.max_def;
}

template <typename T>
int Cmp(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// Floats by IEEE total order so NaNs do not break the heap.
int CmpDouble(double a, double b) {
  const bool na = a != a;
  const bool nb = b != b;
  if (na || nb) return Cmp(na, nb);
  return Cmp(a, b);
}

int CompareValue(const ColumnVector& a, int64_t ia, const ColumnVector& b, int64_t ib,
                 PhysicalType type) {
  const auto x = static_cast<size_t>(ia);
  const auto y = static_cast<size_t>(ib);
  switch (type) {
    case PhysicalType::kBoolean: return Cmp(a.bools[x], b.bools[y]);
    case PhysicalType::kInt32: return Cmp(a.i32[x], b.i32[y]);
    case PhysicalType::kInt64: return Cmp(a.i64[x], b.i64[y]);
    case PhysicalType::kFloat: return CmpDouble(a.f32[x], b.f32[y]);
    case PhysicalType::kDouble: return CmpDouble(a.f64[x], b.f64[y]);
    default: {
      std::string_view sa(a.bytes.data() + a.offsets[x], a.offsets[x + 1] - a.offsets[x]);
      std::string_view sb(b.bytes.data() + b.offsets[y], b.offsets[y + 1] - b.offsets[y]);
      // Unsigned byte order, as Iceberg orders strings and binary.
      const size_t n = std::min(sa.size(), sb.size());
      const int c = n == 0 ? 0 : std::memcmp(sa.data(), sb.data(), n);
      if (c != 0) return c < 0 ? -1 : 1;
      return Cmp(sa.size(), sb.size());
    }
  }
}

// The value of a column a data file lacks, by the spec's rules ("Column Projection"): its identity
// partition value, else its initial default, else null.
Result<iceberg::Literal> MissingValue(const iceberg::NestedField& field,
                                      const iceberg::PartitionSpec* spec,
                                      const std::vector<iceberg::Literal>& partition) {
  if (spec != nullptr) {
    for (size_t k = 0; k < spec->fields.size() && k < partition.size(); ++k) {
      const iceberg::PartitionField& pf = spec->fields[k];
      if (pf.source_id == field.id && pf.transform.kind() == iceberg::TransformKind::kIdentity) {
        return partition[k];
      }
    }
  }
  if (field.initial_default_json) {
    FLOE_ASSIGN_OR_RETURN(auto json,
                          iceberg::json_util::Parse(*field.initial_default_json, field.name));
    return iceberg::LiteralFromJson(field.type, json, "initial-default of " + field.name);
  }
  return iceberg::Literal::Null(field.type);
}

// Big-endian two's complement of `v` in `width` bytes (Parquet's decimal in byte arrays).
std::string DecimalBytes(iceberg::Int128 v, int32_t width) {
  std::string out(static_cast<size_t>(width), '\0');
  for (int32_t i = width - 1; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>(static_cast<uint8_t>(v & 0xff));
    v >>= 8;
  }
  return out;
}

// `rows` copies of `v` (not null) in the physical form of `leaf`, a flat column.
Status FillConstant(const iceberg::Literal& v, const LeafColumn& leaf, int64_t rows,
                    ColumnVector* col) {
  const auto n = static_cast<size_t>(rows);
  col->num_levels = rows;
  col->num_values = rows;
  if (leaf.max_def > 0) col->def_levels.assign(n, leaf.max_def);
  const iceberg::TypeId id = v.type().id;
  auto integer = [&]() -> int64_t {
    switch (id) {
      case iceberg::TypeId::kInt:
      case iceberg::TypeId::kDate: return v.int_value();
      case iceberg::TypeId::kDecimal: return static_cast<int64_t>(v.decimal_unscaled());
      default: return v.long_value();
    }
  };
  std::string bytes;
  switch (leaf.physical) {
    case PhysicalType::kBoolean: col->bools.assign(n, v.bool_value() ? 1 : 0); return Status::OK();
    case PhysicalType::kInt32:
      col->i32.assign(n, static_cast<int32_t>(integer()));
      return Status::OK();
    case PhysicalType::kInt64: col->i64.assign(n, integer()); return Status::OK();
    case PhysicalType::kFloat: col->f32.assign(n, v.float_value()); return Status::OK();
    case PhysicalType::kDouble:
      col->f64.assign(n, id == iceberg::TypeId::kFloat ? v.float_value() : v.double_value());
      return Status::OK();
    default: break;
  }
  if (id == iceberg::TypeId::kDecimal) {
    const int32_t width = leaf.physical == PhysicalType::kFixedLenByteArray ? leaf.type_length : 16;
    bytes = DecimalBytes(v.decimal_unscaled(), width);
  } else if (id == iceberg::TypeId::kUuid) {
    const auto& b = v.uuid_value().bytes;
    bytes.assign(reinterpret_cast<const char*>(b.data()), b.size());
  } else if (id == iceberg::TypeId::kString || id == iceberg::TypeId::kBinary ||
             id == iceberg::TypeId::kFixed) {
    bytes = v.bytes_value();
  } else {
    return Status::NotSupported("a constant " + v.ToString() + " for column " +
                                parquet::JoinPath(leaf.path));
  }
  if (leaf.physical == PhysicalType::kFixedLenByteArray &&
      static_cast<int32_t>(bytes.size()) != leaf.type_length) {
    return Status::InvalidArgument("a constant of " + std::to_string(bytes.size()) +
                                   " bytes for the " + std::to_string(leaf.type_length) +
                                   "-byte column " + parquet::JoinPath(leaf.path));
  }
  col->offsets.reserve(n + 1);
  col->offsets.push_back(0);
  col->bytes.reserve(n * bytes.size());
  for (size_t i = 0; i < n; ++i) {
    col->bytes += bytes;
    col->offsets.push_back(static_cast<uint32_t>(col->bytes.size()));
  }
  return Status::OK();
}

class Rewrite {
 public:
  Rewrite(ObjectStore* store, const iceberg::TableMetadata& metadata,
          const CompactionOptions& options, GroupRewriter::UuidSource* uuids,
          const FileGroup& group, std::string* failed_input, CpuTally* cpu_tally)
      : store_(store),
        metadata_(metadata),
        options_(options),
        uuids_(uuids),
        group_(group),
        failed_input_(failed_input),
        cpu_tally_(cpu_tally) {}

  Result<GroupRewrite> Run(size_t min_inputs);

 private:
  Status Prepare();
  Result<std::optional<InputLayout>> Verify(const LiveFile& input, InputProblem* problem);
  void KeepOpenIfRoom(InputLayout* layout);
  Status OpenCursor(Cursor* c);
  Status LoadRowGroup(Cursor* c);
  // Decodes row group `rg` of `reader` (c's input) into `batch`, in output leaf order; `raw` is
  // scratch. *input_failed says whether an error is the input's data.
  Status DecodeRowGroup(const Cursor& c, const parquet::ParquetReader& reader, int rg,
                        RowBatch* raw, RowBatch* batch, std::vector<parquet::StoredPages>* stored,
                        bool* input_failed) const;
  void ChoosePageCopies();
  void StartRowGroup(Cursor* c);
  // The decoding thread of ahead_: every row group of `inputs`, in order.
  void DecodeInputs(const std::vector<Cursor*>& inputs);
  Status MergeRun(std::vector<Cursor*> run);
  Status CopyRows(Cursor* c, int64_t rows);
  void AdvanceKey(Cursor* c);
  int CompareRows(const Cursor& a, const Cursor& b) const;
  Status FlushBatch(bool finish);
  Status CloseOutput();
  void NotePeak();
  void Cleanup();

  ObjectStore* store_;
  const iceberg::TableMetadata& metadata_;
  const CompactionOptions& options_;
  GroupRewriter::UuidSource* uuids_;
  const FileGroup& group_;
  std::string* failed_input_;
  CpuTally* cpu_tally_;  // may be null

  parquet::Schema schema_;
  // The group's output files are one series: what a column's dictionary taught in one file
  // carries to the next (parquet::DictionaryHistory).
  parquet::DictionaryHistory dictionary_history_;
  parquet::WriterOptions writer_options_;
  // Shared by the readers of inputs decoded ahead (one after the other): buffers and
  // decompression contexts are reused from file to file. Declared before anything holding a
  // reader, so it outlives them.
  parquet::ColumnChunkBufferPool reader_buffers_;
  std::vector<LeafColumn> leaves_;
  std::vector<KeyColumn> keys_;
  iceberg::NameMapping name_mapping_;  // finds the columns of files written without field ids
  bool whole_order_ = false;           // keys_ cover every field of the sort order
  int64_t reader_budget_ = 0;
  int64_t batch_budget_ = 0;
  int64_t kept_open_bytes_ = 0;
  int kept_open_files_ = 0;
  std::string folder_;

  GroupRewrite result_;
  std::vector<const LiveFile*> usable_;
  std::vector<InputLayout> layouts_;
  std::vector<Cursor*> live_cursors_;
  // Set for a concatenation with parallelism > 1: inputs are decoded ahead on a thread of their
  // own while this one copies and encodes.
  bool decode_ahead_ = false;
  std::unique_ptr<DecodeAhead> ahead_;
  // Per output leaf: its pages are copied from the inputs, not encoded again (ChoosePageCopies).
  std::vector<bool> copy_pages_;
  bool copying_ = false;  // any of copy_pages_

  RowBatch out_;
  int64_t out_bytes_ = 0;
  // Decoding ahead: whole decoded batches waiting for the writer instead of out_.
  std::vector<RowBatch> handed_;
  std::vector<std::vector<parquet::StoredPages>> handed_stored_;  // per entry of handed_
  int64_t handed_bytes_ = 0;
  int64_t handoff_budget_ = 0;  // handed_ is written once it holds this much
  std::unique_ptr<OutputStream> stream_;
  std::unique_ptr<parquet::ParquetWriter> writer_;
  std::string output_location_;
};

Status Rewrite::Prepare() {
  const iceberg::Schema& schema = metadata_.CurrentSchema();
  FLOE_ASSIGN_OR_RETURN(schema_, iceberg::ToParquetSchema(schema));
  const int64_t limit = options_.memory_limit_bytes;
  // An eighth of the limit for the writer's row group of pages, half for input row groups (the
  // reader's chunk and page buffers and the decoded values), a 32nd for the output batch; the
  // rest is slack for the pages being filled and compressed (measured: with 64 KiB rows in 17 MiB
  // single-page inputs, heap peaks under the limit).
  writer_options_.row_group_size_bytes = std::clamp(limit / 8, kMiB, 128 * kMiB);
  // Outputs roll when the writer's size estimate (written + finished pages) reaches the target,
  // so pages and batches are kept small next to the target or the roll overshoots.
  const int64_t target = options_.target_file_size_bytes;
  writer_options_.page_size_bytes =
      std::max<int64_t>(8 * 1024, std::min({kMiB, limit / 64, target / 8}));
  writer_options_.threads = options_.parallelism;
  writer_options_.cpu_tally = cpu_tally_;
  writer_options_.dictionary_history = &dictionary_history_;
  reader_budget_ = limit / 2;
  // Slices may fill the output batch to twice this (see MergeRun).
  batch_budget_ = std::max<int64_t>(64 * 1024, std::min(limit / 64, target / 8));
  const auto& props = metadata_.properties;
  auto codec = props.find("write.parquet.compression-codec");
  if (codec != props.end()) {
    FLOE_ASSIGN_OR_RETURN(writer_options_.codec, ParseCodecKind(codec->second));
  }
  auto level = props.find("write.parquet.compression-level");
  if (level != props.end()) {
    try {
      writer_options_.codec_level = std::stoi(level->second);
    } catch (...) {
      return Status::InvalidArgument("table property write.parquet.compression-level=\"" +
                                     level->second + "\" is not an integer");
    }
  }
  writer_options_.key_value_metadata.emplace_back("iceberg.schema",
                                                  iceberg::SchemaToJsonString(schema));
  {
    MemoryOutputStream scratch;
    FLOE_ASSIGN_OR_RETURN(auto probe,
                          parquet::ParquetWriter::Make(&scratch, schema_, writer_options_));
    leaves_ = probe->leaf_columns();
  }
  const iceberg::SortOrder* order = metadata_.SortOrderById(metadata_.default_sort_order_id);
  if (order != nullptr) {
    for (const iceberg::SortField& field : order->fields) {
      if (field.transform.kind() != iceberg::TransformKind::kIdentity) break;
      size_t leaf = leaves_.size();
      for (size_t i = 0; i < leaves_.size(); ++i) {
        if (leaves_[i].field_id == field.source_id) leaf = i;
      }
      // Decimals in byte arrays compare as signed numbers, not bytes: stop the key there.
      if (leaf == leaves_.size() || leaves_[leaf].max_rep > 0 ||
          leaves_[leaf].type == parquet::FieldType::kDecimal) {
        break;
      }
      keys_.push_back({leaf, field.direction == iceberg::SortDirection::kDesc,
                       field.null_order == iceberg::NullOrder::kNullsFirst});
    }
    whole_order_ = !order->fields.empty() && keys_.size() == order->fields.size();
  }
  // A merge needs the row groups of several inputs in step; a concatenation reads them in order,
  // so a second thread can decode the next while this one encodes.
  decode_ahead_ = keys_.empty() && options_.parallelism > 1;
  // Batches handed to the writer whole are written a few at a time, so that the writer's threads
  // get pages enough to share.
  handoff_budget_ = std::max(batch_budget_, std::min(limit / 16, target / 8));
  folder_ = PartitionDataFolder(metadata_, group_.partition_path);
  auto mapping = props.find(std::string(iceberg::kDefaultNameMappingProperty));
  if (mapping != props.end()) {
    FLOE_ASSIGN_OR_RETURN(name_mapping_, iceberg::ParseNameMapping(mapping->second));
  } else {
    name_mapping_ = iceberg::NameMappingFromSchema(schema);
  }
  out_.columns.resize(leaves_.size());
  return Status::OK();
}

Result<std::optional<InputLayout>> Rewrite::Verify(const LiveFile& input, InputProblem* problem) {
  problem->path = input.file.file_path;
  problem->corrupt = true;
  if (input.file.file_format != iceberg::FileFormat::kParquet) {
    problem->corrupt = false;
    problem->reason = "not a Parquet file";
    return std::optional<InputLayout>();
  }
  auto file = store_->OpenRead(input.file.file_path);
  if (!file.ok()) {
    if (file.status().kind() != ErrorKind::kNotFound) return file.status();
    problem->reason = "missing: " + file.status().message();
    return std::optional<InputLayout>();
  }
  parquet::ReaderOptions reader_options;
  // Decoding ahead, the decoding thread is the parallelism.
  reader_options.threads = decode_ahead_ ? 1 : options_.parallelism;
  reader_options.cpu_tally = cpu_tally_;
  // Inputs decoded ahead, one after the other, pass their buffers on; merged inputs are read
  // side by side, each with its own (a shared pool kept the largest sets for the whole run: the
  // memory test of 64 KiB rows peaked 2 MiB over its bound).
  if (decode_ahead_) reader_options.buffer_pool = &reader_buffers_;
  auto reader = parquet::ParquetReader::Open(file->get(), reader_options);
  if (!reader.ok()) {
    if (reader.status().kind() == ErrorKind::kIOError) return reader.status();
    problem->reason = reader.status().message();
    return std::optional<InputLayout>();
  }
  const parquet::ParquetReader& r = **reader;
  if (r.num_rows() != input.file.record_count) {
    problem->reason = "has " + std::to_string(r.num_rows()) + " rows, its manifest says " +
                      std::to_string(input.file.record_count);
    return std::optional<InputLayout>();
  }
  problem->corrupt = false;
  InputLayout layout;
  const auto& in_leaves = r.leaf_columns();
  const bool has_ids = std::any_of(in_leaves.begin(), in_leaves.end(),
                                   [](const LeafColumn& l) { return l.field_id >= 0; });
  const iceberg::Schema& schema = metadata_.CurrentSchema();
  for (const LeafColumn& out : leaves_) {
    int src = has_ids ? r.FindLeafByFieldId(out.field_id) : -1;
    if (!has_ids && out.path.size() == 1) {
      // Top-level columns by the table's name mapping, which knows the names columns had before
      // a rename.
      for (size_t i = 0; i < in_leaves.size() && src < 0; ++i) {
        if (in_leaves[i].path.size() != 1) continue;
        std::optional<int32_t> id = name_mapping_.FindId(in_leaves[i].path);
        if (id && *id == out.field_id) src = static_cast<int>(i);
      }
    }
    if (!has_ids && src < 0) src = r.FindLeafByPath(out.path);
    const std::string name = parquet::JoinPath(out.path);
    layout.constants.emplace_back();
    if (src < 0) {
      const iceberg::NestedField* field =
          out.path.size() == 1 ? schema.FindFieldById(out.field_id) : nullptr;
      if (field != nullptr && out.max_rep == 0) {
        // Writers may leave identity partition columns out of data files (their values are in
        // the manifest), and files older than an added column lack it: both must be written out
        // with the values a reader would see, never as nulls.
        FLOE_ASSIGN_OR_RETURN(
            iceberg::Literal value,
            MissingValue(*field, metadata_.SpecById(group_.spec_id), group_.partition));
        if (!value.is_null()) {
          layout.source_leaf.push_back(-1);
          layout.fill.push_back(ColumnFill::kConstant);
          layout.constants.back() = std::move(value);
          continue;
        }
        if (out.max_def > 0) {
          layout.source_leaf.push_back(-1);
          layout.fill.push_back(ColumnFill::kAllNull);
          continue;
        }
      }
      problem->reason = "column " + name + " is missing";
      return std::optional<InputLayout>();
    }
    const LeafColumn& in = in_leaves[static_cast<size_t>(src)];
    ColumnFill fill = ColumnFill::kCopy;
    if (in.physical != out.physical) {
      if (in.physical == PhysicalType::kInt32 && out.physical == PhysicalType::kInt64 &&
          in.type == parquet::FieldType::kInt && out.type == parquet::FieldType::kLong) {
        fill = ColumnFill::kIntToLong;
      } else if (in.physical == PhysicalType::kFloat && out.physical == PhysicalType::kDouble) {
        fill = ColumnFill::kFloatToDouble;
      } else {
        problem->reason = "column " + name + " has another physical type";
        return std::optional<InputLayout>();
      }
    }
    const bool timed = out.type == parquet::FieldType::kTimestamp ||
                       out.type == parquet::FieldType::kTimestampTz ||
                       out.type == parquet::FieldType::kTime;
    if ((timed && in.time_unit != out.time_unit) ||
        (out.type == parquet::FieldType::kDecimal && in.decimal_scale != out.decimal_scale) ||
        (out.physical == PhysicalType::kFixedLenByteArray && in.type_length != out.type_length)) {
      problem->reason = "column " + name + " has another unit, scale or width";
      return std::optional<InputLayout>();
    }
    if (in.max_rep != out.max_rep || in.max_def != out.max_def) {
      if (in.max_rep == 0 && out.max_rep == 0 && in.max_def == 0 && out.max_def == 1 &&
          fill == ColumnFill::kCopy) {
        fill = ColumnFill::kDefineAll;
      } else {
        problem->reason = "column " + name + " is nested differently";
        return std::optional<InputLayout>();
      }
    }
    layout.source_leaf.push_back(src);
    layout.fill.push_back(fill);
    layout.read_leaves.push_back(src);
  }
  for (int g = 0; g < r.num_row_groups(); ++g) {
    const auto& rg = r.metadata().row_groups[static_cast<size_t>(g)];
    // The reader holds a whole column chunk and its largest page decompressed while it decodes
    // (a page can be the whole chunk), next to the values decoded so far.
    int64_t chunk_bytes = 0;
    for (const auto& chunk : rg.columns) {
      if (chunk.meta_data) {
        chunk_bytes = std::max(chunk_bytes, chunk.meta_data->total_compressed_size +
                                                chunk.meta_data->total_uncompressed_size);
      }
    }
    const int64_t decoded =
        rg.total_byte_size + rg.num_rows * static_cast<int64_t>(leaves_.size()) * 8 + chunk_bytes;
    layout.max_row_group_bytes = std::max(layout.max_row_group_bytes, decoded);
  }
  const int64_t min_page = std::min(kMinCopiedPageBytes, writer_options_.page_size_bytes);
  layout.pages_copyable.assign(leaves_.size(), false);
  for (size_t i = 0; i < leaves_.size(); ++i) {
    if (layout.fill[i] != ColumnFill::kCopy) continue;
    bool ok = r.num_row_groups() > 0;
    for (int g = 0; g < r.num_row_groups() && ok; ++g) {
      const parquet::format::ColumnMetaData& md = r.column_metadata(g, layout.source_leaf[i]);
      Result<CodecKind> codec = parquet::CodecKindOf(md.codec);
      ok = codec.ok() && *codec == writer_options_.codec;
      for (parquet::format::Encoding e : md.encodings) {
        ok = ok && e != parquet::format::Encoding::kPlainDictionary &&
             e != parquet::format::Encoding::kRleDictionary;
      }
      int64_t data_pages = 0;
      if (md.encoding_stats) {
        for (const parquet::format::PageEncodingStats& es : *md.encoding_stats) {
          ok = ok && es.page_type != parquet::format::PageType::kDictionaryPage;
          data_pages += std::max(es.count, 0);
        }
      }
      ok = ok && md.total_uncompressed_size >= std::max<int64_t>(data_pages, 1) * min_page;
    }
    layout.pages_copyable[i] = ok;
  }
  layout.file = std::move(*file);
  layout.reader = std::move(*reader);
  KeepOpenIfRoom(&layout);
  return std::optional<InputLayout>(std::move(layout));
}

void Rewrite::KeepOpenIfRoom(InputLayout* layout) {
  // An open input costs a descriptor, its footer and whatever its store cached on opening (S3
  // keeps up to 1 MiB of the tail): a sixteenth of the memory limit and a few hundred files, the
  // rest are reopened when their turn comes.
  constexpr int kMaxKeptOpen = 256;
  const int64_t cost = std::min<int64_t>(layout->reader->file_size(), kMiB) +
                       static_cast<int64_t>(layout->reader->num_row_groups()) *
                           static_cast<int64_t>(leaves_.size()) * 256;
  if (kept_open_files_ < kMaxKeptOpen &&
      kept_open_bytes_ + cost <= options_.memory_limit_bytes / 16) {
    ++kept_open_files_;
    kept_open_bytes_ += cost;
    return;
  }
  layout->reader.reset();
  layout->file.reset();
}

Status Rewrite::OpenCursor(Cursor* c) {
  c->batch.columns.resize(leaves_.size());
  c->done = false;
  if (c->reader != nullptr || ahead_ != nullptr) return LoadRowGroup(c);
  auto file = store_->OpenRead(c->input->file.file_path);
  if (!file.ok()) {
    *failed_input_ = c->input->file.file_path;
    return file.status();
  }
  c->file = std::move(*file);
  parquet::ReaderOptions reader_options;
  reader_options.threads = options_.parallelism;
  reader_options.cpu_tally = cpu_tally_;
  auto reader = parquet::ParquetReader::Open(c->file.get(), reader_options);
  if (!reader.ok()) {
    *failed_input_ = c->input->file.file_path;
    return reader.status();
  }
  c->reader = std::move(*reader);
  return LoadRowGroup(c);
}

void Rewrite::ChoosePageCopies() {
  copy_pages_.assign(leaves_.size(), false);
  copying_ = false;
  // The pages of a row group cannot be split, so they go to the writer with the whole decoded row
  // group, as only a concatenation decoding ahead hands batches over; each such batch (and the
  // writer's raw pages of the other columns) must stay small next to the memory limit.
  if (!decode_ahead_ || layouts_.empty()) return;
  for (const InputLayout& layout : layouts_) {
    if (layout.max_row_group_bytes > handoff_budget_) return;
  }
  for (size_t i = 0; i < leaves_.size(); ++i) {
    bool all = true;
    for (const InputLayout& layout : layouts_) all = all && layout.pages_copyable[i];
    copy_pages_[i] = all;
    copying_ = copying_ || all;
  }
}

Status Rewrite::DecodeRowGroup(const Cursor& c, const parquet::ParquetReader& reader, int rg,
                               RowBatch* raw, RowBatch* batch,
                               std::vector<parquet::StoredPages>* stored,
                               bool* input_failed) const {
  *input_failed = false;
  Status read = reader.ReadRowGroup(rg, c.layout->read_leaves, raw);
  if (!read.ok()) {
    *input_failed = true;
    return read;
  }
  const int64_t rows = reader.row_group_num_rows(rg);
  batch->columns.resize(leaves_.size());
  size_t next_raw = 0;
  for (size_t i = 0; i < leaves_.size(); ++i) {
    ColumnVector& col = batch->columns[i];
    col.Clear();
    const ColumnFill fill = c.layout->fill[i];
    if (fill == ColumnFill::kAllNull) {
      col.num_levels = rows;
      col.def_levels.assign(static_cast<size_t>(rows), 0);
      continue;
    }
    if (fill == ColumnFill::kConstant) {
      FLOE_RETURN_IF_ERROR(FillConstant(c.layout->constants[i], leaves_[i], rows, &col));
      continue;
    }
    std::swap(col, raw->columns[next_raw++]);
    if (fill == ColumnFill::kIntToLong) {
      col.i64.assign(col.i32.begin(), col.i32.end());
      col.i32.clear();
    } else if (fill == ColumnFill::kFloatToDouble) {
      col.f64.assign(col.f32.begin(), col.f32.end());
      col.f32.clear();
    } else if (fill == ColumnFill::kDefineAll) {
      col.def_levels.assign(static_cast<size_t>(col.num_levels), 1);
    }
  }
  batch->num_rows = rows;
  if (stored != nullptr) {
    stored->clear();
    if (copying_) stored->resize(leaves_.size());
    for (size_t i = 0; copying_ && i < leaves_.size(); ++i) {
      if (!copy_pages_[i]) continue;
      // The pages were just decoded into `batch`, so their bodies are sound; they are copied, and
      // the values give the statistics.
      Result<parquet::StoredPages> pages = reader.ReadStoredPages(rg, c.layout->source_leaf[i]);
      if (pages.ok()) {
        (*stored)[i] = std::move(*pages);
      } else if (pages.status().kind() != ErrorKind::kNotSupported) {
        *input_failed = true;
        return pages.status();
      }
      // kNotSupported: a dictionary page the footer did not list; these values are encoded.
    }
  }
  return Status::OK();
}

void Rewrite::StartRowGroup(Cursor* c) {
  c->row = 0;
  c->pos.assign(leaves_.size(), Pos{});
  c->key_values.assign(keys_.size(), 0);
}

Status Rewrite::LoadRowGroup(Cursor* c) {
  if (ahead_ != nullptr) {
    // The rows of the last batch are all copied: give its memory back first.
    c->batch = RowBatch();
    c->stored.clear();
    ahead_->Release(c->ahead_bytes);
    c->ahead_bytes = 0;
    DecodeAhead::Item item = ahead_->Pop();
    if (!item.status.ok()) {
      if (item.input_failed) *failed_input_ = usable_[item.input]->file.file_path;
      return item.status;
    }
    if (item.input != c->index) {
      return Status::Internal("decode ahead delivered input " + std::to_string(item.input) +
                              " while " + std::to_string(c->index) + " was expected");
    }
    if (item.end) {
      c->done = true;
      return Status::OK();
    }
    c->batch = std::move(item.batch);
    c->stored = std::move(item.stored);
    c->ahead_bytes = item.bytes;
    StartRowGroup(c);
    NotePeak();
    return Status::OK();
  }
  while (c->next_row_group < c->reader->num_row_groups()) {
    const int rg = c->next_row_group++;
    // The rows of the last row group are all copied: free them before decoding the next, or two
    // row groups of this input would be in memory at once.
    for (ColumnVector& col : c->batch.columns) col = ColumnVector();
    bool input_failed = false;
    Status decoded = DecodeRowGroup(*c, *c->reader, rg, &c->raw, &c->batch, nullptr, &input_failed);
    if (!decoded.ok()) {
      if (input_failed) *failed_input_ = c->input->file.file_path;
      return decoded;
    }
    StartRowGroup(c);
    NotePeak();
    if (c->batch.num_rows > 0) return Status::OK();
  }
  c->done = true;
  c->batch = RowBatch();
  c->raw = RowBatch();
  c->reader.reset();
  c->file.reset();
  return Status::OK();
}

void Rewrite::DecodeInputs(const std::vector<Cursor*>& inputs) {
  RowBatch raw;
  for (Cursor* c : inputs) {
    DecodeAhead::Item failure;
    failure.input = c->index;
    failure.input_failed = true;
    if (c->reader == nullptr) {
      auto file = store_->OpenRead(c->input->file.file_path);
      if (!file.ok()) {
        failure.status = file.status();
        ahead_->Push(std::move(failure), 0);
        return;
      }
      c->file = std::move(*file);
      parquet::ReaderOptions reader_options;
      reader_options.threads = 1;
      reader_options.buffer_pool = &reader_buffers_;
      auto reader = parquet::ParquetReader::Open(c->file.get(), reader_options);
      if (!reader.ok()) {
        failure.status = reader.status();
        ahead_->Push(std::move(failure), 0);
        return;
      }
      c->reader = std::move(*reader);
    }
    for (int rg = 0; rg < c->reader->num_row_groups(); ++rg) {
      const int64_t need = c->layout->max_row_group_bytes;
      if (!ahead_->WaitForRoom(need)) return;
      DecodeAhead::Item item;
      item.input = c->index;
      item.status =
          DecodeRowGroup(*c, *c->reader, rg, &raw, &item.batch, &item.stored, &item.input_failed);
      if (!item.status.ok()) {
        ahead_->Push(std::move(item), need);
        return;
      }
      if (item.batch.num_rows == 0) {
        ahead_->Unreserve(need);
        continue;
      }
      item.bytes = Capacity(item.batch);
      for (const parquet::StoredPages& p : item.stored) {
        item.bytes += static_cast<int64_t>(p.bytes.capacity());
      }
      ahead_->Push(std::move(item), need);
    }
    c->reader.reset();
    c->file.reset();
    DecodeAhead::Item end;
    end.input = c->index;
    end.end = true;
    ahead_->Push(std::move(end), 0);
  }
}

int Rewrite::CompareRows(const Cursor& a, const Cursor& b) const {
  for (size_t k = 0; k < keys_.size(); ++k) {
    const KeyColumn& key = keys_[k];
    const LeafColumn& leaf = leaves_[key.leaf];
    const ColumnVector& ca = a.batch.columns[key.leaf];
    const ColumnVector& cb = b.batch.columns[key.leaf];
    const bool da = Defined(ca, leaf, a.row);
    const bool db = Defined(cb, leaf, b.row);
    if (!da || !db) {
      if (da == db) continue;
      return (!da == key.nulls_first) ? -1 : 1;
    }
    int c = CompareValue(ca, a.key_values[k], cb, b.key_values[k], leaf.physical);
    if (key.descending) c = -c;
    if (c != 0) return c;
  }
  return 0;
}

void Rewrite::AdvanceKey(Cursor* c) {
  for (size_t k = 0; k < keys_.size(); ++k) {
    const size_t leaf = keys_[k].leaf;
    if (Defined(c->batch.columns[leaf], leaves_[leaf], c->row)) ++c->key_values[k];
  }
  ++c->row;
}

Status Rewrite::CopyRows(Cursor* c, int64_t rows) {
  // `rows` counts from the copy position, which trails c->row by exactly `rows`.
  for (size_t i = 0; i < leaves_.size(); ++i) {
    out_bytes_ += AppendRows(c->batch.columns[i], leaves_[i], rows, &c->pos[i], &out_.columns[i]);
  }
  out_.num_rows += rows;
  if (out_bytes_ >= batch_budget_) FLOE_RETURN_IF_ERROR(FlushBatch(false));
  return Status::OK();
}

Status Rewrite::MergeRun(std::vector<Cursor*> run) {
  for (Cursor* c : run) FLOE_RETURN_IF_ERROR(OpenCursor(c));
  std::erase_if(run, [](Cursor* c) { return c->done; });
  // Few inputs per run in practice (bounded by memory), so a linear scan for the minimum beats
  // a heap's bookkeeping and keeps ties in input order (oldest first).
  while (!run.empty()) {
    size_t best = 0;
    for (size_t i = 1; i < run.size(); ++i) {
      if (CompareRows(*run[i], *run[best]) < 0) best = i;
    }
    Cursor* c = run[best];
    size_t second = run.size();
    for (size_t i = 0; i < run.size(); ++i) {
      if (i == best) continue;
      if (second == run.size() || CompareRows(*run[i], *run[second]) < 0) second = i;
    }
    // Take rows of `c` while they do not pass the next input's current row; without a sort
    // order (or with one input) the whole row group at once.
    int64_t take = 0;
    const int64_t start = c->row;
    if (second == run.size() || keys_.empty()) {
      take = c->batch.num_rows - c->row;
      c->row = c->batch.num_rows;
    } else {
      const Cursor& other = *run[second];
      while (c->row < c->batch.num_rows) {
        const int cmp = CompareRows(*c, other);
        if (cmp > 0 || (cmp == 0 && best > second)) break;
        AdvanceKey(c);
        ++take;
      }
    }
    if (ahead_ != nullptr && start == 0 && take == c->batch.num_rows &&
        (c->ahead_bytes <= batch_budget_ || !c->stored.empty())) {
      // A whole batch decoded ahead goes to the writer as it is, without a copy (larger ones
      // are copied in slices below, which bound what the writer holds raw), and always one
      // with stored pages (ChoosePageCopies bounded its size).
      if (out_.num_rows > 0) FLOE_RETURN_IF_ERROR(FlushBatch(false));
      // Counted here from now on, not by ahead_: the decoding thread must never wait for bytes
      // that only its own next row group would let this thread write out.
      ahead_->Release(c->ahead_bytes);
      handed_bytes_ += c->ahead_bytes;
      handed_.push_back(std::move(c->batch));
      for (const parquet::StoredPages& p : c->stored) {
        result_.bytes_copied += static_cast<int64_t>(p.bytes.size());
      }
      handed_stored_.push_back(std::move(c->stored));
      c->stored.clear();
      c->batch = RowBatch();
      c->ahead_bytes = 0;
      c->row = 0;
      take = 0;
      if (handed_bytes_ >= handoff_budget_) FLOE_RETURN_IF_ERROR(FlushBatch(false));
    }
    if (take > 0 && !c->stored.empty()) {
      return Status::Internal("a row group with copied pages would be split (" +
                              c->input->file.file_path + ")");
    }
    if (take > 0 && !handed_.empty()) FLOE_RETURN_IF_ERROR(FlushBatch(false));  // rows in order
    // Copy in slices so the output batch stays within twice its budget even when rows are
    // large. Not within the budget itself: slices of whole small row groups give the writer
    // batches its size estimate (ahead of the file while pages are open) rolls outputs at well.
    const int64_t row_bytes =
        std::max<int64_t>(1, Capacity(c->batch) / std::max<int64_t>(1, c->batch.num_rows));
    while (take > 0) {
      const int64_t room = std::max<int64_t>(1, (2 * batch_budget_ - out_bytes_) / row_bytes);
      const int64_t slice = std::min<int64_t>({take, 64 * 1024, room});
      FLOE_RETURN_IF_ERROR(CopyRows(c, slice));
      take -= slice;
    }
    if (c->row == c->batch.num_rows) {
      FLOE_RETURN_IF_ERROR(LoadRowGroup(c));
      if (c->done) run.erase(run.begin() + static_cast<std::ptrdiff_t>(best));
    }
  }
  return Status::OK();
}

Status Rewrite::FlushBatch(bool finish) {
  int64_t rows = out_.num_rows;
  for (const RowBatch& b : handed_) rows += b.num_rows;
  if (rows > 0) {
    if (writer_ == nullptr) {
      output_location_ = JoinLocation(
          folder_, std::string(kCompactedFilePrefix) + (*uuids_)().ToString() + ".parquet");
      FLOE_ASSIGN_OR_RETURN(stream_, store_->Create(output_location_));
      FLOE_ASSIGN_OR_RETURN(writer_,
                            parquet::ParquetWriter::Make(stream_.get(), schema_, writer_options_));
    }
    NotePeak();
    if (out_.num_rows > 0) FLOE_RETURN_IF_ERROR(writer_->WriteBatch(out_));
    if (!handed_.empty()) {
      std::vector<const RowBatch*> batches;
      for (const RowBatch& b : handed_) batches.push_back(&b);
      FLOE_RETURN_IF_ERROR(writer_->WriteBatches(batches, &handed_stored_));
      handed_.clear();
      handed_stored_.clear();
      handed_bytes_ = 0;
    }
    result_.rows_out += rows;
    out_.num_rows = 0;
    for (ColumnVector& c : out_.columns) c.Clear();
    out_bytes_ = 0;
    NotePeak();
    if (writer_->EstimatedFileSize() >= options_.target_file_size_bytes) {
      FLOE_RETURN_IF_ERROR(CloseOutput());
    }
  }
  if (finish && writer_ != nullptr) FLOE_RETURN_IF_ERROR(CloseOutput());
  return Status::OK();
}

Status Rewrite::CloseOutput() {
  auto writer = std::move(writer_);
  auto stream = std::move(stream_);
  FLOE_ASSIGN_OR_RETURN(parquet::FileMetrics metrics, writer->Close());
  // From here the object exists: it must be deleted if anything later fails.
  result_.outputs.emplace_back();
  FLOE_ASSIGN_OR_RETURN(
      result_.outputs.back(),
      iceberg::DataFileFromParquet(output_location_, iceberg::FileFormat::kParquet, metrics,
                                   group_.partition, metadata_.CurrentSchema()));
  result_.bytes_out += metrics.file_size;
  return Status::OK();
}

void Rewrite::NotePeak() {
  int64_t bytes = Capacity(out_);
  bytes += handed_bytes_;
  if (ahead_ != nullptr) {
    bytes += ahead_->held_bytes();
  } else {
    for (const Cursor* c : live_cursors_) bytes += Capacity(c->batch) + Capacity(c->raw);
  }
  if (writer_ != nullptr && stream_ != nullptr) {
    bytes += std::max<int64_t>(0, writer_->EstimatedFileSize() - stream_->Tell());
  }
  result_.peak_memory_bytes = std::max(result_.peak_memory_bytes, bytes);
}

void Rewrite::Cleanup() {
  if (stream_ != nullptr) stream_->Abort();
  writer_.reset();
  stream_.reset();
  std::vector<std::string> written;
  for (const iceberg::DataFile& f : result_.outputs) written.push_back(f.file_path);
  // Best effort: a leftover is an orphan that orphan removal finds; the rewrite error matters.
  if (!written.empty()) (void)store_->DeleteMany(written);
  result_.outputs.clear();
}

Result<GroupRewrite> Rewrite::Run(size_t min_inputs) {
  FLOE_RETURN_IF_ERROR(Prepare());
  for (const LiveFile& input : group_.inputs) {
    InputProblem problem;
    FLOE_ASSIGN_OR_RETURN(std::optional<InputLayout> layout, Verify(input, &problem));
    if (!layout) {
      result_.excluded.push_back(std::move(problem));
      continue;
    }
    usable_.push_back(&input);
    layouts_.push_back(std::move(*layout));
  }
  if (usable_.size() < min_inputs) {
    result_.skipped_reason = std::to_string(usable_.size()) + " usable input(s) of " +
                             std::to_string(group_.inputs.size()) + " left after verification";
    return std::move(result_);
  }
  for (const LiveFile* f : usable_) {
    result_.inputs_used.push_back(f->file.file_path);
    result_.rows_in += f->file.record_count;
    result_.bytes_in += f->file.file_size_in_bytes;
  }

  // Runs of inputs merged together: as many as the reader budget holds (one without a sort
  // order, since concatenation needs one row group in flight).
  std::vector<Cursor> cursors(usable_.size());
  std::vector<std::vector<Cursor*>> runs;
  int64_t run_bytes = 0;
  for (size_t i = 0; i < usable_.size(); ++i) {
    cursors[i].input = usable_[i];
    cursors[i].index = i;
    cursors[i].layout = &layouts_[i];
    cursors[i].file = std::move(layouts_[i].file);
    cursors[i].reader = std::move(layouts_[i].reader);
    const int64_t need = layouts_[i].max_row_group_bytes;
    if (runs.empty() || keys_.empty() || run_bytes + need > reader_budget_) {
      runs.emplace_back();
      run_bytes = 0;
    }
    runs.back().push_back(&cursors[i]);
    run_bytes += need;
  }
  result_.sorted = whole_order_ && runs.size() == 1;
  ChoosePageCopies();
  if (decode_ahead_) {
    std::vector<Cursor*> order;
    for (Cursor& c : cursors) order.push_back(&c);
    // A few row groups ahead keep the encoder fed; more would only hold memory.
    ahead_ = std::make_unique<DecodeAhead>(reader_budget_ / 4);
    ahead_->Start([this, order] {
      ThreadCpuToTally count(cpu_tally_);
      DecodeInputs(order);
    });
  }
  Status status;
  for (auto& run : runs) {
    live_cursors_ = run;
    status = MergeRun(run);
    // The decoding thread may still be reading these cursors' inputs: join it first.
    if (!status.ok()) ahead_.reset();
    for (Cursor* c : run) {
      c->batch = RowBatch();
      c->raw = RowBatch();
      c->reader.reset();
      c->file.reset();
    }
    live_cursors_.clear();
    if (!status.ok()) break;
  }
  // Joins the decoding thread before the cursors it reads go away.
  ahead_.reset();
  if (status.ok()) status = FlushBatch(true);
  if (status.ok() && result_.rows_out != result_.rows_in) {
    status = Status::Internal("rewrite of " + group_.partition_path + " wrote " +
                              std::to_string(result_.rows_out) + " rows from " +
                              std::to_string(result_.rows_in));
  }
  if (!status.ok()) {
    Cleanup();
    return status;
  }
  if (result_.sorted) {
    for (iceberg::DataFile& f : result_.outputs) f.sort_order_id = metadata_.default_sort_order_id;
  }
  return std::move(result_);
}

}  // namespace

GroupRewriter::GroupRewriter(ObjectStore* store, const iceberg::TableMetadata& metadata,
                             const CompactionOptions& options, UuidSource uuids)
    : store_(store), metadata_(metadata), options_(options), uuids_(std::move(uuids)) {}

Result<GroupRewrite> GroupRewriter::Rewrite(const FileGroup& group, size_t min_inputs) {
  failed_input_.clear();
  class Rewrite run(store_, metadata_, options_, &uuids_, group, &failed_input_, cpu_tally_);
  return run.Run(min_inputs);
}

std::string PartitionDataFolder(const iceberg::TableMetadata& metadata,
                                const std::string& partition_path) {
  auto it = metadata.properties.find("write.data.path");
  std::string base = it != metadata.properties.end() && !it->second.empty()
                         ? it->second
                         : JoinLocation(metadata.location, "data");
  while (!base.empty() && base.back() == '/') base.pop_back();
  return partition_path.empty() ? base : JoinLocation(base, partition_path);
}

}  // namespace floe::maintenance
