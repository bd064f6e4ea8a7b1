#include "floe/iceberg/json_serde.h"

#include <cmath>
#include <limits>

#include "floe/iceberg/datetime.h"

namespace floe::iceberg {

namespace json_util {

namespace {

std::string KeyWhere(const std::string& where, std::string_view key) {
  return where.empty() ? std::string(key) : where + "." + std::string(key);
}

std::string Describe(const Json& j) {
  std::string s = j.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

Result<int64_t> AsLong(const Json& v, const std::string& where) {
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Status::Corrupt(where + ": " + Describe(v) + " does not fit a long");
    }
    return static_cast<int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<int64_t>();
  return Status::Corrupt(where + ": expected an integer, got " + Describe(v));
}

Result<int32_t> AsInt(const Json& v, const std::string& where) {
  FLOE_ASSIGN_OR_RETURN(int64_t x, AsLong(v, where));
  if (x < std::numeric_limits<int32_t>::min() || x > std::numeric_limits<int32_t>::max()) {
    return Status::Corrupt(where + ": " + std::to_string(x) + " does not fit an int");
  }
  return static_cast<int32_t>(x);
}

}  // namespace

Result<const Json*> Member(const Json& obj, std::string_view key, const std::string& where) {
  if (!obj.is_object()) return Status::Corrupt(where + ": expected an object");
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    return Status::Corrupt(KeyWhere(where, key) + ": required field is missing");
  }
  return &*it;
}

const Json* OptionalMember(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<int64_t> GetLong(const Json& obj, std::string_view key, const std::string& where) {
  FLOE_ASSIGN_OR_RETURN(const Json* v, Member(obj, key, where));
  return AsLong(*v, KeyWhere(where, key));
}

Result<int32_t> GetInt(const Json& obj, std::string_view key, const std::string& where) {
  FLOE_ASSIGN_OR_RETURN(const Json* v, Member(obj, key, where));
  return AsInt(*v, KeyWhere(where, key));
}

Result<std::string> GetString(const Json& obj, std::string_view key, const std::string& where) {
  FLOE_ASSIGN_OR_RETURN(const Json* v, Member(obj, key, where));
  if (!v->is_string()) {
    return Status::Corrupt(KeyWhere(where, key) + ": expected a string, got " + Describe(*v));
  }
  return v->get<std::string>();
}

Result<bool> GetBool(const Json& obj, std::string_view key, const std::string& where) {
  FLOE_ASSIGN_OR_RETURN(const Json* v, Member(obj, key, where));
  if (!v->is_boolean()) {
    return Status::Corrupt(KeyWhere(where, key) + ": expected true or false, got " + Describe(*v));
  }
  return v->get<bool>();
}

Result<std::optional<int64_t>> GetOptionalLong(const Json& obj, std::string_view key,
                                               const std::string& where) {
  const Json* v = OptionalMember(obj, key);
  if (v == nullptr) return std::optional<int64_t>();
  FLOE_ASSIGN_OR_RETURN(int64_t x, AsLong(*v, KeyWhere(where, key)));
  return std::optional<int64_t>(x);
}

Result<std::optional<int32_t>> GetOptionalInt(const Json& obj, std::string_view key,
                                              const std::string& where) {
  const Json* v = OptionalMember(obj, key);
  if (v == nullptr) return std::optional<int32_t>();
  FLOE_ASSIGN_OR_RETURN(int32_t x, AsInt(*v, KeyWhere(where, key)));
  return std::optional<int32_t>(x);
}

Result<Json> Parse(std::string_view text, const std::string& where) {
  // nlohmann reports syntax errors by exception; it stays inside this function.
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    return Status::Corrupt(where + ": malformed JSON: " + e.what());
  }
}

}  // namespace json_util

using json_util::GetBool;
using json_util::GetInt;
using json_util::GetString;
using json_util::Member;
using json_util::OptionalMember;

// ---- types and schemas -----------------------------------------------------------------------

namespace {

Json FieldToJson(const NestedField& f) {
  Json j;
  j["id"] = f.id;
  j["name"] = f.name;
  j["required"] = f.required;
  j["type"] = TypeToJson(f.type);
  if (f.doc) j["doc"] = *f.doc;
  if (f.initial_default_json) j["initial-default"] = Json::parse(*f.initial_default_json);
  if (f.write_default_json) j["write-default"] = Json::parse(*f.write_default_json);
  return j;
}

Json FieldsToJson(const std::vector<NestedField>& fields) {
  Json arr = Json::array();
  for (const NestedField& f : fields) arr.push_back(FieldToJson(f));
  return arr;
}

// Nesting deeper than this is refused rather than recursed into: a hostile file must not be able
// to exhaust the stack.
constexpr int kMaxTypeDepth = 64;

Result<Type> TypeFromJsonAt(const Json& json, const std::string& where, int depth);

Result<NestedField> FieldFromJson(const Json& j, const std::string& where, int depth) {
  NestedField f;
  FLOE_ASSIGN_OR_RETURN(f.id, GetInt(j, "id", where));
  FLOE_ASSIGN_OR_RETURN(f.name, GetString(j, "name", where));
  FLOE_ASSIGN_OR_RETURN(f.required, GetBool(j, "required", where));
  FLOE_ASSIGN_OR_RETURN(const Json* type, Member(j, "type", where));
  FLOE_ASSIGN_OR_RETURN(f.type, TypeFromJsonAt(*type, where + ".type", depth + 1));
  if (const Json* doc = OptionalMember(j, "doc")) {
    if (!doc->is_string()) return Status::Corrupt(where + ".doc: expected a string");
    f.doc = doc->get<std::string>();
  }
  if (const Json* d = OptionalMember(j, "initial-default")) f.initial_default_json = d->dump();
  if (const Json* d = OptionalMember(j, "write-default")) f.write_default_json = d->dump();
  return f;
}

Result<std::vector<NestedField>> FieldsFromJson(const Json& j, const std::string& where,
                                                int depth) {
  FLOE_ASSIGN_OR_RETURN(const Json* fields, Member(j, "fields", where));
  if (!fields->is_array()) return Status::Corrupt(where + ".fields: expected an array");
  std::vector<NestedField> out;
  out.reserve(fields->size());
  for (size_t i = 0; i < fields->size(); ++i) {
    FLOE_ASSIGN_OR_RETURN(
        NestedField f,
        FieldFromJson((*fields)[i], where + ".fields[" + std::to_string(i) + "]", depth));
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace

Json TypeToJson(const Type& type) {
  switch (type.id) {
    case TypeId::kStruct: {
      Json j;
      j["type"] = "struct";
      j["fields"] = FieldsToJson(type.fields);
      return j;
    }
    case TypeId::kList: {
      Json j;
      j["type"] = "list";
      j["element-id"] = type.element().id;
      j["element"] = TypeToJson(type.element().type);
      j["element-required"] = type.element().required;
      return j;
    }
    case TypeId::kMap: {
      Json j;
      j["type"] = "map";
      j["key-id"] = type.key().id;
      j["key"] = TypeToJson(type.key().type);
      j["value-id"] = type.value().id;
      j["value"] = TypeToJson(type.value().type);
      j["value-required"] = type.value().required;
      return j;
    }
    default: return type.ToString();
  }
}

Result<Type> TypeFromJson(const Json& json, const std::string& where) {
  return TypeFromJsonAt(json, where, 0);
}

namespace {

Result<Type> TypeFromJsonAt(const Json& json, const std::string& where, int depth) {
  if (depth > kMaxTypeDepth) {
    return Status::Corrupt(where + ": types nested more than " + std::to_string(kMaxTypeDepth) +
                           " levels deep");
  }
  if (json.is_string()) {
    Result<Type> t = ParsePrimitiveType(json.get<std::string>());
    if (!t.ok()) return t.status().WithContext(where);
    return t;
  }
  if (!json.is_object()) return Status::Corrupt(where + ": expected a type name or object");
  FLOE_ASSIGN_OR_RETURN(std::string kind, GetString(json, "type", where));
  if (kind == "struct") {
    FLOE_ASSIGN_OR_RETURN(std::vector<NestedField> fields, FieldsFromJson(json, where, depth));
    return Type::Struct(std::move(fields));
  }
  if (kind == "list") {
    FLOE_ASSIGN_OR_RETURN(int32_t id, GetInt(json, "element-id", where));
    FLOE_ASSIGN_OR_RETURN(const Json* element, Member(json, "element", where));
    FLOE_ASSIGN_OR_RETURN(Type element_type,
                          TypeFromJsonAt(*element, where + ".element", depth + 1));
    FLOE_ASSIGN_OR_RETURN(bool required, GetBool(json, "element-required", where));
    return Type::List(id, std::move(element_type), required);
  }
  if (kind == "map") {
    FLOE_ASSIGN_OR_RETURN(int32_t key_id, GetInt(json, "key-id", where));
    FLOE_ASSIGN_OR_RETURN(const Json* key, Member(json, "key", where));
    FLOE_ASSIGN_OR_RETURN(Type key_type, TypeFromJsonAt(*key, where + ".key", depth + 1));
    FLOE_ASSIGN_OR_RETURN(int32_t value_id, GetInt(json, "value-id", where));
    FLOE_ASSIGN_OR_RETURN(const Json* value, Member(json, "value", where));
    FLOE_ASSIGN_OR_RETURN(Type value_type, TypeFromJsonAt(*value, where + ".value", depth + 1));
    FLOE_ASSIGN_OR_RETURN(bool required, GetBool(json, "value-required", where));
    return Type::Map(key_id, std::move(key_type), value_id, std::move(value_type), required);
  }
  return Status::NotSupported(where + ".type: unknown nested type \"" + kind + "\"");
}

}  // namespace

Json SchemaToJson(const Schema& schema) {
  Json j;
  j["type"] = "struct";
  j["schema-id"] = schema.schema_id();
  if (!schema.identifier_field_ids().empty()) {
    j["identifier-field-ids"] = schema.identifier_field_ids();
  }
  j["fields"] = FieldsToJson(schema.fields());
  return j;
}

Result<Schema> SchemaFromJson(const Json& json, const std::string& where,
                              int32_t default_schema_id) {
  if (!json.is_object()) return Status::Corrupt(where + ": expected a schema object");
  FLOE_ASSIGN_OR_RETURN(std::string kind, GetString(json, "type", where));
  if (kind != "struct") return Status::Corrupt(where + ".type: a schema must be a struct");
  FLOE_ASSIGN_OR_RETURN(std::optional<int32_t> id,
                        json_util::GetOptionalInt(json, "schema-id", where));
  std::vector<int32_t> identifiers;
  if (const Json* ids = OptionalMember(json, "identifier-field-ids")) {
    if (!ids->is_array()) return Status::Corrupt(where + ".identifier-field-ids: expected array");
    for (size_t i = 0; i < ids->size(); ++i) {
      if (!(*ids)[i].is_number_integer()) {
        return Status::Corrupt(where + ".identifier-field-ids[" + std::to_string(i) +
                               "]: expected an integer");
      }
      identifiers.push_back((*ids)[i].get<int32_t>());
    }
  }
  FLOE_ASSIGN_OR_RETURN(std::vector<NestedField> fields, FieldsFromJson(json, where, 0));
  Result<Schema> schema =
      Schema::Make(id.value_or(default_schema_id), std::move(fields), std::move(identifiers));
  if (!schema.ok()) {
    return Status(ErrorKind::kCorrupt, where + ": " + schema.status().message());
  }
  return schema;
}

// ---- single values ------------------------------------------------------------------------------

namespace {

std::string ToHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::optional<std::string> FromHex(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

}  // namespace

Json LiteralToJson(const Literal& value) {
  if (value.is_null()) return nullptr;
  switch (value.type().id) {
    case TypeId::kBoolean: return value.bool_value();
    case TypeId::kInt: return value.int_value();
    case TypeId::kLong: return value.long_value();
    case TypeId::kFloat: return value.float_value();
    case TypeId::kDouble: return value.double_value();
    case TypeId::kDecimal: return DecimalToString(value.decimal_unscaled(), value.type().scale);
    case TypeId::kDate: return FormatDate(value.int_value());
    case TypeId::kTime: return FormatTime(value.long_value());
    case TypeId::kTimestamp: return FormatTimestamp(value.long_value(), false);
    case TypeId::kTimestampTz: return FormatTimestamp(value.long_value(), true);
    case TypeId::kString: return value.bytes_value();
    case TypeId::kUuid: return value.uuid_value().ToString();
    case TypeId::kFixed:
    case TypeId::kBinary: return ToHex(value.bytes_value());
    default: return nullptr;
  }
}

Result<Literal> LiteralFromJson(const Type& type, const Json& json, const std::string& where) {
  if (json.is_null()) return Literal::Null(type);
  auto bad = [&]() {
    std::string text = json.dump();
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return Status::Corrupt(where + ": " + text + " is not a valid " + type.ToString() + " value");
  };
  auto str = [&]() -> const std::string* {
    return json.is_string() ? json.get_ptr<const std::string*>() : nullptr;
  };
  switch (type.id) {
    case TypeId::kBoolean:
      if (!json.is_boolean()) return bad();
      return Literal::Boolean(json.get<bool>());
    case TypeId::kInt:
    case TypeId::kLong: {
      if (!json.is_number_integer()) return bad();
      if (json.is_number_unsigned() &&
          json.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return bad();
      }
      int64_t v = json.get<int64_t>();
      if (type.id == TypeId::kLong) return Literal::Long(v);
      if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
        return bad();
      }
      return Literal::Int(static_cast<int32_t>(v));
    }
    case TypeId::kFloat:
    case TypeId::kDouble: {
      if (!json.is_number()) return bad();
      double v = json.get<double>();
      if (type.id == TypeId::kDouble) return Literal::Double(v);
      return Literal::Float(static_cast<float>(v));
    }
    case TypeId::kDecimal: {
      if (str() == nullptr) return bad();
      Result<Int128> v = ParseDecimal(*str(), type.scale);
      if (!v.ok()) return bad();
      return Literal::Decimal(*v, type.precision, type.scale);
    }
    case TypeId::kDate: {
      std::optional<int32_t> d = str() ? ParseDate(*str()) : std::nullopt;
      if (!d) return bad();
      return Literal::Date(*d);
    }
    case TypeId::kTime: {
      std::optional<int64_t> t = str() ? ParseTime(*str()) : std::nullopt;
      if (!t) return bad();
      return Literal::Time(*t);
    }
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      bool tz = type.id == TypeId::kTimestampTz;
      std::optional<int64_t> t = str() ? ParseTimestamp(*str(), tz) : std::nullopt;
      if (!t) return bad();
      return tz ? Literal::TimestampTz(*t) : Literal::Timestamp(*t);
    }
    case TypeId::kString:
      if (str() == nullptr) return bad();
      return Literal::String(*str());
    case TypeId::kUuid: {
      std::optional<Uuid> u = str() ? Uuid::Parse(*str()) : std::nullopt;
      if (!u) return bad();
      return Literal::UuidValue(*u);
    }
    case TypeId::kFixed:
    case TypeId::kBinary: {
      std::optional<std::string> b = str() ? FromHex(*str()) : std::nullopt;
      if (!b) return bad();
      if (type.id == TypeId::kBinary) return Literal::Binary(std::move(*b));
      if (b->size() != static_cast<size_t>(type.length)) return bad();
      return Literal::Fixed(std::move(*b));
    }
    default:
      return Status::NotSupported(where + ": defaults of type " + type.ToString() +
                                  " are not supported");
  }
}

// ---- partition specs and sort orders ----------------------------------------------------------

Json PartitionFieldsToJson(const PartitionSpec& spec) {
  Json arr = Json::array();
  for (const PartitionField& f : spec.fields) {
    Json j;
    j["name"] = f.name;
    j["transform"] = f.transform.ToString();
    j["source-id"] = f.source_id;
    j["field-id"] = f.field_id;
    arr.push_back(std::move(j));
  }
  return arr;
}

Json PartitionSpecToJson(const PartitionSpec& spec) {
  Json j;
  j["spec-id"] = spec.spec_id;
  j["fields"] = PartitionFieldsToJson(spec);
  return j;
}

Result<PartitionSpec> PartitionFieldsFromJson(const Json& fields, int32_t spec_id,
                                              const std::string& where, int32_t* next_field_id) {
  if (!fields.is_array()) return Status::Corrupt(where + ": expected an array of fields");
  PartitionSpec spec;
  spec.spec_id = spec_id;
  for (size_t i = 0; i < fields.size(); ++i) {
    std::string fw = where + "[" + std::to_string(i) + "]";
    const Json& fj = fields[i];
    PartitionField f;
    FLOE_ASSIGN_OR_RETURN(f.name, GetString(fj, "name", fw));
    FLOE_ASSIGN_OR_RETURN(std::string transform, GetString(fj, "transform", fw));
    Result<Transform> t = Transform::Parse(transform);
    if (!t.ok()) return Status::Corrupt(fw + ".transform: " + t.status().message());
    f.transform = *t;
    FLOE_ASSIGN_OR_RETURN(f.source_id, GetInt(fj, "source-id", fw));
    FLOE_ASSIGN_OR_RETURN(std::optional<int32_t> id, json_util::GetOptionalInt(fj, "field-id", fw));
    if (id) {
      f.field_id = *id;
      if (next_field_id != nullptr && *id >= *next_field_id) *next_field_id = *id + 1;
    } else if (next_field_id != nullptr) {
      f.field_id = (*next_field_id)++;
    } else {
      return Status::Corrupt(fw + ".field-id: required field is missing");
    }
    spec.fields.push_back(std::move(f));
  }
  return spec;
}

Result<PartitionSpec> PartitionSpecFromJson(const Json& json, const std::string& where,
                                            int32_t* next_field_id) {
  FLOE_ASSIGN_OR_RETURN(int32_t spec_id, GetInt(json, "spec-id", where));
  FLOE_ASSIGN_OR_RETURN(const Json* fields, Member(json, "fields", where));
  return PartitionFieldsFromJson(*fields, spec_id, where + ".fields", next_field_id);
}

Json SortOrderToJson(const SortOrder& order) {
  Json j;
  j["order-id"] = order.order_id;
  Json arr = Json::array();
  for (const SortField& f : order.fields) {
    Json fj;
    fj["transform"] = f.transform.ToString();
    fj["source-id"] = f.source_id;
    fj["direction"] = f.direction == SortDirection::kAsc ? "asc" : "desc";
    fj["null-order"] = f.null_order == NullOrder::kNullsFirst ? "nulls-first" : "nulls-last";
    arr.push_back(std::move(fj));
  }
  j["fields"] = std::move(arr);
  return j;
}

Result<SortOrder> SortOrderFromJson(const Json& json, const std::string& where) {
  SortOrder order;
  FLOE_ASSIGN_OR_RETURN(order.order_id, GetInt(json, "order-id", where));
  FLOE_ASSIGN_OR_RETURN(const Json* fields, Member(json, "fields", where));
  if (!fields->is_array()) return Status::Corrupt(where + ".fields: expected an array");
  for (size_t i = 0; i < fields->size(); ++i) {
    std::string fw = where + ".fields[" + std::to_string(i) + "]";
    const Json& fj = (*fields)[i];
    SortField f;
    FLOE_ASSIGN_OR_RETURN(std::string transform, GetString(fj, "transform", fw));
    Result<Transform> t = Transform::Parse(transform);
    if (!t.ok()) return Status::Corrupt(fw + ".transform: " + t.status().message());
    f.transform = *t;
    FLOE_ASSIGN_OR_RETURN(f.source_id, GetInt(fj, "source-id", fw));
    FLOE_ASSIGN_OR_RETURN(std::string direction, GetString(fj, "direction", fw));
    if (direction == "asc") {
      f.direction = SortDirection::kAsc;
    } else if (direction == "desc") {
      f.direction = SortDirection::kDesc;
    } else {
      return Status::Corrupt(fw + ".direction: \"" + direction + "\" is not asc or desc");
    }
    FLOE_ASSIGN_OR_RETURN(std::string nulls, GetString(fj, "null-order", fw));
    if (nulls == "nulls-first") {
      f.null_order = NullOrder::kNullsFirst;
    } else if (nulls == "nulls-last") {
      f.null_order = NullOrder::kNullsLast;
    } else {
      return Status::Corrupt(fw + ".null-order: \"" + nulls +
                             "\" is not nulls-first or nulls-last");
    }
    order.fields.push_back(std::move(f));
  }
  if (order.order_id == 0 && !order.fields.empty()) {
    return Status::Corrupt(where + ".order-id: 0 is reserved for the unsorted order");
  }
  return order;
}

// ---- text wrappers ----------------------------------------------------------------------------

std::string SchemaToJsonString(const Schema& schema) { return SchemaToJson(schema).dump(); }

Result<Schema> SchemaFromJsonString(std::string_view text) {
  FLOE_ASSIGN_OR_RETURN(Json j, json_util::Parse(text, "schema"));
  return SchemaFromJson(j, "schema");
}

std::string PartitionSpecToJsonString(const PartitionSpec& spec) {
  return PartitionSpecToJson(spec).dump();
}

Result<PartitionSpec> PartitionSpecFromJsonString(std::string_view text) {
  FLOE_ASSIGN_OR_RETURN(Json j, json_util::Parse(text, "partition-spec"));
  return PartitionSpecFromJson(j, "partition-spec", nullptr);
}

std::string SortOrderToJsonString(const SortOrder& order) { return SortOrderToJson(order).dump(); }

Result<SortOrder> SortOrderFromJsonString(std::string_view text) {
  FLOE_ASSIGN_OR_RETURN(Json j, json_util::Parse(text, "sort-order"));
  return SortOrderFromJson(j, "sort-order");
}

}  // namespace floe::iceberg
