// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/seriessummary.h"

#include <cmath>

namespace perfdash {

namespace {
bool hasSketch(MetricKind kind)
{
    return kind == MetricKind::Timer || kind == MetricKind::Distribution;
}
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
} // namespace

SeriesSummary::SeriesSummary(MetricKind kind, double relativeAccuracy)
    : m_kind(kind)
{
    if (hasSketch(kind))
        m_sketch.emplace(relativeAccuracy);
}

bool SeriesSummary::addCounter(double value, double sampleRate)
{
    if (m_kind != MetricKind::Counter || !std::isfinite(value))
        return false;
    const double rate = sampleRate > 0.0 && sampleRate <= 1.0 ? sampleRate : 1.0;
    m_sum.add(value / rate);
    ++m_samples;
    m_min = std::min(m_min, value);
    m_max = std::max(m_max, value);
    return true;
}

bool SeriesSummary::addGauge(double value, qint64 timestampMs)
{
    if (m_kind != MetricKind::Gauge || !std::isfinite(value))
        return false;
    m_sum.add(value);
    ++m_samples;
    m_min = std::min(m_min, value);
    m_max = std::max(m_max, value);
    if (timestampMs >= m_lastTimeMs) {
        m_last = value;
        m_lastTimeMs = timestampMs;
    }
    return true;
}

bool SeriesSummary::addValue(double value)
{
    if (!m_sketch || !m_sketch->add(value))
        return false;
    m_sum.add(value);
    ++m_samples;
    return true;
}

bool SeriesSummary::addSetMember(quint64 hash)
{
    if (m_kind != MetricKind::Set)
        return false;
    m_members.insert(hash);
    ++m_samples;
    return true;
}

quint64 SeriesSummary::hashMember(QByteArrayView member)
{
    quint64 h = 0xcbf29ce484222325ULL;
    for (const char c : member) {
        h ^= quint8(c);
        h *= 0x100000001b3ULL;
    }
    // FNV-1a mixes its last bytes poorly; the finalizer spreads them over all 64 bits.
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

bool SeriesSummary::merge(const SeriesSummary &other)
{
    if (&other == this) {
        const SeriesSummary copy = other;
        return merge(copy);
    }
    if (other.m_kind != m_kind)
        return false;
    if (m_sketch && !m_sketch->merge(*other.m_sketch))
        return false; // accuracies differ: nothing changed
    if (other.m_samples == 0)
        return true;
    if (m_kind == MetricKind::Gauge) {
        // The later sample wins; on a tie the greater value, so merge(a, b) and merge(b, a) agree.
        if (m_samples == 0 || other.m_lastTimeMs > m_lastTimeMs
            || (other.m_lastTimeMs == m_lastTimeMs && other.m_last > m_last)) {
            m_last = other.m_last;
            m_lastTimeMs = other.m_lastTimeMs;
        }
    }
    m_sum.merge(other.m_sum);
    m_samples += other.m_samples;
    m_min = std::min(m_min, other.m_min);
    m_max = std::max(m_max, other.m_max);
    if (m_kind == MetricKind::Set) {
        if (m_members.size() < other.m_members.size()) {
            QSet<quint64> larger = other.m_members;
            larger.unite(m_members);
            m_members = std::move(larger);
        } else {
            m_members.unite(other.m_members);
        }
    }
    return true;
}

double SeriesSummary::count() const
{
    return m_kind == MetricKind::Counter ? m_sum.value() : double(m_samples);
}

double SeriesSummary::sum() const
{
    return m_sum.value();
}

double SeriesSummary::min() const
{
    if (m_samples == 0 || m_kind == MetricKind::Set)
        return kNaN;
    return m_sketch ? m_sketch->min() : m_min;
}

double SeriesSummary::max() const
{
    if (m_samples == 0 || m_kind == MetricKind::Set)
        return kNaN;
    return m_sketch ? m_sketch->max() : m_max;
}

double SeriesSummary::mean() const
{
    if (m_samples == 0 || m_kind == MetricKind::Counter || m_kind == MetricKind::Set)
        return kNaN;
    return m_sum.value() / double(m_samples);
}

double SeriesSummary::last() const
{
    return m_kind == MetricKind::Gauge && m_samples > 0 ? m_last : kNaN;
}

SeriesStats SeriesSummary::toStats(const QString &key, double seconds, bool withSketch) const
{
    SeriesStats stats;
    stats.key = key;
    stats.kind = m_kind;
    const double n = count();
    stats.count = qint64(std::llround(n));
    stats.rate = m_kind == MetricKind::Gauge || !(seconds > 0) ? 0.0 : n / seconds;
    stats.sum = sum();
    stats.min = min();
    stats.max = max();
    stats.last = last();
    if (m_sketch)
        setQuantiles(&stats, *m_sketch, withSketch);
    if (m_kind == MetricKind::Set)
        stats.uniqueCount = uniqueCount();
    return stats;
}

void SeriesSummary::setQuantiles(SeriesStats *stats, const QuantileSketch &sketch, bool withSketch)
{
    stats->p50 = sketch.quantile(0.50);
    stats->p90 = sketch.quantile(0.90);
    stats->p95 = sketch.quantile(0.95);
    stats->p99 = sketch.quantile(0.99);
    stats->p999 = sketch.quantile(0.999);
    stats->quantileError = sketch.relativeAccuracy();
    if (withSketch)
        stats->sketch = sketch.serialize();
}

std::optional<SeriesSummary> SeriesSummary::fromStats(const SeriesStats &stats, qint64 lastTimestampMs)
{
    SeriesSummary summary(stats.kind);
    switch (stats.kind) {
    case MetricKind::Set:
        return std::nullopt;
    case MetricKind::Timer:
    case MetricKind::Distribution: {
        auto sketch = QuantileSketch::deserialize(stats.sketch);
        if (!sketch || qint64(sketch->count()) != stats.count)
            return std::nullopt;
        summary.m_samples = sketch->count();
        summary.m_sketch = std::move(*sketch);
        break;
    }
    case MetricKind::Counter:
    case MetricKind::Gauge:
        if (stats.count < 0 || !std::isfinite(stats.sum))
            return std::nullopt;
        // Counters keep no sample count in SeriesStats; one per non-empty bucket keeps isEmpty() right.
        summary.m_samples = stats.kind == MetricKind::Gauge ? quint64(stats.count)
                                                            : quint64(stats.sum != 0.0 || stats.count != 0);
        if (summary.m_samples > 0 && !(std::isfinite(stats.min) && std::isfinite(stats.max) && stats.min <= stats.max))
            return std::nullopt; // NaN in min or max would make merges order-dependent
        if (summary.m_samples > 0) {
            summary.m_min = stats.min;
            summary.m_max = stats.max;
        }
        if (stats.kind == MetricKind::Gauge && summary.m_samples > 0) {
            if (!std::isfinite(stats.last))
                return std::nullopt;
            summary.m_last = stats.last;
            summary.m_lastTimeMs = lastTimestampMs;
        }
        break;
    }
    if (summary.m_samples > 0)
        summary.m_sum.add(stats.sum);
    return summary;
}

} // namespace perfdash
