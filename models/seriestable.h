// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QPointF>
#include <QString>
#include <QVector>

namespace perfdash {

// Lines of a chart as one table a spreadsheet pastes: the chart's "Copy data". Pure; any thread.
namespace SeriesTable {

// One column: a line's name and its points (x: ms since the epoch, sorted; NaN y: no value).
struct Column {
    QString name;
    QVector<QPointF> points;
};

// A header row ("time" and the columns' names), then one row per distinct time in [fromMs, toMs] at which some column
// has a value: the time as ISO 8601 UTC ("2026-11-23T20:00:00Z", with milliseconds when it has any), then each
// column's value (ReportFormat::number, 6 significant digits, no locale) or an empty cell. Cells holding the
// separator, a quote or a line break are quoted as in RFC 4180. Every row ends with '\n'.
QString text(const QVector<Column> &columns, qint64 fromMs, qint64 toMs, QChar separator);

} // namespace SeriesTable

} // namespace perfdash
