// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QTextStream>

namespace perfdash {

// `perfdashd summary --model M [--window 1h|6h|24h|7d|30d|DURATION] [--granularity minute|hour|day] [--db FILE]
// [--end TIME]`: seed 001's performance summary of one model as JSON on stdout (models/performancesummary.h), every
// figure from the Kpi layer over stored history. Exit 0; 2 for bad arguments; 1 for an unknown model (the known ones
// are listed) or a database that cannot be read.
int runSummaryCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

} // namespace perfdash
