#pragma once

#include <memory>
#include <string>
#include <vector>

#include "floe/common/result.h"

namespace floe::testing {

// A throwaway PostgreSQL server for tests: initdb into a fresh folder under /tmp, started on a
// free loopback port (trust authentication, superuser "floe", unix socket in the same folder),
// stopped and deleted when the object is destroyed. When the test runs as root the server runs
// as "nobody" (PostgreSQL refuses to run as root). A watchdog process stops and deletes the server
// if the test process dies without destroying it (crash, abort, kill by a timeout), so failed
// runs leave no servers behind. A process forked from the owner must leave with _exit(), or its
// copy of the object stops the server.
//
//   auto server = PostgresServer::Start();
//   ASSERT_TRUE(server.ok()) << server.status().ToString();
//   ASSERT_TRUE((*server)->CreateDatabase("cat").ok());
//   std::string uri = (*server)->Uri("cat");  // postgresql://floe@127.0.0.1:PORT/cat
class PostgresServer {
 public:
  // Finds the binaries (FLOE_PG_BIN, PATH, /usr/lib/postgresql/*/bin, newest first).
  static Result<std::unique_ptr<PostgresServer>> Start();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  Status CreateDatabase(const std::string& name);
  // A libpq URI for `database` as the superuser.
  std::string Uri(const std::string& database) const;
  int port() const { return port_; }
  const std::string& folder() const { return folder_; }
  // Stops the server (fast shutdown); the destructor does this too.
  Status Stop();

 private:
  PostgresServer() = default;
  // Runs `argv` (as the server user) with output appended to `log`; returns its exit status.
  Status Run(const std::vector<std::string>& argv, const std::string& log) const;
  // Forks the process that cleans up if this one dies first.
  Status StartWatchdog();

  std::string bin_dir_;
  std::string folder_;
  int port_ = 0;
  bool running_ = false;
  int run_uid_ = -1;  // -1: as ourselves
  int run_gid_ = -1;
  int watchdog_fd_ = -1;  // write end of the pipe the watchdog waits on
  int watchdog_pid_ = -1;
};

// The folder holding initdb and pg_ctl, or kNotFound saying where it looked.
Result<std::string> FindPostgresBinDir();

}  // namespace floe::testing
