#pragma once

// Name mapping (spec "Column Projection", "Name Mapping Serialization"): how readers find the
// field ids of columns in data files written without ids, from the table property
// "schema.name-mapping.default".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/common/result.h"
#include "floe/iceberg/types.h"

namespace floe::iceberg {

constexpr std::string_view kDefaultNameMappingProperty = "schema.name-mapping.default";

struct MappedField {
  std::optional<int32_t> field_id;  // absent: the names are known but map to no column
  std::vector<std::string> names;   // any of these names in a file means this field
  std::vector<MappedField> fields;  // nested mappings (struct fields, list element, map key/value)

  friend bool operator==(const MappedField&, const MappedField&) = default;
};

struct NameMapping {
  std::vector<MappedField> fields;

  // The field id of a column by its names from the top of a file, e.g. {"a"} or
  // {"point", "x"}; nullopt when the mapping does not cover it.
  std::optional<int32_t> FindId(const std::vector<std::string>& path) const;

  friend bool operator==(const NameMapping&, const NameMapping&) = default;
};

// Parses the spec's JSON array form. The object form {"fields":[...]} some writers produce is
// accepted too. Errors name the JSON path.
Result<NameMapping> ParseNameMapping(std::string_view json);
std::string NameMappingToJson(const NameMapping& mapping);

// The mapping Java creates for a schema: every field by its current name, nested ones included.
NameMapping NameMappingFromSchema(const Schema& schema);

}  // namespace floe::iceberg
