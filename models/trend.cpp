// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/trend.h"
#include "models/trendstats.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>
#include <vector>

namespace perfdash::Trend {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr double kDay = 86400.0;
// The guard is stricter than the trend test: a cut throws data away, and it looks at every possible change time.
constexpr double kShiftZ = 3.5;
// A step must beat the line's total absolute residual by this factor: a steady drift looks like a "change" to a
// rank scan too, but a line explains it better than a step.
constexpr double kStepBetter = 0.8;
constexpr int kMinSegment = 3;
constexpr int kMaxShifts = 3;

// Usable input: finite, sorted, one point per t (duplicates averaged), values scaled by a power of two (exact) so
// differences of huge values cannot overflow.
struct Points {
    std::vector<qint64> ts;
    std::vector<double> t, y; // seconds since ts[0]; value / scale
    double scale = 1;
    qint64 step = 0; // median spacing
    int size() const { return int(ts.size()); }
};

Points prepare(QVector<Sample> &samples)
{
    samples.erase(
        std::remove_if(samples.begin(), samples.end(), [](const Sample &s) { return !std::isfinite(s.value); }),
        samples.end());
    std::stable_sort(samples.begin(), samples.end(), [](const Sample &a, const Sample &b) { return a.t < b.t; });
    double largest = 0;
    for (const Sample &s : samples)
        largest = std::max(largest, std::abs(s.value));
    Points p;
    p.scale = largest > 0 ? std::ldexp(1.0, std::ilogb(largest)) : 1.0;
    for (qsizetype i = 0; i < samples.size();) {
        qsizetype j = i;
        double mean = 0;
        for (; j < samples.size() && samples[j].t == samples[i].t; ++j)
            mean += (samples[j].value / p.scale - mean) / double(j - i + 1); // running mean: no overflow
        p.ts.push_back(samples[i].t);
        p.y.push_back(mean);
        i = j;
    }
    for (qint64 t : p.ts)
        p.t.push_back(double(t - p.ts.front()));
    if (p.ts.size() >= 2) {
        std::vector<double> gaps;
        for (size_t i = 1; i < p.ts.size(); ++i)
            gaps.push_back(double(p.ts[i] - p.ts[i - 1]));
        p.step = qint64(TrendStats::median(gaps));
    }
    return p;
}

// Theil–Sen slope (per second, scaled units), the median-based intercept at t = 0, and S.
struct Line {
    double slope = 0, intercept = 0;
    qint64 s = 0;
};

// Sen's interval (Gilbert 1987): 0-based ranks (N − C)/2 − 1 and (N + C)/2, C = t(0.975) √Var(S), rounded outwards.
std::pair<qint64, qint64> senRanks(qint64 pairs, double varS, double df)
{
    const double c = TrendStats::tQuantile(0.975, df) * std::sqrt(varS);
    return { std::clamp<qint64>(qint64(std::floor((double(pairs) - c) / 2)) - 1, 0, pairs - 1),
        std::clamp<qint64>(qint64(std::ceil((double(pairs) + c) / 2)), 0, pairs - 1) };
}

double effectiveDf(int n, double factor)
{
    return std::max(1.0, n / factor - 2);
}

Line medianLine(TrendStats::SlopeSelector &selector, const double *t, const double *y, int n)
{
    Line line;
    const qint64 pairs = qint64(n) * (n - 1) / 2;
    const std::vector<qint64> ranks
        = pairs % 2 ? std::vector<qint64> { pairs / 2 } : std::vector<qint64> { pairs / 2 - 1, pairs / 2 };
    // Keep enough slopes around the median for Sen's interval as the sampled median predicts it (C 1.2x wider):
    // then the interval needs no second pass over the pairs.
    std::pair<qint64, qint64> cover { -1, -1 };
    const double guess = selector.sampleMedian();
    if (std::isfinite(guess)) {
        const double factor = TrendStats::autocorrelationFactor(t, y, n, guess);
        cover = senRanks(pairs, 1.44 * TrendStats::mannKendallVariance(y, n) * factor, effectiveDf(n, factor));
    }
    const TrendStats::PairSlopes slopes = selector.select(ranks, cover.first, cover.second);
    line.s = slopes.s;
    line.slope = slopes.values.size() == 1 ? slopes.values[0] : (slopes.values[0] + slopes.values[1]) / 2;
    std::vector<double> offsets(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i)
        offsets[size_t(i)] = y[i] - line.slope * t[i];
    line.intercept = TrendStats::median(offsets);
    return line;
}

// A level shift at `at`: a step (two medians) leaves under kStepBetter of the line's Σ|residual|, and the two sides
// differ by a rank-sum test whose z, corrected for the step residuals' autocorrelation, passes kShiftZ.
bool isLevelShift(const double *t, const double *y, int n, const Line &line, int at)
{
    double lineCost = 0, stepCost = 0;
    for (int i = 0; i < n; ++i)
        lineCost += std::abs(y[i] - line.intercept - line.slope * t[i]);
    std::vector<double> before(y, y + at), after(y + at, y + n);
    const double m1 = TrendStats::median(before), m2 = TrendStats::median(after);
    std::vector<double> residuals(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        residuals[size_t(i)] = y[i] - (i < at ? m1 : m2);
        stepCost += std::abs(residuals[size_t(i)]);
    }
    if (!(stepCost < kStepBetter * lineCost))
        return false;
    const double factor = TrendStats::autocorrelationFactor(t, residuals.data(), n, 0);
    return std::abs(TrendStats::rankSumZ(y, n, at)) / std::sqrt(factor) > kShiftZ;
}

QString shortfall(const QString &what, qint64 have, qint64 need)
{
    return u"insufficient history"_s % what % u": "_s % durationText(have) % u" of "_s % durationText(need);
}

// The label rule of docs/metrics.md.
void label(Fit &f, qint64 s, double alpha)
{
    f.confidence = std::isfinite(f.p) ? 1 - f.p : 0;
    f.worsening = false;
    if (!(f.p < alpha)) {
        f.label = QString::fromUtf16(kStable);
        return;
    }
    const bool up = f.slopePerDay != 0 ? f.slopePerDay > 0 : s > 0;
    f.worsening = (f.better == Better::Lower) == up;
    const double weekly = std::abs(f.slopePerDay) * 7;
    const bool slight = weekly < kSlightWeeklyShare * std::abs(f.level);
    f.label = QString::fromUtf16(
        f.worsening ? (slight ? kSlightDecline : kDeclining) : (slight ? kSlightImprovement : kImproving));
}

} // namespace

Fit fit(QVector<Sample> samples, Better better, const Options &options)
{
    Fit f;
    f.better = better;
    Points p = prepare(samples);
    const int n = p.size();
    f.historySeconds = n ? p.ts.back() - p.ts.front() + p.step : 0;
    if (n == 0) {
        f.insufficient = u"insufficient history: none of "_s % durationText(options.minHistorySeconds);
        return f;
    }
    f.since = p.ts.front();
    f.until = p.ts.back();
    f.n = n;
    if (f.historySeconds < options.minHistorySeconds) {
        f.insufficient = shortfall({}, f.historySeconds, options.minHistorySeconds);
        return f;
    }
    if (n < std::max(options.minPoints, kMinSegment)) {
        f.insufficient = u"insufficient history: "_s % QString::number(n) % u" points of "_s
            % QString::number(std::max(options.minPoints, kMinSegment));
        return f;
    }

    // The changepoint guard: while a significant level shift fits better as a step than as a line, keep what follows.
    int start = 0;
    TrendStats::SlopeSelector selector(p.t.data(), p.y.data(), n);
    Line line = medianLine(selector, p.t.data(), p.y.data(), n);
    for (int round = 0; round < kMaxShifts; ++round) {
        const int m = n - start;
        const double *t = p.t.data() + start, *y = p.y.data() + start;
        const TrendStats::RankScan shift = TrendStats::rankScan(y, m, kMinSegment);
        if (shift.at < 0 || !isLevelShift(t, y, m, line, shift.at))
            break;
        start += shift.at;
        f.levelShift = true;
        f.shiftAt = p.ts[size_t(start)];
        f.since = f.shiftAt;
        f.n = n - start;
        const qint64 span = f.until - f.since + p.step;
        if (span < options.minHistorySeconds || f.n < std::max(options.minPoints, kMinSegment)) {
            f.insufficient = span < options.minHistorySeconds
                ? shortfall(u" since the level shift"_s, span, options.minHistorySeconds)
                : u"insufficient history since the level shift: "_s % QString::number(f.n) % u" points of "_s
                    % QString::number(std::max(options.minPoints, kMinSegment));
            return f;
        }
        selector = TrendStats::SlopeSelector(p.t.data() + start, p.y.data() + start, f.n);
        line = medianLine(selector, p.t.data() + start, p.y.data() + start, f.n);
    }

    const int m = f.n;
    const double *t = p.t.data() + start, *y = p.y.data() + start;
    f.sufficient = true;
    f.fittedSeconds = f.until - f.since + p.step;
    f.autocorrelationFactor = TrendStats::autocorrelationFactor(t, y, m, line.slope);
    const double varS = TrendStats::mannKendallVariance(y, m) * f.autocorrelationFactor;
    const double s = double(line.s);
    // The factor is itself estimated: judge z against Student's t on the effective n (judged against the normal, a
    // 5 % test called 6–10 % of AR(1) noise a trend; with t, 6–7 %).
    const double df = effectiveDf(m, f.autocorrelationFactor);
    f.z = varS > 0 ? (s - (s > 0) + (s < 0)) / std::sqrt(varS) : 0;
    f.p = std::erfc(std::abs(TrendStats::tToZ(f.z, df)) / std::sqrt(2.0));

    const qint64 pairs = qint64(m) * (m - 1) / 2;
    const double t95 = TrendStats::tQuantile(0.975, df);
    const auto [lowRank, highRank] = senRanks(pairs, varS, df);
    const TrendStats::PairSlopes bounds = selector.select({ lowRank, highRank });

    std::vector<double> residuals(static_cast<size_t>(m));
    double centre = 0;
    for (int i = 0; i < m; ++i) {
        residuals[size_t(i)] = y[i] - line.intercept - line.slope * t[i];
        centre += (t[i] - centre) / double(i + 1);
    }
    const double rmid = TrendStats::median(residuals);
    double meanAbs = 0;
    for (double &r : residuals) {
        r = std::abs(r - rmid);
        meanAbs += r / double(m);
    }
    double sigma = 1.4826 * TrendStats::median(residuals);
    if (sigma == 0) // more than half the residuals tie (quantized values): the MAD says nothing
        sigma = std::sqrt(M_PI / 2) * meanAbs;

    const double perDay = p.scale * kDay;
    f.slopePerDay = line.slope * perDay;
    f.slopeLowPerDay = bounds.values[0] * perDay;
    f.slopeHighPerDay = bounds.values[1] * perDay;
    f.level = (line.intercept + line.slope * t[m - 1]) * p.scale;
    f.residualSigma = sigma * p.scale;
    f.centerT = double(p.ts.front()) + centre;
    // The median's variance is π/2 σ²/n for normal noise; autocorrelation leaves n / factor effective points.
    f.centerSigma = f.residualSigma * std::sqrt(M_PI / 2 * f.autocorrelationFactor / m);
    f.slopeSigmaPerDay = (f.slopeHighPerDay - f.slopeLowPerDay) / (2 * t95);
    f.effectiveDf = df;
    label(f, line.s, options.alpha);
    return f;
}

QVector<Fit> fitAll(const QVector<QVector<Sample>> &series, const QVector<Better> &better, const Options &options)
{
    QVector<Fit> out(series.size());
    Fit *results = out.data(); // detached once, here: the workers only write their own elements
    std::atomic<qsizetype> next { 0 };
    const auto work = [&]() {
        for (qsizetype i = next++; i < series.size(); i = next++)
            results[i] = fit(series[i], better.value(i, Better::Lower), options);
    };
    const qsizetype threads = std::clamp<qsizetype>(
        qsizetype(std::thread::hardware_concurrency()), 1, std::max<qsizetype>(series.size(), 1));
    std::vector<std::thread> pool;
    for (qsizetype i = 1; i < threads; ++i)
        pool.emplace_back(work);
    work();
    for (std::thread &t : pool)
        t.join();
    return out;
}

} // namespace perfdash::Trend
