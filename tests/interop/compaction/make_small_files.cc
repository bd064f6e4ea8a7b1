// Builds a table of many small files for the compaction interop test:
// `make_small_files WAREHOUSE DAYS FILES_PER_DAY ROWS_PER_FILE` creates ns.events in the SQLite
// catalog WAREHOUSE/catalog.db (data under WAREHOUSE/ns/events), partitioned by day(timestamp)
// and sorted by (type, timestamp), and appends the files (each a sorted run written by floe's
// writer) in commits of 100. Prints {"rows", "files", "snapshot_id", "metadata"}.
// An optional fifth argument PAYLOAD_BYTES appends that many random characters to every event_id:
// few rows then make large files that compression hardly shrinks (the memory test's gigabyte).
#include <algorithm>
#include <cstdint>
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

iceberg::NestedField Field(int32_t id, const char* name, bool required, iceberg::TypeId type) {
  iceberg::NestedField f;
  f.id = id;
  f.name = name;
  f.required = required;
  f.type = iceberg::Type::Primitive(type);
  return f;
}

// Random text from a 64-letter alphabet: six bits of entropy per byte, so zstd keeps 3/4 of it.
class Payload {
 public:
  std::string Next(size_t n) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out(n, ' ');
    for (size_t i = 0; i < n; i += 8) {
      state_ ^= state_ << 13;
      state_ ^= state_ >> 7;
      state_ ^= state_ << 17;
      uint64_t bits = state_;
      for (size_t j = i; j < std::min(n, i + 8); ++j, bits >>= 6) out[j] = kAlphabet[bits & 63];
    }
    return out;
  }

 private:
  uint64_t state_ = 0x9E3779B97F4A7C15ull;
};

Status Run(const std::string& warehouse, int days, int files_per_day, int rows_per_file,
           size_t payload_bytes) {
  SystemClock clock;
  auto registry = MakeDefaultStoreRegistry();
  FLOE_ASSIGN_OR_RETURN(std::shared_ptr<ObjectStore> store, registry->Resolve("file:///"));
  FLOE_ASSIGN_OR_RETURN(auto catalog, SqlCatalog::Open("sqlite:" + warehouse + "/catalog.db"));
  FLOE_RETURN_IF_ERROR(catalog->CreateNamespace({"ns"}, {}));
  FLOE_ASSIGN_OR_RETURN(std::string root, LocationFromLocalPath(warehouse));
  CreateTableRequest request;
  request.schema = iceberg::Schema(0, {Field(1, "event_id", true, iceberg::TypeId::kString),
                                       Field(2, "timestamp", true, iceberg::TypeId::kTimestampTz),
                                       Field(3, "type", true, iceberg::TypeId::kString),
                                       Field(4, "value", false, iceberg::TypeId::kLong)});
  request.spec.fields.push_back(
      iceberg::PartitionField{2, 0, "timestamp_day", iceberg::Transform::Day()});
  request.sort_order.order_id = 1;
  for (int32_t source : {3, 2}) {
    request.sort_order.fields.push_back(iceberg::SortField{iceberg::Transform::Identity(), source,
                                                           iceberg::SortDirection::kAsc,
                                                           iceberg::NullOrder::kNullsFirst});
  }
  request.location = JoinLocation(root, "ns/events");
  TableServices services{store.get(), catalog.get(), &clock, std::nullopt};
  FLOE_ASSIGN_OR_RETURN(auto table, Table::Create(services, {{"ns"}, "events"}, request));
  FLOE_ASSIGN_OR_RETURN(parquet::Schema schema,
                        iceberg::ToParquetSchema(table->metadata().CurrentSchema()));
  const char* types[] = {"click", "purchase", "view"};
  Payload payload;

  int64_t rows_total = 0;
  int64_t files_total = 0;
  std::vector<iceberg::DataFile> pending;
  auto commit = [&]() -> Status {
    if (pending.empty()) return Status::OK();
    FLOE_ASSIGN_OR_RETURN(CommitResult r,
                          table->NewTransaction().AppendFiles(std::move(pending)).Commit());
    (void)r;
    pending.clear();
    return Status::OK();
  };
  for (int f = 0; f < files_per_day; ++f) {
    for (int32_t day = kFirstDay; day < kFirstDay + days; ++day) {
      std::vector<testing::Row> rows;
      for (int t = 0; t < 3; ++t) {
        for (int i = t; i < rows_per_file; i += 3) {
          const int64_t n = int64_t{f} * rows_per_file + i;
          rows.push_back({testing::Value::Bytes("e" + std::to_string(day) + "-" +
                                                std::to_string(n) + payload.Next(payload_bytes)),
                          testing::Value::Int(day * kMicrosPerDay + n * 1000000),
                          testing::Value::Bytes(types[t]),
                          n % 7 == 0 ? testing::Value::Null() : testing::Value::Int(n * 31)});
        }
      }
      FLOE_ASSIGN_OR_RETURN(testing::WrittenParquet written,
                            testing::WriteParquet(schema, rows, parquet::WriterOptions{}));
      std::vector<iceberg::Literal> partition{iceberg::Literal::Date(day)};
      FLOE_ASSIGN_OR_RETURN(std::string dir,
                            iceberg::PartitionPath(table->metadata().DefaultSpec(), partition));
      const std::string path = JoinLocation(
          request.location, "data/" + dir + "/small-" + std::to_string(f) + ".parquet");
      FLOE_RETURN_IF_ERROR(store->Put(path, written.bytes));
      FLOE_ASSIGN_OR_RETURN(
          iceberg::DataFile file,
          iceberg::DataFileFromParquet(path, iceberg::FileFormat::kParquet, written.metrics,
                                       std::move(partition), table->metadata().CurrentSchema()));
      rows_total += file.record_count;
      ++files_total;
      pending.push_back(std::move(file));
      if (pending.size() >= 100) FLOE_RETURN_IF_ERROR(commit());
    }
  }
  FLOE_RETURN_IF_ERROR(commit());
  std::printf(
      "{\"rows\": %lld, \"files\": %lld, \"snapshot_id\": \"%lld\", \"metadata\": \"%s\"}\n",
      static_cast<long long>(rows_total), static_cast<long long>(files_total),
      static_cast<long long>(*table->metadata().current_snapshot_id),
      table->metadata_location().c_str());
  return Status::OK();
}

}  // namespace
}  // namespace floe

int main(int argc, char** argv) {
  if (argc != 5 && argc != 6) {
    std::fprintf(stderr,
                 "usage: make_small_files WAREHOUSE DAYS FILES_PER_DAY ROWS_PER_FILE "
                 "[PAYLOAD_BYTES]\n");
    return 2;
  }
  const size_t payload = argc == 6 ? std::strtoull(argv[5], nullptr, 10) : 0;
  floe::Status st =
      floe::Run(argv[1], std::atoi(argv[2]), std::atoi(argv[3]), std::atoi(argv[4]), payload);
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  return 0;
}
