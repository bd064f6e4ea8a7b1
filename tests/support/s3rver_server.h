#pragma once

#include <memory>
#include <string>

#include "floe/common/result.h"

namespace floe::testing {

// A throwaway s3rver (the Node.js S3 server in the test oracle) for tests: started with
// `node --openssl-legacy-provider` (its continuation tokens use DES) on a free loopback port
// (port 0, the port read back from its output) over a fresh folder under /tmp, with one bucket
// made at start; stopped and its folder deleted when the object is destroyed. The server dies
// with the test process (PR_SET_PDEATHSIG) if that crashes first.
//
// s3rver checks no signatures, ignores If-None-Match on PUT (use S3ConditionalPut::kEmulated),
// cannot abort multipart uploads, and writes objects in place (a reader can see a half-written
// object), so tests that need those skip it.
//
//   auto server = S3rverServer::Start("bucket");
//   ASSERT_TRUE(server.ok()) << server.status().ToString();
//   options.endpoint = (*server)->endpoint();  // http://127.0.0.1:PORT
class S3rverServer {
 public:
  // Finds s3rver under FLOE_ORACLE_DIR (environment), <build>/oracle or build/oracle.
  static Result<std::unique_ptr<S3rverServer>> Start(const std::string& bucket);
  ~S3rverServer();
  S3rverServer(const S3rverServer&) = delete;
  S3rverServer& operator=(const S3rverServer&) = delete;

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  // s3rver's storage folder: <folder>/<bucket>/<key>._S3rver_object holds each object's bytes.
  const std::string& folder() const { return folder_; }

 private:
  S3rverServer() = default;

  std::string folder_;
  int port_ = 0;
  int pid_ = -1;
  int stdout_fd_ = -1;
};

// The s3rver.js entry point, or kNotFound saying where it looked.
Result<std::string> FindS3rver();

}  // namespace floe::testing
