#include "floe/iceberg/schema_update.h"

#include <algorithm>

namespace floe::iceberg {

namespace {

NestedField* FindIn(std::vector<NestedField>* fields, int32_t id) {
  for (NestedField& f : *fields) {
    if (f.id == id) return &f;
    if (NestedField* found = FindIn(&f.type.fields, id)) return found;
  }
  return nullptr;
}

bool HasName(const std::vector<NestedField>& fields, std::string_view name) {
  return std::any_of(fields.begin(), fields.end(),
                     [&](const NestedField& f) { return f.name == name; });
}

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

SchemaUpdate::SchemaUpdate(Schema base, int32_t last_column_id)
    : base_(std::move(base)),
      fields_(base_.fields()),
      last_column_id_(std::max(last_column_id, base_.HighestFieldId())) {}

void SchemaUpdate::Fail(Status status) {
  if (error_.ok()) error_ = std::move(status);
}

NestedField* SchemaUpdate::FindById(int32_t id) { return FindIn(&fields_, id); }

std::vector<NestedField>* SchemaUpdate::ChildrenOf(std::string_view parent, std::string* error) {
  if (parent.empty()) return &fields_;
  const NestedField* base_field = base_.FindFieldByName(parent);
  NestedField* f = base_field == nullptr ? nullptr : FindById(base_field->id);
  if (f == nullptr) {
    *error = "parent column " + Quote(parent) + " does not exist";
    return nullptr;
  }
  Type* t = &f->type;
  // As in Java, a list or map parent means its element or value struct.
  if (t->id == TypeId::kList) t = &t->fields[0].type;
  if (t->id == TypeId::kMap) t = &t->fields[1].type;
  if (t->id != TypeId::kStruct) {
    *error = "parent column " + Quote(parent) + " is a " + f->type.ToString() + ", not a struct";
    return nullptr;
  }
  return &t->fields;
}

void SchemaUpdate::AssignIds(Type* type) {
  for (NestedField& child : type->fields) child.id = ++last_column_id_;
  for (NestedField& child : type->fields) AssignIds(&child.type);
}

SchemaUpdate& SchemaUpdate::AddColumn(std::string_view parent, std::string_view name,
                                      const Type& type, std::optional<std::string> doc) {
  std::string where =
      "add column " + Quote(parent.empty() ? name : std::string(parent) + "." + std::string(name));
  if (name.empty() || name.find('.') != std::string_view::npos) {
    Fail(Status::InvalidArgument(where + ": a name must be non-empty and contain no '.'"));
    return *this;
  }
  std::string error;
  std::vector<NestedField>* siblings = ChildrenOf(parent, &error);
  if (siblings == nullptr) {
    Fail(Status::NotFound(where + ": " + error));
    return *this;
  }
  if (HasName(*siblings, name)) {
    Fail(Status::AlreadyExists(where + ": a column of that name exists"));
    return *this;
  }
  NestedField f;
  f.id = ++last_column_id_;
  f.name = std::string(name);
  f.required = false;
  f.type = type;
  f.doc = std::move(doc);
  AssignIds(&f.type);
  siblings->push_back(std::move(f));
  return *this;
}

SchemaUpdate& SchemaUpdate::AddRequiredColumn(std::string_view parent, std::string_view name,
                                              const Type& type) {
  (void)type;
  Fail(Status::InvalidArgument(
      "add column " + Quote(parent.empty() ? name : std::string(parent) + "." + std::string(name)) +
      ": a required column cannot be added (existing files have no "
      "values for it); add it as optional"));
  return *this;
}

SchemaUpdate& SchemaUpdate::RenameColumn(std::string_view name, std::string_view new_name) {
  std::string where = "rename column " + Quote(name) + " to " + Quote(new_name);
  const NestedField* base_field = base_.FindFieldByName(name);
  NestedField* f = base_field == nullptr ? nullptr : FindById(base_field->id);
  if (f == nullptr) {
    Fail(Status::NotFound(where + ": the column does not exist"));
    return *this;
  }
  if (new_name.empty() || new_name.find('.') != std::string_view::npos) {
    Fail(Status::InvalidArgument(where + ": a name must be non-empty and contain no '.'"));
    return *this;
  }
  std::string full = base_.FindColumnName(base_field->id);
  size_t dot = full.rfind('.');
  if (dot != std::string::npos) {
    const NestedField* parent = base_.FindFieldByName(std::string_view(full).substr(0, dot));
    if (parent != nullptr && parent->type.id != TypeId::kStruct) {
      Fail(Status::InvalidArgument(where + ": list elements and map keys/values have fixed names"));
      return *this;
    }
  }
  std::string error;
  std::vector<NestedField>* siblings = ChildrenOf(
      dot == std::string::npos ? std::string_view() : std::string_view(full).substr(0, dot),
      &error);
  if (siblings != nullptr && new_name != f->name && HasName(*siblings, new_name)) {
    Fail(Status::AlreadyExists(where + ": a column of that name exists"));
    return *this;
  }
  f->name = std::string(new_name);
  return *this;
}

SchemaUpdate& SchemaUpdate::UpdateColumnType(std::string_view name, const Type& new_type) {
  std::string where = "change type of column " + Quote(name);
  const NestedField* base_field = base_.FindFieldByName(name);
  NestedField* f = base_field == nullptr ? nullptr : FindById(base_field->id);
  if (f == nullptr) {
    Fail(Status::NotFound(where + ": the column does not exist"));
    return *this;
  }
  if (!f->type.is_primitive() || !new_type.is_primitive() ||
      !IsPromotionAllowed(f->type, new_type)) {
    Fail(Status::InvalidArgument(where + " from " + f->type.ToString() + " to " +
                                 new_type.ToString() +
                                 ": only int→long, float→double and wider decimal precision are "
                                 "allowed"));
    return *this;
  }
  f->type = new_type;
  return *this;
}

Result<AppliedSchemaUpdate> SchemaUpdate::Apply(int32_t new_schema_id) const {
  if (!error_.ok()) return error_;
  FLOE_ASSIGN_OR_RETURN(Schema schema,
                        Schema::Make(new_schema_id, fields_, base_.identifier_field_ids()));
  return AppliedSchemaUpdate{std::move(schema), last_column_id_};
}

}  // namespace floe::iceberg
