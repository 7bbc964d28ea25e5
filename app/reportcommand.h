// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QTextStream>

namespace perfdash {

// `perfdashd report slowest-ops|memory-trend|errors-by-op [--db FILE] [--from TIME] [--to TIME] [--limit N]
// [--min-percent P] [--format csv|json]`: seed 003's named reports over the operations table
// (storage/operationreports.h).
int runReportCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

} // namespace perfdash
