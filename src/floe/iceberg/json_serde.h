#pragma once

// JSON forms of schemas, types, partition specs and sort orders exactly as the Iceberg spec (and
// Java's parsers) write them, with keys in Java's order. Readers name the JSON path of what is
// wrong ("schemas[1].fields[3].type: ...").

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "floe/common/result.h"
#include "floe/iceberg/partition_spec.h"
#include "floe/iceberg/types.h"
#include "floe/iceberg/values.h"

namespace floe::iceberg {

// Ordered, so objects keep the key order they were written (or read) in.
using Json = nlohmann::ordered_json;

Json TypeToJson(const Type& type);
Result<Type> TypeFromJson(const Json& json, const std::string& where);

Json SchemaToJson(const Schema& schema);
// A schema without "schema-id" (v1) gets `default_schema_id`.
Result<Schema> SchemaFromJson(const Json& json, const std::string& where,
                              int32_t default_schema_id = 0);

Json PartitionSpecToJson(const PartitionSpec& spec);
// The v1 "partition-spec" form: just the fields array.
Json PartitionFieldsToJson(const PartitionSpec& spec);
// Fields without "field-id" (v1) get ids from *next_field_id on (incremented).
Result<PartitionSpec> PartitionSpecFromJson(const Json& json, const std::string& where,
                                            int32_t* next_field_id);
Result<PartitionSpec> PartitionFieldsFromJson(const Json& fields, int32_t spec_id,
                                              const std::string& where, int32_t* next_field_id);

// Spec Appendix C single-value JSON (column defaults): numbers as JSON numbers, decimals, dates,
// times, timestamps and uuids as strings ("14.20", "2017-11-16", "22:31:08.123456",
// "2017-11-16T22:31:08.123456+00:00"), fixed and binary as lower-case hex strings. Primitive
// types only; null maps to JSON null.
Json LiteralToJson(const Literal& value);
Result<Literal> LiteralFromJson(const Type& type, const Json& json, const std::string& where);

Json SortOrderToJson(const SortOrder& order);
Result<SortOrder> SortOrderFromJson(const Json& json, const std::string& where);

// Text wrappers (compact JSON).
std::string SchemaToJsonString(const Schema& schema);
Result<Schema> SchemaFromJsonString(std::string_view text);
std::string PartitionSpecToJsonString(const PartitionSpec& spec);
Result<PartitionSpec> PartitionSpecFromJsonString(std::string_view text);
std::string SortOrderToJsonString(const SortOrder& order);
Result<SortOrder> SortOrderFromJsonString(std::string_view text);

// Typed member access with errors that name `where` and the key.
namespace json_util {
Result<const Json*> Member(const Json& obj, std::string_view key, const std::string& where);
const Json* OptionalMember(const Json& obj, std::string_view key);  // nullptr if absent or null
Result<int64_t> GetLong(const Json& obj, std::string_view key, const std::string& where);
Result<int32_t> GetInt(const Json& obj, std::string_view key, const std::string& where);
Result<std::string> GetString(const Json& obj, std::string_view key, const std::string& where);
Result<bool> GetBool(const Json& obj, std::string_view key, const std::string& where);
Result<std::optional<int64_t>> GetOptionalLong(const Json& obj, std::string_view key,
                                               const std::string& where);
Result<std::optional<int32_t>> GetOptionalInt(const Json& obj, std::string_view key,
                                              const std::string& where);
Result<Json> Parse(std::string_view text, const std::string& where);
}  // namespace json_util

}  // namespace floe::iceberg
