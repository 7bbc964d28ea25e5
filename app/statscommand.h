// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QTextStream>

namespace perfdash {

// `perfdashd stats [--runtime-dir DIR]`: asks a running collector for its counters and prints "name value" lines.
int runStatsCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

} // namespace perfdash
