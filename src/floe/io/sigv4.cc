#include "floe/io/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "floe/common/logger.h"

namespace floe {
namespace {

bool IsUnreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Trims the value and folds runs of spaces into one, as the canonical headers require.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// Lower-case names → values (repeated headers joined with ','), sorted by name.
std::map<std::string, std::string> CanonicalHeaders(const SigningRequest& request) {
  std::map<std::string, std::string> headers;
  for (const auto& [name, value] : request.headers) {
    std::string& slot = headers[ToLower(name)];
    if (!slot.empty()) slot += ',';
    slot += CanonicalHeaderValue(value);
  }
  return headers;
}

std::string CredentialScope(const SigningScope& scope) {
  return AmzDate(scope.unix_seconds).substr(0, 8) + "/" + scope.region + "/" + scope.service +
         "/aws4_request";
}

}  // namespace

std::string LowerHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return LowerHex(std::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string AwsUriEncode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string AmzDate(int64_t unix_seconds) {
  // "2013-05-24T00:00:00.000000Z" → "20130524T000000Z".
  std::string rfc3339 = FormatTimestampMicros(unix_seconds * 1'000'000);
  std::string out;
  for (char c : rfc3339.substr(0, 19)) {
    if (c != '-' && c != ':') out += c;
  }
  return out + "Z";
}

std::string CanonicalQueryString(const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) {
    encoded.emplace_back(AwsUriEncode(name, false), AwsUriEncode(value, false));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

std::string SignedHeaderList(const SigningRequest& request) {
  std::string out;
  for (const auto& [name, value] : CanonicalHeaders(request)) {
    if (!out.empty()) out += ';';
    out += name;
  }
  return out;
}

std::string CanonicalRequest(const SigningRequest& request) {
  std::string out = request.method + "\n" + request.canonical_uri + "\n" +
                    CanonicalQueryString(request.query) + "\n";
  for (const auto& [name, value] : CanonicalHeaders(request)) out += name + ":" + value + "\n";
  out += "\n" + SignedHeaderList(request) + "\n" + request.payload_hash;
  return out;
}

std::string StringToSign(const SigningScope& scope, std::string_view canonical_request) {
  return "AWS4-HMAC-SHA256\n" + AmzDate(scope.unix_seconds) + "\n" + CredentialScope(scope) + "\n" +
         Sha256Hex(canonical_request);
}

std::string Signature(const AwsCredentials& credentials, const SigningScope& scope,
                      std::string_view string_to_sign) {
  std::string key =
      HmacSha256("AWS4" + credentials.secret_access_key, AmzDate(scope.unix_seconds).substr(0, 8));
  key = HmacSha256(key, scope.region);
  key = HmacSha256(key, scope.service);
  key = HmacSha256(key, "aws4_request");
  return LowerHex(HmacSha256(key, string_to_sign));
}

void SignRequest(SigningRequest* request, const AwsCredentials& credentials,
                 const SigningScope& scope, bool s3_payload_header) {
  if (s3_payload_header)
    request->headers.emplace_back("x-amz-content-sha256", request->payload_hash);
  if (credentials.anonymous()) return;
  request->headers.emplace_back("x-amz-date", AmzDate(scope.unix_seconds));
  if (!credentials.session_token.empty()) {
    request->headers.emplace_back("x-amz-security-token", credentials.session_token);
  }
  std::string signature =
      Signature(credentials, scope, StringToSign(scope, CanonicalRequest(*request)));
  request->headers.emplace_back(
      "Authorization",
      "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + CredentialScope(scope) +
          ", SignedHeaders=" + SignedHeaderList(*request) + ", Signature=" + signature);
}

std::string PresignQuery(const SigningRequest& request, const AwsCredentials& credentials,
                         const SigningScope& scope, int64_t expires_seconds) {
  SigningRequest presigned = request;
  presigned.payload_hash = std::string(kUnsignedPayload);
  auto& q = presigned.query;
  q.emplace_back("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
  q.emplace_back("X-Amz-Credential", credentials.access_key_id + "/" + CredentialScope(scope));
  q.emplace_back("X-Amz-Date", AmzDate(scope.unix_seconds));
  q.emplace_back("X-Amz-Expires", std::to_string(expires_seconds));
  if (!credentials.session_token.empty()) {
    q.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  q.emplace_back("X-Amz-SignedHeaders", SignedHeaderList(presigned));
  std::string signature =
      Signature(credentials, scope, StringToSign(scope, CanonicalRequest(presigned)));
  return CanonicalQueryString(q) + "&X-Amz-Signature=" + signature;
}

}  // namespace floe
