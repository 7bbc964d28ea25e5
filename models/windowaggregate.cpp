// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/windowaggregate.h"

#include <utility>
#include <vector>

namespace perfdash {

namespace {
bool isAligned(qint64 start, qint64 step)
{
    return start % step == 0; // C++ remainder is 0 for negative multiples too
}
} // namespace

WindowAggregate::WindowAggregate(MetricKind kind, double relativeAccuracy)
    : m_kind(kind)
    , m_alpha(relativeAccuracy)
{ }

bool WindowAggregate::insert(Tier tier, qint64 start, SeriesSummary summary)
{
    if (!isAligned(start, stepOf(tier)) || summary.kind() != m_kind)
        return false;
    m_tiers[size_t(tier)].insert_or_assign(start, std::move(summary));
    return true;
}

bool WindowAggregate::rollUp(Tier tier, qint64 start)
{
    if (tier == Tier::Second || !isAligned(start, stepOf(tier)))
        return false;
    const auto finer = Tier(int(tier) - 1);
    const auto &fine = m_tiers[size_t(finer)];
    const auto first = fine.lower_bound(start);
    if (first == fine.end() || first->first >= start + stepOf(tier)) {
        m_tiers[size_t(tier)].erase(start); // nothing to roll up: no bucket, rather than an empty one
        return true;
    }
    bool failed = false;
    SeriesSummary merged = rollup(fine, start, stepOf(tier), m_kind, m_alpha, &failed);
    m_tiers[size_t(tier)].insert_or_assign(start, std::move(merged));
    return !failed;
}

void WindowAggregate::evictBefore(Tier tier, qint64 start)
{
    auto &buckets = m_tiers[size_t(tier)];
    buckets.erase(buckets.begin(), buckets.lower_bound(start));
}

SeriesSummary WindowAggregate::rollup(const std::map<qint64, SeriesSummary> &fine, qint64 start, qint64 span,
    MetricKind kind, double relativeAccuracy, bool *mergeFailed)
{
    SeriesSummary merged(kind, relativeAccuracy);
    bool failed = false;
    for (auto it = fine.lower_bound(start); it != fine.end() && it->first < start + span; ++it)
        failed |= !merged.merge(it->second);
    if (mergeFailed)
        *mergeFailed = failed;
    return merged;
}

SeriesSummary WindowAggregate::summarize(qint64 from, qint64 to, int *bucketsUsed, bool *mergeFailed) const
{
    SeriesSummary merged(m_kind, m_alpha);
    int used = 0;
    bool failed = false;
    // Coarsest tier first; what it does not cover, as a list of gaps, goes to the next finer tier.
    std::vector<std::pair<qint64, qint64>> gaps;
    if (from < to)
        gaps.emplace_back(from, to);
    for (int t = int(Tier::Hour); t >= int(Tier::Second) && !gaps.empty(); --t) {
        const auto &buckets = m_tiers[size_t(t)];
        const qint64 step = stepOf(Tier(t));
        std::vector<std::pair<qint64, qint64>> rest;
        for (const auto &[a, b] : gaps) {
            qint64 cursor = a;
            // A bucket that starts before a straddles the gap's edge, so lower_bound(a) skips it.
            for (auto it = buckets.lower_bound(a); it != buckets.end() && it->first + step <= b; ++it) {
                failed |= !merged.merge(it->second);
                ++used;
                if (it->first > cursor)
                    rest.emplace_back(cursor, it->first);
                cursor = it->first + step;
            }
            if (cursor < b)
                rest.emplace_back(cursor, b);
        }
        gaps = std::move(rest);
    }
    if (bucketsUsed)
        *bucketsUsed = used;
    if (mergeFailed)
        *mergeFailed = failed;
    return merged;
}

QuantileEstimate WindowAggregate::estimate(const QuantileSketch &sketch, double q)
{
    QuantileEstimate e;
    e.q = q;
    e.n = sketch.count();
    e.value = sketch.quantile(q);
    e.relativeError = sketch.collapsed() ? std::numeric_limits<double>::infinity() : sketch.relativeAccuracy();
    e.meaningful = sketch.isMeaningful(q);
    return e;
}

WindowStats WindowAggregate::statsOf(const SeriesSummary &summary, qint64 from, qint64 to)
{
    WindowStats w;
    w.from = from;
    w.to = to;
    w.kind = summary.kind();
    w.count = summary.count();
    w.rate = summary.kind() == MetricKind::Gauge || to <= from ? 0.0 : w.count / double(to - from);
    w.sum = summary.sum();
    w.mean = summary.mean();
    w.min = summary.min();
    w.max = summary.max();
    w.last = summary.last();
    w.uniqueCount = summary.uniqueCount();
    if (const QuantileSketch *sketch = summary.sketch()) {
        w.p50 = estimate(*sketch, 0.50);
        w.p90 = estimate(*sketch, 0.90);
        w.p95 = estimate(*sketch, 0.95);
        w.p99 = estimate(*sketch, 0.99);
        w.p999 = estimate(*sketch, 0.999);
    }
    return w;
}

WindowStats WindowAggregate::window(qint64 from, qint64 to) const
{
    int used = 0;
    bool failed = false;
    const SeriesSummary merged = summarize(from, to, &used, &failed);
    WindowStats w = statsOf(merged, from, to);
    w.buckets = used;
    w.mergeFailed = failed;
    return w;
}

QVector<WindowStats> WindowAggregate::query(qint64 from, qint64 to, qint64 step) const
{
    QVector<WindowStats> result;
    if (step <= 0 || to <= from)
        return result;
    result.reserve(qsizetype((to - from + step - 1) / step));
    for (qint64 start = from; start < to; start += step)
        result.push_back(window(start, std::min(to, start + step)));
    return result;
}

} // namespace perfdash
