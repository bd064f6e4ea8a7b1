#include "floe/parquet/schema.h"

#include <string>

namespace floe::parquet {

using format::ConvertedType;
using format::LogicalType;
using format::Repetition;
using format::SchemaElement;

int32_t DecimalBytesForPrecision(int32_t precision) {
  // Smallest n with 10^precision <= 2^(8n-1). No power of ten is a power of two, so the rounding
  // of long double never flips the comparison for precisions up to 38.
  int32_t n = 1;
  long double max_unscaled = 1;
  for (int32_t i = 0; i < precision; ++i) max_unscaled *= 10;
  long double capacity = 128;  // 2^(8*1-1)
  while (capacity < max_unscaled) {
    capacity *= 256;
    ++n;
  }
  return n;
}

namespace {

struct Builder {
  FileSchema* out;

  Status Bad(const std::vector<std::string>& path, const std::string& msg) {
    std::string p;
    for (const auto& s : path) {
      if (!p.empty()) p += ".";
      p += s;
    }
    return Status::InvalidArgument("schema field '" + p + "': " + msg);
  }

  // Adds `field` under the name `name` (element/key/value names differ from Field::name).
  Status Add(const Field& field, const std::string& name, bool required, bool with_id,
             std::vector<std::string>* path, int16_t def, int16_t rep, int depth) {
    path->push_back(name);
    if (name.empty()) return Bad(*path, "empty name");
    if (depth > kMaxSchemaDepth) return Bad(*path, "nested deeper than 64 levels");
    SchemaElement e;
    e.name = name;
    e.repetition_type = required ? Repetition::kRequired : Repetition::kOptional;
    if (with_id) e.field_id = field.field_id;
    if (!required) ++def;
    switch (field.type) {
      case FieldType::kStruct: {
        if (field.children.empty()) return Bad(*path, "a struct needs at least one field");
        e.num_children = static_cast<int32_t>(field.children.size());
        out->elements.push_back(std::move(e));
        for (const Field& c : field.children) {
          FLOE_RETURN_IF_ERROR(Add(c, c.name, c.required, true, path, def, rep, depth + 1));
        }
        break;
      }
      case FieldType::kList: {
        if (field.children.size() != 1) return Bad(*path, "a list needs exactly one child");
        e.num_children = 1;
        e.converted_type = ConvertedType::kList;
        e.logical_type = LogicalType::Of(LogicalType::Kind::kList);
        out->elements.push_back(std::move(e));
        SchemaElement mid;
        mid.name = "list";
        mid.repetition_type = Repetition::kRepeated;
        mid.num_children = 1;
        out->elements.push_back(std::move(mid));
        path->push_back("list");
        const Field& el = field.children[0];
        FLOE_RETURN_IF_ERROR(
            Add(el, "element", el.required, true, path, def + 1, rep + 1, depth + 1));
        path->pop_back();
        break;
      }
      case FieldType::kMap: {
        if (field.children.size() != 2) return Bad(*path, "a map needs a key and a value");
        e.num_children = 1;
        e.converted_type = ConvertedType::kMap;
        e.logical_type = LogicalType::Of(LogicalType::Kind::kMap);
        out->elements.push_back(std::move(e));
        SchemaElement mid;
        mid.name = "key_value";
        mid.repetition_type = Repetition::kRepeated;
        mid.num_children = 2;
        out->elements.push_back(std::move(mid));
        path->push_back("key_value");
        const Field& k = field.children[0];
        const Field& v = field.children[1];
        // Map keys are always required in Parquet (and Iceberg).
        FLOE_RETURN_IF_ERROR(Add(k, "key", true, true, path, def + 1, rep + 1, depth + 1));
        FLOE_RETURN_IF_ERROR(Add(v, "value", v.required, true, path, def + 1, rep + 1, depth + 1));
        path->pop_back();
        break;
      }
      default: {
        LeafColumn leaf;
        FLOE_RETURN_IF_ERROR(Primitive(field, *path, &e, &leaf));
        leaf.path = *path;
        leaf.field_id = with_id ? field.field_id : -1;
        leaf.max_def = def;
        leaf.max_rep = rep;
        out->elements.push_back(std::move(e));
        out->leaves.push_back(std::move(leaf));
        break;
      }
    }
    path->pop_back();
    return Status::OK();
  }

  Status Primitive(const Field& f, const std::vector<std::string>& path, SchemaElement* e,
                   LeafColumn* leaf) {
    leaf->type = f.type;
    auto set = [&](PhysicalType t) {
      e->type = t;
      leaf->physical = t;
    };
    switch (f.type) {
      case FieldType::kBoolean: set(PhysicalType::kBoolean); break;
      case FieldType::kInt: set(PhysicalType::kInt32); break;
      case FieldType::kLong: set(PhysicalType::kInt64); break;
      case FieldType::kFloat: set(PhysicalType::kFloat); break;
      case FieldType::kDouble: set(PhysicalType::kDouble); break;
      case FieldType::kDate:
        set(PhysicalType::kInt32);
        e->converted_type = ConvertedType::kDate;
        e->logical_type = LogicalType::Of(LogicalType::Kind::kDate);
        break;
      case FieldType::kTime:
        set(PhysicalType::kInt64);
        e->converted_type = ConvertedType::kTimeMicros;
        e->logical_type = LogicalType::Time(false, TimeUnit::kMicros);
        leaf->time_unit = TimeUnit::kMicros;
        break;
      case FieldType::kTimestamp:
      case FieldType::kTimestampTz:
        set(PhysicalType::kInt64);
        e->converted_type = ConvertedType::kTimestampMicros;
        e->logical_type =
            LogicalType::Timestamp(f.type == FieldType::kTimestampTz, TimeUnit::kMicros);
        leaf->time_unit = TimeUnit::kMicros;
        break;
      case FieldType::kString:
        set(PhysicalType::kByteArray);
        e->converted_type = ConvertedType::kUtf8;
        e->logical_type = LogicalType::Of(LogicalType::Kind::kString);
        break;
      case FieldType::kUuid:
        set(PhysicalType::kFixedLenByteArray);
        e->type_length = 16;
        leaf->type_length = 16;
        e->logical_type = LogicalType::Of(LogicalType::Kind::kUuid);
        break;
      case FieldType::kBinary: set(PhysicalType::kByteArray); break;
      case FieldType::kFixed:
        if (f.fixed_length < 1) {
          return Bad(path, "fixed length " + std::to_string(f.fixed_length) + " is not >= 1");
        }
        set(PhysicalType::kFixedLenByteArray);
        e->type_length = f.fixed_length;
        leaf->type_length = f.fixed_length;
        break;
      case FieldType::kDecimal: {
        int32_t p = f.decimal_precision, s = f.decimal_scale;
        if (p < 1 || p > 38) {
          return Bad(path, "decimal precision " + std::to_string(p) + " is outside 1..38");
        }
        if (s < 0 || s > p) {
          return Bad(path,
                     "decimal scale " + std::to_string(s) + " is outside 0.." + std::to_string(p));
        }
        if (p <= 9) {
          set(PhysicalType::kInt32);
        } else if (p <= 18) {
          set(PhysicalType::kInt64);
        } else {
          set(PhysicalType::kFixedLenByteArray);
          e->type_length = DecimalBytesForPrecision(p);
          leaf->type_length = *e->type_length;
        }
        e->converted_type = ConvertedType::kDecimal;
        e->scale = s;
        e->precision = p;
        e->logical_type = LogicalType::Decimal(s, p);
        leaf->decimal_precision = p;
        leaf->decimal_scale = s;
        break;
      }
      default: return Bad(path, "not a primitive type");
    }
    return Status::OK();
  }
};

}  // namespace

Result<FileSchema> BuildFileSchema(const Schema& schema) {
  FileSchema out;
  if (schema.fields.empty()) return Status::InvalidArgument("schema has no columns");
  SchemaElement root;
  root.name = "table";
  root.num_children = static_cast<int32_t>(schema.fields.size());
  out.elements.push_back(std::move(root));
  Builder b{&out};
  std::vector<std::string> path;
  for (const Field& f : schema.fields) {
    FLOE_RETURN_IF_ERROR(b.Add(f, f.name, f.required, true, &path, 0, 0, 1));
  }
  return out;
}

// ---- reading any file's schema ----

namespace {

// The natural meaning of a physical type without annotations.
FieldType NaturalType(PhysicalType t) {
  switch (t) {
    case PhysicalType::kBoolean: return FieldType::kBoolean;
    case PhysicalType::kInt32: return FieldType::kInt;
    case PhysicalType::kInt64: return FieldType::kLong;
    case PhysicalType::kInt96: return FieldType::kTimestampTz;  // legacy Spark/Impala timestamps
    case PhysicalType::kFloat: return FieldType::kFloat;
    case PhysicalType::kDouble: return FieldType::kDouble;
    case PhysicalType::kByteArray: return FieldType::kBinary;
    case PhysicalType::kFixedLenByteArray: return FieldType::kFixed;
  }
  return FieldType::kBinary;
}

bool IsInt(PhysicalType t) { return t == PhysicalType::kInt32 || t == PhysicalType::kInt64; }

// Fills leaf->type (and decimal/time details) from the annotations when they fit the physical
// type; annotations that do not fit are ignored, as other readers do.
void InferType(const SchemaElement& e, LeafColumn* leaf) {
  PhysicalType p = leaf->physical;
  leaf->type = NaturalType(p);
  if (p == PhysicalType::kInt96) {
    leaf->time_unit = TimeUnit::kNanos;
    return;
  }
  bool decimal_ok =
      IsInt(p) || p == PhysicalType::kFixedLenByteArray || p == PhysicalType::kByteArray;
  if (e.logical_type.has_value()) {
    const LogicalType& lt = *e.logical_type;
    using K = LogicalType::Kind;
    switch (lt.kind) {
      case K::kString:
      case K::kEnum:
      case K::kJson:
        if (p == PhysicalType::kByteArray) leaf->type = FieldType::kString;
        return;
      case K::kDecimal:
        if (decimal_ok && lt.precision > 0 && lt.scale >= 0 && lt.scale <= lt.precision) {
          leaf->type = FieldType::kDecimal;
          leaf->decimal_precision = lt.precision;
          leaf->decimal_scale = lt.scale;
        }
        return;
      case K::kDate:
        if (p == PhysicalType::kInt32) leaf->type = FieldType::kDate;
        return;
      case K::kTime:
        if ((p == PhysicalType::kInt32 && lt.unit == TimeUnit::kMillis) ||
            (p == PhysicalType::kInt64 && lt.unit != TimeUnit::kMillis)) {
          leaf->type = FieldType::kTime;
          leaf->time_unit = lt.unit;
        }
        return;
      case K::kTimestamp:
        if (p == PhysicalType::kInt64) {
          leaf->type = lt.is_adjusted_to_utc ? FieldType::kTimestampTz : FieldType::kTimestamp;
          leaf->time_unit = lt.unit;
        }
        return;
      case K::kInteger:
        if (IsInt(p)) {
          // Unsigned 32-bit values do not fit an int; widen them.
          bool wide = lt.bit_width == 64 || (lt.bit_width == 32 && !lt.is_signed);
          leaf->type = wide ? FieldType::kLong : FieldType::kInt;
        }
        return;
      case K::kUuid:
        if (p == PhysicalType::kFixedLenByteArray && leaf->type_length == 16) {
          leaf->type = FieldType::kUuid;
        }
        return;
      default: break;  // no Iceberg meaning: fall through to the converted type
    }
  }
  if (!e.converted_type.has_value()) return;
  switch (*e.converted_type) {
    case ConvertedType::kUtf8:
    case ConvertedType::kEnum:
    case ConvertedType::kJson:
      if (p == PhysicalType::kByteArray) leaf->type = FieldType::kString;
      break;
    case ConvertedType::kDecimal: {
      int32_t prec = e.precision.value_or(0), scale = e.scale.value_or(0);
      if (decimal_ok && prec > 0 && scale >= 0 && scale <= prec) {
        leaf->type = FieldType::kDecimal;
        leaf->decimal_precision = prec;
        leaf->decimal_scale = scale;
      }
      break;
    }
    case ConvertedType::kDate:
      if (p == PhysicalType::kInt32) leaf->type = FieldType::kDate;
      break;
    case ConvertedType::kTimeMillis:
      if (p == PhysicalType::kInt32) {
        leaf->type = FieldType::kTime;
        leaf->time_unit = TimeUnit::kMillis;
      }
      break;
    case ConvertedType::kTimeMicros:
      if (p == PhysicalType::kInt64) {
        leaf->type = FieldType::kTime;
        leaf->time_unit = TimeUnit::kMicros;
      }
      break;
    // LogicalTypes.md: the converted TIMESTAMP_* types mean isAdjustedToUTC = true.
    case ConvertedType::kTimestampMillis:
    case ConvertedType::kTimestampMicros:
      if (p == PhysicalType::kInt64) {
        leaf->type = FieldType::kTimestampTz;
        leaf->time_unit = *e.converted_type == ConvertedType::kTimestampMillis ? TimeUnit::kMillis
                                                                               : TimeUnit::kMicros;
      }
      break;
    case ConvertedType::kInt8:
    case ConvertedType::kInt16:
    case ConvertedType::kInt32:
    case ConvertedType::kUint8:
    case ConvertedType::kUint16:
      if (IsInt(p)) leaf->type = FieldType::kInt;
      break;
    case ConvertedType::kInt64:
    case ConvertedType::kUint32:
    case ConvertedType::kUint64:
      if (IsInt(p)) leaf->type = FieldType::kLong;
      break;
    default: break;
  }
}

struct Walker {
  const std::vector<SchemaElement>& elements;
  std::vector<LeafColumn>* leaves;
  size_t next = 1;

  Status Bad(size_t index, const std::string& msg) {
    return Status::Corrupt("parquet schema element " + std::to_string(index) + " ('" +
                           elements[index].name + "'): " + msg);
  }

  Status Walk(std::vector<std::string>* path, int16_t def, int16_t rep, int depth) {
    size_t index = next++;
    const SchemaElement& e = elements[index];
    if (e.name.empty()) return Bad(index, "empty name");
    if (depth > kMaxSchemaDepth) return Bad(index, "nested deeper than 64 levels");
    Repetition r = e.repetition_type.value_or(Repetition::kOptional);
    if (!e.repetition_type.has_value()) return Bad(index, "no repetition type");
    if (r == Repetition::kOptional) {
      ++def;
    } else if (r == Repetition::kRepeated) {
      ++def;
      ++rep;
    } else if (r != Repetition::kRequired) {
      return Bad(index, "unknown repetition type " + std::to_string(static_cast<int>(r)));
    }
    path->push_back(e.name);
    int32_t children = e.num_children.value_or(0);
    if (children < 0) return Bad(index, "negative num_children");
    if (children > 0) {
      if (static_cast<size_t>(children) > elements.size() - next) {
        return Bad(index,
                   "num_children " + std::to_string(children) + " runs past the end of the schema");
      }
      for (int32_t i = 0; i < children; ++i) {
        if (next >= elements.size()) return Bad(index, "children run past the end of the schema");
        FLOE_RETURN_IF_ERROR(Walk(path, def, rep, depth + 1));
      }
    } else {
      if (!e.type.has_value()) return Bad(index, "a primitive without a type");
      LeafColumn leaf;
      leaf.path = *path;
      leaf.field_id = e.field_id.value_or(-1);
      leaf.physical = *e.type;
      leaf.max_def = def;
      leaf.max_rep = rep;
      if (leaf.physical == PhysicalType::kFixedLenByteArray) {
        if (!e.type_length.has_value() || *e.type_length < 1) {
          return Bad(index, "FIXED_LEN_BYTE_ARRAY without a positive type_length");
        }
        leaf.type_length = *e.type_length;
      } else if (leaf.physical == PhysicalType::kInt96) {
        leaf.type_length = 12;
      }
      InferType(e, &leaf);
      leaves->push_back(std::move(leaf));
    }
    path->pop_back();
    return Status::OK();
  }
};

}  // namespace

Result<std::vector<LeafColumn>> LeafColumnsFromElements(
    const std::vector<SchemaElement>& elements) {
  if (elements.empty()) return Status::Corrupt("parquet schema is empty");
  const SchemaElement& root = elements[0];
  if (root.type.has_value() || !root.num_children.has_value()) {
    return Status::Corrupt("parquet schema root '" + root.name + "' is not a group");
  }
  std::vector<LeafColumn> leaves;
  Walker w{elements, &leaves};
  int32_t children = *root.num_children;
  if (children < 0 || static_cast<size_t>(children) > elements.size() - 1) {
    return Status::Corrupt("parquet schema root has num_children " + std::to_string(children) +
                           " but only " + std::to_string(elements.size() - 1) + " elements follow");
  }
  std::vector<std::string> path;
  for (int32_t i = 0; i < children; ++i) {
    if (w.next >= elements.size()) {
      return Status::Corrupt("parquet schema: root's children run past the end of the schema");
    }
    FLOE_RETURN_IF_ERROR(w.Walk(&path, 0, 0, 1));
  }
  if (w.next != elements.size()) {
    return Status::Corrupt("parquet schema has " + std::to_string(elements.size() - w.next) +
                           " elements outside the root's tree");
  }
  return leaves;
}

}  // namespace floe::parquet
