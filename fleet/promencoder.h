// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fleet/promschema.h"
#include "models/quantilesketch.h"
#include "models/seriesstats.h"

#include <QHash>

#include <map>
#include <set>

namespace perfdash {

// The collector's side of the schema (fleet/promschema.h): folds final frames into each series' cumulative state and
// writes it in the Prometheus text format: with timestamps, what changed since the last push (`perfdashd --push`,
// VictoriaMetrics' /api/v1/import/prometheus), or all of it without timestamps for a scrape.
// A plain object for one thread (the collector's); its output is bytes that can go anywhere.
class PromEncoder {
public:
    // extra: the labels every series gets (host, --push-label), which replace tags of the same name.
    explicit PromEncoder(PromSchema::Labels extra = {});

    // Final frames only; a provisional frame is skipped.
    void add(const LiveFrame &frame);
    // Every series with samples since the last takePush(), stamped timestampMs: cumulative counts, sums and buckets,
    // and the interval's min, max and quantiles. A bucket or series sent for the first time also gets a zero at the
    // previous push's time (the interval's first second for the first push), so increase() over a window that holds
    // its first values counts them all. Only buckets whose count moved are sent, except that every series sent
    // before is sent whole again once kRefreshMs have passed since its last push, changed or not: increase() looks
    // for the sample before a window only a few minutes back (VictoriaMetrics and Prometheus: 5 min), and without
    // one reads a resumed series' whole total as its increase. Empty when nothing is due.
    QByteArray takePush(qint64 timestampMs);
    static constexpr qint64 kRefreshMs = 60000;
    // Every series' cumulative state as of the newest frame, without timestamps, for a scrape (`/metrics`). A series
    // any of whose metric names is in `taken` is left out: a scrape may name each metric once, and the collector's
    // own figures (perfdash.push.*, perfdash.alerts.*: its stats as self-metrics) are already on /metrics unlabelled.
    QByteArray renderScrape(const std::set<QByteArray> &taken = {}) const;

    int seriesCount() const { return int(m_series.size()); }
    qint64 newestSecond() const { return m_newest; }

private:
    struct Series {
        MetricKind kind = MetricKind::Gauge;
        QByteArray labels; // `a="1",b="2"`, without braces
        QByteArray name; // PromSchema::metricName
        double total = 0; // counters: the sum of increments; timers: values; gauges and sets: samples
        double sum = 0;
        double last = 0; // gauges: the newest value; sets: members in the newest second
        std::optional<QuantileSketch> cumulative; // timers and distributions
        // This push interval's own figures.
        bool changed = false;
        bool pushedOnce = false;
        double min = 0, max = 0;
        std::optional<QuantileSketch> interval;
        // Every bucket (bucketId, and the ids of _count, _sum and the zero bucket) sent at least once, with the count
        // it was last sent with: a push sends a bucket only when its count moved, or every bucket at a refresh.
        std::map<int, quint64> sent;
        qint64 lastPushMs = -1;
    };
    static int bucketId(int index, bool negative) { return negative ? -(index + 100000) : index; }
    static constexpr int kCountId = 1 << 30; // _count; kCountId + 1: _sum
    static constexpr int kZeroBucketId = (1 << 30) + 2;
    // `NAME_bucket{labels,vmrange="`, and a bucket's range text, cached for the sketches' gamma (one in practice).
    static QByteArray bucketPrefix(const Series &series);
    const QByteArray &range(double gamma, int index, bool negative) const;
    void writeSeries(QByteArray *out, Series &series, qint64 timestampMs, const QByteArray &stamp,
        const QByteArray &zeroStamp) const;
    // sent: a push's record of what was sent: only buckets whose count differs from it are written (all of them
    // when `all`, a refresh), and it is updated. nullptr writes everything (a scrape).
    void writeCumulative(QByteArray *out, const Series &series, const QByteArray &stamp,
        std::map<int, quint64> *sent = nullptr, bool all = false) const;

    PromSchema::Labels m_extra;
    QHash<QString, Series> m_series;
    qint64 m_newest = -1;
    qint64 m_intervalStart = -1; // the first second added since the last push
    qint64 m_lastPushMs = -1;
    // A range costs two exp() and two conversions: bench_push's steady push of 1,000 timers took 82 ms without this
    // cache and 61 ms with it (its first push, all zeros, 462 ms and 104 ms). Mutable,
    // so renderScrape() writes it too: callers serialise it with add() (MetricsExporter's lock) as they must anyway.
    mutable QHash<int, QByteArray> m_ranges;
    mutable double m_rangeGamma = 0;
};

} // namespace perfdash
