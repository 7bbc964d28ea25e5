// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/kpi.h"

#include "models/serieskey.h"

#include <algorithm>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash::Kpi {

namespace {

using Iter = QVector<SeriesPoint>::const_iterator;

Iter firstAtOrAfter(const QVector<SeriesPoint> &points, qint64 second)
{
    return std::lower_bound(
        points.cbegin(), points.cend(), second, [](const SeriesPoint &p, qint64 s) { return p.second < s; });
}

QuantileEstimate ownEstimate(const SeriesStats &s, double q, double value)
{
    QuantileEstimate e;
    e.q = q;
    e.value = value;
    e.n = quint64(std::max<qint64>(0, s.count));
    e.relativeError = s.quantileError;
    e.meaningful = s.isMeaningful(q);
    return e;
}

// Merges the sketches of points in [first, last); false when one of them carries none (or a corrupt one).
bool mergeSketches(Iter first, Iter last, std::optional<QuantileSketch> *out)
{
    for (Iter it = first; it != last; ++it) {
        if (it->stats.count <= 0)
            continue;
        if (it->stats.sketch.isEmpty())
            return false;
        auto sketch = QuantileSketch::deserialize(it->stats.sketch);
        if (!sketch)
            return false;
        if (!*out)
            *out = std::move(*sketch);
        else if (!(*out)->merge(*sketch))
            return false;
    }
    return true;
}

Latency fromSketch(const QuantileSketch &sketch, qint64 from, qint64 to)
{
    Latency l;
    l.p50 = WindowAggregate::estimate(sketch, 0.50);
    l.p95 = WindowAggregate::estimate(sketch, 0.95);
    l.p99 = WindowAggregate::estimate(sketch, 0.99);
    l.n = sketch.count();
    l.from = from;
    l.to = to;
    l.merged = true;
    return l;
}

Latency fromBucket(const SeriesPoint &p, qint64 step)
{
    Latency l;
    l.p50 = ownEstimate(p.stats, 0.50, p.stats.p50);
    l.p95 = ownEstimate(p.stats, 0.95, p.stats.p95);
    l.p99 = ownEstimate(p.stats, 0.99, p.stats.p99);
    l.n = quint64(std::max<qint64>(0, p.stats.count));
    l.from = p.second;
    l.to = p.second + step;
    return l;
}

// The bucket length of a series' points: the smallest gap between neighbours (1 for a single point).
qint64 stepOf(const QVector<SeriesPoint> &points)
{
    qint64 step = 0;
    for (qsizetype i = 1; i < points.size(); ++i) {
        const qint64 gap = points[i].second - points[i - 1].second;
        if (gap > 0 && (step == 0 || gap < step))
            step = gap;
    }
    return step > 0 ? step : 1;
}

double percentIfNeeded(double value)
{
    return value > 1.0 ? value / 100.0 : value; // a producer that sends percent
}

} // namespace

const QuantileSketch *DecodedSketches::at(qsizetype i)
{
    if (m_decoded.empty()) {
        m_decoded.resize(size_t(m_points->size()));
        m_tried.assign(size_t(m_points->size()), false);
    }
    if (!m_tried[size_t(i)]) {
        m_tried[size_t(i)] = true;
        const QByteArray &blob = m_points->at(i).stats.sketch;
        if (!blob.isEmpty())
            m_decoded[size_t(i)] = QuantileSketch::deserialize(blob);
    }
    return m_decoded[size_t(i)] ? &*m_decoded[size_t(i)] : nullptr;
}

Latency latency(const QVector<SeriesPoint> &points, qint64 from, qint64 to, DecodedSketches *decoded)
{
    if (decoded && decoded->points() != &points)
        decoded = nullptr; // another series' cache: decode here instead
    const Iter first = firstAtOrAfter(points, from);
    const Iter last = firstAtOrAfter(points, to);
    if (first == last)
        return { {}, {}, {}, 0, from, to, false };
    // Merge backwards from the newest bucket while buckets carry sketches: a live view that began following a series
    // a few seconds ago merges the seconds it has sketches for, and says from when.
    std::optional<QuantileSketch> merged;
    Iter begin = last;
    while (begin != first) {
        const Iter previous = std::prev(begin);
        if (previous->stats.count > 0 && previous->stats.sketch.isEmpty())
            break;
        if (decoded) {
            if (previous->stats.count > 0) {
                const QuantileSketch *one = decoded->at(previous - points.cbegin());
                if (!one || !(merged ? merged->merge(*one) : (merged = *one, true)))
                    break;
            }
            begin = previous;
            continue;
        }
        std::optional<QuantileSketch> one;
        if (!mergeSketches(previous, begin, &one))
            break;
        if (one && !(merged ? merged->merge(*one) : (merged = std::move(one), true)))
            break;
        begin = previous;
    }
    if (begin == first)
        return merged ? fromSketch(*merged, from, to) : Latency { {}, {}, {}, 0, from, to, true };
    if (merged && begin != std::prev(last))
        return fromSketch(*merged, begin->second, to);
    // Quantiles of several buckets cannot be averaged: without sketches, the newest bucket stands alone.
    return fromBucket(*std::prev(last), stepOf(points));
}

Latency headlineLatency(const QVector<SeriesPoint> &points, qint64 toSecond, quint64 minN, qint64 maxSeconds)
{
    qint64 span = kRecentSeconds;
    Latency l = latency(points, toSecond - span, toSecond);
    // Widen while n is short, as long as the seconds merge. An empty last 10 s widens too (a rare series), unless the
    // series has been silent for kSilentSeconds: a quiet source shows no old value as current.
    if (!l.hasData() && (points.isEmpty() || points.constLast().second < toSecond - kSilentSeconds))
        return l;
    while ((l.merged || !l.hasData()) && l.n < minN && span < maxSeconds) {
        span = std::min(maxSeconds, span * 2);
        l = latency(points, toSecond - span, toSecond);
    }
    return l;
}

QVector<RollingQuantile> rollingQuantile(
    const QVector<SeriesPoint> &points, double q, qint64 from, qint64 to, qint64 maxSeconds)
{
    QVector<RollingQuantile> out;
    const quint64 need = QuantileSketch::minCountFor(q);
    const Iter first = firstAtOrAfter(points, from);
    const Iter last = firstAtOrAfter(points, to);
    out.reserve(qsizetype(last - first));
    // Each sketch is decoded once per call, not once per point that merges it.
    const Iter cacheBegin = firstAtOrAfter(points, from - maxSeconds);
    std::vector<std::optional<QuantileSketch>> decoded(size_t(last - cacheBegin));
    std::vector<bool> tried(decoded.size(), false);
    const auto sketchAt = [&](Iter it) -> const std::optional<QuantileSketch> & {
        const size_t i = size_t(it - cacheBegin);
        if (!tried[i]) {
            tried[i] = true;
            if (!it->stats.sketch.isEmpty())
                decoded[i] = QuantileSketch::deserialize(it->stats.sketch);
        }
        return decoded[i];
    };
    for (Iter it = first; it != last; ++it) {
        if (it->stats.count <= 0)
            continue;
        RollingQuantile r;
        r.second = it->second;
        r.estimate = ownEstimate(it->stats, q, q >= 0.99 ? it->stats.p99 : q >= 0.95 ? it->stats.p95 : it->stats.p50);
        if (!r.estimate.meaningful && sketchAt(it)) {
            // Merge backwards until n is enough: the line stays a quantile of real values, over a longer window.
            QuantileSketch merged = *sketchAt(it);
            Iter begin = it;
            bool ok = true;
            while (merged.count() < need && begin != cacheBegin && it->second - std::prev(begin)->second < maxSeconds) {
                const Iter previous = std::prev(begin);
                if (previous->stats.count > 0) {
                    const auto &sketch = sketchAt(previous);
                    if (!sketch || !merged.merge(*sketch)) {
                        ok = false;
                        break;
                    }
                }
                begin = previous;
            }
            if (ok && merged.count() >= need) {
                r.estimate = WindowAggregate::estimate(merged, q);
                r.buckets = int(it - begin) + 1;
            }
        }
        out.push_back(r);
    }
    return out;
}

double countOf(const PointLookup &lookup, const QStringList &keys, qint64 from, qint64 to)
{
    double total = 0;
    for (const QString &key : keys) {
        const auto &points = lookup(key);
        for (Iter it = firstAtOrAfter(points, from); it != points.cend() && it->second < to; ++it)
            total += double(it->stats.count);
    }
    return total;
}

qint64 newestSecond(const PointLookup &lookup, const QStringList &keys)
{
    qint64 newest = -1;
    for (const QString &key : keys) {
        const auto &points = lookup(key);
        if (!points.isEmpty())
            newest = std::max(newest, points.constLast().second);
    }
    return newest;
}

Requests requests(const PointLookup &lookup, const SourceRoles &roles, qint64 from, qint64 to)
{
    Requests r;
    r.total = countOf(lookup, roles.requests, from, to);
    r.errors = countOf(lookup, roles.errors, from, to);
    r.errorsKnown = roles.failuresCounted;
    return r;
}

Rate throughput(const PointLookup &lookup, const SourceRoles &roles, const Coverage &coverage, qint64 from, qint64 to)
{
    Rate r;
    if (roles.requests.isEmpty())
        return r;
    r.count = countOf(lookup, roles.requests, from, to);
    r.seconds = coverage.seconds(from, to);
    if (r.seconds > 0)
        r.value = r.count / double(r.seconds);
    return r;
}

Ratio errorRate(const PointLookup &lookup, const SourceRoles &roles, qint64 from, qint64 to)
{
    Ratio r;
    if (!roles.failuresCounted)
        return r;
    const Requests counts = requests(lookup, roles, from, to);
    r.part = counts.errors;
    r.whole = counts.total;
    r.enough = r.whole >= kErrorRateMinRequests;
    if (r.whole > 0)
        r.value = std::min(1.0, r.part / r.whole);
    return r;
}

Gauge gauge(const QVector<SeriesPoint> &points, qint64 from, qint64 to)
{
    Gauge g;
    double sum = 0;
    for (Iter it = firstAtOrAfter(points, from); it != points.cend() && it->second < to; ++it) {
        if (it->stats.count <= 0 || !std::isfinite(it->stats.sum))
            continue;
        sum += it->stats.sum;
        g.samples += it->stats.count;
        g.newest = it->second;
    }
    if (g.samples > 0)
        g.value = sum / double(g.samples);
    return g;
}

Gauge queueDepth(const PointLookup &lookup, const SourceRoles &roles, qint64 from, qint64 to)
{
    return roles.queue.isEmpty() ? Gauge {} : gauge(lookup(roles.queue), from, to);
}

Ratio accuracy(const PointLookup &lookup, const SourceRoles &roles, qint64 from, qint64 to)
{
    Ratio r;
    if (roles.accuracy.isEmpty())
        return r;
    const Gauge g = gauge(lookup(roles.accuracy), from, to);
    if (g.samples <= 0)
        return r;
    if (SeriesKey::fromString(roles.accuracy).name == u"prediction.accuracy"_s) {
        // Each second's accuracy weighted by its scored predictions: correct / scored over the window.
        r.whole = double(g.samples);
        r.part = g.value * r.whole;
        r.value = g.value;
        r.enough = r.whole >= 20;
        return r;
    }
    r.value = percentIfNeeded(g.value);
    r.whole = double(g.samples);
    r.part = r.value * r.whole;
    r.enough = true; // the producer's own figure: its n is not ours to judge
    return r;
}

double memoryShare(double usedMb, double totalMb)
{
    return std::isfinite(usedMb) && std::isfinite(totalMb) && totalMb > 0 ? usedMb / totalMb : nan;
}

Ratio cacheHitRate(const PointLookup &lookup, const SourceRoles &roles, qint64 from, qint64 to)
{
    Ratio r;
    r.part = countOf(lookup, roles.cacheHits, from, to);
    r.whole = r.part + countOf(lookup, roles.apiCalls, from, to);
    r.enough = r.whole >= 20;
    if (r.whole > 0)
        r.value = r.part / r.whole;
    return r;
}

Figures figures(const PointLookup &lookup, const SourceRoles &roles, const Coverage &coverage, qint64 from, qint64 to,
    unsigned parts, const SketchLookup &sketches)
{
    Figures f;
    f.from = from;
    f.to = to;
    if ((parts & LatencyPart) && !roles.latency.isEmpty())
        f.latency = latency(lookup(roles.latency), from, to, sketches ? sketches(roles.latency) : nullptr);
    if (parts & ThroughputPart)
        f.throughput = throughput(lookup, roles, coverage, from, to);
    if (parts & ErrorRatePart)
        f.errorRate = errorRate(lookup, roles, from, to);
    if (parts & QueuePart)
        f.queue = queueDepth(lookup, roles, from, to);
    if (parts & AccuracyPart)
        f.accuracy = accuracy(lookup, roles, from, to);
    if ((parts & CpuPart) && !roles.cpu.isEmpty())
        f.cpu = gauge(lookup(roles.cpu), from, to);
    if ((parts & MemoryPart) && !roles.memory.isEmpty())
        f.memory = gauge(lookup(roles.memory), from, to);
    if ((parts & GpuPart) && !roles.gpu.isEmpty())
        f.gpu = gauge(lookup(roles.gpu), from, to);
    if (parts & CacheHitRatePart)
        f.cacheHitRate = cacheHitRate(lookup, roles, from, to);
    return f;
}

Window recentWindow(const PointLookup &lookup, const QStringList &keys, qint64 nowSecond, qint64 span)
{
    Window w { nowSecond - span, nowSecond };
    qint64 oldest = std::numeric_limits<qint64>::max();
    for (const QString &key : keys) {
        const auto &points = lookup(key);
        if (!points.isEmpty())
            oldest = std::min(oldest, points.constFirst().second);
    }
    if (oldest != std::numeric_limits<qint64>::max() && oldest < nowSecond)
        w.from = std::max(w.from, oldest);
    return w;
}

Window newestBucketWindow(const PointLookup &lookup, const QStringList &keys, qint64 step, qint64 nowSecond)
{
    step = std::max<qint64>(1, step);
    qint64 newest = std::numeric_limits<qint64>::min();
    for (const QString &key : keys) {
        const auto &points = lookup(key);
        for (auto it = points.crbegin(); it != points.crend(); ++it) {
            if (it->second + step <= nowSecond && it->stats.count > 0) {
                newest = std::max(newest, it->second);
                break;
            }
        }
    }
    if (newest == std::numeric_limits<qint64>::min())
        newest = nowSecond / step * step - step;
    return { newest, newest + step };
}

} // namespace perfdash::Kpi
