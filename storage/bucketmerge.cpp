// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/bucketmerge.h"

#include "models/quantilesketch.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

namespace perfdash {

namespace {
double nanMin(double a, double b)
{
    return std::isnan(a) ? b : std::isnan(b) ? a : std::min(a, b);
}
double nanMax(double a, double b)
{
    return std::isnan(a) ? b : std::isnan(b) ? a : std::max(a, b);
}
} // namespace

void BucketMerge::add(StoredPoint &into, const StoredPoint &p)
{
    into.count += p.count;
    into.sum += std::isnan(p.sum) ? 0.0 : p.sum;
    into.min = nanMin(into.min, p.min);
    into.max = nanMax(into.max, p.max);
    if (!std::isnan(p.last))
        into.last = p.last;
    into.unique = std::max(into.unique, p.unique); // sets are not mergeable from counts: a lower bound
}

void BucketMerge::addApproximation(QuantileSketch &sketch, const StoredPoint &p)
{
    if (p.count <= 0 || std::isnan(p.min) || std::isnan(p.max))
        return;
    std::array<std::pair<double, double>, 7> knots {};
    int k = 0;
    knots[size_t(k++)] = { 0.0, p.min };
    for (int i = 0; i < StoredPoint::kQuantiles; ++i) {
        if (std::isfinite(p.q[size_t(i)]))
            knots[size_t(k++)] = { StoredPoint::kQuantileLevels[size_t(i)], p.q[size_t(i)] };
    }
    knots[size_t(k++)] = { 1.0, p.max };
    // n points standing for consecutive runs of ranks, weighted to count exactly p.count values (a second weighs in a
    // merge as much as its real samples, never more). Quantiles are "lower" ones: level q is the value at rank
    // floor(q * (count - 1)), so a run of ranks [a, a + w) sits at the level of its middle, (a + (w - 1) / 2 + 0.5) /
    // (count - 1); rank 0 is min and rank count - 1 is max.
    const qint64 n = std::min<qint64>(p.count, kMaxSyntheticValues);
    const double last = double(std::max<qint64>(1, p.count - 1));
    int seg = 0;
    for (qint64 i = 0; i < n; ++i) {
        const qint64 first = i * p.count / n;
        const qint64 weight = (i + 1) * p.count / n - first;
        const double rank = double(first) + double(weight - 1) / 2.0;
        const double r = first == 0 && weight == 1 ? 0.0 : std::min(1.0, (rank + 0.5) / last);
        while (seg + 2 < k && r > knots[size_t(seg + 1)].first)
            ++seg;
        const auto [q0, v0] = knots[size_t(seg)];
        const auto [q1, v1] = knots[size_t(seg + 1)];
        const double f = std::clamp(q1 > q0 ? (r - q0) / (q1 - q0) : 0.0, 0.0, 1.0);
        // Geometric between two positive knots: latencies are closer to linear in log space (a long tail between
        // p99 and max is not a straight line), and the sketch's buckets are log-spaced too.
        const double v = v0 > 0.0 && v1 > 0.0 ? v0 * std::pow(v1 / v0, f) : v0 + (v1 - v0) * f;
        sketch.add(v, quint64(weight));
    }
}

void BucketMerge::addSecond(QuantileSketch &sketch, const std::optional<QuantileSketch> &own, const StoredPoint &p)
{
    if (own && sketch.merge(*own))
        return;
    addApproximation(sketch, p);
}

void BucketMerge::setQuantiles(StoredPoint &row, const QuantileSketch &sketch)
{
    if (sketch.isEmpty())
        return;
    for (int i = 0; i < StoredPoint::kQuantiles; ++i)
        row.q[size_t(i)] = sketch.quantile(StoredPoint::kQuantileLevels[size_t(i)]);
}

} // namespace perfdash
