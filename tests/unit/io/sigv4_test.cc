// Signature V4 against the examples AWS publishes: the S3 API reference ("Examples of signature
// calculations", header-based auth and presigned URL) and the aws-sig-v4-test-suite.
#include "floe/io/sigv4.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace floe {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;

// The S3 documentation's example principal and time (Fri, 24 May 2013 00:00:00 GMT).
AwsCredentials S3DocCredentials() {
  return {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
}
SigningScope S3DocScope() { return {"us-east-1", "s3", 1369353600}; }

std::string HeaderOf(const SigningRequest& request, std::string_view name) {
  for (const auto& [n, v] : request.headers) {
    if (n == name) return v;
  }
  return "";
}

TEST(SigV4Test, HashesAndDates) {
  EXPECT_EQ(Sha256Hex(""), kEmptyPayloadSha256);
  EXPECT_EQ(Sha256Hex("Welcome to Amazon S3."),
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(AmzDate(1369353600), "20130524T000000Z");
  EXPECT_EQ(AmzDate(1440938160), "20150830T123600Z");
}

TEST(SigV4Test, UriEncodingIsS3s) {
  EXPECT_EQ(AwsUriEncode("a-b_c.d~e", false), "a-b_c.d~e");
  EXPECT_EQ(AwsUriEncode("a b+c=é", false), "a%20b%2Bc%3D%C3%A9");
  EXPECT_EQ(AwsUriEncode("dir/a b", true), "dir/a%20b");
  EXPECT_EQ(AwsUriEncode("dir/a b", false), "dir%2Fa%20b");
  EXPECT_EQ(AwsUriEncode("!'()*$", true), "%21%27%28%29%2A%24");
  // Keys are encoded once: a '%' in a key is itself encoded, never taken as an escape.
  EXPECT_EQ(AwsUriEncode("a%20b", true), "a%2520b");
  EXPECT_EQ(CanonicalQueryString({{"prefix", "J"}, {"max-keys", "2"}}), "max-keys=2&prefix=J");
  EXPECT_EQ(CanonicalQueryString({{"uploads", ""}}), "uploads=");
}

// "Example: GET Object": the first 10 bytes of examplebucket/test.txt.
TEST(SigV4Test, S3GetObjectExample) {
  SigningRequest request{"GET",
                         "/test.txt",
                         {},
                         {{"Host", "examplebucket.s3.amazonaws.com"}, {"Range", "bytes=0-9"}},
                         std::string(kEmptyPayloadSha256)};
  SignRequest(&request, S3DocCredentials(), S3DocScope());
  EXPECT_EQ(HeaderOf(request, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(HeaderOf(request, "x-amz-date"), "20130524T000000Z");
}

TEST(SigV4Test, S3GetObjectExampleStringToSign) {
  SigningRequest request{"GET",
                         "/test.txt",
                         {},
                         {{"Host", "examplebucket.s3.amazonaws.com"},
                          {"Range", "bytes=0-9"},
                          {"x-amz-content-sha256", std::string(kEmptyPayloadSha256)},
                          {"x-amz-date", "20130524T000000Z"}},
                         std::string(kEmptyPayloadSha256)};
  EXPECT_EQ(StringToSign(S3DocScope(), CanonicalRequest(request)),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
}

// "Example: PUT Object": a key with '$' (encoded once), extra signed headers, a hashed body.
TEST(SigV4Test, S3PutObjectExample) {
  std::string body = "Welcome to Amazon S3.";
  SigningRequest request{"PUT",
                         "/" + AwsUriEncode("test$file.text", true),
                         {},
                         {{"Host", "examplebucket.s3.amazonaws.com"},
                          {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                          {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
                         Sha256Hex(body)};
  EXPECT_EQ(request.canonical_uri, "/test%24file.text");
  SignRequest(&request, S3DocCredentials(), S3DocScope());
  EXPECT_EQ(HeaderOf(request, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, "
            "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

// "Example: GET Bucket Lifecycle": a sub-resource without a value.
TEST(SigV4Test, S3GetBucketLifecycleExample) {
  SigningRequest request{"GET",
                         "/",
                         {{"lifecycle", ""}},
                         {{"Host", "examplebucket.s3.amazonaws.com"}},
                         std::string(kEmptyPayloadSha256)};
  SignRequest(&request, S3DocCredentials(), S3DocScope());
  EXPECT_THAT(
      HeaderOf(request, "Authorization"),
      EndsWith("Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"));
}

// "Example: Get Bucket (List Objects)": query parameters signed sorted.
TEST(SigV4Test, S3ListObjectsExample) {
  SigningRequest request{"GET",
                         "/",
                         {{"prefix", "J"}, {"max-keys", "2"}},
                         {{"Host", "examplebucket.s3.amazonaws.com"}},
                         std::string(kEmptyPayloadSha256)};
  SignRequest(&request, S3DocCredentials(), S3DocScope());
  EXPECT_THAT(
      HeaderOf(request, "Authorization"),
      EndsWith("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"));
}

// "Authenticating Requests: Using Query Parameters": a presigned GET valid for 86400 s.
TEST(SigV4Test, S3PresignedUrlExample) {
  SigningRequest request{"GET", "/test.txt", {}, {{"Host", "examplebucket.s3.amazonaws.com"}}, ""};
  std::string query = PresignQuery(request, S3DocCredentials(), S3DocScope(), 86400);
  EXPECT_EQ(query,
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F"
            "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-"
            "SignedHeaders=host&X-Amz-Signature="
            "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

// aws-sig-v4-test-suite (service "service", no x-amz-content-sha256 header).
AwsCredentials SuiteCredentials() {
  return {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
}
SigningScope SuiteScope() { return {"us-east-1", "service", 1440938160}; }

TEST(SigV4Test, SuiteGetVanilla) {
  SigningRequest request{
      "GET", "/", {}, {{"Host", "example.amazonaws.com"}}, std::string(kEmptyPayloadSha256)};
  SignRequest(&request, SuiteCredentials(), SuiteScope(), /*s3_payload_header=*/false);
  EXPECT_EQ(HeaderOf(request, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4Test, SuiteGetVanillaQueryOrderKeyCase) {
  SigningRequest request{"GET",
                         "/",
                         {{"Param2", "value2"}, {"Param1", "value1"}},
                         {{"Host", "example.amazonaws.com"}},
                         std::string(kEmptyPayloadSha256)};
  SignRequest(&request, SuiteCredentials(), SuiteScope(), false);
  EXPECT_THAT(
      HeaderOf(request, "Authorization"),
      EndsWith("Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
}

TEST(SigV4Test, SessionTokenIsSentAndSigned) {
  AwsCredentials creds = SuiteCredentials();
  creds.session_token = "TOKEN";
  SigningRequest request{
      "GET", "/", {}, {{"Host", "example.amazonaws.com"}}, std::string(kEmptyPayloadSha256)};
  SignRequest(&request, creds, SuiteScope(), false);
  EXPECT_EQ(HeaderOf(request, "x-amz-security-token"), "TOKEN");
  EXPECT_THAT(HeaderOf(request, "Authorization"),
              HasSubstr("SignedHeaders=host;x-amz-date;x-amz-security-token,"));
  EXPECT_THAT(HeaderOf(request, "Authorization"), ::testing::Not(HasSubstr("TOKEN")));
}

TEST(SigV4Test, AnonymousRequestsAreNotSigned) {
  SigningRequest request{"GET", "/b/k", {}, {{"Host", "h"}}, std::string(kUnsignedPayload)};
  SignRequest(&request, AwsCredentials{}, S3DocScope());
  EXPECT_EQ(HeaderOf(request, "Authorization"), "");
  EXPECT_EQ(HeaderOf(request, "x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
}

TEST(SigV4Test, HeaderValuesAreTrimmedAndFolded) {
  SigningRequest request{"GET", "/", {}, {{"Host", "h"}, {"X-Amz-Meta-A", "  a   b  "}}, "x"};
  EXPECT_THAT(CanonicalRequest(request), HasSubstr("\nx-amz-meta-a:a b\n"));
}

}  // namespace
}  // namespace floe
