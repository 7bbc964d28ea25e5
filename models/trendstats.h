// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#include <vector>

// The statistics behind models/trend.h: Theil–Sen order statistics, Mann–Kendall with ties, the Hamed–Rao
// autocorrelation factor and Pettitt's changepoint test. Pure functions, QtCore only, any thread (scratch buffers are
// thread_local). Inputs are plain arrays with t strictly increasing (trend.cpp merges duplicated t) and finite y.
namespace perfdash::TrendStats {

// Order statistics of the N = n(n-1)/2 pair slopes (y[j] - y[i]) / (t[j] - t[i]), i < j, and the Mann–Kendall S.
struct PairSlopes {
    std::vector<double> values; // the exact slope at each requested 0-based rank (ascending order)
    qint64 pairs = 0;
    qint64 s = 0; // Σ sign(y[j] - y[i])
};
// Exact: every slope is computed once per call, in O(N) time and O(n + N / 35) memory at most (a sampled bracket
// around each rank, then one pass that counts the slopes below it and keeps only those inside).
PairSlopes pairSlopes(const double *t, const double *y, int n, const std::vector<qint64> &ranks);

// Var(S) under no trend, with the tie correction: (n(n-1)(2n+5) - Σ g(g-1)(2g+5)) / 18 over groups g of equal y.
double mannKendallVariance(const double *y, int n);

// Hamed & Rao (1998): n/n* from the autocorrelation of the ranks of y - slope * t, counting only lags whose
// coefficient is outside ±z(1 - alpha/2)/√n, up to lag n/4. Never below 1 (see docs/metrics.md).
double hamedRaoFactor(const double *t, const double *y, int n, double slope, double alpha);

// Pettitt (1979): the most likely single change in level. at: the first index of the second segment.
struct Pettitt {
    int at = -1;
    double k = 0;
    double p = 1; // approximate two-sided p-value, 2 exp(-6K² / (n³ + n²)), clamped to [0, 1]
};
Pettitt pettitt(const double *y, int n);

// Midranks (ties get their mean rank), 1-based.
std::vector<double> ranks(const double *y, int n);

double normalCdf(double z);
// The standard normal quantile (Acklam's rational approximation and one Halley step: |error| < 1e-12).
double normalQuantile(double p);

// Median of v; reorders v. NaN when empty.
double median(std::vector<double> &v);

} // namespace perfdash::TrendStats
