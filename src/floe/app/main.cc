#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "floe/cli/cli.h"
#include "floe/common/clock.h"
#include "floe/common/malloc_tuning.h"

int main(int argc, char** argv) {
  // May re-execute this binary (same pid and arguments) so that glibc's malloc uses huge pages.
  floe::TuneMallocAtStart(argv);
  std::ios::sync_with_stdio(false);
  floe::SystemClock clock;
  floe::cli::CliContext ctx{&std::cout,
                            &std::cerr,
                            [](const char* name) { return std::getenv(name); },
                            &clock,
                            isatty(STDOUT_FILENO) != 0,
                            isatty(STDERR_FILENO) != 0};
  std::vector<std::string> args(argv, argv + argc);
  int rc = floe::cli::RunCli(args, ctx);
  std::cout.flush();
  return rc;
}
