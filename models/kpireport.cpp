// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/kpireport.h"

#include "models/quantilesketch.h"

#include <algorithm>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

// Serving, then resource, then quality figures (seed 001's grouping).
const QStringList &reportOrder()
{
    static const QStringList order { u"throughput"_s, u"error_rate"_s, u"latency_p50"_s, u"latency_p95"_s,
        u"latency_p99"_s, u"queue_depth"_s, u"cache_hit_rate"_s, u"cpu"_s, u"memory"_s, u"gpu"_s, u"accuracy"_s,
        u"f1_score"_s, u"auc_roc"_s, u"rmse"_s, u"mae"_s, u"mape"_s };
    return order;
}

QString unitOf(const QString &kpi)
{
    const KpiCatalog::Definition *d = KpiCatalog::find(kpi);
    return d ? d->unit : QString();
}

// Latency quantiles (and their baselines) are sketch estimates; everything else is exact arithmetic on counts.
int digitsOf(const QString &kpi)
{
    return kpi.startsWith(u"latency_") ? ReportFormat::sketchDigits(QuantileSketch::kDefaultRelativeAccuracy)
                                       : ReportFormat::kExactDigits;
}

// A trend's slope is an estimate with a confidence interval: three digits say all it knows.
constexpr int kSlopeDigits = 3;

bool hasQualityValue(const QString &kpi, const QualityStats &q)
{
    return std::isfinite(KpiCatalog::valueOf(kpi, Kpi::Figures {}, &q));
}

} // namespace

KpiReport::KpiReport(
    const QVector<KpiReportModel> *models, Coverage coverage, qint64 step, ReportFormat::Options options)
    : m_models(models)
    , m_coverage(std::move(coverage))
    , m_step(step)
    , m_options(options)
{
    for (const QString &kpi : reportOrder()) {
        bool data = false, baseline = false, trend = false;
        for (const KpiReportModel &m : *models) {
            data = data || Outlook::hasSeriesFor(kpi, m.roles)
                || std::any_of(m.quality.cbegin(), m.quality.cend(),
                    [&](const QualityStats &q) { return hasQualityValue(kpi, q); });
            const KpiOutlook *o = m.outlook ? m.outlook->find(kpi) : nullptr;
            baseline = baseline || (o && o->baseline.exists);
            trend = trend || (o && o->fit.sufficient);
        }
        if (data || baseline)
            m_kpis << kpi;
        if (baseline)
            m_baselines << kpi;
        if (trend)
            m_trends << kpi;
    }
    for (const KpiReportModel &m : *models) {
        m_requests = m_requests || !m.roles.requests.isEmpty();
        m_latencyCount = m_latencyCount || !m.roles.latency.isEmpty();
    }
}

QStringList KpiReport::header() const
{
    QStringList h { ReportFormat::timeColumn(m_options), u"model"_s };
    if (m_requests)
        h << u"requests"_s << u"errors"_s;
    // Each KPI next to its baseline and trend, so a spreadsheet reads them side by side.
    for (const QString &kpi : m_kpis) {
        h << ReportFormat::column(kpi, unitOf(kpi));
        if (m_baselines.contains(kpi))
            h << ReportFormat::column(kpi + u"_baseline"_s, unitOf(kpi));
        if (m_trends.contains(kpi))
            h << ReportFormat::column(kpi + u"_trend"_s, unitOf(kpi)) + u"_per_day"_s << kpi + u"_trend"_s;
        if (kpi == u"latency_p99" && m_latencyCount)
            h << u"latency_count"_s; // the values the quantiles are of
    }
    h << u"covered_s"_s << u"bucket"_s;
    return h;
}

QList<QByteArray> KpiReport::row(int index, qint64 bucket) const
{
    const KpiReportModel &m = m_models->at(index);
    const qint64 end = bucket + m_step;
    // The bucket's points only: Kpi::figures scans what a lookup gives, and a report asks for every bucket in turn.
    QHash<QString, QVector<SeriesPoint>> slice;
    for (auto it = m.points.cbegin(); it != m.points.cend(); ++it) {
        const QVector<SeriesPoint> &all = it.value();
        const auto first = std::lower_bound(
            all.cbegin(), all.cend(), bucket, [](const SeriesPoint &p, qint64 second) { return p.second < second; });
        const auto last = std::lower_bound(
            first, all.cend(), end, [](const SeriesPoint &p, qint64 second) { return p.second < second; });
        if (first != last)
            slice.insert(it.key(), QVector<SeriesPoint>(first, last));
    }
    const auto q = m.quality.constFind(bucket);
    const QualityStats *quality = q == m.quality.constEnd() ? nullptr : &*q;
    if (slice.isEmpty() && !quality)
        return {};
    const Kpi::PointLookup lookup = [&slice](const QString &key) -> const QVector<SeriesPoint> & {
        static const QVector<SeriesPoint> empty;
        const auto it = slice.constFind(key);
        return it == slice.constEnd() ? empty : *it;
    };
    const Kpi::Figures f = Kpi::figures(lookup, m.roles, m_coverage, bucket, end);

    QList<QByteArray> cells { ReportFormat::time(bucket, m_options), m.model.toUtf8() };
    if (m_requests) {
        const Kpi::Requests r = Kpi::requests(lookup, m.roles, bucket, end);
        const bool any = !m.roles.requests.isEmpty();
        cells << (any ? ReportFormat::number(r.total, ReportFormat::kExactDigits) : QByteArray());
        cells << (any && r.errorsKnown ? ReportFormat::number(r.errors, ReportFormat::kExactDigits) : QByteArray());
    }
    for (const QString &kpi : m_kpis) {
        cells << ReportFormat::number(KpiCatalog::valueOf(kpi, f, quality), digitsOf(kpi));
        const KpiOutlook *o = m.outlook ? m.outlook->find(kpi) : nullptr;
        if (m_baselines.contains(kpi))
            cells << (o && o->baseline.exists ? ReportFormat::number(o->baseline.value, digitsOf(kpi)) : QByteArray());
        if (m_trends.contains(kpi)) {
            const bool fitted = o && o->fit.sufficient;
            cells << (fitted ? ReportFormat::number(o->fit.slopePerDay, kSlopeDigits) : QByteArray());
            cells << (fitted ? o->fit.label.toUtf8() : QByteArray());
        }
        if (kpi == u"latency_p99" && m_latencyCount)
            cells << (m.roles.latency.isEmpty() ? QByteArray() : QByteArray::number(f.latency.n));
    }
    const qint64 covered = m_coverage.bucket(bucket);
    cells << (covered < 0 ? QByteArray() : QByteArray::number(covered));
    cells << QByteArray(m_coverage.isComplete(bucket) ? "complete" : "partial");
    return cells;
}

} // namespace perfdash
