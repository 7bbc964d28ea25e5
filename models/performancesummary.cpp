// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/performancesummary.h"

#include <QDateTime>
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

    return {
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
}

} // namespace perfdash
