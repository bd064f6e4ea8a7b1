#pragma once

// Schema evolution limited to the changes that keep every existing data file readable without
// rewriting: add an optional column (top level or inside a struct), rename, and widen a type
// (int→long, float→double, decimal precision). Anything else is an error.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/common/result.h"
#include "floe/iceberg/types.h"

namespace floe::iceberg {

struct AppliedSchemaUpdate {
  Schema schema;
  int32_t last_column_id = 0;  // the table's new last-column-id
};

// Collects changes against `base`; names always refer to columns of `base` (dotted for nested
// ones), as in Java's UpdateSchema. The first error is reported by Apply().
class SchemaUpdate {
 public:
  // `last_column_id` is the table's last-column-id: new ids are assigned above it.
  SchemaUpdate(Schema base, int32_t last_column_id);

  // Adds an optional column at the end of the top level (`parent` empty) or of the struct column
  // `parent` (a struct, or a list/map whose element/value is a struct: "col.element"). Ids are
  // assigned to the column first, then to the nested fields of `type` (its ids are ignored).
  SchemaUpdate& AddColumn(std::string_view parent, std::string_view name, const Type& type,
                          std::optional<std::string> doc = std::nullopt);
  // Adding a required column would make existing files unreadable: always an error.
  SchemaUpdate& AddRequiredColumn(std::string_view parent, std::string_view name, const Type& type);
  SchemaUpdate& RenameColumn(std::string_view name, std::string_view new_name);
  // `new_type` must be a primitive the column's type can be promoted to.
  SchemaUpdate& UpdateColumnType(std::string_view name, const Type& new_type);

  // The new schema with `new_schema_id`, or the first error found.
  Result<AppliedSchemaUpdate> Apply(int32_t new_schema_id) const;

 private:
  void Fail(Status status);
  NestedField* FindById(int32_t id);
  std::vector<NestedField>* ChildrenOf(std::string_view parent, std::string* error);
  void AssignIds(Type* type);

  Schema base_;
  std::vector<NestedField> fields_;  // the working copy
  int32_t last_column_id_;
  Status error_;
};

}  // namespace floe::iceberg
