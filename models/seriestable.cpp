// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/seriestable.h"

#include "models/reportformat.h"

#include <QDateTime>
#include <QStringBuilder>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::Literals::StringLiterals;

namespace perfdash::SeriesTable {

namespace {

QString cell(const QString &text, QChar separator)
{
    if (!text.contains(separator) && !text.contains(u'"') && !text.contains(u'\n') && !text.contains(u'\r'))
        return text;
    return u'"' % QString(text).replace(u"\""_s, u"\"\""_s) % u'"';
}

QString timeText(qint64 ms)
{
    // Chart points may fall between seconds; whole seconds keep the short form the reports use.
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(ms % 1000 == 0 ? Qt::ISODate : Qt::ISODateWithMs);
}

} // namespace

QString text(const QVector<Column> &columns, qint64 fromMs, qint64 toMs, QChar separator)
{
    QString out = u"time"_s;
    for (const Column &column : columns)
        out += separator % cell(column.name, separator);
    out += u'\n';
    // A merge over the columns' sorted points: one cursor per column, each starting at the range's first point.
    QVector<qsizetype> next(columns.size());
    for (qsizetype c = 0; c < columns.size(); ++c) {
        const auto &points = columns[c].points;
        next[c] = std::lower_bound(points.cbegin(), points.cend(), double(fromMs), [](const QPointF &p, double t) {
            return p.x() < t;
        }) - points.cbegin();
    }
    QStringList cells(columns.size());
    for (;;) {
        double t = std::numeric_limits<double>::infinity();
        for (qsizetype c = 0; c < columns.size(); ++c) {
            if (next[c] < columns[c].points.size())
                t = std::min(t, columns[c].points[next[c]].x());
        }
        if (!(t <= double(toMs)))
            break;
        bool any = false;
        for (qsizetype c = 0; c < columns.size(); ++c) {
            const auto &points = columns[c].points;
            cells[c].clear();
            // Several points at one time: the last one set wins, as on the chart.
            for (; next[c] < points.size() && points[next[c]].x() == t; ++next[c]) {
                if (!std::isnan(points[next[c]].y()))
                    cells[c]
                        = QString::fromLatin1(ReportFormat::number(points[next[c]].y(), ReportFormat::kExactDigits));
            }
            any = any || !cells[c].isEmpty();
        }
        if (!any)
            continue; // only gaps at this time
        out += timeText(qint64(t));
        for (const QString &value : std::as_const(cells))
            out += separator % value;
        out += u'\n';
    }
    return out;
}

} // namespace perfdash::SeriesTable
