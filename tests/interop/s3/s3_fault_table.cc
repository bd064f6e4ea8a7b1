// Ingest and compaction of analytics.events over S3 with faults (issue 8 must-show 4):
//
//   s3_fault_table s3://BUCKET/PREFIX CATALOG_DB STATE_DIR ACKED_FILE ROUND RATE SEED
//
// One round of the real code paths — Collector (WAL in STATE_DIR, flush, append commits) and
// RunCompaction — over an S3Store whose HTTP transport fails RATE of the requests (503, resets,
// timeouts after the server acted, 500s, bodies cut short; support/flaky_transport.h). S3
// settings come from the AWS_* variables. With faults on, the store gives up after 2 attempts,
// so some operations succeed through retries and some fail; a failure must be clean: a failed
// flush keeps its events buffered and in the WAL, a failed compaction group commits nothing.
// The client side acts like a real one: every acknowledged id is appended to ACKED_FILE, some
// acknowledged batches are sent again (a reply the client lost) and must come back as
// duplicates. Every other round ends like a crash (no Close: the next round replays the WAL).
// RATE 0 is the last round: flush until everything landed. Prints one JSON line of figures;
// exits 1 when an operation broke a promise (a re-sent batch not counted as duplicates).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "floe/catalog/events_table.h"
#include "floe/catalog/sql_catalog.h"
#include "floe/catalog/table.h"
#include "floe/ingest/collector.h"
#include "floe/io/location.h"
#include "floe/io/s3_store.h"
#include "floe/maintenance/compactor.h"
#include "support/flaky_transport.h"

namespace floe {
namespace {

constexpr int kBatches = 24;
constexpr int kEventsPerBatch = 100;
constexpr int kFlushEvery = 4;     // batches
constexpr int kCompactEvery = 12;  // batches
constexpr int kOpenAttempts = 20;  // opening the table or collector under faults

struct Args {
  std::string warehouse, catalog_db, state_dir, acked_file;
  int round = 0;
  double rate = 0;
  uint64_t seed = 0;
};

struct Figures {
  int64_t acked = 0, resent = 0, flushes_ok = 0, flushes_failed = 0, compactions_ok = 0,
          compactions_failed = 0, files_compacted = 0, open_retries = 0, ingest_retries = 0;
  bool crashed = false;
};

std::string Event(const Args& a, int batch, int i) {
  // Three day partitions, two event types, so compaction has groups in several partitions.
  const int day = 1 + (batch + i) % 3;
  char time[32];
  std::snprintf(time, sizeof time, "2026-03-0%dT%02d:%02d:%02dZ", day, i % 24, batch % 60,
                a.round % 60);
  return R"({"id":"r)" + std::to_string(a.round) + "-b" + std::to_string(batch) + "-" +
         std::to_string(i) + R"(","type":")" + (i % 2 ? "click" : "view") +
         R"(","source":"fault-test","time":")" + time + R"(","data":{"user_id":"u)" +
         std::to_string(i % 7) + R"("}})";
}

ingest::DecodedBody Batch(const Args& a, int batch) {
  ingest::DecodedBody body;
  for (int i = 0; i < kEventsPerBatch; ++i) {
    body.Add(static_cast<size_t>(i), Event(a, batch, i));
  }
  return body;
}

std::string IdOf(const Args& a, int batch, int i) {
  return "r" + std::to_string(a.round) + "-b" + std::to_string(batch) + "-" + std::to_string(i);
}

// Opening reads the table (and the collector replays its WAL against it) through the faulty
// store: a clean failure there is retried like a restarting service would.
template <typename F>
auto Retry(F&& open, Figures* f) -> decltype(open()) {
  auto r = open();
  for (int i = 1; !r.ok() && i < kOpenAttempts; ++i) {
    ++f->open_retries;
    r = open();
  }
  return r;
}

// A failed run is fine as long as it failed cleanly; the oracle checks that afterwards.
void CompactOnce(Table* table, Logger* logger, Figures* f) {
  maintenance::CompactionRequest request;
  request.force = true;
  maintenance::CompactionEnv env;
  env.logger = logger;
  auto report = RunCompaction(table, maintenance::CompactionOptions{}, request, env);
  if (report.ok() && (report->run.status == "success" || report->run.status == "noop")) {
    ++f->compactions_ok;
    f->files_compacted += report->run.files_in;
  } else {
    ++f->compactions_failed;
    if (report.ok()) f->files_compacted += report->run.files_in;
  }
}

Status Run(const Args& a) {
  SystemClock clock;
  Logger logger(&clock, LogLevel::kError);
  FLOE_ASSIGN_OR_RETURN(S3Options options, S3OptionsFromEnvironment(std::getenv));
  // Short backoff keeps the test quick; two attempts make some operations fail outright.
  options.retry_base_delay_ms = 2;
  options.retry_max_delay_ms = 50;
  options.max_attempts = a.rate > 0 ? 2 : 8;
  auto flaky = std::make_shared<testing::FlakyTransport>(MakeCurlTransport(options.http), a.rate,
                                                         a.seed * 1000 + a.round);
  FLOE_ASSIGN_OR_RETURN(std::string root, NormalizeLocation(a.warehouse));
  FLOE_ASSIGN_OR_RETURN(Location parsed, ParseLocation(root));
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<S3Store> store,
                        S3Store::Make(parsed.authority, options, flaky));
  FLOE_ASSIGN_OR_RETURN(auto catalog, SqlCatalog::Open("sqlite:" + a.catalog_db));
  TableServices services{store.get(), catalog.get(), &clock, std::nullopt};
  Figures f;

  FLOE_ASSIGN_OR_RETURN(bool ns, catalog->NamespaceExists({"analytics"}));
  if (!ns) FLOE_RETURN_IF_ERROR(catalog->CreateNamespace({"analytics"}, {}));
  const TableIdentifier id = DefaultEventsTableId();
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<Table> table,
                        Retry(
                            [&]() -> Result<std::unique_ptr<Table>> {
                              auto t = Table::Load(services, id);
                              if (t.ok() || t.status().kind() != ErrorKind::kNotFound) return t;
                              return Table::Create(
                                  services, id,
                                  EventsTableRequest(JoinLocation(root, "analytics/events")));
                            },
                            &f));

  ingest::CollectorOptions copts;
  copts.state_dir = a.state_dir;
  copts.background_flush = false;
  copts.durability = ingest::Durability::kNone;
  ingest::CollectorServices cservices{store.get(), catalog.get(), &clock, &logger};
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<ingest::Collector> collector,
                        Retry([&] { return ingest::Collector::Open(copts, cservices); }, &f));

  std::ofstream acked(a.acked_file, std::ios::app);
  std::mt19937_64 rng(a.seed * 7919 + a.round);
  for (int b = 0; b < kBatches; ++b) {
    // Ingest reads the table's schema through the store on first use: a clean failure (a 503
    // for an HTTP client) is sent again, and what an attempt took counts as a duplicate then.
    auto r = collector->Ingest(id, Batch(a, b));
    for (int i = 1; !r.ok() && i < kOpenAttempts; ++i) {
      ++f.ingest_retries;
      r = collector->Ingest(id, Batch(a, b));
    }
    FLOE_RETURN_IF_ERROR(r.status());
    if (r->accepted + r->duplicates != kEventsPerBatch) {
      return Status::Internal("batch " + std::to_string(b) + ": " + std::to_string(r->accepted) +
                              " accepted and " + std::to_string(r->duplicates) + " duplicates of " +
                              std::to_string(kEventsPerBatch));
    }
    for (int i = 0; i < kEventsPerBatch; ++i) acked << IdOf(a, b, i) << "\n";
    acked.flush();
    f.acked += kEventsPerBatch;
    if (rng() % 8 == 0) {
      // The client lost the 202 and sends the batch again: nothing may be written twice.
      FLOE_ASSIGN_OR_RETURN(ingest::IngestResult again, collector->Ingest(id, Batch(a, b)));
      ++f.resent;
      if (again.accepted != 0 || again.duplicates != kEventsPerBatch) {
        return Status::Internal("re-sent batch " + std::to_string(b) + ": " +
                                std::to_string(again.accepted) + " accepted, " +
                                std::to_string(again.duplicates) + " duplicates");
      }
    }
    if ((b + 1) % kFlushEvery == 0) {
      (collector->Flush().ok() ? f.flushes_ok : f.flushes_failed)++;
    }
    if ((b + 1) % kCompactEvery == 0) CompactOnce(table.get(), &logger, &f);
  }

  if (a.rate <= 0) {
    // Nothing may stay behind: the last round flushes until every event landed.
    for (int i = 0; i < 5 && collector->Stats().buffered_events > 0; ++i) {
      (collector->Flush().ok() ? f.flushes_ok : f.flushes_failed)++;
    }
    CompactOnce(table.get(), &logger, &f);
    FLOE_RETURN_IF_ERROR(collector->Close());
  } else if (a.round % 2 == 1) {
    // A crash with a batch acknowledged and not flushed: it is only in the WAL now, and the next
    // round's replay must land it once.
    FLOE_ASSIGN_OR_RETURN(ingest::IngestResult last, collector->Ingest(id, Batch(a, kBatches)));
    for (int i = 0; i < kEventsPerBatch; ++i) acked << IdOf(a, kBatches, i) << "\n";
    acked.flush();
    f.acked += last.accepted;
    f.crashed = true;
  } else if (collector->Close().ok()) {
    ++f.flushes_ok;
  } else {
    ++f.flushes_failed;
  }

  nlohmann::json out = {
      {"round", a.round},
      {"rate", a.rate},
      {"acked", f.acked},
      {"resent_batches", f.resent},
      {"flushes_ok", f.flushes_ok},
      {"flushes_failed", f.flushes_failed},
      {"compactions_ok", f.compactions_ok},
      {"compactions_failed", f.compactions_failed},
      {"files_compacted", f.files_compacted},
      {"open_retries", f.open_retries},
      {"ingest_retries", f.ingest_retries},
      {"ended_as_crash", f.crashed},
      {"faults_injected", flaky->injected()},
      {"requests", store->request_counts().get + store->request_counts().put +
                       store->request_counts().head + store->request_counts().post +
                       store->request_counts().del + store->request_counts().list},
      {"retries", store->request_counts().retries.load()}};
  std::printf("%s\n", out.dump().c_str());
  return Status::OK();
}

}  // namespace
}  // namespace floe

int main(int argc, char** argv) {
  if (argc != 8) {
    std::fprintf(stderr,
                 "usage: s3_fault_table s3://BUCKET/PREFIX CATALOG_DB STATE_DIR ACKED_FILE ROUND "
                 "RATE SEED\n");
    return 2;
  }
  floe::Args a{argv[1],
               argv[2],
               argv[3],
               argv[4],
               std::atoi(argv[5]),
               std::atof(argv[6]),
               std::strtoull(argv[7], nullptr, 10)};
  floe::Status st = floe::Run(a);
  if (!st.ok()) {
    std::fprintf(stderr, "s3_fault_table: %s\n", st.ToString().c_str());
    return 1;
  }
  return 0;
}
