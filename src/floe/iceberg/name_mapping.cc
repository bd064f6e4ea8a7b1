#include "floe/iceberg/name_mapping.h"

#include "floe/iceberg/json_serde.h"

namespace floe::iceberg {

namespace {

constexpr int kMaxMappingDepth = 64;

Result<std::vector<MappedField>> FieldsFromJson(const Json& arr, const std::string& where,
                                                int depth) {
  if (depth > kMaxMappingDepth) {
    return Status::Corrupt(where + ": mappings nested more than " +
                           std::to_string(kMaxMappingDepth) + " levels deep");
  }
  if (!arr.is_array()) return Status::Corrupt(where + ": expected an array of field mappings");
  std::vector<MappedField> out;
  for (size_t i = 0; i < arr.size(); ++i) {
    std::string fw = where + "[" + std::to_string(i) + "]";
    const Json& fj = arr[i];
    if (!fj.is_object()) return Status::Corrupt(fw + ": expected an object");
    MappedField f;
    FLOE_ASSIGN_OR_RETURN(f.field_id, json_util::GetOptionalInt(fj, "field-id", fw));
    if (const Json* names = json_util::OptionalMember(fj, "names")) {
      if (!names->is_array()) return Status::Corrupt(fw + ".names: expected an array");
      for (size_t n = 0; n < names->size(); ++n) {
        if (!(*names)[n].is_string()) {
          return Status::Corrupt(fw + ".names[" + std::to_string(n) + "]: expected a string");
        }
        f.names.push_back((*names)[n].get<std::string>());
      }
    }
    if (const Json* nested = json_util::OptionalMember(fj, "fields")) {
      FLOE_ASSIGN_OR_RETURN(f.fields, FieldsFromJson(*nested, fw + ".fields", depth + 1));
    }
    out.push_back(std::move(f));
  }
  return out;
}

Json FieldsToJson(const std::vector<MappedField>& fields) {
  Json arr = Json::array();
  for (const MappedField& f : fields) {
    Json j;
    if (f.field_id) j["field-id"] = *f.field_id;
    j["names"] = f.names;
    if (!f.fields.empty()) j["fields"] = FieldsToJson(f.fields);
    arr.push_back(std::move(j));
  }
  return arr;
}

std::vector<MappedField> FromFields(const std::vector<NestedField>& fields) {
  std::vector<MappedField> out;
  for (const NestedField& f : fields) {
    out.push_back(MappedField{f.id, {f.name}, FromFields(f.type.fields)});
  }
  return out;
}

}  // namespace

std::optional<int32_t> NameMapping::FindId(const std::vector<std::string>& path) const {
  const std::vector<MappedField>* level = &fields;
  const MappedField* found = nullptr;
  for (const std::string& name : path) {
    found = nullptr;
    for (const MappedField& f : *level) {
      for (const std::string& n : f.names) {
        if (n == name) found = &f;
      }
      if (found != nullptr) break;
    }
    if (found == nullptr) return std::nullopt;
    level = &found->fields;
  }
  return found == nullptr ? std::nullopt : found->field_id;
}

Result<NameMapping> ParseNameMapping(std::string_view json) {
  const std::string where = std::string(kDefaultNameMappingProperty);
  FLOE_ASSIGN_OR_RETURN(Json root, json_util::Parse(json, where));
  const Json* fields = &root;
  if (root.is_object()) {
    FLOE_ASSIGN_OR_RETURN(fields, json_util::Member(root, "fields", where));
  }
  NameMapping mapping;
  FLOE_ASSIGN_OR_RETURN(mapping.fields, FieldsFromJson(*fields, where, 0));
  return mapping;
}

std::string NameMappingToJson(const NameMapping& mapping) {
  return FieldsToJson(mapping.fields).dump();
}

NameMapping NameMappingFromSchema(const Schema& schema) {
  return NameMapping{FromFields(schema.fields())};
}

}  // namespace floe::iceberg
