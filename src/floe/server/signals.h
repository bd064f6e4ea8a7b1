#pragma once

namespace floe::server {

// Blocks SIGINT and SIGTERM in the calling thread and every thread it starts afterwards, so no
// thread is interrupted and WaitForTerminationSignal() receives them. Call before starting threads.
void BlockTerminationSignals();

// Waits until SIGINT or SIGTERM is delivered (they must be blocked); returns the signal number.
int WaitForTerminationSignal();

}  // namespace floe::server
