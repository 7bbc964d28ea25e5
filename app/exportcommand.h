// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QTextStream>

#include <optional>

namespace perfdash {

// `perfdashd export [--content kpi|series|operations|runs|alerts|slowest-ops|memory-trend|errors-by-op] [--model M]
// [--series SELECTOR] --from TIME --to TIME --step 1s|1m|1h|1d|auto [--series-key] [--excel] [--raw] [-o FILE]`: a
// readable report (app/reportexport.h, docs/reports.md) as RFC 4180 CSV, atomically (QSaveFile) when -o is given;
// --raw writes the lossless exchange format `perfdashd import` reads (storage/csvwriter.h). Returns the process exit
// code: 0 done (also after --help), 1 cannot read or write, 2 bad arguments. nowSeconds: the clock (relative times,
// which seconds passed).
int runExportCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);
int runExportCommand(const QStringList &arguments, QTextStream &out, QTextStream &err, qint64 nowSeconds);
// `perfdashd series [--db FILE]`: one series per line, "name{tag=value,...}<TAB>kind<TAB>first seen (UTC)".
int runSeriesCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

struct ExportArguments {
    // "now", a signed offset from now ("-24h", "-10m", "+1m", "-30s", "-7d", "-2w"), or ISO 8601 ("2026-11-23",
    // "2026-11-23T20:00:00Z", "2026-11-23T21:00:00+01:00"; no offset means UTC). Unix seconds, or nullopt + error.
    static std::optional<qint64> parseTime(const QString &text, qint64 nowSeconds, QString *error);
    // "30s", "10m", "48h", "35d", "2w" -> seconds (> 0), or nullopt.
    static std::optional<qint64> parseDuration(const QString &text);
    // 1s, 1m, 1h or 1d -> seconds, or nullopt.
    static std::optional<qint64> parseStep(const QString &text);
};

} // namespace perfdash
