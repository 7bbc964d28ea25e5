// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/sourcecharts.h"

#include "models/serieskey.h"
#include "models/seriesselector.h"

#include <QHash>
#include <QMap>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace perfdash::SourceCharts {

namespace {

// A chart of the keys whose metric name is one of `names` (in that order), each with its figures.
ChartSpec chartOf(const QString &title, const QString &unit, const QStringList &names, const QStringList &keys,
    const KindOf &kindOf, bool byPrefix = false)
{
    ChartSpec spec { title, unit, {} };
    for (const QString &name : names) {
        for (const QString &key : keys) {
            const QString metric = SeriesKey::fromString(key).name;
            if (byPrefix ? metric.startsWith(name) : metric == name)
                spec.plots += SeriesPlots::plotsOf(key, kindOf(key));
        }
    }
    return spec;
}

// Legends name what differs between a chart's lines: the metric when several share the chart, the tags not common to
// all, the figure when a series has several ("{service=loadgen}", "system.load5", "p95").
void shortenLabels(ChartSpec *spec)
{
    if (spec->plots.isEmpty())
        return;
    QStringList names, common;
    bool first = true;
    QHash<QString, int> figuresPerKey;
    for (const SeriesPlot &p : std::as_const(spec->plots)) {
        const SeriesKey key = SeriesKey::fromString(p.key);
        if (!names.contains(key.name))
            names << key.name;
        if (first)
            common = key.tags;
        else
            common.erase(
                std::remove_if(common.begin(), common.end(), [&](const QString &t) { return !key.tags.contains(t); }),
                common.end());
        first = false;
        ++figuresPerKey[p.key];
    }
    // "system.load1", "system.load5": the part after what all names share up to a dot ("load1", "load5").
    qsizetype prefix = 0;
    if (names.size() > 1) {
        prefix = names.first().size();
        for (const QString &n : std::as_const(names)) {
            qsizetype i = 0;
            while (i < prefix && i < n.size() && n[i] == names.first()[i])
                ++i;
            prefix = i;
        }
        prefix = names.first().lastIndexOf(u'.', prefix - 1) + 1;
    }
    for (SeriesPlot &p : spec->plots) {
        const SeriesKey key = SeriesKey::fromString(p.key);
        QStringList tags;
        for (const QString &t : key.tags) {
            if (!common.contains(t))
                tags << QString(t).replace(t.indexOf(u':'), 1, u'=');
        }
        QStringList parts;
        if (names.size() > 1)
            parts << key.name.mid(prefix);
        if (!tags.isEmpty())
            parts << u'{' + tags.join(u',') + u'}';
        if (figuresPerKey.value(p.key) > 1 || parts.isEmpty())
            parts << (parts.isEmpty() && figuresPerKey.value(p.key) == 1 ? key.name
                                                                         : SeriesPlots::figureName(p.figure));
        p.label = parts.join(u' ');
    }
}

void addIfAny(QVector<ChartSpec> *out, ChartSpec spec)
{
    shortenLabels(&spec);
    if (!spec.plots.isEmpty())
        out->append(std::move(spec));
}

} // namespace

bool hasDashboard(const SourceRef &source, const SourceRoles &roles)
{
    if (source.kind == SourceRef::Kind::Model)
        return true;
    return !roles.latency.isEmpty() || !roles.requests.isEmpty();
}

QVector<ChartSpec> forSource(const SourceRef &source, const QStringList &keys, const KindOf &kindOf)
{
    QVector<ChartSpec> out;
    if (source.kind == SourceRef::Kind::Process) {
        addIfAny(&out, chartOf(QObject::tr("CPU"), u"% of one core"_s, { u"process.cpu_percent"_s }, keys, kindOf));
        addIfAny(&out, chartOf(QObject::tr("Memory (RSS)"), u"MB"_s, { u"process.rss_mb"_s }, keys, kindOf));
        addIfAny(&out, chartOf(QObject::tr("Threads"), QString(), { u"process.threads"_s }, keys, kindOf));
        addIfAny(&out, chartOf(QObject::tr("GPU"), u"%"_s, { u"process.gpu_percent"_s }, keys, kindOf));
    } else if (source.kind == SourceRef::Kind::Other && source.name == u"system") {
        addIfAny(&out, chartOf(QObject::tr("CPU"), u"% of all cores"_s, { u"system.cpu_percent"_s }, keys, kindOf));
        addIfAny(&out,
            chartOf(QObject::tr("Memory"), u"MB"_s,
                { u"system.memory_used_mb"_s, u"system.memory_available_mb"_s, u"system.memory_total_mb"_s }, keys,
                kindOf));
        addIfAny(&out, chartOf(QObject::tr("Swap"), u"MB"_s, { u"system.swap_used_mb"_s }, keys, kindOf));
        addIfAny(&out,
            chartOf(QObject::tr("Load"), QString(), { u"system.load1"_s, u"system.load5"_s, u"system.load15"_s }, keys,
                kindOf));
    } else if (source.kind == SourceRef::Kind::Other && source.name == u"perfdash") {
        addIfAny(&out,
            chartOf(QObject::tr("Ingest"), u"per s"_s,
                { u"perfdash.ingest.lines_accepted"_s, u"perfdash.ingest.records_accepted"_s,
                    u"perfdash.ingest.datagrams"_s },
                keys, kindOf));
        addIfAny(&out,
            chartOf(QObject::tr("Drops by reason"), u"per s"_s,
                { u"perfdash.ingest.lines_rejected"_s, u"perfdash.ingest.rejected"_s, u"perfdash.ingest.kernel_drops"_s,
                    u"perfdash.ingest.records_rejected"_s, u"perfdash.ingest.late_samples"_s },
                keys, kindOf));
        addIfAny(&out,
            chartOf(QObject::tr("Storage queue"), u"frames"_s, { u"perfdash.storage.queued_frames"_s }, keys, kindOf));
        addIfAny(
            &out, chartOf(QObject::tr("Database size"), u"MB"_s, { u"perfdash.storage.database_mb"_s }, keys, kindOf));
        addIfAny(&out,
            chartOf(QObject::tr("Storage drops (since start)"), QString(), { u"perfdash.storage.dropped_"_s }, keys,
                kindOf, true));
        addIfAny(
            &out, chartOf(QObject::tr("Live series"), QString(), { u"perfdash.ingest.live_series"_s }, keys, kindOf));
    }
    if (!out.isEmpty())
        return out;
    // Anything else: one chart per metric name, its series overlaid.
    QMap<QString, QStringList> byName;
    for (const QString &key : keys)
        byName[SeriesKey::fromString(key).name] << key;
    for (auto it = byName.cbegin(); it != byName.cend() && out.size() < 12; ++it)
        addIfAny(&out, chartOf(it.key(), QString(), { it.key() }, it.value(), kindOf));
    return out;
}

ChartSpec forSeries(const QStringList &keys, const KindOf &kindOf)
{
    ChartSpec spec;
    QStringList units;
    // One series: all its figures. Several: one line each, p95 for quantiles, so a legend stays readable.
    const bool overlay = keys.size() > 1;
    bool p95Only = false;
    for (const QString &key : keys) {
        const MetricKind kind = kindOf(key);
        QVector<SeriesPlot> plots = SeriesPlots::plotsOf(key, kind, !overlay);
        if (overlay && plots.size() > 1) {
            plots.erase(std::remove_if(plots.begin(), plots.end(),
                            [](const SeriesPlot &p) { return p.figure != SeriesFigure::P95; }),
                plots.end());
            p95Only = true;
        }
        spec.plots += plots;
        for (SeriesFigure f : SeriesPlots::figuresOf(kind)) {
            const QString unit = SeriesPlots::unitOf(kind, f);
            if (!units.contains(unit))
                units << unit;
        }
    }
    spec.title = !overlay ? SeriesSelector::displayName(keys.first())
        : p95Only         ? QObject::tr("%n series (p95 of those with quantiles)", nullptr, int(keys.size()))
                          : QObject::tr("%n series", nullptr, int(keys.size()));
    spec.unit = units.size() == 1 ? units.first() : QString();
    spec.wide = true;
    if (keys.size() > 1)
        shortenLabels(&spec);
    return spec;
}

QStringList keysOf(const QVector<ChartSpec> &specs)
{
    QStringList keys;
    for (const ChartSpec &s : specs) {
        for (const SeriesPlot &p : s.plots) {
            if (!keys.contains(p.key))
                keys << p.key;
        }
    }
    return keys;
}

} // namespace perfdash::SourceCharts
