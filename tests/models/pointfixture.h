// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/kpi.h"

#include <algorithm>

namespace perfdash::test {

// Hand-built history: series key -> points, like the live store or a history answer.
class Fixture {
public:
    void counter(const QString &key, qint64 second, double count)
    {
        SeriesStats s;
        s.key = key;
        s.kind = MetricKind::Counter;
        s.count = qint64(count);
        s.sum = count;
        s.rate = count;
        add(key, second, s);
    }
    void gauge(const QString &key, qint64 second, double value, qint64 samples = 1)
    {
        SeriesStats s;
        s.key = key;
        s.kind = MetricKind::Gauge;
        s.count = samples;
        s.sum = value * double(samples);
        s.min = s.max = s.last = value;
        add(key, second, s);
    }
    // A timer second with its sketch (withSketch) or with its own quantiles only (a stored bucket).
    void timer(const QString &key, qint64 second, const QVector<double> &values, bool withSketch = true)
    {
        QuantileSketch sketch;
        for (double v : values)
            sketch.add(v);
        SeriesStats s;
        s.key = key;
        s.kind = MetricKind::Timer;
        s.count = qint64(values.size());
        s.sum = sketch.sum();
        s.min = sketch.min();
        s.max = sketch.max();
        s.p50 = sketch.quantile(0.5);
        s.p95 = sketch.quantile(0.95);
        s.p99 = sketch.quantile(0.99);
        s.quantileError = sketch.relativeAccuracy();
        if (withSketch)
            s.sketch = sketch.serialize();
        add(key, second, s);
    }
    Kpi::PointLookup lookup() const
    {
        return [this](const QString &key) -> const QVector<SeriesPoint> & {
            static const QVector<SeriesPoint> empty;
            const auto it = m_points.constFind(key);
            return it == m_points.constEnd() ? empty : *it;
        };
    }
    QStringList keys() const { return m_points.keys(); }
    QHash<QString, MetricKind> kinds() const
    {
        QHash<QString, MetricKind> out;
        for (auto it = m_points.cbegin(); it != m_points.cend(); ++it)
            out.insert(it.key(), it->constFirst().stats.kind);
        return out;
    }
    SourceRoles roles() const { return resolveRoles(keys(), kinds()); }
    const QVector<SeriesPoint> &points(const QString &key) const { return m_points.find(key).value(); }

    const QHash<QString, QVector<SeriesPoint>> &all() const { return m_points; }

private:
    void add(const QString &key, qint64 second, const SeriesStats &s)
    {
        auto &pts = m_points[key];
        pts.push_back({ second, s });
        std::sort(
            pts.begin(), pts.end(), [](const SeriesPoint &a, const SeriesPoint &b) { return a.second < b.second; });
    }
    QHash<QString, QVector<SeriesPoint>> m_points;
};

} // namespace perfdash::test
