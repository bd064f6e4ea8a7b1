// S3Store: the conformance suite against a real s3rver (directly, and through a transport that
// fails 10 % of requests), and the protocol details (errors, retries, addressing, batching)
// against a scripted transport.
#include "floe/io/s3_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <random>

#include "floe/io/s3_store_xml.h"
#include "floe/io/store_registry.h"
#include "support/flaky_transport.h"
#include "support/s3rver_server.h"
#include "unit/io/object_store_conformance.h"

namespace floe::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kBucket[] = "floe-test";
constexpr char kSecret[] = "s3rver-secret-never-logged";

// One s3rver for the whole test program: starting node costs about a second.
S3rverServer* SharedS3rver() {
  static std::unique_ptr<S3rverServer> server = [] {
    auto started = S3rverServer::Start(kBucket);
    if (!started.ok()) {
      ADD_FAILURE() << started.status().ToString();
      return std::unique_ptr<S3rverServer>();
    }
    return std::move(started).value();
  }();
  return server.get();
}

std::string FreshPrefix() {
  static std::atomic<int> next{0};
  return "s3://" + std::string(kBucket) + "/run-" + std::to_string(::getpid()) + "-" +
         std::to_string(next++) + "/";
}

S3Options S3rverOptions(const Clock* clock) {
  S3Options options;
  options.endpoint = SharedS3rver() ? SharedS3rver()->endpoint() : "http://127.0.0.1:1";
  // s3rver knows this key id (it checks the id, not the signature).
  options.credentials = {"S3RVER", kSecret, ""};
  options.conditional_put = S3ConditionalPut::kEmulated;
  options.part_size_bytes = 256 << 10;  // several parts in CreateStreamsALargeObject
  options.prefetch_bytes = 64 << 10;
  options.clock = clock;
  return options;
}

StoreUnderTest MakeS3rver() {
  auto store = S3Store::Make(kBucket, S3rverOptions(nullptr));
  if (!store.ok()) ADD_FAILURE() << store.status().ToString();
  StoreUnderTest out{std::shared_ptr<ObjectStore>(std::move(store).value()), FreshPrefix(),
                     nullptr};
  out.torn_reads_possible = true;
  return out;
}

// Starts at the real time (s3rver rejects requests more than 15 minutes off); backoff sleeps
// advance it without waiting.
std::shared_ptr<FakeClock> NowFakeClock() {
  return std::make_shared<FakeClock>(SystemClock().NowMicros());
}

StoreUnderTest MakeFlakyS3rver() {
  auto clock = NowFakeClock();
  S3Options options = S3rverOptions(clock.get());
  options.max_attempts = 12;
  auto flaky = std::make_shared<FlakyTransport>(MakeCurlTransport(options.http), 0.10,
                                                ::testing::UnitTest::GetInstance()->random_seed());
  auto store = S3Store::Make(kBucket, options, flaky);
  if (!store.ok()) ADD_FAILURE() << store.status().ToString();
  StoreUnderTest out{
      std::shared_ptr<ObjectStore>(std::move(store).value()), FreshPrefix(),
      std::make_shared<std::pair<std::shared_ptr<FakeClock>, std::shared_ptr<FlakyTransport>>>(
          clock, flaky)};
  out.torn_reads_possible = true;
  return out;
}

INSTANTIATE_TEST_SUITE_P(S3, ObjectStoreConformanceTest,
                         ::testing::Values(StoreFactoryParam{"S3rver", MakeS3rver},
                                           StoreFactoryParam{"S3rverFlaky", MakeFlakyS3rver}),
                         StoreParamName);

TEST(S3StoreFlakyTest, FaultsAreInjectedAndRetriedAway) {
  auto clock = NowFakeClock();
  int64_t start = clock->NowMicros();
  S3Options options = S3rverOptions(clock.get());
  options.max_attempts = 12;
  auto flaky = std::make_shared<FlakyTransport>(MakeCurlTransport(options.http), 0.10, 7);
  auto store = S3Store::Make(kBucket, options, flaky).value();
  std::string base = FreshPrefix();
  for (int i = 0; i < 100; ++i) {
    std::string loc = base + "k" + std::to_string(i);
    ASSERT_TRUE(store->Put(loc, "value " + std::to_string(i)).ok());
    ASSERT_EQ(store->Get(loc).value(), "value " + std::to_string(i));
  }
  EXPECT_EQ(store->List(base).value().size(), 100u);
  EXPECT_GT(flaky->injected(), 5);
  EXPECT_GT(store->request_counts().retries.load(), 5);
  // Backoff slept on the fake clock.
  EXPECT_GT(clock->NowMicros(), start);
}

TEST(S3StoreS3rverTest, ParquetSizedReadsCostOneGetForSmallFiles) {
  auto store = S3Store::Make(kBucket, S3rverOptions(nullptr)).value();
  std::string loc = FreshPrefix() + "small.parquet";
  ASSERT_TRUE(store->Put(loc, std::string(5000, 'p')).ok());
  int64_t gets = store->request_counts().get, heads = store->request_counts().head;
  auto file = store->OpenRead(loc);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ((*file)->Size().value(), 5000);
  uint8_t buf[100];
  ASSERT_TRUE((*file)->ReadAt(4900, 100, buf).ok());
  ASSERT_TRUE((*file)->ReadAt(0, 100, buf).ok());
  EXPECT_EQ(store->request_counts().get - gets, 1);
  EXPECT_EQ(store->request_counts().head - heads, 0);
}

TEST(S3StoreS3rverTest, RegistryMakesOneS3StorePerBucket) {
  auto registry = MakeDefaultStoreRegistry(S3rverOptions(nullptr));
  auto a = registry->Resolve(std::string("s3://") + kBucket + "/x");
  auto b = registry->Resolve(std::string("s3a://") + kBucket + "/y");
  ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString();
  EXPECT_EQ(a->get(), b->get());
  ASSERT_NE(dynamic_cast<S3Store*>(a->get()), nullptr);
  std::string loc = FreshPrefix() + "via-registry";
  ASSERT_TRUE((*a)->Put(loc, "v").ok());
  EXPECT_EQ((*b)->Get(loc).value(), "v");
  EXPECT_EQ(registry->Resolve("s3://no-such-bucket-here/k")
                .value()
                ->Get("s3://no-such-bucket-here/k")
                .status()
                .kind(),
            ErrorKind::kNotFound);
}

// ---- protocol details against a scripted transport ----------------------------------------

class ScriptedTransport final : public HttpTransport {
 public:
  using Handler = std::function<Result<HttpResponse>(const HttpRequest&)>;
  explicit ScriptedTransport(Handler handler) : handler_(std::move(handler)) {}
  Result<HttpResponse> Send(const HttpRequest& request) override {
    {
      std::lock_guard lock(mu_);
      RecordedRequest copy{request.method, request.url, request.headers, std::string(request.body)};
      requests.push_back(std::move(copy));
    }
    return handler_(request);
  }
  struct RecordedRequest {
    std::string method, url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string Header(std::string_view name) const {
      for (const auto& [n, v] : headers) {
        if (n == name) return v;
      }
      return "";
    }
  };
  std::vector<RecordedRequest> requests;

 private:
  Handler handler_;
  std::mutex mu_;
};

HttpResponse Response(int status, std::string body = "",
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

struct Scripted {
  std::shared_ptr<ScriptedTransport> transport;
  std::unique_ptr<S3Store> store;
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>(1'369'353'600'000'000);
  std::vector<std::string> log_lines;
  std::unique_ptr<Logger> logger;
};

std::unique_ptr<Scripted> MakeScripted(ScriptedTransport::Handler handler, S3Options options = {}) {
  auto s = std::make_unique<Scripted>();
  s->transport = std::make_shared<ScriptedTransport>(std::move(handler));
  Scripted* raw = s.get();
  s->logger =
      std::make_unique<Logger>(s->clock.get(), LogLevel::kDebug,
                               [raw](std::string_view line) { raw->log_lines.emplace_back(line); });
  if (options.credentials.anonymous()) options.credentials = {"AKIDEXAMPLE", kSecret, "TOKEN-1"};
  options.clock = s->clock.get();
  options.logger = s->logger.get();
  s->store = S3Store::Make("bucket", options, s->transport).value();
  return s;
}

TEST(S3StoreProtocolTest, VirtualHostedAwsUrlsAreSignedWithTheSessionToken) {
  S3Options options;
  options.region = "eu-west-1";
  auto s = MakeScripted([](const HttpRequest&) { return Response(200, "abc"); }, options);
  ASSERT_EQ(s->store->Get("s3://bucket/dir/a b+c.parquet").value(), "abc");
  ASSERT_EQ(s->transport->requests.size(), 1u);
  const auto& req = s->transport->requests[0];
  EXPECT_EQ(req.url, "https://bucket.s3.eu-west-1.amazonaws.com/dir/a%20b%2Bc.parquet");
  EXPECT_EQ(req.Header("Host"), "bucket.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(req.Header("x-amz-security-token"), "TOKEN-1");
  EXPECT_EQ(req.Header("x-amz-date"), "20130524T000000Z");
  EXPECT_THAT(req.Header("Authorization"),
              HasSubstr("Credential=AKIDEXAMPLE/20130524/eu-west-1/s3/aws4_request"));
  for (const auto& [name, value] : req.headers) EXPECT_THAT(value, Not(HasSubstr(kSecret)));
}

TEST(S3StoreProtocolTest, EndpointOverrideWithPathStyle) {
  S3Options options;
  options.region = "auto";
  options.endpoint = "https://account.r2.cloudflarestorage.com";
  options.force_path_style = true;
  auto s = MakeScripted([](const HttpRequest&) { return Response(200, "x"); }, options);
  ASSERT_TRUE(s->store->Get("s3://bucket/k").ok());
  EXPECT_EQ(s->transport->requests[0].url, "https://account.r2.cloudflarestorage.com/bucket/k");
  // Without the flag, a named endpoint is addressed virtual-hosted; an IP always path-style.
  options.force_path_style = false;
  auto v = MakeScripted([](const HttpRequest&) { return Response(200, "x"); }, options);
  ASSERT_TRUE(v->store->Get("s3://bucket/k").ok());
  EXPECT_EQ(v->transport->requests[0].url, "https://bucket.account.r2.cloudflarestorage.com/k");
  options.endpoint = "http://127.0.0.1:9000";
  auto ip = MakeScripted([](const HttpRequest&) { return Response(200, "x"); }, options);
  ASSERT_TRUE(ip->store->Get("s3://bucket/k").ok());
  EXPECT_EQ(ip->transport->requests[0].url, "http://127.0.0.1:9000/bucket/k");
}

TEST(S3StoreProtocolTest, ForbiddenIsPermissionDeniedWithAClearMessage) {
  auto s = MakeScripted([](const HttpRequest&) {
    return Response(403,
                    "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>");
  });
  Status st = s->store->Put("s3://bucket/t/x", "data");
  EXPECT_EQ(st.kind(), ErrorKind::kPermissionDenied);
  EXPECT_THAT(st.message(), HasSubstr("s3://bucket/t/x"));
  EXPECT_THAT(st.message(), HasSubstr("AccessDenied"));
  EXPECT_THAT(st.message(), HasSubstr("AWS_ACCESS_KEY_ID"));
  EXPECT_THAT(st.message(), Not(HasSubstr(kSecret)));
  EXPECT_EQ(s->transport->requests.size(), 1u) << "403 is not retried";
}

TEST(S3StoreProtocolTest, MissingKeyAndMissingBucketAreNotFound) {
  auto s = MakeScripted([](const HttpRequest& r) {
    if (r.url.find("nobucket") != std::string::npos) {
      return Response(404, "<Error><Code>NoSuchBucket</Code></Error>");
    }
    return Response(404, r.method == "HEAD" ? "" : "<Error><Code>NoSuchKey</Code></Error>");
  });
  EXPECT_EQ(s->store->Get("s3://bucket/k").status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(s->store->Stat("s3://bucket/k").status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(s->store->Delete("s3://bucket/k").kind(), ErrorKind::kNotFound);
  Status st = s->store->Get("s3://bucket/nobucket").status();
  EXPECT_EQ(st.kind(), ErrorKind::kNotFound);
  EXPECT_THAT(st.message(), HasSubstr("bucket 'bucket' does not exist"));
  EXPECT_EQ(s->store->Get("s3://other/k").status().kind(), ErrorKind::kInvalidArgument);
}

TEST(S3StoreProtocolTest, ServerErrorsAreRetriedWithBackoffThenFail) {
  S3Options options;
  options.max_attempts = 5;
  options.retry_base_delay_ms = 100;
  options.retry_max_delay_ms = 1000;
  auto s = MakeScripted(
      [](const HttpRequest&) { return Response(503, "<Error><Code>SlowDown</Code></Error>"); },
      options);
  int64_t start = s->clock->NowMicros();
  Status st = s->store->Put("s3://bucket/k", "v");
  EXPECT_EQ(st.kind(), ErrorKind::kIOError);
  EXPECT_THAT(st.message(), HasSubstr("after 5 attempts"));
  EXPECT_EQ(s->transport->requests.size(), 5u);
  // Four sleeps of at most 100, 200, 400, 800 ms (full jitter).
  EXPECT_LE(s->clock->NowMicros() - start, 1'500'000);
  EXPECT_EQ(s->store->request_counts().retries.load(), 4);
  int retry_lines = 0;
  for (const auto& line : s->log_lines) {
    if (line.find("s3.retry") != std::string::npos) ++retry_lines;
    EXPECT_THAT(line, Not(HasSubstr(kSecret)));
    EXPECT_THAT(line, Not(HasSubstr("TOKEN-1")));
  }
  EXPECT_EQ(retry_lines, 4);
}

TEST(S3StoreProtocolTest, TransientFaultsOfEveryKindAreRetried) {
  int calls = 0;
  auto s = MakeScripted([&](const HttpRequest&) -> Result<HttpResponse> {
    switch (calls++) {
      case 0: return Status::Unavailable("Timeout was reached");
      case 1: return Status::Unavailable("Connection reset by peer");
      case 2: return Response(429);
      case 3: return Response(500);
      case 4: return Response(400, "<Error><Code>RequestTimeout</Code></Error>");
      case 5: return Response(200, "shor", {{"content-length", "8"}});  // short read
      default: return Response(200, "complete", {{"content-length", "8"}});
    }
  });
  EXPECT_EQ(s->store->Get("s3://bucket/k").value(), "complete");
  EXPECT_EQ(calls, 7);
}

TEST(S3StoreProtocolTest, NonTransientTransportErrorsAreNotRetried) {
  auto s = MakeScripted(
      [](const HttpRequest&) -> Result<HttpResponse> { return Status::IOError("bad URL"); });
  EXPECT_EQ(s->store->Get("s3://bucket/k").status().kind(), ErrorKind::kIOError);
  EXPECT_EQ(s->transport->requests.size(), 1u);
}

TEST(S3StoreProtocolTest, ConditionalPutUsesIfNoneMatchAndMapsPreconditionFailed) {
  auto s = MakeScripted([](const HttpRequest& r) {
    for (const auto& [n, v] : r.headers) {
      if (n == "If-None-Match" && v == "*") return Response(412);
    }
    return Response(500);
  });
  Status st = s->store->PutIfAbsent("s3://bucket/once", "x");
  EXPECT_EQ(st.kind(), ErrorKind::kAlreadyExists);
  EXPECT_EQ(s->transport->requests.size(), 1u);
}

TEST(S3StoreProtocolTest, RetriedConditionalPutRecognisesItsOwnObject) {
  std::string stored;
  auto s = MakeScripted([&](const HttpRequest& r) -> Result<HttpResponse> {
    if (r.method == "PUT" && stored.empty()) {
      stored = std::string(r.body);
      return Status::Unavailable("Timeout was reached");  // applied, reply lost
    }
    if (r.method == "PUT") return Response(412);
    return Response(200, stored);
  });
  EXPECT_TRUE(s->store->PutIfAbsent("s3://bucket/once", "mine").ok());
  EXPECT_EQ(stored, "mine");
}

TEST(S3StoreProtocolTest, NotImplementedConditionalPutFallsBackToEmulation) {
  std::map<std::string, std::string> objects;
  auto handler = [&](const HttpRequest& r) {
    std::string key = r.url.substr(r.url.rfind('/') + 1);
    if (r.method == "PUT") {
      for (const auto& [n, v] : r.headers) {
        if (n == "If-None-Match")
          return Response(501, "<Error><Code>NotImplemented</Code></Error>");
      }
      objects[key] = std::string(r.body);
      return Response(200);
    }
    if (r.method == "HEAD") {
      auto it = objects.find(key);
      if (it == objects.end()) return Response(404);
      return Response(200, "", {{"content-length", std::to_string(it->second.size())}});
    }
    return Response(400);
  };
  auto s = MakeScripted(handler);
  EXPECT_TRUE(s->store->PutIfAbsent("s3://bucket/a", "1").ok());
  EXPECT_TRUE(s->store->emulating_conditional_put());
  EXPECT_EQ(s->store->PutIfAbsent("s3://bucket/a", "2").kind(), ErrorKind::kAlreadyExists);
  EXPECT_EQ(objects["a"], "1");
  bool warned = false;
  for (const auto& line : s->log_lines) {
    warned = warned || line.find("s3.conditional_put_unsupported") != std::string::npos;
  }
  EXPECT_TRUE(warned);

  S3Options strict;
  strict.conditional_put = S3ConditionalPut::kIfNoneMatch;
  auto t = MakeScripted(handler, strict);
  EXPECT_EQ(t->store->PutIfAbsent("s3://bucket/b", "1").kind(), ErrorKind::kNotSupported);
}

TEST(S3StoreProtocolTest, DeleteManySendsBatchesOfAThousandWithContentMd5) {
  auto s = MakeScripted(
      [](const HttpRequest&) { return Response(200, "<DeleteResult></DeleteResult>"); });
  std::vector<std::string> locations;
  for (int i = 0; i < 2500; ++i) locations.push_back("s3://bucket/d/<k&" + std::to_string(i));
  ASSERT_TRUE(s->store->DeleteMany(locations).ok());
  ASSERT_EQ(s->transport->requests.size(), 3u);
  std::vector<size_t> counts;
  for (const auto& req : s->transport->requests) {
    EXPECT_EQ(req.method, "POST");
    EXPECT_EQ(req.url, "https://bucket.s3.us-east-1.amazonaws.com/?delete=");
    EXPECT_FALSE(req.Header("Content-MD5").empty());
    counts.push_back(s3xml::Elements(req.body, "Object").size());
    EXPECT_THAT(req.body, HasSubstr("<Key>d/&lt;k&amp;"));
  }
  EXPECT_THAT(counts, ::testing::ElementsAre(1000u, 1000u, 500u));
}

TEST(S3StoreProtocolTest, DeleteManyReportsPerKeyErrors) {
  auto s = MakeScripted([](const HttpRequest&) {
    return Response(200,
                    "<DeleteResult><Error><Key>d/b</Key><Code>AccessDenied</Code>"
                    "<Message>Access Denied</Message></Error></DeleteResult>");
  });
  Status st = s->store->DeleteMany({"s3://bucket/d/a", "s3://bucket/d/b"});
  EXPECT_EQ(st.kind(), ErrorKind::kPermissionDenied);
  EXPECT_THAT(st.message(), HasSubstr("s3://bucket/d/b"));
}

TEST(S3StoreProtocolTest, ListPagesMapToContinuationTokens) {
  auto s = MakeScripted([](const HttpRequest& r) {
    if (r.url.find("continuation-token") == std::string::npos) {
      return Response(200,
                      "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>p/a&amp;b"
                      "</Key><LastModified>2013-05-24T00:00:01.500Z</LastModified><Size>3</Size>"
                      "</Contents><NextContinuationToken>tok/+=</NextContinuationToken>"
                      "</ListBucketResult>");
    }
    return Response(200,
                    "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>p/c</Key>"
                    "<Size>4</Size></Contents></ListBucketResult>");
  });
  auto page = s->store->ListPage("s3://bucket/p/", "", 5000);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].location, "s3://bucket/p/a&b");
  EXPECT_EQ(page->objects[0].size_bytes, 3);
  EXPECT_EQ(page->objects[0].mtime_micros, 1'369'353'601'500'000);
  EXPECT_EQ(page->next_page_token, "tok/+=");
  EXPECT_EQ(s->transport->requests[0].url,
            "https://bucket.s3.us-east-1.amazonaws.com/?list-type=2&max-keys=1000&prefix=p%2F");
  auto all = s->store->List("s3://bucket/p/");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
  EXPECT_THAT(s->transport->requests.back().url, HasSubstr("continuation-token=tok%2F%2B%3D"));
}

TEST(S3StoreProtocolTest, FailedMultipartUploadIsAborted) {
  std::atomic<int> parts{0};
  auto handler = [&](const HttpRequest& r) {
    if (r.method == "POST" && r.url.find("uploads=") != std::string::npos) {
      return Response(200,
                      "<InitiateMultipartUploadResult><UploadId>U1</UploadId>"
                      "</InitiateMultipartUploadResult>");
    }
    if (r.method == "PUT" && r.url.find("partNumber=") != std::string::npos) {
      if (++parts == 2) return Response(403, "<Error><Code>AccessDenied</Code></Error>");
      return Response(200, "", {{"etag", "\"e" + std::to_string(parts) + "\""}});
    }
    return Response(204);
  };
  S3Options options;
  options.part_size_bytes = 1024;
  auto s = MakeScripted(handler, options);
  auto out = s->store->Create("s3://bucket/big").value();
  EXPECT_TRUE(out->Append(AsBytes(std::string(1500, 'a'))).ok());
  // Parts travel in the background: the failure of part 2 surfaces at the next wait for it.
  EXPECT_TRUE(out->Append(AsBytes(std::string(1500, 'b'))).ok());
  EXPECT_EQ(out->Close().kind(), ErrorKind::kPermissionDenied);
  EXPECT_EQ(out->Close().kind(), ErrorKind::kInvalidArgument);
  const auto& last = s->transport->requests.back();
  EXPECT_EQ(last.method, "DELETE");
  EXPECT_THAT(last.url, HasSubstr("uploadId=U1"));
}

TEST(S3StoreProtocolTest, MultipartCompletesWithThePartsInOrder) {
  std::atomic<int> parts{0};
  std::string complete_body;
  auto handler = [&](const HttpRequest& r) {
    if (r.method == "POST" && r.url.find("uploads=") != std::string::npos) {
      return Response(200,
                      "<InitiateMultipartUploadResult><UploadId>U2</UploadId>"
                      "</InitiateMultipartUploadResult>");
    }
    if (r.method == "PUT") {
      ++parts;
      return Response(200, "", {{"etag", "\"e" + std::to_string(parts) + "\""}});
    }
    complete_body = std::string(r.body);
    return Response(200, "<CompleteMultipartUploadResult></CompleteMultipartUploadResult>");
  };
  S3Options options;
  options.part_size_bytes = 1024;
  auto s = MakeScripted(handler, options);
  auto out = s->store->Create("s3://bucket/big").value();
  ASSERT_TRUE(out->Append(AsBytes(std::string(2500, 'a'))).ok());
  EXPECT_GE(parts.load(), 1) << "parts leave while the stream is written";
  ASSERT_TRUE(out->Close().ok());
  EXPECT_EQ(parts.load(), 3);
  EXPECT_EQ(complete_body,
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag>"
            "</Part><Part><PartNumber>2</PartNumber><ETag>&quot;e2&quot;</ETag></Part><Part>"
            "<PartNumber>3</PartNumber><ETag>&quot;e3&quot;</ETag></Part>"
            "</CompleteMultipartUpload>");
}

TEST(S3StoreProtocolTest, LostCompleteReplyIsRecognised) {
  int completes = 0;
  auto handler = [&](const HttpRequest& r) -> Result<HttpResponse> {
    if (r.method == "POST" && r.url.find("uploads=") != std::string::npos) {
      return Response(200,
                      "<InitiateMultipartUploadResult><UploadId>U3</UploadId>"
                      "</InitiateMultipartUploadResult>");
    }
    if (r.method == "PUT") return Response(200, "", {{"etag", "\"e\""}});
    if (r.method == "POST") {
      // The first completion lands but its reply is lost; the retry finds no upload.
      if (completes++ == 0) return Status::Unavailable("Timeout was reached");
      return Response(404, "<Error><Code>NoSuchUpload</Code></Error>");
    }
    if (r.method == "HEAD") return Response(200, "", {{"content-length", "3000"}});
    return Response(400);
  };
  S3Options options;
  options.part_size_bytes = 1024;
  auto s = MakeScripted(handler, options);
  auto out = s->store->Create("s3://bucket/big").value();
  ASSERT_TRUE(out->Append(AsBytes(std::string(3000, 'a'))).ok());
  EXPECT_TRUE(out->Close().ok());
  EXPECT_EQ(completes, 2);
}

TEST(S3StoreProtocolTest, OptionsFromTheEnvironment) {
  std::map<std::string, std::string> env = {{"AWS_ACCESS_KEY_ID", "AK"},
                                            {"AWS_SECRET_ACCESS_KEY", "SK"},
                                            {"AWS_SESSION_TOKEN", "ST"},
                                            {"AWS_DEFAULT_REGION", "eu-central-1"},
                                            {"AWS_ENDPOINT_URL", "http://minio:9000"},
                                            {"FLOE_S3_PATH_STYLE", "true"}};
  auto lookup = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  auto options = S3OptionsFromEnvironment(lookup);
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->credentials.access_key_id, "AK");
  EXPECT_EQ(options->credentials.secret_access_key, "SK");
  EXPECT_EQ(options->credentials.session_token, "ST");
  EXPECT_EQ(options->region, "eu-central-1");
  EXPECT_EQ(options->endpoint, "http://minio:9000");
  EXPECT_TRUE(options->force_path_style);
  env["AWS_REGION"] = "auto";
  env["AWS_ENDPOINT_URL_S3"] = "https://acct.r2.cloudflarestorage.com";
  options = S3OptionsFromEnvironment(lookup);
  EXPECT_EQ(options->region, "auto");
  EXPECT_EQ(options->endpoint, "https://acct.r2.cloudflarestorage.com");
  EXPECT_EQ(options->conditional_put, S3ConditionalPut::kAuto);
  env["FLOE_S3_CONDITIONAL_PUT"] = "emulated";
  EXPECT_EQ(S3OptionsFromEnvironment(lookup)->conditional_put, S3ConditionalPut::kEmulated);
  env["FLOE_S3_CONDITIONAL_PUT"] = "sometimes";
  EXPECT_THAT(S3OptionsFromEnvironment(lookup).status().message(),
              HasSubstr("FLOE_S3_CONDITIONAL_PUT"));
  env.erase("FLOE_S3_CONDITIONAL_PUT");
  env["FLOE_S3_PATH_STYLE"] = "maybe";
  EXPECT_THAT(S3OptionsFromEnvironment(lookup).status().message(), HasSubstr("FLOE_S3_PATH_STYLE"));
  env.erase("FLOE_S3_PATH_STYLE");
  env.erase("AWS_SECRET_ACCESS_KEY");
  EXPECT_EQ(S3OptionsFromEnvironment(lookup).status().kind(), ErrorKind::kInvalidArgument);
}

TEST(S3StoreProtocolTest, BadSettingsAreRejected) {
  S3Options options;
  options.endpoint = "ftp://x";
  EXPECT_EQ(S3Store::Make("b", options).status().kind(), ErrorKind::kInvalidArgument);
  options.endpoint = "";
  options.part_size_bytes = 10;
  EXPECT_EQ(S3Store::Make("b", options).status().kind(), ErrorKind::kInvalidArgument);
}

TEST(S3XmlTest, ElementsTextAndEntities) {
  std::string xml =
      "<?xml version=\"1.0\"?><R><A x=\"1\">one &lt;&#65;&#x42;&gt;</A><A/><B>t</B><A>3</A></R>";
  auto as = s3xml::Elements(xml, "A");
  ASSERT_EQ(as.size(), 3u);
  EXPECT_EQ(s3xml::Text(xml, "A"), "one <AB>");
  EXPECT_EQ(as[1], "");
  EXPECT_EQ(as[2], "3");
  EXPECT_EQ(s3xml::Text(xml, "AB"), "");
  EXPECT_TRUE(s3xml::Has(xml, "B"));
  EXPECT_FALSE(s3xml::Has(xml, "C"));
  EXPECT_EQ(s3xml::Unescape("a&b &bogus; &#1114112;"), "a&b &bogus; &#1114112;");
  EXPECT_EQ(s3xml::Escape("<a&'\">"), "&lt;a&amp;&apos;&quot;&gt;");
  // Unterminated input ends the scan instead of reading past the end.
  EXPECT_TRUE(s3xml::Elements("<A>open", "A").empty());
  EXPECT_TRUE(s3xml::Elements("<A", "A").empty());
}

}  // namespace
}  // namespace floe::testing
