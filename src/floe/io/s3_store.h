#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "floe/common/clock.h"
#include "floe/common/logger.h"
#include "floe/io/object_store.h"
#include "floe/io/s3_store_http.h"
#include "floe/io/sigv4.h"

namespace floe {

// How PutIfAbsent is made atomic.
enum class S3ConditionalPut {
  // PUT with "If-None-Match: *" (AWS S3 since 2024, R2, MinIO); a server answering 501
  // NotImplemented switches the store to kEmulated for good, with a warning.
  kAuto,
  kIfNoneMatch,  // always the conditional PUT; 501 is an error
  // HEAD, then PUT, under a lock of this store: atomic among the threads of one process only.
  // For servers without conditional writes (s3rver, older Ceph); never share such a warehouse
  // between processes that commit through the object store.
  kEmulated,
};

// Settings of one S3-compatible endpoint. A value the application fills (from flags, the
// config file or the environment, see S3OptionsFromEnvironment) and passes down.
struct S3Options {
  std::string region = "us-east-1";  // R2: "auto"
  // "https://host[:port]"; empty: AWS at https://s3.<region>.amazonaws.com.
  std::string endpoint;
  // Path-style URLs (endpoint/bucket/key) instead of virtual-hosted (bucket.endpoint/key). Always
  // on for endpoints that are IP addresses or "localhost".
  bool force_path_style = false;
  AwsCredentials credentials;  // empty key id: anonymous (unsigned) requests

  // Create() streams switch to a multipart upload when this many bytes are buffered and then
  // send one part of this size at a time (AWS requires at least 5 MiB, except the last part).
  int64_t part_size_bytes = 8 << 20;
  // OpenRead() fetches objects up to this size in its first request, and otherwise the last
  // this-many bytes (where Parquet keeps its footer), so small files cost one GET.
  int64_t prefetch_bytes = 1 << 20;
  S3ConditionalPut conditional_put = S3ConditionalPut::kAuto;

  CurlTransportOptions http;
  // Retries of 5xx, 429, timeouts and connection resets: exponential backoff with full jitter,
  // base * 2^attempt capped at max, at most max_attempts tries in all.
  int max_attempts = 8;
  int retry_base_delay_ms = 100;
  int retry_max_delay_ms = 10'000;

  const Clock* clock = nullptr;  // signing time and backoff sleeps; null: the system clock
  Logger* logger = nullptr;      // retries and fallbacks (never credentials); null: silent
};

// Reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION (or
// AWS_DEFAULT_REGION), AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL), FLOE_S3_PATH_STYLE
// (true/false) and FLOE_S3_CONDITIONAL_PUT (auto/if-none-match/emulated) through `lookup`
// (std::getenv in the application; io never reads the environment itself). Starts from `base`.
// kInvalidArgument names a variable with a bad value.
Result<S3Options> S3OptionsFromEnvironment(const std::function<const char*(const char*)>& lookup,
                                           S3Options base = {});

// Counters of requests sent (attempts, retries included), for benchmarks and tests.
struct S3RequestCounts {
  std::atomic<int64_t> get{0}, head{0}, put{0}, post{0}, del{0}, list{0}, retries{0};
};

// ObjectStore over one S3 bucket: locations are "s3://<bucket>/<key>". Signature V4 over
// OpenSSL, HTTP through an HttpTransport (libcurl by default). See ObjectStore for the contract;
// S3 specifics: 403 is kPermissionDenied, NoSuchBucket is kNotFound naming the bucket, a
// response still failing after the retries is kIOError saying how many attempts were made.
class S3Store final : public ObjectStore {
 public:
  // `transport` null: libcurl with options.http.
  static Result<std::unique_ptr<S3Store>> Make(std::string bucket, S3Options options,
                                               std::shared_ptr<HttpTransport> transport = nullptr);
  ~S3Store() override;

  Result<std::unique_ptr<RandomAccessFile>> OpenRead(const std::string& location) override;
  Result<std::string> Get(const std::string& location) override;
  Result<std::string> GetRange(const std::string& location, int64_t offset,
                               int64_t length) override;
  Result<std::unique_ptr<OutputStream>> Create(const std::string& location) override;
  Status Put(const std::string& location, std::string_view data) override;
  Status PutIfAbsent(const std::string& location, std::string_view data) override;
  Result<ObjectInfo> Stat(const std::string& location) override;
  Result<ObjectListPage> ListPage(const std::string& prefix, const std::string& page_token,
                                  int max_keys) override;
  Status Delete(const std::string& location) override;
  // DeleteObjects, up to 1000 keys per request.
  Status DeleteMany(const std::vector<std::string>& locations) override;

  const std::string& bucket() const { return bucket_; }
  const S3RequestCounts& request_counts() const { return counts_; }
  // Whether PutIfAbsent currently uses the emulation (configured, or after a 501).
  bool emulating_conditional_put() const { return emulate_conditional_put_.load(); }

  // One S3 request, signed and retried. Public for the stream and file classes of s3_store.cc.
  struct Call {
    std::string method;
    std::string key;  // "" for bucket-level requests
    std::vector<std::pair<std::string, std::string>> query;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string_view body;
    std::string location;  // for messages
    int64_t max_response_bytes = 16 << 20;
    // Set when an attempt failed after the request may have reached the server (a lost reply),
    // so callers of non-idempotent requests can resolve the ambiguity.
    bool* maybe_applied = nullptr;
  };
  Result<HttpResponse> Execute(const Call& call);
  // The Status for a final non-2xx response.
  Status ErrorFromResponse(const Call& call, const HttpResponse& response) const;
  const S3Options& options() const { return options_; }
  Logger* logger() const { return options_.logger; }

 private:
  S3Store(std::string bucket, S3Options options, std::shared_ptr<HttpTransport> transport);
  Result<std::string> KeyOf(const std::string& location) const;
  std::string LocationOf(std::string_view key) const;
  Status PutObject(const std::string& location, const std::string& key, std::string_view data,
                   bool if_none_match, bool* maybe_applied);
  Status PutIfAbsentEmulated(const std::string& location, const std::string& key,
                             std::string_view data);
  int64_t BackoffMicros(int attempt);
  void Count(const std::string& method, bool list);

  std::string bucket_;
  S3Options options_;
  std::shared_ptr<HttpTransport> transport_;
  SystemClock system_clock_;
  const Clock* clock_;
  std::string scheme_;     // "https"
  std::string host_;       // "s3.us-east-1.amazonaws.com" or "127.0.0.1:4568"
  std::string base_path_;  // endpoint path prefix ("" usually)
  bool path_style_ = false;
  std::atomic<bool> emulate_conditional_put_{false};
  std::mutex emulation_mu_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
  S3RequestCounts counts_;
};

}  // namespace floe
