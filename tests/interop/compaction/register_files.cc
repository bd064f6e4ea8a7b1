// Registers existing Parquet files (DuckDB's, no field ids) as the data of a new unpartitioned
// table with the events schema of DESIGN.md, so `floe compact` can rewrite them:
// `register_files WAREHOUSE FILE...` creates analytics.events in the SQLite
// catalog WAREHOUSE/catalog.db and appends the files in one commit.
#include <cstdio>
#include <string>
#include <vector>

#include "floe/catalog/sql_catalog.h"
#include "floe/catalog/table.h"
#include "floe/catalog/transaction.h"
#include "floe/io/location.h"
#include "floe/io/store_registry.h"
#include "floe/parquet/reader.h"

namespace floe {
namespace {

Status Run(const std::string& warehouse, const std::vector<std::string>& paths) {
  SystemClock clock;
  auto registry = MakeDefaultStoreRegistry();
  FLOE_ASSIGN_OR_RETURN(std::shared_ptr<ObjectStore> store, registry->Resolve("file:///"));
  FLOE_ASSIGN_OR_RETURN(auto catalog, SqlCatalog::Open("sqlite:" + warehouse + "/catalog.db"));
  FLOE_RETURN_IF_ERROR(catalog->CreateNamespace({"analytics"}, {}));
  FLOE_ASSIGN_OR_RETURN(std::string root, LocationFromLocalPath(warehouse));
  std::vector<iceberg::NestedField> fields;
  int32_t id = 1;
  for (const char* name : {"event_id", "timestamp", "type", "source", "subject", "user_id",
                           "session_id", "data", "extensions", "received_at"}) {
    iceberg::NestedField f;
    f.id = id++;
    f.name = name;
    const std::string n = name;
    f.type = iceberg::Type::Primitive(n == "timestamp" || n == "received_at"
                                          ? iceberg::TypeId::kTimestampTz
                                          : iceberg::TypeId::kString);
    fields.push_back(f);
  }
  CreateTableRequest request;
  request.schema = iceberg::Schema(0, fields);
  request.properties["write.parquet.compression-codec"] = "zstd";
  request.location = JoinLocation(root, "analytics/events");
  TableServices services{store.get(), catalog.get(), &clock, std::nullopt};
  FLOE_ASSIGN_OR_RETURN(auto table, Table::Create(services, {{"analytics"}, "events"}, request));
  std::vector<iceberg::DataFile> files;
  for (const std::string& p : paths) {
    FLOE_ASSIGN_OR_RETURN(std::string location, LocationFromLocalPath(p));
    FLOE_ASSIGN_OR_RETURN(auto file, store->OpenRead(location));
    FLOE_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(file.get()));
    iceberg::DataFile df;
    df.file_path = location;
    df.record_count = reader->num_rows();
    df.file_size_in_bytes = reader->file_size();
    files.push_back(std::move(df));
  }
  FLOE_ASSIGN_OR_RETURN(CommitResult r, table->NewTransaction().AppendFiles(files).Commit());
  (void)r;
  std::printf("{\"files\": %zu}\n", files.size());
  return Status::OK();
}

}  // namespace
}  // namespace floe

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: register_files WAREHOUSE FILE...\n");
    return 2;
  }
  floe::Status st = floe::Run(argv[1], std::vector<std::string>(argv + 2, argv + argc));
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  return 0;
}
