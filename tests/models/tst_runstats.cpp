// SPDX-License-Identifier: GPL-3.0-or-later
// The Runs view's figures: per bucket and step, the exact p50/p95 of the runs that started in it.
#include "models/runstats.h"
#include "models/runtelemetry.h"
#include "runfixture.h"

#include <QTest>

#include <cmath>
#include <limits>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 kT0 = 1795464000; // 2026-11-23T20:00:00Z, a multiple of 60

const QStringList kSteps = RunFixture::stepNames();
using RunFixture::run;

} // namespace

class TestRunStats : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void quantileIsTheLowerRank_data()
    {
        QTest::addColumn<QVector<double>>("values");
        QTest::addColumn<double>("q");
        QTest::addColumn<double>("expected");
        QTest::newRow("none") << QVector<double> {} << 0.5 << 0.0;
        QTest::newRow("one") << QVector<double> { 7 } << 0.95 << 7.0;
        QTest::newRow("p50 of 4: rank 1") << QVector<double> { 4, 1, 3, 2 } << 0.5 << 2.0;
        QTest::newRow("p95 of 5: rank 3") << QVector<double> { 5, 1, 4, 2, 3 } << 0.95 << 4.0;
        QTest::newRow("p95 of 21: rank 19") << [] {
            QVector<double> v;
            for (int i = 21; i >= 1; --i)
                v.push_back(i);
            return v;
        }() << 0.95 << 20.0;
        QTest::newRow("max") << QVector<double> { 1, 9, 3 } << 1.0 << 9.0;
    }
    void quantileIsTheLowerRank()
    {
        QFETCH(QVector<double>, values);
        QFETCH(double, q);
        QFETCH(double, expected);
        QCOMPARE(RunStats::quantile(values, q), expected);
    }

    void perBucketAndStep()
    {
        // Bucket 0 (60 s): three runs; bucket 1: none; bucket 2: one failed run. A run outside the range is left out.
        const QVector<RunRecord> runs = {
            run(kT0 + 1, { 0.1, 0.2, 0.3, 0.4, 0.5 }),
            run(kT0 + 20, { 0.3, 0.2, 0.1, 1.0, 0.5 }),
            run(kT0 + 59.9, { 0.2, 0.4, 0.2, 0.7, 0.1 }),
            run(kT0 + 125, { 1, 2, 3, 4, 5 }, false),
            run(kT0 + 180, { 9, 9, 9, 9, 9 }),
            run(kT0 - 1, { 9, 9, 9, 9, 9 }),
        };
        const RunStats stats = RunStats::compute(runs, kT0, kT0 + 180, 60);
        QCOMPARE(stats.bucketSeconds, qint64(60));
        QCOMPARE(stats.steps, kSteps);
        QCOMPARE(stats.buckets.size(), 3);
        QCOMPARE(stats.buckets[0].start, kT0);
        QCOMPARE(stats.buckets[1].start, kT0 + 60);
        QCOMPARE(stats.buckets[2].start, kT0 + 120);

        const RunBucket &b0 = stats.buckets[0];
        QCOMPARE(b0.runs, 3);
        QCOMPARE(b0.failed, 0);
        // p50 of three values is the middle one (rank 1), p95 the second largest (rank floor(0.95 * 2) = 1).
        QCOMPARE(b0.stepP50, (QVector<double> { 0.2, 0.2, 0.2, 0.7, 0.5 }));
        QCOMPARE(b0.stepP95, (QVector<double> { 0.2, 0.2, 0.2, 0.7, 0.5 }));
        QCOMPARE(b0.durationP50, runs[2].executionS); // durations 1.5, 2.1, 1.6
        QVERIFY(std::abs(b0.durationP50 - 1.6) < 1e-6);
        QCOMPARE(b0.durationP95, runs[2].executionS);

        const RunBucket &b1 = stats.buckets[1];
        QCOMPARE(b1.runs, 0);
        QCOMPARE(b1.stepP50, (QVector<double> { 0, 0, 0, 0, 0 }));
        QCOMPARE(b1.durationP95, 0.0);

        const RunBucket &b2 = stats.buckets[2];
        QCOMPARE(b2.runs, 1);
        QCOMPARE(b2.failed, 1);
        QCOMPARE(b2.stepP50, (QVector<double> { 1, 2, 3, 4, 5 }));
        QCOMPARE(b2.stepP95, (QVector<double> { 1, 2, 3, 4, 5 }));
        QCOMPARE(b2.durationP95, 15.0);
    }

    void p95DiffersFromP50OnManyRuns()
    {
        // 20 runs in one bucket, predict taking 1 … 20 s: p50 is rank 9 (10 s), p95 rank 18 (19 s).
        QVector<RunRecord> runs;
        for (int i = 1; i <= 20; ++i)
            runs.push_back(run(kT0 + i, { 0.5, 0.5, 0.5, double(i), 0.5 }));
        const RunStats stats = RunStats::compute(runs, kT0, kT0 + 60, 60);
        QCOMPARE(stats.buckets.size(), 1);
        QCOMPARE(stats.buckets[0].stepP50[3], 10.0);
        QCOMPARE(stats.buckets[0].stepP95[3], 19.0);
        QCOMPARE(stats.buckets[0].stepP50[0], 0.5);
        QCOMPARE(stats.buckets[0].durationP50, 12.0);
        QCOMPARE(stats.buckets[0].durationP95, 21.0);
    }

    void stepsInTheOrderRunsTakeThem()
    {
        // The first run sends its steps out of order, the second lacks one and adds another; a missing elapsed time
        // (NaN, as storage reads a NULL) counts as no value. p95 of two values is the lower one (rank 0).
        RunRecord a = run(kT0, { 1, 1, 1, 1, 1 });
        std::swap(a.steps[0], a.steps[4]);
        RunRecord b = run(kT0 + 1, { 2, 2 });
        b.steps.push_back({ u"cleanup"_s, kT0 + 30.0, std::numeric_limits<double>::quiet_NaN() });
        const RunStats stats = RunStats::compute({ a, b }, kT0, kT0 + 60, 60);
        QCOMPARE(stats.steps, kSteps + QStringList { u"cleanup"_s });
        QCOMPARE(stats.buckets[0].stepP95, (QVector<double> { 1, 1, 1, 1, 1, 0 }));
    }

    void bucketsAreAlignedToTheirLength()
    {
        const RunStats stats = RunStats::compute({}, kT0 + 45, kT0 + 125, 30);
        QCOMPARE(stats.buckets.size(), 4); // [30, 60) … [120, 150): the first and last are partial
        QCOMPARE(stats.buckets.front().start, kT0 + 30);
        QCOMPARE(stats.buckets.back().start, kT0 + 120);
    }

    void bucketLengthForASpan_data()
    {
        QTest::addColumn<qint64>("span");
        QTest::addColumn<qint64>("expected");
        QTest::newRow("5 min") << qint64(300) << qint64(10);
        QTest::newRow("15 min") << qint64(900) << qint64(30);
        QTest::newRow("1 h") << qint64(3600) << qint64(120);
        QTest::newRow("24 h") << qint64(86400) << qint64(3600);
        QTest::newRow("1 y") << qint64(365 * 86400) << qint64(7 * 86400);
    }
    void bucketLengthForASpan()
    {
        QFETCH(qint64, span);
        QFETCH(qint64, expected);
        QCOMPARE(RunStats::bucketSecondsFor(span), expected);
    }

    void sourcesOfARunAsOfItsSeries()
    {
        RunRecord r = run(kT0, { 1 });
        QCOMPARE(sourcesOfRun(r), (QVector<SourceRef> { { SourceRef::Kind::Other, u"run"_s } })); // stored untagged
        r.tags = QStringList { u"model:m1"_s, u"service:api"_s, u"tenant:a"_s };
        QCOMPARE(sourcesOfRun(r),
            (QVector<SourceRef> { { SourceRef::Kind::Service, u"api"_s }, { SourceRef::Kind::Model, u"m1"_s } }));
    }

    void breakdownOfARun()
    {
        RunRecord r = run(kT0 + 0.5, { 0.1, 0.2, 0.3, 0.3, 0.1 });
        std::swap(r.steps[1], r.steps[3]); // stored out of order
        const QVector<RunStepShare> steps = runBreakdown(r);
        QCOMPARE(steps.size(), 5);
        QCOMPARE(steps[0].name, u"load_data"_s);
        QCOMPARE(steps[0].offsetS, 0.0);
        QCOMPARE(steps[1].name, u"load_model"_s);
        QVERIFY(std::abs(steps[1].offsetS - 0.1) < 1e-6);
        QVERIFY(std::abs(steps[1].share - 0.2) < 1e-6);
        QCOMPARE(steps[3].name, u"predict"_s);
        QVERIFY(std::abs(steps[3].offsetS - 0.6) < 1e-6);
        QVERIFY(std::abs(steps[3].share - 0.3) < 1e-6);
        r.executionS = 0;
        QCOMPARE(runBreakdown(r)[2].share, 0.0);
        r.steps[2].success = false;
        QVERIFY(!runBreakdown(r)[2].success);
        QVERIFY(runBreakdown(r)[1].success);
    }

    // A run's samples as a table: a column per member any sample has, by name; a gap where a sample has none.
    void telemetryBecomesATable()
    {
        const QByteArray json
            = R"([{"timestamp":"2026-12-06T10:00:00.000+01:00","ts":1796547600,"rss_mb":812.5,"threads":18},)"
              R"({"ts":1796547601.5,"rss_mb":1630,"phase":"fit","ok":true,"gpu":null}])";
        const RunTelemetry t = RunTelemetry::fromJson(json, 7);
        QCOMPARE(t.columns, (QStringList { u"gpu"_s, u"ok"_s, u"phase"_s, u"rss_mb"_s, u"threads"_s }));
        QCOMPARE(t.samples.size(), 2);
        QCOMPARE(t.dropped, qint64(7));
        QCOMPARE(t.samples[0].ts, 1796547600.0);
        QCOMPARE(t.samples[0].timestamp, u"2026-12-06T10:00:00.000+01:00"_s);
        QCOMPARE(t.samples[0].values.size(), 5);
        QVERIFY(!t.samples[0].values[2].isValid()); // no phase in the first sample
        QCOMPARE(t.samples[0].values[3].toDouble(), 812.5);
        QCOMPARE(t.samples[0].values[4].toInt(), 18);
        QCOMPARE(t.samples[1].ts, 1796547601.5);
        QVERIFY(t.samples[1].timestamp.isEmpty());
        QVERIFY(!t.samples[1].values[0].isValid()); // null is no value
        QCOMPARE(t.samples[1].values[1].toBool(), true);
        QCOMPARE(t.samples[1].values[2].toString(), u"fit"_s);
        QVERIFY(!t.samples[1].values[4].isValid());
        QVERIFY(RunTelemetry::fromJson({}, std::nullopt).isEmpty());
        QCOMPARE(RunTelemetry::fromJson("not json", 2).dropped, qint64(2));
        QVERIFY(RunTelemetry::fromJson("not json", 2).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestRunStats)
#include "tst_runstats.moc"
