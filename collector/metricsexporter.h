// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fleet/promencoder.h"
#include "models/seriesstore.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QMutex>
#include <QVector>

#include <deque>

namespace perfdash {

// What `/metrics` serves (docs/http.md): the Prometheus text format 0.0.4 with seed 001's names, per model, from the
// collector's final seconds, through the KPI layer's definitions (models/kpi.h) and the dashboard's roles:
// - ml_model_latency_seconds{model_id,quantile} (summary): p50/p95/p99 of the last 60 s merged from the seconds'
//   sketches (NaN while n is too small), with _sum and _count since the collector started;
// - ml_model_predictions_total{model_id,status} (counter): the model's requests by status since start;
// - ml_model_errors_total{model_id,error_type} (counter): its failed requests, by error type (the error_type or
//   type tag; else "error");
// - ml_model_accuracy{model_id,tenant_id} (gauge): accuracy over the last 60 s;
// - perfdash_* (untyped): the collector's own counters, as `perfdashd stats` prints them;
// - every series in the fleet schema (fleet/promschema.h, docs/fleet.md): cumulative buckets, counts and sums labelled
//   with `fleetLabels` (host), what a team's Prometheus scrapes and `perfdash --source` reads back; but the
//   collector's own series (perfdash.*), which the rows above name, except the heartbeat. Each metric is named once.
// ingest() on the collector thread, render() on any thread.
class MetricsExporter {
public:
    static constexpr qint64 kWindowSeconds = 60;

    explicit MetricsExporter(PromSchema::Labels fleetLabels = {});

    // Final frames only; stats: the collector's counters (CollectorService::statsSnapshot) as of these frames.
    void ingest(const QVector<LiveFrame> &frames, const QJsonObject &stats);
    QByteArray render() const;

private:
    struct Series {
        MetricKind kind = MetricKind::Counter;
        double totalCount = 0; // since start: counters' increments, timers' values
        double totalSum = 0;
        std::deque<SeriesPoint> recent; // the last kWindowSeconds of final seconds
    };
    mutable QMutex m_mutex;
    QHash<QString, Series> m_series; // model-tagged series only
    QJsonObject m_stats;
    qint64 m_newest = -1;
    PromEncoder m_fleet;
};

} // namespace perfdash
