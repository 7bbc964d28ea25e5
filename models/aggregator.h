// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/qualitymetrics.h"
#include "models/seriesstats.h"
#include "models/seriessummary.h"

#include <QByteArrayView>
#include <QHash>
#include <QSet>

#include <deque>
#include <map>

namespace perfdash {

// Aggregates samples into one-second buckets aligned to UTC. Not thread-safe: one thread (the collector's) owns it.
//
// Per kind and second: counters give count and rate (increments scaled by 1 / sample rate); gauges give last, min,
// max and mean; timers and distributions give count, sum, min, max (exact) and p50..p999 from a QuantileSketch
// (relative error Options::relativeAccuracy, its blob in SeriesStats::sketch); sets give the unique count, from the
// 64-bit hashes of the members (SeriesSummary::hashMember), kept exactly in a QSet for the second.
//
// A sample lands in the second of its own timestamp. A second is *final* once its end plus the grace period has
// passed: closeDue() returns it, and samples for it (or anything older) are refused and counted in lateSamples().
//
// Live frames must not wait for the grace period (DESIGN.md: p99 <= 1.1 s from send to pixel), so a second can be
// published *provisionally* before it is final:
// - publishDue(nowMs, publishDelayMs) returns, oldest first, a snapshot (LiveFrame::provisional) of every open second
//   with data whose end + publishDelayMs <= nowMs and that has not been published yet. Each second is published at
//   most once; a second that gets its first sample after its publish time is published by the next call.
// - The second stays open and keeps taking samples until closeDue() makes it final. Its final frame says in
//   changedSincePublish whether subscribers have already seen exactly that content (false) or not (true: it was
//   never published, or samples arrived after the snapshot), so the final frame can go to live subscribers only
//   when it corrects something, and always to storage.
// - peekSecond() returns the current snapshot of any open second without marking it published.
class Aggregator {
public:
    struct Options {
        qint64 graceMs = 2000; // late data is accepted this long after the end of its second
        double relativeAccuracy = QuantileSketch::kDefaultRelativeAccuracy;
    };

    explicit Aggregator(Options options);
    Aggregator();

    // Series are interned: the hot path adds by id and never hashes a string. Ids are dense, belong to this
    // aggregator only, and stay valid until releaseSeries() gives them back; a released id may name another key later.
    using SeriesId = qint32;
    SeriesId seriesId(const QString &key);
    const QString &keyOf(SeriesId id) const { return m_keys.at(id); }
    // Interned series, released ones not counted.
    qsizetype seriesCount() const { return m_ids.size(); }
    // Forgets an idle series: its key, its id and a gauge's current value (a later signed gauge sets instead of
    // adding). Refused (false) while an open second holds data of it, or when the id is not interned. Whoever keeps
    // the id must drop it on success; a caller that adds by key simply interns the key again.
    bool releaseSeries(SeriesId id);

    // timestampMs is the sample's own time, or its arrival time. sampleRate scales counters only. A Set sample's
    // number is its member (hashed from its 8 IEEE bytes, -0 as 0); addSetMember() takes the member's own bytes.
    void add(SeriesId id, MetricKind kind, double value, qint64 timestampMs, double sampleRate = 1.0);
    // A signed gauge value is a delta when the gauge already holds a value (etsy semantics), otherwise a set.
    void addGaugeDelta(SeriesId id, double delta, qint64 timestampMs);
    // One member of a StatsD set (`users:alice|s`).
    void addSetMember(SeriesId id, QByteArrayView member, qint64 timestampMs);

    // The same by key, for callers off the hot path.
    void add(const QString &key, MetricKind kind, double value, qint64 timestampMs, double sampleRate = 1.0)
    {
        add(seriesId(key), kind, value, timestampMs, sampleRate);
    }
    void addGaugeDelta(const QString &key, double delta, qint64 timestampMs)
    {
        addGaugeDelta(seriesId(key), delta, timestampMs);
    }
    void addSetMember(const QString &key, QByteArrayView member, qint64 timestampMs)
    {
        addSetMember(seriesId(key), member, timestampMs);
    }

    // Prediction outcomes for a model's quality metrics, in the second of timestampMs, refused and counted in
    // lateSamples() like any sample once that second is final. The id names the model (by convention the key
    // "prediction.quality|model:NAME,tags…"); it is its own namespace, apart from the series. Frames carry one
    // QualityStats per model and second (LiveFrame::quality). False when late or refused by QualityMetrics.
    bool addBinaryOutcome(SeriesId id, double score, bool truth, qint64 timestampMs);
    bool addClassOutcome(SeriesId id, const QString &predicted, const QString &truth, qint64 timestampMs);
    bool addRegressionOutcome(SeriesId id, double predicted, double truth, qint64 timestampMs);

    // Provisional snapshots, see above. publishDelayMs < 0 counts as 0. Their timers and distributions carry the
    // serialized sketch (SeriesStats::sketch) only when their key is in sketchKeys (the series live subscribers
    // follow): serializing every sketch of every second costs more than the frame itself.
    QVector<LiveFrame> publishDue(qint64 nowMs, qint64 publishDelayMs, const QSet<QString> &sketchKeys = {});
    // The current state of an open second, provisional; empty series when nothing is open for that second.
    LiveFrame peekSecond(qint64 second) const;
    // Closes every bucket whose end + grace <= nowMs, oldest first: the final frames.
    QVector<LiveFrame> closeDue(qint64 nowMs);
    // Closes every open bucket (shutdown flush).
    QVector<LiveFrame> closeAll();

    const Options &options() const { return m_options; }
    quint64 lateSamples() const { return m_lateSamples; }
    quint64 typeConflicts() const { return m_typeConflicts; }
    qint64 openBuckets() const { return qint64(m_buckets.size()); }

private:
    struct Bucket {
        std::vector<qint32> slotOf; // by series id: index into series, or -1
        // A deque grows without moving its 300-byte summaries: a vector of 100,000 doubled whenever a second had a few
        // more series than the one before, holding two copies (perf: 20 % of the collector thread at 100,000 series).
        std::deque<std::pair<SeriesId, SeriesSummary>> series;
        std::map<SeriesId, QualityMetrics> quality; // few models, few seconds: a map is plenty
        bool published = false; // a provisional snapshot went out
        bool changedSincePublish = true;
    };

    // Null when the second is already final; counts the sample as late.
    Bucket *bucketFor(qint64 timestampMs);
    QualityMetrics *qualityFor(SeriesId id, qint64 timestampMs);
    // Null when the sample is late or its kind conflicts; counts either.
    SeriesSummary *summaryFor(SeriesId id, MetricKind kind, qint64 timestampMs);
    // Final snapshots carry every sketch; provisional ones those in sketchKeys (none when null).
    LiveFrame snapshot(
        qint64 second, const Bucket &bucket, bool provisional, const QSet<QString> *sketchKeys = nullptr) const;
    // Each series id's place in key order, brought up to date with the series added since the last call.
    const std::vector<qint32> &keyRanks() const;
    void forgetCachedBucket()
    {
        m_cachedSecond = std::numeric_limits<qint64>::min();
        m_cachedBucket = nullptr;
    }

    Options m_options;
    std::map<qint64, Bucket> m_buckets; // by unix second
    qint64 m_cachedSecond = std::numeric_limits<qint64>::min(); // almost every sample lands in the newest second
    Bucket *m_cachedBucket = nullptr;
    qint64 m_closedThrough = std::numeric_limits<qint64>::min(); // last second already closed
    QVector<QString> m_keys; // by series id; a released id's key is empty
    QHash<QString, SeriesId> m_ids; // interned series only
    std::vector<SeriesId> m_freeIds; // released, given to the next new keys
    std::vector<double> m_gaugeValues; // current value of every gauge by series id, NaN when it has none
    // Frames list series in key order. Comparing 100,000 keys in every snapshot was a fifth of the collector thread;
    // the order is kept here instead and merged with new series as they come (keyRanks()).
    mutable std::vector<SeriesId> m_sortedIds;
    mutable std::vector<qint32> m_rankOf; // by series id
    mutable std::vector<SeriesId> m_unranked; // interned since the last keyRanks()
    mutable bool m_ranksStale = false; // a series was released: m_sortedIds is rebuilt from m_ids
    quint64 m_lateSamples = 0;
    quint64 m_typeConflicts = 0;
};

} // namespace perfdash
