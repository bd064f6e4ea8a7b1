#include "floe/iceberg/table_metadata.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <set>

#include "floe/compression/codec.h"
#include "floe/iceberg/json_serde.h"

namespace floe::iceberg {

using json_util::GetInt;
using json_util::GetLong;
using json_util::GetOptionalInt;
using json_util::GetOptionalLong;
using json_util::GetString;
using json_util::Member;
using json_util::OptionalMember;

namespace {

// Top-level keys this file models; everything else is kept in TableMetadata::extra_json.
constexpr std::string_view kKnownKeys[] = {
    "format-version",
    "table-uuid",
    "location",
    "last-sequence-number",
    "last-updated-ms",
    "last-column-id",
    "schema",
    "schemas",
    "current-schema-id",
    "partition-spec",
    "partition-specs",
    "default-spec-id",
    "last-partition-id",
    "sort-orders",
    "default-sort-order-id",
    "properties",
    "current-snapshot-id",
    "snapshots",
    "snapshot-log",
    "metadata-log",
    "refs",
    "statistics",
    "partition-statistics",
};

// Members only format v3 defines; writing them into a v1/v2 file would be wrong.
constexpr std::string_view kV3OnlyKeys[] = {"next-row-id", "encryption-keys", "row-lineage"};

// Snapshot members only format v3 defines (row lineage, encryption).
constexpr std::string_view kV3OnlySnapshotKeys[] = {"first-row-id", "added-rows", "key-id"};

constexpr std::string_view kSnapshotKnownKeys[] = {
    "snapshot-id",   "parent-snapshot-id", "sequence-number", "timestamp-ms",
    "manifest-list", "manifests",          "summary",         "schema-id",
};

bool Contains(const auto& list, std::string_view key) {
  return std::find(std::begin(list), std::end(list), key) != std::end(list);
}

std::string Idx(const std::string& where, size_t i) {
  return where + "[" + std::to_string(i) + "]";
}

Result<const Json*> OptionalArray(const Json& obj, std::string_view key, const std::string& where) {
  const Json* v = OptionalMember(obj, key);
  if (v != nullptr && !v->is_array()) {
    return Status::Corrupt(where + "." + std::string(key) + ": expected an array");
  }
  return v;
}

Result<std::map<std::string, std::string>> StringMap(const Json& obj, const std::string& where) {
  if (!obj.is_object()) return Status::Corrupt(where + ": expected an object");
  std::map<std::string, std::string> out;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const Json& v = it.value();
    if (v.is_string()) {
      out[it.key()] = v.get<std::string>();
    } else if (v.is_number() || v.is_boolean()) {
      out[it.key()] = v.dump();  // some writers emit numbers; values are strings in the spec
    } else {
      return Status::Corrupt(where + "." + it.key() + ": expected a string value");
    }
  }
  return out;
}

Result<Snapshot> SnapshotFromJson(const Json& j, const std::string& where, int format_version) {
  Snapshot s;
  FLOE_ASSIGN_OR_RETURN(s.snapshot_id, GetLong(j, "snapshot-id", where));
  FLOE_ASSIGN_OR_RETURN(s.parent_snapshot_id, GetOptionalLong(j, "parent-snapshot-id", where));
  FLOE_ASSIGN_OR_RETURN(std::optional<int64_t> seq, GetOptionalLong(j, "sequence-number", where));
  s.sequence_number = seq.value_or(0);
  FLOE_ASSIGN_OR_RETURN(s.timestamp_ms, GetLong(j, "timestamp-ms", where));
  if (const Json* list = OptionalMember(j, "manifest-list")) {
    if (!list->is_string()) return Status::Corrupt(where + ".manifest-list: expected a string");
    s.manifest_list = list->get<std::string>();
  } else if (format_version >= 2) {
    return Status::Corrupt(where + ".manifest-list: required field is missing");
  }
  FLOE_ASSIGN_OR_RETURN(const Json* manifests, OptionalArray(j, "manifests", where));
  if (manifests != nullptr) {
    for (size_t i = 0; i < manifests->size(); ++i) {
      if (!(*manifests)[i].is_string()) {
        return Status::Corrupt(Idx(where + ".manifests", i) + ": expected a string");
      }
      s.manifests.push_back((*manifests)[i].get<std::string>());
    }
  }
  if (s.manifest_list.empty() && manifests == nullptr) {
    return Status::Corrupt(where + ": neither manifest-list nor manifests is present");
  }
  if (const Json* summary = OptionalMember(j, "summary")) {
    FLOE_ASSIGN_OR_RETURN(s.summary, StringMap(*summary, where + ".summary"));
  }
  FLOE_ASSIGN_OR_RETURN(s.schema_id, GetOptionalInt(j, "schema-id", where));
  Json extra = Json::object();
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!Contains(kSnapshotKnownKeys, it.key())) extra[it.key()] = it.value();
  }
  if (!extra.empty()) s.extra_json = extra.dump();
  return s;
}

Json SnapshotToJson(const Snapshot& s, int format_version) {
  Json j;
  j["snapshot-id"] = s.snapshot_id;
  if (s.parent_snapshot_id) j["parent-snapshot-id"] = *s.parent_snapshot_id;
  if (s.sequence_number > 0) j["sequence-number"] = s.sequence_number;
  j["timestamp-ms"] = s.timestamp_ms;
  if (!s.summary.empty()) {
    Json summary = Json::object();
    auto op = s.summary.find("operation");
    if (op != s.summary.end()) summary["operation"] = op->second;
    for (const auto& [k, v] : s.summary) {
      if (k != "operation") summary[k] = v;
    }
    j["summary"] = std::move(summary);
  }
  if (!s.manifest_list.empty()) {
    j["manifest-list"] = s.manifest_list;
  } else {
    j["manifests"] = s.manifests;
  }
  if (s.schema_id) j["schema-id"] = *s.schema_id;
  if (!s.extra_json.empty()) {
    const Json extra = Json::parse(s.extra_json);
    for (auto it = extra.begin(); it != extra.end(); ++it) {
      if (format_version < 3 && Contains(kV3OnlySnapshotKeys, it.key())) continue;
      j[it.key()] = it.value();
    }
  }
  return j;
}

Result<SnapshotRef> RefFromJson(const Json& j, const std::string& where) {
  SnapshotRef r;
  FLOE_ASSIGN_OR_RETURN(r.snapshot_id, GetLong(j, "snapshot-id", where));
  FLOE_ASSIGN_OR_RETURN(std::string type, GetString(j, "type", where));
  if (type == "branch") {
    r.type = SnapshotRefType::kBranch;
  } else if (type == "tag") {
    r.type = SnapshotRefType::kTag;
  } else {
    return Status::Corrupt(where + ".type: \"" + type + "\" is not branch or tag");
  }
  FLOE_ASSIGN_OR_RETURN(r.min_snapshots_to_keep, GetOptionalInt(j, "min-snapshots-to-keep", where));
  FLOE_ASSIGN_OR_RETURN(r.max_snapshot_age_ms, GetOptionalLong(j, "max-snapshot-age-ms", where));
  FLOE_ASSIGN_OR_RETURN(r.max_ref_age_ms, GetOptionalLong(j, "max-ref-age-ms", where));
  return r;
}

Json RefToJson(const SnapshotRef& r) {
  Json j;
  j["snapshot-id"] = r.snapshot_id;
  j["type"] = r.type == SnapshotRefType::kBranch ? "branch" : "tag";
  if (r.min_snapshots_to_keep) j["min-snapshots-to-keep"] = *r.min_snapshots_to_keep;
  if (r.max_snapshot_age_ms) j["max-snapshot-age-ms"] = *r.max_snapshot_age_ms;
  if (r.max_ref_age_ms) j["max-ref-age-ms"] = *r.max_ref_age_ms;
  return j;
}

Status ParseSchemas(const Json& root, const std::string& w, TableMetadata* m) {
  FLOE_ASSIGN_OR_RETURN(const Json* schemas, OptionalArray(root, "schemas", w));
  if (schemas != nullptr) {
    FLOE_ASSIGN_OR_RETURN(m->current_schema_id, GetInt(root, "current-schema-id", w));
    for (size_t i = 0; i < schemas->size(); ++i) {
      FLOE_ASSIGN_OR_RETURN(Schema s, SchemaFromJson((*schemas)[i], Idx(w + ".schemas", i)));
      m->schemas.push_back(std::move(s));
    }
    return Status::OK();
  }
  if (m->format_version >= 2) return Status::Corrupt(w + ".schemas: required field is missing");
  FLOE_ASSIGN_OR_RETURN(const Json* schema, Member(root, "schema", w));
  FLOE_ASSIGN_OR_RETURN(Schema s, SchemaFromJson(*schema, w + ".schema"));
  m->current_schema_id = s.schema_id();
  m->schemas.push_back(std::move(s));
  return Status::OK();
}

Status ParseSpecs(const Json& root, const std::string& w, TableMetadata* m) {
  FLOE_ASSIGN_OR_RETURN(const Json* specs, OptionalArray(root, "partition-specs", w));
  // v1 writers may omit partition field ids; Java then numbers each spec's fields from 1000.
  const bool assign = m->format_version == 1;
  if (specs != nullptr) {
    FLOE_ASSIGN_OR_RETURN(m->default_spec_id, GetInt(root, "default-spec-id", w));
    for (size_t i = 0; i < specs->size(); ++i) {
      int32_t next_field_id = kFirstPartitionFieldId;
      FLOE_ASSIGN_OR_RETURN(PartitionSpec spec,
                            PartitionSpecFromJson((*specs)[i], Idx(w + ".partition-specs", i),
                                                  assign ? &next_field_id : nullptr));
      m->partition_specs.push_back(std::move(spec));
    }
  } else {
    if (m->format_version >= 2) {
      return Status::Corrupt(w + ".partition-specs: required field is missing");
    }
    FLOE_ASSIGN_OR_RETURN(const Json* fields, Member(root, "partition-spec", w));
    int32_t next_field_id = kFirstPartitionFieldId;
    FLOE_ASSIGN_OR_RETURN(PartitionSpec spec,
                          PartitionFieldsFromJson(*fields, 0, w + ".partition-spec",
                                                  assign ? &next_field_id : nullptr));
    m->default_spec_id = 0;
    m->partition_specs.push_back(std::move(spec));
  }
  FLOE_ASSIGN_OR_RETURN(std::optional<int32_t> last, GetOptionalInt(root, "last-partition-id", w));
  if (last) {
    m->last_partition_id = *last;
  } else if (m->format_version >= 2) {
    return Status::Corrupt(w + ".last-partition-id: required field is missing");
  } else {
    m->last_partition_id = kFirstPartitionFieldId - 1;
    for (const PartitionSpec& s : m->partition_specs) {
      m->last_partition_id = std::max(m->last_partition_id, s.LastAssignedFieldId());
    }
  }
  return Status::OK();
}

Status ParseSortOrders(const Json& root, const std::string& w, TableMetadata* m) {
  FLOE_ASSIGN_OR_RETURN(const Json* orders, OptionalArray(root, "sort-orders", w));
  if (orders == nullptr) {
    if (m->format_version >= 2)
      return Status::Corrupt(w + ".sort-orders: required field is missing");
    m->sort_orders.push_back(SortOrder::Unsorted());
    m->default_sort_order_id = 0;
    return Status::OK();
  }
  FLOE_ASSIGN_OR_RETURN(m->default_sort_order_id, GetInt(root, "default-sort-order-id", w));
  for (size_t i = 0; i < orders->size(); ++i) {
    FLOE_ASSIGN_OR_RETURN(SortOrder o, SortOrderFromJson((*orders)[i], Idx(w + ".sort-orders", i)));
    m->sort_orders.push_back(std::move(o));
  }
  return Status::OK();
}

Status ParseSnapshotsAndLogs(const Json& root, const std::string& w, TableMetadata* m) {
  FLOE_ASSIGN_OR_RETURN(std::optional<int64_t> current,
                        GetOptionalLong(root, "current-snapshot-id", w));
  if (current && *current != -1) m->current_snapshot_id = current;
  FLOE_ASSIGN_OR_RETURN(const Json* snapshots, OptionalArray(root, "snapshots", w));
  if (snapshots != nullptr) {
    for (size_t i = 0; i < snapshots->size(); ++i) {
      FLOE_ASSIGN_OR_RETURN(Snapshot s, SnapshotFromJson((*snapshots)[i], Idx(w + ".snapshots", i),
                                                         m->format_version));
      m->snapshots.push_back(std::move(s));
    }
  }
  FLOE_ASSIGN_OR_RETURN(const Json* slog, OptionalArray(root, "snapshot-log", w));
  if (slog != nullptr) {
    for (size_t i = 0; i < slog->size(); ++i) {
      std::string ew = Idx(w + ".snapshot-log", i);
      SnapshotLogEntry e;
      FLOE_ASSIGN_OR_RETURN(e.timestamp_ms, GetLong((*slog)[i], "timestamp-ms", ew));
      FLOE_ASSIGN_OR_RETURN(e.snapshot_id, GetLong((*slog)[i], "snapshot-id", ew));
      m->snapshot_log.push_back(e);
    }
  }
  FLOE_ASSIGN_OR_RETURN(const Json* mlog, OptionalArray(root, "metadata-log", w));
  if (mlog != nullptr) {
    for (size_t i = 0; i < mlog->size(); ++i) {
      std::string ew = Idx(w + ".metadata-log", i);
      MetadataLogEntry e;
      FLOE_ASSIGN_OR_RETURN(e.timestamp_ms, GetLong((*mlog)[i], "timestamp-ms", ew));
      FLOE_ASSIGN_OR_RETURN(e.metadata_file, GetString((*mlog)[i], "metadata-file", ew));
      m->metadata_log.push_back(std::move(e));
    }
  }
  if (const Json* refs = OptionalMember(root, "refs")) {
    if (!refs->is_object()) return Status::Corrupt(w + ".refs: expected an object");
    for (auto it = refs->begin(); it != refs->end(); ++it) {
      FLOE_ASSIGN_OR_RETURN(SnapshotRef r, RefFromJson(it.value(), w + ".refs." + it.key()));
      m->refs[it.key()] = r;
    }
  } else if (m->current_snapshot_id) {
    // Files written before refs existed: main is implied by current-snapshot-id.
    m->refs["main"] = SnapshotRef{*m->current_snapshot_id, SnapshotRefType::kBranch, {}, {}, {}};
  }
  return Status::OK();
}

}  // namespace

std::string Snapshot::operation() const {
  auto it = summary.find("operation");
  return it == summary.end() ? std::string() : it->second;
}

const Schema* TableMetadata::SchemaById(int32_t schema_id) const {
  for (const Schema& s : schemas) {
    if (s.schema_id() == schema_id) return &s;
  }
  return nullptr;
}

const Schema& TableMetadata::CurrentSchema() const { return *SchemaById(current_schema_id); }

const PartitionSpec* TableMetadata::SpecById(int32_t spec_id) const {
  for (const PartitionSpec& s : partition_specs) {
    if (s.spec_id == spec_id) return &s;
  }
  return nullptr;
}

const PartitionSpec& TableMetadata::DefaultSpec() const { return *SpecById(default_spec_id); }

const SortOrder* TableMetadata::SortOrderById(int32_t order_id) const {
  for (const SortOrder& o : sort_orders) {
    if (o.order_id == order_id) return &o;
  }
  return nullptr;
}

const Snapshot* TableMetadata::SnapshotById(int64_t snapshot_id) const {
  for (const Snapshot& s : snapshots) {
    if (s.snapshot_id == snapshot_id) return &s;
  }
  return nullptr;
}

const Snapshot* TableMetadata::CurrentSnapshot() const {
  return current_snapshot_id ? SnapshotById(*current_snapshot_id) : nullptr;
}

Status TableMetadata::Validate() const {
  auto bad = [](const std::string& field, const std::string& what) {
    return Status::Corrupt("table metadata field \"" + field + "\": " + what);
  };
  if (format_version < kMinFormatVersion || format_version > kMaxReadFormatVersion) {
    return bad("format-version", "version " + std::to_string(format_version) +
                                     " is not supported (supported: 1 to " +
                                     std::to_string(kMaxReadFormatVersion) + ")");
  }
  if (format_version >= 2 && table_uuid.empty()) return bad("table-uuid", "missing");
  if (!table_uuid.empty() && !Uuid::Parse(table_uuid)) {
    return bad("table-uuid", "\"" + table_uuid + "\" is not a UUID");
  }
  if (location.empty()) return bad("location", "empty");
  if (schemas.empty()) return bad("schemas", "no schema");
  std::set<int32_t> ids;
  for (const Schema& s : schemas) {
    if (!ids.insert(s.schema_id()).second) {
      return bad("schemas", "schema id " + std::to_string(s.schema_id()) + " appears twice");
    }
    if (s.HighestFieldId() > last_column_id) {
      return bad("last-column-id", std::to_string(last_column_id) + " is lower than field id " +
                                       std::to_string(s.HighestFieldId()) + " of schema " +
                                       std::to_string(s.schema_id()));
    }
  }
  if (SchemaById(current_schema_id) == nullptr) {
    return bad("current-schema-id", std::to_string(current_schema_id) + " is not in \"schemas\"");
  }
  ids.clear();
  for (const PartitionSpec& s : partition_specs) {
    if (!ids.insert(s.spec_id).second) {
      return bad("partition-specs", "spec id " + std::to_string(s.spec_id) + " appears twice");
    }
    if (s.LastAssignedFieldId() > last_partition_id) {
      return bad("last-partition-id", std::to_string(last_partition_id) +
                                          " is lower than a field id of partition spec " +
                                          std::to_string(s.spec_id));
    }
  }
  if (SpecById(default_spec_id) == nullptr) {
    return bad("default-spec-id",
               std::to_string(default_spec_id) + " is not in \"partition-specs\"");
  }
  if (SortOrderById(default_sort_order_id) == nullptr) {
    return bad("default-sort-order-id",
               std::to_string(default_sort_order_id) + " is not in \"sort-orders\"");
  }
  std::set<int64_t> snapshot_ids;
  for (const Snapshot& s : snapshots) {
    std::string where = "snapshot " + std::to_string(s.snapshot_id);
    if (!snapshot_ids.insert(s.snapshot_id).second)
      return bad("snapshots", where + " appears twice");
    if (format_version >= 2 && s.sequence_number > last_sequence_number) {
      return bad("snapshots", where + " has sequence-number " + std::to_string(s.sequence_number) +
                                  " above last-sequence-number " +
                                  std::to_string(last_sequence_number));
    }
  }
  if (current_snapshot_id && SnapshotById(*current_snapshot_id) == nullptr) {
    return bad("current-snapshot-id",
               std::to_string(*current_snapshot_id) + " is not in \"snapshots\"");
  }
  for (const auto& [name, ref] : refs) {
    if (SnapshotById(ref.snapshot_id) == nullptr) {
      return bad("refs", "\"" + name + "\" points to snapshot " + std::to_string(ref.snapshot_id) +
                             ", which is not in \"snapshots\"");
    }
  }
  auto main = refs.find("main");
  if (main != refs.end() && main->second.snapshot_id != current_snapshot_id.value_or(-1)) {
    return bad("refs", "\"main\" points to snapshot " + std::to_string(main->second.snapshot_id) +
                           " but current-snapshot-id is " +
                           std::to_string(current_snapshot_id.value_or(-1)));
  }
  return Status::OK();
}

Result<TableMetadata> ParseTableMetadata(std::string_view json_text, std::string_view where) {
  const std::string w(where);
  FLOE_ASSIGN_OR_RETURN(Json root, json_util::Parse(json_text, w));
  if (!root.is_object()) return Status::Corrupt(w + ": table metadata must be a JSON object");
  TableMetadata m;
  FLOE_ASSIGN_OR_RETURN(m.format_version, GetInt(root, "format-version", w));
  if (m.format_version < kMinFormatVersion || m.format_version > kMaxReadFormatVersion) {
    return Status::NotSupported(w + ".format-version: version " + std::to_string(m.format_version) +
                                " is not supported");
  }
  if (const Json* uuid = OptionalMember(root, "table-uuid")) {
    if (!uuid->is_string()) return Status::Corrupt(w + ".table-uuid: expected a string");
    std::optional<Uuid> parsed = Uuid::Parse(uuid->get<std::string>());
    if (!parsed) {
      return Status::Corrupt(w + ".table-uuid: \"" + uuid->get<std::string>() + "\" is not a UUID");
    }
    m.table_uuid = parsed->ToString();
  } else if (m.format_version >= 2) {
    return Status::Corrupt(w + ".table-uuid: required field is missing");
  }
  FLOE_ASSIGN_OR_RETURN(m.location, GetString(root, "location", w));
  if (m.format_version >= 2) {
    FLOE_ASSIGN_OR_RETURN(m.last_sequence_number, GetLong(root, "last-sequence-number", w));
  } else {
    FLOE_ASSIGN_OR_RETURN(std::optional<int64_t> seq,
                          GetOptionalLong(root, "last-sequence-number", w));
    m.last_sequence_number = seq.value_or(0);
  }
  FLOE_ASSIGN_OR_RETURN(m.last_updated_ms, GetLong(root, "last-updated-ms", w));
  FLOE_ASSIGN_OR_RETURN(m.last_column_id, GetInt(root, "last-column-id", w));
  FLOE_RETURN_IF_ERROR(ParseSchemas(root, w, &m));
  FLOE_RETURN_IF_ERROR(ParseSpecs(root, w, &m));
  FLOE_RETURN_IF_ERROR(ParseSortOrders(root, w, &m));
  if (const Json* props = OptionalMember(root, "properties")) {
    FLOE_ASSIGN_OR_RETURN(m.properties, StringMap(*props, w + ".properties"));
  }
  FLOE_RETURN_IF_ERROR(ParseSnapshotsAndLogs(root, w, &m));
  for (auto [key, out] :
       {std::pair<std::string_view, std::string*>{"statistics", &m.statistics_json},
        {"partition-statistics", &m.partition_statistics_json}}) {
    FLOE_ASSIGN_OR_RETURN(const Json* arr, OptionalArray(root, key, w));
    *out = arr != nullptr ? arr->dump() : "[]";
  }
  Json extra = Json::object();
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (!Contains(kKnownKeys, it.key())) extra[it.key()] = it.value();
  }
  if (!extra.empty()) m.extra_json = extra.dump();
  Status valid = m.Validate();
  if (!valid.ok()) return valid.WithContext(w);
  return m;
}

Result<TableMetadata> ReadTableMetadataFile(std::string_view file_bytes, std::string_view name,
                                            size_t max_json_bytes) {
  // The content decides: JSON never starts with the gzip magic, and a file named
  // ".gz.metadata.json" that holds plain JSON is still readable.
  bool gzip = file_bytes.size() >= 2 && static_cast<uint8_t>(file_bytes[0]) == 0x1f &&
              static_cast<uint8_t>(file_bytes[1]) == 0x8b;
  if (!gzip) {
    if (file_bytes.size() > max_json_bytes) {
      return Status::ResourceExhausted(
          std::string(name) + ": metadata file of " + std::to_string(file_bytes.size()) +
          " bytes is over the limit of " + std::to_string(max_json_bytes));
    }
    return ParseTableMetadata(file_bytes, name);
  }
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<Codec> codec, MakeCodec(CodecKind::kGzip));
  Buffer out;
  Status s = codec->DecompressUnbounded(AsBytes(file_bytes), max_json_bytes, &out);
  if (!s.ok()) return s.WithContext(std::string(name) + ": gzip metadata");
  return ParseTableMetadata(out.string_view(), name);
}

namespace {

// The whole document as a tree (pretty printing).
Json TableMetadataToTree(const TableMetadata& m) {
  const int v = m.format_version;
  Json j;
  j["format-version"] = v;
  if (!m.table_uuid.empty()) j["table-uuid"] = m.table_uuid;  // old v1 files may have none
  j["location"] = m.location;
  if (v > 1) j["last-sequence-number"] = m.last_sequence_number;
  j["last-updated-ms"] = m.last_updated_ms;
  j["last-column-id"] = m.last_column_id;
  // v1 readers only know the singular "schema" and "partition-spec" forms.
  const Schema* current_schema = m.SchemaById(m.current_schema_id);
  if (v == 1 && current_schema != nullptr) j["schema"] = SchemaToJson(*current_schema);
  j["current-schema-id"] = m.current_schema_id;
  Json schemas = Json::array();
  for (const Schema& s : m.schemas) schemas.push_back(SchemaToJson(s));
  j["schemas"] = std::move(schemas);
  const PartitionSpec* default_spec = m.SpecById(m.default_spec_id);
  if (v == 1 && default_spec != nullptr) j["partition-spec"] = PartitionFieldsToJson(*default_spec);
  j["default-spec-id"] = m.default_spec_id;
  Json specs = Json::array();
  for (const PartitionSpec& s : m.partition_specs) specs.push_back(PartitionSpecToJson(s));
  j["partition-specs"] = std::move(specs);
  j["last-partition-id"] = m.last_partition_id;
  j["default-sort-order-id"] = m.default_sort_order_id;
  Json orders = Json::array();
  for (const SortOrder& o : m.sort_orders) orders.push_back(SortOrderToJson(o));
  j["sort-orders"] = std::move(orders);
  Json props = Json::object();
  for (const auto& [k, val] : m.properties) props[k] = val;
  j["properties"] = std::move(props);
  // Java writes -1 for "no snapshot" before v3 (older readers require a number) and null after.
  if (m.current_snapshot_id) {
    j["current-snapshot-id"] = *m.current_snapshot_id;
  } else if (v >= 3) {
    j["current-snapshot-id"] = nullptr;
  } else {
    j["current-snapshot-id"] = -1;
  }
  Json refs = Json::object();
  for (const auto& [name, r] : m.refs) refs[name] = RefToJson(r);
  j["refs"] = std::move(refs);
  Json snapshots = Json::array();
  for (const Snapshot& s : m.snapshots) snapshots.push_back(SnapshotToJson(s, v));
  j["snapshots"] = std::move(snapshots);
  j["statistics"] = m.statistics_json.empty() ? Json::array() : Json::parse(m.statistics_json);
  j["partition-statistics"] = m.partition_statistics_json.empty()
                                  ? Json::array()
                                  : Json::parse(m.partition_statistics_json);
  Json slog = Json::array();
  for (const SnapshotLogEntry& e : m.snapshot_log) {
    Json ej;
    ej["timestamp-ms"] = e.timestamp_ms;
    ej["snapshot-id"] = e.snapshot_id;
    slog.push_back(std::move(ej));
  }
  j["snapshot-log"] = std::move(slog);
  Json mlog = Json::array();
  for (const MetadataLogEntry& e : m.metadata_log) {
    Json ej;
    ej["timestamp-ms"] = e.timestamp_ms;
    ej["metadata-file"] = e.metadata_file;
    mlog.push_back(std::move(ej));
  }
  j["metadata-log"] = std::move(mlog);
  if (!m.extra_json.empty()) {
    const Json extra = Json::parse(m.extra_json);
    for (auto it = extra.begin(); it != extra.end(); ++it) {
      if (v < 3 && Contains(kV3OnlyKeys, it.key())) continue;
      if (!Contains(kKnownKeys, it.key())) j[it.key()] = it.value();
    }
  }
  return j;
}

// Appends `"key":` after a comma unless `out` holds only the opening brace. Keys written here are
// constants that need no escaping.
void AppendKey(std::string* out, std::string_view key) {
  if (out->size() > 1) out->push_back(',');
  out->push_back('"');
  out->append(key);
  out->append("\":");
}

void AppendNumber(std::string* out, int64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out->append(buf, end);
}

void AppendString(std::string* out, const std::string& value) { out->append(Json(value).dump()); }

// A raw JSON array member (statistics), written as the tree would re-encode it.
void AppendRawArray(std::string* out, const std::string& json) {
  if (json.empty() || json == "[]") {
    out->append("[]");
  } else {
    out->append(Json::parse(json).dump());
  }
}

// A JSON array of each item's tree, dumped.
template <typename T, typename ToJson>
void AppendDumps(std::string* out, const std::vector<T>& items, ToJson to_json) {
  out->push_back('[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append(to_json(items[i]).dump());
  }
  out->push_back(']');
}

}  // namespace

std::string TableMetadataToJson(const TableMetadata& m, bool pretty, MetadataJsonCache* cache) {
  if (pretty) return TableMetadataToTree(m).dump(2);
  // Written member by member, in the tree's order, each value as Json::dump() writes it: the same
  // bytes as TableMetadataToTree(m).dump() without building the tree, and the snapshots (most of
  // a table's metadata under steady appends) taken from `cache` when they are unchanged.
  const int v = m.format_version;
  std::string out = "{";
  AppendKey(&out, "format-version");
  AppendNumber(&out, v);
  if (!m.table_uuid.empty()) {
    AppendKey(&out, "table-uuid");
    AppendString(&out, m.table_uuid);
  }
  AppendKey(&out, "location");
  AppendString(&out, m.location);
  if (v > 1) {
    AppendKey(&out, "last-sequence-number");
    AppendNumber(&out, m.last_sequence_number);
  }
  AppendKey(&out, "last-updated-ms");
  AppendNumber(&out, m.last_updated_ms);
  AppendKey(&out, "last-column-id");
  AppendNumber(&out, m.last_column_id);
  const Schema* current_schema = m.SchemaById(m.current_schema_id);
  if (v == 1 && current_schema != nullptr) {
    AppendKey(&out, "schema");
    out.append(SchemaToJson(*current_schema).dump());
  }
  AppendKey(&out, "current-schema-id");
  AppendNumber(&out, m.current_schema_id);
  AppendKey(&out, "schemas");
  AppendDumps(&out, m.schemas, [](const Schema& x) { return SchemaToJson(x); });
  const PartitionSpec* default_spec = m.SpecById(m.default_spec_id);
  if (v == 1 && default_spec != nullptr) {
    AppendKey(&out, "partition-spec");
    out.append(PartitionFieldsToJson(*default_spec).dump());
  }
  AppendKey(&out, "default-spec-id");
  AppendNumber(&out, m.default_spec_id);
  AppendKey(&out, "partition-specs");
  AppendDumps(&out, m.partition_specs,
              [](const PartitionSpec& x) { return PartitionSpecToJson(x); });
  AppendKey(&out, "last-partition-id");
  AppendNumber(&out, m.last_partition_id);
  AppendKey(&out, "default-sort-order-id");
  AppendNumber(&out, m.default_sort_order_id);
  AppendKey(&out, "sort-orders");
  AppendDumps(&out, m.sort_orders, [](const SortOrder& x) { return SortOrderToJson(x); });
  AppendKey(&out, "properties");
  out.push_back('{');
  for (auto it = m.properties.begin(); it != m.properties.end(); ++it) {
    if (it != m.properties.begin()) out.push_back(',');
    AppendString(&out, it->first);
    out.push_back(':');
    AppendString(&out, it->second);
  }
  out.push_back('}');
  AppendKey(&out, "current-snapshot-id");
  if (m.current_snapshot_id) {
    AppendNumber(&out, *m.current_snapshot_id);
  } else {
    out.append(v >= 3 ? "null" : "-1");
  }
  AppendKey(&out, "refs");
  out.push_back('{');
  for (auto it = m.refs.begin(); it != m.refs.end(); ++it) {
    if (it != m.refs.begin()) out.push_back(',');
    AppendString(&out, it->first);
    out.push_back(':');
    out.append(RefToJson(it->second).dump());
  }
  out.push_back('}');
  AppendKey(&out, "snapshots");
  out.push_back('[');
  std::unordered_map<int64_t, MetadataJsonCache::Entry> kept;
  for (size_t i = 0; i < m.snapshots.size(); ++i) {
    const Snapshot& s = m.snapshots[i];
    if (i > 0) out.push_back(',');
    if (cache == nullptr) {
      out.append(SnapshotToJson(s, v).dump());
      continue;
    }
    auto node = cache->snapshots_.extract(s.snapshot_id);
    if (!node.empty() && node.mapped().format_version == v && node.mapped().snapshot == s) {
      out.append(node.mapped().json);
      kept.insert(std::move(node));
      continue;
    }
    std::string json = SnapshotToJson(s, v).dump();
    out.append(json);
    kept.try_emplace(s.snapshot_id, MetadataJsonCache::Entry{s, v, std::move(json)});
  }
  if (cache != nullptr) cache->snapshots_ = std::move(kept);
  out.push_back(']');
  AppendKey(&out, "statistics");
  AppendRawArray(&out, m.statistics_json);
  AppendKey(&out, "partition-statistics");
  AppendRawArray(&out, m.partition_statistics_json);
  AppendKey(&out, "snapshot-log");
  out.push_back('[');
  for (size_t i = 0; i < m.snapshot_log.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append("{\"timestamp-ms\":");
    AppendNumber(&out, m.snapshot_log[i].timestamp_ms);
    out.append(",\"snapshot-id\":");
    AppendNumber(&out, m.snapshot_log[i].snapshot_id);
    out.push_back('}');
  }
  out.push_back(']');
  AppendKey(&out, "metadata-log");
  out.push_back('[');
  for (size_t i = 0; i < m.metadata_log.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append("{\"timestamp-ms\":");
    AppendNumber(&out, m.metadata_log[i].timestamp_ms);
    out.append(",\"metadata-file\":");
    AppendString(&out, m.metadata_log[i].metadata_file);
    out.push_back('}');
  }
  out.push_back(']');
  if (!m.extra_json.empty()) {
    const Json extra = Json::parse(m.extra_json);
    for (auto it = extra.begin(); it != extra.end(); ++it) {
      if (v < 3 && Contains(kV3OnlyKeys, it.key())) continue;
      if (Contains(kKnownKeys, it.key())) continue;
      out.push_back(',');
      AppendString(&out, it.key());
      out.push_back(':');
      out.append(it.value().dump());
    }
  }
  out.push_back('}');
  return out;
}

Result<std::string> EncodeTableMetadataFile(const TableMetadata& metadata, bool gzip,
                                            MetadataJsonCache* cache) {
  std::string json = TableMetadataToJson(metadata, /*pretty=*/false, cache);
  if (!gzip) return json;
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<Codec> codec, MakeCodec(CodecKind::kGzip));
  Buffer out;
  FLOE_RETURN_IF_ERROR(codec->Compress(AsBytes(json), &out));
  return std::string(out.string_view());
}

std::string MetadataFileName(int64_t version, const Uuid& uuid, bool gzip) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%05lld-", static_cast<long long>(version));
  return buf + uuid.ToString() + (gzip ? ".gz.metadata.json" : ".metadata.json");
}

std::optional<int64_t> ParseMetadataFileVersion(std::string_view name_or_path) {
  std::string_view name = name_or_path;
  if (size_t slash = name.rfind('/'); slash != std::string_view::npos) {
    name = name.substr(slash + 1);
  }
  if (!name.ends_with(".metadata.json") && !name.ends_with(".metadata.json.gz")) {
    return std::nullopt;
  }
  size_t start = 0;
  size_t end = 0;
  if (name.starts_with("v")) {
    start = 1;
    end = name.find('.');
  } else {
    end = name.find('-');
  }
  if (end == std::string_view::npos || end <= start || end - start > 18) return std::nullopt;
  int64_t v = 0;
  for (size_t i = start; i < end; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    v = v * 10 + (name[i] - '0');
  }
  return v;
}

Result<TableMetadata> NewTableMetadata(const NewTableRequest& request) {
  if (request.location.empty()) {
    return Status::InvalidArgument("new table: location is empty");
  }
  if (request.format_version < 1 || request.format_version > 2) {
    return Status::InvalidArgument("new table: floe writes format version 1 or 2, not " +
                                   std::to_string(request.format_version));
  }
  TableMetadata m;
  m.format_version = request.format_version;
  m.table_uuid = request.table_uuid.ToString();
  m.location = request.location;
  while (m.location.size() > 1 && m.location.back() == '/') m.location.pop_back();
  m.last_updated_ms = request.now_ms;
  Schema fresh = AssignFreshIds(request.schema, 0, &m.last_column_id);
  FLOE_ASSIGN_OR_RETURN(fresh, Schema::Make(0, fresh.fields(), fresh.identifier_field_ids()));
  // Columns are matched by name, as Java rebinds a spec or order to the fresh schema.
  auto fresh_id = [&](int32_t old_id, const std::string& what) -> Result<int32_t> {
    std::string name = request.schema.FindColumnName(old_id);
    const NestedField* f = name.empty() ? nullptr : fresh.FindFieldByName(name);
    if (f == nullptr) {
      return Status::InvalidArgument("new table: " + what + " refers to column id " +
                                     std::to_string(old_id) + ", which is not in the schema");
    }
    return f->id;
  };
  PartitionSpec spec;
  spec.spec_id = 0;
  int32_t next_field_id = kFirstPartitionFieldId;
  for (const PartitionField& pf : request.spec.fields) {
    PartitionField f = pf;
    FLOE_ASSIGN_OR_RETURN(f.source_id,
                          fresh_id(pf.source_id, "partition field \"" + pf.name + "\""));
    f.field_id = next_field_id++;
    if (f.name.empty()) f.name = f.transform.DefaultFieldName(fresh.FindColumnName(f.source_id));
    spec.fields.push_back(std::move(f));
  }
  Status valid = spec.Validate(fresh);
  if (!valid.ok()) return Status::InvalidArgument("new table: " + valid.message());
  m.schemas.push_back(fresh);
  m.current_schema_id = 0;
  m.last_partition_id = spec.LastAssignedFieldId();
  m.partition_specs.push_back(std::move(spec));
  m.default_spec_id = 0;
  SortOrder order;
  order.order_id = request.sort_order.is_unsorted() ? 0 : 1;
  for (const SortField& sf : request.sort_order.fields) {
    SortField f = sf;
    FLOE_ASSIGN_OR_RETURN(f.source_id, fresh_id(sf.source_id, "sort field"));
    const NestedField* source = fresh.FindFieldById(f.source_id);
    if (f.transform.kind() != TransformKind::kUnknown && !f.transform.CanTransform(source->type)) {
      return Status::InvalidArgument("new table: sort transform " + f.transform.ToString() +
                                     " cannot apply to column \"" +
                                     fresh.FindColumnName(f.source_id) + "\"");
    }
    order.fields.push_back(std::move(f));
  }
  m.default_sort_order_id = order.order_id;
  m.sort_orders.push_back(std::move(order));
  m.properties = request.properties;
  m.statistics_json = "[]";
  m.partition_statistics_json = "[]";
  FLOE_RETURN_IF_ERROR(m.Validate());
  return m;
}

}  // namespace floe::iceberg
