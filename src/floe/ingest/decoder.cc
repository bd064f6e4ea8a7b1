#include "floe/ingest/decoder.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "floe/compression/codec.h"
#include "floe/ingest/decoder_json.h"
#include "floe/util/buffer.h"

namespace floe::ingest {
namespace {

namespace od = simdjson::ondemand;

enum class Format { kAuto, kNdjson, kCloudEvent, kCloudEventBatch };

constexpr std::string_view kSupportedTypes =
    "application/json, application/x-ndjson, application/cloudevents+json or "
    "application/cloudevents-batch+json";

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string LowerTrimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

Result<Format> ParseContentType(std::string_view header) {
  std::string_view rest = header;
  size_t semi = rest.find(';');
  std::string media = LowerTrimmed(rest.substr(0, semi));
  // Parameters: only a UTF-8 charset is meaningful for JSON; others (e.g. boundary) are ignored.
  while (semi != std::string_view::npos) {
    rest.remove_prefix(semi + 1);
    semi = rest.find(';');
    std::string param = LowerTrimmed(rest.substr(0, semi));
    if (param.rfind("charset=", 0) != 0) continue;
    std::string charset = param.substr(8);
    if (charset.size() >= 2 && charset.front() == '"' && charset.back() == '"') {
      charset = charset.substr(1, charset.size() - 2);
    }
    if (charset != "utf-8" && charset != "utf8") {
      return Status::NotSupported("charset \"" + charset + "\" is not supported: send UTF-8");
    }
  }
  if (media.empty() || media == "application/json") return Format::kAuto;
  if (media == "application/x-ndjson" || media == "application/ndjson" ||
      media == "application/jsonl" || media == "application/x-jsonlines" ||
      media == "application/jsonlines") {
    return Format::kNdjson;
  }
  if (media == "application/cloudevents+json") return Format::kCloudEvent;
  if (media == "application/cloudevents-batch+json") return Format::kCloudEventBatch;
  return Status::NotSupported("content type \"" + std::string(header) +
                              "\" is not supported: use " + std::string(kSupportedTypes));
}

Result<CodecKind> ParseContentEncoding(std::string_view header) {
  std::string enc = LowerTrimmed(header);
  if (enc.empty() || enc == "identity") return CodecKind::kNone;
  if (enc == "gzip" || enc == "x-gzip") return CodecKind::kGzip;
  if (enc == "zstd") return CodecKind::kZstd;
  return Status::NotSupported("content encoding \"" + std::string(header) +
                              "\" is not supported: use gzip, zstd or none");
}

// The body inflated from `encoding`.
Result<Buffer> InflateBody(CodecKind encoding, std::string_view body, const DecodeLimits& limits) {
  Buffer text;
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<Codec> codec, MakeCodec(encoding));
  std::string_view name = CodecKindName(encoding);
  Status s = codec->DecompressUnbounded(AsBytes(body), limits.max_inflated_bytes, &text);
  if (s.kind() == ErrorKind::kResourceExhausted) {
    return Status::ResourceExhausted(std::string(name) + " body inflates to more than " +
                                     std::to_string(limits.max_inflated_bytes) +
                                     " bytes (the limit)");
  }
  if (!s.ok()) {
    return Status::InvalidArgument(std::string(name) + " body is corrupt or truncated (" +
                                   s.message() + ")");
  }
  return text;
}

// Zeroes kEventPadding bytes after the text (read by the parser, never used: zeroes keep tools
// that track uninitialised reads quiet).
void Pad(Buffer* text) { std::memset(text->EnsureTail(kEventPadding), 0, kEventPadding); }

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

// Checks NDJSON lines: whether each is one JSON object (nesting within the limit), and if not,
// why the line is rejected; compacts events where they lie.
class LineChecker {
 public:
  // `max_depth` as clamped by the decoder.
  explicit LineChecker(int max_depth) : max_depth_(max_depth) {}

  // "" when the line [line, line + len) is one JSON object; else why it is rejected. `capacity`
  // readable bytes follow `line` (at least len + SIMDJSON_PADDING): it is parsed where it lies.
  std::string Check(const char* line, size_t len, size_t capacity) {
    if (AcceptedByDom(line, len)) return std::string();
    od::document doc;
    simdjson::error_code err = parser_.iterate(line, len, capacity).get(doc);
    od::document* parsed = err ? nullptr : &doc;
    od::json_type type = od::json_type::object;
    if (!err) err = doc.type().get(type);
    if (!err && type != od::json_type::object) {
      return "event is a JSON " + std::string(TypeName(type)) + ", expected an object";
    }
    od::object object;
    if (!err) err = doc.get_object().get(object);
    if (!err) err = WalkObject(object, 1, max_depth_);
    const char* trailing = nullptr;
    if (!err && doc.current_location().get(trailing) == simdjson::SUCCESS) {
      size_t at = static_cast<size_t>(trailing - line);
      return "unexpected content after the event at byte " + std::to_string(at) + " of the line";
    }
    if (err) {
      size_t at = ErrorOffset(err, {line, len}, parsed);
      if (err == simdjson::DEPTH_ERROR) {
        return "the event nests arrays and objects deeper than " + std::to_string(max_depth_) +
               " levels at byte " + std::to_string(at) + " of the line";
      }
      return "malformed JSON at byte " + std::to_string(at) + " of the line: " + JsonErrorText(err);
    }
    return std::string();
  }

  // The event `json` (validated), compacted where it lies: compact text is never longer.
  std::string_view CompactInPlace(std::string_view json, char* at) {
    if (IsCompactJson(json)) return json;  // as events mostly are
    scratch_.Resize(json.size());
    const size_t len = CompactJsonTo(json, reinterpret_cast<char*>(scratch_.data()));
    std::memcpy(at, scratch_.data(), len);
    return {at, len};
  }

 private:
  // The fast path: simdjson's DOM parser validates a whole document in one optimized pass. Its
  // depth limit is at least as strict as ours, so what it accepts the walk would accept; anything
  // else takes the walk, which decides and says why.
  bool AcceptedByDom(const char* line, size_t len) {
    if (line[0] != '{') return false;
    if (len > dom_.capacity() || dom_.max_depth() != static_cast<size_t>(max_depth_)) {
      if (dom_.allocate(std::max<size_t>(len, 64 * 1024), max_depth_) != simdjson::SUCCESS) {
        return false;
      }
    }
    simdjson::dom::element root;
    return dom_.parse(reinterpret_cast<const uint8_t*>(line), len, false).get(root) ==
               simdjson::SUCCESS &&
           root.is_object();
  }

  int max_depth_;
  od::parser parser_;
  simdjson::dom::parser dom_;
  Buffer scratch_;  // one event's compact text, on its way back into the body
};

namespace {

// Deeper recursion would risk the stack of small server threads, and the ondemand parser
// tracks at most 1024 levels.
int ClampDepth(int depth) { return std::clamp(depth, 1, 1000); }

// Decodes a body it owns where it lies: events are parsed in place and, once the whole body is
// decoded, compacted in place (compact text is never longer), so the result views the body itself.
class BodyDecoder {
 public:
  // `text` is followed by kEventPadding readable bytes.
  BodyDecoder(Buffer text, const DecodeLimits& limits)
      : body_(std::move(text)),
        text_(body_.string_view()),
        limits_(limits),
        max_depth_(ClampDepth(limits.max_depth)),
        lines_(max_depth_) {}

  Result<DecodedBody> Decode(Format format) {
    size_t first = 0;
    while (first < text_.size() && IsJsonSpace(text_[first])) ++first;
    if (first == text_.size()) return Status::InvalidArgument("empty body");
    if (!simdjson::validate_utf8(text_.data(), text_.size())) {
      size_t at = FirstInvalidUtf8(text_);
      return Status::InvalidArgument("invalid UTF-8 at byte " + std::to_string(at) + " " +
                                     LineColumn(at));
    }
    switch (format) {
      case Format::kNdjson: return DecodeNdjson();
      case Format::kCloudEventBatch:
        if (text_[first] != '[') {
          return Status::InvalidArgument(
              "an application/cloudevents-batch+json body must be a JSON array");
        }
        return DecodeArray();
      case Format::kCloudEvent:
        if (text_[first] != '{') {
          return Status::InvalidArgument(
              "an application/cloudevents+json body must be one JSON object");
        }
        return DecodeSingle(/*may_be_ndjson=*/false);
      case Format::kAuto:
        if (text_[first] == '[') return DecodeArray();
        if (text_[first] == '{') return DecodeSingle(/*may_be_ndjson=*/true);
        return Status::InvalidArgument(
            "the body must be a JSON object, an array of objects or NDJSON; it starts with " +
            Quote(text_[first]) + " at byte " + std::to_string(first));
    }
    return Status::Internal("unknown body format");
  }

 private:
  static std::string Quote(char c) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      static const char* kHex = "0123456789abcdef";
      unsigned char u = static_cast<unsigned char>(c);
      return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 15];
    }
    return std::string("'") + c + "'";
  }

  // "(line 3, column 7)" of a byte offset in the body, both from 1.
  std::string LineColumn(size_t offset) const {
    offset = std::min(offset, text_.size());
    size_t line = 1 + static_cast<size_t>(std::count(text_.begin(), text_.begin() + offset, '\n'));
    size_t line_start = text_.rfind('\n', offset == 0 ? 0 : offset - 1);
    line_start = (line_start == std::string_view::npos || offset == 0) ? 0 : line_start + 1;
    if (offset > 0 && text_[offset - 1] == '\n') line_start = offset;
    return "(line " + std::to_string(line) + ", column " + std::to_string(offset - line_start + 1) +
           ")";
  }

  // `doc_start` is where the document being parsed begins in text_.
  Status Malformed(simdjson::error_code code, size_t doc_start, size_t doc_len, od::document* doc,
                   std::string_view what) const {
    size_t at = ErrorOffset(code, text_.substr(doc_start, doc_len), doc) + doc_start;
    if (code == simdjson::DEPTH_ERROR) {
      return Status::InvalidArgument(std::string(what) + " nests arrays and objects deeper than " +
                                     std::to_string(max_depth_) + " levels at byte " +
                                     std::to_string(at) + " " + LineColumn(at));
    }
    return Status::InvalidArgument("malformed JSON at byte " + std::to_string(at) + " " +
                                   LineColumn(at) + ": " + JsonErrorText(code));
  }

  // Adds the validated JSON value text_[begin, end) as an event; Finish compacts it. Texts are
  // compacted only then, so that positions in error messages count the body as sent.
  // `validated` false: the line's validation is deferred (DecodeLimits::defer_line_validation),
  // and Finish leaves it as sent.
  void AddEvent(size_t index, const char* begin, const char* end, bool validated = true) {
    while (end > begin && IsJsonSpace(end[-1])) --end;
    out_.events.push_back(
        RawEvent{index, std::string_view(begin, static_cast<size_t>(end - begin)), validated});
  }

  // A new result.
  void Reset() { out_ = DecodedBody{}; }

  // The result: every validated event compacted where it lies, and the body handed over.
  DecodedBody Finish() {
    char* base = reinterpret_cast<char*>(body_.data());
    out_.max_depth = max_depth_;
    for (RawEvent& e : out_.events) {
      if (e.validated) e.json = lines_.CompactInPlace(e.json, base + (e.json.data() - text_.data()));
    }
    out_.text = std::move(body_);
    return std::move(out_);
  }

  Status CountEvent(size_t index) {
    if (index >= limits_.max_events) {
      return Status::ResourceExhausted("the body has more than " +
                                       std::to_string(limits_.max_events) +
                                       " events (the limit per request)");
    }
    return Status::OK();
  }

  const char* End() const { return text_.data() + text_.size(); }
  size_t Capacity(size_t offset) const { return text_.size() - offset + kEventPadding; }

  // One object, or (for application/json) NDJSON when more follows the first object.
  Result<DecodedBody> DecodeSingle(bool may_be_ndjson) {
    od::document doc;
    simdjson::error_code err = parser_.iterate(text_.data(), text_.size(), Capacity(0)).get(doc);
    od::document* parsed = err ? nullptr : &doc;
    od::object object;
    if (!err) err = doc.get_object().get(object);
    if (!err) err = WalkObject(object, 1, max_depth_);
    if (err) return Malformed(err, 0, text_.size(), parsed, "the event");
    const char* end = nullptr;
    if (doc.current_location().get(end) == simdjson::SUCCESS) {
      if (may_be_ndjson) return DecodeNdjson();
      size_t at = static_cast<size_t>(end - text_.data());
      return Status::InvalidArgument("unexpected content after the event at byte " +
                                     std::to_string(at) + " " + LineColumn(at));
    }
    AddEvent(0, FirstNonSpace(0), End());
    return Finish();
  }

  const char* FirstNonSpace(size_t from) const {
    while (from < text_.size() && IsJsonSpace(text_[from])) ++from;
    return text_.data() + from;
  }

  Result<DecodedBody> DecodeArray() {
    od::document doc;
    simdjson::error_code err = parser_.iterate(text_.data(), text_.size(), Capacity(0)).get(doc);
    od::document* parsed = err ? nullptr : &doc;
    od::array array;
    if (!err) err = doc.get_array().get(array);
    size_t index = 0;
    if (!err && max_depth_ < 2) err = simdjson::DEPTH_ERROR;
    if (!err) {
      for (auto element : array) {
        od::value value;
        if ((err = element.get(value))) break;
        FLOE_RETURN_IF_ERROR(CountEvent(index));
        od::json_type type;
        if ((err = value.type().get(type))) break;
        const char* begin = value.raw_json_token().data();
        if ((err = Walk(value, 2, max_depth_))) break;
        if (type == od::json_type::object) {
          const char* end = nullptr;
          if (doc.current_location().get(end) != simdjson::SUCCESS) end = End();
          AddEvent(index, begin, end);
        } else {
          out_.errors.push_back(
              {index, "event is a JSON " + std::string(TypeName(type)) + ", expected an object"});
        }
        ++index;
      }
    }
    if (err) return Malformed(err, 0, text_.size(), parsed, "the body");
    const char* end = nullptr;
    if (doc.current_location().get(end) == simdjson::SUCCESS) {
      size_t at = static_cast<size_t>(end - text_.data());
      return Status::InvalidArgument("unexpected content after the JSON array at byte " +
                                     std::to_string(at) + " " + LineColumn(at));
    }
    return Finish();
  }

  // One event per line; a line that is not a JSON object is rejected on its own.
  Result<DecodedBody> DecodeNdjson() {
    Reset();
    size_t index = 0;
    size_t pos = 0;
    while (pos < text_.size()) {
      size_t nl = text_.find('\n', pos);
      if (nl == std::string_view::npos) nl = text_.size();
      size_t begin = pos;
      size_t end = nl;
      pos = nl + 1;
      while (begin < end && IsJsonSpace(text_[begin])) ++begin;
      while (end > begin && IsJsonSpace(text_[end - 1])) --end;
      if (begin == end) continue;
      FLOE_RETURN_IF_ERROR(CountEvent(index));
      std::string error = DecodeLine(index, begin, end - begin);
      if (!error.empty()) out_.errors.push_back({index, std::move(error)});
      ++index;
    }
    if (index == 0) return Status::InvalidArgument("empty body");
    return Finish();
  }

  // Adds the event of text_[begin, begin + len), or returns why the line is rejected.
  std::string DecodeLine(size_t index, size_t begin, size_t len) {
    const char* line = text_.data() + begin;
    if (limits_.defer_line_validation && line[0] == '{' && line[len - 1] == '}') {
      AddEvent(index, line, line + len, /*validated=*/false);
      return std::string();
    }
    std::string error = lines_.Check(line, len, Capacity(begin));
    if (error.empty()) AddEvent(index, line, line + len);
    return error;
  }

  Buffer body_;             // the body, until Finish hands it to the result
  std::string_view text_;   // its text, followed by kEventPadding readable bytes
  const DecodeLimits& limits_;
  int max_depth_;
  od::parser parser_;
  LineChecker lines_;
  DecodedBody out_;
};

static_assert(kEventPadding >= simdjson::SIMDJSON_PADDING);

}  // namespace

DecodedBody::DecodedBody() = default;
DecodedBody::~DecodedBody() = default;
DecodedBody::DecodedBody(DecodedBody&&) noexcept = default;
DecodedBody& DecodedBody::operator=(DecodedBody&&) noexcept = default;

std::string DecodedBody::Validate(size_t i) {
  RawEvent& e = events[i];
  if (e.validated) return std::string();
  // Deferred events come from DecodeBody only: each views `text`, which is followed by
  // kEventPadding readable bytes.
  char* base = reinterpret_cast<char*>(text.data());
  char* at = base + (e.json.data() - base);
  const size_t capacity = text.size() - static_cast<size_t>(at - base) + kEventPadding;
  if (!checker_) checker_ = std::make_unique<LineChecker>(max_depth);
  std::string error = checker_->Check(at, e.json.size(), capacity);
  if (!error.empty()) return error;
  e.json = checker_->CompactInPlace(e.json, at);
  e.validated = true;
  return std::string();
}

void DecodedBody::Add(size_t index, std::string_view json) {
  std::string& copy = added.emplace_back(json.size() + kEventPadding, '\0');
  // Compacted, as DecodeBody's events are (the mapper reads them as compact text).
  size_t len = CompactJsonTo(json, copy.data());
  events.push_back(RawEvent{index, std::string_view(copy.data(), len)});
}

namespace {

struct BodyKind {
  Format format;
  CodecKind encoding;
};

// The headers' meaning, and the body's size checked, before anything is copied.
Result<BodyKind> CheckBody(std::string_view content_type, std::string_view content_encoding,
                           size_t size, const DecodeLimits& limits) {
  FLOE_ASSIGN_OR_RETURN(Format format, ParseContentType(content_type));
  FLOE_ASSIGN_OR_RETURN(CodecKind encoding, ParseContentEncoding(content_encoding));
  if (size > limits.max_body_bytes) {
    return Status::ResourceExhausted("the body has " + std::to_string(size) +
                                     " bytes, over the limit of " +
                                     std::to_string(limits.max_body_bytes));
  }
  if (size == 0) return Status::InvalidArgument("empty body");
  return BodyKind{format, encoding};
}

Result<DecodedBody> DecodeChecked(BodyKind kind, Buffer body, const DecodeLimits& limits) {
  if (kind.encoding != CodecKind::kNone) {
    FLOE_ASSIGN_OR_RETURN(body, InflateBody(kind.encoding, body.string_view(), limits));
  }
  Pad(&body);
  BodyDecoder decoder(std::move(body), limits);
  return decoder.Decode(kind.format);
}

}  // namespace

Result<DecodedBody> DecodeBody(std::string_view content_type, std::string_view content_encoding,
                               Buffer body, const DecodeLimits& limits) {
  FLOE_ASSIGN_OR_RETURN(BodyKind kind,
                        CheckBody(content_type, content_encoding, body.size(), limits));
  return DecodeChecked(kind, std::move(body), limits);
}

Result<DecodedBody> DecodeBody(std::string_view content_type, std::string_view content_encoding,
                               std::string_view body, const DecodeLimits& limits) {
  FLOE_ASSIGN_OR_RETURN(BodyKind kind, CheckBody(content_type, content_encoding, body.size(), limits));
  Buffer copy;
  if (kind.encoding == CodecKind::kNone) {
    copy.Reserve(body.size() + kEventPadding);
    copy.Append(body);
    return DecodeChecked(kind, std::move(copy), limits);
  }
  // Inflated straight from the caller's bytes.
  FLOE_ASSIGN_OR_RETURN(copy, InflateBody(kind.encoding, body, limits));
  return DecodeChecked(BodyKind{kind.format, CodecKind::kNone}, std::move(copy), limits);
}

}  // namespace floe::ingest
