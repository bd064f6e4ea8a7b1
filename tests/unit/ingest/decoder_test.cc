#include "floe/ingest/decoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "floe/compression/codec.h"
#include "floe/ingest/decoder_json.h"
#include "floe/util/buffer.h"

namespace floe::ingest {
namespace {

using ::testing::HasSubstr;

Result<DecodedBody> Decode(std::string_view type, std::string_view body,
                           const DecodeLimits& limits = DecodeLimits{}) {
  return DecodeBody(type, "", body, limits);
}

std::vector<std::string> Jsons(const DecodedBody& body) {
  std::vector<std::string> out;
  for (const RawEvent& e : body.events) out.emplace_back(e.json);
  return out;
}

std::string Compress(CodecKind kind, std::string_view text) {
  auto codec = MakeCodec(kind);
  EXPECT_TRUE(codec.ok());
  Buffer out;
  EXPECT_TRUE((*codec)->Compress(AsBytes(text), &out).ok());
  return std::string(out.string_view());
}

void ExpectError(const Result<DecodedBody>& r, ErrorKind kind, std::string_view text) {
  ASSERT_FALSE(r.ok()) << "decoded " << r->events.size() << " events";
  EXPECT_EQ(r.status().kind(), kind) << r.status().ToString();
  EXPECT_THAT(r.status().message(), HasSubstr(std::string(text)));
}

TEST(DecodeBodyTest, OneObjectIsCompactedAsSent) {
  auto r = Decode("application/json",
                  " {\"type\": \"a\",\n \"n\": [1, 2.50, 1e3],\t\"s\": \"x y\\u00e9\"} \n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->events.size(), 1u);
  EXPECT_EQ(r->events[0].index, 0u);
  // Number and string text stays exactly as sent; only whitespace outside strings goes.
  EXPECT_EQ(r->events[0].json, R"({"type":"a","n":[1,2.50,1e3],"s":"x y\u00e9"})");
  EXPECT_TRUE(r->errors.empty());
}

// Events view text their body owns: lines parsed where they lie (long ones, with the padding's
// worth of body after them) and copied ones (the short last lines) alike, across moves of the
// body, and events added by hand.
TEST(DecodeBodyTest, EventsViewTheirBodyAcrossMoves) {
  std::string long_value(200, 'x');
  std::string text;
  std::vector<std::string> want;
  for (int i = 0; i < 5; ++i) {
    text +=
        "{ \"type\": \"t\", \"i\": " + std::to_string(i) + ", \"v\": \"" + long_value + "\" }\n";
    want.push_back("{\"type\":\"t\",\"i\":" + std::to_string(i) + ",\"v\":\"" + long_value + "\"}");
  }
  text += "{\"type\":\"u\"}\n{\"type\":\"v\"}";
  want.push_back(R"({"type":"u"})");
  want.push_back(R"({"type":"v"})");
  auto r = Decode("application/x-ndjson", text);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  DecodedBody moved = std::move(*r);
  text.assign(text.size(), '#');  // the events do not view the request's bytes
  moved.Add(7, R"({"type":"w"})");
  moved.Add(8, "{ \"type\": \"x\", \"data\": {\"p\": {\"q\": [1, \"a b\"]}} }");
  DecodedBody again = std::move(moved);
  want.push_back(R"({"type":"w"})");
  want.push_back(R"({"type":"x","data":{"p":{"q":[1,"a b"]}}})");  // compacted, as decoded
  EXPECT_EQ(Jsons(again), want);
  EXPECT_EQ(again.events.back().index, 8u);
}

// A body handed over is decoded where it lies: its events view the body itself, compacted in
// place, and positions in errors count the body as sent even when events before them were
// compacted.
TEST(DecodeBodyTest, HandedOverBodyIsDecodedWhereItLies) {
  const std::string text =
      "{\"type\": \"a\", \"n\": [1, 2.50]}\n"
      "{\"type\":\"b\"}\n"
      "{\"type\": tru}\n"
      "  {\"type\" :\"c\",\n"
      "\t{ \"type\": \"d\", \"s\": \"x y\" }\n";
  Buffer body;
  body.Append(text);
  auto r = DecodeBody("application/x-ndjson", "", std::move(body), DecodeLimits{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_THAT(Jsons(*r), ::testing::ElementsAre(R"({"type":"a","n":[1,2.50]})", R"({"type":"b"})",
                                                R"({"type":"d","s":"x y"})"));
  const char* begin = r->text.string_view().data();
  const char* end = begin + r->text.size();
  for (const RawEvent& e : r->events) {
    EXPECT_GE(e.json.data(), begin);
    EXPECT_LE(e.json.data() + e.json.size() + kEventPadding, end + kEventPadding);
  }
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_EQ(r->errors[0].index, 2u);
  EXPECT_THAT(r->errors[0].error, HasSubstr("malformed JSON at byte 9 of the line"));
  EXPECT_EQ(r->errors[1].index, 3u);

  // A whole-body error after a compacted element still names the line and column as sent.
  Buffer array;
  array.Append(std::string_view("[{\"a\": 1,\n \"b\": 2},\n{\"c\": tru}]"));
  ExpectError(DecodeBody("application/json", "", std::move(array), DecodeLimits{}),
              ErrorKind::kInvalidArgument, "at byte 26 (line 3, column 7)");
}

TEST(DecodeBodyTest, ArrayOfEventsWithNonObjectElementsRejectedOneByOne) {
  auto r = Decode("application/json", R"([{"type":"a"}, 42, {"type":"b"}, "x", [1], null])");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_THAT(Jsons(*r), ::testing::ElementsAre(R"({"type":"a"})", R"({"type":"b"})"));
  EXPECT_EQ(r->events[0].index, 0u);
  EXPECT_EQ(r->events[1].index, 2u);
  ASSERT_EQ(r->errors.size(), 4u);
  EXPECT_EQ(r->errors[0].index, 1u);
  EXPECT_EQ(r->errors[0].error, "event is a JSON number, expected an object");
  EXPECT_EQ(r->errors[1].error, "event is a JSON string, expected an object");
  EXPECT_EQ(r->errors[2].error, "event is a JSON array, expected an object");
  EXPECT_EQ(r->errors[3].index, 5u);
  EXPECT_EQ(r->errors[3].error, "event is a JSON null, expected an object");
}

TEST(DecodeBodyTest, EmptyArrayHasNoEvents) {
  auto r = Decode("application/json", " [ ] ");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->events.empty());
  EXPECT_TRUE(r->errors.empty());
}

TEST(DecodeBodyTest, NdjsonBadLineRejectsThatEventOnly) {
  std::string body =
      "{\"type\":\"a\"}\r\n"
      "\n"
      "{\"type\": tru}\n"
      "   \n"
      "[1,2]\n"
      "{\"type\":\"b\"} {\"x\":1}\n"
      "{\"type\":\"c\",\n"
      "{\"type\":\"d\"}";
  auto r = Decode("application/x-ndjson", body);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_THAT(Jsons(*r), ::testing::ElementsAre(R"({"type":"a"})", R"({"type":"d"})"));
  EXPECT_EQ(r->events[1].index, 5u);  // blank lines do not count
  ASSERT_EQ(r->errors.size(), 4u);
  EXPECT_EQ(r->errors[0].index, 1u);
  EXPECT_THAT(r->errors[0].error, HasSubstr("malformed JSON at byte"));
  EXPECT_THAT(r->errors[0].error, HasSubstr("invalid literal"));
  EXPECT_EQ(r->errors[1].index, 2u);
  EXPECT_EQ(r->errors[1].error, "event is a JSON array, expected an object");
  EXPECT_EQ(r->errors[2].index, 3u);
  EXPECT_EQ(r->errors[2].error, "unexpected content after the event at byte 13 of the line");
  EXPECT_EQ(r->errors[3].index, 4u);
  EXPECT_THAT(r->errors[3].error, HasSubstr("malformed JSON"));
}

// With DecodeLimits::defer_line_validation, lines that start with '{' and end with '}' are left
// as sent for the reader; Validate then accepts, compacts or rejects each exactly as DecodeBody
// does when it validates the lines itself.
TEST(DecodeBodyTest, DeferredLinesValidateAsDecodedOnes) {
  const std::string body =
      "{\"type\":\"a\"}\r\n"
      "\n"
      "{\"type\": tru}\n"
      "[1,2]\n"
      "{\"type\":\"b\"} {\"x\":1}\n"
      "{\"type\":\"c\",\n"
      "  { \"type\" : \"d\", \"n\": [1, {\"e\": 2.5}] }  \n"
      "{\"a\":{\"b\":{\"c\":[]}}}\n"
      "{\"s\":\"tab\there\"}\n"
      "{\"s\":\"\\x\"}\n"
      "{\"type\":\"e\",\"n\":-0.5e+10,\"t\":[true,false,null]}";
  DecodeLimits limits;
  limits.max_depth = 3;
  auto checked = Decode("application/x-ndjson", body, limits);
  ASSERT_TRUE(checked.ok()) << checked.status().ToString();
  limits.defer_line_validation = true;
  auto deferred = Decode("application/x-ndjson", body, limits);
  ASSERT_TRUE(deferred.ok()) << deferred.status().ToString();
  EXPECT_EQ(deferred->max_depth, 3);

  // Lines that cannot be one object are rejected at once, with the same messages.
  ASSERT_EQ(deferred->errors.size(), 2u);
  EXPECT_EQ(deferred->errors[0].index, 2u);
  EXPECT_EQ(deferred->errors[0].error, "event is a JSON array, expected an object");
  EXPECT_EQ(deferred->errors[1].index, 4u);
  EXPECT_THAT(deferred->errors[1].error, HasSubstr("malformed JSON"));

  // The rest are left as sent (trimmed), then validated one by one.
  std::map<size_t, std::string> want_events;
  for (const RawEvent& e : checked->events) want_events[e.index] = std::string(e.json);
  std::map<size_t, std::string> want_errors;
  for (const EventError& e : checked->errors) want_errors[e.index] = e.error;
  ASSERT_EQ(deferred->events.size(), 8u);
  EXPECT_EQ(deferred->events[3].json, R"({ "type" : "d", "n": [1, {"e": 2.5}] })");
  for (size_t i = 0; i < deferred->events.size(); ++i) {
    RawEvent& e = deferred->events[i];
    EXPECT_FALSE(e.validated) << e.json;
    const std::string error = deferred->Validate(i);
    if (want_errors.count(e.index) != 0) {
      EXPECT_EQ(error, want_errors[e.index]) << "line " << e.index;
      EXPECT_FALSE(e.validated);
    } else {
      EXPECT_EQ(error, "") << "line " << e.index;
      EXPECT_TRUE(e.validated);
      EXPECT_EQ(e.json, want_events[e.index]) << "line " << e.index;
      EXPECT_EQ(deferred->Validate(i), "");  // once is enough
    }
  }
  // Every kind of line was in the body: accepted as sent, compacted, and each rejection.
  EXPECT_EQ(want_events.size(), 3u);
  EXPECT_EQ(want_errors[3], "unexpected content after the event at byte 13 of the line");
  EXPECT_THAT(want_errors[1], HasSubstr("invalid literal"));
  EXPECT_THAT(want_errors[6], HasSubstr("deeper than 3 levels"));
  EXPECT_THAT(want_errors[7], HasSubstr("malformed JSON at byte"));
  EXPECT_THAT(want_errors[8], HasSubstr("malformed JSON at byte"));
}

// The NDJSON fast path (simdjson's DOM parser) and the other formats' walk (its ondemand parser)
// read exponents of 19 digits or more apart: ondemand refuses those over 19 digits and wraps
// those of 19 around, the DOM parser reads their value. Every format takes what does not
// overflow (an underflow is zero, a zero mantissa is zero whatever the exponent, leading zeros
// do not count), and refuses what does.
TEST(DecodeBodyTest, ExtremeNumbersAreDecidedAlikeInEveryFormat) {
  const std::vector<std::string> taken = {
      R"({"type":"t","n":1E-99112345678901234533,"m":[-0.5e-99999999999999999999]})",
      // Found by the decoder fuzz target: taken as an NDJSON line, refused alone or in an array.
      R"({"type":"t","n":0e99999999999999999999})",
      R"({"type":"t","n":[-0.000e+1000000000000000000000]})",
      R"({"type":"t","n":1e000000000000000000001,"m":1e0000000000000000000000000000308})",
  };
  const std::vector<std::string> refused = {
      R"({"type":"t","n":1e99112345678901234533})",
      R"({"type":"t","n":1e0000000000000000000000000000309})",
      R"({"type":"t","n":12345678901234567890123e99999999999999999999})",
      // 19 exponent digits past 2^63: the ondemand parser alone reads this as 0.
      R"({"type":"t","n":1e9999999999999999999})",
  };
  for (const std::string& event : taken) {
    for (std::string_view type : {"application/x-ndjson", "application/json"}) {
      auto one = Decode(type, event);
      ASSERT_TRUE(one.ok()) << type << " " << event << ": " << one.status().ToString();
      EXPECT_EQ(one->events.size(), 1u) << type << " " << event;
      EXPECT_TRUE(one->errors.empty()) << type << " " << event << ": " << one->errors[0].error;
    }
    auto array = Decode("application/json", "[" + event + "]");
    ASSERT_TRUE(array.ok()) << event << ": " << array.status().ToString();
    EXPECT_EQ(array->events.size(), 1u) << event;
  }
  for (const std::string& event : refused) {
    auto lines = Decode("application/x-ndjson", event + "\n" + taken[0]);
    ASSERT_TRUE(lines.ok()) << event;
    ASSERT_EQ(lines->errors.size(), 1u) << event;
    EXPECT_THAT(lines->errors[0].error, HasSubstr("invalid or out-of-range number")) << event;
    ExpectError(Decode("application/json", "[" + event + "]"), ErrorKind::kInvalidArgument,
                "invalid or out-of-range number");
    ExpectError(Decode("application/json", event), ErrorKind::kInvalidArgument,
                "invalid or out-of-range number");
  }
}

TEST(DecodeBodyTest, NdjsonAliasesAndCharset) {
  for (std::string_view type :
       {"application/x-ndjson", "application/jsonl", "Application/X-NDJSON; charset=UTF-8",
        "application/x-ndjson;charset=\"utf-8\""}) {
    auto r = Decode(type, "{\"a\":1}\n{\"a\":2}\n");
    ASSERT_TRUE(r.ok()) << type << ": " << r.status().ToString();
    EXPECT_EQ(r->events.size(), 2u) << type;
  }
}

TEST(DecodeBodyTest, ApplicationJsonDetectsNdjson) {
  auto r = Decode("application/json", "{\"type\":\"a\"}\n{\"type\":\"b\"}\n{\"type\":\"c\"}\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 3u);
  EXPECT_EQ(r->events[2].index, 2u);
}

TEST(DecodeBodyTest, NoContentTypeMeansJson) {
  auto r = Decode("", R"([{"a":1},{"a":2}])");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 2u);
}

TEST(DecodeBodyTest, PrettyPrintedObjectIsOneEvent) {
  auto r =
      Decode("application/json", "{\n  \"type\": \"a\",\n  \"data\": {\n    \"k\": 1\n  }\n}\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_THAT(Jsons(*r), ::testing::ElementsAre(R"({"type":"a","data":{"k":1}})"));
}

TEST(DecodeBodyTest, CloudEventsStructuredAndBatch) {
  auto one = Decode("application/cloudevents+json; charset=utf-8",
                    R"({"specversion":"1.0","id":"1","source":"/s","type":"t"})");
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->events.size(), 1u);

  auto batch = Decode("application/cloudevents-batch+json",
                      R"([{"specversion":"1.0","id":"1","source":"/s","type":"t"},
                          {"specversion":"1.0","id":"2","source":"/s","type":"t"}])");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->events.size(), 2u);

  ExpectError(Decode("application/cloudevents+json", R"([{"id":"1"}])"),
              ErrorKind::kInvalidArgument, "must be one JSON object");
  ExpectError(Decode("application/cloudevents-batch+json", R"({"id":"1"})"),
              ErrorKind::kInvalidArgument, "must be a JSON array");
  ExpectError(Decode("application/cloudevents+json", "{\"id\":\"1\"}\n{\"id\":\"2\"}"),
              ErrorKind::kInvalidArgument, "unexpected content after the event at byte 11");
}

TEST(DecodeBodyTest, UnsupportedMediaTypes) {
  ExpectError(Decode("text/plain", "{}"), ErrorKind::kNotSupported,
              "content type \"text/plain\" is not supported");
  ExpectError(Decode("application/xml", "{}"), ErrorKind::kNotSupported, "application/x-ndjson");
  ExpectError(Decode("application/json; charset=latin1", "{}"), ErrorKind::kNotSupported,
              "charset \"latin1\" is not supported");
  ExpectError(DecodeBody("application/json", "br", "{}", DecodeLimits{}), ErrorKind::kNotSupported,
              "content encoding \"br\" is not supported");
  ExpectError(DecodeBody("application/json", "gzip, zstd", "{}", DecodeLimits{}),
              ErrorKind::kNotSupported, "content encoding");
}

TEST(DecodeBodyTest, GzipAndZstdBodies) {
  std::string ndjson;
  for (int i = 0; i < 1000; ++i) ndjson += "{\"type\":\"t\",\"i\":" + std::to_string(i) + "}\n";
  for (auto [name, kind] : {std::pair{"gzip", CodecKind::kGzip},
                            {"x-gzip", CodecKind::kGzip},
                            {"zstd", CodecKind::kZstd},
                            {"identity", CodecKind::kNone}}) {
    std::string body = kind == CodecKind::kNone ? ndjson : Compress(kind, ndjson);
    auto r = DecodeBody("application/x-ndjson", name, body, DecodeLimits{});
    ASSERT_TRUE(r.ok()) << name << ": " << r.status().ToString();
    ASSERT_EQ(r->events.size(), 1000u) << name;
    EXPECT_EQ(r->events[999].json, R"({"type":"t","i":999})");
  }
}

TEST(DecodeBodyTest, TruncatedOrCorruptCompressedBody) {
  std::string gz = Compress(CodecKind::kGzip, R"([{"type":"a"},{"type":"b"}])");
  ExpectError(DecodeBody("application/json", "gzip", gz.substr(0, gz.size() / 2), DecodeLimits{}),
              ErrorKind::kInvalidArgument, "gzip body is corrupt or truncated");
  ExpectError(DecodeBody("application/json", "gzip", "not gzip at all", DecodeLimits{}),
              ErrorKind::kInvalidArgument, "gzip body is corrupt or truncated");
  std::string zs = Compress(CodecKind::kZstd, R"([{"type":"a"},{"type":"b"}])");
  ExpectError(DecodeBody("application/json", "zstd", zs.substr(0, zs.size() - 3), DecodeLimits{}),
              ErrorKind::kInvalidArgument, "zstd body is corrupt or truncated");
}

TEST(DecodeBodyTest, CompressionBombStopsAtTheInflatedLimit) {
  // 32 MB of spaces compress to a few tens of KB; the limit is 1 MB.
  std::string bomb_text = "[" + std::string(32 << 20, ' ') + "]";
  DecodeLimits limits;
  limits.max_inflated_bytes = 1 << 20;
  for (CodecKind kind : {CodecKind::kGzip, CodecKind::kZstd}) {
    std::string bomb = Compress(kind, bomb_text);
    ASSERT_LT(bomb.size(), 512u * 1024);
    ExpectError(DecodeBody("application/json", CodecKindName(kind), bomb, limits),
                ErrorKind::kResourceExhausted, "inflates to more than 1048576 bytes");
  }
}

TEST(DecodeBodyTest, BodyOverTheLimit) {
  DecodeLimits limits;
  limits.max_body_bytes = 10;
  ExpectError(Decode("application/json", R"({"type":"abcdef"})", limits),
              ErrorKind::kResourceExhausted, "the body has 17 bytes, over the limit of 10");
}

TEST(DecodeBodyTest, TooManyEvents) {
  DecodeLimits limits;
  limits.max_events = 2;
  ExpectError(Decode("application/json", "[{},{},{}]", limits), ErrorKind::kResourceExhausted,
              "more than 2 events");
  ExpectError(Decode("application/x-ndjson", "{}\n{}\n{}\n", limits), ErrorKind::kResourceExhausted,
              "more than 2 events");
  EXPECT_TRUE(Decode("application/x-ndjson", "{}\n{}\n\n", limits).ok());
}

TEST(DecodeBodyTest, EmptyBody) {
  for (std::string_view type :
       {"application/json", "application/x-ndjson", "application/cloudevents+json"}) {
    ExpectError(Decode(type, ""), ErrorKind::kInvalidArgument, "empty body");
    ExpectError(Decode(type, " \r\n\t\n"), ErrorKind::kInvalidArgument, "empty body");
  }
  ExpectError(
      DecodeBody("application/json", "gzip", Compress(CodecKind::kGzip, "\n"), DecodeLimits{}),
      ErrorKind::kInvalidArgument, "empty body");
}

TEST(DecodeBodyTest, MalformedJsonSaysWhere) {
  ExpectError(Decode("application/json", "[{\"type\":\"a\"},\n {\"type\": tru}]"),
              ErrorKind::kInvalidArgument, "(line 2, column");
  ExpectError(Decode("application/json", "[{\"type\":\"a\"},\n {\"type\": tru}]"),
              ErrorKind::kInvalidArgument, "invalid literal");
  ExpectError(Decode("application/json", R"([{"a":1},])"), ErrorKind::kInvalidArgument,
              "malformed JSON at byte");
  ExpectError(Decode("application/json", R"({"a":1)"), ErrorKind::kInvalidArgument,
              "malformed JSON");
  ExpectError(Decode("application/json", R"([{"a":1}] [])"), ErrorKind::kInvalidArgument,
              "unexpected content after the JSON array at byte 10 (line 1, column 11)");
  ExpectError(Decode("application/json", R"({"a":"unclosed})"), ErrorKind::kInvalidArgument,
              "malformed JSON at byte 5 (line 1, column 6): unclosed string");
  ExpectError(Decode("application/json", "{\"a\":\"x\ty\"}"), ErrorKind::kInvalidArgument,
              "at byte 7 (line 1, column 8): control character inside a string");
  ExpectError(Decode("application/json", R"({"a":01})"), ErrorKind::kInvalidArgument,
              "invalid or out-of-range number");
  ExpectError(Decode("application/json", R"({"a":"\x"})"), ErrorKind::kInvalidArgument,
              "invalid escape sequence");
  ExpectError(Decode("application/json", R"({"a" 1})"), ErrorKind::kInvalidArgument,
              "malformed JSON");
  ExpectError(Decode("application/json", "42"), ErrorKind::kInvalidArgument,
              "must be a JSON object, an array of objects or NDJSON; it starts with '4' at byte 0");
}

TEST(DecodeBodyTest, InvalidUtf8SaysWhere) {
  std::string body = "[{\"type\":\"a\"},\n{\"type\":\"caf\xC3\"}]";
  ExpectError(Decode("application/json", body), ErrorKind::kInvalidArgument,
              "invalid UTF-8 at byte 27 (line 2, column 13)");
  // Overlong encodings and surrogates are invalid too.
  ExpectError(Decode("application/x-ndjson", "{\"a\":\"\xC0\xAF\"}"), ErrorKind::kInvalidArgument,
              "invalid UTF-8 at byte 6");
  ExpectError(Decode("application/x-ndjson", "{\"a\":\"\xED\xA0\x80\"}"),
              ErrorKind::kInvalidArgument, "invalid UTF-8 at byte 6");
  // Escaped code points are fine, a lone escaped surrogate is not.
  EXPECT_TRUE(Decode("application/json", R"({"a":"\ud83d\ude00 \u00e9"})").ok());
  ExpectError(Decode("application/json", R"({"a":"\ud800"})"), ErrorKind::kInvalidArgument,
              "invalid escape sequence");
}

TEST(DecodeBodyTest, NestingDeeperThanTheLimit) {
  std::string deep = std::string(10000, '[') + std::string(10000, ']');
  ExpectError(Decode("application/json", "[{\"type\":\"a\",\"d\":" + deep + "}]"),
              ErrorKind::kInvalidArgument, "deeper than 64 levels");
  ExpectError(Decode("application/json", "{\"d\":" + deep + "}"), ErrorKind::kInvalidArgument,
              "deeper than 64 levels");
  ExpectError(Decode("application/json", deep), ErrorKind::kInvalidArgument,
              "deeper than 64 levels");
  // NDJSON judges each line alone.
  auto r = Decode("application/x-ndjson", "{\"d\":" + deep + "}\n{\"type\":\"a\"}\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 1u);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_THAT(r->errors[0].error, HasSubstr("deeper than 64 levels"));

  DecodeLimits limits;
  limits.max_depth = 3;  // array, event object, one more level
  EXPECT_TRUE(Decode("application/json", R"([{"a":{"b":1}}])", limits).ok());
  ExpectError(Decode("application/json", R"([{"a":{"b":[]}}])", limits),
              ErrorKind::kInvalidArgument, "deeper than 3 levels");
  // NDJSON lines: the event object is level 1.
  for (int depth = 1; depth <= 70; ++depth) {
    std::string line =
        "{\"a\":" + std::string(depth - 1, '[') + "1" + std::string(depth - 1, ']') + "}";
    if (depth == 1) line = "{\"a\":1}";
    auto nd = Decode("application/x-ndjson", line);
    ASSERT_TRUE(nd.ok()) << nd.status().ToString();
    if (depth <= 64) {
      EXPECT_EQ(nd->events.size(), 1u) << depth;
    } else {
      ASSERT_EQ(nd->errors.size(), 1u) << depth;
      EXPECT_THAT(nd->errors[0].error, HasSubstr("deeper than 64 levels")) << depth;
    }
  }
}

TEST(DecodeBodyTest, MegabyteStringIsAccepted) {
  std::string big(1 << 20, 'x');
  auto r = Decode("application/json", "{\"type\":\"a\",\"s\":\"" + big + "\"}");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->events.size(), 1u);
  EXPECT_EQ(r->events[0].json.size(), big.size() + 19);
}

TEST(DecodeBodyTest, BigNumbersKeepTheirText) {
  auto r = Decode("application/json", R"({"n":123456789012345678901234567890,"f":-0.0e-5})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events[0].json, R"({"n":123456789012345678901234567890,"f":-0.0e-5})");
}

TEST(DecodeBodyTest, TrailingContentAfterArray) {
  ExpectError(Decode("application/json", "[{\"a\":1}]\n{\"b\":2}"), ErrorKind::kInvalidArgument,
              "malformed JSON");
}

// Both forms of the scan for a string's end stop where a byte loop does: at every position and
// length, with the stop byte (a quote, a backslash, each control character, or none) anywhere, and
// nothing read past the end mistaken for a stop (the bytes after `end` are all stops here).
TEST(FindStringStopTest, BothFormsStopWhereAByteLoopDoes) {
  auto naive = [](const char* p, const char* end) {
    while (p != end && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20) ++p;
    return p;
  };
  std::mt19937 rng(7);
  std::vector<char> stops = {'"', '\\'};
  for (int c = 0; c < 0x20; ++c) stops.push_back(static_cast<char>(c));
  // Plain bytes: printable ASCII other than the stops, and UTF-8 bytes >= 0x80 (signed chars
  // below zero, which a signed comparison would take for control characters).
  std::vector<char> plain;
  for (int c = 0x20; c < 0x100; ++c) {
    if (c != '"' && c != '\\') plain.push_back(static_cast<char>(c));
  }
  int checked = 0;
  for (size_t len = 0; len <= 100; ++len) {
    for (size_t offset = 0; offset < 4; ++offset) {
      for (int round = 0; round < 12; ++round) {
        std::string text(offset + len + 64, '"');
        for (size_t i = 0; i < len; ++i) text[offset + i] = plain[rng() % plain.size()];
        // Round 0: no stop in range; else one (sometimes two) stops at random places.
        for (int k = 0; k < (round == 0 ? 0 : 1 + round % 2) && len > 0; ++k) {
          text[offset + rng() % len] = stops[rng() % stops.size()];
        }
        const char* p = text.data() + offset;
        const char* end = p + len;
        const char* want = naive(p, end);
        ASSERT_EQ(FindStringStop(p, end), want) << "len " << len << " round " << round;
        ASSERT_EQ(FindStringStopPortable(p, end), want) << "len " << len << " round " << round;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 101 * 4 * 12);
}

}  // namespace
}  // namespace floe::ingest
