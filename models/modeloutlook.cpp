// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/modeloutlook.h"

#include "models/timebucket.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

constexpr qint64 kHour = 3600;

} // namespace

bool Outlook::hasSeriesFor(const QString &kpi, const SourceRoles &r)
{
    if (kpi.startsWith(u"latency_"))
        return !r.latency.isEmpty();
    if (kpi == u"throughput")
        return !r.requests.isEmpty();
    if (kpi == u"error_rate")
        return !r.requests.isEmpty() && r.failuresCounted;
    if (kpi == u"queue_depth")
        return !r.queue.isEmpty();
    if (kpi == u"accuracy")
        return !r.accuracy.isEmpty();
    if (kpi == u"cpu")
        return !r.cpu.isEmpty();
    if (kpi == u"memory")
        return !r.memory.isEmpty();
    if (kpi == u"gpu")
        return !r.gpu.isEmpty();
    if (kpi == u"cache_hit_rate")
        return !r.cacheHits.isEmpty();
    return false;
}

namespace {

Trend::Better betterOf(const QString &kpi)
{
    const KpiCatalog::Definition *d = KpiCatalog::find(kpi);
    return d && d->better == KpiCatalog::Better::Higher ? Trend::Better::Higher : Trend::Better::Lower;
}

} // namespace

const KpiOutlook *ModelOutlook::find(const QString &kpi) const
{
    for (const KpiOutlook &k : kpis) {
        if (k.kpi == kpi)
            return &k;
    }
    return nullptr;
}

namespace Outlook {

qint64 spanStart(qint64 now, qint64 epoch)
{
    qint64 from = now - kTrendSeconds;
    if (epoch >= 0)
        from = std::min(from, epoch);
    return floorTo(from, kHour);
}

ModelOutlook compute(const ModelHistory &in, const Baseline::Limits &limits)
{
    ModelOutlook out;
    out.model = in.model;
    out.now = in.now;
    out.trendFrom = floorTo(in.now - kTrendSeconds, kHour);
    const Kpi::PointLookup lookup = [&in](const QString &key) -> const QVector<SeriesPoint> & {
        static const QVector<SeriesPoint> empty;
        const auto it = in.hourly.constFind(key);
        return it == in.hourly.constEnd() ? empty : *it;
    };
    const KpiCatalog::QualityLookup quality = [&in](qint64 hour) -> const QualityStats * {
        const auto it = in.qualityHourly.constFind(hour);
        return it == in.qualityHourly.constEnd() ? nullptr : &*it;
    };
    Baseline::History history;
    history.stored = in.stored;
    history.firstSecond = in.firstSecond;
    history.formWindow = [&](const QString &kpi, qint64 from, qint64 to) {
        // Quality over the whole window from merged outcomes (never a mean of hourly figures).
        QualityMetrics merged;
        for (auto it = in.qualityHourly.lowerBound(from); it != in.qualityHourly.cend() && it.key() < to; ++it) {
            if (const auto m = QualityMetrics::deserialize(it->blob))
                merged.merge(*m);
        }
        const QualityStats wholeQuality = QualityStats::from({}, merged, false);
        const double whole
            = KpiCatalog::valueOf(kpi, Kpi::figures(lookup, in.roles, in.coverage, from, to), &wholeQuality);
        return Baseline::form(
            whole, KpiCatalog::perBucket(kpi, lookup, in.roles, in.coverage, from, to, kHour, quality));
    };
    out.epoch = Baseline::epochOf(history, in.now);

    for (const KpiCatalog::Definition &def : KpiCatalog::all()) {
        const bool stored = std::any_of(
            in.stored.cbegin(), in.stored.cend(), [&](const Baseline::Stored &s) { return s.kpi == def.name; });
        const bool measured = def.quality
            && std::any_of(in.qualityHourly.cbegin(), in.qualityHourly.cend(),
                [&](const QualityStats &q) { return std::isfinite(KpiCatalog::valueOf(def.name, {}, &q)); });
        if (!stored && !measured && !hasSeriesFor(def.name, in.roles))
            continue;
        KpiOutlook k;
        k.kpi = def.name;
        k.baseline = Baseline::resolve(def.name, history, in.now);
        k.limit = Baseline::limitFor(def.name, k.baseline, limits);
        k.hourly
            = KpiCatalog::perBucket(def.name, lookup, in.roles, in.coverage, out.trendFrom, in.now, kHour, quality);
        if (!k.hourly.isEmpty())
            k.latest = k.hourly.constLast().value;
        QVector<Trend::Sample> samples;
        samples.reserve(k.hourly.size());
        for (const auto &b : std::as_const(k.hourly))
            samples.append({ b.second, b.value });
        k.fit = Trend::fit(samples, betterOf(def.name));
        if (std::isfinite(k.limit) && k.fit.sufficient) {
            k.breach = Trend::projectBreach(k.fit, k.limit, in.now, kProjectionHorizon);
            k.projection = Trend::describe(k.fit, k.breach);
        } else if (!k.fit.sufficient) {
            k.projection = k.fit.insufficient;
        } else {
            k.projection = k.baseline.exists
                ? QCoreApplication::translate("Outlook", "%1 trend; no limit to project to").arg(k.fit.label)
                : QCoreApplication::translate("Outlook", "%1 trend; no baseline to project to").arg(k.fit.label);
        }
        // The cone is drawn where it says something: a trend that is not stable, or a projected breach. It reaches a
        // week ahead, or a little past the breach when that is later.
        if (k.fit.sufficient && (k.fit.label != QStringView(Trend::kStable) || k.breach.projected)) {
            qint64 ahead = kTrendSeconds;
            if (k.breach.projected)
                ahead = std::max<qint64>(ahead, (k.breach.at - in.now) * 5 / 4);
            k.cone = Trend::cone(k.fit, in.now + std::min<qint64>(ahead, kProjectionHorizon));
        }
        out.kpis.append(k);
    }
    return out;
}

QVector<Baseline::Stored> pinnedRows(const QString &model, const Kpi::PointLookup &lookup, const SourceRoles &roles,
    const Coverage &coverage, qint64 from, qint64 to, qint64 chunkStep, qint64 now)
{
    QVector<Baseline::Stored> rows;
    const Kpi::Figures whole = Kpi::figures(lookup, roles, coverage, from, to);
    for (const KpiCatalog::Definition &def : KpiCatalog::all()) {
        if (def.quality && def.name != u"accuracy")
            continue; // the other quality metrics are not in the points
        const double value = KpiCatalog::valueOf(def.name, whole);
        if (!std::isfinite(value))
            continue;
        const Baseline::Formed f
            = Baseline::form(value, KpiCatalog::perBucket(def.name, lookup, roles, coverage, from, to, chunkStep));
        Baseline::Stored s;
        s.model = model;
        s.kpi = def.name;
        s.source = Baseline::Source::Pinned;
        s.value = f.value;
        s.spread = f.spread;
        s.n = f.chunks;
        s.windowFrom = from;
        s.windowTo = to;
        s.validFrom = now;
        s.created = now;
        rows.append(s);
    }
    return rows;
}

Baseline::Stored deployMark(const QString &model, qint64 now)
{
    Baseline::Stored s;
    s.model = model;
    s.kpi = u"*"_s;
    s.source = Baseline::Source::Deploy;
    s.value = 0;
    s.validFrom = s.created = now;
    return s;
}

Baseline::Stored expected(const QString &model, const QString &kpi, double value, qint64 now)
{
    Baseline::Stored s;
    s.model = model;
    s.kpi = kpi;
    s.source = Baseline::Source::Expected;
    s.value = value;
    s.validFrom = s.created = now;
    return s;
}

} // namespace Outlook

} // namespace perfdash
