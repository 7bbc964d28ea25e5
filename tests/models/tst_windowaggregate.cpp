// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/aggregator.h"
#include "models/windowaggregate.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {
using Tier = WindowAggregate::Tier;
constexpr qint64 h0 = 1'699'999'200; // a whole hour, unix seconds

// One timer value list per second, lognormal latencies with a varying count.
std::vector<std::vector<double>> latencySeconds(int seconds, quint64 seed)
{
    std::mt19937_64 rng(seed);
    std::lognormal_distribution<double> latency(3.0, 1.2);
    std::uniform_int_distribution<int> perSecond(0, 400);
    std::vector<std::vector<double>> result(static_cast<size_t>(seconds));
    for (auto &values : result) {
        values.resize(size_t(perSecond(rng)));
        for (double &v : values)
            v = latency(rng);
    }
    return result;
}

SeriesSummary timerOf(const std::vector<double> &values)
{
    SeriesSummary s(MetricKind::Timer);
    for (double v : values)
        s.addValue(v);
    return s;
}

// Everything observable about a summary, for exact comparisons.
QByteArray fingerprint(const SeriesSummary &s)
{
    QByteArray out = QByteArray::number(int(s.kind())) + ' ' + QByteArray::number(s.count(), 'g', 17) + ' '
        + QByteArray::number(s.sum(), 'g', 17) + ' ' + QByteArray::number(s.min(), 'g', 17) + ' '
        + QByteArray::number(s.max(), 'g', 17) + ' ' + QByteArray::number(s.last(), 'g', 17) + ' '
        + QByteArray::number(s.uniqueCount()) + ' ' + QByteArray::number(s.samples());
    if (s.sketch())
        out += ' ' + s.sketch()->serialize().toHex();
    return out;
}

double exactQuantile(std::vector<double> sorted, double q)
{
    std::sort(sorted.begin(), sorted.end());
    return sorted[size_t(std::floor(q * double(sorted.size() - 1)))];
}
} // namespace

class TestWindowAggregate : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void oneMinuteFromSixtySecondsEqualsTheDirectSketch()
    {
        const auto seconds = latencySeconds(60, 7);
        WindowAggregate series(MetricKind::Timer);
        SeriesSummary direct(MetricKind::Timer);
        for (int i = 0; i < 60; ++i) {
            QVERIFY(series.insert(Tier::Second, h0 + i, timerOf(seconds[size_t(i)])));
            for (double v : seconds[size_t(i)])
                direct.addValue(v);
        }
        QVERIFY(series.rollUp(Tier::Minute, h0));
        const SeriesSummary &minute = series.buckets(Tier::Minute).at(h0);
        QVERIFY(direct.sketch()->count() > 1000);
        QCOMPARE(minute.sketch()->serialize(), direct.sketch()->serialize());
        QCOMPARE(fingerprint(minute), fingerprint(direct));
        // The window over the seconds alone gives the same, and so does the minute tier alone.
        QCOMPARE(fingerprint(series.summarize(h0, h0 + 60)), fingerprint(direct));
        series.evictBefore(Tier::Second, h0 + 60);
        int used = 0;
        QCOMPARE(fingerprint(series.summarize(h0, h0 + 60, &used)), fingerprint(direct));
        QCOMPARE(used, 1);
    }

    void storedSecondsRollUpToTheSameBytes()
    {
        // The path storage will take: Aggregator frames -> SeriesStats with the sketch blob -> SeriesSummary.
        const auto seconds = latencySeconds(60, 8);
        Aggregator agg;
        SeriesSummary direct(MetricKind::Timer);
        for (int i = 0; i < 60; ++i) {
            for (double v : seconds[size_t(i)]) {
                agg.add(u"lat"_s, MetricKind::Timer, v, (h0 + i) * 1000 + 500);
                direct.addValue(v);
            }
        }
        WindowAggregate series(MetricKind::Timer);
        for (const LiveFrame &frame : agg.closeAll()) {
            for (const SeriesStats &stats : frame.series) {
                const auto summary = SeriesSummary::fromStats(stats, frame.second * 1000 + 999);
                QVERIFY(summary);
                QVERIFY(series.insert(Tier::Second, frame.second, *summary));
            }
        }
        QVERIFY(series.rollUp(Tier::Minute, h0));
        const SeriesSummary &minute = series.buckets(Tier::Minute).at(h0);
        QCOMPARE(minute.sketch()->serialize(), direct.sketch()->serialize());
        QCOMPARE(minute.count(), direct.count());
        QCOMPARE(minute.sum(), direct.sum());
    }

    void mergeOrderNeverChangesTheResult_data()
    {
        QTest::addColumn<int>("kind");
        QTest::newRow("counter") << int(MetricKind::Counter);
        QTest::newRow("gauge") << int(MetricKind::Gauge);
        QTest::newRow("timer") << int(MetricKind::Timer);
        QTest::newRow("distribution") << int(MetricKind::Distribution);
        QTest::newRow("set") << int(MetricKind::Set);
    }
    void mergeOrderNeverChangesTheResult()
    {
        QFETCH(int, kind);
        const auto k = MetricKind(kind);
        std::mt19937_64 rng(42 + quint64(kind));
        // Values of wildly different magnitudes and both signs, where a running double sum would depend on order.
        std::uniform_real_distribution<double> mantissa(-1.0, 1.0);
        std::uniform_int_distribution<int> exponent(-20, 20);
        std::uniform_int_distribution<int> member(0, 500);
        std::vector<SeriesSummary> parts;
        for (int i = 0; i < 60; ++i) {
            SeriesSummary s(k);
            for (int j = 0; j < 50; ++j) {
                double v = mantissa(rng) * std::pow(10.0, exponent(rng));
                if (k == MetricKind::Timer)
                    v = std::fabs(v);
                switch (k) {
                case MetricKind::Counter:
                    s.addCounter(v, j % 3 ? 1.0 : 0.1);
                    break;
                case MetricKind::Gauge:
                    s.addGauge(v, (h0 + i) * 1000 + j % 7 * 100); // equal timestamps across parts too
                    break;
                case MetricKind::Timer:
                case MetricKind::Distribution:
                    s.addValue(v);
                    break;
                case MetricKind::Set:
                    s.addSetMember(SeriesSummary::hashMember(QByteArray::number(member(rng))));
                    break;
                }
            }
            parts.push_back(std::move(s));
        }
        QByteArray reference;
        for (int trial = 0; trial < 20; ++trial) {
            std::shuffle(parts.begin(), parts.end(), rng);
            SeriesSummary merged(k);
            if (trial % 2) {
                for (const auto &p : parts)
                    QVERIFY(merged.merge(p));
            } else {
                // A random tree: merge random neighbours until one is left.
                std::vector<SeriesSummary> pool = parts;
                while (pool.size() > 1) {
                    const size_t i = std::uniform_int_distribution<size_t>(0, pool.size() - 2)(rng);
                    QVERIFY(pool[i].merge(pool[i + 1]));
                    pool.erase(pool.begin() + qsizetype(i) + 1);
                }
                merged = pool.front();
            }
            const QByteArray print = fingerprint(merged);
            if (trial == 0)
                reference = print;
            QCOMPARE(print, reference);
        }
    }

    void anyWindowAtAnyStep_data()
    {
        QTest::addColumn<qint64>("from");
        QTest::addColumn<qint64>("to");
        QTest::addColumn<qint64>("step");
        QTest::newRow("one second") << h0 + 17 << h0 + 18 << qint64(1);
        QTest::newRow("7 s steps, unaligned") << h0 + 3 << h0 + 100 << qint64(7);
        QTest::newRow("minutes") << h0 << h0 + 600 << qint64(60);
        QTest::newRow("90 s steps across minutes") << h0 + 30 << h0 + 3000 << qint64(90);
        QTest::newRow("hours, unaligned edges") << h0 + 59 << h0 + 2 * 3600 + 61 << qint64(3600);
        QTest::newRow("one window, everything") << h0 - 100 << h0 + 3 * 3600 << qint64(4 * 3600);
        QTest::newRow("5000 s steps") << h0 + 1 << h0 + 2 * 3600 + 2000 << qint64(5000);
    }
    void anyWindowAtAnyStep()
    {
        QFETCH(qint64, from);
        QFETCH(qint64, to);
        QFETCH(qint64, step);
        // Two hours and a half of seconds, a few values each, rolled up into minutes and hours.
        constexpr int kSeconds = 2 * 3600 + 1800;
        std::mt19937_64 rng(99);
        std::lognormal_distribution<double> latency(2.0, 1.0);
        std::vector<std::vector<double>> raw(static_cast<size_t>(kSeconds));
        WindowAggregate series(MetricKind::Timer);
        for (int i = 0; i < kSeconds; ++i) {
            raw[size_t(i)].resize(size_t(i % 5));
            for (double &v : raw[size_t(i)])
                v = latency(rng);
            if (!raw[size_t(i)].empty())
                series.insert(Tier::Second, h0 + i, timerOf(raw[size_t(i)]));
        }
        for (qint64 m = h0; m < h0 + kSeconds; m += 60)
            QVERIFY(series.rollUp(Tier::Minute, m));
        for (qint64 h = h0; h < h0 + kSeconds; h += 3600) {
            if (h + 3600 <= h0 + kSeconds) // the last hour is not over: no hour bucket for it
                QVERIFY(series.rollUp(Tier::Hour, h));
        }

        const QVector<WindowStats> windows = series.query(from, to, step);
        QCOMPARE(windows.size(), qsizetype((to - from + step - 1) / step));
        for (const WindowStats &w : windows) {
            QVERIFY(w.from < w.to && w.to <= to);
            SeriesSummary direct(MetricKind::Timer);
            std::vector<double> values;
            for (qint64 s = std::max(w.from, h0); s < std::min(w.to, h0 + kSeconds); ++s) {
                for (double v : raw[size_t(s - h0)]) {
                    direct.addValue(v);
                    values.push_back(v);
                }
            }
            QCOMPARE(fingerprint(series.summarize(w.from, w.to)), fingerprint(direct));
            QCOMPARE(w.count, direct.count());
            QCOMPARE(w.rate, direct.count() / double(w.to - w.from));
            QCOMPARE(w.sum, direct.sum());
            QVERIFY(!w.mergeFailed);
            if (values.empty()) {
                QVERIFY(std::isnan(w.p50.value));
                QVERIFY(!w.p50.meaningful);
                continue;
            }
            QCOMPARE(w.min, *std::min_element(values.begin(), values.end()));
            QCOMPARE(w.max, *std::max_element(values.begin(), values.end()));
            for (const QuantileEstimate *e : { &w.p50, &w.p90, &w.p95, &w.p99, &w.p999 }) {
                QCOMPARE(e->n, quint64(values.size()));
                QCOMPARE(e->relativeError, 0.01);
                const double exact = exactQuantile(values, e->q);
                QVERIFY2(std::fabs(e->value - exact) <= e->relativeError * exact,
                    qPrintable(u"q %1: %2 vs %3"_s.arg(e->q).arg(e->value).arg(exact)));
            }
        }
    }

    void coarseBucketsAreUsedAndNothingCountsTwice()
    {
        WindowAggregate series(MetricKind::Counter);
        for (int i = 0; i < 7200; ++i) {
            SeriesSummary s(MetricKind::Counter);
            s.addCounter(1);
            series.insert(Tier::Second, h0 + i, s);
        }
        for (qint64 m = h0; m < h0 + 7200; m += 60)
            series.rollUp(Tier::Minute, m);
        series.rollUp(Tier::Hour, h0);
        WindowStats w = series.window(h0, h0 + 7200);
        QCOMPARE(w.count, 7200.0);
        QCOMPARE(w.rate, 1.0);
        QCOMPARE(w.buckets, 1 + 60); // the first hour as one bucket, the second as its minutes
        w = series.window(h0 + 59, h0 + 3661);
        QCOMPARE(w.count, 3602.0);
        QCOMPARE(w.buckets, 1 + 60 + 1); // a second, 60 minutes (the hours straddle the edges), a second
        // Without the seconds, a window edge inside a minute cannot be answered there: it is left out, not guessed.
        series.evictBefore(Tier::Second, h0 + 7200);
        QCOMPARE(series.window(h0 + 30, h0 + 120).count, 60.0);
        QVERIFY(series.query(h0, h0, 60).isEmpty());
        QVERIFY(series.query(h0, h0 + 60, 0).isEmpty());
    }

    void quantilesCarryNAndMeaning_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<bool>("p50");
        QTest::addColumn<bool>("p90");
        QTest::addColumn<bool>("p99");
        QTest::addColumn<bool>("p999");
        QTest::newRow("1") << 1 << false << false << false << false;
        QTest::newRow("2") << 2 << true << false << false << false;
        QTest::newRow("10") << 10 << true << true << false << false;
        QTest::newRow("99") << 99 << true << true << false << false;
        QTest::newRow("100") << 100 << true << true << true << false;
        QTest::newRow("999") << 999 << true << true << true << false;
        QTest::newRow("1000") << 1000 << true << true << true << true;
    }
    void quantilesCarryNAndMeaning()
    {
        QFETCH(int, n);
        WindowAggregate series(MetricKind::Distribution);
        // Spread over seconds, so the window has to merge them.
        for (int i = 0; i < n; i += 10) {
            SeriesSummary s(MetricKind::Distribution);
            for (int v = i; v < std::min(n, i + 10); ++v)
                s.addValue(-500.0 + v); // distributions may be negative
            series.insert(Tier::Second, h0 + i / 10, s);
        }
        const WindowStats w = series.window(h0, h0 + 3600);
        QCOMPARE(w.p50.n, quint64(n));
        QCOMPARE(w.p999.n, quint64(n));
        QTEST(w.p50.meaningful, "p50");
        QTEST(w.p90.meaningful, "p90");
        QTEST(w.p99.meaningful, "p99");
        QTEST(w.p999.meaningful, "p999");
        QCOMPARE(w.p999.q, 0.999);
        const double exact = -500.0 + std::floor(0.999 * (n - 1));
        QVERIFY(std::fabs(w.p999.value - exact) <= 0.01 * std::fabs(exact));
    }

    void countersGaugesAndSetsOverWindows()
    {
        WindowAggregate counter(MetricKind::Counter);
        WindowAggregate gauge(MetricKind::Gauge);
        WindowAggregate set(MetricKind::Set);
        for (int i = 0; i < 120; ++i) {
            SeriesSummary c(MetricKind::Counter);
            c.addCounter(1, 0.5); // one sampled increment stands for two
            counter.insert(Tier::Second, h0 + i, c);
            SeriesSummary g(MetricKind::Gauge);
            g.addGauge(i, (h0 + i) * 1000 + 10);
            g.addGauge(-i, (h0 + i) * 1000 + 5); // earlier in the second: not the last
            gauge.insert(Tier::Second, h0 + i, g);
            SeriesSummary s(MetricKind::Set);
            s.addSetMember(SeriesSummary::hashMember(QByteArray::number(i % 7)));
            set.insert(Tier::Second, h0 + i, s);
        }
        counter.rollUp(Tier::Minute, h0);
        gauge.rollUp(Tier::Minute, h0);
        set.rollUp(Tier::Minute, h0);
        WindowStats w = counter.window(h0, h0 + 120);
        QCOMPARE(w.count, 240.0);
        QCOMPARE(w.rate, 2.0);
        QVERIFY(std::isnan(w.mean));
        w = gauge.window(h0, h0 + 120);
        QCOMPARE(w.last, 119.0);
        QCOMPARE(w.min, -119.0);
        QCOMPARE(w.max, 119.0);
        QCOMPARE(w.mean, 0.0);
        QCOMPARE(w.count, 240.0);
        QCOMPARE(w.rate, 0.0);
        w = set.window(h0, h0 + 120);
        QCOMPARE(w.uniqueCount, 7); // distinct over the window, not a sum of per-second counts
        QCOMPARE(w.count, 120.0);
        QCOMPARE(set.window(h0, h0 + 3).uniqueCount, 3);
    }

    void refusesWhatWouldMakeResultsWrong()
    {
        WindowAggregate series(MetricKind::Timer);
        QVERIFY(!series.insert(Tier::Minute, h0 + 1, SeriesSummary(MetricKind::Timer))); // misaligned
        QVERIFY(!series.insert(Tier::Second, h0, SeriesSummary(MetricKind::Gauge))); // another kind
        QVERIFY(!series.rollUp(Tier::Second, h0));
        SeriesSummary fine(MetricKind::Timer, 0.01);
        fine.addValue(1);
        SeriesSummary coarse(MetricKind::Timer, 0.02);
        coarse.addValue(2);
        QVERIFY(!fine.merge(coarse));
        QCOMPARE(fine.count(), 1.0);
        QVERIFY(series.insert(Tier::Second, h0, fine));
        QVERIFY(series.insert(Tier::Second, h0 + 1, coarse));
        const WindowStats w = series.window(h0, h0 + 2);
        QVERIFY(w.mergeFailed);
        QCOMPARE(w.count, 1.0);
        QVERIFY(!series.rollUp(Tier::Minute, h0));
    }

    // A timer's first two values wait in min and max; every figure must be the one of the sketch of the same values.
    void fewValuesGiveTheSketchsFigures_data()
    {
        QTest::addColumn<QList<double>>("values");
        QTest::newRow("none") << QList<double> {};
        QTest::newRow("one") << QList<double> { 5.0 };
        QTest::newRow("two, falling") << QList<double> { 7.25, 0.5 };
        QTest::newRow("two equal") << QList<double> { 3.0, 3.0 };
        QTest::newRow("negative zero and a tiny one") << QList<double> { -0.0, 1e-12 };
        QTest::newRow("three") << QList<double> { 4.0, -2.5, 9.0 };
        QTest::newRow("five") << QList<double> { 0.5, 8.0, 8.0, -0.0, 2.25 };
        QTest::newRow("tiny and negative") << QList<double> { -1e-12, -4.0, 1e-12 };
        QTest::newRow("sums that overflow") << QList<double> { -1e308, 1e308, 1e308 };
    }
    void fewValuesGiveTheSketchsFigures()
    {
        QFETCH(QList<double>, values);
        QuantileSketch direct;
        SeriesSummary summary(MetricKind::Distribution);
        for (double v : values) {
            QVERIFY(direct.add(v));
            QVERIFY(summary.addValue(v));
        }
        SeriesStats expected;
        SeriesSummary::setQuantiles(&expected, direct, true);
        const SeriesStats stats = summary.toStats(u"d"_s, 1);
        QCOMPARE(stats.count, qint64(direct.count()));
        QCOMPARE(stats.sketch, expected.sketch);
        for (const auto &[got, want] : { std::pair { stats.p50, expected.p50 }, { stats.p99, expected.p99 },
                 { stats.p999, expected.p999 }, { stats.min, direct.min() }, { stats.max, direct.max() } }) {
            if (std::isnan(want))
                QVERIFY(std::isnan(got));
            else
                QCOMPARE(got, want);
        }
        QCOMPARE(std::signbit(stats.min), std::signbit(direct.min())); // -0 counts as 0
        QCOMPARE(summary.sketch()->serialize(), direct.serialize());
        QVERIFY(!summary.addValue(std::nan("")));
        QVERIFY(!summary.addValue(std::numeric_limits<double>::infinity()));
        QCOMPARE(summary.samples(), quint64(values.size()));

        // Every split into two summaries merges, in both orders, to what the sketches of the two parts, each filled
        // in arrival order, merge to.
        const auto part = [](const QList<double> &in, qsizetype from, qsizetype to) {
            QuantileSketch sketch;
            SeriesSummary summary(MetricKind::Distribution);
            for (qsizetype i = from; i < to; ++i) {
                sketch.add(in[i]);
                summary.addValue(in[i]);
            }
            return std::pair { sketch, summary };
        };
        for (qsizetype cut = 0; cut <= values.size(); ++cut) {
            auto [headSketch, head] = part(values, 0, cut);
            auto [tailSketch, tail] = part(values, cut, values.size());
            QuantileSketch headThenTail = headSketch, tailThenHead = tailSketch;
            QVERIFY(headThenTail.merge(tailSketch));
            QVERIFY(tailThenHead.merge(headSketch));
            SeriesSummary a = head, b = tail;
            QVERIFY(a.merge(tail));
            QVERIFY(b.merge(head));
            QCOMPARE(a.toStats(u"d"_s, 1).sketch, headThenTail.serialize());
            QCOMPARE(b.toStats(u"d"_s, 1).sketch, tailThenHead.serialize());
            QCOMPARE(a.samples(), quint64(values.size()));
            QCOMPARE(a.sum(), b.sum());
            SeriesSummary self = head;
            QVERIFY(self.merge(self));
            QCOMPARE(self.samples(), 2 * quint64(cut));
            QCOMPARE(self.toStats(u"d"_s, 1).sketch, [&] {
                QuantileSketch twice = headSketch;
                twice.merge(headSketch);
                return twice.serialize();
            }());
        }
    }

    void accuracyIsCheckedBeforeAnySketchIsMade()
    {
        QVERIFY(!SeriesSummary(MetricKind::Timer, 0.01).merge(SeriesSummary(MetricKind::Timer, 0.02)));
        QuantileSketch coarse(0.02);
        for (double v : { 1.0, 2.0, 3.0 })
            coarse.add(v);
        SeriesStats stats;
        stats.kind = MetricKind::Timer;
        stats.count = 3;
        stats.sketch = coarse.serialize();
        auto stored = SeriesSummary::fromStats(stats, 999);
        QVERIFY(stored);
        QCOMPARE(stored->relativeAccuracy(), 0.02);
        SeriesSummary fine(MetricKind::Timer, 0.01);
        fine.addValue(4);
        QVERIFY(!stored->merge(fine));
        QVERIFY(!fine.merge(*stored));
        QCOMPARE(stored->count(), 3.0);
        QCOMPARE(fine.count(), 1.0);
        SeriesSummary alike(MetricKind::Timer, 0.02);
        alike.addValue(4);
        QVERIFY(alike.merge(*stored));
        QCOMPARE(alike.count(), 4.0);
        QCOMPARE(alike.max(), 4.0);
        QCOMPARE(alike.min(), 1.0);
        QuantileSketch narrow(0.01, 64); // another bucket bound
        narrow.add(1.0);
        stats.sketch = narrow.serialize();
        stats.count = 1;
        stored = SeriesSummary::fromStats(stats, 999);
        QVERIFY(stored);
        QVERIFY(!stored->merge(fine)); // first, while fine holds no sketch
        QVERIFY(!fine.merge(*stored));
        QCOMPARE(stored->count(), 1.0);
    }

    void fromStatsRebuildsWhatStorageKeeps()
    {
        SeriesSummary gauge(MetricKind::Gauge);
        gauge.addGauge(3, 1000);
        gauge.addGauge(5, 1500);
        auto back = SeriesSummary::fromStats(gauge.toStats(u"g"_s, 1), 1999);
        QVERIFY(back);
        QCOMPARE(back->last(), 5.0);
        QCOMPARE(back->mean(), 4.0);
        QCOMPARE(back->lastTimestampMs(), 1999);

        SeriesSummary counter(MetricKind::Counter);
        counter.addCounter(3, 0.25);
        back = SeriesSummary::fromStats(counter.toStats(u"c"_s, 1), 999);
        QVERIFY(back);
        QCOMPARE(back->count(), 12.0);

        SeriesSummary timer(MetricKind::Timer);
        timer.addValue(4);
        SeriesStats stats = timer.toStats(u"t"_s, 1);
        QVERIFY(SeriesSummary::fromStats(stats, 999));
        stats.sketch.chop(1);
        QVERIFY(!SeriesSummary::fromStats(stats, 999)); // corrupt blob
        stats = timer.toStats(u"t"_s, 1, false);
        QVERIFY(!SeriesSummary::fromStats(stats, 999)); // no blob
        SeriesSummary set(MetricKind::Set);
        set.addSetMember(1);
        QVERIFY(!SeriesSummary::fromStats(set.toStats(u"s"_s, 1), 999)); // members never leave the collector
    }
};

QTEST_GUILESS_MAIN(TestWindowAggregate)
#include "tst_windowaggregate.moc"
