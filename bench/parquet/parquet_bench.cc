// floe_bench_parquet: the floe side of bench/parquet (run.py drives it next to DuckDB).
//
//   floe_bench_parquet encode IN.parquet OUT.parquet [--threads N] [--level L]
//       decodes IN's rows into memory (untimed), then times encoding them to zstd Parquet with
//       WriterOptions::threads = N (the column chunks of a row group are encoded concurrently)
//       at zstd level L (default: WriterOptions' default, 3)
//   floe_bench_parquet decode FILE.parquet [--threads N]
//       times decoding every column of every row group into column vectors; with N > 1 the row
//       groups are spread over N threads (the reader allows concurrent ReadRowGroup calls) when
//       there are at least 2N of them, else each row group's columns are decoded on N threads
//       (ReaderOptions::threads: columns largest first, and a thread with no column left
//       decompresses pages ahead of the others)
//
// N defaults to 2, as DuckDB's threads in run.py. Prints one JSON line: rows, seconds,
// rows_per_s, bytes, peak_rss_bytes, threads.

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "floe/io/file.h"
#include "floe/parquet/reader.h"
#include "floe/parquet/writer.h"

namespace {

using floe::parquet::Field;
using floe::parquet::ParquetReader;
using floe::parquet::RowBatch;

int64_t PeakRssBytes() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<int64_t>(ru.ru_maxrss) * 1024;
}

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Fail(const floe::Status& s) {
  std::fprintf(stderr, "floe_bench_parquet: %s\n", s.ToString().c_str());
  return 1;
}

// The events table's required columns (DESIGN.md); the rest are optional.
bool RequiredInEventsTable(const std::string& name) {
  return name == "event_id" || name == "timestamp" || name == "type" || name == "source" ||
         name == "received_at";
}

int Encode(const char* in_path, const char* out_path, int threads, int level) {
  auto in = floe::OpenLocalFile(in_path);
  if (!in.ok()) return Fail(in.status());
  auto reader = ParquetReader::Open(in->get());
  if (!reader.ok()) return Fail(reader.status());
  const auto& leaves = (*reader)->leaf_columns();
  floe::parquet::Schema schema;
  std::vector<int> all;
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (leaves[i].max_rep != 0 || leaves[i].path.size() != 1) {
      return Fail(floe::Status::InvalidArgument("the benchmark expects a flat events file"));
    }
    Field f;
    f.field_id = static_cast<int32_t>(i + 1);
    f.name = leaves[i].path[0];
    f.type = leaves[i].type;
    f.required = RequiredInEventsTable(f.name);
    schema.fields.push_back(f);
    all.push_back(static_cast<int>(i));
  }
  std::vector<RowBatch> batches;
  int64_t rows = 0;
  for (int rg = 0; rg < (*reader)->num_row_groups(); ++rg) {
    RowBatch b;
    floe::Status s = (*reader)->ReadRowGroup(rg, all, &b);
    if (!s.ok()) return Fail(s);
    b.num_rows = (*reader)->row_group_num_rows(rg);
    for (size_t c = 0; c < b.columns.size(); ++c) {
      if (!schema.fields[c].required) continue;
      if (b.columns[c].num_values != b.columns[c].num_levels) {
        return Fail(
            floe::Status::InvalidArgument("null in required column " + schema.fields[c].name));
      }
      b.columns[c].def_levels.clear();
    }
    rows += b.num_rows;
    batches.push_back(std::move(b));
  }

  auto start = std::chrono::steady_clock::now();
  auto sink = floe::CreateLocalFile(out_path);
  if (!sink.ok()) return Fail(sink.status());
  floe::parquet::WriterOptions options;  // zstd level 3, as DuckDB's default
  options.threads = threads;
  if (level != 0) options.codec_level = level;
  auto writer = floe::parquet::ParquetWriter::Make(sink->get(), schema, options);
  if (!writer.ok()) return Fail(writer.status());
  for (const RowBatch& b : batches) {
    floe::Status s = (*writer)->WriteBatch(b);
    if (!s.ok()) return Fail(s);
  }
  auto metrics = (*writer)->Close();
  if (!metrics.ok()) return Fail(metrics.status());
  double secs = Seconds(start);
  std::printf(
      "{\"tool\":\"floe\",\"mode\":\"encode\",\"threads\":%d,\"rows\":%lld,\"seconds\":%.3f,"
      "\"rows_per_s\":%lld,\"bytes_out\":%lld,\"peak_rss_bytes\":%lld}\n",
      threads, static_cast<long long>(rows), secs, static_cast<long long>(rows / secs),
      static_cast<long long>(metrics->file_size), static_cast<long long>(PeakRssBytes()));
  return 0;
}

int Decode(const char* path, int threads) {
  auto start = std::chrono::steady_clock::now();
  auto in = floe::OpenLocalFile(path);
  if (!in.ok()) return Fail(in.status());
  auto probe = ParquetReader::Open(in->get());
  if (!probe.ok()) return Fail(probe.status());
  // Whole row groups per thread balance best (a file's columns differ widely in size), but with
  // few row groups some threads would idle, and two large ones decoded at once measured slower
  // than one: then one row group at a time, its columns on ReaderOptions::threads.
  int num_row_groups = (*probe)->num_row_groups();
  int row_group_threads = num_row_groups >= 2 * threads ? threads : 1;
  floe::parquet::ReaderOptions reader_options;
  reader_options.threads = threads / row_group_threads;
  auto reader = ParquetReader::Open(in->get(), reader_options);
  if (!reader.ok()) return Fail(reader.status());
  const ParquetReader& r = **reader;
  std::vector<int> all;
  for (size_t i = 0; i < r.leaf_columns().size(); ++i) all.push_back(static_cast<int>(i));
  // Row groups are handed out one at a time, as DuckDB's scan does; each thread keeps one batch.
  std::atomic<int> next_row_group{0};
  std::atomic<int64_t> rows{0}, values{0};
  std::vector<floe::Status> errors(static_cast<size_t>(row_group_threads));
  auto work = [&](size_t t) {
    RowBatch b;
    for (int rg = next_row_group++; rg < r.num_row_groups(); rg = next_row_group++) {
      floe::Status s = r.ReadRowGroup(rg, all, &b);
      if (!s.ok()) {
        errors[t] = s;
        return;
      }
      rows += r.row_group_num_rows(rg);
      for (const auto& c : b.columns) values += c.num_values;
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < row_group_threads; ++t) pool.emplace_back(work, static_cast<size_t>(t));
  work(0);
  for (auto& t : pool) t.join();
  for (const auto& s : errors) {
    if (!s.ok()) return Fail(s);
  }
  double secs = Seconds(start);
  std::printf(
      "{\"tool\":\"floe\",\"mode\":\"decode\",\"threads\":%d,\"rows\":%lld,\"values\":%lld,"
      "\"seconds\":%.3f,\"rows_per_s\":%lld,\"bytes_in\":%lld,\"peak_rss_bytes\":%lld}\n",
      threads, static_cast<long long>(rows.load()), static_cast<long long>(values.load()), secs,
      static_cast<long long>(static_cast<double>(rows.load()) / secs),
      static_cast<long long>(r.file_size()), static_cast<long long>(PeakRssBytes()));
  return 0;
}

int Usage() {
  std::fprintf(stderr,
               "usage: floe_bench_parquet encode IN OUT [--threads N] [--level L] | decode FILE "
               "[--threads N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  int threads = 2, level = 0;
  for (size_t i = 0; i < args.size();) {
    if (args[i] != "--threads" && args[i] != "--level") {
      ++i;
      continue;
    }
    if (i + 1 >= args.size()) return Usage();
    int v = std::atoi(args[i + 1].c_str());
    if (args[i] == "--threads") {
      if (v < 1 || v > 256) return Usage();
      threads = v;
    } else {
      if (v < 1 || v > 22) return Usage();
      level = v;
    }
    args.erase(args.begin() + static_cast<std::ptrdiff_t>(i),
               args.begin() + static_cast<std::ptrdiff_t>(i + 2));
  }
  if (args.size() == 3 && args[0] == "encode") {
    return Encode(args[1].c_str(), args[2].c_str(), threads, level);
  }
  if (args.size() == 2 && args[0] == "decode") return Decode(args[1].c_str(), threads);
  return Usage();
}
