#pragma once

// A generic Avro datum. Records keep a reference to their schema (fields by position, lookup by
// name or Iceberg field id); a value that sits in a union remembers its branch.
//
// Building a manifest_file record (a union field may be given its plain value: the encoder picks
// the branch whose type fits, "null" for a null value):
//
//   avro::RecordBuilder b(schema.root_ref());
//   b.Set("manifest_path", avro::Value::String(path));
//   b.SetById(501, avro::Value::Long(length));
//   b.Set("partitions", avro::Value::Null());
//   FLOE_ASSIGN_OR_RETURN(avro::Value record, b.Build());  // unset fields: default or null
//
// Reading one:
//
//   const avro::Value* length = record.FieldById(501);      // null when there is no such field
//   int64_t n = length->long_value();
//   const avro::Value* ids = record.Field("equality_ids");   // is_null() for an absent option

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "floe/avro/schema.h"
#include "floe/common/result.h"

namespace floe::avro {

class Value {
 public:
  // null.
  Value() = default;

  static Value Null() { return Value(); }
  static Value Boolean(bool v);
  static Value Int(int32_t v);
  static Value Long(int64_t v);
  static Value Float(float v);
  static Value Double(double v);
  static Value Bytes(std::string v);
  static Value String(std::string v);
  static Value Fixed(std::string v);
  // An enum symbol; the encoder looks it up by `symbol` when given, else uses `index`.
  static Value Enum(int32_t index, std::string symbol);
  static Value Array(std::vector<Value> items);
  static Value Map(std::vector<std::pair<std::string, Value>> entries);
  // `fields` in the order of `schema->fields` (schema must be a record).
  static Value Record(NodeRef schema, std::vector<Value> fields);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }

  // Accessors of the scalar kinds. Reading the wrong kind gives a zero value (never UB); check
  // type() first where the schema does not already say.
  bool boolean_value() const { return type_ == Type::kBoolean && scalar_ != 0; }
  int32_t int_value() const { return type_ == Type::kInt ? static_cast<int32_t>(scalar_) : 0; }
  // int or long (Avro promotes int to long).
  int64_t long_value() const { return type_ == Type::kInt || type_ == Type::kLong ? scalar_ : 0; }
  float float_value() const { return type_ == Type::kFloat ? static_cast<float>(real_) : 0.0f; }
  // float or double.
  double double_value() const {
    return type_ == Type::kFloat || type_ == Type::kDouble ? real_ : 0.0;
  }
  // bytes, string, fixed, and an enum's symbol.
  const std::string& bytes() const { return text_; }
  const std::string& string_value() const { return text_; }
  int32_t enum_index() const { return type_ == Type::kEnum ? static_cast<int32_t>(scalar_) : -1; }

  // Arrays: items. Maps: values, with keys in map_key(i). Records: fields by position.
  size_t size() const { return items_.size(); }
  const Value& item(size_t i) const { return items_[i]; }
  Value& mutable_item(size_t i) { return items_[i]; }
  const std::vector<Value>& items() const { return items_; }
  std::vector<Value>* mutable_items() { return &items_; }
  const std::string& map_key(size_t i) const { return keys_[i]; }
  // The value under `key` in a map; null when absent.
  const Value* MapFind(std::string_view key) const;

  // Records. `schema()` is null for other kinds.
  const Node* schema() const { return record_.get(); }
  const NodeRef& schema_ref() const { return record_; }
  size_t field_count() const { return type_ == Type::kRecord ? items_.size() : 0; }
  const Value& field(size_t i) const { return items_[i]; }
  Value& mutable_field(size_t i) { return items_[i]; }
  // A field by name or by Iceberg field id; null when this is not a record or has no such field.
  const Value* Field(std::string_view name) const;
  const Value* FieldById(int32_t id) const;
  Value* MutableField(std::string_view name);
  Value* MutableFieldById(int32_t id);

  // Union branch this value was read from, or the branch to write it as; -1 = not set (the
  // encoder then picks the branch by kind).
  int32_t union_branch() const { return branch_; }
  Value& set_union_branch(int32_t branch) {
    branch_ = branch;
    return *this;
  }

  // JSON for debugging and tests: bytes and fixed as {"bytes": "<hex>"}, enums as their symbol,
  // records and maps as objects, NaN and infinities as strings.
  // Avro strings are not checked for UTF-8 on read: dump() the result with
  // Json::error_handler_t::replace (the default handler throws on invalid UTF-8).
  Json ToJson() const;

  friend bool operator==(const Value& a, const Value& b);

 private:
  Type type_ = Type::kNull;
  int32_t branch_ = -1;
  int64_t scalar_ = 0;
  double real_ = 0;
  std::string text_;
  std::vector<Value> items_;
  std::vector<std::string> keys_;
  NodeRef record_;
};

// Builds a record by field name or id; fields not set take their schema default, or null when
// they are optional. Errors (unknown field, missing required field) are reported by Build().
class RecordBuilder {
 public:
  explicit RecordBuilder(NodeRef record_schema);
  RecordBuilder& Set(std::string_view name, Value value);
  RecordBuilder& SetById(int32_t field_id, Value value);
  Result<Value> Build();

 private:
  NodeRef schema_;
  std::vector<Value> fields_;
  std::vector<bool> set_;
  Status error_;
};

// The value a schema default (JSON) stands for, for a field of type `type`. A union's default
// belongs to its first branch.
Result<Value> DefaultValue(const NodeRef& type, const Json& json);

// Another type of the schema `owner` belongs to, kept alive by the same reference count.
inline NodeRef ShareNode(const NodeRef& owner, const Node* node) { return NodeRef(owner, node); }

}  // namespace floe::avro
