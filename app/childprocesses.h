// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QProcess>

#include <memory>
#include <vector>

namespace perfdash {

// Stops the processes a program started (a spawned collector, the demo feed): SIGTERM to all of them at once, so a
// collector flushes its last second, then SIGKILL to any still running after graceMs. Main thread only.
namespace ChildProcesses {
using List = std::vector<std::unique_ptr<QProcess>>;

// Waits here, at most graceMs and 1 s more: for when the event loop has ended (the program is quitting). Hide the
// windows first: nothing repaints while this waits.
void stopAndWait(List processes, int graceMs = 5000);
// Returns at once: for while the event loop runs (a window switches to another source). The processes end on the
// loop's time and delete themselves; until then the application object holds them, and if it goes first, QProcess's
// destructor kills them.
void stopLater(List processes, int graceMs = 5000);
// stopLater() while an event loop runs on this thread, else stopAndWait().
void stop(List processes, int graceMs = 5000);
} // namespace ChildProcesses

} // namespace perfdash
