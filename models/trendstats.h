// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#include <vector>

// The statistics behind models/trend.h: Theil–Sen order statistics, Mann–Kendall with ties, its autocorrelation
// factor and a rank scan for level shifts. Pure functions, QtCore only, any thread (scratch buffers are
// thread_local). Inputs are plain arrays with t strictly increasing (trend.cpp merges duplicated t) and finite y.
namespace perfdash::TrendStats {

// Order statistics of the N = n(n-1)/2 pair slopes (y[j] - y[i]) / (t[j] - t[i]), i < j, and the Mann–Kendall S.
struct PairSlopes {
    std::vector<double> values; // the exact slope at each requested 0-based rank (ascending order)
    qint64 pairs = 0;
    qint64 s = 0; // Σ sign(y[j] - y[i])
};
// Exact: every slope is computed once per call (branch-free), in O(N) time and O(n + ~N/15) memory at most: a sorted
// sample of pair slopes brackets the requested ranks, one pass counts the slopes below the bracket and keeps those
// inside, nth_element picks the ranks. The sample is drawn once per selector, so several selections share it.
// The bracket can be widened to cover ranks coverLow..coverHigh as well; the next select() on the same thread whose
// ranks lie in the kept bracket is answered without another pass (the Sen bounds after the median).
class SlopeSelector {
public:
    SlopeSelector(const double *t, const double *y, int n); // t, y must outlive the selector
    PairSlopes select(std::vector<qint64> ranks, qint64 coverLow = -1, qint64 coverHigh = -1);
    // The median of the sampled slopes (exact when all pairs fit the sample): a first guess to plan select() with.
    double sampleMedian() const;

private:
    const double *m_t, *m_y;
    int m_n;
    qint64 m_pairs;
    std::vector<double> m_sample; // empty: few enough pairs to keep them all
    quint64 m_token = 0; // which scan of this thread's buffer holds this selector's bracket
    qint64 m_below = 0, m_count = 0, m_s = 0;
    std::vector<qint64> m_splits; // buffer positions already in their sorted place (nth_element pivots), ascending
};
PairSlopes pairSlopes(const double *t, const double *y, int n, const std::vector<qint64> &ranks);

// Var(S) under no trend, with the tie correction: (n(n-1)(2n+5) - Σ g(g-1)(2g+5)) / 18 over groups g of equal y.
double mannKendallVariance(const double *y, int n);

// The Mann–Kendall variance inflation n/n* of Hamed & Rao (1998), 1 + 2/(n(n−1)(n−2)) Σ (n−k)(n−k−1)(n−k−2) ρ(k),
// over the ranks of y − slope·t, with ρ(k) = φ^k from their lag-1 coefficient φ, bias-corrected (the AR(1) model of
// Yue & Wang 2004, which is stable where summing noisy sample lags is not). Never below 1 (docs/metrics.md).
double autocorrelationFactor(const double *t, const double *y, int n, double slope);

// Where a single change in level most likely is: the split t in [minSegment, n − minSegment] that maximizes the
// standardized Pettitt (1979) statistic |U_t| / √(t(n − t)(n + 1)/3), i.e. the Mann–Whitney z of the two sides
// (without tie correction). Standardizing finds changes near the ends that Pettitt's own maximum misplaces (a shift
// 10 points before the end of 168). at = -1 when n < 2 · minSegment.
struct RankScan {
    int at = -1;
    double z = 0;
};
RankScan rankScan(const double *y, int n, int minSegment);

// Mann–Whitney rank-sum z of y[0, at) against y[at, n), tie-corrected; positive when the second part is higher.
double rankSumZ(const double *y, int n, int at);

// Midranks (ties get their mean rank), 1-based.
std::vector<double> ranks(const double *y, int n);

double normalCdf(double z);
// The standard normal quantile (Acklam's rational approximation and one Halley step: |error| < 1e-12).
double normalQuantile(double p);

// Student's t with df degrees of freedom through Wallace's (1959) normal approximation, z = (8ν + 1)/(8ν + 3) ·
// √(ν ln(1 + t²/ν)), within 0.002 of the exact quantiles from ν = 3: tToZ maps a t statistic onto the normal scale,
// tQuantile inverts it. Used where the variance rests on an effective n: n / the autocorrelation factor.
double tToZ(double t, double df);
double tQuantile(double p, double df);

// Median of v; reorders v. NaN when empty.
double median(std::vector<double> &v);

} // namespace perfdash::TrendStats
