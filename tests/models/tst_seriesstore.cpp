// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/serieslistmodel.h"
#include "models/seriesstore.h"

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
        QCOMPARE(model.data(model.index(1), Qt::DisplayRole).toString(), u"b  {x:1}"_s);
        QCOMPARE(model.data(model.index(1), SeriesListModel::NameRole).toString(), u"b"_s);
    }
};

QTEST_GUILESS_MAIN(TestSeriesStore)
#include "tst_seriesstore.moc"
