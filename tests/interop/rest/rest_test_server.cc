// Test-only helper for the REST catalog interop tests.
//
//   rest_test_server serve DIR ADMIN_TOKEN READ_TOKEN
//     A SQLite catalog at DIR/catalog.db and a local warehouse at DIR holding analytics.events;
//     serves the REST catalog routes on a free loopback port, prints "listening PORT" and runs
//     until SIGTERM/SIGINT.
//   rest_test_server snapshot METADATA_LOCATION ROWS FIRST_DAY
//     Plays an outside writer: writes ROWS rows (event_id string, timestamp timestamptz, value
//     long; two days from FIRST_DAY) as one Parquet file per day into the table of that metadata
//     file, writes the manifests and manifest list of an append on it and prints the snapshot's
//     JSON for an add-snapshot update. Commits nothing.
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "floe/catalog/events_table.h"
#include "floe/catalog/snapshot_producer.h"
#include "floe/catalog/sql_catalog.h"
#include "floe/catalog/table.h"
#include "floe/io/location.h"
#include "floe/io/store_registry.h"
#include "floe/server/http_server.h"
#include "floe/server/rest_catalog.h"
#include "floe/server/signals.h"
#include "support/parquet_files.h"

namespace floe {
namespace {

constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000000;

Result<std::shared_ptr<ObjectStore>> LocalStore() {
  return MakeDefaultStoreRegistry()->Resolve("file:///");
}

Status Serve(const std::string& dir, const std::string& admin, const std::string& reader) {
  server::BlockTerminationSignals();
  SystemClock clock;
  Logger logger(&clock, LogLevel::kWarn);
  FLOE_ASSIGN_OR_RETURN(std::shared_ptr<ObjectStore> store, LocalStore());
  FLOE_ASSIGN_OR_RETURN(auto catalog, SqlCatalog::Open("sqlite:" + dir + "/catalog.db"));
  FLOE_ASSIGN_OR_RETURN(std::string root, LocationFromLocalPath(dir));
  TableServices services{store.get(), catalog.get(), &clock, std::nullopt};
  const TableIdentifier events = DefaultEventsTableId();
  FLOE_ASSIGN_OR_RETURN(bool ns_exists, catalog->NamespaceExists(events.ns));
  if (!ns_exists) FLOE_RETURN_IF_ERROR(catalog->CreateNamespace(events.ns, {}));
  FLOE_ASSIGN_OR_RETURN(bool exists, catalog->TableExists(events));
  if (!exists) {
    FLOE_ASSIGN_OR_RETURN(
        auto table, Table::Create(services, events,
                                  EventsTableRequest(JoinLocation(root, "analytics/events"))));
    (void)table;
  }

  server::Router router;
  server::RestCatalogContext ctx;
  ctx.services = services;
  ctx.warehouse = root;
  ctx.admin_token = admin;
  ctx.read_tokens = {reader};
  ctx.logger = &logger;
  FLOE_RETURN_IF_ERROR(server::AddRestCatalogRoutes(&router, ctx));
  server::ServerOptions options;
  options.port = 0;
  options.worker_threads = 4;
  FLOE_ASSIGN_OR_RETURN(auto http,
                        server::HttpServer::Start(options, std::move(router), &logger, &clock));
  std::printf("listening %u\n", static_cast<unsigned>(http->port()));
  std::fflush(stdout);
  server::WaitForTerminationSignal();
  http->Shutdown();
  return Status::OK();
}

Status Snapshot(const std::string& metadata_location, int rows_per_day, int32_t first_day) {
  SystemClock clock;
  FLOE_ASSIGN_OR_RETURN(std::shared_ptr<ObjectStore> store, LocalStore());
  FLOE_ASSIGN_OR_RETURN(iceberg::TableMetadata m,
                        ReadTableMetadata(store.get(), metadata_location));
  FLOE_ASSIGN_OR_RETURN(parquet::Schema schema, iceberg::ToParquetSchema(m.CurrentSchema()));
  std::random_device device;
  std::mt19937_64 rng((uint64_t{device()} << 32) ^ device());
  const std::string tag = std::to_string(rng() % 1000000000);

  SnapshotChanges changes;
  for (int32_t day = first_day; day < first_day + 2; ++day) {
    std::vector<testing::Row> rows;
    for (int i = 0; i < rows_per_day; ++i) {
      rows.push_back({testing::Value::Bytes("rest-" + tag + "-" + std::to_string(day) + "-" +
                                            std::to_string(i)),
                      testing::Value::Int(day * kMicrosPerDay + int64_t{i} * 1000000),
                      i % 4 == 0 ? testing::Value::Null() : testing::Value::Int(i)});
    }
    FLOE_ASSIGN_OR_RETURN(testing::WrittenParquet written,
                          testing::WriteParquet(schema, rows, parquet::WriterOptions{}));
    std::vector<iceberg::Literal> partition{iceberg::Literal::Date(day)};
    FLOE_ASSIGN_OR_RETURN(std::string part, iceberg::PartitionPath(m.DefaultSpec(), partition));
    const std::string path = JoinLocation(m.location, "data/" + part + "/rest-" + tag + ".parquet");
    FLOE_RETURN_IF_ERROR(store->Put(path, written.bytes));
    FLOE_ASSIGN_OR_RETURN(
        iceberg::DataFile file,
        iceberg::DataFileFromParquet(path, iceberg::FileFormat::kParquet, written.metrics,
                                     std::move(partition), m.CurrentSchema()));
    changes.added_files.push_back(std::move(file));
  }
  SnapshotProducer producer(
      store.get(), tag + "-commit", [&rng] { return rng(); }, std::move(changes));
  // Below 2^53 so the JavaScript client can carry it as a plain number.
  const int64_t snapshot_id = static_cast<int64_t>(rng() & ((uint64_t{1} << 53) - 1)) + 1;
  std::vector<std::string> files;
  FLOE_ASSIGN_OR_RETURN(ProducedSnapshot produced,
                        producer.Produce(m, snapshot_id, 1, clock.NowMillis(), &files));
  // The metadata writer is the one serialiser of snapshots: take the snapshot out of its JSON.
  m.snapshots.push_back(produced.snapshot);
  nlohmann::ordered_json json = nlohmann::ordered_json::parse(iceberg::TableMetadataToJson(m));
  std::printf("%s\n", json["snapshots"].back().dump().c_str());
  return Status::OK();
}

}  // namespace
}  // namespace floe

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  floe::Status st;
  if (mode == "serve" && argc == 5) {
    st = floe::Serve(argv[2], argv[3], argv[4]);
  } else if (mode == "snapshot" && argc == 5) {
    st = floe::Snapshot(argv[2], std::atoi(argv[3]), std::atoi(argv[4]));
  } else {
    std::fprintf(stderr,
                 "usage: rest_test_server serve DIR ADMIN_TOKEN READ_TOKEN\n"
                 "       rest_test_server snapshot METADATA_LOCATION ROWS FIRST_DAY\n");
    return 2;
  }
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  return 0;
}
