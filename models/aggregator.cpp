// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/aggregator.h"

#include <algorithm>
#include <cmath>
#include <cstring>

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
{ }

Aggregator::Aggregator()
    : Aggregator(Options {})
{ }

Aggregator::SeriesId Aggregator::seriesId(const QString &key)
{
    const auto it = m_ids.constFind(key);
    if (it != m_ids.constEnd())
        return *it;
    SeriesId id;
    if (!m_freeIds.empty()) {
        id = m_freeIds.back();
        m_freeIds.pop_back();
        m_keys[id] = key;
    } else {
        id = SeriesId(m_keys.size());
        m_keys.push_back(key);
        m_gaugeValues.push_back(std::numeric_limits<double>::quiet_NaN());
    }
    m_ids.insert(key, id);
    m_unranked.push_back(id);
    return id;
}

bool Aggregator::releaseSeries(SeriesId id)
{
    if (id < 0 || id >= m_keys.size())
        return false;
    const auto it = m_ids.constFind(m_keys.at(id));
    if (it == m_ids.constEnd() || *it != id)
        return false;
    for (const auto &[second, bucket] : m_buckets) {
        if ((size_t(id) < bucket.slotOf.size() && bucket.slotOf[size_t(id)] >= 0) || bucket.quality.count(id) > 0)
            return false;
    }
    m_ids.erase(it);
    m_keys[id] = QString();
    m_gaugeValues[size_t(id)] = std::numeric_limits<double>::quiet_NaN();
    m_freeIds.push_back(id);
    m_ranksStale = true;
    return true;
}

const std::vector<qint32> &Aggregator::keyRanks() const
{
    const auto byKey = [this](SeriesId a, SeriesId b) { return m_keys.at(a) < m_keys.at(b); };
    if (m_ranksStale) {
        // Releases come in batches, once a minute at most: sorting the survivors again costs less than keeping the
        // order through every release.
        m_sortedIds.clear();
        m_sortedIds.reserve(size_t(m_ids.size()));
        for (const SeriesId id : std::as_const(m_ids))
            m_sortedIds.push_back(id);
        std::sort(m_sortedIds.begin(), m_sortedIds.end(), byKey);
        m_unranked.clear();
        m_ranksStale = false;
    } else if (!m_unranked.empty()) {
        const size_t known = m_sortedIds.size();
        m_sortedIds.insert(m_sortedIds.end(), m_unranked.begin(), m_unranked.end());
        m_unranked.clear();
        std::sort(m_sortedIds.begin() + qsizetype(known), m_sortedIds.end(), byKey);
        std::inplace_merge(m_sortedIds.begin(), m_sortedIds.begin() + qsizetype(known), m_sortedIds.end(), byKey);
    } else {
        return m_rankOf;
    }
    m_rankOf.resize(size_t(m_keys.size()));
    for (size_t rank = 0; rank < m_sortedIds.size(); ++rank)
        m_rankOf[size_t(m_sortedIds[rank])] = qint32(rank);
    return m_rankOf;
}

Aggregator::Bucket *Aggregator::bucketFor(qint64 timestampMs)
{
    const qint64 second = secondOf(timestampMs);
    if (second == m_cachedSecond)
        return m_cachedBucket;
    if (second <= m_closedThrough) {
        ++m_lateSamples;
        return nullptr;
    }
    const bool isNew = m_buckets.find(second) == m_buckets.end();
    Bucket *bucket = &m_buckets[second]; // std::map nodes stay put until erased
    if (isNew)
        bucket->slotOf.reserve(size_t(m_keys.size()));
    m_cachedSecond = second;
    m_cachedBucket = bucket;
    return bucket;
}

SeriesSummary *Aggregator::summaryFor(SeriesId id, MetricKind kind, qint64 timestampMs)
{
    Bucket *bucket = bucketFor(timestampMs);
    if (!bucket)
        return nullptr;
    if (size_t(id) >= bucket->slotOf.size())
        bucket->slotOf.resize(std::max<size_t>(size_t(m_keys.size()), size_t(id) + 1), -1);
    qint32 &slot = bucket->slotOf[size_t(id)];
    if (slot < 0) {
        slot = qint32(bucket->series.size());
        bucket->series.emplace_back(id, SeriesSummary(kind, m_options.relativeAccuracy));
    } else if (bucket->series[size_t(slot)].second.kind() != kind) {
        // A name reused with another type keeps its first type within the second; the sample is dropped.
        ++m_typeConflicts;
        return nullptr;
    }
    bucket->changedSincePublish = true;
    return &bucket->series[size_t(slot)].second;
}

void Aggregator::add(SeriesId id, MetricKind kind, double value, qint64 timestampMs, double sampleRate)
{
    if (kind == MetricKind::Set) {
        const double member = value == 0.0 ? 0.0 : value;
        char bytes[sizeof member];
        std::memcpy(bytes, &member, sizeof member);
        addSetMember(id, QByteArrayView(bytes, sizeof bytes), timestampMs);
        return;
    }
    SeriesSummary *summary = summaryFor(id, kind, timestampMs);
    if (!summary)
        return;
    switch (kind) {
    case MetricKind::Counter:
        summary->addCounter(value, sampleRate);
        break;
    case MetricKind::Gauge:
        if (summary->addGauge(value, timestampMs))
            m_gaugeValues[size_t(id)] = value;
        break;
    case MetricKind::Timer:
    case MetricKind::Distribution:
        summary->addValue(value);
        break;
    case MetricKind::Set:
        break;
    }
}

void Aggregator::addGaugeDelta(SeriesId id, double delta, qint64 timestampMs)
{
    const double current = size_t(id) < m_gaugeValues.size() ? m_gaugeValues[size_t(id)] : std::nan("");
    add(id, MetricKind::Gauge, std::isnan(current) ? delta : current + delta, timestampMs);
}

void Aggregator::addSetMember(SeriesId id, QByteArrayView member, qint64 timestampMs)
{
    if (SeriesSummary *summary = summaryFor(id, MetricKind::Set, timestampMs))
        summary->addSetMember(SeriesSummary::hashMember(member));
}

QualityMetrics *Aggregator::qualityFor(SeriesId id, qint64 timestampMs)
{
    Bucket *bucket = bucketFor(timestampMs);
    if (!bucket)
        return nullptr;
    bucket->changedSincePublish = true;
    return &bucket->quality[id];
}

bool Aggregator::addBinaryOutcome(SeriesId id, double score, bool truth, qint64 timestampMs)
{
    QualityMetrics *m = qualityFor(id, timestampMs);
    return m && m->addBinary(score, truth);
}

bool Aggregator::addClassOutcome(SeriesId id, const QString &predicted, const QString &truth, qint64 timestampMs)
{
    QualityMetrics *m = qualityFor(id, timestampMs);
    return m && m->addClass(predicted, truth);
}

bool Aggregator::addRegressionOutcome(SeriesId id, double predicted, double truth, qint64 timestampMs)
{
    QualityMetrics *m = qualityFor(id, timestampMs);
    return m && m->addRegression(predicted, truth);
}

LiveFrame Aggregator::snapshot(
    qint64 second, const Bucket &bucket, bool provisional, const QSet<QString> *sketchKeys) const
{
    LiveFrame frame;
    frame.second = second;
    frame.provisional = provisional;
    frame.changedSincePublish = provisional || !bucket.published || bucket.changedSincePublish;
    frame.series.reserve(qsizetype(bucket.series.size()));
    // Key order makes frames comparable and diff-friendly; the series are taken in that order, by rank.
    const std::vector<qint32> &rankOf = keyRanks();
    std::vector<std::pair<qint32, qint32>> order; // (rank, slot)
    order.reserve(bucket.series.size());
    for (size_t slot = 0; slot < bucket.series.size(); ++slot)
        order.emplace_back(rankOf[size_t(bucket.series[slot].first)], qint32(slot));
    std::sort(order.begin(), order.end());
    // Provisional frames go to live subscribers only, which get a sketch only for the series they follow: skip
    // serializing the others.
    const bool someSketches = sketchKeys && !sketchKeys->isEmpty();
    for (const auto &[rank, slot] : order) {
        const auto &[id, summary] = bucket.series[size_t(slot)];
        const QString &key = m_keys.at(id);
        frame.series.push_back(summary.toStats(key, 1.0, !provisional || (someSketches && sketchKeys->contains(key))));
    }
    frame.quality.reserve(qsizetype(bucket.quality.size()));
    for (const auto &[id, metrics] : bucket.quality)
        frame.quality.push_back(QualityStats::from(m_keys.at(id), metrics, true)); // small: subscribers merge it
    std::sort(frame.quality.begin(), frame.quality.end(),
        [](const QualityStats &a, const QualityStats &b) { return a.key < b.key; });
    return frame;
}

QVector<LiveFrame> Aggregator::publishDue(qint64 nowMs, qint64 publishDelayMs, const QSet<QString> &sketchKeys)
{
    const qint64 delay = std::max<qint64>(0, publishDelayMs);
    QVector<LiveFrame> frames;
    for (auto &[second, bucket] : m_buckets) {
        if ((second + 1) * 1000 + delay > nowMs)
            break;
        if (bucket.published)
            continue;
        frames.push_back(snapshot(second, bucket, true, &sketchKeys));
        bucket.published = true;
        bucket.changedSincePublish = false;
    }
    return frames;
}

LiveFrame Aggregator::peekSecond(qint64 second) const
{
    const auto it = m_buckets.find(second);
    if (it == m_buckets.end()) {
        LiveFrame empty;
        empty.second = second;
        empty.provisional = true;
        return empty;
    }
    return snapshot(second, it->second, true);
}

QVector<LiveFrame> Aggregator::closeDue(qint64 nowMs)
{
    QVector<LiveFrame> frames;
    while (!m_buckets.empty()) {
        auto it = m_buckets.begin();
        if ((it->first + 1) * 1000 + m_options.graceMs > nowMs)
            break;
        frames.push_back(snapshot(it->first, it->second, false));
        m_closedThrough = std::max(m_closedThrough, it->first);
        m_buckets.erase(it);
        forgetCachedBucket();
    }
    // Seconds with no data are closed too, so late samples for them are refused consistently.
    const qint64 dueThrough = secondOf(nowMs - m_options.graceMs) - 1;
    m_closedThrough = std::max(m_closedThrough, dueThrough);
    forgetCachedBucket();
    return frames;
}

QVector<LiveFrame> Aggregator::closeAll()
{
    QVector<LiveFrame> frames;
    for (auto &[second, bucket] : m_buckets) {
        frames.push_back(snapshot(second, bucket, false));
        m_closedThrough = std::max(m_closedThrough, second);
    }
    m_buckets.clear();
    forgetCachedBucket();
    return frames;
}

} // namespace perfdash
