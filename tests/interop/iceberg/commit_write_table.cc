// Builds a table for the oracle to check: `commit_write_table WAREHOUSE [CATALOG_DB [VARIANT]]`
// creates ns.events in a SQLite catalog at WAREHOUSE/catalog.db or CATALOG_DB (data under
// WAREHOUSE/ns/events; WAREHOUSE may be s3://bucket/prefix). VARIANT picks schema and spec:
//   day       event_id string, timestamp timestamptz, value long; day(timestamp) (the default)
//   bucket    the same schema; bucket[16](event_id)
//   truncate  the same schema; truncate[4](event_id), truncate[10](value)
//   alltypes  every primitive type floe supports, required and optional, plus a struct, a list
//             and a map; identity(r_int), day(r_tstz), bucket[2](r_uuid), bucket[2](r_dec)
// Appends Parquet files written by floe's writer in three commits, each file holding the rows of
// one partition value (computed by floe's transforms), then compacts the files of one partition
// from the first two commits into one (operation replace). Prints the row count.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
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

using iceberg::NestedField;
using iceberg::Type;
using iceberg::TypeId;

constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000000;
constexpr int32_t kFirstDay = 20000;
constexpr int kCommits = 3;

NestedField Field(int32_t id, std::string name, bool required, Type type) {
  NestedField f;
  f.id = id;
  f.name = std::move(name);
  f.required = required;
  f.type = std::move(type);
  return f;
}

iceberg::Schema EventsSchema() {
  return iceberg::Schema(0, {Field(1, "event_id", true, Type::Primitive(TypeId::kString)),
                             Field(2, "timestamp", true, Type::Primitive(TypeId::kTimestampTz)),
                             Field(3, "value", false, Type::Primitive(TypeId::kLong))});
}

// Every primitive type, required (ids 1-14) then optional (15-28), then nested types.
iceberg::Schema AllTypesSchema() {
  const std::pair<const char*, Type> prims[] = {{"bool", Type::Primitive(TypeId::kBoolean)},
                                                {"int", Type::Primitive(TypeId::kInt)},
                                                {"long", Type::Primitive(TypeId::kLong)},
                                                {"float", Type::Primitive(TypeId::kFloat)},
                                                {"double", Type::Primitive(TypeId::kDouble)},
                                                {"dec", Type::Decimal(9, 2)},
                                                {"date", Type::Primitive(TypeId::kDate)},
                                                {"time", Type::Primitive(TypeId::kTime)},
                                                {"ts", Type::Primitive(TypeId::kTimestamp)},
                                                {"tstz", Type::Primitive(TypeId::kTimestampTz)},
                                                {"str", Type::Primitive(TypeId::kString)},
                                                {"uuid", Type::Primitive(TypeId::kUuid)},
                                                {"fixed", Type::Fixed(7)},
                                                {"bin", Type::Primitive(TypeId::kBinary)}};
  std::vector<NestedField> fields;
  int32_t id = 1;
  for (bool required : {true, false}) {
    for (const auto& [name, type] : prims) {
      fields.push_back(Field(id++, std::string(required ? "r_" : "o_") + name, required, type));
    }
  }
  fields.push_back(Field(id++, "dec38", false, Type::Decimal(38, 10)));
  const int32_t a = id++, b = id++, b_elem = id++;
  fields.push_back(Field(
      id++, "st", false,
      Type::Struct(
          {Field(a, "a", false, Type::Primitive(TypeId::kInt)),
           Field(b, "b", false, Type::List(b_elem, Type::Primitive(TypeId::kString), false))})));
  const int32_t l_elem = id++;
  fields.push_back(
      Field(id++, "longs", true, Type::List(l_elem, Type::Primitive(TypeId::kLong), true)));
  const int32_t k = id++, v = id++;
  fields.push_back(Field(
      id++, "attrs", false,
      Type::Map(k, Type::Primitive(TypeId::kString), v, Type::Primitive(TypeId::kInt), false)));
  return iceberg::Schema(0, std::move(fields));
}

// The test model's value of a top-level primitive field as an Iceberg literal.
Result<iceberg::Literal> ToLiteral(const Type& type, const testing::Value& v) {
  if (v.is_null()) return iceberg::Literal::Null(type);
  switch (type.id) {
    case TypeId::kBoolean: return iceberg::Literal::Boolean(v.b);
    case TypeId::kInt: return iceberg::Literal::Int(static_cast<int32_t>(v.i));
    case TypeId::kLong: return iceberg::Literal::Long(v.i);
    case TypeId::kDate: return iceberg::Literal::Date(static_cast<int32_t>(v.i));
    case TypeId::kTime: return iceberg::Literal::Time(v.i);
    case TypeId::kTimestamp: return iceberg::Literal::Timestamp(v.i);
    case TypeId::kTimestampTz: return iceberg::Literal::TimestampTz(v.i);
    case TypeId::kString: return iceberg::Literal::String(v.bytes);
    case TypeId::kBinary: return iceberg::Literal::Binary(v.bytes);
    case TypeId::kFixed: return iceberg::Literal::Fixed(v.bytes);
    case TypeId::kUuid: {
      Uuid uuid;
      std::copy(v.bytes.begin(), v.bytes.end(), uuid.bytes.begin());
      return iceberg::Literal::UuidValue(uuid);
    }
    case TypeId::kDecimal: return iceberg::Literal::Decimal(v.decimal, type.precision, type.scale);
    default: return Status(ErrorKind::kInvalidArgument, "no partition source of this type");
  }
}

// The oracle computes string bounds in DuckDB through a cast to BLOB, which accepts only
// printable ASCII without backslashes; the random strings are mapped into that range.
void AsciiStrings(testing::Value* v) {
  for (char& c : v->bytes) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '\\') c = static_cast<char>('a' + u % 26);
  }
  for (testing::Value& item : v->items) AsciiStrings(&item);
  for (auto& [key, value] : v->entries) {
    AsciiStrings(&key);
    AsciiStrings(&value);
  }
}

struct Variant {
  iceberg::Schema schema;
  std::vector<iceberg::PartitionField> spec;
};

Result<Variant> MakeVariant(const std::string& name) {
  using iceberg::PartitionField;
  using iceberg::Transform;
  if (name == "day") return Variant{EventsSchema(), {{2, 1000, "timestamp_day", Transform::Day()}}};
  if (name == "bucket") {
    return Variant{EventsSchema(), {{1, 1000, "event_id_bucket", Transform::Bucket(16)}}};
  }
  if (name == "truncate") {
    return Variant{EventsSchema(),
                   {{1, 1000, "event_id_trunc", Transform::Truncate(4)},
                    {3, 1001, "value_trunc", Transform::Truncate(10)}}};
  }
  if (name == "alltypes") {
    return Variant{AllTypesSchema(),
                   {{2, 1000, "r_int", Transform::Identity()},
                    {10, 1001, "r_tstz_day", Transform::Day()},
                    {12, 1002, "r_uuid_bucket", Transform::Bucket(2)},
                    {6, 1003, "r_dec_bucket", Transform::Bucket(2)}}};
  }
  return Status(ErrorKind::kInvalidArgument,
                "unknown variant '" + name + "' (day, bucket, truncate, alltypes)");
}

std::vector<testing::Row> MakeRows(const std::string& variant, const parquet::Schema& schema,
                                   testing::RandomRows* random, int commit) {
  static const char* const kPrefixes[] = {"alpha-", "beta-", "gamma-"};
  std::vector<testing::Row> rows;
  for (int i = commit * 100; i < commit * 100 + 60 + commit * 10; ++i) {
    const int32_t day = kFirstDay + i % 2;
    const int64_t ts = day * kMicrosPerDay + int64_t{i} * 1000000;
    if (variant == "alltypes") {
      testing::Row row = random->Next(schema);
      for (size_t f = 0; f < row.size(); ++f) {
        if (schema.fields[f].type == parquet::FieldType::kString ||
            !schema.fields[f].children.empty()) {
          AsciiStrings(&row[f]);
        }
      }
      row[1] = testing::Value::Int(i % 2);  // r_int
      row[9] = testing::Value::Int(ts);     // r_tstz
      rows.push_back(std::move(row));
      continue;
    }
    rows.push_back({testing::Value::Bytes(kPrefixes[i % 3] + std::to_string(i)),
                    testing::Value::Int(ts),
                    i % 7 == 0 ? testing::Value::Null() : testing::Value::Int(i)});
  }
  return rows;
}

struct Group {
  std::vector<iceberg::Literal> partition;
  std::vector<testing::Row> rows;
};

// Rows grouped by their partition value, keyed by its path (which is unique per value).
Result<std::map<std::string, Group>> GroupRows(const iceberg::TableMetadata& m,
                                               const std::vector<testing::Row>& rows) {
  const iceberg::Schema& schema = m.CurrentSchema();
  std::map<std::string, Group> groups;
  for (const testing::Row& row : rows) {
    std::vector<iceberg::Literal> partition;
    for (const iceberg::PartitionField& pf : m.DefaultSpec().fields) {
      size_t index = 0;
      while (schema.fields()[index].id != pf.source_id) ++index;
      FLOE_ASSIGN_OR_RETURN(iceberg::Literal source,
                            ToLiteral(schema.fields()[index].type, row[index]));
      FLOE_ASSIGN_OR_RETURN(iceberg::Literal value, pf.transform.Apply(source));
      partition.push_back(std::move(value));
    }
    FLOE_ASSIGN_OR_RETURN(std::string path, iceberg::PartitionPath(m.DefaultSpec(), partition));
    Group& group = groups[path];
    group.partition = std::move(partition);
    group.rows.push_back(row);
  }
  return groups;
}

Result<iceberg::DataFile> WriteFile(ObjectStore* store, const iceberg::TableMetadata& m,
                                    const std::string& name, const std::string& dir,
                                    const Group& group) {
  FLOE_ASSIGN_OR_RETURN(parquet::Schema schema, iceberg::ToParquetSchema(m.CurrentSchema()));
  FLOE_ASSIGN_OR_RETURN(testing::WrittenParquet written,
                        testing::WriteParquet(schema, group.rows, parquet::WriterOptions{}));
  const std::string path = JoinLocation(m.location, "data/" + dir + "/" + name + ".parquet");
  FLOE_RETURN_IF_ERROR(store->Put(path, written.bytes));
  return iceberg::DataFileFromParquet(path, iceberg::FileFormat::kParquet, written.metrics,
                                      group.partition, m.CurrentSchema());
}

Status Run(const std::string& warehouse, const std::string& catalog_db,
           const std::string& variant_name) {
  FLOE_ASSIGN_OR_RETURN(Variant variant, MakeVariant(variant_name));
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
  request.schema = variant.schema;
  request.spec.fields = variant.spec;
  request.location = JoinLocation(root, "ns/events");
  TableServices services{store.get(), catalog.get(), &clock, std::nullopt};
  FLOE_ASSIGN_OR_RETURN(auto table, Table::Create(services, {{"ns"}, "events"}, request));
  FLOE_ASSIGN_OR_RETURN(parquet::Schema parquet_schema,
                        iceberg::ToParquetSchema(table->metadata().CurrentSchema()));
  testing::RandomRows random(42);
  random.modern_times_only = true;

  int64_t rows_total = 0;
  std::string compact_dir;  // the partition of the first file written
  std::vector<std::string> compact_files;
  Group compact_group;
  for (int commit = 0; commit < kCommits; ++commit) {
    std::vector<iceberg::DataFile> files;
    FLOE_ASSIGN_OR_RETURN(
        auto groups,
        GroupRows(table->metadata(), MakeRows(variant_name, parquet_schema, &random, commit)));
    int n = 0;
    for (const auto& [dir, group] : groups) {
      FLOE_ASSIGN_OR_RETURN(
          iceberg::DataFile file,
          WriteFile(store.get(), table->metadata(),
                    "c" + std::to_string(commit) + "-" + std::to_string(n++), dir, group));
      rows_total += file.record_count;
      if (compact_dir.empty()) {
        compact_dir = dir;
        compact_group.partition = group.partition;
      }
      if (dir == compact_dir && commit < 2) {
        compact_files.push_back(file.file_path);
        compact_group.rows.insert(compact_group.rows.end(), group.rows.begin(), group.rows.end());
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
  FLOE_ASSIGN_OR_RETURN(
      iceberg::DataFile compacted,
      WriteFile(store.get(), table->metadata(), "compacted", compact_dir, compact_group));
  FLOE_ASSIGN_OR_RETURN(CommitResult r,
                        table->NewTransaction().ReplaceFiles(compact_files, {compacted}).Commit());
  (void)r;
  std::printf("%lld\n", static_cast<long long>(rows_total));
  return Status::OK();
}

}  // namespace
}  // namespace floe

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) {
    std::fprintf(stderr,
                 "usage: commit_write_table WAREHOUSE|s3://BUCKET/PREFIX [CATALOG_DB "
                 "[day|bucket|truncate|alltypes]]\n");
    return 2;
  }
  const std::string catalog_db =
      argc >= 3 && argv[2][0] != '\0' ? argv[2] : std::string(argv[1]) + "/catalog.db";
  floe::Status st = floe::Run(argv[1], catalog_db, argc == 4 ? argv[3] : "day");
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  return 0;
}
