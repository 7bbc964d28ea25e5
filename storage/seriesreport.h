// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/reportformat.h"
#include "storage/historyquery.h"

#include <QByteArray>
#include <QList>
#include <QStringList>

namespace perfdash {

// The readable form of stored series (docs/reports.md, "Series"): one row per series and bucket, the series named by
// one column per tag key (or its selector form), and per kind only what means something: a rate and no min/max for
// counters, `last` for gauges, quantiles rounded to the sketch's error for timers and distributions, unique members
// for sets. `perfdashd export --raw` keeps the lossless exchange format (storage/csvwriter.h) for import.
class SeriesReport {
public:
    SeriesReport(QVector<SeriesInfo> series, ReportFormat::Options options);

    QStringList header() const;
    // Plain cells (the CSV writer quotes); `series` indexes the list given to the constructor.
    QList<QByteArray> row(int series, const WindowPoint &point) const;

private:
    QVector<SeriesInfo> m_series;
    ReportFormat::Options m_options;
    QStringList m_tagKeys; // union over the series, sorted
    QVector<QStringList> m_tagValues; // per series, aligned with m_tagKeys
    QString m_valueUnit; // "ms" when every timer/distribution of the report is a timer, else "" (and a unit column)
    bool m_unitColumn = false;
    bool m_counts = false, m_rates = false, m_gauges = false, m_quantiles = false, m_sets = false;
};

} // namespace perfdash
