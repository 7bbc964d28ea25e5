// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/kpicatalog.h"

#include "models/timebucket.h"

#include <QHash>
#include <QLocale>
#include <QStringBuilder>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash::KpiCatalog {

namespace {
using B = Better;
} // namespace

const QVector<Definition> &all()
{
    static const QVector<Definition> defs {
        { u"accuracy"_s, QObject::tr("Accuracy"), QString(), B::Higher, true },
        { u"f1_score"_s, QObject::tr("F1 score"), QString(), B::Higher, true },
        { u"auc_roc"_s, QObject::tr("AUC-ROC"), QString(), B::Higher, true },
        { u"rmse"_s, QObject::tr("RMSE"), QString(), B::Lower, true },
        { u"mae"_s, QObject::tr("MAE"), QString(), B::Lower, true },
        { u"mape"_s, QObject::tr("MAPE"), u"%"_s, B::Lower, true },
        { u"latency_p50"_s, QObject::tr("Latency p50"), u"ms"_s, B::Lower, false },
        { u"latency_p95"_s, QObject::tr("Latency p95"), u"ms"_s, B::Lower, false },
        { u"latency_p99"_s, QObject::tr("Latency p99"), u"ms"_s, B::Lower, false },
        { u"throughput"_s, QObject::tr("Throughput"), u"req/s"_s, B::Higher, false },
        { u"error_rate"_s, QObject::tr("Error rate"), QString(), B::Lower, false },
        { u"queue_depth"_s, QObject::tr("Queue depth"), QString(), B::Lower, false },
        { u"cpu"_s, QObject::tr("CPU"), u"%"_s, B::Lower, false },
        { u"memory"_s, QObject::tr("Memory"), u"MB"_s, B::Lower, false },
        { u"gpu"_s, QObject::tr("GPU"), u"%"_s, B::Lower, false },
        { u"cache_hit_rate"_s, QObject::tr("Cache hit rate"), QString(), B::Higher, false },
    };
    return defs;
}

const Definition *find(const QString &name)
{
    for (const Definition &d : all()) {
        if (d.name == name)
            return &d;
    }
    return nullptr;
}

QStringList names()
{
    QStringList out;
    for (const Definition &d : all())
        out << d.name;
    return out;
}

QString canonicalName(const QString &name)
{
    static const QHash<QString, QString> aliases {
        { u"f1"_s, u"f1_score"_s },
        { u"auc"_s, u"auc_roc"_s },
        { u"latency_p50_ms"_s, u"latency_p50"_s },
        { u"latency_p95_ms"_s, u"latency_p95"_s },
        { u"latency_p99_ms"_s, u"latency_p99"_s },
        { u"throughput_rps"_s, u"throughput"_s },
    };
    if (find(name))
        return name;
    return aliases.value(name);
}

double valueOf(const QString &kpi, const Kpi::Figures &f, const QualityStats *quality)
{
    const auto estimate = [](const QuantileEstimate &e) { return e.meaningful ? e.value : Kpi::nan; };
    const auto ratio = [](const Kpi::Ratio &r) { return r.enough ? r.value : Kpi::nan; };
    if (kpi == u"latency_p50")
        return estimate(f.latency.p50);
    if (kpi == u"latency_p95")
        return estimate(f.latency.p95);
    if (kpi == u"latency_p99")
        return estimate(f.latency.p99);
    if (kpi == u"throughput")
        return f.throughput.value;
    if (kpi == u"error_rate")
        return ratio(f.errorRate);
    if (kpi == u"queue_depth")
        return f.queue.value;
    if (kpi == u"cpu")
        return f.cpu.value;
    if (kpi == u"memory")
        return f.memory.value;
    if (kpi == u"gpu")
        return f.gpu.value;
    if (kpi == u"cache_hit_rate")
        return ratio(f.cacheHitRate);
    if (kpi == u"accuracy") {
        if (quality && std::isfinite(quality->accuracy))
            return quality->accuracy;
        return ratio(f.accuracy);
    }
    if (!quality)
        return Kpi::nan;
    if (kpi == u"f1_score")
        return quality->f1;
    if (kpi == u"auc_roc")
        return quality->aucRoc;
    if (kpi == u"rmse")
        return quality->rmse;
    if (kpi == u"mae")
        return quality->mae;
    if (kpi == u"mape")
        return quality->mape;
    return Kpi::nan;
}

unsigned partOf(const QString &kpi)
{
    if (kpi.startsWith(u"latency_"))
        return Kpi::LatencyPart;
    if (kpi == u"throughput")
        return Kpi::ThroughputPart;
    if (kpi == u"error_rate")
        return Kpi::ErrorRatePart;
    if (kpi == u"queue_depth")
        return Kpi::QueuePart;
    if (kpi == u"cpu")
        return Kpi::CpuPart;
    if (kpi == u"memory")
        return Kpi::MemoryPart;
    if (kpi == u"gpu")
        return Kpi::GpuPart;
    if (kpi == u"cache_hit_rate")
        return Kpi::CacheHitRatePart;
    if (kpi == u"accuracy")
        return Kpi::AccuracyPart;
    const Definition *d = find(kpi);
    return d && d->quality ? 0u : unsigned(Kpi::AllParts); // the other quality metrics read the quality stats only
}

QVector<BucketValue> perBucket(const QString &kpi, const Kpi::PointLookup &lookup, const SourceRoles &roles,
    const Coverage &coverage, qint64 from, qint64 to, qint64 step, const QualityLookup &quality)
{
    QVector<BucketValue> out;
    if (step <= 0 || to <= from)
        return out;
    for (qint64 b = floorTo(from, step); b < to; b += step) {
        const double v = valueOf(kpi, Kpi::figures(lookup, roles, coverage, std::max(b, from), b + step, partOf(kpi)),
            quality ? quality(b) : nullptr);
        if (std::isfinite(v))
            out.append({ b, v });
    }
    return out;
}

QString format(const QString &kpi, double v)
{
    if (!std::isfinite(v))
        return u"–"_s;
    const Definition *d = find(kpi);
    const QLocale locale;
    if (kpi.startsWith(u"latency_")) {
        if (v >= 1000)
            return locale.toString(v / 1000, 'f', 2) % u" s"_s;
        return locale.toString(v, 'f', v < 10 ? 2 : 1) % u" ms"_s;
    }
    if (kpi == u"throughput")
        return locale.toString(v, 'f', v < 10 ? 2 : 0) % u"/s"_s;
    if (kpi == u"error_rate" || kpi == u"cache_hit_rate" || kpi == u"accuracy")
        return locale.toString(v * 100, 'f', kpi == u"error_rate" ? 2 : 1) % u" %"_s;
    if (d && (d->unit == u"%" || d->unit == u"MB"))
        return locale.toString(v, 'f', std::abs(v) < 10 ? 1 : 0) % u' ' % d->unit;
    if (d && d->quality)
        return locale.toString(v, 'f', 3);
    return locale.toString(v, 'f', std::abs(v) < 10 ? 1 : 0);
}

} // namespace perfdash::KpiCatalog
