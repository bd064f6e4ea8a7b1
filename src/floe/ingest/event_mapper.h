#pragma once

// Maps one decoded event (compact JSON object text, see decoder.h) to a row of a table's schema:
// the events table of DESIGN.md by its fixed rules, any other table by column name with type
// coercion. Rules and messages: docs/ingest-formats.md.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "floe/common/result.h"
#include "floe/iceberg/types.h"
#include "floe/iceberg/values.h"

namespace floe::ingest {

struct MappedEvent {
  std::string id;                        // dedup key ("" when the event has none)
  std::vector<iceberg::Literal> values;  // one per top-level column, in schema order
};

// One value of a MappedRow. Strings view the event's text or the scratch, so a row holds no
// allocation per value; they are valid until the scratch maps the next event.
struct RowValue {
  enum class Kind : uint8_t { kUnset, kNull, kString, kTimestampTz, kLiteral };
  Kind kind = Kind::kUnset;
  std::string_view text;  // kString
  int64_t micros = 0;     // kTimestampTz
  size_t literal = 0;     // kLiteral: index in MappedRow::literals
};

// An event mapped without copies (EventMapper::MapRow), to be copied into column buffers.
struct MappedRow {
  std::string_view id;                     // dedup key ("" when the event has none)
  std::vector<RowValue> values;            // one per top-level column, in schema order
  std::vector<iceberg::Literal> literals;  // coerced values of columns filled by name

  // Value `column` as a literal of the column's type `type`.
  iceberg::Literal LiteralAt(size_t column, const iceberg::Type& type) const;
};

// Reusable parse buffers for Map(): one per thread keeps Map() free of allocations for the
// parser. Not thread-safe; never shared between threads at once.
class MapScratch {
 public:
  MapScratch();
  ~MapScratch();
  MapScratch(MapScratch&&) noexcept;
  MapScratch& operator=(MapScratch&&) noexcept;

  struct Impl;
  Impl* impl() { return impl_.get(); }

 private:
  std::unique_ptr<Impl> impl_;
};

class EventMapper {
 public:
  // Detects the events table: columns event_id, timestamp, type, source, subject, user_id,
  // session_id, data, extensions, received_at with DESIGN.md's types (ids and order free; other
  // columns beside them are filled by name). Nested columns (struct, list, map) are not
  // supported yet: kNotSupported naming the column.
  static Result<EventMapper> Make(const iceberg::Schema& schema);

  bool is_events_table() const { return events_table_; }
  const iceberg::Schema& schema() const { return schema_; }

  // Maps one event. An event that cannot be mapped (no type, a value that cannot be coerced,
  // a missing required column, not a JSON object) gives kInvalidArgument with a message naming
  // the member or column and why; the caller rejects that event only. Thread-safe: without
  // `scratch` a temporary one is used.
  Result<MappedEvent> Map(std::string_view event_json, int64_t received_at_micros,
                          MapScratch* scratch = nullptr) const;
  // Map without a copy of any value: `row` (reused from call to call) views `event_json` and
  // `scratch` until the scratch maps the next event. Same rules and errors as Map().
  // `decoded`: `event_json` is a RawEvent's text (compact, validated, kEventPadding readable bytes
  // after it), which is then read by a scan for quotes and brackets instead of a JSON parser,
  // where it lies (text the scan does not expect still goes to the parser).
  Status MapRow(std::string_view event_json, int64_t received_at_micros, MapScratch* scratch,
                MappedRow* row, bool decoded = false) const;
  // MapRow for a RawEvent whose validation DecodeBody deferred (RawEvent::validated false): the
  // scan validates the line as it maps it, one pass instead of the decoder's parse and the
  // mapper's scan. True when the line is valid and compact and the event mapped into `row`.
  // False when the scan could not decide or the event is rejected: the caller then validates it
  // (DecodedBody::Validate, which rejects it as DecodeBody would have) and maps the validated
  // text with MapRow (decoded), which gives the mapping's error. `max_depth`: the body's
  // (DecodedBody::max_depth).
  bool MapUnvalidatedRow(std::string_view event_json, int max_depth, int64_t received_at_micros,
                         MapScratch* scratch, MappedRow* row) const;

  // How a top-level column gets its value (internal; public for the implementation's helpers).
  enum class Source : uint8_t {
    kByName,  // the member of the column's name, coerced to the column's type
    kEventId,
    kTimestamp,
    kType,
    kSource,
    kSubject,
    kUserId,
    kSessionId,
    kData,
    kExtensions,
    kReceivedAt,
  };
  struct Column {
    std::string name;
    iceberg::Type type;
    bool required = false;
    Source source = Source::kByName;
  };

 private:
  EventMapper(iceberg::Schema schema, std::vector<Column> columns, bool events_table)
      : schema_(std::move(schema)), columns_(std::move(columns)), events_table_(events_table) {}

  iceberg::Schema schema_;
  std::vector<Column> columns_;
  bool events_table_ = false;
};

}  // namespace floe::ingest
