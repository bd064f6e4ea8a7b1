// Compaction on S3: `s3_compact_table WAREHOUSE CATALOG_DB FILES` creates analytics.events (the
// events table of DESIGN.md) in WAREHOUSE (s3://bucket/prefix, S3 settings from the AWS_*
// variables, or a local folder), appends FILES small Parquet files of one day in commits of 50,
// then runs one forced compaction through the object store. Prints one JSON line: rows, files in
// and out, compaction time, and for S3 the requests the compaction sent, in all and per input
// file (the figure that makes or breaks compaction on object stores).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "floe/catalog/events_table.h"
#include "floe/catalog/sql_catalog.h"
#include "floe/catalog/table.h"
#include "floe/catalog/transaction.h"
#include "floe/io/location.h"
#include "floe/io/store_registry.h"
#include "floe/maintenance/compactor.h"
#include "support/parquet_files.h"

namespace floe {
namespace {

constexpr int64_t kDayMicros = int64_t{86400} * 1000000;
constexpr int32_t kDay = 20000;
constexpr int kRowsPerFile = 40;
constexpr int kFilesPerCommit = 50;

std::vector<testing::Row> Events(int file) {
  using testing::Value;
  std::vector<testing::Row> rows;
  for (int i = 0; i < kRowsPerFile; ++i) {
    int64_t ts = kDay * kDayMicros + int64_t{file} * 60'000'000 + i * 1000;
    rows.push_back({Value::Bytes("f" + std::to_string(file) + "-" + std::to_string(i)),
                    Value::Int(ts), Value::Bytes(i % 2 ? "click" : "view"), Value::Bytes("web"),
                    Value::Null(), Value::Bytes("u" + std::to_string(i % 7)), Value::Null(),
                    Value::Bytes("{\"n\":" + std::to_string(i) + "}"), Value::Null(),
                    Value::Int(ts + 5)});
  }
  return rows;
}

Result<iceberg::DataFile> WriteFile(ObjectStore* store, const iceberg::TableMetadata& m, int file) {
  FLOE_ASSIGN_OR_RETURN(parquet::Schema schema, iceberg::ToParquetSchema(m.CurrentSchema()));
  FLOE_ASSIGN_OR_RETURN(testing::WrittenParquet written,
                        testing::WriteParquet(schema, Events(file), parquet::WriterOptions{}));
  std::vector<iceberg::Literal> partition{iceberg::Literal::Date(kDay)};
  FLOE_ASSIGN_OR_RETURN(std::string dir, iceberg::PartitionPath(m.DefaultSpec(), partition));
  const std::string path =
      JoinLocation(m.location, "data/" + dir + "/small-" + std::to_string(file) + ".parquet");
  FLOE_RETURN_IF_ERROR(store->Put(path, written.bytes));
  return iceberg::DataFileFromParquet(path, iceberg::FileFormat::kParquet, written.metrics,
                                      std::move(partition), m.CurrentSchema());
}

nlohmann::json Counts(const S3RequestCounts& c) {
  return {{"get", c.get.load()},        {"head", c.head.load()},  {"put", c.put.load()},
          {"post", c.post.load()},      {"delete", c.del.load()}, {"list", c.list.load()},
          {"retries", c.retries.load()}};
}

int64_t Total(const nlohmann::json& j) {
  return j["get"].get<int64_t>() + j["head"].get<int64_t>() + j["put"].get<int64_t>() +
         j["post"].get<int64_t>() + j["delete"].get<int64_t>() + j["list"].get<int64_t>();
}

Status Run(const std::string& warehouse, const std::string& catalog_db, int files) {
  SystemClock clock;
  Logger logger(&clock, LogLevel::kWarn);
  const bool s3 = warehouse.rfind("s3://", 0) == 0;
  FLOE_ASSIGN_OR_RETURN(S3Options s3_options, S3OptionsFromEnvironment(std::getenv));
  auto registry = MakeDefaultStoreRegistry(s3_options);
  FLOE_ASSIGN_OR_RETURN(std::string root,
                        s3 ? NormalizeLocation(warehouse) : LocationFromLocalPath(warehouse));
  FLOE_ASSIGN_OR_RETURN(std::shared_ptr<ObjectStore> store, registry->Resolve(root));
  auto* s3_store = dynamic_cast<S3Store*>(store.get());
  FLOE_ASSIGN_OR_RETURN(auto catalog, SqlCatalog::Open("sqlite:" + catalog_db));
  FLOE_RETURN_IF_ERROR(catalog->CreateNamespace({"analytics"}, {}));
  TableServices services{store.get(), catalog.get(), &clock, std::nullopt};
  FLOE_ASSIGN_OR_RETURN(auto table,
                        Table::Create(services, DefaultEventsTableId(),
                                      EventsTableRequest(JoinLocation(root, "analytics/events"))));
  for (int first = 0; first < files; first += kFilesPerCommit) {
    std::vector<iceberg::DataFile> batch;
    for (int f = first; f < std::min(files, first + kFilesPerCommit); ++f) {
      FLOE_ASSIGN_OR_RETURN(iceberg::DataFile file, WriteFile(store.get(), table->metadata(), f));
      batch.push_back(std::move(file));
    }
    FLOE_ASSIGN_OR_RETURN(CommitResult r, table->NewTransaction().AppendFiles(batch).Commit());
    (void)r;
  }

  nlohmann::json before = s3_store ? Counts(s3_store->request_counts()) : nlohmann::json();
  maintenance::CompactionRequest request;
  request.force = true;
  maintenance::CompactionEnv env;
  env.logger = &logger;
  auto start = std::chrono::steady_clock::now();
  FLOE_ASSIGN_OR_RETURN(
      maintenance::CompactionReport report,
      maintenance::RunCompaction(table.get(), maintenance::CompactionOptions{}, request, env));
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  nlohmann::json out = {{"store", s3 ? "s3" : "local"},
                        {"rows", int64_t{files} * kRowsPerFile},
                        {"status", report.run.status},
                        {"files_in", report.run.files_in},
                        {"files_out", report.run.files_out},
                        {"rows_out", report.run.rows_out},
                        {"compaction_ms", ms}};
  if (s3_store != nullptr) {
    nlohmann::json after = Counts(s3_store->request_counts());
    nlohmann::json delta;
    for (const auto& [k, v] : after.items()) delta[k] = v.get<int64_t>() - before[k].get<int64_t>();
    out["requests"] = delta;
    out["requests_total"] = Total(delta);
    if (report.run.files_in > 0) {
      out["requests_per_file_in"] =
          static_cast<double>(Total(delta)) / static_cast<double>(report.run.files_in);
    }
  }
  std::printf("%s\n", out.dump().c_str());
  if (report.run.status != "success") {
    return Status::Internal("compaction status " + report.run.status + ": " + report.run.error);
  }
  return Status::OK();
}

}  // namespace
}  // namespace floe

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: s3_compact_table WAREHOUSE CATALOG_DB FILES\n");
    return 2;
  }
  floe::Status st = floe::Run(argv[1], argv[2], std::atoi(argv[3]));
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  return 0;
}
