// floe_bench_ingest_stages: where the CPU of ingest goes, stage by stage, on one thread.
//
//   floe_bench_ingest_stages EVENTS.ndjson [--repeat N]
//
// The file is cut into 1 MiB NDJSON chunks at line ends (as `floe ingest` reads it), then each
// stage runs over every chunk N times (default 5) and the fastest pass is kept:
//   decode      DecodeBody of each chunk, handed over (validation, compaction in place)
//   map_scan    EventMapper::MapRow of each decoded event, as the collector maps them
//   map_parser  the same through simdjson's ondemand parser (MapRow without `decoded`)
//   deferred    decode and map as `floe serve` and `floe ingest` do: DecodeBody with
//               defer_line_validation, then EventMapper::MapUnvalidatedRow of each event, which
//               validates the line while it maps it (compare with decode + map_scan)
//   append      PartitionBuffer::AppendRow of each mapped row into one buffer per chunk
//   flush       PartitionBuffer::WriteSorted of all rows, adopted into one buffer, by (type,
//               timestamp) into a zstd-1 Parquet file in memory (writer threads: 1)
// Prints one JSON line of seconds and events/s. Not a test: the figures are for comparing
// builds on one machine (bench/README.md).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "floe/catalog/events_table.h"
#include "floe/common/clock.h"
#include "floe/io/memory_store.h"
#include "floe/parquet/writer.h"
#include "floe/iceberg/types.h"
#include "floe/ingest/decoder.h"
#include "floe/ingest/event_mapper.h"
#include "floe/ingest/partition_buffer.h"
#include "floe/parquet/schema.h"

namespace {

using floe::ingest::DecodedBody;

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "floe_bench_ingest_stages: " << what << "\n";
  std::exit(1);
}

std::vector<std::string> Chunks(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Die("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string all = ss.str();
  std::vector<std::string> chunks;
  size_t pos = 0;
  while (pos < all.size()) {
    size_t end = std::min(all.size(), pos + (size_t{1} << 20));
    if (end < all.size()) {
      size_t nl = all.rfind('\n', end);
      end = (nl == std::string::npos || nl < pos) ? all.size() : nl + 1;
    }
    chunks.push_back(all.substr(pos, end - pos));
    pos = end;
  }
  return chunks;
}

std::vector<DecodedBody> DecodeAll(const std::vector<std::string>& chunks, bool defer = false) {
  floe::ingest::DecodeLimits limits;
  limits.max_body_bytes = limits.max_inflated_bytes = size_t{1} << 30;
  limits.max_events = size_t{1} << 30;
  limits.defer_line_validation = defer;
  std::vector<DecodedBody> bodies;
  for (const std::string& c : chunks) {
    floe::Buffer b;
    b.Reserve(c.size() + floe::ingest::kEventPadding);
    b.Append(c);
    auto body = floe::ingest::DecodeBody("application/x-ndjson", "", std::move(b), limits);
    if (!body.ok()) Die(body.status().ToString());
    bodies.push_back(std::move(body).value());
  }
  return bodies;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) Die("usage: floe_bench_ingest_stages EVENTS.ndjson [--repeat N]");
  int repeat = 5;
  for (int i = 2; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--repeat") repeat = std::atoi(argv[i + 1]);
  }
  const std::vector<std::string> chunks = Chunks(argv[1]);
  const floe::iceberg::Schema schema = floe::EventsTableSchema();
  auto mapper = floe::ingest::EventMapper::Make(schema);
  if (!mapper.ok()) Die(mapper.status().ToString());
  auto pschema = floe::iceberg::ToParquetSchema(schema);
  if (!pschema.ok()) Die(pschema.status().ToString());
  auto file_schema = floe::parquet::BuildFileSchema(*pschema);
  if (!file_schema.ok()) Die(file_schema.status().ToString());
  const std::vector<floe::parquet::LeafColumn> leaves = file_schema->leaves;

  double best_decode = 1e9, best_scan = 1e9, best_parser = 1e9, best_append = 1e9,
         best_flush = 1e9, best_deferred = 1e9;
  size_t events = 0;
  for (int r = 0; r < repeat; ++r) {
    floe::ingest::MapScratch scratch;
    floe::ingest::MappedRow row;
    {
      double t = Now();
      std::vector<DecodedBody> deferred = DecodeAll(chunks, /*defer=*/true);
      for (DecodedBody& b : deferred) {
        for (size_t i = 0; i < b.events.size(); ++i) {
          const auto& e = b.events[i];
          if (!e.validated && mapper->MapUnvalidatedRow(e.json, b.max_depth, 1, &scratch, &row)) {
            continue;
          }
          const std::string invalid = b.Validate(i);
          floe::Status st = invalid.empty() ? mapper->MapRow(e.json, 1, &scratch, &row, true)
                                            : floe::Status::InvalidArgument(invalid);
          if (!st.ok()) Die(st.ToString());
        }
      }
      best_deferred = std::min(best_deferred, Now() - t);
    }  // its bodies are freed before the decode stage makes its own, as that stage's were
    double t0 = Now();
    std::vector<DecodedBody> bodies = DecodeAll(chunks);
    best_decode = std::min(best_decode, Now() - t0);
    events = 0;
    for (const DecodedBody& b : bodies) events += b.events.size();

    for (bool decoded : {true, false}) {
      double t = Now();
      for (const DecodedBody& b : bodies) {
        for (const auto& e : b.events) {
          floe::Status st = mapper->MapRow(e.json, 1, &scratch, &row, decoded);
          if (!st.ok()) Die(st.ToString());
        }
      }
      double took = Now() - t;
      (decoded ? best_scan : best_parser) = std::min(decoded ? best_scan : best_parser, took);
    }
    // Appending, mapping excluded: map a chunk's rows first, then time their appends.
    double append = 0;
    floe::ingest::PartitionBuffer all(&leaves, {}, "");
    for (const DecodedBody& b : bodies) {
      std::vector<floe::ingest::MappedRow> rows(b.events.size());
      std::vector<floe::ingest::MapScratch> scratches(b.events.size());
      for (size_t i = 0; i < b.events.size(); ++i) {
        floe::Status st = mapper->MapRow(b.events[i].json, 1, &scratches[i], &rows[i], true);
        if (!st.ok()) Die(st.ToString());
      }
      floe::ingest::PartitionBuffer buffer(&leaves, {}, "", static_cast<int64_t>(rows.size()));
      double t = Now();
      for (const auto& mapped : rows) {
        floe::Status st = buffer.AppendRow(mapped);
        if (!st.ok()) Die(st.ToString());
      }
      append += Now() - t;
      all.Adopt(std::move(buffer));
    }
    best_append = std::min(best_append, append);

    floe::FakeClock clock(0);
    floe::MemoryStore store(&clock);
    auto stream = store.Create("memory://bench/flush.parquet");
    if (!stream.ok()) Die(stream.status().ToString());
    floe::parquet::WriterOptions wo;
    wo.codec_level = 1;
    auto writer = floe::parquet::ParquetWriter::Make(stream->get(), *pschema, wo);
    if (!writer.ok()) Die(writer.status().ToString());
    double t = Now();
    // type, timestamp: the events table's sort order
    floe::Status st = all.WriteSorted({floe::ingest::SortKey{2}, floe::ingest::SortKey{1}},
                                      writer->get(), 65536);
    if (st.ok()) st = (*writer)->Close().status();
    if (!st.ok()) Die(st.ToString());
    best_flush = std::min(best_flush, Now() - t);
  }
  auto rate = [&](double s) { return static_cast<long long>(static_cast<double>(events) / s); };
  std::printf(
      "{\"events\":%zu,\"chunks\":%zu,\"decode_s\":%.3f,\"map_scan_s\":%.3f,"
      "\"map_parser_s\":%.3f,\"deferred_s\":%.3f,\"append_s\":%.3f,\"flush_s\":%.3f,"
      "\"decode_ev_s\":%lld,\"map_scan_ev_s\":%lld,\"map_parser_ev_s\":%lld,"
      "\"deferred_ev_s\":%lld,\"append_ev_s\":%lld,\"flush_ev_s\":%lld}\n",
      events, chunks.size(), best_decode, best_scan, best_parser, best_deferred, best_append,
      best_flush, rate(best_decode), rate(best_scan), rate(best_parser), rate(best_deferred),
      rate(best_append), rate(best_flush));
  return 0;
}
