// libFuzzer target: an ingest request body from untrusted bytes, decoded and each event mapped to
// the events table and to a table of every primitive type. Decoding and mapping must fail
// cleanly or succeed; every decoded event must decode again to itself (the compact text is
// valid JSON and stable), and a mapped row has one value per column. Decoded again with the
// validation of NDJSON lines deferred to the mapper, every line is decided the same way.
//
// Input: byte 0 picks the content type (bits 0-2), the content encoding (bits 3-4) and whether
// the harness compresses the rest itself first (bit 5, so valid gzip/zstd bodies are reached);
// the rest is the body.

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "floe/catalog/events_table.h"
#include "floe/compression/codec.h"
#include "floe/ingest/decoder.h"
#include "floe/ingest/event_mapper.h"
#include "floe/util/buffer.h"
#include "fuzz_check.h"

namespace {

using floe::iceberg::NestedField;
using floe::iceberg::Type;
using floe::iceberg::TypeId;

using floe::fuzz::Check;

floe::iceberg::Schema AllTypesSchema() {
  std::vector<NestedField> fields;
  auto add = [&](const char* name, Type type, bool required) {
    NestedField f;
    f.id = static_cast<int32_t>(fields.size()) + 1;
    f.name = name;
    f.required = required;
    f.type = std::move(type);
    fields.push_back(std::move(f));
  };
  add("id", Type::Primitive(TypeId::kLong), false);
  add("type", Type::Primitive(TypeId::kString), true);
  add("b", Type::Primitive(TypeId::kBoolean), false);
  add("i", Type::Primitive(TypeId::kInt), false);
  add("f", Type::Primitive(TypeId::kFloat), false);
  add("d", Type::Primitive(TypeId::kDouble), false);
  add("dec", Type::Decimal(38, 4), false);
  add("day", Type::Primitive(TypeId::kDate), false);
  add("t", Type::Primitive(TypeId::kTime), false);
  add("ts", Type::Primitive(TypeId::kTimestamp), false);
  add("time", Type::Primitive(TypeId::kTimestampTz), false);
  add("u", Type::Primitive(TypeId::kUuid), false);
  add("bin", Type::Primitive(TypeId::kBinary), false);
  add("fx", Type::Fixed(3), false);
  return floe::iceberg::Schema(0, std::move(fields));
}

struct Mappers {
  floe::ingest::EventMapper events;
  floe::ingest::EventMapper all_types;
};

const Mappers& GetMappers() {
  static const Mappers* mappers = [] {
    auto events = floe::ingest::EventMapper::Make(floe::EventsTableSchema());
    auto all = floe::ingest::EventMapper::Make(AllTypesSchema());
    Check(events.ok() && all.ok());
    return new Mappers{std::move(*events), std::move(*all)};
  }();
  return *mappers;
}

// Equal, NaN being equal to NaN ("NaN" is a double the mapper takes).
bool SameValue(const floe::iceberg::Literal& a, const floe::iceberg::Literal& b) {
  if (a == b) return true;
  if (a.is_null() || b.is_null() || a.type().id != b.type().id) return false;
  if (a.type().id == TypeId::kDouble)
    return std::isnan(a.double_value()) && std::isnan(b.double_value());
  if (a.type().id == TypeId::kFloat)
    return std::isnan(a.float_value()) && std::isnan(b.float_value());
  return false;
}

constexpr std::string_view kContentTypes[] = {
    "application/json",
    "application/x-ndjson",
    "application/cloudevents+json",
    "application/cloudevents-batch+json",
    "",
    "application/json; charset=utf-8",
    "text/plain",
    "application/jsonl; charset=latin1",
};
constexpr std::string_view kEncodings[] = {"", "gzip", "zstd", "br"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Mappers& mappers = GetMappers();
  uint8_t selector = data[0];
  std::string_view content_type = kContentTypes[selector & 7];
  std::string_view encoding = kEncodings[(selector >> 3) & 3];
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  if ((selector & 32) != 0 && (encoding == "gzip" || encoding == "zstd")) {
    auto codec =
        floe::MakeCodec(encoding == "gzip" ? floe::CodecKind::kGzip : floe::CodecKind::kZstd);
    Check(codec.ok());
    floe::Buffer compressed;
    Check((*codec)->Compress(floe::AsBytes(body), &compressed).ok());
    body.assign(compressed.string_view());
  }

  floe::ingest::DecodeLimits limits;
  limits.max_body_bytes = 1 << 20;
  limits.max_inflated_bytes = 4 << 20;
  limits.max_depth = 32;
  limits.max_events = 1000;
  auto decoded = floe::ingest::DecodeBody(content_type, encoding, body, limits);
  if (!decoded.ok()) {
    Check(!decoded.status().message().empty());
    return 0;
  }
  // An event decoded again alone: an encoded body's event may be larger than the body as sent.
  floe::ingest::DecodeLimits single = limits;
  single.max_body_bytes = limits.max_inflated_bytes;
  floe::ingest::MapScratch scratch;
  size_t last_index = 0;
  bool first = true;
  for (const floe::ingest::RawEvent& event : decoded->events) {
    Check(first || event.index > last_index);
    first = false;
    last_index = event.index;
    Check(event.index < limits.max_events);
    // The compact text is one valid JSON object that decodes to itself.
    auto again = floe::ingest::DecodeBody("application/json", "", event.json, single);
    Check(again.ok() && again->events.size() == 1 && again->errors.empty());
    Check(again->events[0].json == event.json);

    for (const floe::ingest::EventMapper* mapper : {&mappers.events, &mappers.all_types}) {
      auto mapped = mapper->Map(event.json, 1767618300000000, &scratch);
      // The compact scan of the decoded text maps it as the parser does.
      floe::ingest::MappedRow row;
      floe::Status scanned =
          mapper->MapRow(event.json, 1767618300000000, &scratch, &row, /*decoded=*/true);
      Check(scanned.ok() == mapped.ok());
      if (!mapped.ok()) {
        Check(scanned.message() == mapped.status().message());
        Check(mapped.status().kind() == floe::ErrorKind::kInvalidArgument);
        Check(!mapped.status().message().empty());
        continue;
      }
      Check(std::string_view(row.id) == mapped->id);
      for (size_t i = 0; i < mapped->values.size(); ++i) {
        Check(SameValue(row.LiteralAt(i, mapper->schema().fields()[i].type), mapped->values[i]));
      }
      Check(mapped->values.size() == mapper->schema().fields().size());
      for (size_t i = 0; i < mapped->values.size(); ++i) {
        const NestedField& field = mapper->schema().fields()[i];
        Check(!field.required || !mapped->values[i].is_null());
        Check(mapped->values[i].is_null() || mapped->values[i].type().id == field.type.id);
      }
    }
  }
  for (const floe::ingest::EventError& error : decoded->errors) {
    Check(!error.error.empty() && error.index < limits.max_events);
  }

  // Deferred validation (the collector's way) decides every line as the decoder does: the
  // mapper's validating scan maps only lines the decoder accepts as they are, and Validate gives
  // the decoder's text or its message for the rest.
  limits.defer_line_validation = true;
  auto deferred = floe::ingest::DecodeBody(content_type, encoding, body, limits);
  Check(deferred.ok());
  std::map<size_t, std::string_view> want_events;
  for (const floe::ingest::RawEvent& e : decoded->events) want_events[e.index] = e.json;
  std::map<size_t, std::string> want_errors;
  for (const floe::ingest::EventError& e : decoded->errors) want_errors[e.index] = e.error;
  for (const floe::ingest::EventError& e : deferred->errors) Check(want_errors[e.index] == e.error);
  for (size_t i = 0; i < deferred->events.size(); ++i) {
    const floe::ingest::RawEvent& e = deferred->events[i];
    if (!e.validated) {
      for (const floe::ingest::EventMapper* mapper : {&mappers.events, &mappers.all_types}) {
        floe::ingest::MappedRow row;
        if (!mapper->MapUnvalidatedRow(e.json, deferred->max_depth, 1767618300000000, &scratch,
                                       &row)) {
          continue;
        }
        Check(want_events.count(e.index) == 1 && want_events[e.index] == e.json);
        auto mapped = mapper->Map(e.json, 1767618300000000);
        Check(mapped.ok() && std::string_view(row.id) == mapped->id);
        for (size_t c = 0; c < mapped->values.size(); ++c) {
          Check(SameValue(row.LiteralAt(c, mapper->schema().fields()[c].type), mapped->values[c]));
        }
      }
    }
    const std::string error = deferred->Validate(i);
    if (error.empty()) {
      Check(want_events.count(e.index) == 1 && want_events[e.index] == e.json && e.validated);
    } else {
      Check(want_errors.count(e.index) == 1 && want_errors[e.index] == error);
    }
  }
  Check(deferred->events.size() + deferred->errors.size() ==
        decoded->events.size() + decoded->errors.size());
  return 0;
}
