#include "floe/server/rest_commit.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace floe::server {

namespace {

using iceberg::Json;
namespace ju = iceberg::json_util;

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Request bodies are the client's mistakes, never corrupt files: every parse error is a 400.
Status AsBadRequest(const Status& status) {
  if (status.ok() || status.kind() == ErrorKind::kInvalidArgument) return status;
  return Status::InvalidArgument(status.message());
}

template <typename T>
Result<T> BadRequestOr(Result<T> result) {
  if (result.ok()) return result;
  return AsBadRequest(result.status());
}

Result<std::optional<int64_t>> OptionalLong(const Json& obj, std::string_view key,
                                            const std::string& where) {
  return BadRequestOr(ju::GetOptionalLong(obj, key, where));
}

Status Mismatch(const std::string& what, const std::string& expected, const std::string& actual) {
  return Status::Conflict("Requirement failed: " + what + ": expected " + expected +
                          " != " + actual);
}

std::string IdText(std::optional<int64_t> id) { return id ? std::to_string(*id) : "null"; }

Status CheckInt(const Json& req, const char* key, int64_t actual, const std::string& where) {
  FLOE_ASSIGN_OR_RETURN(int64_t expected, BadRequestOr(ju::GetLong(req, key, where)));
  if (expected != actual) return Mismatch(key, std::to_string(expected), std::to_string(actual));
  return Status::OK();
}

Status CheckRequirement(const Json& req, const iceberg::TableMetadata* base,
                        const std::string& where) {
  if (!req.is_object()) return Status::InvalidArgument(where + ": not an object");
  FLOE_ASSIGN_OR_RETURN(std::string type, BadRequestOr(ju::GetString(req, "type", where)));
  if (type == "assert-create") {
    if (base != nullptr) return Status::Conflict("Requirement failed: table already exists");
    return Status::OK();
  }
  static const std::set<std::string, std::less<>> kKnown = {"assert-table-uuid",
                                                            "assert-ref-snapshot-id",
                                                            "assert-last-assigned-field-id",
                                                            "assert-current-schema-id",
                                                            "assert-last-assigned-partition-id",
                                                            "assert-default-spec-id",
                                                            "assert-default-sort-order-id"};
  if (!kKnown.contains(type)) {
    return Status::InvalidArgument(where + ".type: unknown requirement \"" + type + "\"");
  }
  if (base == nullptr) return Status::Conflict("Requirement failed: table does not exist");
  if (type == "assert-table-uuid") {
    FLOE_ASSIGN_OR_RETURN(std::string uuid, BadRequestOr(ju::GetString(req, "uuid", where)));
    if (Lower(uuid) != Lower(base->table_uuid)) {
      return Mismatch("table uuid", uuid, base->table_uuid);
    }
  } else if (type == "assert-ref-snapshot-id") {
    FLOE_ASSIGN_OR_RETURN(std::string ref, BadRequestOr(ju::GetString(req, "ref", where)));
    FLOE_ASSIGN_OR_RETURN(std::optional<int64_t> expected, OptionalLong(req, "snapshot-id", where));
    auto it = base->refs.find(ref);
    std::optional<int64_t> actual;
    if (it != base->refs.end()) actual = it->second.snapshot_id;
    if (expected != actual) {
      return Mismatch("snapshot id of ref \"" + ref + "\"", IdText(expected), IdText(actual));
    }
  } else if (type == "assert-last-assigned-field-id") {
    return CheckInt(req, "last-assigned-field-id", base->last_column_id, where);
  } else if (type == "assert-current-schema-id") {
    return CheckInt(req, "current-schema-id", base->current_schema_id, where);
  } else if (type == "assert-last-assigned-partition-id") {
    return CheckInt(req, "last-assigned-partition-id", base->last_partition_id, where);
  } else if (type == "assert-default-spec-id") {
    return CheckInt(req, "default-spec-id", base->default_spec_id, where);
  } else {
    return CheckInt(req, "default-sort-order-id", base->default_sort_order_id, where);
  }
  return Status::OK();
}

Result<iceberg::Snapshot> SnapshotFromJson(const Json& json, const std::string& where) {
  if (!json.is_object()) return Status::InvalidArgument(where + ": not an object");
  iceberg::Snapshot s;
  FLOE_ASSIGN_OR_RETURN(s.snapshot_id, BadRequestOr(ju::GetLong(json, "snapshot-id", where)));
  FLOE_ASSIGN_OR_RETURN(s.parent_snapshot_id, OptionalLong(json, "parent-snapshot-id", where));
  FLOE_ASSIGN_OR_RETURN(std::optional<int64_t> seq, OptionalLong(json, "sequence-number", where));
  s.sequence_number = seq.value_or(0);
  FLOE_ASSIGN_OR_RETURN(s.timestamp_ms, BadRequestOr(ju::GetLong(json, "timestamp-ms", where)));
  if (const Json* list = ju::OptionalMember(json, "manifest-list")) {
    if (!list->is_string()) return Status::InvalidArgument(where + ".manifest-list: not a string");
    s.manifest_list = list->get<std::string>();
  } else if (const Json* manifests = ju::OptionalMember(json, "manifests")) {
    if (!manifests->is_array()) return Status::InvalidArgument(where + ".manifests: not an array");
    for (const Json& m : *manifests) {
      if (!m.is_string()) return Status::InvalidArgument(where + ".manifests: not a string");
      s.manifests.push_back(m.get<std::string>());
    }
  } else {
    return Status::InvalidArgument(where + ".manifest-list: missing");
  }
  const Json* summary = ju::OptionalMember(json, "summary");
  if (summary == nullptr || !summary->is_object()) {
    return Status::InvalidArgument(where + ".summary: missing or not an object");
  }
  for (const auto& [key, value] : summary->items()) {
    if (!value.is_string()) {
      return Status::InvalidArgument(where + ".summary." + key + ": not a string");
    }
    s.summary[key] = value.get<std::string>();
  }
  if (!s.summary.contains("operation")) {
    return Status::InvalidArgument(where + ".summary.operation: missing");
  }
  FLOE_ASSIGN_OR_RETURN(std::optional<int64_t> schema_id, OptionalLong(json, "schema-id", where));
  if (schema_id) s.schema_id = static_cast<int32_t>(*schema_id);
  static const std::set<std::string, std::less<>> kModelled = {
      "snapshot-id",   "parent-snapshot-id", "sequence-number", "timestamp-ms",
      "manifest-list", "manifests",          "summary",         "schema-id"};
  Json extra = Json::object();
  for (const auto& [key, value] : json.items()) {
    if (!kModelled.contains(key)) extra[key] = value;
  }
  if (!extra.empty()) s.extra_json = extra.dump();
  return s;
}

Result<iceberg::SnapshotRefType> RefTypeFromText(const std::string& text,
                                                 const std::string& where) {
  if (text == "branch") return iceberg::SnapshotRefType::kBranch;
  if (text == "tag") return iceberg::SnapshotRefType::kTag;
  return Status::InvalidArgument(where + ".type: \"" + text + "\" is neither branch nor tag");
}

// Applies updates one at a time, remembering what this commit added (for the -1 ids meaning
// "the last one added" and for snapshot-log timestamps).
class UpdateApplier {
 public:
  UpdateApplier(iceberg::TableMetadata* metadata, int64_t now_ms)
      : md_(metadata), now_ms_(now_ms) {}

  Status Apply(const Json& update, const std::string& where) {
    if (!update.is_object()) return Status::InvalidArgument(where + ": not an object");
    FLOE_ASSIGN_OR_RETURN(std::string action, BadRequestOr(ju::GetString(update, "action", where)));
    if (action == "assign-uuid") return AssignUuid(update, where);
    if (action == "upgrade-format-version") return UpgradeFormatVersion(update, where);
    if (action == "add-schema") return AddSchema(update, where);
    if (action == "set-current-schema") return SetCurrentSchema(update, where);
    if (action == "add-spec") return AddSpec(update, where);
    if (action == "set-default-spec") return SetDefaultSpec(update, where);
    if (action == "add-sort-order") return AddSortOrder(update, where);
    if (action == "set-default-sort-order") return SetDefaultSortOrder(update, where);
    if (action == "add-snapshot") return AddSnapshot(update, where);
    if (action == "set-snapshot-ref") return SetSnapshotRef(update, where);
    if (action == "remove-snapshot-ref") return RemoveSnapshotRef(update, where);
    if (action == "remove-snapshots") return RemoveSnapshots(update, where);
    if (action == "set-location") return SetLocation(update, where);
    if (action == "set-properties") return SetProperties(update, where);
    if (action == "remove-properties") return RemoveProperties(update, where);
    return Status::InvalidArgument(where + ".action: unsupported update \"" + action + "\"");
  }

 private:
  Status AssignUuid(const Json& u, const std::string& where) {
    FLOE_ASSIGN_OR_RETURN(std::string uuid, BadRequestOr(ju::GetString(u, "uuid", where)));
    if (!Uuid::Parse(uuid)) {
      return Status::InvalidArgument(where + ".uuid: not a UUID: " + uuid);
    }
    md_->table_uuid = Lower(uuid);
    return Status::OK();
  }

  Status UpgradeFormatVersion(const Json& u, const std::string& where) {
    FLOE_ASSIGN_OR_RETURN(int32_t version, BadRequestOr(ju::GetInt(u, "format-version", where)));
    if (version < md_->format_version) {
      return Status::InvalidArgument(where + ": cannot downgrade format version " +
                                     std::to_string(md_->format_version) + " to " +
                                     std::to_string(version));
    }
    if (version > iceberg::kDefaultFormatVersion) {
      return Status::InvalidArgument(where + ": format version " + std::to_string(version) +
                                     " is not supported (at most " +
                                     std::to_string(iceberg::kDefaultFormatVersion) + ")");
    }
    md_->format_version = version;
    return Status::OK();
  }

  Status AddSchema(const Json& u, const std::string& where) {
    FLOE_ASSIGN_OR_RETURN(const Json* json, BadRequestOr(ju::Member(u, "schema", where)));
    FLOE_ASSIGN_OR_RETURN(iceberg::Schema schema,
                          BadRequestOr(iceberg::SchemaFromJson(*json, where + ".schema")));
    FLOE_ASSIGN_OR_RETURN(std::optional<int64_t> last_column_id,
                          OptionalLong(u, "last-column-id", where));
    int32_t id = -1;
    int32_t max_id = -1;
    for (const iceberg::Schema& existing : md_->schemas) {
      max_id = std::max(max_id, existing.schema_id());
      if (schema.WithSchemaId(existing.schema_id()) == existing) id = existing.schema_id();
    }
    if (id < 0) {
      id = max_id + 1;
      md_->schemas.push_back(schema.WithSchemaId(id));
    }
    md_->last_column_id = std::max({md_->last_column_id, schema.HighestFieldId(),
                                    static_cast<int32_t>(last_column_id.value_or(0))});
    last_schema_id_ = id;
    return Status::OK();
  }

  // -1 means the last one this commit added.
  Result<int32_t> ResolveId(const Json& u, const char* key, std::optional<int32_t> last_added,
                            const std::string& where) {
    FLOE_ASSIGN_OR_RETURN(int32_t id, BadRequestOr(ju::GetInt(u, key, where)));
    if (id != -1) return id;
    if (!last_added) {
      return Status::InvalidArgument(where + "." + key + ": -1 but nothing was added before");
    }
    return *last_added;
  }

  Status SetCurrentSchema(const Json& u, const std::string& where) {
    FLOE_ASSIGN_OR_RETURN(int32_t id, ResolveId(u, "schema-id", last_schema_id_, where));
    if (md_->SchemaById(id) == nullptr) {
      return Status::InvalidArgument(where + ": no schema with id " + std::to_string(id));
    }
    md_->current_schema_id = id;
    return Status::OK();
  }

  Status AddSpec(const Json& u, const std::string& where) {
    FLOE_ASSIGN_OR_RETURN(const Json* found, BadRequestOr(ju::Member(u, "spec", where)));
    Json json = *found;
    if (json.is_object() && !json.contains("spec-id")) json["spec-id"] = 0;
    int32_t next_field_id = md_->last_partition_id + 1;
    FLOE_ASSIGN_OR_RETURN(iceberg::PartitionSpec spec, BadRequestOr(iceberg::PartitionSpecFromJson(
                                                           json, where + ".spec", &next_field_id)));
    int32_t id = -1;
    int32_t max_id = -1;
    for (const iceberg::PartitionSpec& existing : md_->partition_specs) {
      max_id = std::max(max_id, existing.spec_id);
      if (existing.fields == spec.fields) id = existing.spec_id;
    }
    if (id < 0) {
      id = max_id + 1;
      spec.spec_id = id;
      md_->partition_specs.push_back(spec);
    }
    md_->last_partition_id = std::max(md_->last_partition_id, spec.LastAssignedFieldId());
    last_spec_id_ = id;
    return Status::OK();
  }

  Status SetDefaultSpec(const Json& u, const std::string& where) {
    FLOE_ASSIGN_OR_RETURN(int32_t id, ResolveId(u, "spec-id", last_spec_id_, where));
    if (md_->SpecById(id) == nullptr) {
      return Status::InvalidArgument(where + ": no partition spec with id " + std::to_string(id));
    }
    md_->default_spec_id = id;
    return Status::OK();
  }

  Status AddSortOrder(const Json& u, const std::string& where) {
    FLOE_ASSIGN_OR_RETURN(const Json* found, BadRequestOr(ju::Member(u, "sort-order", where)));
    Json json = *found;
    if (json.is_object() && !json.contains("order-id")) {
      json["order-id"] = json.contains("fields") && !json["fields"].empty() ? 1 : 0;
    }
    FLOE_ASSIGN_OR_RETURN(iceberg::SortOrder order,
                          BadRequestOr(iceberg::SortOrderFromJson(json, where + ".sort-order")));
    int32_t id = -1;
    int32_t max_id = 0;
    for (const iceberg::SortOrder& existing : md_->sort_orders) {
      max_id = std::max(max_id, existing.order_id);
      if (existing.fields == order.fields) id = existing.order_id;
    }
    if (id < 0) {
      id = order.is_unsorted() ? 0 : max_id + 1;
      order.order_id = id;
      md_->sort_orders.push_back(order);
    }
    last_order_id_ = id;
    return Status::OK();
  }

  Status SetDefaultSortOrder(const Json& u, const std::string& where) {
    FLOE_ASSIGN_OR_RETURN(int32_t id, ResolveId(u, "sort-order-id", last_order_id_, where));
    if (md_->SortOrderById(id) == nullptr) {
      return Status::InvalidArgument(where + ": no sort order with id " + std::to_string(id));
    }
    md_->default_sort_order_id = id;
    return Status::OK();
  }

  Status AddSnapshot(const Json& u, const std::string& where) {
    FLOE_ASSIGN_OR_RETURN(const Json* json, BadRequestOr(ju::Member(u, "snapshot", where)));
    FLOE_ASSIGN_OR_RETURN(iceberg::Snapshot snapshot, SnapshotFromJson(*json, where + ".snapshot"));
    if (md_->SnapshotById(snapshot.snapshot_id) != nullptr) {
      return Status::InvalidArgument(where + ": snapshot id " +
                                     std::to_string(snapshot.snapshot_id) + " already exists");
    }
    if (md_->format_version >= 2 && snapshot.parent_snapshot_id &&
        snapshot.sequence_number <= md_->last_sequence_number) {
      return Status::InvalidArgument(
          where + ": sequence number " + std::to_string(snapshot.sequence_number) +
          " is not above the last sequence number " + std::to_string(md_->last_sequence_number));
    }
    if (snapshot.schema_id && md_->SchemaById(*snapshot.schema_id) == nullptr) {
      return Status::InvalidArgument(where + ": no schema with id " +
                                     std::to_string(*snapshot.schema_id));
    }
    md_->last_sequence_number = std::max(md_->last_sequence_number, snapshot.sequence_number);
    added_snapshots_.insert(snapshot.snapshot_id);
    md_->snapshots.push_back(std::move(snapshot));
    return Status::OK();
  }

  Status SetSnapshotRef(const Json& u, const std::string& where) {
    FLOE_ASSIGN_OR_RETURN(std::string name, BadRequestOr(ju::GetString(u, "ref-name", where)));
    FLOE_ASSIGN_OR_RETURN(std::string type_text, BadRequestOr(ju::GetString(u, "type", where)));
    FLOE_ASSIGN_OR_RETURN(iceberg::SnapshotRefType type, RefTypeFromText(type_text, where));
    FLOE_ASSIGN_OR_RETURN(int64_t id, BadRequestOr(ju::GetLong(u, "snapshot-id", where)));
    const iceberg::Snapshot* snapshot = md_->SnapshotById(id);
    if (snapshot == nullptr) {
      return Status::InvalidArgument(where + ": no snapshot with id " + std::to_string(id));
    }
    if (name == "main" && type != iceberg::SnapshotRefType::kBranch) {
      return Status::InvalidArgument(where + ": main must be a branch");
    }
    iceberg::SnapshotRef ref;
    ref.snapshot_id = id;
    ref.type = type;
    FLOE_ASSIGN_OR_RETURN(std::optional<int64_t> keep,
                          OptionalLong(u, "min-snapshots-to-keep", where));
    if (keep) ref.min_snapshots_to_keep = static_cast<int32_t>(*keep);
    FLOE_ASSIGN_OR_RETURN(ref.max_snapshot_age_ms, OptionalLong(u, "max-snapshot-age-ms", where));
    FLOE_ASSIGN_OR_RETURN(ref.max_ref_age_ms, OptionalLong(u, "max-ref-age-ms", where));
    if (name == "main") {
      const int64_t when = added_snapshots_.contains(id) ? snapshot->timestamp_ms : now_ms_;
      md_->current_snapshot_id = id;
      md_->snapshot_log.push_back({when, id});
    }
    md_->refs[name] = ref;
    return Status::OK();
  }

  Status RemoveSnapshotRef(const Json& u, const std::string& where) {
    FLOE_ASSIGN_OR_RETURN(std::string name, BadRequestOr(ju::GetString(u, "ref-name", where)));
    md_->refs.erase(name);
    if (name == "main") md_->current_snapshot_id.reset();
    return Status::OK();
  }

  Status RemoveSnapshots(const Json& u, const std::string& where) {
    FLOE_ASSIGN_OR_RETURN(const Json* ids, BadRequestOr(ju::Member(u, "snapshot-ids", where)));
    if (!ids->is_array()) return Status::InvalidArgument(where + ".snapshot-ids: not an array");
    std::set<int64_t> removed;
    for (const Json& id : *ids) {
      if (!id.is_number_integer()) {
        return Status::InvalidArgument(where + ".snapshot-ids: not an integer");
      }
      removed.insert(id.get<int64_t>());
    }
    std::erase_if(md_->snapshots,
                  [&](const iceberg::Snapshot& s) { return removed.contains(s.snapshot_id); });
    std::erase_if(md_->refs,
                  [&](const auto& ref) { return removed.contains(ref.second.snapshot_id); });
    if (md_->current_snapshot_id && removed.contains(*md_->current_snapshot_id)) {
      md_->current_snapshot_id.reset();
    }
    // As Java does: the log keeps only what follows the last entry of a removed snapshot, so it
    // never skips over a gap.
    auto& log = md_->snapshot_log;
    for (size_t i = log.size(); i > 0; --i) {
      if (removed.contains(log[i - 1].snapshot_id)) {
        log.erase(log.begin(), log.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
    }
    return Status::OK();
  }

  Status SetLocation(const Json& u, const std::string& where) {
    FLOE_ASSIGN_OR_RETURN(md_->location, BadRequestOr(ju::GetString(u, "location", where)));
    return Status::OK();
  }

  Status SetProperties(const Json& u, const std::string& where) {
    FLOE_ASSIGN_OR_RETURN(const Json* updates, BadRequestOr(ju::Member(u, "updates", where)));
    if (!updates->is_object()) return Status::InvalidArgument(where + ".updates: not an object");
    for (const auto& [key, value] : updates->items()) {
      if (!value.is_string()) {
        return Status::InvalidArgument(where + ".updates." + key + ": not a string");
      }
      md_->properties[key] = value.get<std::string>();
    }
    return Status::OK();
  }

  Status RemoveProperties(const Json& u, const std::string& where) {
    FLOE_ASSIGN_OR_RETURN(const Json* removals, BadRequestOr(ju::Member(u, "removals", where)));
    if (!removals->is_array()) return Status::InvalidArgument(where + ".removals: not an array");
    for (const Json& key : *removals) {
      if (!key.is_string()) return Status::InvalidArgument(where + ".removals: not a string");
      md_->properties.erase(key.get<std::string>());
    }
    return Status::OK();
  }

  iceberg::TableMetadata* md_;
  int64_t now_ms_;
  std::optional<int32_t> last_schema_id_;
  std::optional<int32_t> last_spec_id_;
  std::optional<int32_t> last_order_id_;
  std::set<int64_t> added_snapshots_;
};

}  // namespace

Status CheckRequirements(const Json& requirements, const iceberg::TableMetadata* base) {
  if (requirements.is_null()) return Status::OK();
  if (!requirements.is_array()) return Status::InvalidArgument("requirements: not an array");
  for (size_t i = 0; i < requirements.size(); ++i) {
    FLOE_RETURN_IF_ERROR(
        CheckRequirement(requirements[i], base, "requirements[" + std::to_string(i) + "]"));
  }
  return Status::OK();
}

Result<iceberg::TableMetadata> ApplyUpdates(const Json& updates, const iceberg::TableMetadata& base,
                                            const std::string& base_location, int64_t now_ms) {
  if (!updates.is_null() && !updates.is_array()) {
    return Status::InvalidArgument("updates: not an array");
  }
  iceberg::TableMetadata next = base;
  UpdateApplier applier(&next, now_ms);
  if (updates.is_array()) {
    for (size_t i = 0; i < updates.size(); ++i) {
      FLOE_RETURN_IF_ERROR(applier.Apply(updates[i], "updates[" + std::to_string(i) + "]"));
    }
  }
  next.last_updated_ms = std::max(now_ms, base.last_updated_ms);
  if (!base_location.empty()) {
    next.metadata_log.push_back({base.last_updated_ms, base_location});
    int64_t keep = 100;
    auto it = next.properties.find("write.metadata.previous-versions-max");
    if (it != next.properties.end()) {
      try {
        keep = std::max<int64_t>(1, std::stoll(it->second));
      } catch (...) {
        return Status::InvalidArgument("write.metadata.previous-versions-max: not a number: " +
                                       it->second);
      }
    }
    if (static_cast<int64_t>(next.metadata_log.size()) > keep) {
      next.metadata_log.erase(next.metadata_log.begin(),
                              next.metadata_log.end() - static_cast<std::ptrdiff_t>(keep));
    }
  }
  if (next.partition_specs.empty()) {
    next.partition_specs.push_back(iceberg::PartitionSpec{});
    next.default_spec_id = 0;
  }
  if (next.sort_orders.empty()) {
    next.sort_orders.push_back(iceberg::SortOrder::Unsorted());
    next.default_sort_order_id = 0;
  }
  Status valid = next.Validate();
  if (!valid.ok())
    return Status::InvalidArgument("the updated metadata is invalid: " + valid.message());
  return next;
}

iceberg::TableMetadata EmptyTableMetadata() {
  iceberg::TableMetadata metadata;
  metadata.format_version = iceberg::kDefaultFormatVersion;
  metadata.current_schema_id = -1;
  metadata.default_spec_id = -1;
  metadata.default_sort_order_id = -1;
  return metadata;
}

}  // namespace floe::server
