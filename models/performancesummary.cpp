// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/performancesummary.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonValue>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
QJsonValue number(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

QString isoTime(qint64 second)
{
    return QDateTime::fromSecsSinceEpoch(second, Qt::UTC).toString(Qt::ISODate);
}

QJsonObject current(double v)
{
    return { { u"current"_s, number(v) } };
}

QJsonValue time(qint64 second)
{
    return second > 0 && second != Trend::kUnbounded ? QJsonValue(isoTime(second)) : QJsonValue();
}

QJsonObject baselineJson(const KpiOutlook &k, const Baseline::Comparison &c)
{
    const Baseline::Resolved &b = k.baseline;
    QJsonObject o {
        { u"current"_s, number(c.current) },
        { u"baseline"_s, b.exists ? number(b.value) : QJsonValue() },
        { u"status"_s, Baseline::statusName(c.status) },
        { u"delta"_s, number(c.delta) },
        { u"relative_delta"_s, number(c.relative) },
        { u"limit"_s, number(k.limit) },
    };
    o.insert(u"versions"_s, b.versions);
    if (!b.exists && !b.forming)
        return o;
    o.insert(u"source"_s, Baseline::sourceName(b.source));
    o.insert(u"spread"_s, number(b.spread));
    o.insert(u"chunks"_s, b.n);
    o.insert(u"band"_s, number(c.band));
    o.insert(u"version"_s, b.version);
    if (b.windowFrom > 0) {
        o.insert(u"window_from"_s, time(b.windowFrom));
        o.insert(u"window_to"_s, time(b.windowTo));
    }
    o.insert(u"valid_from"_s, time(b.validFrom));
    o.insert(u"forming"_s, b.forming);
    if (b.forming)
        o.insert(u"formed_hours"_s, double(b.formedSeconds) / 3600);
    o.insert(u"description"_s, b.describe());
    return o;
}

QJsonObject trendJson(const KpiOutlook &k)
{
    const Trend::Fit &fit = k.fit;
    if (!fit.sufficient)
        return { { u"7_day_trend"_s, QJsonValue() }, { u"insufficient"_s, fit.insufficient }, { u"n"_s, fit.n } };
    QJsonObject o {
        { u"7_day_trend"_s, fit.label },
        { u"slope"_s, number(fit.slopePerDay) },
        { u"slope_unit"_s, u"per day"_s },
        { u"slope_interval"_s, QJsonArray { number(fit.slopeLowPerDay), number(fit.slopeHighPerDay) } },
        // Seed 001's `confidence`: of the projected breach when there is one, else of the trend itself.
        { u"confidence"_s, number(k.breach.projected ? k.breach.confidence : fit.confidence) },
        { u"trend_confidence"_s, number(fit.confidence) },
        { u"p_value"_s, number(fit.p) },
        { u"n"_s, fit.n },
        { u"since"_s, time(fit.since) },
        { u"level_shift_at"_s, fit.levelShift ? time(fit.shiftAt) : QJsonValue() },
        { u"limit"_s, number(k.limit) },
        { u"projected_baseline_breach"_s, k.breach.projected ? time(k.breach.at) : QJsonValue() },
        { u"breach_confidence"_s, number(k.breach.projected ? k.breach.confidence : Baseline::nan) },
        { u"already_breached"_s, k.breach.alreadyBreached },
        { u"projection"_s, k.projection },
    };
    if (k.breach.projected)
        o.insert(u"breach_interval"_s, QJsonArray { time(k.breach.earliest), time(k.breach.latest) });
    return o;
}
} // namespace

QJsonObject performanceSummary(const PerformanceSummaryInput &in)
{
    const Kpi::Figures &f = in.figures;
    QJsonObject serving {
        { u"latency_p50_ms"_s, number(f.latency.p50.value) },
        { u"latency_p95_ms"_s, number(f.latency.p95.value) },
        { u"latency_p99_ms"_s, number(f.latency.p99.value) },
        { u"throughput_rps"_s, number(f.throughput.value) },
        { u"error_rate"_s, number(f.errorRate.value) },
        { u"queue_depth"_s, number(f.queue.value) },
    };
    // The model's own process samples when it sends them; else the machine's, as the dashboard does.
    const bool ownProcess = f.cpu.samples > 0 || f.memory.samples > 0;
    QJsonObject resources;
    if (ownProcess) {
        resources.insert(u"cpu_utilization"_s, number(f.cpu.value / 100.0)); // of one core
        const double total = in.machineMemoryTotalMb.value;
        resources.insert(u"memory_utilization"_s, number(Kpi::memoryShare(f.memory.value, total)));
        resources.insert(u"memory_mb"_s, number(f.memory.value));
        resources.insert(u"gpu_utilization"_s, number((f.gpu.samples > 0 ? f.gpu.value : in.machineGpu.value) / 100.0));
    } else {
        resources.insert(u"cpu_utilization"_s, number(in.machineCpu.value / 100.0)); // of all cores
        const double total = in.machineMemoryTotalMb.value;
        resources.insert(u"memory_utilization"_s, number(Kpi::memoryShare(in.machineMemoryUsedMb.value, total)));
        resources.insert(u"gpu_utilization"_s, number(in.machineGpu.value / 100.0));
    }
    resources.insert(u"scope"_s, ownProcess ? u"process"_s : u"machine"_s);
    resources.insert(u"cache_hit_rate"_s, number(f.cacheHitRate.value));

    QJsonObject quality;
    if (in.quality) {
        const QualityStats &q = *in.quality;
        quality.insert(u"accuracy"_s, current(q.accuracy));
        quality.insert(u"f1_score"_s, current(q.f1));
        quality.insert(u"auc_roc"_s, current(q.aucRoc));
        quality.insert(u"rmse"_s, current(q.rmse));
        quality.insert(u"mae"_s, current(q.mae));
        quality.insert(u"mape"_s, current(q.mape));
    } else if (std::isfinite(f.accuracy.value)) {
        quality.insert(u"accuracy"_s, current(f.accuracy.value));
    }

    const auto quantile = [](const QuantileEstimate &e) {
        return QJsonObject { { u"value_ms"_s, number(e.value) }, { u"meaningful"_s, e.meaningful } };
    };
    QJsonObject evidence {
        { u"latency_series"_s, in.roles.latency },
        { u"latency_n"_s, qint64(f.latency.n) },
        { u"latency_relative_error"_s, number(f.latency.p95.relativeError) },
        { u"latency_merged"_s, f.latency.merged },
        { u"p50"_s, quantile(f.latency.p50) },
        { u"p95"_s, quantile(f.latency.p95) },
        { u"p99"_s, quantile(f.latency.p99) },
        { u"requests_kind"_s, requestKindName(in.roles.requestKind) },
        { u"requests"_s, f.throughput.count },
        { u"failed_requests"_s, in.roles.failuresCounted ? QJsonValue(f.errorRate.part) : QJsonValue() },
        { u"covered_seconds"_s, f.throughput.seconds },
    };
    if (in.quality)
        evidence.insert(u"scored_predictions"_s, qint64(in.quality->binary + in.quality->classes));

    QJsonObject baselines, trends;
    if (in.outlook) {
        const QualityStats *q = in.quality ? &*in.quality : nullptr;
        for (const KpiOutlook &k : in.outlook->kpis) {
            const double now = KpiCatalog::valueOf(k.kpi, f, q);
            const Baseline::Comparison c = Baseline::compare(k.kpi, now, k.baseline, in.limits);
            baselines.insert(k.kpi, baselineJson(k, c));
            trends.insert(k.kpi, trendJson(k));
            const auto qualityName = k.kpi;
            if (KpiCatalog::find(k.kpi)->quality) {
                QJsonObject entry = quality.value(qualityName).toObject();
                entry.insert(u"current"_s, number(now));
                entry.insert(u"baseline"_s, number(k.baseline.exists ? k.baseline.value : Baseline::nan));
                entry.insert(u"trend"_s, k.fit.sufficient ? QJsonValue(k.fit.label) : QJsonValue());
                entry.insert(u"status"_s, Baseline::statusName(c.status));
                quality.insert(qualityName, entry);
            }
        }
    }

    QJsonObject summary {
        { u"model_id"_s, in.model },
        { u"window"_s, in.window },
        { u"granularity"_s, in.granularity },
        { u"from"_s, isoTime(in.from) },
        { u"to"_s, isoTime(in.to) },
        { u"serving_metrics"_s, serving },
        { u"resource_metrics"_s, resources },
        { u"quality_metrics"_s, quality },
        { u"evidence"_s, evidence },
    };
    if (in.outlook) {
        summary.insert(u"baselines"_s, baselines);
        summary.insert(u"trends"_s, trends);
    }
    return summary;
}

} // namespace perfdash
