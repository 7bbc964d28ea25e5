// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/trendstats.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

namespace perfdash::TrendStats {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Up to this many pairs every slope is kept and selected directly (256 points).
constexpr qint64 kDirectPairs = 32768;

} // namespace

SlopeSelector::SlopeSelector(const double *t, const double *y, int n)
    : m_t(t)
    , m_y(y)
    , m_n(std::max(n, 0))
    , m_pairs(m_n < 2 ? 0 : qint64(m_n) * (m_n - 1) / 2)
{
    if (m_pairs <= kDirectPairs)
        return;
    // A fixed seed: the result is exact whatever the sample, and the run time is reproducible.
    const qint64 m = std::clamp<qint64>(m_pairs / 256, 4096, 65536);
    std::mt19937_64 rng(0x7e5d5eedULL ^ quint64(n));
    std::uniform_int_distribution<int> pick(0, n - 1);
    m_sample.reserve(size_t(m));
    while (qint64(m_sample.size()) < m) {
        int i = pick(rng), j = pick(rng);
        if (i == j)
            continue;
        if (i > j)
            std::swap(i, j);
        m_sample.push_back((y[j] - y[i]) / (t[j] - t[i]));
    }
    std::sort(m_sample.begin(), m_sample.end());
}

namespace {
// The slopes of the last bracket scanned on this thread, and whose they are (a selector's token).
thread_local std::vector<double> t_buffer;
thread_local quint64 t_bufferToken = 0;
std::atomic<quint64> s_nextToken { 0 }; // process-wide: a selector used on another thread must not match
} // namespace

PairSlopes SlopeSelector::select(std::vector<qint64> ranks, qint64 coverLow, qint64 coverHigh)
{
    PairSlopes out;
    out.pairs = m_pairs;
    out.values.assign(ranks.size(), std::numeric_limits<double>::quiet_NaN());
    if (m_pairs == 0)
        return out;
    for (qint64 &k : ranks)
        k = std::clamp<qint64>(k, 0, m_pairs - 1);
    std::vector<size_t> order(ranks.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ranks[a] < ranks[b]; });
    // Each nth_element leaves the buffer split at k: a later rank only needs the part between its neighbouring splits.
    const auto pick = [&](double *buf, qint64 below) {
        for (size_t r : order) {
            const qint64 k = ranks[r] - below;
            const auto next = std::lower_bound(m_splits.begin(), m_splits.end(), k);
            if (next != m_splits.end() && *next == k) {
                out.values[r] = buf[k];
                continue;
            }
            const qint64 from = next == m_splits.begin() ? 0 : *(next - 1) + 1;
            const qint64 to = next == m_splits.end() ? m_count : *next;
            std::nth_element(buf + from, buf + k, buf + to);
            out.values[r] = buf[k];
            m_splits.insert(next, k);
        }
    };
    // Answered from the last scan when it kept these ranks: the Sen bounds after the median.
    if (m_token != 0 && t_bufferToken == m_token && ranks[order.front()] >= m_below
        && ranks[order.back()] < m_below + m_count) {
        out.s = m_s;
        pick(t_buffer.data(), m_below);
        return out;
    }
    const qint64 wantLow = coverLow >= 0 ? std::min(coverLow, ranks[order.front()]) : ranks[order.front()];
    const qint64 wantHigh = std::clamp<qint64>(
        coverHigh >= 0 ? std::max(coverHigh, ranks[order.back()]) : ranks[order.back()], 0, m_pairs - 1);
    const double *t = m_t, *y = m_y;
    const int n = m_n;
    std::vector<double> &buffer = t_buffer;

    double lo = -kInf, hi = kInf;
    double widen = 4; // sample quantiles within ±4 sigma: a miss (one more pass) in 1 of 16,000 selections
    qint64 capacity = m_pairs;
    for (;;) {
        if (!m_sample.empty()) {
            const double m = double(m_sample.size());
            const auto spread = [&](double q) { return widen * std::sqrt(m * q * (1 - q)) + 8; };
            const double qLow = (double(std::max<qint64>(wantLow, 0)) + 0.5) / double(m_pairs);
            const double qHigh = (double(wantHigh) + 0.5) / double(m_pairs);
            const double loPos = std::floor(qLow * m - spread(qLow)), hiPos = std::ceil(qHigh * m + spread(qHigh));
            lo = loPos < 0 || widen > 1000 ? -kInf : m_sample[size_t(loPos)];
            hi = hiPos >= m || widen > 1000 ? kInf : m_sample[size_t(hiPos)];
            capacity = std::min(
                m_pairs, qint64((std::min(hiPos, m) - std::max(loPos, 0.0)) / m * double(m_pairs) * 1.5) + 4096);
        }
        if (buffer.size() < size_t(capacity + n))
            buffer.resize(size_t(capacity + n));
        double *buf = buffer.data();
        qint64 count = 0, below = 0, s = 0;
        bool overflow = false;
        // Slopes of a row first (the division vectorizes), then branch-free counting: which side of the bracket a
        // slope falls is a coin toss near the median, and a branch per pair ran 2x slower.
        thread_local std::vector<double> row;
        row.resize(size_t(n));
        for (int i = 0; i + 1 < n && !overflow; ++i) {
            const double ti = t[i], yi = y[i];
            const int len = n - i - 1;
            const double *ty = t + i + 1, *yy = y + i + 1;
            double *r = row.data();
            for (int j = 0; j < len; ++j)
                r[j] = (yy[j] - yi) / (ty[j] - ti);
            for (int j = 0; j < len; ++j) {
                const double slope = r[j]; // its sign is that of y[j] - y[i]: t increases
                s += qint64(slope > 0) - qint64(slope < 0);
                below += slope < lo;
                buf[count] = slope;
                count += (slope >= lo) & (slope <= hi);
            }
            overflow = count > capacity;
        }
        if (overflow) {
            capacity = std::min(m_pairs, capacity * 2); // the sample misjudged the density: rare
            continue;
        }
        out.s = s;
        if (ranks[order.front()] < below || ranks[order.back()] >= below + count) {
            widen *= 4; // a 4-sigma miss of the sample: rare; at last the bracket is all pairs
            continue;
        }
        m_token = ++s_nextToken;
        t_bufferToken = m_token;
        m_below = below;
        m_count = count;
        m_s = s;
        m_splits.clear();
        pick(buf, below);
        break;
    }
    if (buffer.size() > (size_t(1) << 22) && m_count < (qint64(1) << 20)) {
        buffer.resize(size_t(m_count));
        buffer.shrink_to_fit(); // don't keep 32 MB per thread after a week of minutes
    }
    return out;
}

double SlopeSelector::sampleMedian() const
{
    return m_sample.empty() ? std::numeric_limits<double>::quiet_NaN() : m_sample[m_sample.size() / 2];
}

PairSlopes pairSlopes(const double *t, const double *y, int n, const std::vector<qint64> &ranks)
{
    return SlopeSelector(t, y, n).select(ranks);
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
