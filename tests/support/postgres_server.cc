#include "support/postgres_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace floe::testing {
namespace {

bool IsExecutable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

Result<int> FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Status::IOError(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    int err = errno;
    ::close(fd);
    return Status::IOError(std::string("bind 127.0.0.1:0: ") + std::strerror(err));
  }
  ::close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

std::string Tail(const std::string& path, size_t max_bytes = 2000) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  return text.size() > max_bytes ? text.substr(text.size() - max_bytes) : text;
}

}  // namespace

Result<std::string> FindPostgresBinDir() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("FLOE_PG_BIN"); env && *env) candidates.push_back(env);
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
      if (!dir.empty()) candidates.push_back(dir);
    }
  }
  std::vector<std::string> versioned;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    versioned.push_back(entry.path().string() + "/bin");
  }
  // Newest major version first ("15" after "9" needs a numeric sort).
  std::sort(versioned.begin(), versioned.end(), [](const std::string& a, const std::string& b) {
    auto major = [](const std::string& p) {
      return std::atoi(p.substr(std::string("/usr/lib/postgresql/").size()).c_str());
    };
    return major(a) > major(b);
  });
  candidates.insert(candidates.end(), versioned.begin(), versioned.end());
  for (const auto& dir : candidates) {
    if (IsExecutable(dir + "/initdb") && IsExecutable(dir + "/pg_ctl")) {
      // Resolve symlinks (Debian's /usr/bin wrappers lack initdb; /usr/local links are common).
      std::string real = std::filesystem::canonical(dir + "/initdb", ec).parent_path().string();
      return ec ? dir : real;
    }
  }
  return Status::NotFound(
      "PostgreSQL server binaries (initdb, pg_ctl) not found in FLOE_PG_BIN, PATH or "
      "/usr/lib/postgresql/*/bin; install the Debian package 'postgresql'");
}

Status PostgresServer::Run(const std::vector<std::string>& argv, const std::string& log) const {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return Status::IOError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    if (::chdir(folder_.c_str()) != 0) ::_exit(126);
    if (run_uid_ >= 0) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(run_gid_) != 0 || ::setuid(run_uid_) != 0) {
        ::_exit(125);
      }
    }
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Status::IOError(std::string("waitpid: ") + std::strerror(errno));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::OK();
  return Status::IOError(argv[0] + " " + (argv.size() > 1 ? argv[1] : "") + " failed (status " +
                         std::to_string(status) + "); log " + log + ":\n" + Tail(log));
}

Result<std::unique_ptr<PostgresServer>> PostgresServer::Start() {
  FLOE_ASSIGN_OR_RETURN(std::string bin, FindPostgresBinDir());
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  server->bin_dir_ = bin;
  // /tmp, not $TMPDIR: the server user must be able to reach the folder, and the unix socket
  // path must stay short (about 100 bytes).
  std::string pattern = "/tmp/floe-pg-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Status::IOError(std::string("mkdtemp /tmp/floe-pg-*: ") + std::strerror(errno));
  }
  server->folder_ = pattern;
  if (::geteuid() == 0) {
    // PostgreSQL refuses to run as root; run it as nobody, who must own the folder.
    struct passwd* pw = ::getpwnam("nobody");
    if (pw == nullptr) return Status::NotFound("running as root and no user 'nobody' to run as");
    server->run_uid_ = static_cast<int>(pw->pw_uid);
    server->run_gid_ = static_cast<int>(pw->pw_gid);
    if (::chown(server->folder_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      return Status::IOError("chown " + server->folder_ + ": " + std::strerror(errno));
    }
  }
  const std::string data = server->folder_ + "/data";
  FLOE_RETURN_IF_ERROR(server->Run({bin + "/initdb", "-D", data, "-U", "floe", "--auth=trust",
                                    "--no-sync", "-E", "UTF8", "--no-locale"},
                                   server->folder_ + "/initdb.log"));
  Status last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    // The port is free now but could be taken before the server binds it; then try another.
    FLOE_ASSIGN_OR_RETURN(int port, FreeLoopbackPort());
    std::string options = "-p " + std::to_string(port) + " -k " + server->folder_ +
                          " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60";
    last = server->Run({bin + "/pg_ctl", "-D", data, "-l", server->folder_ + "/server.log", "-w",
                        "-t", "60", "-o", options, "start"},
                       server->folder_ + "/pg_ctl.log");
    if (last.ok()) {
      server->port_ = port;
      server->running_ = true;
      FLOE_RETURN_IF_ERROR(server->StartWatchdog());
      return server;
    }
  }
  return last.WithContext("starting PostgreSQL (server log " + server->folder_ + "/server.log:\n" +
                          Tail(server->folder_ + "/server.log") + ")");
}

Status PostgresServer::StartWatchdog() {
  int fds[2];
  // Close-on-exec, so pg_ctl and the server never hold the write end open.
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return Status::IOError(std::string("pipe: ") + std::strerror(errno));
  std::string script = "'" + bin_dir_ + "/pg_ctl' -D '" + folder_ +
                       "/data' -m immediate -w -t 60 stop >/dev/null 2>&1; rm -rf '" + folder_ +
                       "'";
  const char* argv[] = {"/bin/sh", "-c", script.c_str(), nullptr};
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    return Status::IOError(std::string("fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    // Only async-signal-safe calls: wait for the owner's "done" byte or for end of file, which
    // means every holder of the write end (the owner and its forks) is gone.
    ::setsid();  // out of the owner's process group, so a Ctrl-C or group kill spares it
    ::close(fds[1]);
    char done;
    ssize_t r;
    while ((r = ::read(fds[0], &done, 1)) < 0 && errno == EINTR) {
    }
    if (r == 1) ::_exit(0);
    if (run_uid_ >= 0) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(run_gid_) != 0 || ::setuid(run_uid_) != 0) {
        ::_exit(125);
      }
    }
    ::execv(argv[0], const_cast<char* const*>(argv));
    ::_exit(127);
  }
  ::close(fds[0]);
  watchdog_fd_ = fds[1];
  watchdog_pid_ = pid;
  return Status::OK();
}

Status PostgresServer::Stop() {
  if (!running_) return Status::OK();
  running_ = false;
  return Run(
      {bin_dir_ + "/pg_ctl", "-D", folder_ + "/data", "-m", "fast", "-w", "-t", "60", "stop"},
      folder_ + "/pg_ctl.log");
}

PostgresServer::~PostgresServer() {
  if (folder_.empty()) return;
  Status st = Stop();
  if (st.ok()) {
    std::error_code ec;
    std::filesystem::remove_all(folder_, ec);
  } else {
    // A server that will not stop keeps its folder, so nothing deletes files under it.
    std::fprintf(stderr, "PostgresServer: %s\n", st.ToString().c_str());
  }
  if (watchdog_pid_ > 0) {
    // Either way the watchdog has nothing left to do.
    char done = 1;
    (void)!::write(watchdog_fd_, &done, 1);
    ::close(watchdog_fd_);
    int status;
    while (::waitpid(watchdog_pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

std::string PostgresServer::Uri(const std::string& database) const {
  return "postgresql://floe@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

Status PostgresServer::CreateDatabase(const std::string& name) {
  PGconn* conn = PQconnectdb(Uri("postgres").c_str());
  std::unique_ptr<PGconn, void (*)(PGconn*)> guard(conn, PQfinish);
  if (PQstatus(conn) != CONNECTION_OK) {
    return Status::Unavailable("connect to test PostgreSQL: " + std::string(PQerrorMessage(conn)));
  }
  std::string sql = "CREATE DATABASE \"" + name + "\"";
  PGresult* res = PQexec(conn, sql.c_str());
  std::unique_ptr<PGresult, void (*)(PGresult*)> result(res, PQclear);
  if (PQresultStatus(res) != PGRES_COMMAND_OK) {
    return Status::IOError(sql + ": " + PQresultErrorMessage(res));
  }
  return Status::OK();
}

}  // namespace floe::testing
