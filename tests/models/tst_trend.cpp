// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/trend.h"
#include "models/trendstats.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>

using namespace perfdash;
using namespace perfdash::Trend;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 kT0 = 1'750'000'000;
constexpr qint64 kHour = 3600, kDay = 86400;

// count points every `step` seconds from kT0; value(i, days since kT0).
QVector<Sample> series(qint64 step, int count, const std::function<double(int, double)> &value)
{
    QVector<Sample> out;
    for (int i = 0; i < count; ++i)
        out.push_back({ kT0 + i * step, value(i, double(i * step) / double(kDay)) });
    return out;
}

// Stationary AR(1) noise with standard deviation sigma.
class Ar1 {
public:
    Ar1(std::mt19937 &rng, double phi, double sigma)
        : m_rng(rng)
        , m_phi(phi)
        , m_sigma(sigma)
    {
        m_e = m_normal(m_rng) * sigma;
    }
    double next()
    {
        m_e = m_phi * m_e + std::sqrt(1 - m_phi * m_phi) * m_sigma * m_normal(m_rng);
        return m_e;
    }

private:
    std::mt19937 &m_rng;
    std::normal_distribution<double> m_normal;
    double m_phi, m_sigma, m_e = 0;
};

double bruteSlope(const QVector<Sample> &s, qint64 rank)
{
    std::vector<double> all;
    for (int i = 0; i < s.size(); ++i)
        for (int j = i + 1; j < s.size(); ++j)
            all.push_back((s[j].value - s[i].value) / double(s[j].t - s[i].t));
    std::sort(all.begin(), all.end());
    return all[size_t(rank)];
}

// A no-trend case: fit, then look for a breach at a threshold half the level away in the worsening direction.
struct Tally {
    int cases = 0, stable = 0, breaches = 0, insufficient = 0, shifts = 0;
    void add(const QVector<Sample> &s, Better better, double level)
    {
        const Fit f = fit(s, better);
        ++cases;
        insufficient += !f.sufficient;
        shifts += f.levelShift;
        stable += f.label == u"stable"_s;
        const double threshold = better == Better::Lower ? level * 1.5 : level / 1.5;
        breaches += projectBreach(f, threshold, f.until).projected;
    }
    double stableRate() const { return double(stable) / cases; }
};

} // namespace

class TestTrend : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void normalQuantile()
    {
        QVERIFY(std::abs(TrendStats::normalQuantile(0.975) - 1.959963984540054) < 1e-12);
        QVERIFY(std::abs(TrendStats::normalQuantile(0.05) + 1.6448536269514722) < 1e-12);
        QVERIFY(std::abs(TrendStats::normalCdf(TrendStats::normalQuantile(1e-6)) - 1e-6) < 1e-15);
        // Student's t 97.5 % points: 2.571 (5), 2.228 (10), 2.042 (30); 95 %: 1.812 (10).
        QVERIFY(std::abs(TrendStats::tQuantile(0.975, 5) - 2.5706) < 0.01);
        QVERIFY(std::abs(TrendStats::tQuantile(0.975, 10) - 2.2281) < 0.003);
        QVERIFY(std::abs(TrendStats::tQuantile(0.975, 30) - 2.0423) < 0.002);
        QVERIFY(std::abs(TrendStats::tQuantile(0.95, 10) - 1.8125) < 0.003);
        QVERIFY(std::abs(TrendStats::tToZ(TrendStats::tQuantile(0.9, 7), 7) - TrendStats::normalQuantile(0.9)) < 1e-12);
    }

    // The sampled-bracket selection must give exactly the sorted slopes, ties included.
    void pairSlopesExact_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<bool>("quantized");
        QTest::newRow("direct, 40") << 40 << false;
        QTest::newRow("direct, ties") << 60 << true;
        QTest::newRow("bracketed, 300") << 300 << false;
        QTest::newRow("bracketed, ties") << 700 << true;
        QTest::newRow("bracketed, 1500") << 1500 << false;
    }
    void pairSlopesExact()
    {
        QFETCH(int, n);
        QFETCH(bool, quantized);
        std::mt19937 rng(static_cast<uint32_t>(n));
        std::normal_distribution<double> noise(0, 5);
        QVector<Sample> s;
        qint64 t = 0;
        for (int i = 0; i < n; ++i) {
            t += 1 + qint64(rng() % 3); // unequal spacing
            const double v = 0.01 * double(t) + noise(rng);
            s.push_back({ t, quantized ? std::round(v) : v });
        }
        std::vector<double> ts, ys;
        for (const Sample &p : s) {
            ts.push_back(double(p.t));
            ys.push_back(p.value);
        }
        const qint64 pairs = qint64(n) * (n - 1) / 2;
        const std::vector<qint64> ranks { 0, pairs / 40, pairs / 2 - 1, pairs / 2, pairs - pairs / 40, pairs - 1 };
        const TrendStats::PairSlopes got = TrendStats::pairSlopes(ts.data(), ys.data(), n, ranks);
        QCOMPARE(got.pairs, pairs);
        for (size_t r = 0; r < ranks.size(); ++r)
            QCOMPARE(got.values[r], bruteSlope(s, ranks[r]));
        // A second selection inside the bracket the first one kept is answered from it, and still exact.
        TrendStats::SlopeSelector selector(ts.data(), ys.data(), n);
        const qint64 a = pairs / 40 + 5, b = pairs - pairs / 40 - 5;
        QCOMPARE(selector.select({ pairs / 2 }, a, b).values[0], bruteSlope(s, pairs / 2));
        const TrendStats::PairSlopes cached = selector.select({ b, a });
        QCOMPARE(cached.values[0], bruteSlope(s, b));
        QCOMPARE(cached.values[1], bruteSlope(s, a));
        QCOMPARE(cached.s, got.s);
        qint64 sign = 0;
        for (int i = 0; i < n; ++i)
            for (int j = i + 1; j < n; ++j)
                sign += (s[j].value > s[i].value) - (s[j].value < s[i].value);
        QCOMPARE(got.s, sign);
    }

    void mannKendallTies()
    {
        const double y[] = { 1, 2, 2, 3, 3, 3 };
        // n = 6: 6*5*17 = 510; ties: 2*1*9 = 18 and 3*2*11 = 66 -> (510 - 84) / 18
        QCOMPARE(TrendStats::mannKendallVariance(y, 6), (510.0 - 84.0) / 18.0);
        const std::vector<double> r = TrendStats::ranks(y, 6);
        QCOMPARE(r, (std::vector<double> { 1, 2.5, 2.5, 5, 5, 5 }));
    }

    void autocorrelationFactor()
    {
        std::mt19937 rng(3);
        Ar1 white(rng, 0, 1), red(rng, 0.8, 1);
        std::vector<double> t, w, r;
        for (int i = 0; i < 720; ++i) {
            t.push_back(i * 3600.0);
            w.push_back(white.next());
            r.push_back(red.next());
        }
        const double fw = TrendStats::autocorrelationFactor(t.data(), w.data(), 720, 0);
        const double fr = TrendStats::autocorrelationFactor(t.data(), r.data(), 720, 0);
        qInfo("Mann-Kendall n/n*: white %.2f, AR(1) phi 0.8 %.2f", fw, fr);
        QVERIFY(fw < 1.5);
        QVERIFY(fr > 4);
    }

    void labels_data()
    {
        QTest::addColumn<Better>("better");
        QTest::addColumn<double>("weeklyShare"); // change over 7 days / level
        QTest::addColumn<QString>("label");
        QTest::newRow("latency up 20 %/wk") << Better::Lower << 0.20 << u"declining"_s;
        QTest::newRow("latency up 2 %/wk") << Better::Lower << 0.02 << u"slight_decline"_s;
        QTest::newRow("latency down 20 %/wk") << Better::Lower << -0.20 << u"improving"_s;
        QTest::newRow("latency down 2 %/wk") << Better::Lower << -0.02 << u"slight_improvement"_s;
        QTest::newRow("accuracy up 20 %/wk") << Better::Higher << 0.20 << u"improving"_s;
        QTest::newRow("accuracy up 2 %/wk") << Better::Higher << 0.02 << u"slight_improvement"_s;
        QTest::newRow("accuracy down 20 %/wk") << Better::Higher << -0.20 << u"declining"_s;
        QTest::newRow("accuracy down 2 %/wk") << Better::Higher << -0.02 << u"slight_decline"_s;
        QTest::newRow("accuracy flat") << Better::Higher << 0.0 << u"stable"_s;
    }
    void labels()
    {
        QFETCH(Better, better);
        QFETCH(double, weeklyShare);
        QFETCH(QString, label);
        std::mt19937 rng(11);
        std::normal_distribution<double> noise(0, 0.001);
        // Ends at level 0.8 so the weekly share is measured against the fitted level.
        const QVector<Sample> s = series(
            kHour, 7 * 24, [&](int, double d) { return 0.8 * (1 + weeklyShare / 7 * (d - 7)) + noise(rng) * 0.8; });
        const Fit f = fit(s, better);
        QVERIFY(f.sufficient);
        QCOMPARE(f.label, label);
        QCOMPARE(f.worsening, label.contains(u"decl"_s));
        QVERIFY(f.slopeLowPerDay <= f.slopePerDay && f.slopePerDay <= f.slopeHighPerDay);
        if (label != u"stable"_s)
            QVERIFY(f.confidence > 0.95);
    }

    void insufficient()
    {
        const auto flat = [](int, double) { return 1.0; };
        Fit f = fit(series(kHour, 5, flat), Better::Lower);
        QVERIFY(!f.sufficient);
        QCOMPARE(f.insufficient, u"insufficient history: 5 h of 24 h"_s);
        QCOMPARE(f.historySeconds, 5 * kHour);
        QCOMPARE(f.label, u"stable"_s);
        QCOMPARE(f.confidence, 0.0);
        QCOMPARE(describe(f, projectBreach(f, 2, f.until)), u"insufficient history: 5 h of 24 h"_s);
        f = fit(series(6 * kHour, 8, flat), Better::Lower);
        QCOMPARE(f.insufficient, u"insufficient history: 8 points of 12"_s);
        f = fit({}, Better::Lower);
        QCOMPARE(f.insufficient, u"insufficient history: none of 24 h"_s);
        f = fit(series(60, 30, flat), Better::Lower);
        QCOMPARE(f.insufficient, u"insufficient history: 30 min of 24 h"_s);
        f = fit(series(kHour, 24, flat), Better::Lower); // 24 buckets of an hour cover 24 h
        QVERIFY(f.sufficient);
    }

    void constantSeries()
    {
        const Fit f = fit(series(kHour, 48, [](int, double) { return 5.0; }), Better::Lower);
        QVERIFY(f.sufficient);
        QCOMPARE(f.slopePerDay, 0.0);
        QCOMPARE(f.slopeLowPerDay, 0.0);
        QCOMPARE(f.slopeHighPerDay, 0.0);
        QCOMPARE(f.level, 5.0);
        QCOMPARE(f.residualSigma, 0.0);
        QCOMPARE(f.p, 1.0);
        QCOMPARE(f.label, u"stable"_s);
        QVERIFY(!f.levelShift);
        Breach b = projectBreach(f, 10, f.until);
        QVERIFY(!b.projected && !b.alreadyBreached);
        QCOMPARE(b.confidence, 0.0);
        QCOMPARE(describe(f, b), u"no breach projected within 4 d (twice the history)"_s);
        QVERIFY(b.capped);
        QCOMPARE(b.horizonSeconds, 4 * kDay);
        b = projectBreach(f, 4, f.until);
        QVERIFY(b.alreadyBreached);
        QCOMPARE(describe(f, b), u"already past the threshold"_s);
        const QVector<ConePoint> c = cone(f, f.until + 10 * kDay, 5);
        QCOMPARE(c.size(), 5);
        QCOMPARE(c.last().t, f.until + 10 * kDay);
        QCOMPARE(c.last().low, 5.0);
        QCOMPARE(c.last().high, 5.0);
    }

    // Mostly tied values (a quantized KPI): the MAD is 0, the spread must not be.
    void mostlyTied()
    {
        const QVector<Sample> s = series(kHour, 72, [](int i, double) { return i % 5 == 0 ? 3.0 : 2.0; });
        const Fit f = fit(s, Better::Lower);
        QVERIFY(f.sufficient);
        QCOMPARE(f.slopePerDay, 0.0);
        QVERIFY(f.residualSigma > 0);
        QCOMPARE(f.label, u"stable"_s);
    }

    void nanUnsortedDuplicates()
    {
        std::mt19937 rng(5);
        std::normal_distribution<double> noise(0, 1);
        const QVector<Sample> clean = series(kHour, 100, [&](int, double d) { return 50 + 2 * d + noise(rng); });
        const Fit reference = fit(clean, Better::Lower);
        QVector<Sample> messy = clean;
        for (int i = 0; i < 20; ++i)
            messy.push_back({ kT0 + i * 7 * kHour, i % 2 ? std::nan("") : std::numeric_limits<double>::infinity() });
        for (const Sample &s : clean)
            messy.push_back(s); // every t twice, same value: the mean is the value
        std::shuffle(messy.begin(), messy.end(), rng);
        const Fit f = fit(messy, Better::Lower);
        QCOMPARE(f.n, 100);
        QCOMPARE(f.slopePerDay, reference.slopePerDay);
        QCOMPARE(f.slopeLowPerDay, reference.slopeLowPerDay);
        QCOMPARE(f.level, reference.level);
        QCOMPARE(f.p, reference.p);
        QCOMPARE(f.label, reference.label);
        // Two values at one t count as their mean.
        QVector<Sample> pairs = clean;
        pairs[10].value += 1;
        pairs.push_back({ pairs[10].t, pairs[10].value - 2 });
        QCOMPARE(fit(pairs, Better::Lower).slopePerDay, reference.slopePerDay);
    }

    void hugeValues()
    {
        std::mt19937 rng(9);
        std::normal_distribution<double> noise(0, 1);
        const QVector<Sample> s = series(kHour, 200, [&](int, double d) { return 100 + 5 * d + noise(rng); });
        const Fit base = fit(s, Better::Lower);
        QVector<Sample> huge = s;
        const double k = std::ldexp(1.0, 1000);
        for (Sample &p : huge)
            p.value *= k;
        const Fit f = fit(huge, Better::Lower);
        QCOMPARE(f.slopePerDay, base.slopePerDay * k);
        QCOMPARE(f.level, base.level * k);
        QCOMPARE(f.label, base.label);
        QVERIFY(std::isfinite(f.residualSigma) && std::isfinite(f.z) && std::isfinite(f.centerSigma));
        const Breach b = projectBreach(f, 1.2 * base.level * k, f.until);
        const Breach bb = projectBreach(base, 1.2 * base.level, base.until);
        QVERIFY(b.projected);
        QCOMPARE(b.at, bb.at);
        QVERIFY(std::abs(double(b.earliest - bb.earliest)) <= 1 && std::abs(double(b.latest - bb.latest)) <= 1);
    }

    void stepGuard()
    {
        std::mt19937 rng(2);
        std::normal_distribution<double> noise(0, 1);
        const QVector<Sample> s
            = series(kHour, 14 * 24, [&](int i, double) { return (i < 150 ? 100 : 130) + noise(rng); });
        const Fit f = fit(s, Better::Lower);
        QVERIFY(f.sufficient);
        QVERIFY(f.levelShift);
        QCOMPARE(f.shiftAt, kT0 + 150 * kHour);
        QCOMPARE(f.since, f.shiftAt);
        QCOMPARE(f.n, 14 * 24 - 150);
        QCOMPARE(f.label, u"stable"_s);
        QVERIFY(!projectBreach(f, 140, f.until).projected);
        // Without the guard the step would read as a steep rise.
        QVERIFY(std::abs(f.level - 130) < 1);
        // A shift 10 h before the end leaves too little to fit.
        const QVector<Sample> late
            = series(kHour, 7 * 24, [&](int i, double) { return (i < 7 * 24 - 10 ? 100 : 130) + noise(rng); });
        const Fit g = fit(late, Better::Lower);
        QVERIFY(!g.sufficient);
        QVERIFY(g.levelShift);
        QCOMPARE(g.insufficient, u"insufficient history since the level shift: 10 h of 24 h"_s);
        // A steady drift is not a step.
        const QVector<Sample> drift = series(kHour, 7 * 24, [&](int, double d) { return 100 + 3 * d + noise(rng); });
        QVERIFY(!fit(drift, Better::Lower).levelShift);
    }

    void describeWording()
    {
        Fit f;
        f.sufficient = true;
        Breach b;
        b.now = 1000;
        b.horizonSeconds = 30 * kDay;
        QCOMPARE(describe(f, b), u"no breach projected within 30 d"_s);
        b.projected = true;
        b.at = b.now + 9 * kDay + 3 * kHour;
        b.earliest = b.now + 6 * kDay + 20 * kHour;
        b.latest = b.now + 13 * kDay + 2 * kHour;
        b.confidence = 0.781;
        QCOMPARE(describe(f, b), u"breach in ~9 d (6–14 d), 78 %"_s);
        b.latest = kUnbounded;
        QCOMPARE(describe(f, b), u"breach in ~9 d (6 d or later), 78 %"_s);
        b.at = b.now + 20 * kHour;
        b.earliest = b.now + 15 * kHour + 50 * 60;
        b.latest = b.now + 25 * kHour + 10 * 60;
        b.confidence = 0.6;
        QCOMPARE(describe(f, b), u"breach in ~20 h (15–26 h), 60 %"_s);
        b.horizonSeconds = 12 * kHour;
        b.projected = false;
        QCOMPARE(describe(f, b), u"no breach projected within 12 h"_s);
    }

    void coneWidens()
    {
        std::mt19937 rng(4);
        std::normal_distribution<double> noise(0, 2);
        const Fit f
            = fit(series(kHour, 7 * 24, [&](int, double d) { return 100 + 2 * d + noise(rng); }), Better::Lower);
        const QVector<ConePoint> c = cone(f, f.until + 30 * kDay);
        QCOMPARE(c.size(), 32);
        QCOMPARE(c.first().t, f.until);
        QCOMPARE(c.first().value, f.level);
        for (int i = 1; i < c.size(); ++i)
            QVERIFY(c[i].high - c[i].low > c[i - 1].high - c[i - 1].low);
        // At the end of the data the cone is about the residual spread wide (90 %: ±1.645 σ).
        QVERIFY(std::abs((c.first().high - c.first().low) / (2 * 1.645 * f.residualSigma) - 1) < 0.05);
    }

    void fitAllMatchesFit()
    {
        std::mt19937 rng(8);
        std::normal_distribution<double> noise(0, 1);
        QVector<QVector<Sample>> all;
        QVector<Better> better;
        for (int k = 0; k < 9; ++k) {
            all.push_back(series(kHour, 48 + k * 10, [&](int, double d) { return 10 + k * d + noise(rng); }));
            better.push_back(k % 2 ? Better::Higher : Better::Lower);
        }
        const QVector<Fit> fits = fitAll(all, better);
        QCOMPARE(fits.size(), all.size());
        for (int k = 0; k < all.size(); ++k) {
            const Fit one = fit(all[k], better[k]);
            QCOMPARE(fits[k].slopePerDay, one.slopePerDay);
            QCOMPARE(fits[k].label, one.label);
        }
    }

    // Linear drifts toward a threshold: how often the projected crossing is within ±10 % of the true one (measured
    // from now), and how often the 90 % interval holds it.
    void accuracyOfDrifts()
    {
        int cases = 0, within = 0, covered = 0, projected = 0;
        int bySigma[3] = {}, withinBySigma[3] = {}, coveredBySigma[3] = {};
        int sigmaIndex = 0;
        const auto run = [&](const QVector<Sample> &s, Better better, double trueLevelNow, double trueSlopePerDay,
                             double aheadDays) {
            const Fit f = fit(s, better);
            const double threshold = trueLevelNow + trueSlopePerDay * aheadDays;
            const Breach b = projectBreach(f, threshold, f.until);
            const double trueAt = double(f.until) + aheadDays * kDay;
            ++cases;
            projected += b.projected;
            const bool near = b.projected && std::abs(double(b.at) - trueAt) <= 0.1 * aheadDays * kDay;
            const bool holds
                = b.at != 0 && double(b.earliest) <= trueAt && (b.latest == kUnbounded || trueAt <= double(b.latest));
            within += near;
            covered += holds;
            ++bySigma[sigmaIndex];
            withinBySigma[sigmaIndex] += near;
            coveredBySigma[sigmaIndex] += holds;
        };
        // Hourly, white noise: 10 seeds × 3 slopes × 3 noise levels × 2 history lengths, latency up and accuracy down.
        for (int seed = 0; seed < 10; ++seed)
            for (double slope : { 0.01, 0.02, 0.04 })
                for (double sigma : { 0.01, 0.03, 0.05 })
                    for (int days : { 7, 14 }) {
                        std::mt19937 rng(
                            static_cast<uint32_t>(seed * 1000 + days + int(slope * 1e4) + int(sigma * 1e6)));
                        std::normal_distribution<double> noise(0, 1);
                        const Better better = seed % 2 ? Better::Higher : Better::Lower;
                        const double level = better == Better::Lower ? 100 : 0.9;
                        const double g = (better == Better::Lower ? 1 : -1) * slope * level;
                        const double ahead = 3 + (seed * 7 + days) % 12; // 3..14 days ahead
                        const int count = days * 24;
                        sigmaIndex = sigma < 0.02 ? 0 : sigma < 0.04 ? 1 : 2;
                        const QVector<Sample> s = series(
                            kHour, count, [&](int, double d) { return level + g * d + sigma * level * noise(rng); });
                        run(s, better, level + g * double(count - 1) / 24, g, ahead);
                    }
        const int hourly = cases, hourlyWithin = within, hourlyCovered = covered;
        for (int i = 0; i < 3; ++i)
            qInfo("  hourly, noise %d %% of the level: within ±10 %% %.1f %%, covered %.1f %% (%d cases)", 1 + 2 * i,
                100.0 * withinBySigma[i] / bySigma[i], 100.0 * coveredBySigma[i] / bySigma[i], bySigma[i]);
        sigmaIndex = 0;
        // Minute data with AR(1) noise: 10 seeds × 2 slopes × 2 correlations, 2 days of history.
        for (int seed = 0; seed < 10; ++seed)
            for (double slope : { 0.05, 0.10 })
                for (double phi : { 0.8, 0.95 }) {
                    std::mt19937 rng(static_cast<uint32_t>(seed * 7919 + int(phi * 100)));
                    Ar1 noise(rng, phi, 2.0);
                    const int count = 2 * 1440;
                    const double g = slope * 100;
                    const QVector<Sample> s
                        = series(60, count, [&](int, double d) { return 100 + g * d + noise.next(); });
                    run(s, Better::Lower, 100 + g * double(count - 1) / 1440, g, 1 + seed % 3);
                }
        const double withinRate = double(within) / cases, coverage = double(covered) / cases;
        qInfo("drifts: %d cases (%d hourly, %d minute AR(1)); projected %d", cases, hourly, cases - hourly, projected);
        qInfo("  breach within ±10 %% of the true time: %.1f %% (hourly %.1f %%, minute AR(1) %.1f %%)",
            100 * withinRate, 100.0 * hourlyWithin / hourly, 100.0 * (within - hourlyWithin) / (cases - hourly));
        qInfo("  90 %% interval covers the true time: %.1f %% (hourly %.1f %%, minute AR(1) %.1f %%)", 100 * coverage,
            100.0 * hourlyCovered / hourly, 100.0 * (covered - hourlyCovered) / (cases - hourly));
        // Hard rows on purpose (1 %/day under 5 % noise, 14 days ahead of 7 days of data): not every row can make ±10
        // %.
        QVERIFY2(withinRate >= 0.75, qPrintable(QString::number(withinRate)));
        QVERIFY2(coverage >= 0.85, qPrintable(QString::number(coverage)));
    }

    // No trend at all: noise, bursts, a daily cycle, a single step. Never a breach; "stable" in ≥ 95 % of the noise.
    void noTrendNoBreach()
    {
        Tally white, red, redMinute, bursts, cycle, steps;
        for (int seed = 0; seed < 40; ++seed) {
            std::mt19937 rng(static_cast<uint32_t>(seed + 500));
            std::normal_distribution<double> normal(0, 1);
            const Better better = seed % 2 ? Better::Higher : Better::Lower;
            const double level = better == Better::Lower ? 100 : 0.9;
            for (int days : { 7, 14, 30 })
                white.add(series(kHour, days * 24, [&](int, double) { return level * (1 + 0.05 * normal(rng)); }),
                    better, level);
            for (int days : { 7, 14 }) {
                Ar1 ar(rng, 0.6, 0.05 * level);
                red.add(series(kHour, days * 24, [&](int, double) { return level + ar.next(); }), better, level);
            }
            Ar1 minute(rng, 0.9, 0.03 * level);
            redMinute.add(series(60, 1440, [&](int, double) { return level + minute.next(); }), better, level);

            std::uniform_real_distribution<double> uniform(0, 1);
            bursts.add(series(kHour, 14 * 24,
                           [&](int, double) {
                               const double spike = uniform(rng) < 0.01 ? 4 : 0;
                               return level * (1 + spike + 0.03 * normal(rng));
                           }),
                Better::Lower, level);

            const double phase = uniform(rng) * 2 * M_PI;
            const auto daily = [&](int, double d) {
                return level * (1 + 0.2 * std::sin(2 * M_PI * d + phase) + 0.03 * normal(rng));
            };
            cycle.add(series(kHour, (7 + seed % 8) * 24 + seed % 24, daily), better, level);
            if (seed % 2 == 0)
                cycle.add(series(60, 2 * 1440 + seed * 37, daily), better, level);

            const double at = 0.2 + 0.6 * uniform(rng);
            const double rise = better == Better::Lower ? 1.3 : 0.8; // a regression, then flat
            steps.add(series(kHour, 14 * 24,
                          [&](int i, double) { return level * ((i < at * 14 * 24 ? 1 : rise) + 0.03 * normal(rng)); }),
                better, level);
        }
        const auto report = [](const char *name, const Tally &t) {
            qInfo("%-28s %3d cases: stable %5.1f %%, breaches %d, insufficient %d, level shifts %d", name, t.cases,
                100 * t.stableRate(), t.breaches, t.insufficient, t.shifts);
        };
        report("white noise (hourly)", white);
        report("AR(1) 0.6 noise (hourly)", red);
        report("AR(1) 0.9 noise (minute)", redMinute);
        report("bursts (1 % spikes ×5)", bursts);
        report("daily cycle (hourly, min)", cycle);
        report("single step (+30 %/-20 %)", steps);
        const double noiseStable
            = double(white.stable + red.stable + redMinute.stable) / (white.cases + red.cases + redMinute.cases);
        qInfo("noise cases stable: %.1f %%", 100 * noiseStable);
        // A 5 % test calls about 5 % of white noise a trend. On AR(1) noise the estimated autocorrelation factor
        // scatters, and the rate is 6–7 % (a one-off simulation of 2000 series of 168 hourly points: 6.0 % at φ
        // 0.6, 7.3 % at φ 0.9): the 95 % goal holds for white noise, not quite for autocorrelated noise
        // (docs/metrics.md says so).
        QVERIFY2(white.stableRate() >= 0.95, qPrintable(QString::number(white.stableRate())));
        QVERIFY2(noiseStable >= 0.93, qPrintable(QString::number(noiseStable)));
        QCOMPARE(
            white.breaches + red.breaches + redMinute.breaches + bursts.breaches + cycle.breaches + steps.breaches, 0);
        QCOMPARE(steps.shifts, steps.cases);
        QVERIFY(steps.stableRate() >= 0.9);
    }
};

QTEST_GUILESS_MAIN(TestTrend)
#include "tst_trend.moc"
