#pragma once

// Avro schemas as Iceberg uses them: parsed from JSON with every extra attribute kept
// (`field-id`, `element-id`, `key-id`, `value-id`, `logicalType`, `adjust-to-utc`, ...), and
// written back as JSON with those attributes intact.
//
//   FLOE_ASSIGN_OR_RETURN(avro::Schema schema, avro::Schema::Parse(json_text));
//   const avro::Node& entry = schema.root();            // the top-level record
//   int i = entry.FieldIndexById(2);                     // "data_file"
//   const avro::Node* data_file = entry.fields[i].type;  // record "r2"
//   std::string text = schema.ToString();                // attributes included

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/common/result.h"

namespace floe::avro {

// Keys keep their input order, so a schema written back reads like the one parsed.
using Json = nlohmann::ordered_json;

enum class Type : uint8_t {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kBytes,
  kString,
  kRecord,
  kEnum,
  kArray,
  kMap,
  kUnion,
  kFixed,
};

// "null", "boolean", ..., "record", "union".
std::string_view TypeName(Type type);

struct Node;

struct Field {
  std::string name;
  const Node* type = nullptr;
  std::optional<Json> default_value;  // the JSON "default", as written
  std::vector<std::string> aliases;
  std::optional<int32_t> field_id;   // Iceberg "field-id" (also kept in `attributes`)
  Json attributes = Json::object();  // every key but name, type and default
};

// One type of a schema. Children are owned by the Schema; named types referenced twice are the
// same Node (recursive schemas are allowed).
struct Node {
  Type type = Type::kNull;
  std::string name;                  // named types (record, enum, fixed): the full name
  std::vector<std::string> aliases;  // named types, as full names
  std::vector<Field> fields;         // record
  std::vector<std::string> symbols;  // enum
  std::optional<std::string> enum_default;
  const Node* items = nullptr;        // array
  const Node* values = nullptr;       // map
  std::vector<const Node*> branches;  // union
  int64_t fixed_size = 0;             // fixed
  std::string logical_type;           // "logicalType" or empty (also kept in `attributes`)
  std::optional<int32_t> element_id;  // Iceberg "element-id" on arrays
  std::optional<int32_t> key_id;      // Iceberg "key-id" on maps
  std::optional<int32_t> value_id;    // Iceberg "value-id" on maps
  Json attributes = Json::object();   // every key that is not structural (see schema.cc)
  size_t min_encoded_size = 0;        // fewest bytes a value takes (bounds counts on read)

  bool is_named() const {
    return type == Type::kRecord || type == Type::kEnum || type == Type::kFixed;
  }
  // Record field position by name or by Iceberg field id; -1 when absent.
  int FieldIndex(std::string_view field_name) const;
  int FieldIndexById(int32_t id) const;
  // Union branch position of "null"; -1 when the union has none (or this is not a union).
  int NullBranch() const;
  // For a union of null and exactly one other type (Iceberg's optional): that type; else null.
  const Node* OptionalType() const;
  // Enum symbol position; -1 when absent.
  int SymbolIndex(std::string_view symbol) const;
};

struct SchemaLimits {
  int max_depth = 64;               // nesting of types (records in arrays in ...)
  size_t max_json_bytes = 8 << 20;  // schema text length
  size_t max_nodes = 100000;        // types in one schema
};

class Schema;
// A type kept alive with its whole schema (values of records hold one).
using NodeRef = std::shared_ptr<const Node>;

class Schema {
 public:
  // The schema "null".
  Schema();

  static Result<Schema> Parse(std::string_view json_text, const SchemaLimits& limits = {});
  static Result<Schema> FromJson(const Json& json, const SchemaLimits& limits = {});

  const Node& root() const { return *root_; }
  NodeRef root_ref() const { return Share(root_); }
  // `node` must belong to this schema.
  NodeRef Share(const Node* node) const { return NodeRef(arena_, node); }
  // A named type by full name; null when absent.
  const Node* FindNamed(std::string_view full_name) const;

  // The schema as JSON, attributes included. A named type is defined at its first use and
  // referred to by full name afterwards.
  Json ToJson() const;
  std::string ToString() const { return ToJson().dump(); }

 private:
  struct Arena {
    std::vector<std::unique_ptr<Node>> nodes;
    std::map<std::string, const Node*, std::less<>> named;
  };
  friend class SchemaParser;
  std::shared_ptr<const Arena> arena_;
  const Node* root_ = nullptr;
};

// True when `name` is a valid Avro name: [A-Za-z_][A-Za-z0-9_]*.
bool IsValidName(std::string_view name);

}  // namespace floe::avro
