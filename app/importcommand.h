// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QTextStream>

namespace perfdash {

// `perfdashd import --db FILE [--format csv|openmetrics] [--step 1s|1m|1h] [--skip-bad] [--replace]
// [--retention 1s=48h,1m=35d,1h=400d] [--rename FAMILY=NAME]... INPUT`: backfills history into every storage tier in
// one transaction (storage/historyimport.h, docs/storage.md "Import"). INPUT `-` reads stdin. Progress and the summary
// go to stderr. Returns 0 imported (also after --help), 1 nothing imported (bad input lines, unreadable input, database
// errors), 2 bad arguments. nowSeconds: the clock (retention, which buckets are in the future).
int runImportCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);
int runImportCommand(const QStringList &arguments, QTextStream &out, QTextStream &err, qint64 nowSeconds);

} // namespace perfdash
