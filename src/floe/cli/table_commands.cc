// floe create-table, drop-table, tables, snapshots, files, stats: making, removing and looking at
// the tables of a catalog. The read-only ones (snapshots, files, stats) also open a table outside
// any catalog with --metadata, through the same code as floe scan. Every one prints text for
// people, or with --json one JSON object whose field names are documented in docs/cli.md.

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <ostream>
#include <sstream>
#include <tuple>

#include "floe/catalog/snapshot_producer.h"
#include "floe/cli/commands.h"
#include "floe/cli/compaction_settings.h"
#include "floe/cli/warehouse.h"
#include "floe/common/logger.h"
#include "floe/common/metrics_floe.h"
#include "floe/iceberg/json_serde.h"
#include "floe/iceberg/manifest.h"
#include "floe/iceberg/manifest_list.h"
#include "floe/iceberg/scan.h"
#include "floe/maintenance/reachable.h"

namespace floe::cli {
namespace {

using iceberg::Json;

// A schema file is small; a bigger one is a mistake (the wrong file).
constexpr std::streamsize kMaxSchemaFileBytes = 16 << 20;

std::string Trim(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(begin, end - begin));
}

// Splits at commas outside parentheses, so "decimal(10,2)" and "bucket(16,id)" stay whole.
std::vector<std::string> SplitTopLevel(std::string_view text) {
  std::vector<std::string> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || (text[i] == ',' && depth == 0)) {
      std::string part = Trim(text.substr(start, i - start));
      if (!part.empty()) parts.push_back(std::move(part));
      start = i + 1;
    } else if (text[i] == '(') {
      ++depth;
    } else if (text[i] == ')') {
      --depth;
    }
  }
  return parts;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

Result<int64_t> ParseInt64(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0') {
    return Status::InvalidArgument("--" + flag + " \"" + text + "\" is not an integer");
  }
  return value;
}

Status NoPositional(const Args& args) {
  if (args.positional().empty()) return Status::OK();
  return Status::InvalidArgument("unexpected argument '" + args.positional()[0] + "'");
}

// ------------------------------------------------------------------ create-table

// "id:long,ts:timestamptz,name:string:required": fields with ids from 1, optional unless
// ":required" follows the type.
Result<iceberg::Schema> SchemaFromColumns(const std::string& text) {
  std::vector<iceberg::NestedField> fields;
  for (const std::string& column : SplitTopLevel(text)) {
    const size_t colon = column.find(':');
    if (colon == std::string::npos) {
      return Status::InvalidArgument("--columns: \"" + column + "\" is not NAME:TYPE");
    }
    iceberg::NestedField field;
    field.id = static_cast<int32_t>(fields.size()) + 1;
    field.name = Trim(column.substr(0, colon));
    std::string type_text = Trim(column.substr(colon + 1));
    const size_t last = type_text.rfind(':');
    if (last != std::string::npos) {
      const std::string flag = Lower(Trim(type_text.substr(last + 1)));
      if (flag != "required" && flag != "optional") {
        return Status::InvalidArgument("--columns: \"" + column +
                                       "\": after the type only :required or :optional");
      }
      field.required = flag == "required";
      type_text = Trim(type_text.substr(0, last));
    }
    if (field.name.empty()) {
      return Status::InvalidArgument("--columns: \"" + column + "\" has no name");
    }
    Result<iceberg::Type> type = iceberg::ParsePrimitiveType(Lower(type_text));
    if (!type.ok()) {
      return Status::InvalidArgument("--columns: column " + field.name + ": " +
                                     type.status().message());
    }
    field.type = *type;
    fields.push_back(std::move(field));
  }
  if (fields.empty()) return Status::InvalidArgument("--columns names no column");
  Result<iceberg::Schema> schema = iceberg::Schema::Make(0, std::move(fields));
  if (!schema.ok()) return schema.status().WithContext("--columns");
  return schema;
}

Result<iceberg::Schema> SchemaFromFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("--schema: cannot open " + path);
  std::string text(static_cast<size_t>(kMaxSchemaFileBytes) + 1, '\0');
  in.read(text.data(), kMaxSchemaFileBytes + 1);
  if (in.gcount() > kMaxSchemaFileBytes) {
    return Status::InvalidArgument("--schema: " + path + " is over 16 MiB");
  }
  text.resize(static_cast<size_t>(in.gcount()));
  FLOE_ASSIGN_OR_RETURN(Json json, iceberg::json_util::Parse(text, path));
  Result<iceberg::Schema> schema = iceberg::SchemaFromJson(json, path);
  if (!schema.ok()) return schema.status().WithContext("--schema");
  return schema;
}

// A column of `schema` by name, for partition and sort terms.
Result<const iceberg::NestedField*> SourceColumn(const iceberg::Schema& schema,
                                                 const std::string& flag, const std::string& name) {
  const iceberg::NestedField* field = schema.FindFieldByName(name);
  if (field == nullptr) {
    return Status::InvalidArgument("--" + flag + ": no column \"" + name + "\" in the schema");
  }
  return field;
}

struct Term {
  iceberg::Transform transform;
  const iceberg::NestedField* source = nullptr;
};

// "ts", "identity(ts)", "day(ts)", "bucket(16,id)", "truncate(4,name)", "void(x)".
Result<Term> ParseTerm(const iceberg::Schema& schema, const std::string& flag,
                       const std::string& text) {
  Term term;
  const size_t open = text.find('(');
  if (open == std::string::npos) {
    FLOE_ASSIGN_OR_RETURN(term.source, SourceColumn(schema, flag, text));
    term.transform = iceberg::Transform::Identity();
    return term;
  }
  if (text.back() != ')') {
    return Status::InvalidArgument("--" + flag + ": \"" + text + "\" lacks a closing ')'");
  }
  const std::string name = Lower(Trim(text.substr(0, open)));
  std::vector<std::string> args = SplitTopLevel(text.substr(open + 1, text.size() - open - 2));
  std::string transform_name = name;
  if (name == "bucket" || name == "truncate") {
    if (args.size() != 2) {
      return Status::InvalidArgument("--" + flag + ": \"" + text + "\": " + name +
                                     " takes (N, column)");
    }
    transform_name = name + "[" + args[0] + "]";
    args.erase(args.begin());
  }
  if (args.size() != 1) {
    return Status::InvalidArgument("--" + flag + ": \"" + text + "\": " + name +
                                   " takes one column");
  }
  Result<iceberg::Transform> transform = iceberg::Transform::Parse(transform_name);
  if (!transform.ok() || transform->kind() == iceberg::TransformKind::kUnknown) {
    return Status::InvalidArgument(
        "--" + flag + ": \"" + text +
        "\": unknown transform (identity, bucket, truncate, year, month, day, hour, void)");
  }
  term.transform = *transform;
  FLOE_ASSIGN_OR_RETURN(term.source, SourceColumn(schema, flag, args[0]));
  if (!term.transform.CanTransform(term.source->type)) {
    return Status::InvalidArgument("--" + flag + ": \"" + text +
                                   "\": " + term.transform.ToString() +
                                   " does not apply to column " + term.source->name);
  }
  return term;
}

Result<iceberg::PartitionSpec> SpecFromText(const iceberg::Schema& schema,
                                            const std::string& text) {
  iceberg::PartitionSpec spec;
  for (const std::string& part : SplitTopLevel(text)) {
    FLOE_ASSIGN_OR_RETURN(Term term, ParseTerm(schema, "partition", part));
    spec.fields.push_back(iceberg::PartitionField{
        term.source->id, 0, term.transform.DefaultFieldName(term.source->name), term.transform});
  }
  return spec;
}

// "ts", "type asc, ts desc nulls last", "day(ts) desc": Java's default null order is nulls
// first for ascending and nulls last for descending terms.
Result<iceberg::SortOrder> SortOrderFromText(const iceberg::Schema& schema,
                                             const std::string& text) {
  iceberg::SortOrder order;
  for (const std::string& part : SplitTopLevel(text)) {
    // The term ends at its closing parenthesis, or else at the first blank.
    size_t term_end =
        part.find('(') != std::string::npos ? part.find(')') : part.find_first_of(" \t");
    if (term_end != std::string::npos && part[term_end] == ')') ++term_end;
    if (term_end == std::string::npos) term_end = part.size();
    std::vector<std::string> words;
    std::istringstream rest(part.substr(term_end));
    for (std::string word; rest >> word;) words.push_back(Lower(word));
    FLOE_ASSIGN_OR_RETURN(Term term, ParseTerm(schema, "sort", Trim(part.substr(0, term_end))));
    iceberg::SortField field{term.transform, term.source->id, iceberg::SortDirection::kAsc,
                             iceberg::NullOrder::kNullsFirst};
    size_t i = 0;
    if (i < words.size() && (words[i] == "asc" || words[i] == "desc")) {
      if (words[i] == "desc") {
        field.direction = iceberg::SortDirection::kDesc;
        field.null_order = iceberg::NullOrder::kNullsLast;
      }
      ++i;
    }
    if (i < words.size()) {
      if (i + 2 != words.size() || words[i] != "nulls" ||
          (words[i + 1] != "first" && words[i + 1] != "last")) {
        return Status::InvalidArgument("--sort: \"" + part +
                                       "\": expected TERM [asc|desc] [nulls first|nulls last]");
      }
      field.null_order = words[i + 1] == "first" ? iceberg::NullOrder::kNullsFirst
                                                 : iceberg::NullOrder::kNullsLast;
    }
    order.fields.push_back(field);
  }
  if (!order.fields.empty()) order.order_id = 1;
  return order;
}

// "k=v,k2=v2".
Result<std::map<std::string, std::string>> PropertiesFromText(const std::string& text) {
  std::map<std::string, std::string> properties;
  for (const std::string& pair : SplitTopLevel(text)) {
    const size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("--properties: \"" + pair + "\" is not KEY=VALUE");
    }
    properties[Trim(pair.substr(0, eq))] = Trim(pair.substr(eq + 1));
  }
  return properties;
}

Json TableSummaryJson(const std::string& name, const std::string& metadata_location,
                      const iceberg::TableMetadata& m) {
  const iceberg::Snapshot* current = m.CurrentSnapshot();
  return Json{{"table", name},
              {"location", m.location},
              {"metadata_location", metadata_location},
              {"table_uuid", m.table_uuid},
              {"format_version", m.format_version},
              {"current_snapshot_id", current ? Json(current->snapshot_id) : Json(nullptr)},
              {"snapshots", m.snapshots.size()},
              {"last_updated_ms", m.last_updated_ms}};
}

Status CreateTable(const Args& args, const CliContext& ctx) {
  FLOE_RETURN_IF_ERROR(NoPositional(args));
  if (args.Has("schema") == args.Has("columns")) {
    return Status::InvalidArgument("give the schema with --schema FILE or --columns, not both");
  }
  FLOE_ASSIGN_OR_RETURN(Settings settings, Settings::Load(args, ctx));
  FLOE_ASSIGN_OR_RETURN(TableIdentifier id, TableFromSettings(settings));
  CreateTableRequest request;
  if (args.Has("schema")) {
    FLOE_ASSIGN_OR_RETURN(request.schema, SchemaFromFile(args.Get("schema")));
  } else {
    FLOE_ASSIGN_OR_RETURN(request.schema, SchemaFromColumns(args.Get("columns")));
  }
  FLOE_ASSIGN_OR_RETURN(request.spec, SpecFromText(request.schema, args.Get("partition")));
  FLOE_ASSIGN_OR_RETURN(request.sort_order, SortOrderFromText(request.schema, args.Get("sort")));
  // As the events table: Parquet files compressed with zstd.
  request.properties = {{"write.format.default", "parquet"},
                        {"write.parquet.compression-codec", "zstd"}};
  FLOE_ASSIGN_OR_RETURN(auto properties, PropertiesFromText(args.Get("properties")));
  for (auto& [key, value] : properties) request.properties[key] = value;

  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<Warehouse> warehouse, Warehouse::Open(settings, ctx));
  request.location = args.Get("location", warehouse->DefaultTableLocation(id));
  FLOE_ASSIGN_OR_RETURN(bool ns_exists, warehouse->catalog()->NamespaceExists(id.ns));
  if (!ns_exists) {
    Status created = warehouse->catalog()->CreateNamespace(id.ns, {});
    if (!created.ok() && created.kind() != ErrorKind::kAlreadyExists) return created;
  }
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<Table> table,
                        Table::Create(warehouse->services(), id, request));
  const iceberg::TableMetadata& m = table->metadata();
  if (args.Has("json")) {
    Json out = TableSummaryJson(id.ToString(), table->metadata_location(), m);
    out["schema"] = iceberg::SchemaToJson(m.CurrentSchema());
    out["partition_spec"] = iceberg::PartitionSpecToJson(m.DefaultSpec());
    const iceberg::SortOrder* order = m.SortOrderById(m.default_sort_order_id);
    out["sort_order"] = order ? iceberg::SortOrderToJson(*order) : Json(nullptr);
    out["properties"] = m.properties;
    *ctx.out << out.dump() << "\n";
  } else {
    *ctx.out << "created table " << id.ToString() << " at " << m.location << "\n"
             << "  metadata " << table->metadata_location() << "\n";
  }
  return Status::OK();
}

// ------------------------------------------------------------------ drop-table

Status DropTable(const Args& args, const CliContext& ctx) {
  FLOE_RETURN_IF_ERROR(NoPositional(args));
  FLOE_ASSIGN_OR_RETURN(Settings settings, Settings::Load(args, ctx));
  FLOE_ASSIGN_OR_RETURN(TableIdentifier id, TableFromSettings(settings));
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<Warehouse> warehouse, Warehouse::Open(settings, ctx));
  const bool purge = args.Has("purge");

  // What to purge is collected before the catalog forgets the table: every file any snapshot or
  // metadata file of it names (as Java's purge; unreferenced files are orphan removal's job).
  std::vector<std::string> files;
  int64_t data_files = 0;
  if (purge) {
    FLOE_ASSIGN_OR_RETURN(std::unique_ptr<Table> table, warehouse->LoadTable(id));
    const iceberg::TableMetadata& m = table->metadata();
    std::vector<const iceberg::Snapshot*> snapshots;
    for (const iceberg::Snapshot& s : m.snapshots) snapshots.push_back(&s);
    maintenance::ManifestCache cache(warehouse->store());
    FLOE_ASSIGN_OR_RETURN(maintenance::ReachableFiles reachable,
                          maintenance::CollectReachable(snapshots, &cache));
    data_files = static_cast<int64_t>(reachable.named_files.size());
    for (const auto* set :
         {&reachable.named_files, &reachable.manifests, &reachable.manifest_lists}) {
      files.insert(files.end(), set->begin(), set->end());
    }
    for (const iceberg::MetadataLogEntry& e : m.metadata_log) files.push_back(e.metadata_file);
    files.push_back(table->metadata_location());
  }
  FLOE_RETURN_IF_ERROR(warehouse->catalog()->DropTable(id));

  int64_t deleted = 0;
  std::vector<std::string> failed;
  for (const std::string& file : files) {
    Result<std::shared_ptr<ObjectStore>> store = warehouse->registry()->Resolve(file);
    Status removed = store.ok() ? (*store)->Delete(file) : store.status();
    if (removed.ok()) {
      ++deleted;
    } else if (removed.kind() != ErrorKind::kNotFound) {  // gone already is what we want
      failed.push_back(file + ": " + removed.message());
    }
  }
  if (args.Has("json")) {
    *ctx.out << Json{{"table", id.ToString()},   {"dropped", true},
                     {"purged", purge},          {"data_files", data_files},
                     {"files_deleted", deleted}, {"delete_errors", failed}}
                    .dump()
             << "\n";
  } else {
    *ctx.out << "dropped table " << id.ToString();
    if (purge) *ctx.out << "; deleted " << deleted << " files (" << data_files << " data files)";
    *ctx.out << "\n";
  }
  if (!failed.empty()) {
    return Status::IOError("dropped " + id.ToString() + " but could not delete " +
                           std::to_string(failed.size()) + " files, the first: " + failed[0]);
  }
  return Status::OK();
}

// ------------------------------------------------------------------ tables

// One table of the listing; a table whose metadata cannot be read is listed with the error.
Json TableEntryJson(const Warehouse& warehouse, const TableIdentifier& id) {
  Json entry = {{"table", id.ToString()}};
  Result<TablePointer> pointer = warehouse.catalog()->LoadTable(id);
  if (!pointer.ok()) {
    entry["error"] = pointer.status().message();
    return entry;
  }
  Result<std::shared_ptr<ObjectStore>> store =
      warehouse.registry()->Resolve(pointer->metadata_location);
  Result<iceberg::TableMetadata> m =
      store.ok() ? ReadTableMetadata(store->get(), pointer->metadata_location) : store.status();
  if (!m.ok()) {
    entry["metadata_location"] = pointer->metadata_location;
    entry["error"] = m.status().message();
    return entry;
  }
  return TableSummaryJson(id.ToString(), pointer->metadata_location, *m);
}

Status ListNamespaceTree(const Warehouse& warehouse, const Namespace& parent, Json* out) {
  FLOE_ASSIGN_OR_RETURN(std::vector<Namespace> children,
                        warehouse.catalog()->ListNamespaces(parent));
  for (const Namespace& ns : children) {
    Json entry = {{"namespace", NamespaceToString(ns)}, {"tables", Json::array()}};
    FLOE_ASSIGN_OR_RETURN(std::vector<TableIdentifier> tables, warehouse.catalog()->ListTables(ns));
    for (const TableIdentifier& id : tables) {
      entry["tables"].push_back(TableEntryJson(warehouse, id));
    }
    out->push_back(std::move(entry));
    FLOE_RETURN_IF_ERROR(ListNamespaceTree(warehouse, ns, out));
  }
  return Status::OK();
}

Status Tables(const Args& args, const CliContext& ctx) {
  FLOE_RETURN_IF_ERROR(NoPositional(args));
  FLOE_ASSIGN_OR_RETURN(Settings settings, Settings::Load(args, ctx));
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<Warehouse> warehouse, Warehouse::Open(settings, ctx));
  Json namespaces = Json::array();
  FLOE_RETURN_IF_ERROR(ListNamespaceTree(*warehouse, {}, &namespaces));
  if (args.Has("json")) {
    *ctx.out << Json{{"catalog", warehouse->catalog()->name()},
                     {"catalog_uri", warehouse->catalog_uri()},
                     {"namespaces", namespaces}}
                    .dump()
             << "\n";
    return Status::OK();
  }
  for (const Json& ns : namespaces) {
    const std::string name = ns["namespace"].get<std::string>();
    const size_t depth = static_cast<size_t>(std::count(name.begin(), name.end(), '.'));
    const std::string indent(2 * depth, ' ');
    *ctx.out << indent << name << "\n";
    for (const Json& t : ns["tables"]) {
      const std::string table = t["table"].get<std::string>();
      *ctx.out << indent << "  " << table.substr(name.size() + 1);
      if (t.contains("error")) {
        *ctx.out << "  error: " << t["error"].get<std::string>() << "\n";
        continue;
      }
      *ctx.out << "  snapshot "
               << (t["current_snapshot_id"].is_null() ? std::string("none")
                                                      : t["current_snapshot_id"].dump())
               << " (" << t["snapshots"].dump() << " snapshots)  "
               << t["metadata_location"].get<std::string>() << "\n";
    }
  }
  return Status::OK();
}

// ------------------------------------------------------------------ snapshots

std::string TimestampText(int64_t ms) { return FormatTimestampMicros(ms * 1000); }

std::string SummaryValue(const iceberg::Snapshot& s, const std::string& key) {
  auto it = s.summary.find(key);
  return it == s.summary.end() ? "" : it->second;
}

// Snapshots oldest first: by sequence number, then time (v1 tables have no sequence numbers).
std::vector<const iceberg::Snapshot*> SnapshotsInOrder(const iceberg::TableMetadata& m) {
  std::vector<const iceberg::Snapshot*> out;
  for (const iceberg::Snapshot& s : m.snapshots) out.push_back(&s);
  std::stable_sort(out.begin(), out.end(), [](const auto* a, const auto* b) {
    return std::tie(a->sequence_number, a->timestamp_ms) <
           std::tie(b->sequence_number, b->timestamp_ms);
  });
  return out;
}

Status Snapshots(const Args& args, const CliContext& ctx) {
  FLOE_RETURN_IF_ERROR(NoPositional(args));
  FLOE_ASSIGN_OR_RETURN(OpenedTable opened, OpenTableForReading(args, ctx));
  const iceberg::TableMetadata& m = opened.table.metadata;
  const std::vector<const iceberg::Snapshot*> snapshots = SnapshotsInOrder(m);
  if (args.Has("json")) {
    Json list = Json::array();
    for (const iceberg::Snapshot* s : snapshots) {
      list.push_back({{"snapshot_id", s->snapshot_id},
                      {"parent_snapshot_id",
                       s->parent_snapshot_id ? Json(*s->parent_snapshot_id) : Json(nullptr)},
                      {"sequence_number", s->sequence_number},
                      {"timestamp_ms", s->timestamp_ms},
                      {"timestamp", TimestampText(s->timestamp_ms)},
                      {"operation", s->operation()},
                      {"current", m.current_snapshot_id == s->snapshot_id},
                      {"manifest_list", s->manifest_list},
                      {"schema_id", s->schema_id ? Json(*s->schema_id) : Json(nullptr)},
                      {"summary", s->summary}});
    }
    *ctx.out << Json{{"table", opened.name},
                     {"current_snapshot_id",
                      m.current_snapshot_id ? Json(*m.current_snapshot_id) : Json(nullptr)},
                     {"snapshots", list}}
                    .dump()
             << "\n";
    return Status::OK();
  }
  *ctx.out << "snapshot_id          parent_id            timestamp                    "
              "operation  changes\n";
  for (const iceberg::Snapshot* s : snapshots) {
    std::string parent = s->parent_snapshot_id ? std::to_string(*s->parent_snapshot_id) : "-";
    std::string id = std::to_string(s->snapshot_id);
    std::string operation = s->operation();
    id.resize(std::max<size_t>(id.size(), 20), ' ');
    parent.resize(std::max<size_t>(parent.size(), 20), ' ');
    operation.resize(std::max<size_t>(operation.size(), 10), ' ');
    std::string changes;
    auto add = [&](const char* label, const std::string& key) {
      std::string value = SummaryValue(*s, key);
      if (value.empty()) return;
      changes += (changes.empty() ? "" : ", ") + std::string(label) + value;
    };
    add("+files ", "added-data-files");
    add("-files ", "deleted-data-files");
    add("+records ", "added-records");
    add("-records ", "deleted-records");
    add("+deletes ", "added-delete-files");
    add("total files ", "total-data-files");
    add("total records ", "total-records");
    *ctx.out << id << " " << parent << " " << TimestampText(s->timestamp_ms) << "  " << operation
             << " " << changes << (m.current_snapshot_id == s->snapshot_id ? "  (current)" : "")
             << "\n";
  }
  return Status::OK();
}

// ------------------------------------------------------------------ files, stats

// A live file of a snapshot with what its manifest gives it.
struct LiveFile {
  iceberg::ManifestEntry entry;  // sequence numbers and snapshot id inherited
  int32_t spec_id = 0;
};

struct SnapshotFiles {
  const iceberg::Snapshot* snapshot = nullptr;  // nullptr: the table has no snapshot
  int64_t manifests = 0;
  std::vector<LiveFile> files;
};

// Every live (added or existing) data and delete file of the snapshot --snapshot-id picks (the
// current one by default), paths read through the table's resolver.
Result<SnapshotFiles> ReadLiveFiles(const Args& args, const OpenedTable& opened) {
  SnapshotFiles out;
  std::optional<int64_t> snapshot_id;
  if (args.Has("snapshot-id")) {
    FLOE_ASSIGN_OR_RETURN(snapshot_id, ParseInt64("snapshot-id", args.Get("snapshot-id")));
  }
  FLOE_ASSIGN_OR_RETURN(out.snapshot,
                        iceberg::SelectSnapshot(opened.table.metadata, snapshot_id, std::nullopt));
  if (out.snapshot == nullptr) return out;
  if (out.snapshot->manifest_list.empty()) {
    return Status::NotSupported("snapshot " + std::to_string(out.snapshot->snapshot_id) +
                                " lists its manifests inline (v1), which floe does not read");
  }
  FLOE_ASSIGN_OR_RETURN(std::string list_location,
                        opened.table.resolver(out.snapshot->manifest_list));
  FLOE_ASSIGN_OR_RETURN(auto list_file, opened.store->OpenRead(list_location));
  FLOE_ASSIGN_OR_RETURN(auto list_reader, iceberg::ManifestListReader::Open(list_file.get()));
  FLOE_ASSIGN_OR_RETURN(std::vector<iceberg::ManifestFile> manifests, list_reader->ReadAll());
  out.manifests = static_cast<int64_t>(manifests.size());
  for (const iceberg::ManifestFile& manifest : manifests) {
    FLOE_ASSIGN_OR_RETURN(std::string location, opened.table.resolver(manifest.manifest_path));
    FLOE_ASSIGN_OR_RETURN(auto file, opened.store->OpenRead(location));
    FLOE_ASSIGN_OR_RETURN(auto reader, iceberg::ManifestReader::Open(file.get(), &manifest));
    LiveFile live;
    live.spec_id = manifest.partition_spec_id;
    while (true) {
      FLOE_ASSIGN_OR_RETURN(bool more, reader->Next(&live.entry));
      if (!more) break;
      if (live.entry.is_live()) out.files.push_back(live);
    }
  }
  return out;
}

std::string_view ContentName(iceberg::DataFileContent content) {
  switch (content) {
    case iceberg::DataFileContent::kData: return "data";
    case iceberg::DataFileContent::kPositionDeletes: return "position_deletes";
    case iceberg::DataFileContent::kEqualityDeletes: return "equality_deletes";
  }
  return "data";
}

// "ts_day=2026-01-01/id_bucket=3" ("" unpartitioned), and the values as Java prints them.
struct PartitionText {
  std::string path;
  Json values = Json::object();
};

PartitionText DescribePartition(const iceberg::TableMetadata& m, const LiveFile& f) {
  PartitionText out;
  const iceberg::PartitionSpec* spec = m.SpecById(f.spec_id);
  const std::vector<iceberg::Literal>& values = f.entry.data_file.partition;
  if (spec == nullptr || spec->fields.size() != values.size()) {
    out.path = "spec-" + std::to_string(f.spec_id) + "?";
    return out;
  }
  Result<std::string> path = iceberg::PartitionPath(*spec, values);
  out.path = path.ok() ? *path : "?";
  for (size_t i = 0; i < values.size(); ++i) {
    out.values[spec->fields[i].name] =
        values[i].is_null() ? Json(nullptr)
                            : Json(spec->fields[i].transform.ToHumanString(values[i]));
  }
  return out;
}

Json SnapshotIdJson(const SnapshotFiles& files) {
  return files.snapshot ? Json(files.snapshot->snapshot_id) : Json(nullptr);
}

Status Files(const Args& args, const CliContext& ctx) {
  FLOE_RETURN_IF_ERROR(NoPositional(args));
  FLOE_ASSIGN_OR_RETURN(OpenedTable opened, OpenTableForReading(args, ctx));
  FLOE_ASSIGN_OR_RETURN(SnapshotFiles live, ReadLiveFiles(args, opened));
  const iceberg::TableMetadata& m = opened.table.metadata;
  if (args.Has("json")) {
    Json list = Json::array();
    for (const LiveFile& f : live.files) {
      const iceberg::ManifestEntry& e = f.entry;
      PartitionText partition = DescribePartition(m, f);
      list.push_back(
          {{"path", e.data_file.file_path},
           {"content", ContentName(e.data_file.content)},
           {"file_format", iceberg::FileFormatName(e.data_file.file_format)},
           {"spec_id", f.spec_id},
           {"partition", partition.values},
           {"partition_path", partition.path},
           {"record_count", e.data_file.record_count},
           {"file_size_in_bytes", e.data_file.file_size_in_bytes},
           {"data_sequence_number", e.sequence_number ? Json(*e.sequence_number) : Json(nullptr)},
           {"file_sequence_number",
            e.file_sequence_number ? Json(*e.file_sequence_number) : Json(nullptr)},
           {"snapshot_id", e.snapshot_id ? Json(*e.snapshot_id) : Json(nullptr)},
           {"status", e.status == iceberg::ManifestEntryStatus::kAdded ? "added" : "existing"}});
    }
    *ctx.out << Json{{"table", opened.name}, {"snapshot_id", SnapshotIdJson(live)}, {"files", list}}
                    .dump()
             << "\n";
    return Status::OK();
  }
  *ctx.out << "content           records        bytes  data_seq  file_seq  partition  path\n";
  for (const LiveFile& f : live.files) {
    const iceberg::ManifestEntry& e = f.entry;
    std::ostringstream line;
    line.setf(std::ios::left);
    line.width(16);
    line << ContentName(e.data_file.content);
    line.setf(std::ios::right, std::ios::adjustfield);
    line.width(9);
    line << e.data_file.record_count;
    line.width(13);
    line << e.data_file.file_size_in_bytes;
    line.width(10);
    line << (e.sequence_number ? std::to_string(*e.sequence_number) : "-");
    line.width(10);
    line << (e.file_sequence_number ? std::to_string(*e.file_sequence_number) : "-");
    const std::string partition = DescribePartition(m, f).path;
    line << "  " << (partition.empty() ? "-" : partition) << "  " << e.data_file.file_path;
    *ctx.out << line.str() << "\n";
  }
  *ctx.out << live.files.size() << " files in snapshot "
           << (live.snapshot ? std::to_string(live.snapshot->snapshot_id) : "none") << "\n";
  return Status::OK();
}

// Files, bytes and sizes of one partition or the whole table.
struct FileStats {
  int64_t data_files = 0;
  int64_t data_bytes = 0;
  int64_t records = 0;
  int64_t small_files = 0;
  int64_t small_bytes = 0;
  int64_t delete_files = 0;
  int64_t delete_bytes = 0;
  std::vector<int64_t> histogram;  // data files per size bucket; the last one is unbounded

  void Add(const iceberg::DataFile& f, const std::vector<double>& bounds, int64_t small_limit) {
    if (histogram.empty()) histogram.assign(bounds.size() + 1, 0);
    if (f.content != iceberg::DataFileContent::kData) {
      ++delete_files;
      delete_bytes += f.file_size_in_bytes;
      return;
    }
    ++data_files;
    data_bytes += f.file_size_in_bytes;
    records += f.record_count;
    if (f.file_size_in_bytes < small_limit) {
      ++small_files;
      small_bytes += f.file_size_in_bytes;
    }
    size_t bucket = 0;
    while (bucket < bounds.size() && static_cast<double>(f.file_size_in_bytes) > bounds[bucket]) {
      ++bucket;
    }
    ++histogram[bucket];
  }

  Json ToJson(const std::vector<double>& bounds) const {
    Json buckets = Json::array();
    for (size_t i = 0; i <= bounds.size(); ++i) {
      buckets.push_back(
          {{"le_bytes", i < bounds.size() ? Json(static_cast<int64_t>(bounds[i])) : Json(nullptr)},
           {"files", histogram.empty() ? 0 : histogram[i]}});
    }
    return Json{{"data_files", data_files},     {"data_bytes", data_bytes},
                {"records", records},           {"small_files", small_files},
                {"small_bytes", small_bytes},   {"delete_files", delete_files},
                {"delete_bytes", delete_bytes}, {"size_histogram", buckets}};
  }
};

// The small-file limit: --small-file-mb, else 75 % of the compaction target (TARGET_FILE_SIZE_MB,
// as compaction decides what is small).
Result<int64_t> SmallFileLimitBytes(const Args& args, const CliContext& ctx) {
  if (args.Has("small-file-mb")) {
    FLOE_ASSIGN_OR_RETURN(int64_t mb, ParseInt64("small-file-mb", args.Get("small-file-mb")));
    if (mb < 0 || mb > (int64_t{1} << 24)) {
      return Status::InvalidArgument("--small-file-mb " + std::to_string(mb) +
                                     " is out of range (0 to 16777216)");
    }
    return mb << 20;
  }
  FLOE_ASSIGN_OR_RETURN(Settings settings, Settings::Load(args, ctx));
  FLOE_ASSIGN_OR_RETURN(maintenance::CompactionOptions options,
                        CompactionOptionsFromSettings(settings));
  return options.min_file_size();
}

std::string BoundText(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  return std::to_string(static_cast<int64_t>(bytes)) + " " + units[unit];
}

void PrintStatsLine(std::ostream& out, const std::string& label, const FileStats& s) {
  out << label << ": " << s.data_files << " data files, " << s.data_bytes << " bytes, " << s.records
      << " records, " << s.small_files << " small (" << s.small_bytes << " bytes), "
      << s.delete_files << " delete files\n";
}

Status Stats(const Args& args, const CliContext& ctx) {
  FLOE_RETURN_IF_ERROR(NoPositional(args));
  FLOE_ASSIGN_OR_RETURN(int64_t small_limit, SmallFileLimitBytes(args, ctx));
  FLOE_ASSIGN_OR_RETURN(OpenedTable opened, OpenTableForReading(args, ctx));
  FLOE_ASSIGN_OR_RETURN(SnapshotFiles live, ReadLiveFiles(args, opened));
  const iceberg::TableMetadata& m = opened.table.metadata;
  // The /metrics file-size buckets, so both show the same histogram.
  const std::vector<double> bounds = metrics::FileSizeBuckets();

  FileStats total;
  total.histogram.assign(bounds.size() + 1, 0);
  std::map<std::pair<int32_t, std::string>, FileStats> partitions;
  for (const LiveFile& f : live.files) {
    total.Add(f.entry.data_file, bounds, small_limit);
    partitions[{f.spec_id, DescribePartition(m, f).path}].Add(f.entry.data_file, bounds,
                                                              small_limit);
  }

  if (args.Has("json")) {
    Json list = Json::array();
    for (const auto& [key, stats] : partitions) {
      Json entry = {{"partition", key.second}, {"spec_id", key.first}};
      entry.update(stats.ToJson(bounds));
      list.push_back(std::move(entry));
    }
    Json table = total.ToJson(bounds);
    table["partitions"] = partitions.size();
    table["manifests"] = live.manifests;
    table["snapshots"] = m.snapshots.size();
    *ctx.out << Json{{"table", opened.name},
                     {"snapshot_id", SnapshotIdJson(live)},
                     {"small_file_limit_bytes", small_limit},
                     {"totals", table},
                     {"partitions", list}}
                    .dump()
             << "\n";
    return Status::OK();
  }
  *ctx.out << opened.name << ", snapshot "
           << (live.snapshot ? std::to_string(live.snapshot->snapshot_id) : "none") << " ("
           << m.snapshots.size() << " snapshots, " << live.manifests << " manifests)\n";
  *ctx.out << "small files: under " << BoundText(static_cast<double>(small_limit)) << "\n";
  PrintStatsLine(*ctx.out, "table", total);
  *ctx.out << "size histogram (data files):\n";
  for (size_t i = 0; i <= bounds.size(); ++i) {
    std::string label =
        i < bounds.size() ? "<= " + BoundText(bounds[i]) : "> " + BoundText(bounds.back());
    label.resize(std::max<size_t>(label.size(), 12), ' ');
    *ctx.out << "  " << label << total.histogram[i] << "\n";
  }
  *ctx.out << partitions.size() << " partitions:\n";
  for (const auto& [key, stats] : partitions) {
    PrintStatsLine(*ctx.out, "  " + (key.second.empty() ? "(unpartitioned)" : key.second), stats);
  }
  return Status::OK();
}

int Run(Status (*command)(const Args&, const CliContext&), std::string_view name, const Args& args,
        const CliContext& ctx) {
  Status s = command(args, ctx);
  return s.ok() ? 0 : ReportError(ctx, name, s);
}

constexpr std::string_view kTableFlags =
    "  --table NS.NAME      the table (default analytics.events), with --warehouse, --catalog,\n"
    "                       --catalog-name, --config as for every command\n";
constexpr std::string_view kReadFlags =
    "  --metadata FILE|DIR  a table outside any catalog: its metadata file or folder (as for\n"
    "                       floe scan)\n"
    "  --table NS.NAME      a table of the catalog (default analytics.events), with\n"
    "                       --warehouse, --catalog, --catalog-name, --config\n";

std::string CreateUsage() {
  return std::string(
             "usage: floe create-table --table NS.NAME (--columns COLS | --schema FILE)\n"
             "                         [--partition TERMS] [--sort TERMS] [--location LOC]\n"
             "                         [--properties K=V,...] [--json]\n"
             "\n"
             "Creates an Iceberg v2 table in the catalog (and its namespace when missing).\n"
             "\n"
             "  --columns COLS       \"id:long:required,ts:timestamptz,name:string\": NAME:TYPE\n"
             "                       with any primitive type (decimal(10,2), fixed[16], ...),\n"
             "                       optional unless :required; field ids 1, 2, ...\n"
             "  --schema FILE        an Iceberg schema JSON file instead (its ids are kept)\n"
             "  --partition TERMS    \"day(ts),bucket(16,id),truncate(4,name)\": identity (a\n"
             "                       bare column), year, month, day, hour, bucket(N,c),\n"
             "                       truncate(W,c), void\n"
             "  --sort TERMS         \"type,ts desc nulls last\": the table's sort order\n"
             "  --location LOC       where its files go (default <warehouse>/<ns>/<name>)\n"
             "  --properties K=V,..  table properties (defaults: write.format.default=parquet,\n"
             "                       write.parquet.compression-codec=zstd)\n") +
         std::string(kTableFlags) +
         "  --json               print the new table (schema, spec, sort order, properties)\n";
}

}  // namespace

void AddTableCommands(std::vector<Command>* commands) {
  commands->push_back(Command{
      "create-table",
      "create an Iceberg table (schema, partitioning, sort order)",
      CreateUsage(),
      {},
      [](const Args& a, const CliContext& c) { return Run(CreateTable, "create-table", a, c); }});
  commands->push_back(Command{
      "drop-table",
      "remove a table from the catalog (--purge: and delete its files)",
      "usage: floe drop-table --table NS.NAME [--purge] [--json]\n"
      "\n"
      "Removes the table from the catalog. With --purge, then deletes every file its metadata\n"
      "names: data and delete files of every snapshot, manifests, manifest lists and metadata\n"
      "files (files nothing references are left to floe remove-orphans).\n" +
          std::string(kTableFlags),
      {"purge"},
      [](const Args& a, const CliContext& c) { return Run(DropTable, "drop-table", a, c); }});
  commands->push_back(Command{
      "tables",
      "the catalog's namespaces and tables with current metadata and snapshot",
      "usage: floe tables [--json]\n"
      "\n"
      "Lists every namespace of the catalog (nested ones indented) and its tables with the\n"
      "current snapshot id, the number of snapshots and the current metadata location.\n"
      "  --warehouse, --catalog, --catalog-name, --config as for every command\n",
      {},
      [](const Args& a, const CliContext& c) { return Run(Tables, "tables", a, c); }});
  commands->push_back(Command{
      "snapshots",
      "a table's snapshots: id, parent, time, operation, summary",
      "usage: floe snapshots [--table NS.NAME | --metadata FILE|DIR] [--json]\n"
      "\n"
      "Lists the table's snapshots oldest first: id, parent, time (UTC), operation and the\n"
      "summary's file and record counts; --json adds the whole summary.\n" +
          std::string(kReadFlags),
      {},
      [](const Args& a, const CliContext& c) { return Run(Snapshots, "snapshots", a, c); }});
  commands->push_back(Command{
      "files",
      "a snapshot's live data and delete files",
      "usage: floe files [--table NS.NAME | --metadata FILE|DIR] [--snapshot-id ID] [--json]\n"
      "\n"
      "Lists the live data and delete files of the current snapshot (or --snapshot-id): content,\n"
      "records, bytes, data and file sequence numbers, partition and path.\n" +
          std::string(kReadFlags),
      {},
      [](const Args& a, const CliContext& c) { return Run(Files, "files", a, c); }});
  commands->push_back(Command{
      "stats",
      "files, bytes, small files and a size histogram, per table and partition",
      "usage: floe stats [--table NS.NAME | --metadata FILE|DIR] [--snapshot-id ID]\n"
      "                  [--small-file-mb N] [--json]\n"
      "\n"
      "Counts the live files of the current snapshot (or --snapshot-id) for the table and for\n"
      "each partition: data files, bytes, records, small files, delete files, and a histogram\n"
      "of data file sizes (the buckets of /metrics: 64 KiB, 256 KiB, ... 16 GiB).\n"
      "  --small-file-mb N    files under N MiB are small (default: 75% of\n"
      "                       TARGET_FILE_SIZE_MB, which is 128)\n" +
          std::string(kReadFlags),
      {},
      [](const Args& a, const CliContext& c) { return Run(Stats, "stats", a, c); }});
}

}  // namespace floe::cli
