#include "floe/cli/cli.h"

#include <ostream>

#include "floe/cli/commands.h"

namespace floe::cli {

std::string_view FloeVersion() { return FLOE_VERSION; }

bool Args::Parse(const std::vector<std::string>& argv, const std::vector<std::string>& boolean_flags,
                 Args* out, std::string* error) {
  auto is_bool = [&](const std::string& name) {
    for (const auto& b : boolean_flags)
      if (b == name) return true;
    return name == "help" || name == "json";
  };
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--") {
      for (++i; i < argv.size(); ++i) out->positional_.push_back(argv[i]);
      break;
    }
    if (a.size() > 2 && a.compare(0, 2, "--") == 0) {
      std::string name = a.substr(2);
      auto eq = name.find('=');
      if (eq != std::string::npos) {
        out->flags_[name.substr(0, eq)] = name.substr(eq + 1);
      } else if (is_bool(name)) {
        out->flags_[name] = "true";
      } else if (i + 1 < argv.size()) {
        out->flags_[name] = argv[++i];
      } else {
        *error = "flag --" + name + " needs a value";
        return false;
      }
    } else {
      out->positional_.push_back(a);
    }
  }
  return true;
}

std::string Args::Get(std::string_view flag, std::string fallback) const {
  auto it = flags_.find(std::string(flag));
  return it == flags_.end() ? fallback : it->second;
}

std::vector<Command> AllCommands() {
  std::vector<Command> all;
  AddParquetCommands(&all);
  AddMaintenanceCommands(&all);
  AddCompactCommands(&all);
  AddScanCommands(&all);
  AddTableCommands(&all);
  AddServeCommands(&all);
  AddIngestCommands(&all);
  return all;
}

namespace {
void PrintHelp(const std::vector<Command>& commands, std::ostream& out) {
  out << "floe " << FloeVersion()
      << " - lands analytics events in Apache Iceberg tables and keeps them healthy\n\n"
      << "usage: floe <command> [flags]\n       floe <command> --help\n\ncommands:\n";
  for (const Command& c : commands) {
    out << "  " << c.name;
    for (size_t i = c.name.size(); i < 18; ++i) out << ' ';
    out << c.summary << "\n";
  }
  out << "\nglobal flags: --help, --version\n";
}
}  // namespace

int RunCli(const std::vector<std::string>& argv, const CliContext& ctx) {
  std::vector<Command> commands = AllCommands();
  if (argv.size() < 2 || argv[1] == "--help" || argv[1] == "-h" || argv[1] == "help") {
    PrintHelp(commands, *ctx.out);
    return argv.size() < 2 ? 2 : 0;
  }
  if (argv[1] == "--version" || argv[1] == "version") {
    *ctx.out << "floe " << FloeVersion() << "\n";
    return 0;
  }
  for (const Command& c : commands) {
    if (c.name != argv[1]) continue;
    Args args;
    std::string error;
    std::vector<std::string> rest(argv.begin() + 2, argv.end());
    if (!Args::Parse(rest, c.boolean_flags, &args, &error)) {
      *ctx.err << "floe " << c.name << ": " << error << "\n" << c.usage;
      return 2;
    }
    if (args.Has("help")) {
      *ctx.out << c.usage;
      return 0;
    }
    return c.run(args, ctx);
  }
  *ctx.err << "floe: unknown command '" << argv[1] << "' (see floe --help)\n";
  return 2;
}

}  // namespace floe::cli
