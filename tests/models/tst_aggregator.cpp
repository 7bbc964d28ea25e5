// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/aggregator.h"

#include <QTest>

#include <cmath>

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
    void timersGiveExactQuantiles()
    {
        Aggregator agg;
        for (int v = 1; v <= 100; ++v)
            agg.add(u"lat"_s, MetricKind::Timer, double(v), t0 + v);
        const auto frames = agg.closeAll();
        QCOMPARE(frames.size(), 1);
        QCOMPARE(frames[0].second, t0 / 1000);
        const auto *s = find(frames[0], u"lat"_s);
        QVERIFY(s);
        QCOMPARE(s->count, 100);
        QCOMPARE(s->sum, 5050.0);
        QCOMPARE(s->min, 1.0);
        QCOMPARE(s->max, 100.0);
        QCOMPARE(s->mean(), 50.5);
        // rank floor(q * (n - 1)) of 1..100
        QCOMPARE(s->p50, 50.0);
        QCOMPARE(s->p90, 90.0);
        QCOMPARE(s->p95, 95.0);
        QCOMPARE(s->p99, 99.0);
        QCOMPARE(s->rate, 100.0);
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

    void emptySecondsAreClosedToo()
    {
        Aggregator agg(Aggregator::Options { 0 });
        QVERIFY(agg.closeDue(t0 + 5000).isEmpty());
        agg.add(u"a"_s, MetricKind::Counter, 1, t0 + 3000);
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

    void exactQuantileEdges()
    {
        QVERIFY(std::isnan(Aggregator::exactQuantile({}, 0.5)));
        QCOMPARE(Aggregator::exactQuantile({ 7 }, 0.99), 7.0);
        QCOMPARE(Aggregator::exactQuantile({ 1, 2 }, 0.5), 1.0);
        QCOMPARE(Aggregator::exactQuantile({ 1, 2 }, 1.0), 2.0);
    }
};

QTEST_GUILESS_MAIN(TestAggregator)
#include "tst_aggregator.moc"
