#include "support/s3rver_server.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

namespace floe::testing {

Result<std::string> FindS3rver() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("FLOE_ORACLE_DIR"); env && *env) dirs.push_back(env);
#ifdef FLOE_BUILD_ORACLE_DIR
  dirs.push_back(FLOE_BUILD_ORACLE_DIR);
#endif
#ifdef FLOE_SOURCE_ORACLE_DIR
  dirs.push_back(FLOE_SOURCE_ORACLE_DIR);
#endif
  std::string looked;
  for (const auto& dir : dirs) {
    std::string script = dir + "/node_modules/s3rver/bin/s3rver.js";
    if (::access(script.c_str(), R_OK) == 0) return script;
    looked += " " + script;
  }
  return Status::NotFound("s3rver not found (looked at" + looked +
                          "); install the oracle with scripts/install-deps.sh or set "
                          "FLOE_ORACLE_DIR");
}

Result<std::unique_ptr<S3rverServer>> S3rverServer::Start(const std::string& bucket) {
  FLOE_ASSIGN_OR_RETURN(std::string script, FindS3rver());
  std::unique_ptr<S3rverServer> server(new S3rverServer());
  std::string pattern = "/tmp/floe-s3rver-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Status::IOError(std::string("mkdtemp /tmp/floe-s3rver-*: ") + std::strerror(errno));
  }
  server->folder_ = pattern;
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    return Status::IOError(std::string("pipe: ") + std::strerror(errno));
  }
  // The preload makes a PUT's answer wait for the file write (see the .cjs file).
  std::vector<std::string> argv = {"node",
                                   "--openssl-legacy-provider",
                                   "--require",
                                   FLOE_S3RVER_PRELOAD,
                                   script,
                                   "-d",
                                   server->folder_,
                                   "-a",
                                   "127.0.0.1",
                                   "-p",
                                   "0",
                                   "--silent",
                                   "--configure-bucket",
                                   bucket};
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return Status::IOError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    ::dup2(out[1], 1);
    ::execvp("node", args.data());
    ::_exit(127);
  }
  ::close(out[1]);
  server->pid_ = pid;
  // The first line with "listening on 127.0.0.1:PORT" gives the port.
  std::string text;
  char buf[512];
  while (server->port_ == 0) {
    pollfd pfd{out[0], POLLIN, 0};
    int ready = ::poll(&pfd, 1, 60'000);
    if (ready <= 0) break;
    ssize_t n = ::read(out[0], buf, sizeof(buf));
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    size_t at = text.find("listening on 127.0.0.1:");
    if (at != std::string::npos && text.find('\n', at) != std::string::npos) {
      server->port_ = std::atoi(text.c_str() + at + std::strlen("listening on 127.0.0.1:"));
    }
  }
  // Kept open until the server stops: a closed pipe would kill it on its next write.
  server->stdout_fd_ = out[0];
  if (server->port_ <= 0) {
    return Status::IOError("s3rver did not start (output: '" + text + "')");
  }
  return server;
}

S3rverServer::~S3rverServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  if (!folder_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(folder_, ec);
  }
}

}  // namespace floe::testing
