#include "floe/iceberg/types.h"

#include <charconv>
#include <set>
#include <utility>

namespace floe::iceberg {

Type Type::Struct(std::vector<NestedField> fields) {
  Type t;
  t.id = TypeId::kStruct;
  t.fields = std::move(fields);
  return t;
}

Type Type::List(int32_t element_id, Type element, bool element_required) {
  Type t;
  t.id = TypeId::kList;
  t.fields.push_back(
      NestedField{element_id, "element", element_required, std::move(element), {}, {}, {}});
  return t;
}

Type Type::Map(int32_t key_id, Type key, int32_t value_id, Type value, bool value_required) {
  Type t;
  t.id = TypeId::kMap;
  t.fields.push_back(NestedField{key_id, "key", true, std::move(key), {}, {}, {}});
  t.fields.push_back(NestedField{value_id, "value", value_required, std::move(value), {}, {}, {}});
  return t;
}

bool operator==(const Type& a, const Type& b) {
  return a.id == b.id && a.precision == b.precision && a.scale == b.scale && a.length == b.length &&
         a.fields == b.fields;
}

std::string Type::ToString() const {
  switch (id) {
    case TypeId::kBoolean: return "boolean";
    case TypeId::kInt: return "int";
    case TypeId::kLong: return "long";
    case TypeId::kFloat: return "float";
    case TypeId::kDouble: return "double";
    case TypeId::kDecimal:
      return "decimal(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
    case TypeId::kDate: return "date";
    case TypeId::kTime: return "time";
    case TypeId::kTimestamp: return "timestamp";
    case TypeId::kTimestampTz: return "timestamptz";
    case TypeId::kString: return "string";
    case TypeId::kUuid: return "uuid";
    case TypeId::kFixed: return "fixed[" + std::to_string(length) + "]";
    case TypeId::kBinary: return "binary";
    case TypeId::kStruct: {
      std::string s = "struct<";
      for (size_t i = 0; i < fields.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(fields[i].id) + ": " + fields[i].name + ": " +
             (fields[i].required ? "required " : "optional ") + fields[i].type.ToString();
      }
      return s + ">";
    }
    case TypeId::kList: return "list<" + element().type.ToString() + ">";
    case TypeId::kMap: return "map<" + key().type.ToString() + ", " + value().type.ToString() + ">";
  }
  return "?";
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool ParseInt(std::string_view s, int32_t* out) {
  s = Trim(s);
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Result<Type> ParsePrimitiveType(std::string_view text) {
  std::string_view t = Trim(text);
  static constexpr std::pair<std::string_view, TypeId> kNames[] = {
      {"boolean", TypeId::kBoolean},
      {"int", TypeId::kInt},
      {"long", TypeId::kLong},
      {"float", TypeId::kFloat},
      {"double", TypeId::kDouble},
      {"date", TypeId::kDate},
      {"time", TypeId::kTime},
      {"timestamp", TypeId::kTimestamp},
      {"timestamptz", TypeId::kTimestampTz},
      {"string", TypeId::kString},
      {"uuid", TypeId::kUuid},
      {"binary", TypeId::kBinary},
  };
  for (const auto& [name, id] : kNames) {
    if (t == name) return Type::Primitive(id);
  }
  if (t.starts_with("fixed[") && t.ends_with("]")) {
    int32_t len = 0;
    if (!ParseInt(t.substr(6, t.size() - 7), &len) || len <= 0) {
      return Status::InvalidArgument("bad fixed type \"" + std::string(text) +
                                     "\": length must be a positive integer");
    }
    return Type::Fixed(len);
  }
  if (t.starts_with("decimal(") && t.ends_with(")")) {
    std::string_view inner = t.substr(8, t.size() - 9);
    size_t comma = inner.find(',');
    int32_t p = 0, s = 0;
    if (comma == std::string_view::npos || !ParseInt(inner.substr(0, comma), &p) ||
        !ParseInt(inner.substr(comma + 1), &s) || p < 1 || p > 38 || s < 0 || s > p) {
      return Status::InvalidArgument("bad decimal type \"" + std::string(text) +
                                     "\": want decimal(P,S) with 1 <= P <= 38, 0 <= S <= P");
    }
    return Type::Decimal(p, s);
  }
  return Status::NotSupported("unknown Iceberg type \"" + std::string(text) + "\"");
}

bool IsPromotionAllowed(const Type& from, const Type& to) {
  if (from == to) return true;
  if (from.id == TypeId::kInt && to.id == TypeId::kLong) return true;
  if (from.id == TypeId::kFloat && to.id == TypeId::kDouble) return true;
  if (from.id == TypeId::kDecimal && to.id == TypeId::kDecimal) {
    return from.scale == to.scale && to.precision >= from.precision;
  }
  return false;
}

// ---- Schema ----------------------------------------------------------------------------------

namespace {

void IndexFields(const std::vector<NestedField>& fields, const std::string& prefix,
                 std::unordered_map<int32_t, const NestedField*>* by_id,
                 std::unordered_map<std::string, int32_t>* by_name,
                 std::unordered_map<int32_t, std::string>* name_of_id, int32_t* highest) {
  for (const NestedField& f : fields) {
    std::string name = prefix.empty() ? f.name : prefix + "." + f.name;
    by_id->emplace(f.id, &f);
    by_name->emplace(name, f.id);
    name_of_id->emplace(f.id, name);
    if (f.id > *highest) *highest = f.id;
    if (f.type.is_nested()) {
      IndexFields(f.type.fields, name, by_id, by_name, name_of_id, highest);
    }
  }
}

Status CheckIds(const std::vector<NestedField>& fields, std::set<int32_t>* seen) {
  for (const NestedField& f : fields) {
    if (f.id <= 0) {
      return Status::InvalidArgument("field \"" + f.name + "\" has id " + std::to_string(f.id) +
                                     "; field ids must be positive");
    }
    if (!seen->insert(f.id).second) {
      return Status::InvalidArgument("field id " + std::to_string(f.id) + " (\"" + f.name +
                                     "\") is used more than once");
    }
    if (f.type.id == TypeId::kMap && !f.type.key().required) {
      return Status::InvalidArgument("map \"" + f.name + "\" has an optional key");
    }
    FLOE_RETURN_IF_ERROR(CheckIds(f.type.fields, seen));
  }
  return Status::OK();
}

}  // namespace

std::shared_ptr<const Schema::Data> Schema::Index(std::vector<NestedField> fields) {
  auto data = std::make_shared<Data>();
  data->fields = std::move(fields);
  IndexFields(data->fields, "", &data->by_id, &data->by_name, &data->name_of_id,
              &data->highest_field_id);
  return data;
}

Schema::Schema() : data_(Index({})) {}

Schema::Schema(int32_t schema_id, std::vector<NestedField> fields,
               std::vector<int32_t> identifier_field_ids)
    : schema_id_(schema_id),
      data_(Index(std::move(fields))),
      identifier_field_ids_(std::move(identifier_field_ids)) {}

Result<Schema> Schema::Make(int32_t schema_id, std::vector<NestedField> fields,
                            std::vector<int32_t> identifier_field_ids) {
  std::set<int32_t> seen;
  FLOE_RETURN_IF_ERROR(CheckIds(fields, &seen).WithContext("schema " + std::to_string(schema_id)));
  Schema schema(schema_id, std::move(fields), std::move(identifier_field_ids));
  for (int32_t id : schema.identifier_field_ids()) {
    std::string where =
        "schema " + std::to_string(schema_id) + ": identifier field " + std::to_string(id);
    const NestedField* f = schema.FindFieldById(id);
    if (f == nullptr) return Status::InvalidArgument(where + " does not exist");
    if (!f->required || !f->type.is_primitive() || f->type.id == TypeId::kFloat ||
        f->type.id == TypeId::kDouble) {
      return Status::InvalidArgument(where + " (\"" + f->name +
                                     "\") must be a required primitive other than float/double");
    }
    // Every ancestor must be a required struct: walk the dotted name's prefixes.
    std::string name = schema.FindColumnName(id);
    for (size_t dot = name.find('.'); dot != std::string::npos; dot = name.find('.', dot + 1)) {
      const NestedField* parent = schema.FindFieldByName(std::string_view(name).substr(0, dot));
      if (parent == nullptr || parent->type.id != TypeId::kStruct || !parent->required) {
        return Status::InvalidArgument(where + " (\"" + name +
                                       "\") must not be nested in a list, map or optional struct");
      }
    }
  }
  return schema;
}

const NestedField* Schema::FindFieldById(int32_t id) const {
  auto it = data_->by_id.find(id);
  return it == data_->by_id.end() ? nullptr : it->second;
}

const NestedField* Schema::FindFieldByName(std::string_view dotted_name) const {
  auto it = data_->by_name.find(std::string(dotted_name));
  return it == data_->by_name.end() ? nullptr : FindFieldById(it->second);
}

std::string Schema::FindColumnName(int32_t id) const {
  auto it = data_->name_of_id.find(id);
  return it == data_->name_of_id.end() ? std::string() : it->second;
}

Schema Schema::WithSchemaId(int32_t schema_id) const {
  Schema copy = *this;
  copy.schema_id_ = schema_id;
  return copy;
}

bool operator==(const Schema& a, const Schema& b) {
  return a.schema_id_ == b.schema_id_ && a.identifier_field_ids_ == b.identifier_field_ids_ &&
         a.fields() == b.fields();
}

// ---- Fresh ids --------------------------------------------------------------------------------

namespace {

// Java's AssignFreshIds: the fields of one struct (or a list's element, a map's key and value)
// get consecutive ids, then their own types are visited in order.
void Renumber(std::vector<NestedField>* fields, int32_t* next,
              std::unordered_map<int32_t, int32_t>* old_to_new) {
  for (NestedField& f : *fields) {
    int32_t fresh = ++*next;
    old_to_new->emplace(f.id, fresh);
    f.id = fresh;
  }
  for (NestedField& f : *fields) {
    if (f.type.is_nested()) Renumber(&f.type.fields, next, old_to_new);
  }
}

}  // namespace

Schema AssignFreshIds(const Schema& schema, int32_t schema_id, int32_t* last_column_id) {
  std::vector<NestedField> fields = schema.fields();
  int32_t next = 0;
  std::unordered_map<int32_t, int32_t> old_to_new;
  Renumber(&fields, &next, &old_to_new);
  std::vector<int32_t> identifiers;
  for (int32_t id : schema.identifier_field_ids()) {
    auto it = old_to_new.find(id);
    if (it != old_to_new.end()) identifiers.push_back(it->second);
  }
  if (last_column_id != nullptr) *last_column_id = next;
  return Schema(schema_id, std::move(fields), std::move(identifiers));
}

// ---- Parquet schema ---------------------------------------------------------------------------

namespace {

parquet::FieldType ToParquetFieldType(TypeId id) {
  switch (id) {
    case TypeId::kBoolean: return parquet::FieldType::kBoolean;
    case TypeId::kInt: return parquet::FieldType::kInt;
    case TypeId::kLong: return parquet::FieldType::kLong;
    case TypeId::kFloat: return parquet::FieldType::kFloat;
    case TypeId::kDouble: return parquet::FieldType::kDouble;
    case TypeId::kDecimal: return parquet::FieldType::kDecimal;
    case TypeId::kDate: return parquet::FieldType::kDate;
    case TypeId::kTime: return parquet::FieldType::kTime;
    case TypeId::kTimestamp: return parquet::FieldType::kTimestamp;
    case TypeId::kTimestampTz: return parquet::FieldType::kTimestampTz;
    case TypeId::kString: return parquet::FieldType::kString;
    case TypeId::kUuid: return parquet::FieldType::kUuid;
    case TypeId::kFixed: return parquet::FieldType::kFixed;
    case TypeId::kBinary: return parquet::FieldType::kBinary;
    case TypeId::kStruct: return parquet::FieldType::kStruct;
    case TypeId::kList: return parquet::FieldType::kList;
    case TypeId::kMap: return parquet::FieldType::kMap;
  }
  return parquet::FieldType::kBinary;
}

parquet::Field ToParquetField(const NestedField& f) {
  parquet::Field out;
  out.field_id = f.id;
  out.name = f.name;
  out.required = f.required;
  out.type = ToParquetFieldType(f.type.id);
  out.fixed_length = f.type.length;
  out.decimal_precision = f.type.precision;
  out.decimal_scale = f.type.scale;
  for (const NestedField& child : f.type.fields) out.children.push_back(ToParquetField(child));
  return out;
}

}  // namespace

Result<parquet::Schema> ToParquetSchema(const Schema& schema) {
  parquet::Schema out;
  for (const NestedField& f : schema.fields()) out.fields.push_back(ToParquetField(f));
  return out;
}

}  // namespace floe::iceberg
