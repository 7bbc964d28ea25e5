// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/seriesstats.h"

#include <QHash>

#include <map>
#include <vector>

namespace perfdash {

// Aggregates samples into one-second buckets aligned to UTC. Not thread-safe: one thread (the collector's) owns it.
// A bucket closes once its end plus the grace period has passed; samples for a closed second are counted as late.
class Aggregator {
public:
    struct Options {
        qint64 graceMs = 200;
    };

    explicit Aggregator(Options options);
    Aggregator();

    // timestampMs is the sample's own time, or its arrival time. sampleRate scales counters only.
    void add(const QString &key, MetricKind kind, double value, qint64 timestampMs, double sampleRate = 1.0);
    // A signed gauge value is a delta when the gauge already holds a value (etsy semantics), otherwise a set.
    void addGaugeDelta(const QString &key, double delta, qint64 timestampMs);

    // Closes every bucket whose end + grace <= nowMs, oldest first.
    QVector<LiveFrame> closeDue(qint64 nowMs);
    // Closes every open bucket (shutdown flush).
    QVector<LiveFrame> closeAll();

    quint64 lateSamples() const { return m_lateSamples; }
    quint64 typeConflicts() const { return m_typeConflicts; }
    qint64 openBuckets() const { return qint64(m_buckets.size()); }
    // Quantiles use the value at rank floor(q * (n - 1)) of the sorted samples.
    static double exactQuantile(const std::vector<double> &sorted, double q);

private:
    struct Accumulator {
        MetricKind kind = MetricKind::Counter;
        double count = 0;
        double sum = 0;
        double min = 0;
        double max = 0;
        double last = 0;
        std::vector<double> values; // timers and distributions: exact until the sketch replaces it
    };
    using Bucket = QHash<QString, Accumulator>;

    Accumulator *accumulatorFor(const QString &key, MetricKind kind, qint64 timestampMs);
    static LiveFrame closeBucket(qint64 second, Bucket &bucket);

    Options m_options;
    std::map<qint64, Bucket> m_buckets; // by unix second
    qint64 m_closedThrough = std::numeric_limits<qint64>::min(); // last second already closed
    QHash<QString, double> m_gaugeValues; // current value of every gauge, for deltas
    quint64 m_lateSamples = 0;
    quint64 m_typeConflicts = 0;
};

} // namespace perfdash
