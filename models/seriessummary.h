// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/exactsum.h"
#include "models/heapoptional.h"
#include "models/metrickind.h"
#include "models/quantilesketch.h"
#include "models/seriesstats.h"

#include <QByteArrayView>
#include <QSet>

#include <optional>

namespace perfdash {

// Everything one series saw over one span of time (a second, a minute, an hour, any window), in a form that merges
// exactly: merging the summaries of adjacent spans gives the summary of their union, whatever the order.
//
// Contract:
// - A plain value type, not thread-safe; copy or move it to hand it to another thread.
// - What it keeps depends on the kind:
//   - counters: the rate-scaled sum of increments (count()), and min and max of the raw increments;
//   - gauges: samples, sum, min, max, and last: the sample with the greatest timestamp (the one added later among
//     equal timestamps within one summary; the greater value among equal timestamps across a merge, so merge order
//     cannot matter);
//   - timers and distributions: a QuantileSketch (count, min, max exact; quantiles within its relative accuracy).
//     The first two values wait in min and max, which hold them exactly, and the sketch is made with the third (or
//     a merge that brings a third): a live second of a timer often holds one value, and 100,000 such series in three
//     open seconds kept 86 MB of one-value sketches. Stats, quantiles and blobs are those of the sketch of the same
//     values either way;
//   - sets: the 64-bit hashes of the distinct members (hashMember()), so unions stay exact. Memory is 8 bytes per
//     distinct member; a collision needs ~2^32 distinct members to become likely.
// - Sums are ExactSum: the correctly rounded exact sum, independent of the order of adds and merges.
// - merge() refuses, changing nothing, when the kinds differ or the sketches' accuracies differ.
class SeriesSummary {
public:
    explicit SeriesSummary(
        MetricKind kind = MetricKind::Counter, double relativeAccuracy = QuantileSketch::kDefaultRelativeAccuracy);

    // Each add returns false, and counts nothing, for NaN, infinities, or a kind this summary does not hold.
    // Counters: adds value / sampleRate (a sample rate outside (0, 1] counts as 1).
    bool addCounter(double value, double sampleRate = 1.0);
    bool addGauge(double value, qint64 timestampMs);
    // Timers and distributions.
    bool addValue(double value);
    // Sets: hash of one member, see hashMember().
    bool addSetMember(quint64 hash);

    // 64-bit FNV-1a followed by the SplitMix64 finalizer: stable across processes and Qt versions (unlike qHash,
    // which is seeded per process), so stored sets could be merged later.
    static quint64 hashMember(QByteArrayView member);

    bool merge(const SeriesSummary &other);

    MetricKind kind() const { return m_kind; }
    bool isEmpty() const { return m_samples == 0; }
    // Counters: the rate-scaled sum of increments. Other kinds: the number of samples.
    double count() const;
    quint64 samples() const { return m_samples; }
    double sum() const;
    double min() const;
    double max() const;
    double mean() const; // gauges, timers, distributions: sum / samples; NaN otherwise
    double last() const; // gauges only
    qint64 lastTimestampMs() const { return m_lastTimeMs; }
    qint64 uniqueCount() const { return qint64(m_members.size()); } // sets only
    // Timers and distributions; nullptr for other kinds. Makes the sketch of a summary still holding its values in
    // min and max (so, like every other member, not to be called from two threads at once).
    const QuantileSketch *sketch() const;
    double relativeAccuracy() const { return m_relativeAccuracy; }

    // The statistics of this summary as a one-bucket SeriesStats; rate = count() / seconds (0 for gauges).
    // withSketch puts the serialized sketch into stats.sketch.
    SeriesStats toStats(const QString &key, double seconds, bool withSketch = true) const;
    // The quantiles (p50 … p999), their error and, withSketch, the serialized sketch: how every SeriesStats gets them
    // from a sketch (here, and a fleet server's merged buckets in fleet/promreader).
    static void setQuantiles(SeriesStats *stats, const QuantileSketch &sketch, bool withSketch);
    // Rebuilds the summary of the second (or longer bucket) that stats describes, from what storage keeps: the
    // sketch blob for timers and distributions. nullopt for a missing or corrupt sketch, or for sets, whose members
    // do not leave the collector. A gauge's last gets the bucket's last millisecond, lastTimestampMs.
    static std::optional<SeriesSummary> fromStats(const SeriesStats &stats, qint64 lastTimestampMs);

private:
    static constexpr quint64 kValuesBeforeSketch = 2; // held exactly in m_min and m_max
    // Calls use(sketch) with the sketch of this summary's values: m_sketch, or one made for the call from the values
    // waiting in m_min and m_max (a snapshot of an open second must not grow it).
    template <typename Use>
    void useSketch(Use &&use) const;
    // Fills m_sketch from the waiting values, when it is not made yet.
    void makeSketch() const;
    // Adds the values waiting in a summary without its sketch.
    static void addWaitingValues(QuantileSketch &sketch, const SeriesSummary &from);

    MetricKind m_kind;
    double m_relativeAccuracy; // timers and distributions
    quint64 m_samples = 0;
    ExactSum m_sum; // counters: scaled increments; the others: values
    double m_min = std::numeric_limits<double>::infinity();
    double m_max = -std::numeric_limits<double>::infinity();
    double m_last = std::numeric_limits<double>::quiet_NaN();
    qint64 m_lastTimeMs = std::numeric_limits<qint64>::min();
    mutable HeapOptional<QuantileSketch> m_sketch; // timers and distributions past kValuesBeforeSketch values
    QSet<quint64> m_members; // sets
};

} // namespace perfdash
