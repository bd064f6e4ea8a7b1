// WriterOptions::threads: the column chunks of a row group are encoded on a ColumnTaskPool, and
// the file must not depend on how many threads did it.

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "floe/io/file.h"
#include "floe/parquet/column_task_pool.h"
#include "floe/parquet/reader.h"
#include "floe/parquet/writer.h"
#include "support/rows.h"

namespace floe::parquet {
namespace {

struct Written {
  std::string bytes;
  FileMetrics metrics;
};

Result<Written> Write(const Schema& schema, const std::vector<RowBatch>& batches,
                      const WriterOptions& options) {
  MemoryOutputStream sink("memory:threads.parquet");
  FLOE_ASSIGN_OR_RETURN(auto w, ParquetWriter::Make(&sink, schema, options));
  for (const auto& b : batches) FLOE_RETURN_IF_ERROR(w->WriteBatch(b));
  Written out;
  FLOE_ASSIGN_OR_RETURN(out.metrics, w->Close());
  out.bytes = sink.Release();
  return out;
}

std::vector<RowBatch> RandomBatches(const Schema& schema, uint64_t seed, size_t batches,
                                    size_t rows_per_batch) {
  testing::RandomRows gen(seed);
  std::vector<RowBatch> out;
  for (size_t b = 0; b < batches; ++b) {
    std::vector<testing::Row> rows;
    for (size_t i = 0; i < rows_per_batch; ++i) rows.push_back(gen.Next(schema));
    auto batch = testing::Shred(schema, rows);
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    if (batch.ok()) out.push_back(std::move(*batch));
  }
  return out;
}

void ExpectSameMetrics(const FileMetrics& a, const FileMetrics& b) {
  EXPECT_EQ(a.file_size, b.file_size);
  EXPECT_EQ(a.record_count, b.record_count);
  EXPECT_EQ(a.split_offsets, b.split_offsets);
  ASSERT_EQ(a.columns.size(), b.columns.size());
  for (size_t i = 0; i < a.columns.size(); ++i) {
    EXPECT_EQ(a.columns[i].field_id, b.columns[i].field_id) << i;
    EXPECT_EQ(a.columns[i].compressed_size, b.columns[i].compressed_size) << i;
    EXPECT_EQ(a.columns[i].value_count, b.columns[i].value_count) << i;
    EXPECT_EQ(a.columns[i].null_count, b.columns[i].null_count) << i;
    EXPECT_EQ(a.columns[i].nan_count, b.columns[i].nan_count) << i;
    EXPECT_EQ(a.columns[i].lower_bound, b.columns[i].lower_bound) << i;
    EXPECT_EQ(a.columns[i].upper_bound, b.columns[i].upper_bound) << i;
  }
}

TEST(ParquetWriterThreads, FileIsByteIdenticalWhateverTheThreadCount) {
  Schema schema = testing::EveryTypeSchema();
  std::vector<WriterOptions> variants;
  for (CodecKind c : {CodecKind::kNone, CodecKind::kZstd, CodecKind::kSnappy, CodecKind::kGzip,
                      CodecKind::kLz4Raw}) {
    WriterOptions o;
    o.codec = c;
    o.codec_level = 0;
    o.page_size_bytes = 900;
    o.row_group_size_bytes = 30000;  // several row groups
    variants.push_back(o);
  }
  for (ColumnEncoding e :
       {ColumnEncoding::kPlain, ColumnEncoding::kDictionary, ColumnEncoding::kDeltaBinaryPacked}) {
    for (DataPageVersion v : {DataPageVersion::kV1, DataPageVersion::kV2}) {
      WriterOptions o;
      o.default_encoding = e;
      o.data_page_version = v;
      o.page_size_bytes = 700;
      o.row_group_size_bytes = 40000;
      o.dictionary_page_size_limit_bytes = 300;
      variants.push_back(o);
    }
  }
  uint64_t seed = 11;
  for (WriterOptions o : variants) {
    SCOPED_TRACE(std::string(CodecKindName(o.codec)) + " encoding " +
                 std::to_string(static_cast<int>(o.default_encoding)) + " v" +
                 std::to_string(static_cast<int>(o.data_page_version) + 1));
    std::vector<RowBatch> batches = RandomBatches(schema, seed++, 6, 150);
    o.threads = 1;
    auto one = Write(schema, batches, o);
    ASSERT_TRUE(one.ok()) << one.status().ToString();
    for (int threads : {2, 3, 8, 64}) {
      o.threads = threads;
      auto many = Write(schema, batches, o);
      ASSERT_TRUE(many.ok()) << many.status().ToString();
      EXPECT_TRUE(one->bytes == many->bytes) << threads << " threads";
      ExpectSameMetrics(one->metrics, many->metrics);
    }
  }
}

TEST(ParquetWriterThreads, ThreadedFileReadsBackToTheSameVectors) {
  Schema schema = testing::EveryTypeSchema();
  std::vector<RowBatch> batches = RandomBatches(schema, 99, 4, 200);
  WriterOptions o;
  o.threads = 4;
  o.page_size_bytes = 1000;
  auto w = Write(schema, batches, o);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  MemoryRandomAccessFile file("memory:threads.parquet", w->bytes);
  auto r = ParquetReader::Open(&file);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ((*r)->num_row_groups(), 1);
  std::vector<int> all;
  for (size_t i = 0; i < (*r)->leaf_columns().size(); ++i) all.push_back(static_cast<int>(i));
  RowBatch got;
  ASSERT_TRUE((*r)->ReadRowGroup(0, all, &got).ok());
  // The batches appended one after another are what the file must hold.
  std::vector<testing::Row> rows;
  testing::RandomRows gen(99);
  for (size_t i = 0; i < 4 * 200; ++i) rows.push_back(gen.Next(schema));
  auto want = testing::Shred(schema, rows);
  ASSERT_TRUE(want.ok());
  ASSERT_EQ(got.columns.size(), want->columns.size());
  for (size_t i = 0; i < got.columns.size(); ++i) {
    const ColumnVector& a = want->columns[i];
    const ColumnVector& b = got.columns[i];
    EXPECT_EQ(a.num_levels, b.num_levels) << i;
    EXPECT_EQ(a.num_values, b.num_values) << i;
    EXPECT_EQ(a.def_levels, b.def_levels) << i;
    EXPECT_EQ(a.rep_levels, b.rep_levels) << i;
    EXPECT_EQ(a.bools, b.bools) << i;
    EXPECT_EQ(a.i32, b.i32) << i;
    EXPECT_EQ(a.i64, b.i64) << i;
    // Bitwise, so that NaNs compare.
    ASSERT_EQ(a.f32.size(), b.f32.size()) << i;
    ASSERT_EQ(a.f64.size(), b.f64.size()) << i;
    if (!a.f32.empty()) {
      EXPECT_EQ(0, std::memcmp(a.f32.data(), b.f32.data(), 4 * a.f32.size())) << i;
    }
    if (!a.f64.empty()) {
      EXPECT_EQ(0, std::memcmp(a.f64.data(), b.f64.data(), 8 * a.f64.size())) << i;
    }
    EXPECT_EQ(a.offsets, b.offsets) << i;
    EXPECT_EQ(a.bytes, b.bytes) << i;
  }
}

TEST(ParquetWriterThreads, ThreadsBelowOneAreRejected) {
  Schema schema = testing::EveryTypeSchema();
  MemoryOutputStream sink("memory:x.parquet");
  WriterOptions o;
  o.threads = 0;
  auto w = ParquetWriter::Make(&sink, schema, o);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().kind(), ErrorKind::kInvalidArgument);
}

// Fails every Append once `budget` bytes have been taken.
class FailingOutputStream final : public OutputStream {
 public:
  explicit FailingOutputStream(int64_t budget) : budget_(budget) {}
  const std::string& location() const override { return location_; }
  Status Append(ByteView data) override {
    if (written_ + static_cast<int64_t>(data.size()) > budget_) {
      return Status::IOError("disk full at " + std::to_string(written_));
    }
    written_ += static_cast<int64_t>(data.size());
    return Status::OK();
  }
  int64_t Tell() const override { return written_; }
  Status Close() override { return Status::OK(); }
  void Abort() override {}

 private:
  std::string location_ = "failing:";
  int64_t budget_;
  int64_t written_ = 0;
};

TEST(ParquetWriterThreads, SinkErrorsFailTheWriter) {
  Schema schema = testing::EveryTypeSchema();
  std::vector<RowBatch> batches = RandomBatches(schema, 5, 8, 100);
  WriterOptions o;
  o.threads = 2;
  o.row_group_size_bytes = 100;  // flush after every batch
  FailingOutputStream sink(3000);
  auto w = ParquetWriter::Make(&sink, schema, o);
  ASSERT_TRUE(w.ok());
  Status first;
  for (size_t b = 0; b < batches.size() && first.ok(); ++b) first = (*w)->WriteBatch(batches[b]);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.kind(), ErrorKind::kIOError);
  EXPECT_EQ((*w)->WriteBatch(batches[0]).kind(), ErrorKind::kIOError);
  auto closed = (*w)->Close();
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.status().kind(), ErrorKind::kIOError);
}

TEST(ColumnTaskPool, RunsEveryIndexOnceWithSlotsUniqueAmongRunningTasks) {
  for (int threads : {1, 2, 5}) {
    ColumnTaskPool pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    for (size_t n : {size_t{0}, size_t{1}, size_t{3}, size_t{100}}) {
      std::vector<std::atomic<int>> runs(n);
      std::mutex mu;
      std::set<int> busy;
      bool clash = false, bad_slot = false;
      pool.Run(n, [&](size_t i, int slot) {
        {
          std::lock_guard<std::mutex> lock(mu);
          if (slot < 0 || slot >= threads) bad_slot = true;
          if (!busy.insert(slot).second) clash = true;
        }
        ++runs[i];
        std::this_thread::yield();
        std::lock_guard<std::mutex> lock(mu);
        busy.erase(slot);
      });
      for (size_t i = 0; i < n; ++i) EXPECT_EQ(runs[i].load(), 1) << threads << " " << i;
      EXPECT_FALSE(clash) << threads;
      EXPECT_FALSE(bad_slot) << threads;
    }
  }
}

TEST(ColumnTaskPool, ManyRunsInARowAndThreadsBelowOneMeanTheCaller) {
  ColumnTaskPool pool(3);
  std::atomic<int64_t> sum{0};
  for (int r = 0; r < 500; ++r) {
    pool.Run(7, [&](size_t i, int) { sum += static_cast<int64_t>(i); });
  }
  EXPECT_EQ(sum.load(), 500 * 21);
  ColumnTaskPool none(0);
  EXPECT_EQ(none.threads(), 1);
  int count = 0;
  none.Run(4, [&](size_t, int slot) {
    EXPECT_EQ(slot, 0);
    ++count;
  });
  EXPECT_EQ(count, 4);
}

// A report that counts only its calling thread would miss the work done on the pool.
TEST(ColumnTaskPool, WorkerCpuIsAddedToTheTallyWhenThePoolEnds) {
  constexpr int64_t kBurnMicros = 20000;
  CpuTally tally;
  std::atomic<int> started{0};
  int64_t caller_burned = 0;
  {
    ColumnTaskPool pool(2, &tally);
    pool.Run(2, [&](size_t, int slot) {
      // Both tasks wait for each other, so one runs on the worker and one on the caller.
      ++started;
      while (started.load() < 2) std::this_thread::yield();
      const int64_t start = ThreadCpuMicros();
      while (ThreadCpuMicros() - start < kBurnMicros) {
      }
      if (slot == 0) caller_burned = ThreadCpuMicros() - start;
    });
    EXPECT_EQ(tally.micros(), 0) << "added before the workers end";
  }
  EXPECT_GE(caller_burned, kBurnMicros);
  EXPECT_GE(tally.micros(), kBurnMicros);
  // Only the worker's time: the caller's is not added.
  EXPECT_LT(tally.micros(), kBurnMicros + caller_burned);
}

// Reader helper threads (ReadRowGroup with threads > 1) count their CPU too. Whether a helper
// runs any task at all is up to the scheduler (on a loaded machine the calling thread can take
// every task before a helper wakes, and CI saw a tally of 0 once), so each side is tried until
// a helper's CPU shows in its tally, up to 50 times: a tally that is never added to still fails.
TEST(ParquetWriterThreads, ReaderAndWriterThreadsAddTheirCpu) {
  constexpr int kAttempts = 50;
  const Schema schema = testing::EveryTypeSchema();
  Result<Written> written = Status::Internal("not written");
  CpuTally write_tally;
  for (int attempt = 0; attempt < kAttempts && write_tally.micros() == 0; ++attempt) {
    WriterOptions o;
    o.threads = 2;
    o.cpu_tally = &write_tally;
    written = Write(schema, RandomBatches(schema, 7, 2, 300), o);
    ASSERT_TRUE(written.ok()) << written.status().ToString();
  }
  EXPECT_GT(write_tally.micros(), 0) << "after " << kAttempts << " files";

  MemoryRandomAccessFile file("memory:threads.parquet", written->bytes);
  CpuTally read_tally;
  for (int attempt = 0; attempt < kAttempts && read_tally.micros() == 0; ++attempt) {
    ReaderOptions ro;
    ro.threads = 2;
    ro.cpu_tally = &read_tally;
    auto reader = ParquetReader::Open(&file, ro);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    std::vector<int> all;
    for (size_t i = 0; i < (*reader)->leaf_columns().size(); ++i) {
      all.push_back(static_cast<int>(i));
    }
    RowBatch batch;
    for (int rg = 0; rg < (*reader)->num_row_groups(); ++rg) {
      ASSERT_TRUE((*reader)->ReadRowGroup(rg, all, &batch).ok());
    }
  }
  EXPECT_GT(read_tally.micros(), 0) << "after " << kAttempts << " reads";
}

}  // namespace
}  // namespace floe::parquet
