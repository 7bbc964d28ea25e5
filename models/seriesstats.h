// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/metrickind.h"

#include <QMetaType>
#include <QString>
#include <QVector>

#include <cmath>
#include <limits>

namespace perfdash {

// One series' statistics over one closed one-second bucket. Plain value type: it crosses threads and sockets.
struct SeriesStats {
    QString key; // canonical "name|tag1,tag2" (see serieskey.h)
    MetricKind kind = MetricKind::Counter;
    qint64 count = 0; // samples seen (counters: the rate-scaled sum of increments)
    double rate = 0; // count per second
    double sum = 0;
    double min = std::numeric_limits<double>::quiet_NaN();
    double max = std::numeric_limits<double>::quiet_NaN();
    double last = std::numeric_limits<double>::quiet_NaN(); // gauges: value at the end of the second
    double p50 = std::numeric_limits<double>::quiet_NaN(); // quantiles: timers and distributions only
    double p90 = std::numeric_limits<double>::quiet_NaN();
    double p95 = std::numeric_limits<double>::quiet_NaN();
    double p99 = std::numeric_limits<double>::quiet_NaN();

    double mean() const { return count > 0 ? sum / double(count) : std::numeric_limits<double>::quiet_NaN(); }
    bool hasQuantiles() const { return kind == MetricKind::Timer || kind == MetricKind::Distribution; }
};

// Everything that closed for one UTC-aligned second.
struct LiveFrame {
    qint64 second = 0; // unix seconds, start of the bucket
    QVector<SeriesStats> series;
};

} // namespace perfdash

Q_DECLARE_METATYPE(perfdash::SeriesStats)
Q_DECLARE_METATYPE(perfdash::LiveFrame)
