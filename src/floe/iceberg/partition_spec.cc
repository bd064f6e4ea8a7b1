#include "floe/iceberg/partition_spec.h"

#include <set>

namespace floe::iceberg {

namespace {

std::string FieldWhere(const PartitionSpec& spec, const PartitionField& f) {
  return "partition spec " + std::to_string(spec.spec_id) + " field \"" + f.name + "\" (id " +
         std::to_string(f.field_id) + ")";
}

}  // namespace

int32_t PartitionSpec::LastAssignedFieldId() const {
  int32_t last = kFirstPartitionFieldId - 1;
  for (const PartitionField& f : fields) last = std::max(last, f.field_id);
  return last;
}

Result<Type> PartitionSpec::PartitionType(const Schema& schema) const {
  std::vector<NestedField> out;
  for (const PartitionField& f : fields) {
    const NestedField* source = schema.FindFieldById(f.source_id);
    if (source == nullptr) {
      return Status::InvalidArgument(FieldWhere(*this, f) + ": source column id " +
                                     std::to_string(f.source_id) + " is not in schema " +
                                     std::to_string(schema.schema_id()));
    }
    Result<Type> result = f.transform.ResultType(source->type);
    if (!result.ok()) return result.status().WithContext(FieldWhere(*this, f));
    out.push_back(NestedField{f.field_id, f.name, false, std::move(*result), {}, {}, {}});
  }
  return Type::Struct(std::move(out));
}

Status PartitionSpec::Validate(const Schema& schema) const {
  std::set<std::string> names;
  std::set<int32_t> ids;
  for (const PartitionField& f : fields) {
    if (f.name.empty()) return Status::InvalidArgument(FieldWhere(*this, f) + ": empty name");
    if (!names.insert(f.name).second) {
      return Status::InvalidArgument(FieldWhere(*this, f) + ": name used twice");
    }
    if (!ids.insert(f.field_id).second) {
      return Status::InvalidArgument(FieldWhere(*this, f) + ": field id used twice");
    }
    if (f.transform.kind() == TransformKind::kUnknown) continue;
    const NestedField* source = schema.FindFieldById(f.source_id);
    if (source == nullptr) {
      return Status::InvalidArgument(FieldWhere(*this, f) + ": source column id " +
                                     std::to_string(f.source_id) + " is not in the schema");
    }
    if (!f.transform.CanTransform(source->type)) {
      return Status::InvalidArgument(FieldWhere(*this, f) + ": transform " +
                                     f.transform.ToString() + " cannot apply to " +
                                     source->type.ToString());
    }
  }
  return Status::OK();
}

Result<std::vector<Literal>> ComputePartition(const PartitionSpec& spec,
                                              const std::vector<Literal>& source_values) {
  if (source_values.size() != spec.fields.size()) {
    return Status::InvalidArgument("partition spec " + std::to_string(spec.spec_id) + " has " +
                                   std::to_string(spec.fields.size()) + " fields, got " +
                                   std::to_string(source_values.size()) + " source values");
  }
  std::vector<Literal> out;
  out.reserve(source_values.size());
  for (size_t i = 0; i < source_values.size(); ++i) {
    Result<Literal> v = spec.fields[i].transform.Apply(source_values[i]);
    if (!v.ok()) return v.status().WithContext(FieldWhere(spec, spec.fields[i]));
    out.push_back(std::move(*v));
  }
  return out;
}

Result<std::string> PartitionPath(const PartitionSpec& spec, const std::vector<Literal>& values) {
  if (values.size() != spec.fields.size()) {
    return Status::InvalidArgument("partition spec " + std::to_string(spec.spec_id) + " has " +
                                   std::to_string(spec.fields.size()) + " fields, got " +
                                   std::to_string(values.size()) + " values");
  }
  std::string path;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) path += '/';
    const PartitionField& f = spec.fields[i];
    path += UrlEncode(f.name) + "=" + UrlEncode(f.transform.ToHumanString(values[i]));
  }
  return path;
}

Result<std::vector<Literal>> ParsePartitionPath(const PartitionSpec& spec,
                                                const Type& partition_type, std::string_view path) {
  if (partition_type.fields.size() != spec.fields.size()) {
    return Status::InvalidArgument("partition type does not match partition spec " +
                                   std::to_string(spec.spec_id));
  }
  std::vector<Literal> out;
  std::string_view rest = path;
  for (size_t i = 0; i < spec.fields.size(); ++i) {
    const PartitionField& f = spec.fields[i];
    size_t slash = rest.find('/');
    std::string_view segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    size_t eq = segment.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument("partition path \"" + std::string(path) + "\": segment \"" +
                                     std::string(segment) + "\" has no '='");
    }
    FLOE_ASSIGN_OR_RETURN(std::string name, UrlDecode(segment.substr(0, eq)));
    if (name != f.name) {
      return Status::InvalidArgument("partition path \"" + std::string(path) + "\": expected \"" +
                                     f.name + "=\" at segment " + std::to_string(i + 1) +
                                     ", found \"" + name + "=\"");
    }
    FLOE_ASSIGN_OR_RETURN(std::string text, UrlDecode(segment.substr(eq + 1)));
    Result<Literal> v = f.transform.ParseHumanString(partition_type.fields[i].type, text);
    if (!v.ok()) return v.status().WithContext("partition path \"" + std::string(path) + "\"");
    out.push_back(std::move(*v));
  }
  if (!rest.empty()) {
    return Status::InvalidArgument("partition path \"" + std::string(path) +
                                   "\" has more segments than partition spec " +
                                   std::to_string(spec.spec_id) + " has fields");
  }
  return out;
}

}  // namespace floe::iceberg
