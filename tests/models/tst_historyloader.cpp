// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/historyloader.h"

#include <QSignalSpy>
#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {
// Storage as the loader sees it: requests are recorded and answered by the test.
class FakeRangeSource : public RangeSource {
public:
    struct Request {
        QStringList keys;
        qint64 from, to, step;
        quint64 id;
    };
    void requestBuckets(const QStringList &keys, qint64 from, qint64 to, qint64 step, quint64 id) override
    {
        buckets.push_back({ keys, from, to, step, id });
    }
    void requestMarkers(qint64 from, qint64 to, quint64 id) override { markers.push_back({ {}, from, to, 0, id }); }
    QVector<Request> buckets, markers;
};

RangeSeries counterBucket(const QString &key, qint64 start, qint64 step, qint64 count)
{
    RangeSeries s;
    s.key = key;
    s.step = step;
    SeriesPoint p;
    p.second = start;
    p.stats.key = key;
    p.stats.kind = MetricKind::Counter;
    p.stats.count = count;
    s.points = { p };
    return s;
}

constexpr qint64 kNow = 1'800'000'000 + 1800; // half past an hour
} // namespace

class TestHistoryLoader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Each kind of answer has its own ids: a newer history request makes the older answer stale, but a reference or
    // markers answer in between is still taken.
    void lateAnswersAreDroppedPerKind()
    {
        FakeRangeSource source;
        HistoryLoader loader;
        loader.setClock([]() { return kNow; });
        loader.setSource(&source);
        QSignalSpy history(&loader, &HistoryLoader::historyReady);
        QSignalSpy markers(&loader, &HistoryLoader::markersReady);
        QVERIFY(loader.requestHistory({ u"a"_s }, kNow - 600, kNow, 1));
        QVERIFY(source.buckets.constLast().keys.contains(Coverage::heartbeatKey()));
        const quint64 first = source.buckets.constLast().id;
        loader.requestMarkers(kNow - 600, kNow);
        QVERIFY(loader.requestHistory({ u"a"_s }, kNow - 300, kNow, 1));
        const quint64 second = source.buckets.constLast().id;
        QVERIFY(loader.isHistoryPending());
        Q_EMIT source.bucketsReady(first, { counterBucket(u"a"_s, kNow - 600, 1, 1) });
        QCOMPARE(history.size(), 0);
        QCOMPARE(loader.staleAnswersDropped(), 1);
        Q_EMIT source.markersReady(source.markers.constLast().id, {});
        QCOMPARE(markers.size(), 1);
        Q_EMIT source.bucketsReady(second, { counterBucket(u"a"_s, kNow - 300, 1, 1) });
        QCOMPARE(history.size(), 1);
        QVERIFY(!loader.isHistoryPending());
        // An answer is taken once; a cancelled request's answer is dropped.
        Q_EMIT source.bucketsReady(second, {});
        QCOMPARE(history.size(), 1);
        QVERIFY(loader.requestHistory({ u"a"_s }, kNow - 300, kNow, 1));
        loader.cancelHistory();
        Q_EMIT source.bucketsReady(source.buckets.constLast().id, {});
        QCOMPARE(history.size(), 1);
    }

    // The previous hour first; with nothing stored there, the previous quarter hour; figures from Kpi over the
    // period's covered seconds.
    void theReferenceFallsBackToTheQuarterHour()
    {
        FakeRangeSource source;
        HistoryLoader loader;
        loader.setClock([]() { return kNow; });
        loader.setSource(&source);
        QSignalSpy reference(&loader, &HistoryLoader::referenceReady);
        SourceRoles roles
            = resolveRoles({ u"x.requests|status:ok"_s }, { { u"x.requests|status:ok"_s, MetricKind::Counter } });
        loader.requestReference(roles);
        const auto hour = source.buckets.constLast();
        QCOMPARE(hour.to, kNow / 3600 * 3600);
        QCOMPARE(hour.step, 3600);
        Q_EMIT source.bucketsReady(hour.id, {});
        QCOMPARE(reference.size(), 0);
        const auto quarter = source.buckets.constLast();
        QCOMPARE(quarter.step, 900);
        QCOMPARE(quarter.to, kNow / 900 * 900);
        RangeSeries beat = counterBucket(Coverage::heartbeatKey(), quarter.from, 900, 450);
        beat.points[0].stats.kind = MetricKind::Gauge;
        beat.points[0].stats.sum = 450;
        Q_EMIT source.bucketsReady(
            quarter.id, { counterBucket(u"x.requests|status:ok"_s, quarter.from, 900, 9000), beat });
        QCOMPARE(reference.size(), 1);
        const auto ref = reference.takeFirst().at(0).value<DashboardReference>();
        QVERIFY(ref.isValid());
        QCOMPARE(ref.figures.throughput.seconds, 450);
        QCOMPARE(ref.figures.throughput.value, 20.0); // 9000 over the 450 s the collector was up
    }
};

QTEST_GUILESS_MAIN(TestHistoryLoader)
#include "tst_historyloader.moc"
