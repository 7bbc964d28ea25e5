// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fleet/promschema.h"
#include "models/quantilesketch.h"
#include "models/seriesstats.h"

#include <QHash>

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
    // its first values counts them all. Empty when nothing arrived.
    QByteArray takePush(qint64 timestampMs);
    // Every series' cumulative state as of the newest frame, without timestamps, for a scrape (`/metrics`).
    QByteArray renderScrape() const;

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
        std::set<int> pushedBuckets; // bucket ids sent at least once (bucketId)
    };
    static int bucketId(int index, bool negative) { return negative ? -(index + 100000) : index; }
    // `NAME_bucket{labels,vmrange="`, and a bucket's range text, cached for the sketches' gamma (one in practice).
    static QByteArray bucketPrefix(const Series &series);
    const QByteArray &range(double gamma, int index, bool negative) const;
    void writeSeries(QByteArray *out, Series &series, const QByteArray &stamp, const QByteArray &zeroStamp) const;
    void writeCumulative(QByteArray *out, const Series &series, const QByteArray &stamp) const;

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
