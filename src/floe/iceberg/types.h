#pragma once

// Iceberg's type system (spec "Schemas and Data Types"): primitive and nested types, schemas with
// field ids, lookups by id and by dotted name, and the conversion to floe::parquet::Schema.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "floe/common/result.h"
#include "floe/parquet/types.h"

namespace floe::iceberg {

enum class TypeId {
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kDecimal,
  kDate,
  kTime,
  kTimestamp,
  kTimestampTz,
  kString,
  kUuid,
  kFixed,
  kBinary,
  kStruct,
  kList,
  kMap,
};

struct NestedField;

// A type. Nested types keep their children as NestedFields: a struct its fields, a list one
// child named "element", a map two children named "key" and "value" (the key always required).
// Children are values so a Type copies deeply and compares structurally.
struct Type {
  TypeId id = TypeId::kString;
  int32_t precision = 0;  // kDecimal, 1..38
  int32_t scale = 0;      // kDecimal
  int32_t length = 0;     // kFixed
  std::vector<NestedField> fields;

  static Type Primitive(TypeId id);
  static Type Decimal(int32_t precision, int32_t scale);
  static Type Fixed(int32_t length);
  static Type Struct(std::vector<NestedField> fields);
  static Type List(int32_t element_id, Type element, bool element_required);
  static Type Map(int32_t key_id, Type key, int32_t value_id, Type value, bool value_required);

  bool is_primitive() const { return id < TypeId::kStruct; }
  bool is_nested() const { return !is_primitive(); }
  // kList only.
  const NestedField& element() const;
  // kMap only.
  const NestedField& key() const;
  const NestedField& value() const;

  // The spec's string form of a primitive: "int", "decimal(10,2)", "fixed[16]"; nested types
  // give "struct<...>", "list<...>", "map<...,...>" (for messages only).
  std::string ToString() const;

  friend bool operator==(const Type&, const Type&);
};

struct NestedField {
  int32_t id = 0;
  std::string name;
  bool required = false;
  Type type;
  std::optional<std::string> doc;
  // Default values (v3 feature seen in v2 files written by PyIceberg) kept as compact JSON text,
  // so they survive a rewrite unchanged.
  std::optional<std::string> initial_default_json;
  std::optional<std::string> write_default_json;

  friend bool operator==(const NestedField&, const NestedField&) = default;
};

// Defined here, where NestedField is complete (clang instantiates std::vector<NestedField> at
// the end of Type otherwise).
inline Type Type::Primitive(TypeId id) { return Type{id, 0, 0, 0, {}}; }
inline Type Type::Decimal(int32_t precision, int32_t scale) {
  return Type{TypeId::kDecimal, precision, scale, 0, {}};
}
inline Type Type::Fixed(int32_t length) { return Type{TypeId::kFixed, 0, 0, length, {}}; }
inline const NestedField& Type::element() const { return fields[0]; }
inline const NestedField& Type::key() const { return fields[0]; }
inline const NestedField& Type::value() const { return fields[1]; }

// Parses a primitive type name as the spec writes it ("long", "decimal(10, 2)", "fixed[16]").
Result<Type> ParsePrimitiveType(std::string_view text);

// Whether values of `from` may be read as `to` (spec "Schema Evolution": int→long,
// float→double, decimal(P,S)→decimal(P',S) with P' ≥ P; and identity).
bool IsPromotionAllowed(const Type& from, const Type& to);

// The table schema: a struct with a schema id and identifier fields. Immutable; copies share the
// fields and the lookup indexes.
class Schema {
 public:
  Schema();
  Schema(int32_t schema_id, std::vector<NestedField> fields,
         std::vector<int32_t> identifier_field_ids = {});

  // Like the constructor, but checks that field ids are unique and positive and that identifier
  // fields exist and are required primitives (not float/double) outside lists and maps.
  static Result<Schema> Make(int32_t schema_id, std::vector<NestedField> fields,
                             std::vector<int32_t> identifier_field_ids = {});

  int32_t schema_id() const { return schema_id_; }
  const std::vector<NestedField>& fields() const { return data_->fields; }
  const std::vector<int32_t>& identifier_field_ids() const { return identifier_field_ids_; }
  Type AsStruct() const { return Type::Struct(data_->fields); }

  // Any field, nested ones included; nullptr when absent.
  const NestedField* FindFieldById(int32_t id) const;
  // By full dotted name as Java indexes them: "a.b" for struct fields, "tags.element",
  // "attrs.key", "attrs.value" for list and map children. Case-sensitive.
  const NestedField* FindFieldByName(std::string_view dotted_name) const;
  // The full dotted name of a field id; empty when absent.
  std::string FindColumnName(int32_t id) const;
  // The highest field id in the schema (0 for an empty one).
  int32_t HighestFieldId() const { return data_->highest_field_id; }

  // The same fields with another schema id.
  Schema WithSchemaId(int32_t schema_id) const;

  friend bool operator==(const Schema& a, const Schema& b);

 private:
  struct Data {
    std::vector<NestedField> fields;
    std::unordered_map<int32_t, const NestedField*> by_id;
    std::unordered_map<std::string, int32_t> by_name;
    std::unordered_map<int32_t, std::string> name_of_id;
    int32_t highest_field_id = 0;
  };
  static std::shared_ptr<const Data> Index(std::vector<NestedField> fields);

  int32_t schema_id_ = 0;
  std::shared_ptr<const Data> data_;
  std::vector<int32_t> identifier_field_ids_;
};

// Renumbers every field id from 1 in Java's order (all fields of a struct first, then their
// nested types, depth first), as a new table gets them. Identifier ids follow their fields.
// `last_column_id` receives the highest id assigned.
Schema AssignFreshIds(const Schema& schema, int32_t schema_id, int32_t* last_column_id);

// The Parquet writer's view of the schema (field ids on every node; list elements named
// "element", map children "key" and "value").
Result<parquet::Schema> ToParquetSchema(const Schema& schema);

}  // namespace floe::iceberg
