// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/aggregator.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {
const SeriesStats *find(const LiveFrame &frame, const QString &key)
{
    for (const auto &s : frame.series) {
        if (s.key == key)
            return &s;
    }
    return nullptr;
}
constexpr qint64 t0 = 1'700'000'000'000; // a whole second, in ms
} // namespace

class TestAggregator : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void timersGiveSketchQuantiles()
    {
        Aggregator agg;
        for (int v = 1; v <= 100; ++v)
            agg.add(u"lat"_s, MetricKind::Timer, double(v), t0 + v);
        const auto frames = agg.closeAll();
        QCOMPARE(frames.size(), 1);
        QCOMPARE(frames[0].second, t0 / 1000);
        QVERIFY(!frames[0].provisional);
        const auto *s = find(frames[0], u"lat"_s);
        QVERIFY(s);
        // count, sum, min and max stay exact.
        QCOMPARE(s->count, 100);
        QCOMPARE(s->sum, 5050.0);
        QCOMPARE(s->min, 1.0);
        QCOMPARE(s->max, 100.0);
        QCOMPARE(s->mean(), 50.5);
        QCOMPARE(s->rate, 100.0);
        // Quantiles are within the sketch's relative error of rank floor(q * (n - 1)) of 1..100.
        const double alpha = QuantileSketch::kDefaultRelativeAccuracy;
        QCOMPARE(s->quantileError, alpha);
        const std::pair<double, double> expected[]
            = { { s->p50, 50 }, { s->p90, 90 }, { s->p95, 95 }, { s->p99, 99 }, { s->p999, 99 } };
        for (const auto &[estimate, exact] : expected)
            QVERIFY2(std::fabs(estimate - exact) <= alpha * exact, qPrintable(QString::number(estimate)));
        QVERIFY(s->isMeaningful(0.99));
        QVERIFY(!s->isMeaningful(0.999)); // 100 values say nothing about p999
        // The sketch travels with the stats, so storage can merge seconds into windows.
        const auto sketch = QuantileSketch::deserialize(s->sketch);
        QVERIFY(sketch);
        QCOMPARE(sketch->count(), quint64(100));
        QCOMPARE(sketch->quantile(0.99), s->p99);
    }

    void sketchQuantilesOnLongTail_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<quint64>("seed");
        QTest::newRow("10 values") << 10 << quint64(1);
        QTest::newRow("1000 values") << 1000 << quint64(2);
        QTest::newRow("20000 values") << 20000 << quint64(3);
    }
    void sketchQuantilesOnLongTail()
    {
        QFETCH(int, n);
        QFETCH(quint64, seed);
        std::mt19937_64 rng(seed);
        std::lognormal_distribution<double> latency(3.0, 1.5);
        std::vector<double> values(size_t(n), 0.0);
        Aggregator agg;
        for (double &v : values) {
            v = latency(rng);
            agg.add(u"lat"_s, MetricKind::Distribution, v, t0 + 10);
        }
        const auto frames = agg.closeAll();
        const auto *s = find(frames.value(0), u"lat"_s);
        QVERIFY(s);
        QCOMPARE(s->count, n);
        std::sort(values.begin(), values.end());
        QCOMPARE(s->min, values.front());
        QCOMPARE(s->max, values.back());
        const std::pair<double, double> quantiles[]
            = { { 0.5, s->p50 }, { 0.9, s->p90 }, { 0.95, s->p95 }, { 0.99, s->p99 }, { 0.999, s->p999 } };
        for (const auto &[q, estimate] : quantiles) {
            const double exact = values[size_t(std::floor(q * double(n - 1)))];
            QVERIFY2(std::fabs(estimate - exact) <= s->quantileError * exact + 1e-12,
                qPrintable(u"q %1: %2 vs %3"_s.arg(q).arg(estimate).arg(exact)));
        }
    }

    void countersScaleBySampleRate()
    {
        Aggregator agg;
        agg.add(u"req"_s, MetricKind::Counter, 1, t0, 0.1);
        agg.add(u"req"_s, MetricKind::Counter, 2, t0 + 10, 1.0);
        const auto frames = agg.closeAll();
        const auto *s = find(frames.value(0), u"req"_s);
        QVERIFY(s);
        QCOMPARE(s->count, 12);
        QCOMPARE(s->rate, 12.0);
        QVERIFY(std::isnan(s->p50));
    }

    void gaugesKeepLastMinMaxAndDeltas()
    {
        Aggregator agg;
        agg.addGaugeDelta(u"q"_s, -3, t0); // no value yet: a signed value sets
        agg.add(u"q"_s, MetricKind::Gauge, 10, t0 + 1);
        agg.addGaugeDelta(u"q"_s, 4, t0 + 2);
        auto frames = agg.closeAll();
        const auto *s = find(frames.value(0), u"q"_s);
        QVERIFY(s);
        QCOMPARE(s->last, 14.0);
        QCOMPARE(s->min, -3.0);
        QCOMPARE(s->max, 14.0);
        // The gauge's value survives into the next second for deltas.
        agg.addGaugeDelta(u"q"_s, -4, t0 + 1000);
        frames = agg.closeAll();
        QCOMPARE(find(frames.value(0), u"q"_s)->last, 10.0);
    }

    void setsCountUniqueMembers()
    {
        Aggregator agg;
        for (const char *member : { "alice", "bob", "alice", "carol", "bob" })
            agg.addSetMember(u"users"_s, QByteArrayView(member), t0 + 1);
        agg.addSetMember(u"users"_s, "dave", t0 + 1000); // the next second
        // A numeric member is its number: -0 and 0 are one member.
        agg.add(u"ids"_s, MetricKind::Set, 0.0, t0);
        agg.add(u"ids"_s, MetricKind::Set, -0.0, t0);
        agg.add(u"ids"_s, MetricKind::Set, 7, t0);
        const auto frames = agg.closeAll();
        QCOMPARE(frames.size(), 2);
        const auto *users = find(frames[0], u"users"_s);
        QVERIFY(users);
        QCOMPARE(users->kind, MetricKind::Set);
        QCOMPARE(users->count, 5);
        QCOMPARE(users->uniqueCount, 2 + 1);
        QCOMPARE(find(frames[0], u"ids"_s)->uniqueCount, 2);
        QCOMPARE(find(frames[1], u"users"_s)->uniqueCount, 1);
        QVERIFY(SeriesSummary::hashMember("alice") != SeriesSummary::hashMember("bob"));
        QCOMPARE(SeriesSummary::hashMember(""), SeriesSummary::hashMember(QByteArrayView()));
    }

    void graceDefaultsToTwoSecondsAndLateDataIsCounted()
    {
        Aggregator agg;
        QCOMPARE(agg.options().graceMs, 2000);
        agg.add(u"a"_s, MetricKind::Counter, 1, t0 + 500);
        QVERIFY(agg.closeDue(t0 + 1000).isEmpty());
        // 1.999 s after its second ended, a sample for it is still accepted.
        agg.add(u"a"_s, MetricKind::Counter, 1, t0 + 900);
        QVERIFY(agg.closeDue(t0 + 2999).isEmpty());
        QCOMPARE(agg.lateSamples(), quint64(0));
        const auto frames = agg.closeDue(t0 + 3000);
        QCOMPARE(frames.size(), 1);
        QCOMPARE(find(frames[0], u"a"_s)->count, 2);
        // After that it is late: counted, not merged, not reopening the second.
        agg.add(u"a"_s, MetricKind::Counter, 1, t0 + 999);
        agg.add(u"b"_s, MetricKind::Timer, 1, t0 + 1); // late for any kind
        QCOMPARE(agg.lateSamples(), quint64(2));
        QCOMPARE(agg.openBuckets(), 0);
    }

    void timestampedRecordLandsInItsOwnSecond()
    {
        Aggregator agg;
        // Arrival order is not time order: each record goes to the second of its own timestamp.
        agg.add(u"lat"_s, MetricKind::Timer, 5, t0 + 1500);
        agg.add(u"lat"_s, MetricKind::Timer, 7, t0 + 200); // stamped one second earlier
        agg.add(u"lat"_s, MetricKind::Timer, 9, t0 + 1999);
        agg.add(u"g"_s, MetricKind::Gauge, 3, t0 + 1600);
        agg.add(u"g"_s, MetricKind::Gauge, 1, t0 + 1100); // older: not the last value of the second
        const auto frames = agg.closeDue(t0 + 2000 + 2000);
        QCOMPARE(frames.size(), 2);
        QCOMPARE(frames[0].second, t0 / 1000);
        QCOMPARE(find(frames[0], u"lat"_s)->count, 1);
        QCOMPARE(find(frames[0], u"lat"_s)->max, 7.0);
        QCOMPARE(frames[1].second, t0 / 1000 + 1);
        QCOMPARE(find(frames[1], u"lat"_s)->count, 2);
        QCOMPARE(find(frames[1], u"lat"_s)->sum, 14.0);
        QCOMPARE(find(frames[1], u"g"_s)->last, 3.0);
    }

    void provisionalSnapshotBeforeTheGraceEnds()
    {
        Aggregator agg; // grace 2 s
        agg.add(u"lat"_s, MetricKind::Timer, 10, t0 + 100);
        agg.add(u"lat"_s, MetricKind::Timer, 20, t0 + 1100); // the next second, still in progress
        QVERIFY(agg.publishDue(t0 + 1049, 50).isEmpty()); // not yet 50 ms past the end of the second
        auto provisional = agg.publishDue(t0 + 1050, 50);
        QCOMPARE(provisional.size(), 1);
        QVERIFY(provisional[0].provisional);
        QCOMPARE(provisional[0].second, t0 / 1000);
        QCOMPARE(find(provisional[0], u"lat"_s)->count, 1);
        QVERIFY(find(provisional[0], u"lat"_s)->sketch.isEmpty()); // live frames do not carry the sketch
        QVERIFY(agg.publishDue(t0 + 1500, 50).isEmpty()); // once per second

        // Still open: a late sample within the grace period is taken, and the final frame says it changed.
        agg.add(u"lat"_s, MetricKind::Timer, 30, t0 + 900);
        QCOMPARE(agg.peekSecond(t0 / 1000).series.value(0).count, 2);
        provisional = agg.publishDue(t0 + 2050, 50);
        QCOMPARE(provisional.size(), 1);
        QCOMPARE(provisional[0].second, t0 / 1000 + 1);
        QVERIFY(agg.closeDue(t0 + 2999).isEmpty());
        auto finals = agg.closeDue(t0 + 4000);
        QCOMPARE(finals.size(), 2);
        QVERIFY(!finals[0].provisional);
        QVERIFY(finals[0].changedSincePublish); // the late 30 arrived after the snapshot
        QCOMPARE(find(finals[0], u"lat"_s)->count, 2);
        QVERIFY(!find(finals[0], u"lat"_s)->sketch.isEmpty());
        QVERIFY(!finals[1].changedSincePublish); // the snapshot showed exactly this

        // A second never published (no publishDue call in time) reaches subscribers through its final frame.
        agg.add(u"x"_s, MetricKind::Counter, 1, t0 + 4500);
        finals = agg.closeDue(t0 + 7000);
        QCOMPARE(finals.size(), 1);
        QVERIFY(finals[0].changedSincePublish);
    }

    void provisionalFramesCarryTheFollowedSketchesOnly()
    {
        Aggregator agg;
        for (int i = 1; i <= 30; ++i) {
            agg.add(u"lat|model:a"_s, MetricKind::Timer, i, t0 + 10 * i);
            agg.add(u"lat|model:b"_s, MetricKind::Timer, 2 * i, t0 + 10 * i);
        }
        agg.add(u"requests"_s, MetricKind::Counter, 1, t0 + 5);
        const auto frames = agg.publishDue(t0 + 1050, 50, { u"lat|model:a"_s, u"requests"_s, u"absent"_s });
        QCOMPARE(frames.size(), 1);
        const SeriesStats *a = find(frames[0], u"lat|model:a"_s);
        QVERIFY(!a->sketch.isEmpty());
        const auto summary = SeriesSummary::fromStats(*a, t0 + 999);
        QVERIFY(summary);
        QCOMPARE(summary->sketch()->quantile(0.95), a->p95);
        QVERIFY(find(frames[0], u"lat|model:b"_s)->sketch.isEmpty());
        QVERIFY(find(frames[0], u"requests"_s)->sketch.isEmpty());
        // The final frame still carries every sketch, for storage.
        const auto finals = agg.closeDue(t0 + 4000);
        QVERIFY(!find(finals[0], u"lat|model:b"_s)->sketch.isEmpty());
    }

    void provisionalPublishCatchesSecondsThatGotDataLate()
    {
        Aggregator agg;
        QVERIFY(agg.publishDue(t0 + 1050, 50).isEmpty());
        agg.add(u"a"_s, MetricKind::Counter, 1, t0 + 10); // its publish time has passed; the grace has not
        const auto frames = agg.publishDue(t0 + 1200, 50);
        QCOMPARE(frames.size(), 1);
        QCOMPARE(frames[0].second, t0 / 1000);
        // peekSecond() does not count as a publish.
        agg.add(u"a"_s, MetricKind::Counter, 1, t0 + 1010);
        QCOMPARE(agg.peekSecond(t0 / 1000 + 1).series.size(), 1);
        QVERIFY(agg.peekSecond(t0 / 1000 + 5).series.isEmpty());
        QCOMPARE(agg.publishDue(t0 + 2050, 50).size(), 1);
    }

    void bucketsAlignToUtcSecondsAndCloseAfterGrace()
    {
        Aggregator agg(Aggregator::Options { 200 });
        agg.add(u"a"_s, MetricKind::Counter, 1, t0 + 999);
        agg.add(u"a"_s, MetricKind::Counter, 1, t0 + 1000);
        QVERIFY(agg.closeDue(t0 + 1199).isEmpty()); // inside the grace period
        auto frames = agg.closeDue(t0 + 1200);
        QCOMPARE(frames.size(), 1);
        QCOMPARE(frames[0].second, t0 / 1000);
        QCOMPARE(find(frames[0], u"a"_s)->count, 1);
        // A late sample for the closed second is counted, not merged.
        agg.add(u"a"_s, MetricKind::Counter, 5, t0 + 500);
        QCOMPARE(agg.lateSamples(), quint64(1));
        frames = agg.closeDue(t0 + 2200);
        QCOMPARE(frames.size(), 1);
        QCOMPARE(frames[0].second, t0 / 1000 + 1);
        QCOMPARE(find(frames[0], u"a"_s)->count, 1);
    }

    void framesListSeriesInKeyOrderAsNewOnesArrive()
    {
        Aggregator agg(Aggregator::Options { 0 });
        const auto keysOf = [](const LiveFrame &f) {
            QStringList keys;
            for (const SeriesStats &s : f.series)
                keys << s.key;
            return keys;
        };
        // Arrival order, and id order, is not key order; later seconds bring keys that sort between earlier ones.
        for (const QString &key : { u"m"_s, u"c"_s, u"x"_s })
            agg.add(key, MetricKind::Counter, 1, t0);
        auto frames = agg.closeDue(t0 + 1000);
        QCOMPARE(frames.size(), 1);
        QCOMPARE(keysOf(frames[0]), QStringList({ u"c"_s, u"m"_s, u"x"_s }));
        for (const QString &key : { u"x"_s, u"a"_s, u"n"_s, u"c"_s, u"b|tag:1"_s, u"b"_s })
            agg.add(key, MetricKind::Counter, 1, t0 + 1000);
        frames = agg.closeDue(t0 + 2000);
        QCOMPARE(frames.size(), 1);
        QCOMPARE(keysOf(frames[0]), QStringList({ u"a"_s, u"b"_s, u"b|tag:1"_s, u"c"_s, u"n"_s, u"x"_s }));
        // A second with only some of them.
        for (const QString &key : { u"n"_s, u"b"_s, u"zz"_s, u"a"_s })
            agg.add(key, MetricKind::Counter, 1, t0 + 2000);
        frames = agg.closeDue(t0 + 3000);
        QCOMPARE(keysOf(frames[0]), QStringList({ u"a"_s, u"b"_s, u"n"_s, u"zz"_s }));
    }

    void emptySecondsAreClosedToo()
    {
        Aggregator agg(Aggregator::Options { 0 });
        QVERIFY(agg.closeDue(t0 + 5000).isEmpty());
        agg.add(u"a"_s, MetricKind::Counter, 1, t0 + 3000);
        QCOMPARE(agg.lateSamples(), quint64(1));
    }

    void predictionOutcomesGiveQualityPerSecond()
    {
        Aggregator agg;
        const auto fraud = agg.seriesId(u"prediction.quality|model:fraud"_s);
        const auto price = agg.seriesId(u"prediction.quality|model:price"_s);
        // Second 0: binary scores (threshold 0.5): TP, FP, TN, FN, TP -> accuracy 3/5, precision 2/3, recall 2/3.
        QVERIFY(agg.addBinaryOutcome(fraud, 0.9, true, t0 + 10));
        QVERIFY(agg.addBinaryOutcome(fraud, 0.7, false, t0 + 20));
        QVERIFY(agg.addBinaryOutcome(fraud, 0.1, false, t0 + 30));
        QVERIFY(agg.addBinaryOutcome(fraud, 0.4, true, t0 + 40));
        QVERIFY(agg.addBinaryOutcome(fraud, 0.6, true, t0 + 50));
        // Second 1: regression, |errors| 1, 3 and 0.5; the zero truth counts for MAE but MAPE skips it.
        QVERIFY(agg.addRegressionOutcome(price, 11, 10, t0 + 1100));
        QVERIFY(agg.addRegressionOutcome(price, 17, 20, t0 + 1200));
        QVERIFY(agg.addRegressionOutcome(price, 0.5, 0, t0 + 1300));
        QVERIFY(!agg.addBinaryOutcome(fraud, 1.5, true, t0 + 60)); // a score outside [0, 1] is refused

        const auto provisional = agg.publishDue(t0 + 1050, 50);
        QCOMPARE(provisional.size(), 1);
        QCOMPARE(provisional[0].quality.size(), 1);
        QVERIFY(!provisional[0].quality[0].blob.isEmpty()); // subscribers merge it over their window

        const auto frames = agg.closeDue(t0 + 2000 + 2000);
        QCOMPARE(frames.size(), 2);
        QCOMPARE(frames[0].quality.size(), 1);
        const QualityStats &q = frames[0].quality[0];
        QCOMPARE(q.key, u"prediction.quality|model:fraud"_s);
        QCOMPARE(q.binary, quint64(5));
        QCOMPARE(q.accuracy, 3.0 / 5);
        QCOMPARE(q.precision, 2.0 / 3);
        QCOMPARE(q.recall, 2.0 / 3);
        const QualityStats &r = frames[1].quality[0];
        QCOMPARE(r.regression, quint64(3));
        QCOMPARE(r.mae, (1.0 + 3.0 + 0.5) / 3);
        QCOMPARE(r.zeroTruths, quint64(1));
        QCOMPARE(r.mape, (0.1 + 0.15) / 2);
        const auto back = QualityMetrics::deserialize(r.blob);
        QVERIFY(back);
        QCOMPARE(back->regressionRecords(), quint64(3));

        // Late outcomes are refused and counted like late samples.
        QVERIFY(!agg.addClassOutcome(fraud, u"a"_s, u"a"_s, t0 + 500));
        QCOMPARE(agg.lateSamples(), quint64(1));
    }

    void typeConflictKeepsFirstType()
    {
        Aggregator agg;
        agg.add(u"x"_s, MetricKind::Counter, 1, t0);
        agg.add(u"x"_s, MetricKind::Timer, 5, t0);
        QCOMPARE(agg.typeConflicts(), quint64(1));
        const auto frames = agg.closeAll();
        QCOMPARE(find(frames.value(0), u"x"_s)->kind, MetricKind::Counter);
    }
};

QTEST_GUILESS_MAIN(TestAggregator)
#include "tst_aggregator.moc"
