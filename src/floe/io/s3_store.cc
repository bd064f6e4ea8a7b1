#include "floe/io/s3_store.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <ctime>
#include <future>

#include "floe/io/location.h"
#include "floe/io/s3_store_xml.h"
#include "floe/util/base64.h"

namespace floe {
namespace {

constexpr int kMaxKeysPerDelete = 1000;
constexpr int kMaxParts = 10000;

bool IsIpOrLocalhost(std::string_view host) {
  size_t colon = host.rfind(':');
  if (!host.empty() && host.front() == '[') return true;  // IPv6 literal
  if (colon != std::string_view::npos) host = host.substr(0, colon);
  if (host == "localhost") return true;
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
  });
}

// "Fri, 24 May 2013 00:00:00 GMT" (HEAD) → microseconds; 0 when unparsable.
int64_t ParseHttpDate(const std::string& text) {
  std::tm tm{};
  const char* end = ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S", &tm);
  if (end == nullptr) return 0;
  return static_cast<int64_t>(::timegm(&tm)) * 1'000'000;
}

// "2013-05-24T00:00:00.000Z" (listings) → microseconds; 0 when unparsable.
int64_t ParseIsoDate(const std::string& text) {
  std::tm tm{};
  int millis = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &millis) < 6) {
    return 0;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(::timegm(&tm)) * 1'000'000 + int64_t{millis} * 1000;
}

bool ParseInt64(std::string_view text, int64_t* out) {
  if (text.empty() || text.size() > 18) return false;
  int64_t v = 0;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// "bytes 0-9/443" → first, last, total. "bytes */443" gives total only (first = -1).
bool ParseContentRange(const std::string* header, int64_t* first, int64_t* last, int64_t* total) {
  if (header == nullptr) return false;
  std::string_view v(*header);
  if (v.substr(0, 6) != "bytes ") return false;
  v.remove_prefix(6);
  size_t slash = v.find('/');
  if (slash == std::string_view::npos || !ParseInt64(v.substr(slash + 1), total)) return false;
  std::string_view range = v.substr(0, slash);
  if (range == "*") {
    *first = *last = -1;
    return true;
  }
  size_t dash = range.find('-');
  return dash != std::string_view::npos && ParseInt64(range.substr(0, dash), first) &&
         ParseInt64(range.substr(dash + 1), last) && *first <= *last;
}

std::string Md5Base64(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_md5(), nullptr);
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

Status BeyondEnd(const std::string& location, int64_t offset, int64_t length, int64_t size) {
  return Status::Corrupt(location + ": range of " + std::to_string(length) + " bytes at offset " +
                         std::to_string(offset) + " is beyond the end of the " +
                         (size >= 0 ? std::to_string(size) + "-byte " : std::string()) + "object");
}

bool IsSuccess(int status) { return status >= 200 && status < 300; }

// A response worth another attempt: throttling, server errors, S3's own "retry me" codes.
bool RetryableResponse(const HttpResponse& r) {
  if (r.status == 429 || r.status == 500 || r.status == 502 || r.status == 503 || r.status == 504) {
    return true;
  }
  if (r.status == 400 || r.status == 409) {
    std::string code = s3xml::Text(r.body, "Code");
    return code == "RequestTimeout" || code == "ConditionalRequestConflict";
  }
  return false;
}

// A file read through ranged GETs, with the bytes the opening GET brought kept.
class S3ReadFile final : public RandomAccessFile {
 public:
  S3ReadFile(S3Store* store, std::string location, std::string key, int64_t size, std::string etag,
             int64_t cache_offset, std::string cache)
      : store_(store),
        location_(std::move(location)),
        key_(std::move(key)),
        size_(size),
        etag_(std::move(etag)),
        cache_offset_(cache_offset),
        cache_(std::move(cache)) {}

  const std::string& location() const override { return location_; }
  Result<int64_t> Size() override { return size_; }

  Status ReadAt(int64_t offset, int64_t n, uint8_t* out) override {
    if (offset < 0 || n < 0 || offset > size_ || n > size_ - offset) {
      return BeyondEnd(location_, offset, n, size_);
    }
    if (n == 0) return Status::OK();
    int64_t cache_end = cache_offset_ + static_cast<int64_t>(cache_.size());
    if (offset >= cache_offset_ && offset + n <= cache_end) {
      std::memcpy(out, cache_.data() + (offset - cache_offset_), static_cast<size_t>(n));
      return Status::OK();
    }
    // Room for an error document even when few bytes are asked for.
    S3Store::Call call{"GET", key_, {}, {}, {}, location_, std::max<int64_t>(n, 1 << 20)};
    call.headers.emplace_back(
        "Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + n - 1));
    // A replaced object must not be read as a mix of two versions.
    if (!etag_.empty()) call.headers.emplace_back("If-Match", etag_);
    FLOE_ASSIGN_OR_RETURN(HttpResponse r, store_->Execute(call));
    if (r.status == 412) {
      return Status::IOError(location_ + ": the object changed since it was opened");
    }
    if (r.status == 416) return BeyondEnd(location_, offset, n, size_);
    if (!IsSuccess(r.status)) return store_->ErrorFromResponse(call, r);
    std::string_view body = r.body;
    if (r.status == 200) {
      // The server ignored the range and sent the whole object.
      if (static_cast<int64_t>(body.size()) < offset + n)
        return BeyondEnd(location_, offset, n, -1);
      body = body.substr(static_cast<size_t>(offset), static_cast<size_t>(n));
    }
    if (static_cast<int64_t>(body.size()) != n) {
      return Status::IOError(location_ + ": short read, " + std::to_string(body.size()) + " of " +
                             std::to_string(n) + " bytes at offset " + std::to_string(offset));
    }
    std::memcpy(out, body.data(), body.size());
    return Status::OK();
  }

 private:
  S3Store* store_;
  std::string location_;
  std::string key_;
  int64_t size_;
  std::string etag_;
  int64_t cache_offset_;
  std::string cache_;
};

// Buffers appends; past the part size it becomes a multipart upload and sends each part as it
// fills, so a large Parquet file never sits whole in memory. Close() completes the upload (or
// sends one PUT if the object stayed small); Abort() or destruction aborts it.
class S3OutputStream final : public OutputStream {
 public:
  S3OutputStream(S3Store* store, std::string location, std::string key)
      : store_(store), location_(std::move(location)), key_(std::move(key)) {}
  ~S3OutputStream() override {
    if (!done_) Abort();
  }

  const std::string& location() const override { return location_; }
  int64_t Tell() const override { return written_; }

  Status Append(ByteView data) override {
    if (done_) return Status::InvalidArgument(location_ + ": append after close or abort");
    if (!error_.ok()) return error_;
    buffer_.append(reinterpret_cast<const char*>(data.data()), data.size());
    written_ += static_cast<int64_t>(data.size());
    const auto part_size = static_cast<size_t>(store_->options().part_size_bytes);
    size_t sent = 0;
    while (buffer_.size() - sent >= part_size) {
      Status st = StartPart(buffer_.substr(sent, part_size));
      if (!st.ok()) {
        error_ = st;
        Abort();
        return st;
      }
      sent += part_size;
    }
    if (sent > 0) buffer_.erase(0, sent);
    return Status::OK();
  }

  Status Close() override {
    if (done_) return Status::InvalidArgument(location_ + ": closed or aborted already");
    if (!error_.ok()) return error_;
    Status st;
    if (upload_id_.empty()) {
      // Small enough for one PUT (Put() goes multipart only above the part size).
      st = store_->Put(location_, buffer_);
    } else {
      if (!buffer_.empty()) st = StartPart(std::move(buffer_));
      if (st.ok()) st = WaitForPart();
      if (st.ok()) st = Complete();
    }
    if (!st.ok()) {
      Abort();
      return st;
    }
    done_ = true;
    buffer_.clear();
    return Status::OK();
  }

  void Abort() override {
    done_ = true;
    buffer_.clear();
    buffer_.shrink_to_fit();
    (void)WaitForPart();
    if (upload_id_.empty()) return;
    S3Store::Call call{"DELETE", key_, {{"uploadId", upload_id_}}, {}, {}, location_};
    auto r = store_->Execute(call);
    if ((!r.ok() || !IsSuccess(r->status)) && store_->logger() != nullptr) {
      // Parts of an unfinished upload are invisible; a bucket lifecycle rule removes them.
      store_->logger()->Warn(
          "s3.abort_multipart_failed",
          {{"location", location_},
           {"error", r.ok() ? "HTTP " + std::to_string(r->status) : r.status().ToString()}});
    }
    upload_id_.clear();
  }

 private:
  Status Initiate() {
    S3Store::Call call{"POST", key_, {{"uploads", ""}}, {}, {}, location_};
    call.headers.emplace_back("Content-Type", "application/octet-stream");
    FLOE_ASSIGN_OR_RETURN(HttpResponse r, store_->Execute(call));
    if (!IsSuccess(r.status)) return store_->ErrorFromResponse(call, r);
    upload_id_ = s3xml::Text(r.body, "UploadId");
    if (upload_id_.empty()) {
      return Status::IOError(location_ + ": InitiateMultipartUpload answered without an UploadId");
    }
    return Status::OK();
  }

  // Sends `part` on a thread of its own while the writer goes on filling the next one; at most
  // one part is in flight, so memory stays at about two parts.
  Status StartPart(std::string part) {
    if (upload_id_.empty()) FLOE_RETURN_IF_ERROR(Initiate());
    FLOE_RETURN_IF_ERROR(WaitForPart());
    if (static_cast<int>(etags_.size()) >= kMaxParts) {
      return Status::ResourceExhausted(location_ +
                                       ": more than 10000 multipart parts; raise the S3 part size");
    }
    int number = static_cast<int>(etags_.size()) + 1;
    in_flight_ = std::async(std::launch::async, [this, number, part = std::move(part)] {
      return SendPart(number, part);
    });
    return Status::OK();
  }

  // Waits for the part in flight, if any, and records its ETag.
  Status WaitForPart() {
    if (!in_flight_.valid()) return Status::OK();
    Result<std::string> etag = in_flight_.get();
    if (!etag.ok()) return etag.status();
    etags_.push_back(std::move(etag).value());
    return Status::OK();
  }

  // Runs on the part's thread: touches only the store and values fixed before it started.
  Result<std::string> SendPart(int number, std::string_view part) {
    S3Store::Call call{
        "PUT", key_, {{"partNumber", std::to_string(number)}, {"uploadId", upload_id_}},
        {},    part, location_};
    FLOE_ASSIGN_OR_RETURN(HttpResponse r, store_->Execute(call));
    if (!IsSuccess(r.status)) return store_->ErrorFromResponse(call, r);
    const std::string* etag = r.Header("etag");
    if (etag == nullptr || etag->empty()) {
      return Status::IOError(location_ + ": UploadPart " + std::to_string(number) +
                             " answered without an ETag");
    }
    return *etag;
  }

  Status Complete() {
    std::string body = "<CompleteMultipartUpload>";
    for (size_t i = 0; i < etags_.size(); ++i) {
      body += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" +
              s3xml::Escape(etags_[i]) + "</ETag></Part>";
    }
    body += "</CompleteMultipartUpload>";
    bool maybe_applied = false;
    S3Store::Call call{"POST", key_, {{"uploadId", upload_id_}}, {}, body, location_};
    call.headers.emplace_back("Content-Type", "application/xml");
    call.maybe_applied = &maybe_applied;
    auto result = store_->Execute(call);
    if (maybe_applied && (!result.ok() || !IsSuccess(result->status))) {
      // An earlier attempt may have completed the upload and lost its reply; the retry then
      // finds no upload. An object of exactly our size is taken as ours.
      auto info = store_->Stat(location_);
      if (info.ok() && info->size_bytes == written_) {
        upload_id_.clear();
        return Status::OK();
      }
    }
    FLOE_ASSIGN_OR_RETURN(HttpResponse r, std::move(result));
    if (!IsSuccess(r.status)) return store_->ErrorFromResponse(call, r);
    // S3 may answer 200 and report the failure in the body.
    if (s3xml::Has(r.body, "Error")) {
      return Status::IOError(location_ + ": CompleteMultipartUpload failed: " +
                             s3xml::Text(r.body, "Code") + ": " + s3xml::Text(r.body, "Message"));
    }
    upload_id_.clear();
    return Status::OK();
  }

  S3Store* store_;
  std::string location_;
  std::string key_;
  std::string buffer_;
  std::string upload_id_;
  std::vector<std::string> etags_;
  std::future<Result<std::string>> in_flight_;
  int64_t written_ = 0;
  bool done_ = false;
  Status error_;
};

}  // namespace

Result<S3Options> S3OptionsFromEnvironment(const std::function<const char*(const char*)>& lookup,
                                           S3Options base) {
  auto get = [&](const char* name) -> std::string {
    const char* v = lookup(name);
    return v == nullptr ? std::string() : std::string(v);
  };
  if (std::string v = get("AWS_ACCESS_KEY_ID"); !v.empty()) base.credentials.access_key_id = v;
  if (std::string v = get("AWS_SECRET_ACCESS_KEY"); !v.empty()) {
    base.credentials.secret_access_key = v;
  }
  if (std::string v = get("AWS_SESSION_TOKEN"); !v.empty()) base.credentials.session_token = v;
  if (std::string v = get("AWS_REGION"); !v.empty()) {
    base.region = v;
  } else if (std::string d = get("AWS_DEFAULT_REGION"); !d.empty()) {
    base.region = d;
  }
  if (std::string v = get("AWS_ENDPOINT_URL_S3"); !v.empty()) {
    base.endpoint = v;
  } else if (std::string e = get("AWS_ENDPOINT_URL"); !e.empty()) {
    base.endpoint = e;
  }
  if (std::string v = get("FLOE_S3_PATH_STYLE"); !v.empty()) {
    if (v == "true" || v == "1") {
      base.force_path_style = true;
    } else if (v == "false" || v == "0") {
      base.force_path_style = false;
    } else {
      return Status::InvalidArgument("FLOE_S3_PATH_STYLE='" + v + "': expected true or false");
    }
  }
  if (std::string v = get("FLOE_S3_CONDITIONAL_PUT"); !v.empty()) {
    if (v == "auto") {
      base.conditional_put = S3ConditionalPut::kAuto;
    } else if (v == "if-none-match") {
      base.conditional_put = S3ConditionalPut::kIfNoneMatch;
    } else if (v == "emulated") {
      base.conditional_put = S3ConditionalPut::kEmulated;
    } else {
      return Status::InvalidArgument("FLOE_S3_CONDITIONAL_PUT='" + v +
                                     "': expected auto, if-none-match or emulated");
    }
  }
  if (!base.credentials.access_key_id.empty() && base.credentials.secret_access_key.empty()) {
    return Status::InvalidArgument(
        "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: both are needed");
  }
  return base;
}

Result<std::unique_ptr<S3Store>> S3Store::Make(std::string bucket, S3Options options,
                                               std::shared_ptr<HttpTransport> transport) {
  if (bucket.empty() || bucket.find('/') != std::string::npos) {
    return Status::InvalidArgument("S3 bucket name '" + bucket + "' is not valid");
  }
  if (options.part_size_bytes < 1024 || options.part_size_bytes > (int64_t{5} << 30)) {
    return Status::InvalidArgument("S3 part size " + std::to_string(options.part_size_bytes) +
                                   " bytes is outside 1 KiB..5 GiB (AWS needs at least 5 MiB)");
  }
  if (options.max_attempts < 1) options.max_attempts = 1;
  std::string endpoint = options.endpoint.empty()
                             ? "https://s3." + options.region + ".amazonaws.com"
                             : options.endpoint;
  size_t sep = endpoint.find("://");
  std::string scheme = sep == std::string::npos ? "" : endpoint.substr(0, sep);
  if (scheme != "http" && scheme != "https") {
    return Status::InvalidArgument("S3 endpoint '" + endpoint +
                                   "': expected http://host[:port] or https://host[:port]");
  }
  std::string rest = endpoint.substr(sep + 3);
  size_t slash = rest.find('/');
  std::string host = rest.substr(0, slash);
  std::string base_path = slash == std::string::npos ? "" : rest.substr(slash);
  while (!base_path.empty() && base_path.back() == '/') base_path.pop_back();
  if (host.empty()) return Status::InvalidArgument("S3 endpoint '" + endpoint + "': no host");
  if (!transport) transport = MakeCurlTransport(options.http);
  std::unique_ptr<S3Store> store(new S3Store(std::move(bucket), std::move(options), transport));
  store->scheme_ = scheme;
  store->host_ = host;
  store->base_path_ = base_path;
  store->path_style_ = store->options_.force_path_style || IsIpOrLocalhost(host) ||
                       store->bucket_.find('.') != std::string::npos;
  store->emulate_conditional_put_ = store->options_.conditional_put == S3ConditionalPut::kEmulated;
  return store;
}

S3Store::S3Store(std::string bucket, S3Options options, std::shared_ptr<HttpTransport> transport)
    : bucket_(std::move(bucket)),
      options_(std::move(options)),
      transport_(std::move(transport)),
      clock_(options_.clock != nullptr ? options_.clock : &system_clock_),
      rng_(std::random_device{}()) {}

S3Store::~S3Store() = default;

Result<std::string> S3Store::KeyOf(const std::string& location) const {
  FLOE_ASSIGN_OR_RETURN(Location loc, ParseLocation(location));
  if (loc.scheme != "s3" || loc.authority != bucket_) {
    return Status::InvalidArgument("location '" + location + "' is not in the S3 bucket '" +
                                   bucket_ + "'");
  }
  if (loc.path == "/") {
    return Status::InvalidArgument("location '" + location + "' names the bucket, not an object");
  }
  return loc.path.substr(1);
}

std::string S3Store::LocationOf(std::string_view key) const {
  return "s3://" + bucket_ + "/" + std::string(key);
}

int64_t S3Store::BackoffMicros(int attempt) {
  int64_t cap = int64_t{options_.retry_base_delay_ms} * 1000;
  for (int i = 1; i < attempt && cap < int64_t{options_.retry_max_delay_ms} * 1000; ++i) cap *= 2;
  cap = std::min(cap, int64_t{options_.retry_max_delay_ms} * 1000);
  if (cap <= 0) return 0;
  std::lock_guard lock(rng_mu_);
  return std::uniform_int_distribution<int64_t>(0, cap)(rng_);
}

void S3Store::Count(const std::string& method, bool list) {
  if (list) {
    ++counts_.list;
  } else if (method == "GET") {
    ++counts_.get;
  } else if (method == "HEAD") {
    ++counts_.head;
  } else if (method == "PUT") {
    ++counts_.put;
  } else if (method == "POST") {
    ++counts_.post;
  } else if (method == "DELETE") {
    ++counts_.del;
  }
}

Result<HttpResponse> S3Store::Execute(const Call& call) {
  std::string host = path_style_ ? host_ : bucket_ + "." + host_;
  std::string uri = base_path_ + (path_style_ ? "/" + bucket_ : std::string());
  if (!call.key.empty() || !path_style_) uri += "/" + AwsUriEncode(call.key, true);
  std::string query = CanonicalQueryString(call.query);
  std::string url = scheme_ + "://" + host + uri + (query.empty() ? "" : "?" + query);
  std::string payload_hash =
      call.body.empty() ? std::string(kEmptyPayloadSha256) : Sha256Hex(call.body);
  bool is_list = call.key.empty() && call.method == "GET";
  Status last_error;
  for (int attempt = 1;; ++attempt) {
    SigningRequest signing{call.method, uri, call.query, call.headers, payload_hash};
    signing.headers.emplace_back("Host", host);
    SigningScope scope{options_.region, "s3", clock_->NowMicros() / 1'000'000};
    SignRequest(&signing, options_.credentials, scope);
    HttpRequest request{call.method, url, std::move(signing.headers), call.body,
                        call.max_response_bytes};
    Count(call.method, is_list);
    Result<HttpResponse> result = transport_->Send(request);
    bool retry = false;
    if (!result.ok()) {
      if (result.status().kind() != ErrorKind::kUnavailable) {
        return result.status().WithContext(call.location);
      }
      last_error = result.status();
      retry = true;
      if (call.maybe_applied != nullptr) *call.maybe_applied = true;
    } else if (const std::string* length = result->Header("content-length");
               length != nullptr && call.method != "HEAD" && result->status != 304 &&
               *length != std::to_string(result->body.size())) {
      // A body cut short (a reset mid-transfer the transport did not see).
      if (call.maybe_applied != nullptr) *call.maybe_applied = true;
      last_error =
          Status::Unavailable(call.method + " " + call.location + ": short read, " +
                              std::to_string(result->body.size()) + " of " + *length + " bytes");
      retry = true;
    } else if (RetryableResponse(*result)) {
      if (attempt >= options_.max_attempts) return std::move(result).value();
      last_error = Status::Unavailable("HTTP " + std::to_string(result->status));
      retry = true;
      // A 500 or a gateway error may come after the server acted; throttling never does.
      if (call.maybe_applied != nullptr && result->status != 503 && result->status != 429) {
        *call.maybe_applied = true;
      }
    } else {
      return result;
    }
    if (retry && attempt >= options_.max_attempts) {
      return Status::IOError(call.method + " " + call.location + " failed after " +
                             std::to_string(attempt) + " attempts: " + last_error.message());
    }
    ++counts_.retries;
    int64_t delay = BackoffMicros(attempt);
    if (options_.logger != nullptr) {
      options_.logger->Warn("s3.retry", {{"method", call.method},
                                         {"location", call.location},
                                         {"attempt", attempt},
                                         {"delay_ms", delay / 1000},
                                         {"error", last_error.message()}});
    }
    clock_->SleepMicros(delay);
  }
}

Status S3Store::ErrorFromResponse(const Call& call, const HttpResponse& r) const {
  std::string code = s3xml::Text(r.body, "Code");
  std::string message = s3xml::Text(r.body, "Message");
  std::string detail = "HTTP " + std::to_string(r.status) + (code.empty() ? "" : " " + code) +
                       (message.empty() ? "" : ": " + message);
  const std::string& where = call.location;
  if (r.status == 404) {
    if (code == "NoSuchBucket") {
      return Status::NotFound(where + ": the S3 bucket '" + bucket_ + "' does not exist at " +
                              scheme_ + "://" + host_);
    }
    return Status::NotFound(where + ": no such object (" + detail + ")");
  }
  if (r.status == 403) {
    return Status::PermissionDenied(
        where + ": S3 denied " + call.method + " (" + detail +
        "); check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, the region '" +
        options_.region + "' and the bucket policy");
  }
  if (r.status == 401) return Status::Unauthenticated(where + ": S3 " + detail);
  if (r.status == 412)
    return Status::AlreadyExists(where + ": precondition failed (" + detail + ")");
  if (r.status == 416) return Status::Corrupt(where + ": range not satisfiable (" + detail + ")");
  if (r.status == 501) return Status::NotSupported(where + ": S3 " + detail);
  if (RetryableResponse(r)) {
    return Status::IOError(call.method + " " + where + " failed after " +
                           std::to_string(options_.max_attempts) + " attempts: " + detail);
  }
  return Status::IOError(call.method + " " + where + ": " + detail);
}

Result<ObjectInfo> S3Store::Stat(const std::string& location) {
  FLOE_ASSIGN_OR_RETURN(std::string key, KeyOf(location));
  Call call{"HEAD", key, {}, {}, {}, LocationOf(key)};
  FLOE_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
  if (!IsSuccess(r.status)) return ErrorFromResponse(call, r);
  ObjectInfo info;
  info.location = call.location;
  const std::string* length = r.Header("content-length");
  if (length == nullptr || !ParseInt64(*length, &info.size_bytes)) {
    return Status::IOError(call.location + ": HEAD answered without a valid Content-Length");
  }
  if (const std::string* modified = r.Header("last-modified")) {
    info.mtime_micros = ParseHttpDate(*modified);
  }
  return info;
}

Result<std::unique_ptr<RandomAccessFile>> S3Store::OpenRead(const std::string& location) {
  FLOE_ASSIGN_OR_RETURN(std::string key, KeyOf(location));
  // The last bytes, where Parquet keeps its footer: small objects come whole in this one GET.
  Call call{"GET", key, {}, {}, {}, LocationOf(key), options_.prefetch_bytes + 1};
  call.headers.emplace_back("Range", "bytes=-" + std::to_string(options_.prefetch_bytes));
  FLOE_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
  std::string etag;
  if (const std::string* e = r.Header("etag")) etag = *e;
  if (r.status == 416) {
    // No byte range of an empty object is satisfiable.
    FLOE_ASSIGN_OR_RETURN(ObjectInfo info, Stat(call.location));
    return std::unique_ptr<RandomAccessFile>(
        new S3ReadFile(this, call.location, key, info.size_bytes, "", 0, ""));
  }
  if (!IsSuccess(r.status)) return ErrorFromResponse(call, r);
  if (r.status == 200) {
    int64_t size = static_cast<int64_t>(r.body.size());
    return std::unique_ptr<RandomAccessFile>(
        new S3ReadFile(this, call.location, key, size, etag, 0, std::move(r.body)));
  }
  int64_t first = 0, last = 0, total = 0;
  if (!ParseContentRange(r.Header("content-range"), &first, &last, &total) || first < 0 ||
      last - first + 1 != static_cast<int64_t>(r.body.size()) || last >= total) {
    return Status::IOError(call.location + ": ranged GET answered with a bad Content-Range");
  }
  return std::unique_ptr<RandomAccessFile>(
      new S3ReadFile(this, call.location, key, total, etag, first, std::move(r.body)));
}

Result<std::string> S3Store::Get(const std::string& location) {
  FLOE_ASSIGN_OR_RETURN(std::string key, KeyOf(location));
  Call call{"GET", key, {}, {}, {}, LocationOf(key), int64_t{1} << 40};
  FLOE_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
  if (!IsSuccess(r.status)) return ErrorFromResponse(call, r);
  return std::move(r.body);
}

Result<std::string> S3Store::GetRange(const std::string& location, int64_t offset, int64_t length) {
  FLOE_ASSIGN_OR_RETURN(std::string key, KeyOf(location));
  std::string loc = LocationOf(key);
  if (offset < 0 || length < 0) return BeyondEnd(loc, offset, length, -1);
  if (length == 0) {
    FLOE_ASSIGN_OR_RETURN(ObjectInfo info, Stat(loc));
    if (offset > info.size_bytes) return BeyondEnd(loc, offset, length, info.size_bytes);
    return std::string();
  }
  if (offset > std::numeric_limits<int64_t>::max() - length) {
    return BeyondEnd(loc, offset, length, -1);
  }
  Call call{"GET", key, {}, {}, {}, loc, std::max<int64_t>(length, 1 << 20)};
  call.headers.emplace_back(
      "Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1));
  FLOE_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
  int64_t first = 0, last = 0, total = -1;
  ParseContentRange(r.Header("content-range"), &first, &last, &total);
  if (r.status == 416) return BeyondEnd(loc, offset, length, total);
  if (!IsSuccess(r.status)) return ErrorFromResponse(call, r);
  if (r.status == 200 && static_cast<int64_t>(r.body.size()) >= offset + length) {
    // The server ignored the range and sent the whole object.
    return r.body.substr(static_cast<size_t>(offset), static_cast<size_t>(length));
  }
  if (static_cast<int64_t>(r.body.size()) != length) {
    // S3 answers a range running past the end with the bytes that exist.
    if (total >= 0 && offset + length > total) return BeyondEnd(loc, offset, length, total);
    return Status::IOError(loc + ": short read, " + std::to_string(r.body.size()) + " of " +
                           std::to_string(length) + " bytes");
  }
  return std::move(r.body);
}

Result<std::unique_ptr<OutputStream>> S3Store::Create(const std::string& location) {
  FLOE_ASSIGN_OR_RETURN(std::string key, KeyOf(location));
  std::string loc = LocationOf(key);
  return std::unique_ptr<OutputStream>(new S3OutputStream(this, loc, key));
}

Status S3Store::PutObject(const std::string& location, const std::string& key,
                          std::string_view data, bool if_none_match, bool* maybe_applied) {
  Call call{"PUT", key, {}, {}, data, location};
  call.headers.emplace_back("Content-Type", "application/octet-stream");
  if (if_none_match) call.headers.emplace_back("If-None-Match", "*");
  call.maybe_applied = maybe_applied;
  FLOE_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
  if (!IsSuccess(r.status)) return ErrorFromResponse(call, r);
  return Status::OK();
}

Status S3Store::Put(const std::string& location, std::string_view data) {
  FLOE_ASSIGN_OR_RETURN(std::string key, KeyOf(location));
  if (static_cast<int64_t>(data.size()) > options_.part_size_bytes) {
    return ObjectStore::Put(location, data);  // multipart through Create()
  }
  return PutObject(LocationOf(key), key, data, false, nullptr);
}

Status S3Store::PutIfAbsentEmulated(const std::string& location, const std::string& key,
                                    std::string_view data) {
  std::lock_guard lock(emulation_mu_);
  auto info = Stat(location);
  if (info.ok()) return Status::AlreadyExists(location + ": the object exists");
  if (info.status().kind() != ErrorKind::kNotFound) return info.status();
  return PutObject(location, key, data, false, nullptr);
}

Status S3Store::PutIfAbsent(const std::string& location, std::string_view data) {
  FLOE_ASSIGN_OR_RETURN(std::string key, KeyOf(location));
  std::string loc = LocationOf(key);
  if (emulate_conditional_put_) return PutIfAbsentEmulated(loc, key, data);
  bool maybe_applied = false;
  Status st = PutObject(loc, key, data, true, &maybe_applied);
  if (st.kind() == ErrorKind::kAlreadyExists) {
    if (maybe_applied) {
      // A retried conditional PUT fails against the object its own lost first attempt wrote:
      // the bytes tell whether that object is ours.
      auto existing = Get(loc);
      if (existing.ok() && *existing == data) return Status::OK();
    }
    return Status::AlreadyExists(loc + ": the object exists");
  }
  if (st.kind() == ErrorKind::kNotSupported &&
      options_.conditional_put == S3ConditionalPut::kAuto) {
    emulate_conditional_put_ = true;
    if (options_.logger != nullptr) {
      options_.logger->Warn("s3.conditional_put_unsupported",
                            {{"bucket", bucket_},
                             {"detail",
                              "If-None-Match: * answered 501; put-if-absent is now "
                              "atomic only within this process"}});
    }
    return PutIfAbsentEmulated(loc, key, data);
  }
  return st;
}

Status S3Store::Delete(const std::string& location) {
  FLOE_ASSIGN_OR_RETURN(std::string key, KeyOf(location));
  std::string loc = LocationOf(key);
  // S3 answers 204 for missing keys too; the contract wants kNotFound.
  FLOE_RETURN_IF_ERROR(Stat(loc).status());
  Call call{"DELETE", key, {}, {}, {}, loc};
  FLOE_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
  if (!IsSuccess(r.status) && r.status != 404) return ErrorFromResponse(call, r);
  return Status::OK();
}

Status S3Store::DeleteMany(const std::vector<std::string>& locations) {
  Status first;
  std::vector<std::string> keys;
  for (const auto& location : locations) {
    auto key = KeyOf(location);
    if (!key.ok()) {
      if (first.ok()) first = key.status();
      continue;
    }
    keys.push_back(std::move(key).value());
  }
  for (size_t start = 0; start < keys.size(); start += kMaxKeysPerDelete) {
    size_t end = std::min(keys.size(), start + kMaxKeysPerDelete);
    std::string body = "<Delete><Quiet>true</Quiet>";
    for (size_t i = start; i < end; ++i) {
      body += "<Object><Key>" + s3xml::Escape(keys[i]) + "</Key></Object>";
    }
    body += "</Delete>";
    Call call{"POST", "", {{"delete", ""}}, {}, body, "s3://" + bucket_ + " (DeleteObjects)"};
    call.headers.emplace_back("Content-Type", "application/xml");
    call.headers.emplace_back("Content-MD5", Md5Base64(body));
    auto r = Execute(call);
    Status st;
    if (!r.ok()) {
      st = r.status();
    } else if (!IsSuccess(r->status)) {
      st = ErrorFromResponse(call, *r);
    } else {
      for (std::string_view error : s3xml::Elements(r->body, "Error")) {
        std::string code = s3xml::Text(error, "Code");
        if (code == "NoSuchKey") continue;
        std::string where = LocationOf(s3xml::Text(error, "Key"));
        st = code == "AccessDenied"
                 ? Status::PermissionDenied(where + ": S3 denied the delete (AccessDenied)")
                 : Status::IOError(where + ": delete failed: " + code + ": " +
                                   s3xml::Text(error, "Message"));
        break;
      }
    }
    if (!st.ok() && first.ok()) first = st;
  }
  return first;
}

Result<ObjectListPage> S3Store::ListPage(const std::string& prefix, const std::string& page_token,
                                         int max_keys) {
  FLOE_ASSIGN_OR_RETURN(Location loc, ParseLocation(prefix));
  if (loc.scheme != "s3" || loc.authority != bucket_) {
    return Status::InvalidArgument("listing prefix '" + prefix + "' is not in the S3 bucket '" +
                                   bucket_ + "'");
  }
  std::string key_prefix = loc.path.substr(1);
  if (!key_prefix.empty() && prefix.back() == '/') key_prefix += '/';
  max_keys = std::clamp(max_keys, 1, 1000);
  Call call{"GET",
            "",
            {{"list-type", "2"}, {"prefix", key_prefix}, {"max-keys", std::to_string(max_keys)}},
            {},
            {},
            "s3://" + bucket_ + "/" + key_prefix};
  if (!page_token.empty()) call.query.emplace_back("continuation-token", page_token);
  FLOE_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
  if (!IsSuccess(r.status)) return ErrorFromResponse(call, r);
  ObjectListPage page;
  for (std::string_view contents : s3xml::Elements(r.body, "Contents")) {
    ObjectInfo info;
    std::string key = s3xml::Text(contents, "Key");
    if (key.empty()) continue;
    info.location = LocationOf(key);
    if (!ParseInt64(s3xml::Text(contents, "Size"), &info.size_bytes)) {
      return Status::IOError(call.location + ": listing entry '" + key + "' has no valid Size");
    }
    info.mtime_micros = ParseIsoDate(s3xml::Text(contents, "LastModified"));
    page.objects.push_back(std::move(info));
  }
  if (s3xml::Text(r.body, "IsTruncated") == "true") {
    page.next_page_token = s3xml::Text(r.body, "NextContinuationToken");
    if (page.next_page_token.empty()) {
      return Status::IOError(call.location + ": truncated listing without a continuation token");
    }
  }
  return page;
}

}  // namespace floe
