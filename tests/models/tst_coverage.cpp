// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/coverage.h"

#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 kHour0 = 1795464000; // 2026-11-23T20:00:00Z

// The heartbeat as storage reads it at a step: one point per bucket, its count the samples (seconds up) in it.
QVector<SeriesPoint> heartbeat(const QList<qint64> &upSeconds, qint64 step)
{
    std::map<qint64, qint64> buckets;
    for (qint64 s : upSeconds)
        ++buckets[s - ((s % step) + step) % step];
    QVector<SeriesPoint> out;
    for (const auto &[start, count] : buckets) {
        SeriesPoint p;
        p.second = start;
        p.stats.key = Coverage::heartbeatKey();
        p.stats.kind = MetricKind::Gauge;
        p.stats.count = count;
        out.push_back(p);
    }
    return out;
}

QList<qint64> range(qint64 from, qint64 to)
{
    QList<qint64> out;
    for (qint64 s = from; s < to; ++s)
        out.push_back(s);
    return out;
}

} // namespace

class TestCoverage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aHostsSeriesAreCoveredByItsOwnHeartbeat()
    {
        // A fleet grouped by host: one host's series by that host's heartbeat; anything else by the plain one.
        QCOMPARE(Coverage::heartbeatKeyFor({ u"lat|host:b,model:m1"_s, u"req|host:b,model:m1,status:ok"_s }),
            u"perfdash.ingest.live_series|host:b"_s);
        QCOMPARE(Coverage::heartbeatKeyFor({ u"lat|host:a,model:m1"_s, u"lat|host:b,model:m1"_s }),
            Coverage::heartbeatKey());
        QCOMPARE(Coverage::heartbeatKeyFor({ u"lat|host:a,model:m1"_s, u"lat|model:m1"_s }), Coverage::heartbeatKey());
        QCOMPARE(Coverage::heartbeatKeyFor({ u"lat|model:m1"_s }), Coverage::heartbeatKey());
        QCOMPARE(Coverage::heartbeatKeyFor({}), Coverage::heartbeatKey());
        QVERIFY(Coverage::isHeartbeat(u"perfdash.ingest.live_series|host:b"_s));
        QVERIFY(Coverage::isHeartbeat(Coverage::heartbeatKey()));
        QVERIFY(!Coverage::isHeartbeat(u"perfdash.ingest.live_series_x"_s));
    }

    void heartbeatKeyIsTheCollectorsGauge() { QCOMPARE(Coverage::heartbeatKey(), u"perfdash.ingest.live_series"_s); }

    void aHeartbeatEverySecondCoversEveryPassedSecond()
    {
        const auto c = Coverage::fromHeartbeat(
            heartbeat(range(kHour0, kHour0 + 180), 60), kHour0, kHour0 + 180, 60, kHour0 + 180);
        QCOMPARE(c.step(), 60);
        QCOMPARE(c.bucket(kHour0), 60);
        QCOMPARE(c.bucket(kHour0 + 120), 60);
        QVERIFY(c.isComplete(kHour0 + 120));
        QCOMPARE(c.seconds(kHour0, kHour0 + 180), 180);
        QCOMPARE(c.bucket(kHour0 + 180), -1); // not in the span
        QVERIFY(!c.isComplete(kHour0 + 180));
    }

    void withoutAHeartbeatEveryPassedSecondCounts()
    {
        // A database written by something else: nothing says when a collector was up.
        const auto c = Coverage::fromHeartbeat({}, kHour0, kHour0 + 3600, 60, kHour0 + 90);
        QCOMPARE(c.bucket(kHour0), 60);
        QCOMPARE(c.bucket(kHour0 + 60), 30);
        QCOMPARE(c.bucket(kHour0 + 120), 0); // has not begun
        QVERIFY(c.isComplete(kHour0));
        QVERIFY(!c.isComplete(kHour0 + 60));
        QCOMPARE(c.seconds(kHour0, kHour0 + 3600), 90);
        const auto same = Coverage::passed(kHour0, kHour0 + 3600, 60, kHour0 + 90);
        QCOMPARE(same.seconds(kHour0, kHour0 + 3600), 90);
        // A heartbeat outside the span does not count as one inside it.
        const auto outside
            = Coverage::fromHeartbeat(heartbeat({ kHour0 - 5 }, 60), kHour0, kHour0 + 120, 60, kHour0 + 120);
        QCOMPARE(outside.bucket(kHour0), 60);
    }

    void secondsTheCollectorWasDownAreNotCovered()
    {
        // Up for the first 20 s and the last 10 s of the minute; down in between; then down for a whole minute.
        const QList<qint64> up = range(kHour0, kHour0 + 20) + range(kHour0 + 50, kHour0 + 60);
        const auto c = Coverage::fromHeartbeat(heartbeat(up, 60), kHour0, kHour0 + 120, 60, kHour0 + 120);
        QCOMPARE(c.bucket(kHour0), 30);
        QCOMPARE(c.bucket(kHour0 + 60), 0);
        QVERIFY(c.isComplete(kHour0 + 60)); // passed, though nobody saw it
        const auto seconds = Coverage::fromHeartbeat(heartbeat(up, 1), kHour0, kHour0 + 60, 1, kHour0 + 60);
        QCOMPARE(seconds.bucket(kHour0 + 19), 1);
        QCOMPARE(seconds.bucket(kHour0 + 20), 0);
        QCOMPARE(seconds.seconds(kHour0, kHour0 + 60), 30);
    }

    void thePartialLastBucketCountsOnlyThePassedSeconds()
    {
        // The 100 req/s case: 24 min into the hour, an hour bucket covers 1440 s, not 3600.
        const auto c = Coverage::fromHeartbeat(
            heartbeat(range(kHour0, kHour0 + 1440), 3600), kHour0, kHour0 + 3600, 3600, kHour0 + 1440);
        QCOMPARE(c.bucket(kHour0), 1440);
        QVERIFY(!c.isComplete(kHour0));
        QCOMPARE(144000.0 / double(c.bucket(kHour0)), 100.0);
        // More samples than passed seconds (two in one second, a clock step) never cover more than has passed.
        QList<qint64> doubled = range(kHour0, kHour0 + 10);
        doubled += range(kHour0, kHour0 + 10);
        const auto clipped = Coverage::fromHeartbeat(heartbeat(doubled, 60), kHour0, kHour0 + 60, 60, kHour0 + 10);
        QCOMPARE(clipped.bucket(kHour0), 10);
    }

    void aLateTickCountsForTheSecondItMissed()
    {
        // Ticks at x.05 s; one runs late, past the next boundary: second 3 has no sample, second 4 has two.
        QList<qint64> up = range(kHour0, kHour0 + 10);
        up.removeOne(kHour0 + 3);
        up.push_back(kHour0 + 4);
        const auto seconds = Coverage::fromHeartbeat(heartbeat(up, 1), kHour0, kHour0 + 10, 1, kHour0 + 10);
        for (qint64 s = kHour0; s < kHour0 + 10; ++s)
            QCOMPARE(seconds.bucket(s), 1);
        // An early one, the other way round; and across a minute boundary (59 and 61 samples).
        QList<qint64> early = range(kHour0, kHour0 + 10);
        early.removeOne(kHour0 + 6);
        early.push_back(kHour0 + 5);
        QCOMPARE(Coverage::fromHeartbeat(heartbeat(early, 1), kHour0, kHour0 + 10, 1, kHour0 + 10)
                     .seconds(kHour0, kHour0 + 10),
            10);
        QList<qint64> boundary = range(kHour0, kHour0 + 120);
        boundary.removeOne(kHour0 + 59);
        boundary.push_back(kHour0 + 60);
        const auto minutes = Coverage::fromHeartbeat(heartbeat(boundary, 60), kHour0, kHour0 + 120, 60, kHour0 + 120);
        QCOMPARE(minutes.bucket(kHour0), 60);
        QCOMPARE(minutes.bucket(kHour0 + 60), 60);
        // A second sample never covers a second that has not passed, nor one where the collector was down long.
        QList<qint64> down = range(kHour0, kHour0 + 5) + QList<qint64> { kHour0 + 4 };
        const auto gap = Coverage::fromHeartbeat(heartbeat(down, 1), kHour0, kHour0 + 10, 1, kHour0 + 6);
        QCOMPARE(gap.seconds(kHour0, kHour0 + 10), 6); // 0..4 and the extra sample's neighbour 5, not 6..9
        QCOMPARE(gap.bucket(kHour0 + 6), 0);
    }

    void stepsOfMinutesHoursAndDays_data()
    {
        QTest::addColumn<qint64>("step");
        QTest::addColumn<qint64>("from");
        QTest::addColumn<qint64>("firstBucket");
        QTest::addColumn<int>("buckets");
        QTest::newRow("1 s") << qint64(1) << kHour0 + 7 << kHour0 + 7 << 3 * 3600 - 7;
        QTest::newRow("1 min, from inside a minute") << qint64(60) << kHour0 + 30 << kHour0 << 180;
        QTest::newRow("1 h") << qint64(3600) << kHour0 << kHour0 << 3;
        QTest::newRow("1 d") << qint64(86400) << kHour0 << kHour0 - 20 * 3600 << 1;
    }
    void stepsOfMinutesHoursAndDays()
    {
        QFETCH(qint64, step);
        QFETCH(qint64, from);
        QFETCH(qint64, firstBucket);
        QFETCH(int, buckets);
        // The collector up from kHour0 on, the clock at kHour0 + 2 h 30 min; span to kHour0 + 3 h.
        const qint64 now = kHour0 + 9000;
        const auto c = Coverage::fromHeartbeat(heartbeat(range(kHour0, now), step), from, kHour0 + 3 * 3600, step, now);
        QCOMPARE(c.bucket(firstBucket - step), -1);
        QVERIFY(c.bucket(firstBucket) >= 0);
        int n = 0;
        for (qint64 b = firstBucket; b < kHour0 + 3 * 3600; b += step, ++n) {
            const qint64 expected = std::clamp<qint64>(std::min(now, b + step) - std::max(kHour0, b), 0, step);
            QCOMPARE(c.bucket(b), expected);
            QCOMPARE(c.isComplete(b), b + step <= now);
        }
        QCOMPARE(n, buckets);
        QCOMPARE(c.seconds(firstBucket, kHour0 + 3 * 3600), now - std::max(kHour0, firstBucket));
    }
};

QTEST_GUILESS_MAIN(TestCoverage)
#include "tst_coverage.moc"
