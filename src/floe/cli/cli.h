#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "floe/common/clock.h"

namespace floe::cli {

// What a command may touch: its output streams, the environment, the clock. Passed in, so tests
// run commands in-process and capture their output.
struct CliContext {
  std::ostream* out;
  std::ostream* err;
  std::function<const char*(const char*)> getenv;
  const Clock* clock;
  bool stdout_is_terminal = false;
  // Progress bars (progress.h) are drawn only then.
  bool stderr_is_terminal = false;
};

// A parsed command line: positional arguments and --flags (`--name value`, `--name=value`, or a
// bare `--name` for booleans, which are declared so a following positional is not eaten).
class Args {
 public:
  // `boolean_flags` are flags that never take a value.
  static bool Parse(const std::vector<std::string>& argv, const std::vector<std::string>& boolean_flags,
                    Args* out, std::string* error);

  const std::vector<std::string>& positional() const { return positional_; }
  bool Has(std::string_view flag) const { return flags_.count(std::string(flag)) > 0; }
  // The flag's value, or `fallback` when absent.
  std::string Get(std::string_view flag, std::string fallback = "") const;
  const std::map<std::string, std::string>& flags() const { return flags_; }

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::string> flags_;
};

// One `floe <name>` subcommand.
struct Command {
  std::string name;
  std::string summary;  // one line for `floe --help`
  std::string usage;    // full text for `floe <name> --help`
  std::vector<std::string> boolean_flags;
  std::function<int(const Args&, const CliContext&)> run;  // returns the exit code
};

// Every command, in the order `floe --help` lists them.
std::vector<Command> AllCommands();

// Entry point: dispatches argv[1] to its command. Returns the process exit code
// (0 ok, 1 the work failed, 2 bad usage).
int RunCli(const std::vector<std::string>& argv, const CliContext& ctx);

std::string_view FloeVersion();

}  // namespace floe::cli
