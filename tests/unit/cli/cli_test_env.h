#pragma once

// A CliContext over captured stdout/stderr, an environment map and a fake clock, for CLI tests.

#include <map>
#include <sstream>
#include <string>

#include "floe/cli/cli.h"
#include "floe/common/clock.h"

namespace floe::testing {

struct CliEnv {
  std::map<std::string, std::string> vars;
  std::ostringstream out, err;
  FakeClock clock{1'700'000'000'000'000};
  cli::CliContext ctx() {
    return cli::CliContext{&out, &err,
                           [this](const char* name) -> const char* {
                             auto it = vars.find(name);
                             return it == vars.end() ? nullptr : it->second.c_str();
                           },
                           &clock, false};
  }
};

}  // namespace floe::testing
