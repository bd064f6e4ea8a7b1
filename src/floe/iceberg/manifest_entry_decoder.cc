#include "floe/iceberg/manifest_entry_decoder.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "floe/iceberg/manifest.h"

namespace floe::iceberg {

ColumnStatsSelection ColumnStatsSelection::Only(std::vector<int32_t> field_ids) {
  std::sort(field_ids.begin(), field_ids.end());
  field_ids.erase(std::unique(field_ids.begin(), field_ids.end()), field_ids.end());
  ColumnStatsSelection s;
  s.all_ = false;
  s.field_ids_ = std::move(field_ids);
  return s;
}

bool ColumnStatsSelection::Keeps(int32_t field_id) const {
  return all_ || std::binary_search(field_ids_.begin(), field_ids_.end(), field_id);
}

namespace {

using avro::BinaryReader;

enum class Slot : uint8_t {
  kSkip,
  kUnreadable,  // an optional field of a type that cannot be read: null or an error
  // manifest_entry
  kStatus,
  kSnapshotId,
  kSequenceNumber,
  kFileSequenceNumber,
  kDataFile,
  // data_file
  kContent,
  kFilePath,
  kFileFormat,
  kPartition,
  kRecordCount,
  kFileSize,
  kColumnSizes,
  kValueCounts,
  kNullValueCounts,
  kNanValueCounts,
  kLowerBounds,
  kUpperBounds,
  kKeyMetadata,
  kSplitOffsets,
  kEqualityIds,
  kSortOrderId,
  kReferencedDataFile,
};

// What a field may be written as.
enum class Kind : uint8_t {
  kInt,
  kLong,  // int or long
  kText,  // string or bytes
  kRecord,
  kCountMap,  // array of {key: int, value: int or long}
  kBoundMap,  // array of {key: int, value: bytes or string}
  kLongList,  // array of int or long
  kIntList,
};

struct SlotInfo {
  int32_t field_id;
  const char* name;
  Slot slot;
  Kind kind;
  bool required;
  int32_t key_id = 0;  // maps: the key/value record's field ids
  int32_t value_id = 0;
};

constexpr SlotInfo kEntrySlots[] = {
    {0, "status", Slot::kStatus, Kind::kInt, true},
    {1, "snapshot_id", Slot::kSnapshotId, Kind::kLong, false},
    {3, "sequence_number", Slot::kSequenceNumber, Kind::kLong, false},
    {4, "file_sequence_number", Slot::kFileSequenceNumber, Kind::kLong, false},
    {2, "data_file", Slot::kDataFile, Kind::kRecord, true},
};

constexpr SlotInfo kDataFileSlots[] = {
    {134, "content", Slot::kContent, Kind::kInt, false},
    {100, "file_path", Slot::kFilePath, Kind::kText, true},
    {101, "file_format", Slot::kFileFormat, Kind::kText, true},
    {102, "partition", Slot::kPartition, Kind::kRecord, true},
    {103, "record_count", Slot::kRecordCount, Kind::kLong, true},
    {104, "file_size_in_bytes", Slot::kFileSize, Kind::kLong, true},
    {108, "column_sizes", Slot::kColumnSizes, Kind::kCountMap, false, 117, 118},
    {109, "value_counts", Slot::kValueCounts, Kind::kCountMap, false, 119, 120},
    {110, "null_value_counts", Slot::kNullValueCounts, Kind::kCountMap, false, 121, 122},
    {137, "nan_value_counts", Slot::kNanValueCounts, Kind::kCountMap, false, 138, 139},
    {125, "lower_bounds", Slot::kLowerBounds, Kind::kBoundMap, false, 126, 127},
    {128, "upper_bounds", Slot::kUpperBounds, Kind::kBoundMap, false, 129, 130},
    {131, "key_metadata", Slot::kKeyMetadata, Kind::kText, false},
    {132, "split_offsets", Slot::kSplitOffsets, Kind::kLongList, false},
    {135, "equality_ids", Slot::kEqualityIds, Kind::kIntList, false},
    {140, "sort_order_id", Slot::kSortOrderId, Kind::kInt, false},
    {143, "referenced_data_file", Slot::kReferencedDataFile, Kind::kText, false},
};

// A type that may be written as an optional (`["null", T]`, either order).
struct Optional {
  const avro::Node* value = nullptr;  // T
  bool is_union = false;
  int64_t null_branch = -1;
  int64_t value_branch = -1;
};

std::string Describe(const avro::Node& n) {
  std::string out(avro::TypeName(n.type));
  if (!n.name.empty()) out += " " + n.name;
  return out;
}

Result<Optional> Unwrap(const avro::Node* type, const std::string& where) {
  Optional o;
  if (type->type != avro::Type::kUnion) {
    o.value = type;
    return o;
  }
  o.is_union = true;
  for (size_t i = 0; i < type->branches.size(); ++i) {
    const avro::Node* b = type->branches[i];
    if (b->type == avro::Type::kNull) {
      o.null_branch = static_cast<int64_t>(i);
    } else if (o.value == nullptr) {
      o.value = b;
      o.value_branch = static_cast<int64_t>(i);
    } else {
      return Status::InvalidArgument(where + ": a union of more than null and one type");
    }
  }
  if (o.value == nullptr) return Status::InvalidArgument(where + ": a union of null only");
  return o;
}

// Reads the union branch of an optional: true when a value follows, false for null.
Result<bool> Present(const Optional& o, BinaryReader* in) {
  if (!o.is_union) return true;
  const size_t at = in->position();
  FLOE_ASSIGN_OR_RETURN(int64_t branch, in->ReadLong());
  if (branch == o.value_branch) return true;
  if (branch == o.null_branch) return false;
  return Status::Corrupt("union branch " + std::to_string(branch) + " at offset " +
                         std::to_string(at) + " out of range");
}

bool IsIntegral(const avro::Node* n) {
  return n->type == avro::Type::kInt || n->type == avro::Type::kLong;
}
bool IsText(const avro::Node* n) {
  return n->type == avro::Type::kString || n->type == avro::Type::kBytes;
}

Result<int64_t> ReadIntegral(const avro::Node* type, BinaryReader* in) {
  if (type->type == avro::Type::kInt) {
    FLOE_ASSIGN_OR_RETURN(int32_t v, in->ReadInt());
    return v;
  }
  return in->ReadLong();
}

Result<std::optional<int64_t>> ReadOptionalIntegral(const Optional& o, BinaryReader* in) {
  FLOE_ASSIGN_OR_RETURN(bool present, Present(o, in));
  if (!present) return std::optional<int64_t>();
  FLOE_ASSIGN_OR_RETURN(int64_t v, ReadIntegral(o.value, in));
  return std::optional<int64_t>(v);
}

Result<std::optional<std::string_view>> ReadOptionalText(const Optional& o, BinaryReader* in) {
  FLOE_ASSIGN_OR_RETURN(bool present, Present(o, in));
  if (!present) return std::optional<std::string_view>();
  FLOE_ASSIGN_OR_RETURN(std::string_view v, in->ReadBytes());
  return std::optional<std::string_view>(v);
}

// Calls item() once per item of an array written as `array`; counts are bounded by the bytes
// that remain, so a corrupt count fails instead of looping.
template <typename F>
Status ForEachItem(const avro::Node& array, BinaryReader* in, F&& item) {
  while (true) {
    const size_t at = in->position();
    FLOE_ASSIGN_OR_RETURN(int64_t count, in->ReadLong());
    if (count == 0) return Status::OK();
    if (count < 0) {
      if (count == INT64_MIN) {
        return Status::Corrupt("bad block count at offset " + std::to_string(at));
      }
      count = -count;
      FLOE_ASSIGN_OR_RETURN(int64_t bytes, in->ReadLong());
      if (bytes < 0 || static_cast<uint64_t>(bytes) > in->remaining()) {
        return Status::Corrupt("block size " + std::to_string(bytes) + " at offset " +
                               std::to_string(at) + " exceeds the bytes that remain");
      }
    }
    FLOE_RETURN_IF_ERROR(avro::CheckBlockCount(*array.items, false, count, in->remaining(), at));
    for (int64_t i = 0; i < count; ++i) FLOE_RETURN_IF_ERROR(item());
  }
}

// One primitive written as `type`, as the generic value LiteralFromAvro converts.
Result<avro::Value> ReadPrimitive(const avro::Node& type, BinaryReader* in) {
  switch (type.type) {
    case avro::Type::kBoolean: {
      FLOE_ASSIGN_OR_RETURN(bool v, in->ReadBoolean());
      return avro::Value::Boolean(v);
    }
    case avro::Type::kInt: {
      FLOE_ASSIGN_OR_RETURN(int32_t v, in->ReadInt());
      return avro::Value::Int(v);
    }
    case avro::Type::kLong: {
      FLOE_ASSIGN_OR_RETURN(int64_t v, in->ReadLong());
      return avro::Value::Long(v);
    }
    case avro::Type::kFloat: {
      FLOE_ASSIGN_OR_RETURN(float v, in->ReadFloat());
      return avro::Value::Float(v);
    }
    case avro::Type::kDouble: {
      FLOE_ASSIGN_OR_RETURN(double v, in->ReadDouble());
      return avro::Value::Double(v);
    }
    case avro::Type::kBytes: {
      FLOE_ASSIGN_OR_RETURN(std::string_view v, in->ReadBytes());
      return avro::Value::Bytes(std::string(v));
    }
    case avro::Type::kString: {
      FLOE_ASSIGN_OR_RETURN(std::string_view v, in->ReadBytes());
      return avro::Value::String(std::string(v));
    }
    case avro::Type::kFixed: {
      FLOE_ASSIGN_OR_RETURN(std::string_view v,
                            in->ReadFixed(static_cast<size_t>(type.fixed_size)));
      return avro::Value::Fixed(std::string(v));
    }
    default: return Status::Internal("not a primitive: " + Describe(type));
  }
}

bool IsPrimitive(const avro::Node& n) {
  switch (n.type) {
    case avro::Type::kBoolean:
    case avro::Type::kInt:
    case avro::Type::kLong:
    case avro::Type::kFloat:
    case avro::Type::kDouble:
    case avro::Type::kBytes:
    case avro::Type::kString:
    case avro::Type::kFixed: return true;
    default: return false;
  }
}

}  // namespace

struct ManifestEntryDecoder::Step {
  Slot slot = Slot::kSkip;
  const char* name = "";
  const avro::Node* type = nullptr;  // the field's writer type (skipped fields are skipped as it)
  Optional field;
  // Lists: the items. Maps: the value of the key/value record, at value_index; key at key_index.
  Optional element;
  int key_index = -1;
  int value_index = -1;
  // Partition: per writer field, its index in the partition struct (-1: skipped) and its type.
  std::vector<int> partition_targets;
  std::vector<Optional> partition_fields;
  std::vector<Literal> partition_nulls;  // the value of every partition field the writer lacks
  std::string unreadable;                // kUnreadable: why
};

namespace {

using Step = ManifestEntryDecoder::Step;

int FindField(const avro::Node& record, int32_t id, std::string_view name) {
  int i = record.FieldIndexById(id);
  if (i >= 0) return i;
  i = record.FieldIndex(name);
  return i >= 0 && !record.fields[i].field_id ? i : -1;
}

Status Accept(const SlotInfo& slot, Step* step, const std::string& where) {
  const avro::Node* v = step->field.value;
  auto bad = [&](const avro::Node* n, const char* expected) {
    return Status::InvalidArgument(where + ": writer type " + Describe(*n) + " cannot be read as " +
                                   expected);
  };
  switch (slot.kind) {
    case Kind::kInt: return v->type == avro::Type::kInt ? Status::OK() : bad(v, "int");
    case Kind::kLong: return IsIntegral(v) ? Status::OK() : bad(v, "long");
    case Kind::kText: return IsText(v) ? Status::OK() : bad(v, "string");
    case Kind::kRecord: return v->type == avro::Type::kRecord ? Status::OK() : bad(v, "a record");
    case Kind::kLongList:
    case Kind::kIntList: {
      if (v->type != avro::Type::kArray) return bad(v, "an array");
      FLOE_ASSIGN_OR_RETURN(step->element, Unwrap(v->items, where + " element"));
      const avro::Node* e = step->element.value;
      // Some writers list equality ids as longs; DecodeList range-checks them.
      return IsIntegral(e) ? Status::OK() : bad(e, "a list element of int or long");
    }
    case Kind::kCountMap:
    case Kind::kBoundMap: {
      if (v->type != avro::Type::kArray || v->items->type != avro::Type::kRecord) {
        return bad(v, "a map (an array of key/value records)");
      }
      const avro::Node& kv = *v->items;
      step->key_index = FindField(kv, slot.key_id, "key");
      step->value_index = FindField(kv, slot.value_id, "value");
      if (step->key_index < 0 || step->value_index < 0 || step->key_index == step->value_index) {
        return Status::InvalidArgument(where + ": map record " + kv.name +
                                       " has no key and value fields");
      }
      const avro::Node* key = kv.fields[step->key_index].type;
      if (key->type != avro::Type::kInt) return bad(key, "a map key of int");
      FLOE_ASSIGN_OR_RETURN(step->element,
                            Unwrap(kv.fields[step->value_index].type, where + " value"));
      const avro::Node* e = step->element.value;
      if (slot.kind == Kind::kCountMap ? !IsIntegral(e) : !IsText(e)) {
        return bad(e,
                   slot.kind == Kind::kCountMap ? "a map value of long" : "a map value of binary");
      }
      return Status::OK();
    }
  }
  return Status::Internal("bad slot kind");
}

Result<std::vector<Step>> PlanRecord(const avro::Node& record, std::span<const SlotInfo> slots,
                                     const std::string& what) {
  std::vector<Step> steps(record.fields.size());
  std::vector<bool> taken(slots.size(), false);
  for (size_t i = 0; i < record.fields.size(); ++i) {
    const avro::Field& field = record.fields[i];
    steps[i].type = field.type;
    size_t k = 0;
    // A field with an id is the slot of that id, whatever its name.
    while (k < slots.size() &&
           !(field.field_id ? *field.field_id == slots[k].field_id : field.name == slots[k].name)) {
      ++k;
    }
    if (k == slots.size() || taken[k]) continue;
    taken[k] = true;
    const std::string where = "manifest schema: " + what + "." + field.name + " (field-id " +
                              std::to_string(slots[k].field_id) + ")";
    steps[i].name = slots[k].name;
    Result<Optional> field_type = Unwrap(field.type, where);
    Status accepted = field_type.ok() ? Status::OK() : field_type.status();
    if (accepted.ok()) {
      steps[i].field = *field_type;
      accepted = Accept(slots[k], &steps[i], where);
    }
    if (accepted.ok()) {
      steps[i].slot = slots[k].slot;
    } else if (!slots[k].required && field.type->NullBranch() >= 0) {
      // As the generic reader: an optional field of a type floe cannot read fails only when a
      // record has a value in it.
      steps[i].slot = Slot::kUnreadable;
      steps[i].unreadable = accepted.message();
    } else {
      return accepted;
    }
  }
  for (size_t k = 0; k < slots.size(); ++k) {
    if (slots[k].required && !taken[k]) {
      return Status::InvalidArgument(
          "manifest schema: required field " + what + "." + slots[k].name + " (field-id " +
          std::to_string(slots[k].field_id) + ") is not in the writer schema");
    }
  }
  return steps;
}

Status PlanPartition(const Type& partition_type, Step* step) {
  const avro::Node& record = *step->field.value;
  const auto& fields = partition_type.fields;
  step->partition_targets.assign(record.fields.size(), -1);
  step->partition_fields.resize(record.fields.size());
  std::vector<bool> found(fields.size(), false);
  for (size_t i = 0; i < record.fields.size(); ++i) {
    const avro::Field& wf = record.fields[i];
    const avro::Json& attrs = wf.attributes;
    const bool has_original =
        attrs.contains("iceberg-field-name") && attrs["iceberg-field-name"].is_string();
    for (size_t j = 0; j < fields.size(); ++j) {
      const bool match =
          wf.field_id ? *wf.field_id == fields[j].id
                      : wf.name == fields[j].name ||
                            (has_original &&
                             attrs["iceberg-field-name"].get<std::string>() == fields[j].name);
      if (!match || found[j]) continue;
      const std::string where = "manifest schema: partition field " + wf.name;
      FLOE_ASSIGN_OR_RETURN(step->partition_fields[i], Unwrap(wf.type, where));
      if (!IsPrimitive(*step->partition_fields[i].value)) {
        return Status::InvalidArgument(where + ": writer type " +
                                       Describe(*step->partition_fields[i].value) +
                                       " is not a primitive");
      }
      step->partition_targets[i] = static_cast<int>(j);
      found[j] = true;
      break;
    }
  }
  step->partition_nulls.clear();
  for (const NestedField& f : fields) step->partition_nulls.push_back(Literal::Null(f.type));
  return Status::OK();
}

Status NullError(const Step& s) { return Status::Corrupt(std::string(s.name) + " is null"); }

// Reads or skips a field the plan left to SkipValue; an unreadable one must be null.
Status SkipField(const Step& s, BinaryReader* in) {
  if (s.slot != Slot::kUnreadable) return avro::SkipValue(*s.type, in);
  const size_t at = in->position();
  FLOE_ASSIGN_OR_RETURN(int64_t branch, in->ReadLong());
  if (branch == s.type->NullBranch()) return Status::OK();
  return Status::InvalidArgument(s.unreadable + " (a value at offset " + std::to_string(at) + ")");
}

// A map<int, long> or map<int, binary> written as an array of key/value records; entries of
// columns `stats` does not keep are read past without a copy.
template <typename V>
Status DecodeIntMap(const Step& s, const ColumnStatsSelection& stats, BinaryReader* in,
                    std::map<int32_t, V>* out) {
  FLOE_ASSIGN_OR_RETURN(bool present, Present(s.field, in));
  if (!present) return Status::OK();
  const avro::Node& kv = *s.field.value->items;
  return ForEachItem(*s.field.value, in, [&]() -> Status {
    int32_t key = 0;
    bool has_value = false;
    int64_t number = 0;
    std::string_view text;
    for (size_t i = 0; i < kv.fields.size(); ++i) {
      if (static_cast<int>(i) == s.key_index) {
        FLOE_ASSIGN_OR_RETURN(key, in->ReadInt());
      } else if (static_cast<int>(i) == s.value_index) {
        FLOE_ASSIGN_OR_RETURN(has_value, Present(s.element, in));
        if (!has_value) continue;
        if constexpr (std::is_same_v<V, std::string>) {
          FLOE_ASSIGN_OR_RETURN(text, in->ReadBytes());
        } else {
          FLOE_ASSIGN_OR_RETURN(number, ReadIntegral(s.element.value, in));
        }
      } else {
        FLOE_RETURN_IF_ERROR(avro::SkipValue(*kv.fields[i].type, in));
      }
    }
    if (has_value && stats.Keeps(key)) {
      // Writers list keys in order, so the hint makes each insert constant time.
      if constexpr (std::is_same_v<V, std::string>) {
        out->insert_or_assign(out->end(), key, std::string(text));
      } else {
        out->insert_or_assign(out->end(), key, number);
      }
    }
    return Status::OK();
  });
}

template <typename T>
Status DecodeList(const Step& s, BinaryReader* in, std::vector<T>* out) {
  FLOE_ASSIGN_OR_RETURN(bool present, Present(s.field, in));
  if (!present) return Status::OK();
  return ForEachItem(*s.field.value, in, [&]() -> Status {
    FLOE_ASSIGN_OR_RETURN(std::optional<int64_t> v, ReadOptionalIntegral(s.element, in));
    if (!v) return Status::OK();
    if (*v < std::numeric_limits<T>::min() || *v > std::numeric_limits<T>::max()) {
      return Status::Corrupt(std::string(s.name) + " item " + std::to_string(*v) + " out of range");
    }
    out->push_back(static_cast<T>(*v));
    return Status::OK();
  });
}

}  // namespace

ManifestEntryDecoder::~ManifestEntryDecoder() = default;

Result<std::unique_ptr<ManifestEntryDecoder>> ManifestEntryDecoder::Make(
    const avro::Schema& writer, const Type& partition_type, ColumnStatsSelection stats) {
  const avro::Node& root = writer.root();
  if (root.type != avro::Type::kRecord) {
    return Status::InvalidArgument("manifest schema: the top-level type is " + Describe(root) +
                                   ", not a manifest_entry record");
  }
  std::unique_ptr<ManifestEntryDecoder> d(new ManifestEntryDecoder());
  d->writer_ = writer;
  d->partition_type_ = partition_type;
  d->stats_ = std::move(stats);
  FLOE_ASSIGN_OR_RETURN(d->entry_steps_, PlanRecord(root, kEntrySlots, "manifest_entry"));
  for (const Step& s : d->entry_steps_) {
    if (s.slot != Slot::kDataFile) continue;
    FLOE_ASSIGN_OR_RETURN(d->data_file_steps_,
                          PlanRecord(*s.field.value, kDataFileSlots, "data_file"));
  }
  for (Step& s : d->data_file_steps_) {
    if (s.slot == Slot::kPartition) FLOE_RETURN_IF_ERROR(PlanPartition(d->partition_type_, &s));
  }
  return d;
}

Status ManifestEntryDecoder::Decode(BinaryReader* in) {
  if (out_ == nullptr) return Status::Internal("manifest entry decoder: no output entry");
  ManifestEntry& e = *out_;
  e.snapshot_id.reset();
  e.sequence_number.reset();
  e.file_sequence_number.reset();
  for (const Step& s : entry_steps_) {
    switch (s.slot) {
      case Slot::kStatus: {
        FLOE_ASSIGN_OR_RETURN(std::optional<int64_t> v, ReadOptionalIntegral(s.field, in));
        if (!v) return NullError(s);
        if (*v < 0 || *v > 2) {
          return Status::Corrupt("status " + std::to_string(*v) + " is not 0, 1 or 2");
        }
        e.status = static_cast<ManifestEntryStatus>(*v);
        break;
      }
      case Slot::kSnapshotId: {
        FLOE_ASSIGN_OR_RETURN(e.snapshot_id, ReadOptionalIntegral(s.field, in));
        break;
      }
      case Slot::kSequenceNumber: {
        FLOE_ASSIGN_OR_RETURN(e.sequence_number, ReadOptionalIntegral(s.field, in));
        break;
      }
      case Slot::kFileSequenceNumber: {
        FLOE_ASSIGN_OR_RETURN(e.file_sequence_number, ReadOptionalIntegral(s.field, in));
        break;
      }
      case Slot::kDataFile: {
        FLOE_ASSIGN_OR_RETURN(bool present, Present(s.field, in));
        if (!present) return NullError(s);
        FLOE_RETURN_IF_ERROR(DecodeDataFile(in, &e.data_file));
        break;
      }
      default: FLOE_RETURN_IF_ERROR(SkipField(s, in)); break;
    }
  }
  return Status::OK();
}

Status ManifestEntryDecoder::DecodeDataFile(BinaryReader* in, DataFile* f) {
  f->content = DataFileContent::kData;
  f->file_format = FileFormat::kParquet;
  f->record_count = 0;
  f->file_size_in_bytes = 0;
  f->column_sizes.clear();
  f->value_counts.clear();
  f->null_value_counts.clear();
  f->nan_value_counts.clear();
  f->lower_bounds.clear();
  f->upper_bounds.clear();
  f->key_metadata.reset();
  f->split_offsets.clear();
  f->equality_ids.clear();
  f->sort_order_id.reset();
  f->referenced_data_file.reset();
  for (const Step& s : data_file_steps_) {
    switch (s.slot) {
      case Slot::kContent: {
        FLOE_ASSIGN_OR_RETURN(std::optional<int64_t> v, ReadOptionalIntegral(s.field, in));
        if (!v) return NullError(s);
        if (*v < 0 || *v > 2) {
          return Status::Corrupt("data_file.content " + std::to_string(*v) + " is not 0, 1 or 2");
        }
        f->content = static_cast<DataFileContent>(*v);
        break;
      }
      case Slot::kFilePath: {
        FLOE_ASSIGN_OR_RETURN(std::optional<std::string_view> v, ReadOptionalText(s.field, in));
        if (!v) return NullError(s);
        f->file_path.assign(v->data(), v->size());
        break;
      }
      case Slot::kFileFormat: {
        FLOE_ASSIGN_OR_RETURN(std::optional<std::string_view> v, ReadOptionalText(s.field, in));
        if (!v) return NullError(s);
        Result<FileFormat> format = ParseFileFormat(*v);
        if (!format.ok()) return format.status().WithContext("data_file.file_format");
        f->file_format = *format;
        break;
      }
      case Slot::kPartition: {
        FLOE_ASSIGN_OR_RETURN(bool present, Present(s.field, in));
        if (!present) return NullError(s);
        FLOE_RETURN_IF_ERROR(DecodePartition(s, in, &f->partition));
        break;
      }
      case Slot::kRecordCount:
      case Slot::kFileSize: {
        FLOE_ASSIGN_OR_RETURN(std::optional<int64_t> v, ReadOptionalIntegral(s.field, in));
        if (!v) return NullError(s);
        (s.slot == Slot::kRecordCount ? f->record_count : f->file_size_in_bytes) = *v;
        break;
      }
      case Slot::kColumnSizes:
        FLOE_RETURN_IF_ERROR(DecodeIntMap(s, stats_, in, &f->column_sizes));
        break;
      case Slot::kValueCounts:
        FLOE_RETURN_IF_ERROR(DecodeIntMap(s, stats_, in, &f->value_counts));
        break;
      case Slot::kNullValueCounts:
        FLOE_RETURN_IF_ERROR(DecodeIntMap(s, stats_, in, &f->null_value_counts));
        break;
      case Slot::kNanValueCounts:
        FLOE_RETURN_IF_ERROR(DecodeIntMap(s, stats_, in, &f->nan_value_counts));
        break;
      case Slot::kLowerBounds:
        FLOE_RETURN_IF_ERROR(DecodeIntMap(s, stats_, in, &f->lower_bounds));
        break;
      case Slot::kUpperBounds:
        FLOE_RETURN_IF_ERROR(DecodeIntMap(s, stats_, in, &f->upper_bounds));
        break;
      case Slot::kKeyMetadata:
      case Slot::kReferencedDataFile: {
        FLOE_ASSIGN_OR_RETURN(std::optional<std::string_view> v, ReadOptionalText(s.field, in));
        if (v) {
          (s.slot == Slot::kKeyMetadata ? f->key_metadata : f->referenced_data_file) =
              std::string(*v);
        }
        break;
      }
      case Slot::kSplitOffsets: FLOE_RETURN_IF_ERROR(DecodeList(s, in, &f->split_offsets)); break;
      case Slot::kEqualityIds: FLOE_RETURN_IF_ERROR(DecodeList(s, in, &f->equality_ids)); break;
      case Slot::kSortOrderId: {
        FLOE_ASSIGN_OR_RETURN(std::optional<int64_t> v, ReadOptionalIntegral(s.field, in));
        if (v) f->sort_order_id = static_cast<int32_t>(*v);
        break;
      }
      default: FLOE_RETURN_IF_ERROR(SkipField(s, in)); break;
    }
  }
  return Status::OK();
}

Status ManifestEntryDecoder::DecodePartition(const Step& s, BinaryReader* in,
                                             std::vector<Literal>* out) {
  *out = s.partition_nulls;
  const avro::Node& record = *s.field.value;
  for (size_t i = 0; i < record.fields.size(); ++i) {
    const int target = s.partition_targets[i];
    if (target < 0) {
      FLOE_RETURN_IF_ERROR(avro::SkipValue(*record.fields[i].type, in));
      continue;
    }
    const Optional& o = s.partition_fields[i];
    FLOE_ASSIGN_OR_RETURN(bool present, Present(o, in));
    if (!present) continue;
    const NestedField& pf = partition_type_.fields[static_cast<size_t>(target)];
    FLOE_ASSIGN_OR_RETURN(avro::Value v, ReadPrimitive(*o.value, in));
    Result<Literal> literal = LiteralFromAvro(pf.type, v);
    if (!literal.ok()) {
      return literal.status().WithContext("partition field " + pf.name + " (" +
                                          std::to_string(pf.id) + ")");
    }
    (*out)[static_cast<size_t>(target)] = std::move(*literal);
  }
  return Status::OK();
}

}  // namespace floe::iceberg
