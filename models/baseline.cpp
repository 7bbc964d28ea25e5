// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/baseline.h"

#include "models/timebucket.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>
#include <QStringBuilder>

#include <algorithm>
#include <cmath>
#include <cstdlib>

using namespace Qt::Literals::StringLiterals;

namespace perfdash::Baseline {

namespace {

struct SourceName {
    Source source;
    const char16_t *name;
    const char *text;
};
constexpr SourceName kSources[] = {
    { Source::TestSet, u"test_set", QT_TRANSLATE_NOOP("Baseline", "test set") },
    { Source::Expected, u"expected", QT_TRANSLATE_NOOP("Baseline", "expected") },
    { Source::Pinned, u"pinned", QT_TRANSLATE_NOOP("Baseline", "pinned range") },
    { Source::FirstDay, u"first_24h", QT_TRANSLATE_NOOP("Baseline", "first 24 h") },
    { Source::Deploy, u"deploy", QT_TRANSLATE_NOOP("Baseline", "deploy") },
};

double envDouble(const char *name, double fallback, QStringList *warnings)
{
    const char *v = std::getenv(name);
    if (!v || !*v)
        return fallback;
    bool ok = false;
    const double d = QString::fromUtf8(v).trimmed().toDouble(&ok);
    if (ok && std::isfinite(d) && d >= 0)
        return d;
    if (warnings)
        warnings->append(QStringLiteral("%1=%2 is not a number of zero or more; using %3")
                             .arg(QLatin1StringView(name), QString::fromUtf8(v), QString::number(fallback)));
    return fallback;
}

QString hours(qint64 seconds)
{
    return QLocale().toString(double(seconds) / 3600, 'f', seconds % 3600 == 0 || seconds >= 10LL * 3600 ? 0 : 1);
}

QString day(qint64 second)
{
    return QDateTime::fromSecsSinceEpoch(second, Qt::UTC).toString(u"d MMM yyyy HH:mm"_s);
}

bool higherIsBetter(const QString &kpi)
{
    const KpiCatalog::Definition *d = KpiCatalog::find(kpi);
    return d && d->better == KpiCatalog::Better::Higher;
}

} // namespace

QString sourceName(Source source)
{
    for (const SourceName &s : kSources) {
        if (s.source == source)
            return QString::fromUtf16(s.name);
    }
    return {};
}

bool sourceFromName(const QString &name, Source *out)
{
    for (const SourceName &s : kSources) {
        if (name == QStringView(s.name)) {
            *out = s.source;
            return true;
        }
    }
    return false;
}

QString describeSource(Source source)
{
    for (const SourceName &s : kSources) {
        if (s.source == source)
            return QCoreApplication::translate("Baseline", s.text);
    }
    return {};
}

Limits Limits::fromEnvironment(QStringList *warnings)
{
    Limits l;
    l.accuracyDrop = envDouble("PERF_ACCURACY_THRESHOLD", l.accuracyDrop, warnings);
    l.latencyMaxMs = envDouble("PERF_LATENCY_P95_MAX_MS", l.latencyMaxMs, warnings);
    l.errorRateMax = envDouble("PERF_ERROR_RATE_MAX", l.errorRateMax, warnings);
    return l;
}

QString Resolved::describe() const
{
    if (!exists && !forming)
        return QCoreApplication::translate("Baseline", "no baseline");
    QString text = describeSource(source);
    if (forming)
        return text
            % QCoreApplication::translate("Baseline", " · forming: %1 h of %2 h")
                  .arg(hours(formedSeconds), hours(requiredSeconds));
    if (windowFrom > 0 && windowTo > windowFrom)
        text += u" · "_s % day(windowFrom) % u" – "_s % day(windowTo);
    if (versions > 1)
        text += QCoreApplication::translate("Baseline", " · v%1 of %2").arg(version).arg(versions);
    return text;
}

QString Resolved::describeShort() const
{
    Resolved shorter = *this;
    shorter.windowFrom = shorter.windowTo = 0;
    return shorter.describe();
}

double limitFor(const QString &kpi, const Resolved &b, const Limits &limits)
{
    const KpiCatalog::Definition *d = KpiCatalog::find(kpi);
    if (!d)
        return nan;
    const bool usable = b.exists && std::isfinite(b.value) && !b.forming;
    if (kpi == u"error_rate")
        return limits.errorRateMax;
    if (kpi.startsWith(u"latency_")) {
        if (usable)
            return b.value * (1 + limits.latencyIncrease);
        return kpi == u"latency_p95" ? limits.latencyMaxMs : nan;
    }
    if (!usable)
        return nan;
    if (d->quality)
        return d->better == KpiCatalog::Better::Higher ? b.value * (1 - limits.accuracyDrop)
                                                       : b.value * (1 + limits.accuracyDrop);
    if (kpi == u"throughput")
        return b.value * (1 - limits.throughputShortfall);
    return nan;
}

QString statusName(Status status)
{
    switch (status) {
    case Status::Ok:
        return u"ok"_s;
    case Status::Degraded:
        return u"degraded"_s;
    case Status::Breached:
        return u"breached"_s;
    case Status::Unknown:
        break;
    }
    return u"unknown"_s;
}

double bandOf(const QString &kpi, const Resolved &b)
{
    if (!b.exists)
        return nan;
    double band = b.spreadTrusted() ? kBandSigmas * b.spread : nan;
    // A quantile is known to the sketch's relative error (1 %) on either side: hourly p50s that all fall in one
    // sketch bucket have a spread of 0, and the next bucket (2.02 % on) is still no change.
    if (kpi.startsWith(u"latency_") && std::isfinite(b.value))
        band = std::max(std::isfinite(band) ? band : 0.0, kLatencyResolution * std::abs(b.value));
    return band;
}

Comparison compare(const QString &kpi, double current, const Resolved &b, const Limits &limits)
{
    Comparison c;
    c.current = current;
    c.limit = limitFor(kpi, b, limits);
    if (b.exists) {
        c.baseline = b.value;
        c.delta = current - b.value;
        c.relative = b.value != 0 ? c.delta / std::abs(b.value) : nan;
        c.band = bandOf(kpi, b);
    }
    if (!std::isfinite(current) || (!b.exists && !std::isfinite(c.limit)))
        return c;
    const bool higher = higherIsBetter(kpi);
    const double worseBy = std::isfinite(c.delta) ? (higher ? -c.delta : c.delta) : nan;
    if (std::isfinite(c.limit) && (higher ? current < c.limit : current > c.limit)) {
        c.status = Status::Breached;
        c.beyondNoise = true;
        return c;
    }
    if (std::isfinite(worseBy) && !b.forming) {
        if (std::isfinite(c.band))
            c.beyondNoise = worseBy > c.band;
        else if (std::isfinite(c.limit))
            c.beyondNoise = worseBy > 0.5 * std::abs(c.limit - b.value);
    }
    c.status = c.beyondNoise ? Status::Degraded : Status::Ok;
    return c;
}

QString describeDelta(const QString &kpi, const Comparison &c, bool brief)
{
    if (!std::isfinite(c.delta))
        return {};
    const QLocale locale;
    const QString sign = c.delta > 0 ? u"+"_s : c.delta < 0 ? u"−"_s : QString();
    const QString vs = brief ? QString() : QCoreApplication::translate("Baseline", " vs baseline");
    if (kpi == u"error_rate")
        return sign % locale.toString(std::abs(c.delta) * 100, 'f', 2) % u" pp"_s % vs;
    if (!std::isfinite(c.relative))
        return sign % KpiCatalog::format(kpi, std::abs(c.delta)) % vs;
    const double pct = std::abs(c.relative) * 100;
    return sign % locale.toString(pct, 'f', pct < 10 ? 1 : 0) % u" %"_s % vs;
}

Formed form(double whole, const QVector<KpiCatalog::BucketValue> &chunks)
{
    Formed f;
    f.value = whole;
    f.chunks = int(chunks.size());
    if (chunks.size() >= 2) {
        double mean = 0;
        for (const auto &c : chunks)
            mean += c.value;
        mean /= double(chunks.size());
        double ss = 0;
        for (const auto &c : chunks)
            ss += (c.value - mean) * (c.value - mean);
        f.spread = std::sqrt(ss / double(chunks.size() - 1));
    }
    return f;
}

qint64 firstDayStart(qint64 epoch)
{
    return epoch < 0 ? epoch : floorTo(epoch + kChunkSeconds - 1, kChunkSeconds);
}

bool formsAutomatically(const QString &kpi)
{
    return kpi.startsWith(u"latency_") || kpi == u"error_rate";
}

qint64 epochOf(const History &h, qint64 now)
{
    qint64 epoch = h.firstSecond;
    for (const Stored &s : h.stored) {
        const KpiCatalog::Definition *d = KpiCatalog::find(s.kpi);
        const bool deploy = s.source == Source::Deploy || (s.source == Source::TestSet && d && d->quality);
        if (deploy && s.validFrom <= now)
            epoch = std::max(epoch, s.validFrom);
    }
    return epoch;
}

Resolved resolve(const QString &kpi, const History &h, qint64 now)
{
    Resolved r;
    r.kpi = kpi;
    QVector<Stored> rows;
    for (const Stored &s : h.stored) {
        if (s.kpi == kpi && s.source != Source::Deploy && s.validFrom <= now)
            rows.append(s);
    }
    std::sort(rows.begin(), rows.end(), [](const Stored &a, const Stored &b) {
        return a.validFrom != b.validFrom ? a.validFrom < b.validFrom : a.id < b.id;
    });
    r.versions = int(rows.size());
    const qint64 epoch = epochOf(h, now);
    const bool automatic = formsAutomatically(kpi) && epoch >= 0 && h.formWindow;
    // A stored version applies unless a newer deploy restarted the automatic baseline.
    if (!rows.isEmpty() && !(automatic && rows.constLast().validFrom < epoch)) {
        const Stored &s = rows.constLast();
        r.exists = true;
        r.source = s.source;
        r.value = s.value;
        r.spread = s.spread;
        r.n = s.n;
        r.windowFrom = s.windowFrom;
        r.windowTo = s.windowTo;
        r.validFrom = s.validFrom;
        r.version = r.versions;
        return r;
    }
    if (!automatic || now <= epoch)
        return r;
    // Forming (or formed, not stored yet): before the first whole hour it is forming with nothing in it yet.
    const qint64 start = firstDayStart(epoch);
    const qint64 end = std::clamp(now, start, start + kFirstDaySeconds);
    r.source = Source::FirstDay;
    r.windowFrom = start;
    r.windowTo = start + kFirstDaySeconds;
    r.validFrom = start + kFirstDaySeconds;
    r.forming = now < start + kFirstDaySeconds;
    r.formedSeconds = end - start;
    r.requiredSeconds = kFirstDaySeconds;
    const Formed f = end > start ? h.formWindow(kpi, start, end) : Formed {};
    if (!std::isfinite(f.value))
        return r; // not a baseline yet (exists stays false), but it says it is forming
    r.exists = true;
    r.value = f.value;
    r.spread = f.spread;
    r.n = f.chunks;
    r.versions += 1;
    r.version = r.versions;
    return r;
}

} // namespace perfdash::Baseline
