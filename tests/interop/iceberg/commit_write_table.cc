// Builds a table for the oracle to check: `commit_write_table WAREHOUSE [CATALOG_DB]` creates
// ns.events in a SQLite catalog at WAREHOUSE/catalog.db or CATALOG_DB (data under
// WAREHOUSE/ns/events; WAREHOUSE may be s3://bucket/prefix), partitioned by
// day(timestamp); appends Parquet files written by floe's writer in three commits, then
// compacts the two files of one day into one (operation replace). Prints the row count.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "floe/catalog/sql_catalog.h"
#include "floe/catalog/table.h"
#include "floe/catalog/transaction.h"
#include "floe/io/location.h"
#include "floe/io/store_registry.h"
#include "support/parquet_files.h"

namespace floe {
namespace {

constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000000;
constexpr int32_t kFirstDay = 20000;

iceberg::Schema EventsSchema() {
  using iceberg::NestedField;
  using iceberg::Type;
  using iceberg::TypeId;
  NestedField id;
  id.id = 1;
  id.name = "event_id";
  id.required = true;
  id.type = Type::Primitive(TypeId::kString);
  NestedField ts = id;
  ts.id = 2;
  ts.name = "timestamp";
  ts.type = Type::Primitive(TypeId::kTimestampTz);
  NestedField value = id;
  value.id = 3;
  value.name = "value";
  value.required = false;
  value.type = Type::Primitive(TypeId::kLong);
  return iceberg::Schema(0, {id, ts, value});
}

std::vector<testing::Row> RowsOfDay(int32_t day, int first, int count) {
  std::vector<testing::Row> rows;
  for (int i = first; i < first + count; ++i) {
    rows.push_back({testing::Value::Bytes("e" + std::to_string(day) + "-" + std::to_string(i)),
                    testing::Value::Int(day * kMicrosPerDay + int64_t{i} * 1000000),
                    i % 3 == 0 ? testing::Value::Null() : testing::Value::Int(i)});
  }
  return rows;
}

Result<iceberg::DataFile> WriteFile(ObjectStore* store, const iceberg::TableMetadata& m,
                                    const std::string& name, int32_t day,
                                    const std::vector<testing::Row>& rows) {
  FLOE_ASSIGN_OR_RETURN(parquet::Schema schema, iceberg::ToParquetSchema(m.CurrentSchema()));
  FLOE_ASSIGN_OR_RETURN(testing::WrittenParquet written,
                        testing::WriteParquet(schema, rows, parquet::WriterOptions{}));
  std::vector<iceberg::Literal> partition{iceberg::Literal::Date(day)};
  FLOE_ASSIGN_OR_RETURN(std::string dir, iceberg::PartitionPath(m.DefaultSpec(), partition));
  const std::string path = JoinLocation(m.location, "data/" + dir + "/" + name + ".parquet");
  FLOE_RETURN_IF_ERROR(store->Put(path, written.bytes));
  return iceberg::DataFileFromParquet(path, iceberg::FileFormat::kParquet, written.metrics,
                                      std::move(partition), m.CurrentSchema());
}

Status Run(const std::string& warehouse, const std::string& catalog_db) {
  SystemClock clock;
  // An s3:// warehouse goes through the S3 store configured by the AWS_* variables.
  const bool s3 = warehouse.rfind("s3://", 0) == 0;
  FLOE_ASSIGN_OR_RETURN(S3Options s3_options, S3OptionsFromEnvironment(std::getenv));
  auto registry = MakeDefaultStoreRegistry(s3_options);
  FLOE_ASSIGN_OR_RETURN(std::shared_ptr<ObjectStore> store,
                        registry->Resolve(s3 ? warehouse : "file:///"));
  FLOE_ASSIGN_OR_RETURN(auto catalog, SqlCatalog::Open("sqlite:" + catalog_db));
  FLOE_RETURN_IF_ERROR(catalog->CreateNamespace({"ns"}, {}));
  FLOE_ASSIGN_OR_RETURN(std::string root,
                        s3 ? NormalizeLocation(warehouse) : LocationFromLocalPath(warehouse));
  CreateTableRequest request;
  request.schema = EventsSchema();
  request.spec.fields.push_back(
      iceberg::PartitionField{2, 0, "timestamp_day", iceberg::Transform::Day()});
  request.location = JoinLocation(root, "ns/events");
  TableServices services{store.get(), catalog.get(), &clock, std::nullopt};
  FLOE_ASSIGN_OR_RETURN(auto table, Table::Create(services, {{"ns"}, "events"}, request));

  int64_t rows_total = 0;
  std::vector<std::string> day0_files;
  std::vector<testing::Row> day0_rows;
  for (int commit = 0; commit < 3; ++commit) {
    std::vector<iceberg::DataFile> files;
    for (int32_t day = kFirstDay; day < kFirstDay + 2; ++day) {
      std::vector<testing::Row> rows = RowsOfDay(day, commit * 100, 50 + commit * 10);
      FLOE_ASSIGN_OR_RETURN(
          iceberg::DataFile file,
          WriteFile(store.get(), table->metadata(),
                    "c" + std::to_string(commit) + "-d" + std::to_string(day), day, rows));
      rows_total += file.record_count;
      if (day == kFirstDay && commit < 2) {
        day0_files.push_back(file.file_path);
        day0_rows.insert(day0_rows.end(), rows.begin(), rows.end());
      }
      files.push_back(std::move(file));
    }
    FLOE_ASSIGN_OR_RETURN(CommitResult r,
                          table->NewTransaction()
                              .AppendFiles(std::move(files))
                              .SetSummary("floe.wal-position", std::to_string(commit))
                              .Commit());
    (void)r;
  }
  FLOE_ASSIGN_OR_RETURN(iceberg::DataFile compacted, WriteFile(store.get(), table->metadata(),
                                                               "compacted", kFirstDay, day0_rows));
  FLOE_ASSIGN_OR_RETURN(CommitResult r,
                        table->NewTransaction().ReplaceFiles(day0_files, {compacted}).Commit());
  (void)r;
  std::printf("%lld\n", static_cast<long long>(rows_total));
  return Status::OK();
}

}  // namespace
}  // namespace floe

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: commit_write_table WAREHOUSE|s3://BUCKET/PREFIX [CATALOG_DB]\n");
    return 2;
  }
  floe::Status st = floe::Run(argv[1], argc == 3 ? argv[2] : std::string(argv[1]) + "/catalog.db");
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  return 0;
}
