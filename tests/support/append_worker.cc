// floe_test_append_worker: one writer process of the concurrency tests
// (tests/unit/catalog/concurrent_append_test.cc). It appends to a table another process created,
// through Table and Transaction like any floe writer, so racing processes meet only in the
// catalog's compare-and-swap and the shared warehouse folder.
//
//   floe_test_append_worker --catalog URI --warehouse DIR --table NS.NAME --writer NAME
//                           --appends K [--start-file PATH]
//
// Appends K data files, one per commit, at "<table location>/data/<NAME>-<i>.parquet" in the
// partition of day 20000 (the tests' tables are partitioned by day of a timestamp). With
// --start-file it first waits for that file to exist, so all writers start together. Exits 0
// when every commit landed, 1 (with the error on stderr) otherwise, 2 on bad usage.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>

#include "floe/catalog/sql_catalog.h"
#include "floe/catalog/table.h"
#include "floe/catalog/transaction.h"
#include "floe/common/clock.h"
#include "floe/io/local_store.h"
#include "floe/io/location.h"

namespace {

int Fail(const std::string& what, const floe::Status& status) {
  std::fprintf(stderr, "append worker: %s: %s\n", what.c_str(), status.ToString().c_str());
  return 1;
}

// A crashed test must not leave a worker waiting for ever.
bool WaitForFile(const std::string& path) {
  for (int i = 0; i < 60000; ++i) {
    if (::access(path.c_str(), F_OK) == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  for (int i = 1; i + 1 < argc; i += 2) flags[argv[i]] = argv[i + 1];
  bool usable = argc % 2 == 1;
  for (const char* required : {"--catalog", "--warehouse", "--table", "--writer", "--appends"}) {
    usable = usable && flags.count(required) > 0;
  }
  if (!usable) {
    std::fprintf(stderr,
                 "usage: floe_test_append_worker --catalog URI --warehouse DIR --table NS.NAME "
                 "--writer NAME --appends K [--start-file PATH]\n");
    return 2;
  }
  const int appends = std::atoi(flags["--appends"].c_str());
  if (flags.count("--start-file") > 0 && !WaitForFile(flags["--start-file"])) {
    return Fail("start", floe::Status::Unavailable("no start file " + flags["--start-file"]));
  }

  floe::SystemClock clock;
  auto store = floe::LocalStore::Make(flags["--warehouse"]);
  if (!store.ok()) return Fail("store", store.status());
  auto catalog = floe::SqlCatalog::Open(flags["--catalog"]);
  if (!catalog.ok()) return Fail("catalog", catalog.status());
  auto id = floe::TableIdentifier::Parse(flags["--table"]);
  if (!id.ok()) return Fail("table name", id.status());
  auto table =
      floe::Table::Load(floe::TableServices{store->get(), catalog->get(), &clock, {}}, *id);
  if (!table.ok()) return Fail("load", table.status());

  for (int i = 0; i < appends; ++i) {
    floe::iceberg::DataFile file;
    file.file_path =
        floe::JoinLocation((*table)->metadata().location,
                           "data/" + flags["--writer"] + "-" + std::to_string(i) + ".parquet");
    file.record_count = 1;
    file.file_size_in_bytes = 110;
    file.partition.push_back(floe::iceberg::Literal::Date(20000));
    auto committed = (*table)->NewTransaction().AppendFiles({file}).Commit();
    if (!committed.ok()) return Fail("append " + std::to_string(i), committed.status());
  }
  return 0;
}
