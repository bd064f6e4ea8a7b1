#pragma once

// Decoding of an ingest request body (POST /v1/events) into single events: the JSON formats and
// content encodings of DESIGN.md, with limits on size, depth and count. Formats, rules and every
// error message: docs/ingest-formats.md.

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "floe/common/result.h"
#include "floe/util/buffer.h"

namespace floe::ingest {

struct DecodeLimits {
  // The body as received (before Content-Encoding); over it: kResourceExhausted (413).
  size_t max_body_bytes = 16 * 1024 * 1024;
  // The body after gzip/zstd; inflation stops at this size (bombs): kResourceExhausted (413).
  size_t max_inflated_bytes = 64 * 1024 * 1024;
  // Nesting of arrays and objects, the top level counting 1 (an event object inside a batch
  // array is at depth 2); deeper: kInvalidArgument (400), or for NDJSON that line rejected.
  // Values above 1000 count as 1000.
  int max_depth = 64;
  // Events (array elements or NDJSON lines) in one body; more: kResourceExhausted (413).
  size_t max_events = 100000;
  // Not a limit: NDJSON lines that start with '{' and end with '}' are left unvalidated
  // (RawEvent::validated false) for a reader that validates them as it reads them. The collector
  // does (EventMapper::MapUnvalidatedRow): one pass over an event's text instead of a parse here
  // and a scan there, which took a fifth of `floe ingest`'s CPU. Off: every event is validated
  // here.
  bool defer_line_validation = false;
};

// Readable bytes that follow every event's text in a DecodedBody, so a JSON parser that reads
// ahead (simdjson's padding) can parse it where it lies. Their content does not matter.
inline constexpr size_t kEventPadding = 64;

// One event as compact JSON object text (no whitespace outside strings, the member order and the
// text of every number and string as sent), validated: it parses as JSON. `json` views text its
// DecodedBody owns, followed by kEventPadding readable bytes.
// An event whose validation was deferred (DecodeLimits::defer_line_validation) is its line as
// sent, trimmed: neither validated nor compacted until DecodedBody::Validate.
struct RawEvent {
  size_t index = 0;  // position in the body: array element or non-blank NDJSON line, from 0
  std::string_view json;
  bool validated = true;
};

// An event of the body that was rejected on its own (the rest of the batch stands).
struct EventError {
  size_t index = 0;
  std::string error;
};

class LineChecker;  // decoder.cc

// Events and rejected events, each in body order. Moving a body keeps its events' views valid;
// it cannot be copied. Events come from DecodeBody or Add, which keep their text (and the padding
// after it) in the body: the collector parses them where they lie.
struct DecodedBody {
  DecodedBody();
  ~DecodedBody();
  DecodedBody(DecodedBody&&) noexcept;
  DecodedBody& operator=(DecodedBody&&) noexcept;

  std::vector<RawEvent> events;
  std::vector<EventError> errors;
  // The nesting limit the body was decoded with (DecodeLimits::max_depth, clamped to 1..1000).
  int max_depth = 64;

  // Validates events[i] as DecodeBody does when it does not defer: "" when the event is one JSON
  // object, which is then compacted in place and marked validated; else why it is rejected, the
  // message DecodeBody would have given for that line. Nothing to do for a validated event.
  std::string Validate(size_t i);

  // Appends an event whose text (valid JSON) is copied, compacted, into the body (for bodies
  // made by hand).
  void Add(size_t index, std::string_view json);

  // The body DecodeBody decoded (inflated, when it was encoded), which its events view: each
  // event was compacted where it lay, so nothing is copied event by event.
  Buffer text;
  // The texts Add copied.
  std::deque<std::string> added;

 private:
  std::unique_ptr<LineChecker> checker_;  // Validate's parsers, made on first use
};

// Decodes a request body. `content_type` is the Content-Type header as sent (parameters such as
// "; charset=utf-8" allowed; empty means application/json); `content_encoding` the
// Content-Encoding header ("", "identity", "gzip", "zstd").
// Whole-body errors: kInvalidArgument (400: malformed JSON with the byte offset, line and
// column; empty body; corrupt or truncated gzip/zstd; invalid UTF-8 with its offset; nesting
// deeper than max_depth), kNotSupported (415: content type or encoding), kResourceExhausted
// (413: body, inflated body or event count over the limits).
Result<DecodedBody> DecodeBody(std::string_view content_type, std::string_view content_encoding,
                               std::string_view body, const DecodeLimits& limits);
// The same for a body handed over, which the result keeps and its events view: the body is not
// copied (an encoded body is inflated into a buffer of its own).
Result<DecodedBody> DecodeBody(std::string_view content_type, std::string_view content_encoding,
                               Buffer body, const DecodeLimits& limits);

}  // namespace floe::ingest
