#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace floe {

// AWS Signature Version 4 (the "AWS4-HMAC-SHA256" algorithm) as S3 and S3-compatible stores
// (R2, MinIO, Ceph) check it: canonical request, string to sign, signing key, Authorization
// header, and query-string presigning.

// Credentials of one principal. Never logged: ToString-like helpers do not exist on purpose.
struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials only; sent as x-amz-security-token

  // No key id: requests go unsigned (public buckets, test servers).
  bool anonymous() const { return access_key_id.empty(); }
};

// SHA-256 of the empty string, the payload hash of GET/HEAD/DELETE requests.
inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
// The payload hash of a request whose body is not hashed (allowed over TLS by S3).
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

// Lower-case hex of the SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);
// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);
// Lower-case hex of raw bytes.
std::string LowerHex(std::string_view bytes);

// S3's URI encoding: the unreserved characters A-Z a-z 0-9 - . _ ~ stay, every other byte
// becomes %XX (upper-case hex); '/' stays when `keep_slash` (object keys in a path). Applied to
// raw keys exactly once, so "a%20b" as a key is sent as "a%2520b".
std::string AwsUriEncode(std::string_view text, bool keep_slash);

// "20130524T000000Z" for seconds since the Unix epoch.
std::string AmzDate(int64_t unix_seconds);

// One request to sign. Header names may have any case; every header given is signed (host
// must be among them). Query parameters are raw (not yet encoded); a parameter without a
// value ("?uploads") has an empty value.
struct SigningRequest {
  std::string method;
  std::string canonical_uri;  // the encoded path, e.g. "/bucket/test%24file.text"
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload_hash;  // Sha256Hex(body), kEmptyPayloadSha256 or kUnsignedPayload
};

struct SigningScope {
  std::string region;  // "us-east-1"; R2 takes "auto"
  std::string service = "s3";
  int64_t unix_seconds = 0;  // the request time; AWS rejects requests more than 15 min off
};

// The canonical request of SigV4 (method, URI, sorted encoded query, sorted lower-case headers
// with trimmed values, signed header list, payload hash), one per line.
std::string CanonicalRequest(const SigningRequest& request);
// The canonical query string: parameters encoded, sorted by name then value, joined with '&'.
std::string CanonicalQueryString(const std::vector<std::pair<std::string, std::string>>& query);
// "host;range;x-amz-date" for the request's headers.
std::string SignedHeaderList(const SigningRequest& request);
std::string StringToSign(const SigningScope& scope, std::string_view canonical_request);
// Hex signature of `string_to_sign` with the key derived from the secret and the scope.
std::string Signature(const AwsCredentials& credentials, const SigningScope& scope,
                      std::string_view string_to_sign);

// Signs `request` in place: adds x-amz-date, x-amz-content-sha256 (when `s3_payload_header`,
// as S3 requires), x-amz-security-token (with a session token), then the Authorization header.
// Anonymous credentials leave the request unsigned apart from x-amz-content-sha256.
void SignRequest(SigningRequest* request, const AwsCredentials& credentials,
                 const SigningScope& scope, bool s3_payload_header = true);

// Presigned URL query (for GET/PUT without headers other than host): the X-Amz-* parameters
// with X-Amz-Signature last, already encoded, to append after '?'. `request.query` holds any
// other parameters; the payload is UNSIGNED-PAYLOAD as S3 requires for presigned URLs.
std::string PresignQuery(const SigningRequest& request, const AwsCredentials& credentials,
                         const SigningScope& scope, int64_t expires_seconds);

}  // namespace floe
