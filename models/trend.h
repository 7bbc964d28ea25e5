// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QVector>
#include <QtGlobal>

#include <limits>

namespace perfdash::Trend {

// Robust trends of a KPI over history buckets and the projected date it crosses a threshold (docs/metrics.md,
// "Trends and projections", is the one definition). Pure functions of values; QtCore only, no I/O, any thread.
// Cost: exact O(n²) time for n points, memory a fraction of the n²/2 pair slopes (about 1.9 ms for 720 points, 6 ms
// for 1,440, 0.19 s for 10,080: docs/benchmarks.md); fitAll spreads many series over the cores.
//
// - Theil–Sen slope with Sen's 95 % interval, from the Mann–Kendall variance with ties and the Hamed–Rao (1998)
//   autocorrelation correction (lag-1 AR(1) model, as Yue–Wang 2004); the label comes from that corrected test.
// - A changepoint guard (a standardized Pettitt / rank-sum scan, confirmed by a step fitting better than the line):
//   after a level shift only the data from the shift on is used, so a step is never a trend.
// - Too little history is said, never guessed: `insufficient` holds the reason.

inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();

struct Sample {
    qint64 t = 0; // bucket start, Unix seconds
    double value = 0; // NaN and ±inf are skipped
};

enum class Better { Higher, Lower }; // accuracy/throughput: Higher; latency/error rate: Lower

struct Options {
    qint64 minHistorySeconds = 24LL * 3600; // below this: not sufficient, say so
    int minPoints = 12;
    double alpha = 0.05; // significance of the autocorrelation-corrected Mann–Kendall test
};

// The labels, spelt as seed 001 spells them. "declining" always means getting worse given Better.
inline constexpr char16_t kStable[] = u"stable";
inline constexpr char16_t kSlightDecline[] = u"slight_decline";
inline constexpr char16_t kDeclining[] = u"declining";
inline constexpr char16_t kSlightImprovement[] = u"slight_improvement";
inline constexpr char16_t kImproving[] = u"improving";
// A projection looks at most this many times the history it was fitted on ahead: a line fitted on one day says
// little about the next month (one in twenty noise series has a "significant" trend to extrapolate).
inline constexpr int kMaxExtrapolation = 2;
// A significant trend is "slight" while the fitted change over 7 days is below this share of the level.
inline constexpr double kSlightWeeklyShare = 0.05;

struct Fit {
    int n = 0; // points used (after merging duplicated t and the changepoint guard)
    qint64 since = 0, until = 0; // first and last t used
    qint64 historySeconds = 0; // span of all usable input, plus one typical step (24 hourly points: 24 h)
    qint64 fittedSeconds = 0; // the same for the points used (from `since`)
    bool sufficient = false;
    QString insufficient; // "insufficient history: 5 h of 24 h"; empty when sufficient
    bool levelShift = false; // the changepoint guard fired: only data from shiftAt on is used
    qint64 shiftAt = 0;
    double slopePerDay = nan, slopeLowPerDay = nan, slopeHighPerDay = nan; // Theil–Sen and Sen's 95 % interval
    double level = nan; // the fitted line's value at `until` (median-based intercept)
    double residualSigma = nan; // 1.4826 × MAD of the residuals (√(π/2) × mean |residual| when the MAD is 0)
    double z = nan, p = nan; // Mann–Kendall, Hamed–Rao corrected
    double autocorrelationFactor = nan; // Hamed–Rao n/n* (≥ 1); the effective number of points is n / this
    double effectiveDf = nan; // n / autocorrelationFactor − 2: Student's t degrees of freedom for z, p and intervals
    QString label = QString::fromUtf16(kStable); // stable, slight_decline, declining, slight_improvement, improving
    bool worsening = false; // the label is slight_decline or declining
    // 1 − p: how sure the corrected test is that the series has a monotonic trend (either way); 0 when insufficient.
    // The label is not "stable" only when confidence ≥ 1 − alpha.
    double confidence = 0;
    Better better = Better::Lower;
    // The line's uncertainty, for projectBreach and cone: its standard error at centerT (from the residual spread and
    // the effective n) and the slope's (Sen's 95 % half-width / t(0.975, effectiveDf)); Var(line(t)) = centerSigma² +
    // ((t − centerT) / 1 d)² × slopeSigmaPerDay².
    double centerT = nan, centerSigma = nan, slopeSigmaPerDay = nan;

    double valueAt(qint64 t) const { return level + slopePerDay * double(t - until) / 86400.0; }
    double lineSigmaAt(qint64 t) const;
};

Fit fit(QVector<Sample> samples, Better better, const Options &options = {});
// Many fits at once on std::thread workers (up to the core count); the result is in the order of `series`.
QVector<Fit> fitAll(const QVector<QVector<Sample>> &series, const QVector<Better> &better, const Options &options = {});

inline constexpr qint64 kUnbounded = std::numeric_limits<qint64>::max();

struct Breach {
    // The line crosses `threshold` in the worsening direction within the horizon, and the trend is not "stable".
    bool projected = false;
    // The projected crossing of the fitted line (set whenever it crosses in the worsening direction, even beyond
    // the horizon or when not significant; 0 if it never does).
    qint64 at = 0;
    // 90 % interval of the crossing (inverting the line's confidence band, slope and level uncertainty together);
    // latest == kUnbounded when the band never clears the threshold (the slope is not well enough known).
    qint64 earliest = 0, latest = 0;
    // Probability, under the fit's normal approximation, that the line is past the threshold at now + horizon.
    double confidence = 0;
    bool alreadyBreached = false; // the fitted level is already past the threshold
    qint64 now = 0;
    // The horizon looked at: the one asked for, or kMaxExtrapolation × fit.fittedSeconds if that is shorter (capped).
    qint64 horizonSeconds = 0;
    bool capped = false;
};
// now: the time the projection starts from (usually fit.until); horizon: how far to look (at most kMaxExtrapolation
// times the fitted history).
Breach projectBreach(const Fit &fit, double threshold, qint64 now, qint64 horizonSeconds = 30LL * 86400);

// For drawing: the projected line and its 90 % prediction cone for a bucket's value (line uncertainty plus residual
// noise, widening with time) from fit.until to `to`, `points` points evenly spaced. Empty when not sufficient.
struct ConePoint {
    qint64 t = 0;
    double value = nan, low = nan, high = nan;
};
QVector<ConePoint> cone(const Fit &fit, qint64 to, int points = 32);

// The one wording: "breach in ~9 d (6–14 d), 78 %" / "no breach projected within 30 d" / "no breach projected within
// 2 d (twice the history)" / "already past the threshold" / "insufficient history: 5 h of 24 h".
QString describe(const Fit &fit, const Breach &breach);
// "5 h", "45 min", "9 d": whole units, rounded down.
QString durationText(qint64 seconds);

} // namespace perfdash::Trend
