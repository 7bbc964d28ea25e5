// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/aggregator.h"

#include <algorithm>
#include <cmath>

namespace perfdash {

namespace {
qint64 secondOf(qint64 timestampMs)
{
    // Floor division, so times before 1970 still land in the right bucket.
    return timestampMs >= 0 ? timestampMs / 1000 : -((-timestampMs + 999) / 1000);
}
} // namespace

Aggregator::Aggregator(Options options)
    : m_options(options)
{
}

Aggregator::Aggregator()
    : Aggregator(Options {})
{
}

Aggregator::Accumulator *Aggregator::accumulatorFor(const QString &key, MetricKind kind, qint64 timestampMs)
{
    const qint64 second = secondOf(timestampMs);
    if (second <= m_closedThrough) {
        ++m_lateSamples;
        return nullptr;
    }
    auto &bucket = m_buckets[second];
    auto it = bucket.find(key);
    if (it == bucket.end()) {
        it = bucket.insert(key, Accumulator {});
        it->kind = kind;
    } else if (it->kind != kind) {
        // A name reused with another type keeps its first type within the second; the sample is dropped.
        ++m_typeConflicts;
        return nullptr;
    }
    return &*it;
}

void Aggregator::add(const QString &key, MetricKind kind, double value, qint64 timestampMs, double sampleRate)
{
    Accumulator *acc = accumulatorFor(key, kind, timestampMs);
    if (!acc)
        return;
    const bool first = acc->count == 0;
    switch (kind) {
    case MetricKind::Counter: {
        const double scaled = sampleRate > 0 ? value / sampleRate : value;
        acc->count += scaled;
        acc->sum += scaled;
        break;
    }
    case MetricKind::Gauge:
        m_gaugeValues.insert(key, value);
        acc->count += 1;
        acc->sum += value;
        acc->last = value;
        break;
    case MetricKind::Timer:
    case MetricKind::Distribution:
    case MetricKind::Set:
        acc->count += 1;
        acc->sum += value;
        acc->values.push_back(value);
        break;
    }
    if (first) {
        acc->min = value;
        acc->max = value;
    } else {
        acc->min = std::min(acc->min, value);
        acc->max = std::max(acc->max, value);
    }
}

void Aggregator::addGaugeDelta(const QString &key, double delta, qint64 timestampMs)
{
    const auto it = m_gaugeValues.constFind(key);
    add(key, MetricKind::Gauge, it == m_gaugeValues.constEnd() ? delta : *it + delta, timestampMs);
}

double Aggregator::exactQuantile(const std::vector<double> &sorted, double q)
{
    if (sorted.empty())
        return std::numeric_limits<double>::quiet_NaN();
    const auto rank = static_cast<size_t>(std::floor(q * double(sorted.size() - 1)));
    return sorted[std::min(rank, sorted.size() - 1)];
}

LiveFrame Aggregator::closeBucket(qint64 second, Bucket &bucket)
{
    LiveFrame frame;
    frame.second = second;
    frame.series.reserve(bucket.size());
    for (auto it = bucket.begin(); it != bucket.end(); ++it) {
        Accumulator &acc = *it;
        SeriesStats stats;
        stats.key = it.key();
        stats.kind = acc.kind;
        stats.count = qint64(std::llround(acc.count));
        stats.rate = acc.kind == MetricKind::Gauge ? 0 : acc.count;
        stats.sum = acc.sum;
        stats.min = acc.min;
        stats.max = acc.max;
        if (acc.kind == MetricKind::Gauge)
            stats.last = acc.last;
        if (acc.kind == MetricKind::Timer || acc.kind == MetricKind::Distribution) {
            std::sort(acc.values.begin(), acc.values.end());
            stats.p50 = exactQuantile(acc.values, 0.50);
            stats.p90 = exactQuantile(acc.values, 0.90);
            stats.p95 = exactQuantile(acc.values, 0.95);
            stats.p99 = exactQuantile(acc.values, 0.99);
        }
        frame.series.push_back(std::move(stats));
    }
    // Stable order makes frames comparable and diff-friendly.
    std::sort(frame.series.begin(), frame.series.end(),
              [](const SeriesStats &a, const SeriesStats &b) { return a.key < b.key; });
    return frame;
}

QVector<LiveFrame> Aggregator::closeDue(qint64 nowMs)
{
    QVector<LiveFrame> frames;
    while (!m_buckets.empty()) {
        auto it = m_buckets.begin();
        if ((it->first + 1) * 1000 + m_options.graceMs > nowMs)
            break;
        frames.push_back(closeBucket(it->first, it->second));
        m_closedThrough = std::max(m_closedThrough, it->first);
        m_buckets.erase(it);
    }
    // Seconds with no data are closed too, so late samples for them are refused consistently.
    const qint64 dueThrough = secondOf(nowMs - m_options.graceMs) - 1;
    m_closedThrough = std::max(m_closedThrough, dueThrough);
    return frames;
}

QVector<LiveFrame> Aggregator::closeAll()
{
    QVector<LiveFrame> frames;
    for (auto &[second, bucket] : m_buckets) {
        frames.push_back(closeBucket(second, bucket));
        m_closedThrough = std::max(m_closedThrough, second);
    }
    m_buckets.clear();
    return frames;
}

} // namespace perfdash
