// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/trendstats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

namespace perfdash::TrendStats {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Up to this many pairs every slope is kept and selected directly (256 points).
constexpr qint64 kDirectPairs = 32768;

struct Bracket {
    qint64 rank = 0;
    double lo = -kInf, hi = kInf;
    qint64 below = 0;
    std::vector<double> *inside = nullptr;
};

// One pass over all pairs: counts the slopes below each bracket and keeps those inside; returns S.
qint64 scanPairs(const double *t, const double *y, int n, std::vector<Bracket> &brackets)
{
    qint64 s = 0;
    for (Bracket &b : brackets) {
        b.below = 0;
        b.inside->clear();
    }
    for (int i = 0; i + 1 < n; ++i) {
        const double ti = t[i], yi = y[i];
        for (int j = i + 1; j < n; ++j) {
            const double dy = y[j] - yi;
            s += (dy > 0) - (dy < 0);
            const double slope = dy / (t[j] - ti);
            for (Bracket &b : brackets) {
                if (slope < b.lo)
                    ++b.below;
                else if (slope <= b.hi)
                    b.inside->push_back(slope);
            }
        }
    }
    return s;
}

} // namespace

PairSlopes pairSlopes(const double *t, const double *y, int n, const std::vector<qint64> &ranks)
{
    PairSlopes out;
    out.pairs = n < 2 ? 0 : qint64(n) * (n - 1) / 2;
    const qint64 pairs = out.pairs;
    out.values.assign(ranks.size(), std::numeric_limits<double>::quiet_NaN());
    if (pairs == 0)
        return out;
    // Reused across calls: a dashboard fits hundreds of series on one worker thread.
    thread_local std::vector<double> all;
    thread_local std::vector<std::vector<double>> insides;
    if (pairs <= kDirectPairs) {
        all.clear();
        qint64 s = 0;
        for (int i = 0; i + 1 < n; ++i)
            for (int j = i + 1; j < n; ++j) {
                const double dy = y[j] - y[i];
                s += (dy > 0) - (dy < 0);
                all.push_back(dy / (t[j] - t[i]));
            }
        out.s = s;
        for (size_t r = 0; r < ranks.size(); ++r) {
            const qint64 k = std::clamp<qint64>(ranks[r], 0, pairs - 1);
            std::nth_element(all.begin(), all.begin() + k, all.end());
            out.values[r] = all[size_t(k)];
        }
        return out;
    }

    // A fixed seed: the result is exact whatever the sample, and the run time is reproducible.
    const qint64 m = std::clamp<qint64>(pairs / 256, 4096, 65536);
    std::mt19937_64 rng(0x7e5d5eedULL ^ quint64(n));
    std::uniform_int_distribution<int> pick(0, n - 1);
    std::vector<double> sample;
    sample.reserve(size_t(m));
    while (qint64(sample.size()) < m) {
        int i = pick(rng), j = pick(rng);
        if (i == j)
            continue;
        if (i > j)
            std::swap(i, j);
        sample.push_back((y[j] - y[i]) / (t[j] - t[i]));
    }
    std::sort(sample.begin(), sample.end());

    insides.resize(std::max(insides.size(), ranks.size()));
    std::vector<Bracket> brackets(ranks.size());
    std::vector<double> widen(ranks.size(), 5.0);
    std::vector<size_t> pending(ranks.size());
    std::iota(pending.begin(), pending.end(), size_t(0));
    bool first = true;
    while (!pending.empty()) {
        std::vector<Bracket> round;
        for (size_t r : pending) {
            Bracket b;
            b.rank = std::clamp<qint64>(ranks[r], 0, pairs - 1);
            const double q = (double(b.rank) + 0.5) / double(pairs);
            const double pos = q * double(m);
            const double spread = widen[r] * std::sqrt(double(m) * q * (1 - q)) + 8;
            const double loPos = std::floor(pos - spread), hiPos = std::ceil(pos + spread);
            // Infinite edges once widening gives up on the sample: then the bracket is all pairs.
            b.lo = (loPos < 0 || widen[r] > 1000) ? -kInf : sample[size_t(loPos)];
            b.hi = (hiPos >= double(m) || widen[r] > 1000) ? kInf : sample[size_t(hiPos)];
            b.inside = &insides[r];
            round.push_back(b);
        }
        const qint64 s = scanPairs(t, y, n, round);
        if (first)
            out.s = s;
        first = false;
        std::vector<size_t> missed;
        for (size_t i = 0; i < pending.size(); ++i) {
            Bracket &b = round[i];
            const qint64 k = b.rank - b.below;
            if (k >= 0 && k < qint64(b.inside->size())) {
                std::nth_element(b.inside->begin(), b.inside->begin() + k, b.inside->end());
                out.values[pending[i]] = (*b.inside)[size_t(k)];
            } else {
                widen[pending[i]] *= 4; // rare (a 5-sigma miss): the next round is wider, at last all pairs
                missed.push_back(pending[i]);
            }
            if (b.inside->capacity() > (1u << 20))
                std::vector<double>().swap(*b.inside); // don't keep megabytes per thread after a big series
        }
        pending = missed;
    }
    return out;
}

double mannKendallVariance(const double *y, int n)
{
    if (n < 2)
        return 0;
    std::vector<double> v(y, y + n);
    std::sort(v.begin(), v.end());
    const double dn = n;
    double ties = 0;
    for (int i = 0; i < n;) {
        int j = i + 1;
        while (j < n && v[size_t(j)] == v[size_t(i)])
            ++j;
        const double g = j - i;
        ties += g * (g - 1) * (2 * g + 5);
        i = j;
    }
    return (dn * (dn - 1) * (2 * dn + 5) - ties) / 18.0;
}

std::vector<double> ranks(const double *y, int n)
{
    std::vector<int> order(size_t(std::max(n, 0)));
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [y](int a, int b) { return y[a] < y[b]; });
    std::vector<double> r(size_t(std::max(n, 0)));
    for (int i = 0; i < n;) {
        int j = i + 1;
        while (j < n && y[order[size_t(j)]] == y[order[size_t(i)]])
            ++j;
        const double mid = (i + 1 + j) / 2.0; // mean of ranks i+1 .. j
        for (int k = i; k < j; ++k)
            r[size_t(order[size_t(k)])] = mid;
        i = j;
    }
    return r;
}

double autocorrelationFactor(const double *t, const double *y, int n, double slope)
{
    if (n < 4)
        return 1;
    std::vector<double> detrended(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i)
        detrended[size_t(i)] = y[i] - slope * t[i];
    std::vector<double> r = ranks(detrended.data(), n);
    const double mean = (n + 1) / 2.0;
    double denom = 0, lag1 = 0;
    for (double &v : r) {
        v -= mean;
        denom += v * v;
    }
    if (denom <= 0)
        return 1;
    for (int i = 0; i + 1 < n; ++i)
        lag1 += r[size_t(i)] * r[size_t(i + 1)];
    const double dn = n;
    // The sample lag-1 coefficient is biased low by about (1 + 3φ)/n (Marriott and Pope): undone, so short series
    // are not called trends for autocorrelation the estimate missed. Only positive correlation counts.
    const double phi = std::clamp((dn * lag1 / denom + 1) / (dn - 3), 0.0, 0.99);
    double sum = 0, rho = 1;
    for (int k = 1; k < n; ++k) {
        rho *= phi;
        if (rho < 1e-9)
            break;
        sum += (dn - k) * (dn - k - 1) * (dn - k - 2) * rho;
    }
    return std::clamp(1 + 2 * sum / (dn * (dn - 1) * (dn - 2)), 1.0, dn);
}

double rankSumZ(const double *y, int n, int at)
{
    if (at <= 0 || at >= n)
        return 0;
    const std::vector<double> r = ranks(y, n);
    double r2 = 0;
    for (int i = at; i < n; ++i)
        r2 += r[size_t(i)];
    const double n1 = at, n2 = n - at, dn = n;
    const double u = r2 - n2 * (n2 + 1) / 2 - n1 * n2 / 2;
    std::vector<double> sorted(y, y + n);
    std::sort(sorted.begin(), sorted.end());
    double ties = 0;
    for (int i = 0; i < n;) {
        int j = i + 1;
        while (j < n && sorted[size_t(j)] == sorted[size_t(i)])
            ++j;
        const double g = j - i;
        ties += g * g * g - g;
        i = j;
    }
    const double var = n1 * n2 / 12 * ((dn + 1) - ties / (dn * (dn - 1)));
    return var > 0 ? u / std::sqrt(var) : 0;
}

RankScan rankScan(const double *y, int n, int minSegment)
{
    RankScan out;
    minSegment = std::max(minSegment, 1);
    if (n < 2 * minSegment)
        return out;
    const std::vector<double> r = ranks(y, n);
    const double dn = n;
    double cumulative = 0, best = -1;
    for (int t = 1; t <= n - minSegment; ++t) {
        cumulative += r[size_t(t - 1)];
        if (t < minSegment)
            continue;
        const double u = 2 * cumulative - double(t) * (dn + 1);
        const double z = -u / std::sqrt(double(t) * (dn - t) * (dn + 1) / 3); // positive: the second side is higher
        if (std::abs(z) > best) {
            best = std::abs(z);
            out = { t, z };
        }
    }
    return out;
}

double normalCdf(double z)
{
    return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

double normalQuantile(double p)
{
    if (!(p > 0 && p < 1))
        return p == 0 ? -kInf : p == 1 ? kInf : std::numeric_limits<double>::quiet_NaN();
    static constexpr double a[] = { -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
        1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00 };
    static constexpr double b[] = { -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
        6.680131188771972e+01, -1.328068155288572e+01 };
    static constexpr double c[] = { -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
        -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00 };
    static constexpr double d[]
        = { 7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00 };
    constexpr double low = 0.02425;
    double x;
    if (p < low) {
        const double q = std::sqrt(-2 * std::log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (p <= 1 - low) {
        const double q = p - 0.5, r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    } else {
        const double q = std::sqrt(-2 * std::log(1 - p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    // One Halley step on the exact CDF brings the approximation's 1e-9 to about machine precision.
    const double e = normalCdf(x) - p;
    const double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
    return x - u / (1 + x * u / 2);
}

double tToZ(double t, double df)
{
    if (!(df > 0) || !std::isfinite(df))
        return t;
    const double z = (8 * df + 1) / (8 * df + 3) * std::sqrt(df * std::log1p(t * t / df));
    return t < 0 ? -z : z;
}

double tQuantile(double p, double df)
{
    const double z = normalQuantile(p);
    if (!(df > 0) || !std::isfinite(df))
        return z;
    const double w = z * (8 * df + 3) / (8 * df + 1);
    const double t = std::sqrt(df * std::expm1(w * w / df));
    return z < 0 ? -t : t;
}

double median(std::vector<double> &v)
{
    if (v.empty())
        return std::numeric_limits<double>::quiet_NaN();
    const size_t mid = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + qptrdiff(mid), v.end());
    const double upper = v[mid];
    if (v.size() % 2)
        return upper;
    return (*std::max_element(v.begin(), v.begin() + qptrdiff(mid)) + upper) / 2;
}

} // namespace perfdash::TrendStats
