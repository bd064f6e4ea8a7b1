#include "floe/avro/schema.h"

#include <set>
#include <utility>

namespace floe::avro {

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kNull: return "null";
    case Type::kBoolean: return "boolean";
    case Type::kInt: return "int";
    case Type::kLong: return "long";
    case Type::kFloat: return "float";
    case Type::kDouble: return "double";
    case Type::kBytes: return "bytes";
    case Type::kString: return "string";
    case Type::kRecord: return "record";
    case Type::kEnum: return "enum";
    case Type::kArray: return "array";
    case Type::kMap: return "map";
    case Type::kUnion: return "union";
    case Type::kFixed: return "fixed";
  }
  return "?";
}

bool IsValidName(std::string_view name) {
  if (name.empty()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(name[0])) return false;
  for (char c : name.substr(1)) {
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

int Node::FieldIndex(std::string_view field_name) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == field_name) return static_cast<int>(i);
  }
  return -1;
}

int Node::FieldIndexById(int32_t id) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].field_id == id) return static_cast<int>(i);
  }
  return -1;
}

int Node::NullBranch() const {
  for (size_t i = 0; i < branches.size(); ++i) {
    if (branches[i]->type == Type::kNull) return static_cast<int>(i);
  }
  return -1;
}

const Node* Node::OptionalType() const {
  if (type != Type::kUnion || branches.size() != 2) return nullptr;
  int null_branch = NullBranch();
  if (null_branch < 0) return nullptr;
  return branches[1 - null_branch];
}

int Node::SymbolIndex(std::string_view symbol) const {
  for (size_t i = 0; i < symbols.size(); ++i) {
    if (symbols[i] == symbol) return static_cast<int>(i);
  }
  return -1;
}

namespace {

std::optional<Type> PrimitiveType(std::string_view name) {
  static constexpr std::pair<std::string_view, Type> kPrimitives[] = {
      {"null", Type::kNull},   {"boolean", Type::kBoolean}, {"int", Type::kInt},
      {"long", Type::kLong},   {"float", Type::kFloat},     {"double", Type::kDouble},
      {"bytes", Type::kBytes}, {"string", Type::kString},
  };
  for (const auto& [n, t] : kPrimitives) {
    if (n == name) return t;
  }
  return std::nullopt;
}

// nlohmann's parser and destructor recurse per nesting level; untrusted text (a file header) is
// checked for depth before it reaches them.
Status CheckJsonNesting(std::string_view text, int max_nesting) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_nesting) {
        return Status::InvalidArgument("avro schema: JSON nested deeper than " +
                                       std::to_string(max_nesting) + " levels at offset " +
                                       std::to_string(i));
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return Status::OK();
}

// Reads an Iceberg id attribute ("field-id": 5); Java also accepts it as a string.
Result<std::optional<int32_t>> ReadId(const Json& object, const char* key,
                                      const std::string& where) {
  auto it = object.find(key);
  if (it == object.end()) return std::optional<int32_t>();
  if (it->is_number_integer()) {
    int64_t v = it->get<int64_t>();
    if (v >= INT32_MIN && v <= INT32_MAX) return std::optional<int32_t>(static_cast<int32_t>(v));
  } else if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && end == s.c_str() + s.size() && v >= INT32_MIN && v <= INT32_MAX) {
      return std::optional<int32_t>(static_cast<int32_t>(v));
    }
  }
  return Status::InvalidArgument("avro schema: " + where + ": \"" + key +
                                 "\" is not a 32-bit integer: " + it->dump());
}

Result<std::vector<std::string>> ReadAliases(const Json& object, const std::string& where) {
  std::vector<std::string> out;
  auto it = object.find("aliases");
  if (it == object.end()) return out;
  if (!it->is_array())
    return Status::InvalidArgument("avro schema: " + where + ": aliases is not an array");
  for (const Json& a : *it) {
    if (!a.is_string())
      return Status::InvalidArgument("avro schema: " + where + ": alias is not a string");
    out.push_back(a.get<std::string>());
  }
  return out;
}

}  // namespace

class SchemaParser {
 public:
  explicit SchemaParser(const SchemaLimits& limits) : limits_(limits) {}

  Result<Schema> Run(const Json& json) {
    FLOE_ASSIGN_OR_RETURN(const Node* root, ParseType(json, "", 0, "schema"));
    std::map<const Node*, size_t> memo;
    for (auto& node : arena_->nodes) node->min_encoded_size = MinSize(node.get(), &memo);
    Schema schema;
    schema.root_ = root;
    schema.arena_ = std::move(arena_);
    return schema;
  }

 private:
  // Memoized: a type referenced by name many times is measured once. A type met again while it
  // is being measured (recursion) counts as 0, which only loosens the bound.
  static size_t MinSize(const Node* n, std::map<const Node*, size_t>* memo) {
    auto it = memo->find(n);
    if (it != memo->end()) return it->second;
    (*memo)[n] = 0;
    size_t size = 1;
    switch (n->type) {
      case Type::kNull: size = 0; break;
      case Type::kFloat: size = 4; break;
      case Type::kDouble: size = 8; break;
      case Type::kFixed: size = static_cast<size_t>(n->fixed_size); break;
      case Type::kRecord:
        size = 0;
        for (const Field& f : n->fields) size += MinSize(f.type, memo);
        break;
      default: break;
    }
    (*memo)[n] = size;
    return size;
  }

  Result<Node*> NewNode(Type type, const std::string& where) {
    if (arena_->nodes.size() >= limits_.max_nodes) {
      return Status::ResourceExhausted("avro schema: " + where + ": more than " +
                                       std::to_string(limits_.max_nodes) + " types");
    }
    arena_->nodes.push_back(std::make_unique<Node>());
    Node* n = arena_->nodes.back().get();
    n->type = type;
    return n;
  }

  static std::string FullName(const std::string& name, const std::string& ns) {
    if (name.find('.') != std::string::npos || ns.empty()) return name;
    return ns + "." + name;
  }

  static Status CheckFullName(const std::string& full, const std::string& where) {
    size_t start = 0;
    while (true) {
      size_t dot = full.find('.', start);
      std::string_view part = std::string_view(full).substr(
          start, dot == std::string::npos ? std::string::npos : dot - start);
      if (!IsValidName(part)) {
        return Status::InvalidArgument("avro schema: " + where + ": invalid name \"" + full + "\"");
      }
      if (dot == std::string::npos) return Status::OK();
      start = dot + 1;
    }
  }

  Result<const Node*> LookupNamed(const std::string& name, const std::string& ns,
                                  const std::string& where) {
    auto& named = arena_->named;
    auto it = named.find(FullName(name, ns));
    if (it == named.end()) it = named.find(name);
    if (it == named.end()) {
      return Status::InvalidArgument("avro schema: " + where + ": unknown type \"" + name + "\"");
    }
    return it->second;
  }

  Result<const Node*> ParseType(const Json& json, const std::string& ns, int depth,
                                const std::string& where) {
    if (depth > limits_.max_depth) {
      return Status::InvalidArgument("avro schema: " + where + ": types nested deeper than " +
                                     std::to_string(limits_.max_depth));
    }
    if (json.is_string()) {
      const std::string& name = json.get_ref<const std::string&>();
      if (auto prim = PrimitiveType(name)) {
        FLOE_ASSIGN_OR_RETURN(Node * node, NewNode(*prim, where));
        return static_cast<const Node*>(node);
      }
      return LookupNamed(name, ns, where);
    }
    if (json.is_array()) return ParseUnion(json, ns, depth, where);
    if (!json.is_object()) {
      return Status::InvalidArgument("avro schema: " + where +
                                     ": a type must be a string, array or object, not " +
                                     json.dump());
    }
    auto type_it = json.find("type");
    if (type_it == json.end()) {
      return Status::InvalidArgument("avro schema: " + where + ": object without \"type\"");
    }
    if (!type_it->is_string()) {
      // {"type": {...}} and {"type": [...]} only wrap another type.
      return ParseType(*type_it, ns, depth + 1, where);
    }
    const std::string& type = type_it->get_ref<const std::string&>();
    Node* node = nullptr;
    if (auto prim = PrimitiveType(type)) {
      FLOE_ASSIGN_OR_RETURN(node, NewNode(*prim, where));
      FLOE_RETURN_IF_ERROR(CopyAttributes(json, node, {"type"}, where));
    } else if (type == "record" || type == "error") {
      FLOE_ASSIGN_OR_RETURN(node, ParseRecord(json, ns, depth, where));
    } else if (type == "enum") {
      FLOE_ASSIGN_OR_RETURN(node, ParseEnum(json, ns, where));
    } else if (type == "fixed") {
      FLOE_ASSIGN_OR_RETURN(node, ParseFixed(json, ns, where));
    } else if (type == "array") {
      auto items = json.find("items");
      if (items == json.end())
        return Status::InvalidArgument("avro schema: " + where + ": array without \"items\"");
      FLOE_ASSIGN_OR_RETURN(node, NewNode(Type::kArray, where));
      FLOE_ASSIGN_OR_RETURN(node->items, ParseType(*items, ns, depth + 1, where + "[]"));
      FLOE_RETURN_IF_ERROR(CopyAttributes(json, node, {"type", "items"}, where));
    } else if (type == "map") {
      auto values = json.find("values");
      if (values == json.end())
        return Status::InvalidArgument("avro schema: " + where + ": map without \"values\"");
      FLOE_ASSIGN_OR_RETURN(node, NewNode(Type::kMap, where));
      FLOE_ASSIGN_OR_RETURN(node->values, ParseType(*values, ns, depth + 1, where + "{}"));
      FLOE_RETURN_IF_ERROR(CopyAttributes(json, node, {"type", "values"}, where));
    } else {
      // A named type may be referenced as {"type": "name"} too.
      return LookupNamed(type, ns, where);
    }
    return static_cast<const Node*>(node);
  }

  Result<const Node*> ParseUnion(const Json& json, const std::string& ns, int depth,
                                 const std::string& where) {
    FLOE_ASSIGN_OR_RETURN(Node * node, NewNode(Type::kUnion, where));
    std::set<std::string> seen;
    for (size_t i = 0; i < json.size(); ++i) {
      std::string branch_where = where + "|" + std::to_string(i);
      FLOE_ASSIGN_OR_RETURN(const Node* b, ParseType(json[i], ns, depth + 1, branch_where));
      if (b->type == Type::kUnion) {
        return Status::InvalidArgument("avro schema: " + branch_where +
                                       ": a union directly inside a union");
      }
      std::string key = b->is_named() ? b->name : std::string(TypeName(b->type));
      if (!seen.insert(key).second) {
        return Status::InvalidArgument("avro schema: " + branch_where + ": union has \"" + key +
                                       "\" twice");
      }
      node->branches.push_back(b);
    }
    return static_cast<const Node*>(node);
  }

  Result<Node*> NewNamed(Type type, const Json& json, const std::string& ns, std::string* new_ns,
                         const std::string& where) {
    auto name_it = json.find("name");
    if (name_it == json.end() || !name_it->is_string()) {
      return Status::InvalidArgument("avro schema: " + where + ": " + std::string(TypeName(type)) +
                                     " without a \"name\"");
    }
    std::string name = name_it->get<std::string>();
    std::string space = ns;
    auto ns_it = json.find("namespace");
    if (ns_it != json.end()) {
      if (!ns_it->is_string() && !ns_it->is_null()) {
        return Status::InvalidArgument("avro schema: " + where + ": namespace is not a string");
      }
      space = ns_it->is_string() ? ns_it->get<std::string>() : "";
    }
    std::string full = FullName(name, space);
    FLOE_RETURN_IF_ERROR(CheckFullName(full, where));
    if (PrimitiveType(full)) {
      return Status::InvalidArgument("avro schema: " + where +
                                     ": a named type may not be called \"" + full + "\"");
    }
    if (arena_->named.count(full)) {
      return Status::InvalidArgument("avro schema: " + where + ": type \"" + full +
                                     "\" defined twice");
    }
    size_t dot = full.rfind('.');
    *new_ns = dot == std::string::npos ? "" : full.substr(0, dot);
    FLOE_ASSIGN_OR_RETURN(Node * node, NewNode(type, where));
    node->name = full;
    FLOE_ASSIGN_OR_RETURN(std::vector<std::string> aliases, ReadAliases(json, where));
    for (auto& a : aliases) node->aliases.push_back(FullName(a, *new_ns));
    // Registered before its body is parsed, so the body may refer to it.
    arena_->named.emplace(full, node);
    return node;
  }

  Result<Node*> ParseRecord(const Json& json, const std::string& ns, int depth,
                            const std::string& where) {
    std::string inner_ns;
    FLOE_ASSIGN_OR_RETURN(Node * node, NewNamed(Type::kRecord, json, ns, &inner_ns, where));
    std::string rwhere = where + " (record " + node->name + ")";
    auto fields_it = json.find("fields");
    if (fields_it == json.end() || !fields_it->is_array()) {
      return Status::InvalidArgument("avro schema: " + rwhere + ": no \"fields\" array");
    }
    std::set<std::string> names;
    for (const Json& f : *fields_it) {
      if (!f.is_object())
        return Status::InvalidArgument("avro schema: " + rwhere + ": a field is not an object");
      auto fname = f.find("name");
      if (fname == f.end() || !fname->is_string() ||
          !IsValidName(fname->get_ref<const std::string&>())) {
        return Status::InvalidArgument("avro schema: " + rwhere +
                                       ": field with a missing or invalid name: " +
                                       (fname == f.end() ? std::string("(none)") : fname->dump()));
      }
      Field field;
      field.name = fname->get<std::string>();
      std::string fwhere = rwhere + "." + field.name;
      if (!names.insert(field.name).second) {
        return Status::InvalidArgument("avro schema: " + fwhere + ": field defined twice");
      }
      auto ftype = f.find("type");
      if (ftype == f.end())
        return Status::InvalidArgument("avro schema: " + fwhere + ": field without \"type\"");
      FLOE_ASSIGN_OR_RETURN(field.type, ParseType(*ftype, inner_ns, depth + 1, fwhere));
      auto def = f.find("default");
      if (def != f.end()) field.default_value = *def;
      FLOE_ASSIGN_OR_RETURN(field.aliases, ReadAliases(f, fwhere));
      FLOE_ASSIGN_OR_RETURN(field.field_id, ReadId(f, "field-id", fwhere));
      for (auto it = f.begin(); it != f.end(); ++it) {
        if (it.key() != "name" && it.key() != "type" && it.key() != "default") {
          field.attributes[it.key()] = it.value();
        }
      }
      node->fields.push_back(std::move(field));
    }
    FLOE_RETURN_IF_ERROR(
        CopyAttributes(json, node, {"type", "name", "namespace", "fields"}, rwhere));
    return node;
  }

  Result<Node*> ParseEnum(const Json& json, const std::string& ns, const std::string& where) {
    std::string inner_ns;
    FLOE_ASSIGN_OR_RETURN(Node * node, NewNamed(Type::kEnum, json, ns, &inner_ns, where));
    auto symbols = json.find("symbols");
    if (symbols == json.end() || !symbols->is_array()) {
      return Status::InvalidArgument("avro schema: " + where + ": enum " + node->name +
                                     " without \"symbols\"");
    }
    std::set<std::string_view> seen;
    for (const Json& s : *symbols) {
      if (!s.is_string() || !IsValidName(s.get_ref<const std::string&>())) {
        return Status::InvalidArgument("avro schema: " + where + ": enum " + node->name +
                                       " has an invalid symbol " + s.dump());
      }
      if (!seen.insert(s.get_ref<const std::string&>()).second) {
        return Status::InvalidArgument("avro schema: " + where + ": enum " + node->name +
                                       " has symbol " + s.dump() + " twice");
      }
      node->symbols.push_back(s.get<std::string>());
    }
    auto def = json.find("default");
    if (def != json.end()) {
      if (!def->is_string() || node->SymbolIndex(def->get_ref<const std::string&>()) < 0) {
        return Status::InvalidArgument("avro schema: " + where + ": enum " + node->name +
                                       " default is not one of its symbols");
      }
      node->enum_default = def->get<std::string>();
    }
    FLOE_RETURN_IF_ERROR(
        CopyAttributes(json, node, {"type", "name", "namespace", "symbols"}, where));
    return node;
  }

  Result<Node*> ParseFixed(const Json& json, const std::string& ns, const std::string& where) {
    std::string inner_ns;
    FLOE_ASSIGN_OR_RETURN(Node * node, NewNamed(Type::kFixed, json, ns, &inner_ns, where));
    auto size = json.find("size");
    if (size == json.end() || !size->is_number_integer() || size->get<int64_t>() < 0 ||
        size->get<int64_t>() > (int64_t{1} << 30)) {
      return Status::InvalidArgument("avro schema: " + where + ": fixed " + node->name +
                                     " needs a \"size\" in [0, 2^30]");
    }
    node->fixed_size = size->get<int64_t>();
    FLOE_RETURN_IF_ERROR(CopyAttributes(json, node, {"type", "name", "namespace", "size"}, where));
    return node;
  }

  static Status CopyAttributes(const Json& json, Node* node,
                               std::initializer_list<std::string_view> structural,
                               const std::string& where) {
    for (auto it = json.begin(); it != json.end(); ++it) {
      bool skip = false;
      for (std::string_view s : structural) skip = skip || it.key() == s;
      if (!skip) node->attributes[it.key()] = it.value();
    }
    auto lt = json.find("logicalType");
    if (lt != json.end() && lt->is_string()) node->logical_type = lt->get<std::string>();
    FLOE_ASSIGN_OR_RETURN(node->element_id, ReadId(json, "element-id", where));
    FLOE_ASSIGN_OR_RETURN(node->key_id, ReadId(json, "key-id", where));
    FLOE_ASSIGN_OR_RETURN(node->value_id, ReadId(json, "value-id", where));
    return Status::OK();
  }

  SchemaLimits limits_;
  std::shared_ptr<Schema::Arena> arena_ = std::make_shared<Schema::Arena>();
};

Schema::Schema() {
  auto arena = std::make_shared<Arena>();
  arena->nodes.push_back(std::make_unique<Node>());
  root_ = arena->nodes.back().get();
  arena_ = std::move(arena);
}

Result<Schema> Schema::Parse(std::string_view json_text, const SchemaLimits& limits) {
  if (json_text.size() > limits.max_json_bytes) {
    return Status::ResourceExhausted("avro schema: " + std::to_string(json_text.size()) +
                                     " bytes of JSON, over the limit of " +
                                     std::to_string(limits.max_json_bytes));
  }
  // Each type level takes at most three JSON levels (record, fields array, field object);
  // defaults and attributes get some room on top.
  FLOE_RETURN_IF_ERROR(CheckJsonNesting(json_text, 3 * limits.max_depth + 16));
  Json json = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Status::InvalidArgument("avro schema: not valid JSON");
  return FromJson(json, limits);
}

Result<Schema> Schema::FromJson(const Json& json, const SchemaLimits& limits) {
  return SchemaParser(limits).Run(json);
}

const Node* Schema::FindNamed(std::string_view full_name) const {
  auto it = arena_->named.find(full_name);
  return it == arena_->named.end() ? nullptr : it->second;
}

namespace {

void AppendAttributes(const Json& attributes, Json* out) {
  for (auto it = attributes.begin(); it != attributes.end(); ++it) (*out)[it.key()] = it.value();
}

std::string NamespaceOf(const std::string& full_name) {
  size_t dot = full_name.rfind('.');
  return dot == std::string::npos ? "" : full_name.substr(0, dot);
}

// "type" and "name" of a named type's definition. Names are written in full; a type in the null
// namespace inside a namespaced one needs "namespace": "" or it would be read back into the
// enclosing namespace.
Json NamedHeader(const char* type, const Node* node, const std::string& ns) {
  Json out = Json::object();
  out["type"] = type;
  out["name"] = node->name;
  if (!ns.empty() && node->name.find('.') == std::string::npos) out["namespace"] = "";
  return out;
}

// `ns` is the enclosing namespace, as a parser would see it.
Json NodeToJson(const Node* node, const std::string& ns, std::set<const Node*>* defined) {
  if (node->is_named() && !defined->insert(node).second) return node->name;
  switch (node->type) {
    case Type::kUnion: {
      Json out = Json::array();
      for (const Node* b : node->branches) out.push_back(NodeToJson(b, ns, defined));
      return out;
    }
    case Type::kRecord: {
      Json out = NamedHeader("record", node, ns);
      const std::string inner = NamespaceOf(node->name);
      Json fields = Json::array();
      for (const Field& f : node->fields) {
        Json jf = Json::object();
        jf["name"] = f.name;
        jf["type"] = NodeToJson(f.type, inner, defined);
        if (f.default_value) jf["default"] = *f.default_value;
        AppendAttributes(f.attributes, &jf);
        fields.push_back(std::move(jf));
      }
      out["fields"] = std::move(fields);
      AppendAttributes(node->attributes, &out);
      return out;
    }
    case Type::kEnum: {
      Json out = NamedHeader("enum", node, ns);
      out["symbols"] = node->symbols;
      AppendAttributes(node->attributes, &out);
      return out;
    }
    case Type::kFixed: {
      Json out = NamedHeader("fixed", node, ns);
      out["size"] = node->fixed_size;
      AppendAttributes(node->attributes, &out);
      return out;
    }
    case Type::kArray: {
      Json out = Json::object();
      out["type"] = "array";
      out["items"] = NodeToJson(node->items, ns, defined);
      AppendAttributes(node->attributes, &out);
      return out;
    }
    case Type::kMap: {
      Json out = Json::object();
      out["type"] = "map";
      out["values"] = NodeToJson(node->values, ns, defined);
      AppendAttributes(node->attributes, &out);
      return out;
    }
    default: {
      if (node->attributes.empty()) return std::string(TypeName(node->type));
      Json out = Json::object();
      out["type"] = std::string(TypeName(node->type));
      AppendAttributes(node->attributes, &out);
      return out;
    }
  }
}

}  // namespace

Json Schema::ToJson() const {
  std::set<const Node*> defined;
  return NodeToJson(root_, "", &defined);
}

}  // namespace floe::avro
