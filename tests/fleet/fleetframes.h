// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Test support: one second's statistics of a series as the collector's final frames carry them (the sketch of a
// timer included), for feeding fleet/promencoder, and the exact quantile a sketch's estimate is checked against.

#include "models/quantilesketch.h"
#include "models/seriesstats.h"

#include <QVector>

#include <algorithm>
#include <cmath>

namespace perfdash::test {

inline SeriesStats timer(const QString &key, const QVector<double> &values)
{
    QuantileSketch sketch;
    for (double v : values)
        sketch.add(v);
    SeriesStats s;
    s.key = key;
    s.kind = MetricKind::Timer;
    s.count = qint64(sketch.count());
    s.sum = sketch.sum();
    s.min = sketch.min();
    s.max = sketch.max();
    s.sketch = sketch.serialize();
    return s;
}

inline SeriesStats counter(const QString &key, double increments)
{
    SeriesStats s;
    s.key = key;
    s.kind = MetricKind::Counter;
    s.count = qint64(increments);
    s.sum = increments;
    return s;
}

inline SeriesStats gauge(const QString &key, double value)
{
    SeriesStats s;
    s.key = key;
    s.kind = MetricKind::Gauge;
    s.count = 1;
    s.sum = s.last = s.min = s.max = value;
    return s;
}

// The exact quantile as QuantileSketch defines it: the value at rank floor(q (n - 1)).
inline double exactQuantile(QVector<double> values, double q)
{
    std::sort(values.begin(), values.end());
    return values.at(qsizetype(std::floor(q * double(values.size() - 1))));
}

} // namespace perfdash::test
