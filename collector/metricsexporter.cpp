// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/metricsexporter.h"

#include "models/coverage.h"
#include "models/kpi.h"
#include "models/serieskey.h"
#include "models/sourcecatalog.h"

#include <QMutexLocker>

#include <cmath>
#include <map>
#include <set>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

QByteArray number(double v)
{
    if (std::isnan(v))
        return "NaN";
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    return QByteArray::number(v, 'g', 15);
}

QByteArray label(const QString &value)
{
    return PromSchema::quoted(value);
}

// perfdash_<path>: the stats' numbers, nested objects joined with '_'; names made of [a-zA-Z0-9_].
void flatten(const QJsonObject &object, const QByteArray &prefix, std::map<QByteArray, double> *out)
{
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        QByteArray name = prefix + '_' + it.key().toLatin1();
        for (char &c : name) {
            if (!(std::isalnum(uchar(c)) || c == '_'))
                c = '_';
        }
        if (it.key() == u"sources")
            continue; // one entry per sending process: labels, not names, and not for a scrape
        if (it.value().isObject()) {
            flatten(it.value().toObject(), name, out);
            continue;
        }
        double value = it.value().isBool() ? (it.value().toBool() ? 1 : 0) : it.value().toDouble();
        if (!it.value().isDouble() && !it.value().isBool())
            continue;
        // Prometheus names carry base units: seconds, not _s, _ms or _us; bytes, not _mb.
        struct Unit {
            const char *suffix;
            const char *base;
            double scale;
        };
        for (const Unit &u : { Unit { "_us", "_seconds", 1e-6 }, Unit { "_ms", "_seconds", 1e-3 },
                 Unit { "_s", "_seconds", 1.0 }, Unit { "_mb", "_bytes", 1024.0 * 1024.0 } }) {
            if (name.endsWith(u.suffix)) {
                name.chop(qsizetype(qstrlen(u.suffix)));
                name += u.base;
                value *= u.scale;
                break;
            }
        }
        out->emplace(name, value);
    }
}

} // namespace

MetricsExporter::MetricsExporter(PromSchema::Labels fleetLabels)
    : m_fleet(std::move(fleetLabels))
{ }

void MetricsExporter::ingest(const QVector<LiveFrame> &frames, const QJsonObject &stats)
{
    QMutexLocker lock(&m_mutex);
    m_stats = stats;
    for (const LiveFrame &frame : frames) {
        if (frame.provisional)
            continue;
        // The fleet part: every series but the collector's own (perfdash.*), which the perfdash_* rows below already
        // name in base units; the heartbeat stays, as a reader of the scrape needs it for covered seconds.
        LiveFrame fleet { frame.second, {} };
        fleet.series.reserve(frame.series.size());
        for (const SeriesStats &s : frame.series) {
            if (!s.key.startsWith(u"perfdash.") || s.key == Coverage::heartbeatKey())
                fleet.series.push_back(s);
        }
        m_fleet.add(fleet);
        m_newest = std::max(m_newest, frame.second);
        for (const SeriesStats &s : frame.series) {
            if (!s.key.contains(u"model:"))
                continue;
            if (SeriesKey::fromString(s.key).tagValue(u"model").isEmpty())
                continue;
            Series &series = m_series[s.key];
            series.kind = s.kind;
            series.totalCount += double(s.count);
            series.totalSum += s.sum;
            SeriesPoint point { frame.second, s };
            if (!s.hasQuantiles())
                point.stats.sketch.clear(); // only latencies merge sketches
            series.recent.push_back(std::move(point));
        }
    }
    for (auto &series : m_series) {
        while (!series.recent.empty() && series.recent.front().second <= m_newest - kWindowSeconds)
            series.recent.pop_front();
    }
}

QByteArray MetricsExporter::render() const
{
    // A copy under the lock (the points share their bytes), the figures without it: a scrape holds the collector
    // thread, which ingests every second, only for the copy.
    QHash<QString, MetricKind> kinds;
    QHash<QString, QVector<SeriesPoint>> points;
    QHash<QString, std::pair<double, double>> totals; // count, sum
    qint64 newest = -1;
    QByteArray fleet;
    std::map<QByteArray, double> self; // the stats' numbers, named once on /metrics: the fleet part leaves them out
    std::set<QByteArray> selfNames;
    {
        QMutexLocker lock(&m_mutex);
        flatten(m_stats, "perfdash", &self);
        for (const auto &entry : self)
            selfNames.insert(entry.first);
        fleet = m_fleet.renderScrape(selfNames);
        kinds.reserve(m_series.size());
        points.reserve(m_series.size());
        for (auto it = m_series.constBegin(); it != m_series.constEnd(); ++it) {
            kinds.insert(it.key(), it->kind);
            points.insert(it.key(), QVector<SeriesPoint>(it->recent.begin(), it->recent.end()));
            totals.insert(it.key(), { it->totalCount, it->totalSum });
        }
        newest = m_newest;
    }
    // The model-tagged series by model, as the dashboard groups them.
    std::map<QString, QStringList> byModel;
    for (auto it = kinds.constBegin(); it != kinds.constEnd(); ++it)
        byModel[SeriesKey::fromString(it.key()).tagValue(u"model")].append(it.key());
    const Kpi::PointLookup lookup = [&points](const QString &key) -> const QVector<SeriesPoint> & {
        static const QVector<SeriesPoint> empty;
        const auto it = points.constFind(key);
        return it == points.constEnd() ? empty : *it;
    };
    const qint64 to = newest + 1, from = to - kWindowSeconds;

    QByteArray latency = "# HELP ml_model_latency_seconds Request latency of the model: quantiles over the last 60 s, "
                         "sum and count since the collector started.\n# TYPE ml_model_latency_seconds summary\n";
    QByteArray predictions = "# HELP ml_model_predictions_total Requests of the model by status since the collector "
                             "started.\n# TYPE ml_model_predictions_total counter\n";
    QByteArray errors = "# HELP ml_model_errors_total Failed requests of the model by error type since the collector "
                        "started.\n# TYPE ml_model_errors_total counter\n";
    QByteArray accuracy = "# HELP ml_model_accuracy Accuracy of the model's scored predictions over the last 60 s.\n"
                          "# TYPE ml_model_accuracy gauge\n";
    for (const auto &[model, keys] : byModel) {
        QHash<QString, MetricKind> modelKinds;
        for (const QString &k : keys)
            modelKinds.insert(k, kinds.value(k));
        const SourceRoles roles = resolveRoles(keys, modelKinds);
        const QByteArray id = "model_id=" + label(model);
        if (!roles.latency.isEmpty()) {
            const Kpi::Latency l = Kpi::latency(lookup(roles.latency), from, to);
            const auto quantile = [&](const char *q, const QuantileEstimate &e) {
                latency += "ml_model_latency_seconds{" + id + ",quantile=\"" + q + "\"} "
                    + number(e.meaningful ? e.value / 1000 : std::nan("")) + '\n';
            };
            quantile("0.5", l.p50);
            quantile("0.95", l.p95);
            quantile("0.99", l.p99);
            const auto [count, sum] = totals.value(roles.latency);
            latency += "ml_model_latency_seconds_sum{" + id + "} " + number(sum / 1000) + '\n';
            latency += "ml_model_latency_seconds_count{" + id + "} " + number(count) + '\n';
        }
        // Requests by status, and failures by type, summed over the series of each label value.
        std::map<QString, double> byStatus, byType;
        for (const QString &k : roles.requests) {
            const QString status = SeriesKey::fromString(k).tagValue(u"status");
            byStatus[status.isEmpty() ? u"ok"_s : status] += totals.value(k).first;
        }
        for (const QString &k : roles.errors) {
            const SeriesKey key = SeriesKey::fromString(k);
            QString type = key.tagValue(u"error_type");
            if (type.isEmpty())
                type = key.tagValue(u"type");
            byType[type.isEmpty() ? u"error"_s : type] += totals.value(k).first;
        }
        for (const auto &[status, count] : byStatus)
            predictions
                += "ml_model_predictions_total{" + id + ",status=" + label(status) + "} " + number(count) + '\n';
        for (const auto &[type, count] : byType)
            errors += "ml_model_errors_total{" + id + ",error_type=" + label(type) + "} " + number(count) + '\n';
        if (!roles.accuracy.isEmpty()) {
            const Kpi::Ratio a = Kpi::accuracy(lookup, roles, from, to);
            const SeriesKey key = SeriesKey::fromString(roles.accuracy);
            QString tenant = key.tagValue(u"tenant_id");
            if (tenant.isEmpty())
                tenant = key.tagValue(u"tenant");
            accuracy += "ml_model_accuracy{" + id + ",tenant_id=" + label(tenant) + "} " + number(a.value) + '\n';
        }
    }
    QByteArray selfText;
    for (const auto &[name, value] : self)
        selfText += "# HELP " + name + " The collector's own counter (perfdashd stats, docs/protocol.md).\n# TYPE "
            + name + " untyped\n" + name + ' ' + number(value) + '\n';
    return latency + predictions + errors + accuracy + selfText
        + "# Every series in perfdash's fleet schema (docs/fleet.md): cumulative since the collector started.\n"
        + fleet;
}

} // namespace perfdash
