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
    , m_relativeAccuracy(QuantileSketch::clampedAccuracy(relativeAccuracy))
{ }

void SeriesSummary::addWaitingValues(QuantileSketch &sketch, const SeriesSummary &from)
{
    if (from.m_sketch || from.m_samples == 0)
        return;
    sketch.add(from.m_min);
    if (from.m_samples == 2)
        sketch.add(from.m_max);
}

void SeriesSummary::makeSketch() const
{
    if (m_sketch || !hasSketch(m_kind))
        return;
    QuantileSketch sketch(m_relativeAccuracy);
    addWaitingValues(sketch, *this);
    m_sketch = std::move(sketch);
}

template <typename Use>
void SeriesSummary::useSketch(Use &&use) const
{
    if (m_sketch) {
        use(std::as_const(*m_sketch));
        return;
    }
    QuantileSketch sketch(m_relativeAccuracy);
    addWaitingValues(sketch, *this);
    use(std::as_const(sketch));
}

const QuantileSketch *SeriesSummary::sketch() const
{
    if (!hasSketch(m_kind))
        return nullptr;
    makeSketch();
    return &*m_sketch;
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
    if (!hasSketch(m_kind) || !std::isfinite(value))
        return false;
    if (value == 0.0)
        value = 0.0; // -0 counts as 0, as in the sketch
    if (!m_sketch && m_samples >= kValuesBeforeSketch)
        makeSketch();
    if (m_sketch)
        m_sketch->add(value);
    m_sum.add(value);
    ++m_samples;
    m_min = std::min(m_min, value);
    m_max = std::max(m_max, value);
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
    if (hasSketch(m_kind)) {
        if (other.m_relativeAccuracy != m_relativeAccuracy)
            return false; // the result would depend on the merge order: nothing changed
        const auto bucketBound = [](const SeriesSummary &s) {
            return s.m_sketch ? s.m_sketch->maxBuckets() : QuantileSketch::kDefaultMaxBuckets;
        };
        if (bucketBound(other) != bucketBound(*this))
            return false;
        if (other.m_sketch || (m_sketch && other.m_samples > 0) || m_samples + other.m_samples > kValuesBeforeSketch) {
            makeSketch();
            // The other's values are merged as a sketch even when they wait in its min and max: adding its two
            // values one by one could round the sketch's sum differently (1e308 + 1e308 - 1e308).
            other.useSketch([&](const QuantileSketch &sketch) { m_sketch->merge(sketch); });
        }
        // Otherwise both hold their values in min and max, and the merge below keeps them there.
    }
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
    if (hasSketch(m_kind))
        useSketch([&](const QuantileSketch &sketch) { setQuantiles(&stats, sketch, withSketch); });
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
        summary.m_relativeAccuracy = sketch->relativeAccuracy();
        summary.m_sketch = std::move(*sketch);
        break;
    }
    case MetricKind::Counter:
    case MetricKind::Gauge:
        if (stats.count < 0 || !std::isfinite(stats.sum))
            return std::nullopt;
        // Counters keep no sample count in SeriesStats; one per non-empty bucket keeps isEmpty() right.
        summary.m_samples
            = stats.kind == MetricKind::Gauge ? quint64(stats.count) : quint64(stats.sum != 0.0 || stats.count != 0);
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
