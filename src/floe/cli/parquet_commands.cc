#include "floe/cli/commands.h"

namespace floe::cli {

void AddParquetCommands(std::vector<Command>* /*commands*/) {}

}  // namespace floe::cli
