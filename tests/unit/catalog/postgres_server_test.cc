// Tests of the test utility tests/support/postgres_server.h: later suites rely on it cleaning up.
#include "support/postgres_server.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "floe/catalog/sql_catalog.h"

namespace floe::testing {
namespace {

TEST(PostgresServerTest, ServesADatabaseAndRemovesEverythingWhenDestroyed) {
  auto server = PostgresServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  std::string folder = (*server)->folder();
  std::string uri = (*server)->Uri("db1");
  EXPECT_TRUE(std::filesystem::exists(folder + "/data/PG_VERSION"));
  ASSERT_TRUE((*server)->CreateDatabase("db1").ok());
  {
    auto catalog = SqlCatalog::Open(uri);
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    EXPECT_TRUE((*catalog)->CreateNamespace({"x"}, {}).ok());
  }
  server->reset();
  EXPECT_FALSE(std::filesystem::exists(folder));
  EXPECT_EQ(SqlCatalog::Open(uri).status().kind(), ErrorKind::kUnavailable);
}

TEST(PostgresServerTest, WatchdogCleansUpAfterTheOwnerDies) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The owner starts a server, reports its folder, and dies without running any destructor.
    ::close(fds[0]);
    auto server = PostgresServer::Start();
    std::string folder = server.ok() ? (*server)->folder() : "";
    (void)!::write(fds[1], folder.data(), folder.size());
    ::_exit(server.ok() ? 0 : 1);
  }
  ::close(fds[1]);
  std::string folder;
  char buf[256];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof(buf))) > 0) folder.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_FALSE(folder.empty());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::filesystem::exists(folder) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_FALSE(std::filesystem::exists(folder)) << folder << " was left behind";
}

}  // namespace
}  // namespace floe::testing
