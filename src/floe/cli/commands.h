#pragma once

#include <vector>

#include "floe/cli/cli.h"

namespace floe::cli {

// Each group of commands registers itself here; cli.cc lists them in AllCommands().
void AddParquetCommands(std::vector<Command>* commands);
void AddMaintenanceCommands(std::vector<Command>* commands);
void AddCompactCommands(std::vector<Command>* commands);
void AddScanCommands(std::vector<Command>* commands);
void AddTableCommands(std::vector<Command>* commands);
void AddIngestCommands(std::vector<Command>* commands);
void AddServeCommands(std::vector<Command>* commands);

}  // namespace floe::cli
