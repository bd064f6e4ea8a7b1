// A throwaway PostgreSQL server for interop scripts (tests/support/postgres_server.h): starts it
// on a free loopback port with a database "floe", prints the database's URI on one line, and
// stops and deletes the server when standard input closes (the script ended, or died: its end of
// the pipe closes either way).

#include <unistd.h>

#include <cstdio>

#include "support/postgres_server.h"

int main() {
  auto server = floe::testing::PostgresServer::Start();
  if (!server.ok()) {
    std::fprintf(stderr, "pg_server: %s\n", server.status().ToString().c_str());
    return 1;
  }
  floe::Status created = (*server)->CreateDatabase("floe");
  if (!created.ok()) {
    std::fprintf(stderr, "pg_server: %s\n", created.ToString().c_str());
    return 1;
  }
  std::printf("%s\n", (*server)->Uri("floe").c_str());
  std::fflush(stdout);
  char buffer[256];
  while (::read(STDIN_FILENO, buffer, sizeof buffer) > 0) {
  }
  return 0;
}
