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
    void adoptingIsIngestingTheOthersFrames()
    {
        // History ingested into a store of its own (a worker's), then adopted: the same points as ingesting it here,
        // live points that arrived meanwhile kept, a second held by both taken from the history, new keys announced.
        const auto history = [] {
            QVector<LiveFrame> frames;
            for (qint64 s = 90; s <= 101; ++s)
                frames << frame(s, { u"a"_s, u"b"_s });
            frames << frame(95, { u"c"_s });
            return frames;
        }();
        const auto live = [](SeriesStore &store) {
            for (qint64 s = 100; s <= 103; ++s) {
                LiveFrame f = frame(s, { u"a"_s });
                f.series[0].count = -s; // told apart from history's points
                store.ingest(f);
            }
        };
        SeriesStore direct(3600), adopted(3600), staging(3600);
        live(direct);
        direct.ingest(history);
        live(adopted);
        staging.ingest(history);
        QSignalSpy added(&adopted, &SeriesStore::seriesAdded), changed(&adopted, &SeriesStore::changed);
        adopted.adopt(staging);
        QCOMPARE(added.size(), 2); // b and c
        QCOMPARE(changed.size(), 1);
        QCOMPARE(adopted.keys(), direct.keys());
        QCOMPARE(adopted.latestSecond(), direct.latestSecond());
        for (const QString &key : direct.keys()) {
            const QVector<SeriesPoint> &want = direct.points(key), &got = adopted.points(key);
            QCOMPARE(got.size(), want.size());
            for (qsizetype i = 0; i < want.size(); ++i) {
                QCOMPARE(got[i].second, want[i].second);
                QCOMPARE(got[i].stats.count, want[i].stats.count);
            }
        }
        QCOMPARE(adopted.points(u"a"_s).size(), 14); // 90..103
        QCOMPARE(adopted.points(u"a"_s).at(11).stats.count, 101); // history's 101
        QCOMPARE(adopted.points(u"a"_s).at(12).stats.count, -102); // live's 102
        QVERIFY(staging.keys().isEmpty());
        QVERIFY(staging.points(u"a"_s).isEmpty());
    }

    void adoptedSketchesAgeLikeIngestedOnes()
    {
        // A followed timer's history with sketches, adopted under live seconds that carry theirs: only the newest
        // sketchSeconds keep a sketch, then and as time goes on, whichever store a point came from.
        const auto withSketch = [](qint64 second) {
            SeriesSummary timer(MetricKind::Timer);
            timer.addValue(double(second % 13));
            return LiveFrame { second, { timer.toStats(u"lat"_s, 1) } };
        };
        const qint64 t0 = 50000, historyEnd = t0 + 700;
        SeriesStore store(3600), staging(3600);
        for (qint64 s = historyEnd; s < historyEnd + 5; ++s)
            store.ingest(withSketch(s)); // live, before the history arrives
        QVector<LiveFrame> history;
        for (qint64 s = t0; s < historyEnd; ++s)
            history << withSketch(s);
        staging.ingest(history);
        staging.reserveAfter(64);
        store.adopt(staging);
        const auto check = [&store]() {
            const qint64 keepFrom = store.latestSecond() - SeriesStore::sketchSeconds + 1;
            for (const SeriesPoint &p : store.points(u"lat"_s)) {
                if (p.stats.sketch.isEmpty() == (p.second >= keepFrom))
                    return u"second %1 (keep from %2)"_s.arg(p.second).arg(keepFrom);
            }
            return QString();
        };
        QCOMPARE(store.points(u"lat"_s).size(), 705);
        QCOMPARE(check(), QString());
        for (qint64 s = historyEnd + 5; s < historyEnd + 200; ++s)
            store.ingest(withSketch(s));
        QCOMPARE(check(), QString());
    }

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

        // Made here from the frames' quality, storage cannot give it back: a bounded store keeps its window.
        SeriesStore bounded(3600);
        bounded.setBoundedByShown(true);
        for (qint64 s = 300; s < 400; ++s) {
            LiveFrame q { s, {} };
            q.quality.push_back(QualityStats::from(u"prediction.quality|model:fraud,service:api"_s, m, true));
            SeriesStats other;
            other.key = u"other"_s;
            other.kind = MetricKind::Gauge;
            q.series.push_back(other);
            bounded.ingest(q);
        }
        QCOMPARE(bounded.points(u"prediction.accuracy|model:fraud,service:api"_s).size(), 100);
        QCOMPARE(bounded.points(u"other"_s).size(), int(SeriesStore::latestSeconds));
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

    void keptInFullIsAnnouncedWhenBoundedAndOnceTheTreeNamedItsSparklines()
    {
        // What a bounded store asks of live frames in full (LiveSource::subscribe): announced when bounding, again at
        // the first changed() (the source tree names its sparklines there), then at every change of the shown or
        // sparkline series.
        SeriesStore store(3600);
        QSignalSpy announced(&store, &SeriesStore::keptInFullChanged);
        store.ingest(frame(1000, { u"a"_s }));
        QCOMPARE(announced.size(), 0); // not bounded: every frame stays whole
        store.setBoundedByShown(true);
        QCOMPARE(announced.size(), 1); // at once: whole frames of every series stop
        QVERIFY(store.keptInFull().isEmpty());
        store.setShown({ u"a"_s });
        QCOMPARE(announced.size(), 1); // the tree has not named its sparklines yet
        connect(&store, &SeriesStore::changed, this, [&]() { store.setSparklineKeys({ u"b"_s }); });
        store.ingest(frame(1001, { u"a"_s, u"b"_s, u"c"_s }));
        QCOMPARE(announced.size(), 2);
        QCOMPARE(store.keptInFull(), (QStringList { u"a"_s, u"b"_s }));
        store.ingest(frame(1002, { u"a"_s, u"b"_s, u"c"_s }));
        QCOMPARE(announced.size(), 2); // nothing changed
        store.setShown({ u"a"_s, u"c"_s });
        QCOMPARE(announced.size(), 3);
        QCOMPARE(store.keptInFull(), (QStringList { u"a"_s, u"c"_s, u"b"_s })); // the shown first
        store.setShown({ u"a"_s, u"c"_s });
        QCOMPARE(announced.size(), 3);
        store.setSparklineKeys({});
        QCOMPARE(announced.size(), 4);
        QCOMPARE(store.keptInFull(), (QStringList { u"a"_s, u"c"_s }));
    }

    void onlyShownSeriesKeepTheWindow()
    {
        // Bounded by what is shown: the shown series keep the hour, a sparkline its newest minute, the rest their
        // newest seconds; a series shown again is reported as new (its window must come from storage) and one no
        // longer shown shrinks at once.
        SeriesStore store(3600);
        store.setBoundedByShown(true);
        QCOMPARE(store.setShown({ u"a"_s }), QStringList { u"a"_s });
        store.setSparklineKeys({ u"b"_s });
        for (qint64 s = 1000; s < 1300; ++s)
            store.ingest(frame(s, { u"a"_s, u"b"_s, u"c"_s }));
        QCOMPARE(store.points(u"a"_s).size(), 300);
        QCOMPARE(store.points(u"b"_s).size(), int(SeriesStore::recentSeconds));
        QCOMPARE(store.points(u"b"_s).constFirst().second, 1300 - SeriesStore::recentSeconds);
        QCOMPARE(store.points(u"c"_s).size(), int(SeriesStore::latestSeconds));
        QVERIFY(store.isShown(u"a"_s) && !store.isShown(u"b"_s));

        // A series that falls silent keeps its newest point: the tree tells stale, silent and exited by it, and its
        // kind.
        for (qint64 s = 1300; s < 1360; ++s)
            store.ingest(frame(s, { u"a"_s, u"b"_s }));
        QCOMPARE(store.points(u"c"_s).size(), 1);
        QCOMPARE(store.points(u"c"_s).constFirst().second, 1299);

        QCOMPARE(store.setShown({ u"a"_s, u"b"_s }), QStringList { u"b"_s }); // only b is new
        QCOMPARE(store.setShown({ u"b"_s }), QStringList {});
        QCOMPARE(store.points(u"a"_s).size(), int(SeriesStore::latestSeconds)); // a shrank to its seconds
        QCOMPARE(store.points(u"a"_s).constLast().second, 1359);

        // b's window arrives from storage (adopted as the GUI does) and is kept.
        SeriesStore staging(3600);
        for (qint64 s = 760; s < 1360; ++s)
            staging.ingest(frame(s, { u"b"_s }));
        store.adopt(staging);
        QCOMPARE(store.points(u"b"_s).size(), 600);
        store.ingest(frame(1360, { u"a"_s, u"b"_s }));
        QCOMPARE(store.points(u"b"_s).size(), 601);
        QCOMPARE(store.points(u"a"_s).size(), int(SeriesStore::latestSeconds));

        // Adopted points keep a minute until the tree has named its sparklines (at the next frame, seconds).
        SeriesStore minute(3600);
        for (qint64 s = 1300; s < 1361; ++s)
            minute.ingest(frame(s, { u"d"_s }));
        store.adopt(minute);
        QCOMPARE(store.points(u"d"_s).size(), int(SeriesStore::recentSeconds));
        store.ingest(frame(1361, { u"a"_s, u"b"_s, u"d"_s }));
        QCOMPARE(store.points(u"d"_s).size(), int(SeriesStore::latestSeconds));

        // Unbounded again (a fleet source): nothing more is evicted than the window.
        store.setBoundedByShown(false);
        for (qint64 s = 1362; s < 1400; ++s)
            store.ingest(frame(s, { u"a"_s }));
        QCOMPARE(store.points(u"a"_s).size(), int(SeriesStore::latestSeconds) + 38);
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
