// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/metrickind.h"
#include "models/rangesource.h"

#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <QVector>

#include <functional>
#include <memory>

namespace perfdash {

class PromClient;

// A perfdash series as a Prometheus-compatible server holds it (fleet/promschema.h): its key (with a host:NAME tag
// when hosts are grouped), kind and host (the host label, else the scrape's instance; merged: every host that has
// it, sorted and comma-separated).
struct PromSeriesInfo {
    QString key;
    MetricKind kind = MetricKind::Gauge;
    QString host;
};

// Reads perfdash's series back from a Prometheus-compatible server (VictoriaMetrics single or cluster, Prometheus)
// as the local history answers them (models/rangesource.h), for the GUI's `--source URL` and the CLI's.
//
// Contract:
// - Lives on one thread (the GUI's, or a CLI's event loop); every answer is a signal on that thread carrying the
//   caller's id, exactly once per request: seriesListed / bucketsReady, or failed with a sentence (the server's own
//   error, or "cannot reach URL: Connection refused"). The caller drops answers to ids it no longer wants.
// - Hosts::Grouped: each host's series is its own key, tagged host:NAME. Hosts::Merged: one key over every host;
//   counts, sums and histogram buckets add exactly, min and max take the extremes, and quantiles come only from the
//   merged vmrange buckets rebuilt into a QuantileSketch: within the sketch's relative error (1%) of the union's
//   exact quantile, never an average of per-host quantiles.
// - Figures per bucket of `step` s (starts at multiples of step): count, rate per covered second (the heartbeat's
//   covered seconds, clipped to passed seconds: models/coverage.h), sum, min, max, last, p50…p999 and the sketch
//   (timers, distributions), quantileError. Gauges' sum is approximate: the mean of the pushed values times the
//   seconds sampled (the schema carries no gauge sum). Counts are exact on VictoriaMetrics; Prometheus' increase()
//   extrapolates to the window's edges, so its counts may be off by a fraction of one push interval's worth.
// - The heartbeat key (Coverage::heartbeatKey(), plain) answers each bucket's covered seconds as its count: the max
//   over hosts. A key that no host has in the range answers an empty RangeSeries, not a failure.
class PromReader : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PromReader)
public:
    enum class Hosts { Grouped, Merged };
    explicit PromReader(const QUrl &server, Hosts hosts = Hosts::Grouped, QObject *parent = nullptr);
    ~PromReader() override;

    QUrl server() const;
    Hosts hosts() const;
    // Per HTTP request (default PromClient::kDefaultTimeoutMs).
    void setTimeoutMs(int ms);
    // The clock (unix seconds) that says which seconds have passed; the system clock by default.
    void setClock(std::function<qint64()> nowSeconds);

    // Every perfdash series with samples in [from, to): its key (with a host:NAME tag when Grouped), kind, host, sorted
    // by key. From the server's series index: VictoriaMetrics answers by whole days, so a series that stopped earlier
    // that day is listed too (its buckets are then empty).
    void requestSeries(qint64 fromSecond, qint64 toSecond, quint64 id);
    // Buckets of `step` seconds of these keys over [from, to) (buckets start at multiples of step), as RangeSeries,
    // one per key in the order given.
    void requestBuckets(const QStringList &keys, qint64 fromSecond, qint64 toSecond, qint64 step, quint64 id);

    // query_range requests sent and not answered yet (a failed request's siblings still count until they end).
    int queriesInFlight() const { return m_queriesInFlight; }

Q_SIGNALS:
    void seriesListed(quint64 id, const QVector<perfdash::PromSeriesInfo> &series);
    void bucketsReady(quint64 id, const QVector<perfdash::RangeSeries> &series);
    void failed(quint64 id, const QString &message);

private:
    int m_queriesInFlight = 0;
    struct BucketJob;
    void finishBuckets(const std::shared_ptr<BucketJob> &job);

    PromClient *m_client; // a child
    Hosts m_hosts;
    std::function<qint64()> m_now;
    QHash<QString, MetricKind> m_kinds; // kinds seen so far by key name, to ask only the queries a kind needs
};

} // namespace perfdash

Q_DECLARE_METATYPE(perfdash::PromSeriesInfo)
