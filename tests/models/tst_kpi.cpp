// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/kpi.h"
#include "models/serieskey.h"
#include "pointfixture.h"

#include <QTest>

#include <random>

using namespace perfdash;
using perfdash::test::Fixture;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 t0 = 1'700'000'000; // unix seconds, 2023-11-14

} // namespace

class TestKpi : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // The Python example: 3 runs/s, each run records 3 operations; 4 of 30 runs failed. Runs are the requests; the
    // operations are not added (the old sum showed 9.00/s and 8.89 %).
    void runsAndOpsAreNotAdded()
    {
        Fixture f;
        int failed = 0;
        for (qint64 s = 0; s < 10; ++s) {
            const int fail = (s == 2 || s == 5 || s == 7 || s == 9) ? 1 : 0;
            failed += fail;
            f.counter(u"run.count|model:m1,status:ok,workflow:w"_s, t0 + s, 3 - fail);
            if (fail)
                f.counter(u"run.count|model:m1,status:error,workflow:w"_s, t0 + s, fail);
            f.counter(u"op.requests|model:m1,op:load,status:ok"_s, t0 + s, 9);
            f.timer(u"run.duration|model:m1,workflow:w"_s, t0 + s, { 10, 12, 14 });
            f.timer(u"op.elapsed|model:m1,op:load"_s, t0 + s, { 1, 2, 3, 4, 5, 6, 7, 8, 9 });
        }
        const SourceRoles roles = f.roles();
        QCOMPARE(roles.requestKind, RequestKind::Runs);
        QCOMPARE(roles.latency, u"run.duration|model:m1,workflow:w"_s);
        const Coverage coverage = Coverage::passed(t0, t0 + 10, 1, t0 + 10);
        const Kpi::Rate rate = Kpi::throughput(f.lookup(), roles, coverage, t0, t0 + 10);
        QCOMPARE(rate.count, 30.0);
        QCOMPARE(rate.seconds, 10);
        QCOMPARE(rate.value, 3.0);
        const Kpi::Ratio errors = Kpi::errorRate(f.lookup(), roles, t0, t0 + 10);
        QCOMPARE(errors.part, 4.0);
        QCOMPARE(errors.whole, 30.0);
        QVERIFY(qAbs(errors.value - 4.0 / 30.0) < 1e-12);
        QCOMPARE(failed, 4);
    }

    // A service that sends its own request counters next to op records: 60 requests/s from the counters, never the
    // op records' 1/s; its errors are the status:5xx ones.
    void countersAndOpsAreNotAdded()
    {
        Fixture f;
        for (qint64 s = 0; s < 10; ++s) {
            f.counter(u"serve.requests|service:api,status:200"_s, t0 + s, 57);
            f.counter(u"serve.requests|service:api,status:503"_s, t0 + s, 3);
            f.counter(u"op.requests|op:reindex,service:api,status:ok"_s, t0 + s, 1);
        }
        const SourceRoles roles = f.roles();
        QCOMPARE(roles.requestKind, RequestKind::Counters);
        QCOMPARE(roles.requests.size(), 2);
        QCOMPARE(roles.errors, QStringList { u"serve.requests|service:api,status:503"_s });
        const Kpi::Rate rate
            = Kpi::throughput(f.lookup(), roles, Coverage::passed(t0, t0 + 10, 1, t0 + 10), t0, t0 + 10);
        QCOMPARE(rate.value, 60.0);
        QCOMPARE(Kpi::errorRate(f.lookup(), roles, t0, t0 + 10).value, 0.05);
    }

    void requestKindOrder_data()
    {
        QTest::addColumn<QStringList>("counters");
        QTest::addColumn<bool>("timer");
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("errorSeries");
        QTest::newRow("runs beat predictions and counters")
            << QStringList { u"run.count|status:ok"_s, u"prediction.count|model:m"_s, u"x.requests|status:ok"_s }
            << true << int(RequestKind::Runs) << 0;
        QTest::newRow("predictions beat counters")
            << QStringList { u"prediction.count|model:m"_s, u"x.requests|status:error"_s } << true
            << int(RequestKind::Predictions) << 0;
        QTest::newRow("status counters: error, failed, 5xx, error_type") << QStringList { u"x.requests|status:ok"_s,
            u"x.requests|status:error"_s, u"x.requests|status:failed"_s, u"x.requests|status:500"_s,
            u"x.requests|status:5xx"_s, u"x.requests|error_type:timeout"_s, u"x.requests|status:404"_s }
                                                                         << true << int(RequestKind::Counters) << 5;
        QTest::newRow("plain counter and an error counter")
            << QStringList { u"x.requests"_s, u"x.errors"_s } << true << int(RequestKind::Counters) << 1;
        QTest::newRow("the timer's count")
            << QStringList { u"op.requests|status:ok"_s } << true << int(RequestKind::TimerCount) << 0;
        QTest::newRow("an error-named counter is a failure, not a request")
            << QStringList { u"http.requests"_s, u"http.request_errors"_s, u"http.requests_failed"_s } << true
            << int(RequestKind::Counters) << 2;
        QTest::newRow("a plain total next to tagged failures")
            << QStringList { u"api.requests"_s, u"api.requests|error_type:timeout"_s } << true
            << int(RequestKind::Counters) << 1;
        QTest::newRow("nothing") << QStringList { u"op.requests|status:ok"_s } << false << int(RequestKind::None) << 0;
    }
    void requestKindOrder()
    {
        QFETCH(QStringList, counters);
        QFETCH(bool, timer);
        QFETCH(int, kind);
        QFETCH(int, errorSeries);
        Fixture f;
        for (const QString &c : counters)
            f.counter(c, t0, 1);
        if (timer)
            f.timer(u"api.latency"_s, t0, { 1, 2 });
        const SourceRoles roles = f.roles();
        QCOMPARE(int(roles.requestKind), kind);
        QCOMPARE(roles.errors.size(), errorSeries);
        if (roles.requestKind == RequestKind::TimerCount)
            QCOMPARE(roles.requests, QStringList { u"api.latency"_s });
        for (const QString &e : roles.errors)
            QVERIFY2(!roles.requests.contains(e) || isErrorSeries(e), qPrintable(e));
        if (counters.contains(u"api.requests"_s))
            QCOMPARE(roles.requests, QStringList { u"api.requests"_s });
        QVERIFY(!requestKindName(RequestKind(kind)).isEmpty());
    }

    // A steady 100 req/s service in a 1 min bucket that is 10 s old: 100/s over the covered seconds, not 16.7/s.
    void partialBucketDividesByCoveredSeconds()
    {
        const qint64 minute = t0 / 60 * 60;
        Fixture f;
        f.counter(u"api.requests"_s, minute, 100 * 10);
        const SourceRoles roles = f.roles();
        const Coverage coverage = Coverage::passed(minute, minute + 60, 60, minute + 10);
        QVERIFY(!coverage.isComplete(minute));
        const Kpi::Rate rate = Kpi::throughput(f.lookup(), roles, coverage, minute, minute + 60);
        QCOMPARE(rate.seconds, 10);
        QCOMPARE(rate.value, 100.0);
    }

    // Seconds the collector was down do not dilute a rate: the heartbeat says which seconds were covered.
    void collectorDowntimeIsNotCovered()
    {
        const qint64 minute = t0 / 60 * 60;
        Fixture f;
        for (qint64 s = 0; s < 60; ++s) {
            if (s >= 20 && s < 50)
                continue; // collector down
            f.gauge(Coverage::heartbeatKey(), minute + s, 3);
            f.counter(u"api.requests"_s, minute + s, 100);
        }
        const Coverage coverage
            = Coverage::fromHeartbeat(f.points(Coverage::heartbeatKey()), minute, minute + 60, 1, minute + 60);
        QCOMPARE(coverage.seconds(minute, minute + 60), 30);
        const Kpi::Rate rate = Kpi::throughput(f.lookup(), f.roles(), coverage, minute, minute + 60);
        QCOMPARE(rate.value, 100.0);
    }

    // The headline p95 merges the last 10 s; with few values per second it widens until n is enough, and it equals
    // the p95 of all the values it covers (within the sketch's error), not a mean of per-second p95s.
    // A server's live points are buckets of its push interval: the tiles take the newest complete one that has data.
    void newestBucketWindowTakesTheNewestPushedBucket()
    {
        Fixture f;
        const qint64 t0 = 1795464000; // a multiple of 10
        f.counter(u"req|model:m"_s, t0, 500);
        f.counter(u"req|model:m"_s, t0 + 10, 480);
        f.counter(u"req|model:m"_s, t0 + 20, 0); // a bucket nothing was pushed in is no data
        const QStringList keys { u"req|model:m"_s };
        Kpi::Window w = Kpi::newestBucketWindow(f.lookup(), keys, 10, t0 + 35);
        QCOMPARE(w.from, t0 + 10);
        QCOMPARE(w.to, t0 + 20);
        w = Kpi::newestBucketWindow(f.lookup(), keys, 10, t0 + 15); // t0 + 10 has not ended yet
        QCOMPARE(w.from, t0);
        w = Kpi::newestBucketWindow(f.lookup(), { u"other"_s }, 10, t0 + 15); // nothing: the last ended bucket
        QCOMPARE(w.from, t0);
        QCOMPARE(w.seconds(), 10);
    }

    void headlineMergesAndWidens()
    {
        Fixture f;
        std::mt19937 rng(7);
        std::lognormal_distribution<double> dist(3.0, 0.6);
        QVector<double> all;
        for (qint64 s = 0; s < 120; ++s) {
            QVector<double> values;
            for (int i = 0; i < 5; ++i)
                values << dist(rng);
            f.timer(u"api.latency"_s, t0 + s, values);
            if (s >= 120 - 40)
                all += values;
        }
        const Kpi::Latency l = Kpi::headlineLatency(f.points(u"api.latency"_s), t0 + 120);
        QVERIFY(l.merged);
        QCOMPARE(l.to, t0 + 120);
        QCOMPARE(l.from, t0 + 120 - 40); // 10 s: n = 50; 20 s: 100; 40 s: 200
        QCOMPARE(l.n, quint64(200));
        QVERIFY(l.p95.meaningful);
        std::sort(all.begin(), all.end());
        const double exact = all[qsizetype(std::floor(0.95 * double(all.size() - 1)))];
        QVERIFY2(qAbs(l.p95.value - exact) <= exact * 0.0101, qPrintable(u"%1 vs %2"_s.arg(l.p95.value).arg(exact)));
    }

    // Without sketches (points from an old collector) quantiles are never averaged: the newest bucket stands alone.
    void withoutSketchesTheNewestBucketStandsAlone()
    {
        Fixture f;
        f.timer(u"api.latency"_s, t0, { 1, 2, 3 }, false);
        f.timer(u"api.latency"_s, t0 + 1, { 100, 200, 300 }, false);
        const Kpi::Latency l = Kpi::latency(f.points(u"api.latency"_s), t0, t0 + 2);
        QVERIFY(!l.merged);
        QCOMPARE(l.n, quint64(3));
        QCOMPARE(l.from, t0 + 1);
        QVERIFY(l.p50.value > 150 && l.p50.value < 250);
    }

    // A view that began following a series a few seconds ago: the seconds with sketches merge, and say from when.
    void mergesTheNewestSecondsThatHaveSketches()
    {
        Fixture f;
        f.timer(u"api.latency"_s, t0, { 1000, 1000 }, false);
        for (qint64 s = 1; s <= 4; ++s)
            f.timer(u"api.latency"_s, t0 + s, { 1, 2, 3, 4, 5 });
        const Kpi::Latency l = Kpi::latency(f.points(u"api.latency"_s), t0, t0 + 5);
        QVERIFY(l.merged);
        QCOMPARE(l.n, quint64(20));
        QCOMPARE(l.from, t0 + 1);
        QVERIFY(l.p99.value < 10);
    }

    // At 50 values a second, a p99 line merges two seconds per point instead of switching to a dashed line.
    void rollingQuantileMergesUntilEnough()
    {
        Fixture f;
        for (qint64 s = 0; s < 10; ++s) {
            QVector<double> values;
            for (int i = 0; i < 50; ++i)
                values << double(i + 1);
            f.timer(u"api.latency"_s, t0 + s, values);
        }
        const auto line = Kpi::rollingQuantile(f.points(u"api.latency"_s), 0.99, t0, t0 + 10, 60);
        QCOMPARE(line.size(), 10);
        QVERIFY(!line[0].estimate.meaningful); // nothing before the first second to merge with
        for (int i = 1; i < 10; ++i) {
            QVERIFY(line[i].estimate.meaningful);
            QCOMPARE(line[i].buckets, 2);
            QCOMPARE(line[i].estimate.n, quint64(100));
        }
    }

    // A source with only op records has no requests: its op.elapsed is not a request count.
    void opsAloneAreNoRequests()
    {
        Fixture f;
        f.timer(u"op.elapsed|op:load"_s, t0, { 1, 2 });
        f.counter(u"op.requests|op:load,status:ok"_s, t0, 2);
        QCOMPARE(f.roles().requestKind, RequestKind::None);
        QVERIFY(f.roles().requests.isEmpty());
    }

    // A rare series: the headline widens over an empty 10 s instead of flapping to "no data".
    void theHeadlineWidensOverEmptySeconds()
    {
        Fixture f;
        for (qint64 s = 0; s < 300; s += 15)
            f.timer(u"api.latency"_s, t0 + s, { 10, 20, 30 });
        const Kpi::Latency l = Kpi::headlineLatency(f.points(u"api.latency"_s), t0 + 302);
        QVERIFY(l.hasData());
        QVERIFY(l.to - l.from > Kpi::kRecentSeconds);
    }

    void gaugesAndRatios()
    {
        Fixture f;
        f.gauge(u"worker.queue_depth|model:m"_s, t0, 4);
        f.gauge(u"worker.queue_depth|model:m"_s, t0 + 1, 8);
        // accuracy weighted by scored predictions: 90 of 100, then 1 of 10 -> 91/110
        f.gauge(u"prediction.accuracy|model:m"_s, t0, 0.9, 100);
        f.gauge(u"prediction.accuracy|model:m"_s, t0 + 1, 0.1, 10);
        f.counter(u"op.cache_hits|model:m"_s, t0, 30);
        f.counter(u"op.api_calls|model:m"_s, t0, 10);
        const SourceRoles roles = f.roles();
        QCOMPARE(Kpi::queueDepth(f.lookup(), roles, t0, t0 + 2).value, 6.0);
        QVERIFY(qAbs(Kpi::accuracy(f.lookup(), roles, t0, t0 + 2).value - 91.0 / 110.0) < 1e-12);
        QCOMPARE(Kpi::cacheHitRate(f.lookup(), roles, t0, t0 + 2).value, 0.75);
        // No data in a window: NaN, never a stale value.
        QVERIFY(std::isnan(Kpi::queueDepth(f.lookup(), roles, t0 + 10, t0 + 20).value));
        QCOMPARE(Kpi::newestSecond(f.lookup(), { roles.queue }), t0 + 1);
    }

    void producerAccuracyInPercent()
    {
        Fixture f;
        f.gauge(u"quality.accuracy|model:m"_s, t0, 92);
        QCOMPARE(Kpi::accuracy(f.lookup(), f.roles(), t0, t0 + 1).value, 0.92);
    }

    void noFailureCountMeansNoErrorRate()
    {
        Fixture f;
        f.counter(u"prediction.count|model:m"_s, t0, 10);
        const SourceRoles roles = f.roles();
        QVERIFY(!roles.failuresCounted);
        QVERIFY(std::isnan(Kpi::errorRate(f.lookup(), roles, t0, t0 + 1).value));
        // predictions tagged with their status count failures
        Fixture p;
        p.counter(u"prediction.count|model:m,status:ok"_s, t0, 98);
        p.counter(u"prediction.count|model:m,status:error"_s, t0, 2);
        QVERIFY(p.roles().failuresCounted);
        QCOMPARE(Kpi::errorRate(p.lookup(), p.roles(), t0, t0 + 1).value, 0.02);
        // runs with no failure yet: 0 %, not unknown
        Fixture g;
        g.counter(u"run.count|status:ok"_s, t0, 10);
        QCOMPARE(Kpi::errorRate(g.lookup(), g.roles(), t0, t0 + 1).value, 0.0);
    }
};

QTEST_GUILESS_MAIN(TestKpi)
#include "tst_kpi.moc"
