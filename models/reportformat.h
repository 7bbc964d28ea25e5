// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

namespace perfdash {

// How a readable report (docs/reports.md) writes its figures: column names that carry the unit, numbers rounded to
// what their source supports, times a spreadsheet reads. One definition for the GUI's export, `perfdashd export` and
// the chart's "Copy data". Pure; any thread.
namespace ReportFormat {

struct Options {
    // One column per tag key (model, status…) instead of one `series` column with the selector form.
    bool tagColumns = true;
    // For spreadsheets: a UTF-8 byte order mark (so Excel reads names such as "µs" right) and times as
    // "2026-11-23 20:00:00" (UTC), which Excel and LibreOffice take as a date; else ISO 8601 "2026-11-23T20:00:00Z".
    bool excel = false;
};

// Significant digits of a sketch figure: the fewest whose rounding error (at most half a unit in the last place) stays
// within half the sketch's relative accuracy, so rounding never adds more than the error the figure already has
// (1 % -> 3 digits: "24.1", "0.153").
int sketchDigits(double relativeAccuracy);
// Exact figures (counts divided by seconds, means of gauges): 6 significant digits, enough for any chart and without
// the float noise of shortest round-trip forms (0.30000000000000004).
inline constexpr int kExactDigits = 6;
// value rounded to `digits` significant digits; NaN and infinities stay as they are.
double round(double value, int digits);
// The CSV cell: the rounded value in its shortest form, empty for NaN and infinities.
QByteArray number(double value, int digits);

// A column name with its unit: ("latency_p95", "ms") -> "latency_p95_ms"; "req/s" -> "_rps", "%" -> "_percent",
// "MB" -> "_mb"; no unit, no suffix ("error_rate", a ratio from 0 to 1).
QString column(const QString &base, const QString &unit);

// The time column's header and cells (UTC).
QString timeColumn(const Options &options);
QByteArray time(qint64 unixSeconds, const Options &options);

// Written before the header: the byte order mark for Excel, else nothing.
QByteArray preamble(const Options &options);

} // namespace ReportFormat

} // namespace perfdash
