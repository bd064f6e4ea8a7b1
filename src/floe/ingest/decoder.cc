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

// The body, inflated if encoded, followed by SIMDJSON_PADDING readable bytes.
Result<Buffer> InflateBody(CodecKind encoding, std::string_view body, const DecodeLimits& limits) {
  Buffer text;
  if (encoding == CodecKind::kNone) {
    text.Reserve(body.size() + simdjson::SIMDJSON_PADDING);
    text.Append(body.data(), body.size());
  } else {
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
  }
  std::memset(text.EnsureTail(simdjson::SIMDJSON_PADDING), 0, simdjson::SIMDJSON_PADDING);
  return text;
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

class BodyDecoder {
 public:
  BodyDecoder(std::string_view text, bool padded, const DecodeLimits& limits)
      : text_(text), padded_(padded), limits_(limits), max_depth_(ClampDepth(limits.max_depth)) {}

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
  // Deeper recursion would risk the stack of small server threads, and the ondemand parser
  // tracks at most 1024 levels.
  static int ClampDepth(int depth) { return std::clamp(depth, 1, 1000); }

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

  // Appends the compact text of the validated JSON value text_[begin, end).
  void AddEvent(size_t index, const char* begin, const char* end) {
    while (end > begin && IsJsonSpace(end[-1])) --end;
    if (!out_.text) out_.text.reset(new char[text_.size() + kEventPadding]);
    // Compact texts are no longer than the body they come from, which is the room made.
    char* at = out_.text.get() + used_;
    size_t len = CompactJsonTo({begin, static_cast<size_t>(end - begin)}, at);
    used_ += len;
    out_.events.push_back(RawEvent{index, std::string_view(at, len)});
  }

  // A new result.
  void Reset() {
    out_ = DecodedBody{};
    used_ = 0;
  }

  // The result, its padding (read, never used: content does not matter, zeroes keep tools that
  // track uninitialised reads quiet) written.
  DecodedBody Finish() {
    if (out_.text) std::memset(out_.text.get() + used_, 0, kEventPadding);
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
  size_t Capacity(size_t offset) const {
    return text_.size() - offset + simdjson::SIMDJSON_PADDING;
  }

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
    // A line with the padding's worth of the body after it is parsed where it lies.
    const bool in_place = padded_ || begin + len + simdjson::SIMDJSON_PADDING <= text_.size();
    size_t capacity = in_place ? text_.size() - begin + (padded_ ? simdjson::SIMDJSON_PADDING : 0)
                               : len + simdjson::SIMDJSON_PADDING;
    if (!in_place) {
      line_.Clear();
      line_.Reserve(capacity);
      line_.Append(line, len);
      std::memset(line_.EnsureTail(simdjson::SIMDJSON_PADDING), 0, simdjson::SIMDJSON_PADDING);
      line = reinterpret_cast<const char*>(line_.data());
    }
    if (AcceptedByDom(line, len)) {
      AddEvent(index, line, line + len);
      return std::string();
    }
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
    AddEvent(index, line, line + len);
    return std::string();
  }

  // The fast path for a line: simdjson's DOM parser validates a whole document in one
  // optimized pass. Its depth limit is at least as strict as ours, so what it accepts the walk
  // would accept; anything else takes the walk, which decides and says why.
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

  std::string_view text_;
  bool padded_;  // SIMDJSON_PADDING readable bytes follow text_; else lines are copied
  const DecodeLimits& limits_;
  int max_depth_;
  od::parser parser_;
  simdjson::dom::parser dom_;
  Buffer line_;  // one padded line, when text_ is not padded
  DecodedBody out_;
  size_t used_ = 0;  // bytes of out_.text holding events
};

static_assert(kEventPadding >= simdjson::SIMDJSON_PADDING);

}  // namespace

void DecodedBody::Add(size_t index, std::string_view json) {
  std::string& copy = added.emplace_back(json.size() + kEventPadding, '\0');
  std::memcpy(copy.data(), json.data(), json.size());
  events.push_back(RawEvent{index, std::string_view(copy.data(), json.size())});
}

Result<DecodedBody> DecodeBody(std::string_view content_type, std::string_view content_encoding,
                               std::string_view body, const DecodeLimits& limits) {
  FLOE_ASSIGN_OR_RETURN(Format format, ParseContentType(content_type));
  FLOE_ASSIGN_OR_RETURN(CodecKind encoding, ParseContentEncoding(content_encoding));
  if (body.size() > limits.max_body_bytes) {
    return Status::ResourceExhausted("the body has " + std::to_string(body.size()) +
                                     " bytes, over the limit of " +
                                     std::to_string(limits.max_body_bytes));
  }
  if (body.empty()) return Status::InvalidArgument("empty body");
  if (encoding == CodecKind::kNone && format == Format::kNdjson) {
    // Lines are parsed one at a time: copying each into a small padded buffer beats copying
    // the whole body.
    BodyDecoder decoder(body, /*padded=*/false, limits);
    return decoder.Decode(format);
  }
  FLOE_ASSIGN_OR_RETURN(Buffer text, InflateBody(encoding, body, limits));
  BodyDecoder decoder(text.string_view(), /*padded=*/true, limits);
  return decoder.Decode(format);
}

}  // namespace floe::ingest
