#include "floe/avro/value.h"

#include <cmath>

namespace floe::avro {

Value Value::Boolean(bool v) {
  Value out;
  out.type_ = Type::kBoolean;
  out.scalar_ = v ? 1 : 0;
  return out;
}

Value Value::Int(int32_t v) {
  Value out;
  out.type_ = Type::kInt;
  out.scalar_ = v;
  out.real_ = v;
  return out;
}

Value Value::Long(int64_t v) {
  Value out;
  out.type_ = Type::kLong;
  out.scalar_ = v;
  out.real_ = static_cast<double>(v);
  return out;
}

Value Value::Float(float v) {
  Value out;
  out.type_ = Type::kFloat;
  out.real_ = v;
  return out;
}

Value Value::Double(double v) {
  Value out;
  out.type_ = Type::kDouble;
  out.real_ = v;
  return out;
}

Value Value::Bytes(std::string v) {
  Value out;
  out.type_ = Type::kBytes;
  out.text_ = std::move(v);
  return out;
}

Value Value::String(std::string v) {
  Value out;
  out.type_ = Type::kString;
  out.text_ = std::move(v);
  return out;
}

Value Value::Fixed(std::string v) {
  Value out;
  out.type_ = Type::kFixed;
  out.text_ = std::move(v);
  return out;
}

Value Value::Enum(int32_t index, std::string symbol) {
  Value out;
  out.type_ = Type::kEnum;
  out.scalar_ = index;
  out.text_ = std::move(symbol);
  return out;
}

Value Value::Array(std::vector<Value> items) {
  Value out;
  out.type_ = Type::kArray;
  out.items_ = std::move(items);
  return out;
}

Value Value::Map(std::vector<std::pair<std::string, Value>> entries) {
  Value out;
  out.type_ = Type::kMap;
  out.keys_.reserve(entries.size());
  out.items_.reserve(entries.size());
  for (auto& [k, v] : entries) {
    out.keys_.push_back(std::move(k));
    out.items_.push_back(std::move(v));
  }
  return out;
}

Value Value::Record(NodeRef schema, std::vector<Value> fields) {
  Value out;
  out.type_ = Type::kRecord;
  out.record_ = std::move(schema);
  out.items_ = std::move(fields);
  return out;
}

const Value* Value::MapFind(std::string_view key) const {
  if (type_ != Type::kMap) return nullptr;
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i] == key) return &items_[i];
  }
  return nullptr;
}

const Value* Value::Field(std::string_view name) const {
  if (type_ != Type::kRecord || !record_) return nullptr;
  int i = record_->FieldIndex(name);
  return i < 0 || static_cast<size_t>(i) >= items_.size() ? nullptr : &items_[i];
}

const Value* Value::FieldById(int32_t id) const {
  if (type_ != Type::kRecord || !record_) return nullptr;
  int i = record_->FieldIndexById(id);
  return i < 0 || static_cast<size_t>(i) >= items_.size() ? nullptr : &items_[i];
}

Value* Value::MutableField(std::string_view name) {
  return const_cast<Value*>(static_cast<const Value*>(this)->Field(name));
}

Value* Value::MutableFieldById(int32_t id) {
  return const_cast<Value*>(static_cast<const Value*>(this)->FieldById(id));
}

namespace {

Json RealToJson(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return v;
}

std::string Hex(const std::string& s) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() * 2);
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

}  // namespace

Json Value::ToJson() const {
  switch (type_) {
    case Type::kNull: return nullptr;
    case Type::kBoolean: return scalar_ != 0;
    case Type::kInt:
    case Type::kLong: return scalar_;
    case Type::kFloat:
    case Type::kDouble: return RealToJson(real_);
    case Type::kString: return text_;
    case Type::kEnum: return text_;
    case Type::kBytes:
    case Type::kFixed: {
      Json out = Json::object();
      out["bytes"] = Hex(text_);
      return out;
    }
    case Type::kArray: {
      Json out = Json::array();
      for (const Value& v : items_) out.push_back(v.ToJson());
      return out;
    }
    case Type::kMap: {
      Json out = Json::object();
      for (size_t i = 0; i < items_.size(); ++i) out[keys_[i]] = items_[i].ToJson();
      return out;
    }
    case Type::kRecord: {
      Json out = Json::object();
      for (size_t i = 0; i < items_.size(); ++i) {
        std::string name = record_ && i < record_->fields.size() ? record_->fields[i].name
                                                                 : "_" + std::to_string(i);
        out[name] = items_[i].ToJson();
      }
      return out;
    }
    case Type::kUnion: break;
  }
  return nullptr;
}

bool operator==(const Value& a, const Value& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case Type::kNull: return true;
    case Type::kBoolean:
    case Type::kInt:
    case Type::kLong: return a.scalar_ == b.scalar_;
    case Type::kFloat:
    case Type::kDouble: return a.real_ == b.real_ || (std::isnan(a.real_) && std::isnan(b.real_));
    case Type::kBytes:
    case Type::kString:
    case Type::kFixed: return a.text_ == b.text_;
    case Type::kEnum: return a.scalar_ == b.scalar_ && a.text_ == b.text_;
    case Type::kMap: return a.keys_ == b.keys_ && a.items_ == b.items_;
    case Type::kArray:
    case Type::kRecord:
    case Type::kUnion: return a.items_ == b.items_;
  }
  return false;
}

RecordBuilder::RecordBuilder(NodeRef record_schema) : schema_(std::move(record_schema)) {
  if (!schema_ || schema_->type != Type::kRecord) {
    error_ = Status::InvalidArgument("avro: RecordBuilder needs a record schema");
    return;
  }
  fields_.resize(schema_->fields.size());
  set_.resize(schema_->fields.size(), false);
}

RecordBuilder& RecordBuilder::Set(std::string_view name, Value value) {
  if (!error_.ok()) return *this;
  int i = schema_->FieldIndex(name);
  if (i < 0) {
    error_ = Status::InvalidArgument("avro: record " + schema_->name + " has no field \"" +
                                     std::string(name) + "\"");
    return *this;
  }
  fields_[i] = std::move(value);
  set_[i] = true;
  return *this;
}

RecordBuilder& RecordBuilder::SetById(int32_t field_id, Value value) {
  if (!error_.ok()) return *this;
  int i = schema_->FieldIndexById(field_id);
  if (i < 0) {
    error_ = Status::InvalidArgument("avro: record " + schema_->name + " has no field with id " +
                                     std::to_string(field_id));
    return *this;
  }
  fields_[i] = std::move(value);
  set_[i] = true;
  return *this;
}

Result<Value> RecordBuilder::Build() {
  if (!error_.ok()) return error_;
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (set_[i]) continue;
    const avro::Field& f = schema_->fields[i];
    if (f.default_value) {
      auto v = DefaultValue(ShareNode(schema_, f.type), *f.default_value);
      if (!v.ok())
        return v.status().WithContext("avro: record " + schema_->name + " field " + f.name);
      fields_[i] = std::move(*v);
    } else if (f.type->NullBranch() >= 0 || f.type->type == Type::kNull) {
      fields_[i] = Value::Null();
    } else {
      return Status::InvalidArgument("avro: record " + schema_->name + ": required field \"" +
                                     f.name + "\" was not set and has no default");
    }
  }
  return Value::Record(schema_, std::move(fields_));
}

namespace {

Status BadDefault(const Node& type, const Json& json) {
  return Status::InvalidArgument("avro: default " + json.dump().substr(0, 200) +
                                 " does not fit type " + std::string(TypeName(type.type)) +
                                 (type.name.empty() ? "" : " " + type.name));
}

// JSON strings stand for bytes one code point (0-255) per byte.
Result<std::string> BytesFromJson(const Node& type, const Json& json) {
  if (!json.is_string()) return BadDefault(type, json);
  const std::string& s = json.get_ref<const std::string&>();
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if ((c & 0xE0) == 0xC0 && i + 1 < s.size()) {
      unsigned cp = ((c & 0x1F) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3F);
      if (cp > 0xFF) return BadDefault(type, json);
      out.push_back(static_cast<char>(cp));
      ++i;
    } else {
      return BadDefault(type, json);
    }
  }
  return out;
}

Result<Value> DefaultAt(const NodeRef& owner, const Node& type, const Json& json, int depth) {
  if (depth > 64) return Status::InvalidArgument("avro: default nested too deeply");
  switch (type.type) {
    case Type::kNull:
      if (!json.is_null()) return BadDefault(type, json);
      return Value::Null();
    case Type::kBoolean:
      if (!json.is_boolean()) return BadDefault(type, json);
      return Value::Boolean(json.get<bool>());
    case Type::kInt:
      if (!json.is_number_integer() || json.get<int64_t>() < INT32_MIN ||
          json.get<int64_t>() > INT32_MAX) {
        return BadDefault(type, json);
      }
      return Value::Int(static_cast<int32_t>(json.get<int64_t>()));
    case Type::kLong:
      if (!json.is_number_integer()) return BadDefault(type, json);
      return Value::Long(json.get<int64_t>());
    case Type::kFloat:
      if (!json.is_number()) return BadDefault(type, json);
      return Value::Float(json.get<float>());
    case Type::kDouble:
      if (!json.is_number()) return BadDefault(type, json);
      return Value::Double(json.get<double>());
    case Type::kString:
      if (!json.is_string()) return BadDefault(type, json);
      return Value::String(json.get<std::string>());
    case Type::kBytes: {
      FLOE_ASSIGN_OR_RETURN(std::string b, BytesFromJson(type, json));
      return Value::Bytes(std::move(b));
    }
    case Type::kFixed: {
      FLOE_ASSIGN_OR_RETURN(std::string b, BytesFromJson(type, json));
      if (static_cast<int64_t>(b.size()) != type.fixed_size) return BadDefault(type, json);
      return Value::Fixed(std::move(b));
    }
    case Type::kEnum: {
      if (!json.is_string()) return BadDefault(type, json);
      int i = type.SymbolIndex(json.get_ref<const std::string&>());
      if (i < 0) return BadDefault(type, json);
      return Value::Enum(i, json.get<std::string>());
    }
    case Type::kArray: {
      if (!json.is_array()) return BadDefault(type, json);
      std::vector<Value> items;
      for (const Json& j : json) {
        FLOE_ASSIGN_OR_RETURN(Value v, DefaultAt(owner, *type.items, j, depth + 1));
        items.push_back(std::move(v));
      }
      return Value::Array(std::move(items));
    }
    case Type::kMap: {
      if (!json.is_object()) return BadDefault(type, json);
      std::vector<std::pair<std::string, Value>> entries;
      for (auto it = json.begin(); it != json.end(); ++it) {
        FLOE_ASSIGN_OR_RETURN(Value v, DefaultAt(owner, *type.values, it.value(), depth + 1));
        entries.emplace_back(it.key(), std::move(v));
      }
      return Value::Map(std::move(entries));
    }
    case Type::kUnion: {
      if (type.branches.empty()) return BadDefault(type, json);
      FLOE_ASSIGN_OR_RETURN(Value v, DefaultAt(owner, *type.branches[0], json, depth + 1));
      v.set_union_branch(0);
      return v;
    }
    case Type::kRecord: {
      if (!json.is_object()) return BadDefault(type, json);
      std::vector<Value> fields;
      for (const avro::Field& f : type.fields) {
        auto it = json.find(f.name);
        if (it != json.end()) {
          FLOE_ASSIGN_OR_RETURN(Value v, DefaultAt(owner, *f.type, *it, depth + 1));
          fields.push_back(std::move(v));
        } else if (f.default_value) {
          FLOE_ASSIGN_OR_RETURN(Value v, DefaultAt(owner, *f.type, *f.default_value, depth + 1));
          fields.push_back(std::move(v));
        } else {
          return BadDefault(type, json);
        }
      }
      return Value::Record(ShareNode(owner, &type), std::move(fields));
    }
  }
  return BadDefault(type, json);
}

}  // namespace

Result<Value> DefaultValue(const NodeRef& type, const Json& json) {
  return DefaultAt(type, *type, json, 0);
}

}  // namespace floe::avro
