// SPDX-License-Identifier: GPL-3.0-or-later
// What a chart draws of a series (models/seriesplot.h) and which charts a source's page has (models/sourcecharts.h).
#include "models/sourcecharts.h"

#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

SeriesPoint point(MetricKind kind)
{
    SeriesPoint p;
    p.second = 100;
    p.stats.kind = kind;
    p.stats.count = 4;
    p.stats.sum = 10;
    p.stats.rate = 4;
    p.stats.last = 3;
    p.stats.p50 = 2;
    p.stats.p95 = 5;
    p.stats.p99 = 9;
    p.stats.uniqueCount = 3;
    return p;
}

MetricKind kindByName(const QString &key)
{
    if (key.contains(u"latency"))
        return MetricKind::Timer;
    if (key.contains(u"count") || key.contains(u"lines") || key.contains(u"drops") || key.contains(u"rejected"))
        return MetricKind::Counter;
    if (key.contains(u"users"))
        return MetricKind::Set;
    return MetricKind::Gauge;
}

} // namespace

class TestSourceCharts : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void eachKindPlotsWhatItMeans()
    {
        QCOMPARE(SeriesPlots::figuresOf(MetricKind::Timer),
            (QVector<SeriesFigure> { SeriesFigure::P50, SeriesFigure::P95, SeriesFigure::P99 }));
        QCOMPARE(SeriesPlots::figuresOf(MetricKind::Counter), QVector<SeriesFigure> { SeriesFigure::Rate });
        QCOMPARE(SeriesPlots::figuresOf(MetricKind::Gauge), QVector<SeriesFigure> { SeriesFigure::Value });
        QCOMPARE(SeriesPlots::figuresOf(MetricKind::Set), QVector<SeriesFigure> { SeriesFigure::Members });
        QCOMPARE(SeriesPlots::valueAt(point(MetricKind::Timer), SeriesFigure::P95), 5.0);
        QCOMPARE(SeriesPlots::valueAt(point(MetricKind::Counter), SeriesFigure::Rate), 4.0);
        QCOMPARE(SeriesPlots::valueAt(point(MetricKind::Gauge), SeriesFigure::Value), 2.5); // mean of the samples
        QCOMPARE(SeriesPlots::valueAt(point(MetricKind::Set), SeriesFigure::Members), 3.0);
        QVERIFY(std::isnan(SeriesPlots::valueAt(point(MetricKind::Gauge), SeriesFigure::P95)));
    }

    void labelsUseTheSelectorForm()
    {
        const auto plots = SeriesPlots::plotsOf(u"api.latency|model:m1"_s, MetricKind::Timer);
        QCOMPARE(plots.size(), 3);
        QCOMPARE(plots[1].label, u"api.latency{model=m1} p95"_s);
        QCOMPARE(SeriesPlots::plotsOf(u"api.latency|model:m1"_s, MetricKind::Timer, true)[1].label, u"p95"_s);
    }

    void pickedSeriesOverlayOnOneChart()
    {
        const ChartSpec one = SourceCharts::forSeries({ u"api.latency|model:m1"_s }, kindByName);
        QCOMPARE(one.plots.size(), 3);
        QCOMPARE(one.unit, u"ms"_s);
        QCOMPARE(one.title, u"api.latency{model=m1}"_s);
        const ChartSpec two
            = SourceCharts::forSeries({ u"api.latency|model:m1"_s, u"api.count|model:m1"_s }, kindByName);
        QCOMPARE(two.plots.size(), 2); // overlaid: the timer's p95 and the counter's rate
        QCOMPARE(two.plots[0].figure, SeriesFigure::P95);
        QCOMPARE(two.unit, QString()); // ms and per s: no one unit
    }

    void aProcessHasCpuMemoryAndThreads()
    {
        const SourceRef process { SourceRef::Kind::Process, u"pid 42"_s };
        const QStringList keys { u"process.cpu_percent|pid:42"_s, u"process.rss_mb|pid:42"_s,
            u"process.threads|pid:42"_s, u"process.info|pid:42"_s };
        const auto charts = SourceCharts::forSource(process, keys, kindByName);
        QCOMPARE(charts.size(), 3);
        QCOMPARE(charts[0].title, u"CPU"_s);
        QCOMPARE(charts[0].plots.first().key, keys[0]);
        QCOMPARE(charts[1].unit, u"MB"_s);
        QCOMPARE(charts[2].title, u"Threads"_s);
        QVERIFY(!SourceCharts::hasDashboard(process, SourceRoles {}));
    }

    void theMachineAndTheCollectorHaveTheirPages()
    {
        const SourceRef system { SourceRef::Kind::Other, u"system"_s };
        const auto machine = SourceCharts::forSource(system,
            { u"system.cpu_percent"_s, u"system.memory_used_mb"_s, u"system.memory_total_mb"_s,
                u"system.swap_used_mb"_s, u"system.load1"_s, u"system.load5"_s, u"system.load15"_s },
            kindByName);
        QStringList titles;
        for (const ChartSpec &c : machine)
            titles << c.title;
        QCOMPARE(titles, (QStringList { u"CPU"_s, u"Memory"_s, u"Swap"_s, u"Load"_s }));
        QCOMPARE(machine[3].plots.size(), 3);
        QCOMPARE(machine[3].plots[1].label, u"load5"_s);
        QCOMPARE(machine[0].plots[0].label, u"system.cpu_percent"_s); // alone on its chart: its name

        const SourceRef collector { SourceRef::Kind::Other, u"perfdash"_s };
        const auto self = SourceCharts::forSource(collector,
            { u"perfdash.ingest.lines_accepted"_s, u"perfdash.ingest.kernel_drops|socket:udp"_s,
                u"perfdash.ingest.rejected|reason:parse"_s, u"perfdash.storage.dropped_values"_s,
                u"perfdash.ingest.live_series"_s },
            kindByName);
        titles.clear();
        for (const ChartSpec &c : self)
            titles << c.title;
        QCOMPARE(titles,
            (QStringList { u"Ingest"_s, u"Drops by reason"_s, u"Storage drops (since start)"_s, u"Live series"_s }));
        QCOMPARE(self[1].plots.size(), 2); // kernel drops by socket, rejections by reason
        // Legends name what differs: the metric and its tag, not the whole key twice.
        QCOMPARE(self[1].plots[0].label, u"rejected {reason=parse}"_s);
        QCOMPARE(self[0].plots.first().figure, SeriesFigure::Rate);
    }

    void anyOtherSourceGetsAChartPerMetric()
    {
        const SourceRef other { SourceRef::Kind::Other, u"batch"_s };
        const auto charts = SourceCharts::forSource(
            other, { u"batch.rows|job:a"_s, u"batch.rows|job:b"_s, u"batch.latency|job:a"_s }, kindByName);
        QCOMPARE(charts.size(), 2);
        QCOMPARE(charts[1].title, u"batch.rows"_s);
        QCOMPARE(charts[1].plots.size(), 2);
        QCOMPARE(charts[1].plots[1].label, u"{job=b}"_s);
        QCOMPARE(SourceCharts::keysOf(charts).size(), 3);
    }
};

QTEST_GUILESS_MAIN(TestSourceCharts)
#include "tst_sourcecharts.moc"
