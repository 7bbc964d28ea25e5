// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/serieslistmodel.h"
#include "models/seriesselector.h"
#include "models/seriesstore.h"
#include "models/seriessummary.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {
LiveFrame frame(qint64 second, std::initializer_list<QString> keys)
{
    LiveFrame f { second, {} };
    for (const auto &key : keys) {
        SeriesStats s;
        s.key = key;
        s.kind = MetricKind::Timer;
        s.count = second;
        f.series.push_back(s);
    }
    return f;
}
} // namespace

class TestSeriesStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void appendsInOrderAndEvictsByTime()
    {
        SeriesStore store(10);
        for (qint64 s = 100; s < 130; ++s)
            store.ingest(frame(s, { u"a"_s }));
        const auto &pts = store.points(u"a"_s);
        QCOMPARE(pts.size(), 10);
        QCOMPARE(pts.constFirst().second, 120);
        QCOMPARE(pts.constLast().second, 129);
        QCOMPARE(store.latestSecond(), 129);
    }
    void predictionQualityBecomesAnAccuracyGauge()
    {
        SeriesStore store(3600);
        QualityMetrics m;
        m.addBinary(0.9, true);
        m.addBinary(0.8, false);
        m.addBinary(0.1, false);
        m.addBinary(0.3, true);
        LiveFrame f { 300, {} };
        f.quality.push_back(QualityStats::from(u"prediction.quality|model:fraud,service:api"_s, m, true));
        QualityMetrics regressionOnly;
        regressionOnly.addRegression(1, 2);
        f.quality.push_back(QualityStats::from(u"prediction.quality|model:price"_s, regressionOnly, true));
        store.ingest(f);
        const auto &pts = store.points(u"prediction.accuracy|model:fraud,service:api"_s);
        QCOMPARE(pts.size(), 1);
        QCOMPARE(pts[0].second, 300);
        QCOMPARE(pts[0].stats.kind, MetricKind::Gauge);
        QCOMPARE(pts[0].stats.last, 0.5);
        QVERIFY(store.points(u"prediction.accuracy|model:price"_s).isEmpty()); // no accuracy without class outcomes
    }
    void historyMergesWithoutDuplicates()
    {
        SeriesStore store(3600);
        store.ingest(frame(200, { u"a"_s }));
        store.ingest(QVector<LiveFrame> { frame(198, { u"a"_s }), frame(199, { u"a"_s }), frame(200, { u"a"_s }) });
        const auto &pts = store.points(u"a"_s);
        QCOMPARE(pts.size(), 3);
        QCOMPARE(pts[0].second, 198);
        QCOMPARE(pts[2].second, 200);
    }
    void keepsRecentSketchesForMerging()
    {
        // A followed timer: every live frame carries its second's sketch. 1..20 in second s is shifted by s.
        const auto timerFrame = [](qint64 second) {
            SeriesSummary timer(MetricKind::Timer);
            for (int i = 1; i <= 20; ++i)
                timer.addValue(double(i + second % 7));
            return LiveFrame { second, { timer.toStats(u"lat"_s, 1) } };
        };
        SeriesStore store(3600);
        const qint64 t0 = 10000;
        for (qint64 s = t0; s < t0 + 10; ++s)
            store.ingest(timerFrame(s));
        // The last ten seconds merge into the window's honest quantiles.
        SeriesSummary window(MetricKind::Timer), expected(MetricKind::Timer);
        for (const SeriesPoint &p : store.points(u"lat"_s)) {
            const auto second = SeriesSummary::fromStats(p.stats, p.second * 1000 + 999);
            QVERIFY(second);
            QVERIFY(window.merge(*second));
            for (int i = 1; i <= 20; ++i)
                expected.addValue(double(i + p.second % 7));
        }
        QCOMPARE(window.samples(), quint64(200));
        QCOMPARE(window.sketch()->quantile(0.95), expected.sketch()->quantile(0.95));
        QCOMPARE(window.sketch()->quantile(0.5), expected.sketch()->quantile(0.5));

        // A final frame replaces its provisional point, sketch included.
        LiveFrame final = timerFrame(t0 + 9);
        SeriesSummary corrected(MetricKind::Timer);
        for (int i = 1; i <= 20; ++i)
            corrected.addValue(1000 + i);
        final.series[0] = corrected.toStats(u"lat"_s, 1);
        store.ingest(final);
        QCOMPARE(store.points(u"lat"_s).constLast().stats.sketch, final.series[0].sketch);

        // Past sketchSeconds the old points keep their numbers but give their sketch up; the recent ones keep it.
        const qint64 last = t0 + SeriesStore::sketchSeconds + 20;
        for (qint64 s = t0 + 10; s <= last; ++s)
            store.ingest(timerFrame(s));
        const auto &pts = store.points(u"lat"_s);
        QCOMPARE(pts.size(), qsizetype(last - t0 + 1));
        const qint64 firstWithSketch = last - SeriesStore::sketchSeconds + 1;
        for (const SeriesPoint &p : pts) {
            QCOMPARE(p.stats.count, 20);
            QCOMPARE(p.stats.sketch.isEmpty(), p.second < firstWithSketch);
        }
        // A late point older than that comes in without its sketch.
        LiveFrame old = timerFrame(t0 + 5);
        store.ingest(old);
        QVERIFY(store.points(u"lat"_s)[5].stats.sketch.isEmpty());
        QCOMPARE(store.points(u"lat"_s)[5].stats.count, 20);
    }

    void listModelInsertsSortedRows()
    {
        SeriesStore store;
        SeriesListModel model(&store);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        store.ingest(frame(1, { u"b|x:1"_s, u"a"_s }));
        store.ingest(frame(2, { u"c"_s, u"a"_s }));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(inserted.size(), 3);
        QCOMPARE(reset.size(), 0);
        QCOMPARE(model.keyAt(0), u"a"_s);
        QCOMPARE(model.keyAt(1), u"b|x:1"_s);
        QCOMPARE(model.rowOf(u"c"_s), 2);
        QCOMPARE(model.data(model.index(1), Qt::DisplayRole).toString(), u"b{x=1}"_s);
        QCOMPARE(model.data(model.index(1), SeriesListModel::NameRole).toString(), u"b"_s);
    }

    void listModelShowsTheSelectorSyntax()
    {
        // The Series tab shows what `perfdashd export --series` and the filter box accept (docs/series.md).
        SeriesStore store;
        SeriesListModel model(&store);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        store.ingest(frame(1, { u"api.latency|model:m1,status:ok"_s, u"queue"_s, u"gpu.util|gpu:0"_s }));
        QStringList shown;
        for (int row = 0; row < model.rowCount(); ++row)
            shown.append(model.data(model.index(row), Qt::DisplayRole).toString());
        QCOMPARE(shown, (QStringList { u"api.latency{model=m1,status=ok}"_s, u"gpu.util{gpu=0}"_s, u"queue"_s }));
        for (int row = 0; row < model.rowCount(); ++row) {
            const auto selector = SeriesSelector::parse(shown.at(row), nullptr);
            QVERIFY(selector && selector->matches(model.keyAt(row)));
        }
        QCOMPARE(model.data(model.index(0), SeriesListModel::KeyRole).toString(), u"api.latency|model:m1,status:ok"_s);
    }
};

QTEST_GUILESS_MAIN(TestSeriesStore)
#include "tst_seriesstore.moc"
