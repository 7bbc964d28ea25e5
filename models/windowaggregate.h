// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/seriessummary.h"

#include <QVector>

#include <array>
#include <map>

namespace perfdash {

// One quantile of a window with its evidence: the GUI shows relativeError and greys the value out unless meaningful.
struct QuantileEstimate {
    double q = 0;
    double value = std::numeric_limits<double>::quiet_NaN(); // within relativeError of the value at rank floor(q(n-1))
    quint64 n = 0; // values the estimate comes from
    // The sketch's relative accuracy; +inf when the sketch had to collapse buckets, because quantiles among the
    // collapsed values may then overstate their magnitude by more.
    double relativeError = std::numeric_limits<double>::quiet_NaN();
    bool meaningful = false; // n >= 1 / (1 - q): p99 needs 100 values, p999 1000 (QuantileSketch::minCountFor)
};

// The statistics of one series over one window [from, to), from merged summaries, never from averaged quantiles.
struct WindowStats {
    qint64 from = 0; // unix seconds
    qint64 to = 0;
    MetricKind kind = MetricKind::Counter;
    double count = 0; // counters: rate-scaled increments; others: samples
    double rate = 0; // count / (to - from); 0 for gauges
    double sum = 0;
    double mean = std::numeric_limits<double>::quiet_NaN(); // gauges, timers, distributions
    double min = std::numeric_limits<double>::quiet_NaN();
    double max = std::numeric_limits<double>::quiet_NaN();
    double last = std::numeric_limits<double>::quiet_NaN(); // gauges
    qint64 uniqueCount = 0; // sets: distinct members over the whole window
    QuantileEstimate p50, p90, p95, p99, p999; // timers and distributions
    int buckets = 0; // stored buckets merged (of any tier)
    bool mergeFailed = false; // a bucket of another kind or sketch accuracy was left out

    bool isEmpty() const { return count == 0 && buckets == 0; }
};

// The stored summaries of one series in three tiers (1 s, 1 min, 1 h), and the one window API over them.
//
// Contract:
// - A plain value type holding data only in memory; not thread-safe. Storage decides what to keep and hands buckets
//   in with insert(), for example from SeriesSummary::fromStats() over stored rows with their sketch blobs.
// - A bucket of tier T starts at a multiple of T's step. Rollups merge the buckets of a finer tier into a coarser one;
//   roll a period up only once its finer buckets are final (closed), or the coarse bucket misses what came later.
// - A window [from, to) merges, for each part of it, the coarsest stored bucket that lies wholly inside it, and finer
//   buckets for what is left at the edges or where coarse buckets are missing. Nothing is counted twice, and a bucket
//   that straddles an edge is never used: a window edge that is not minute-aligned needs the 1 s tier there.
// - Results never depend on the order buckets were inserted or merged (SeriesSummary::merge is exact).
class WindowAggregate {
public:
    enum class Tier { Second = 0, Minute = 1, Hour = 2 };
    static constexpr qint64 stepOf(Tier tier) { return tier == Tier::Second ? 1 : tier == Tier::Minute ? 60 : 3600; }

    explicit WindowAggregate(MetricKind kind, double relativeAccuracy = QuantileSketch::kDefaultRelativeAccuracy);

    MetricKind kind() const { return m_kind; }

    // Stores the summary of [start, start + step), replacing any there. False, storing nothing, when start is not
    // aligned to the tier's step or the summary's kind differs.
    bool insert(Tier tier, qint64 start, SeriesSummary summary);
    // Merges the finer tier's buckets in [start, start + step) into the coarser tier (Minute from seconds, Hour from
    // minutes) and stores the result, replacing any there. Returns false for Tier::Second or a misaligned start.
    bool rollUp(Tier tier, qint64 start);
    // Drops a tier's buckets that start before `start` (retention).
    void evictBefore(Tier tier, qint64 start);
    const std::map<qint64, SeriesSummary> &buckets(Tier tier) const { return m_tiers[size_t(tier)]; }

    // The merged summary of [from, to); empty when nothing is stored there. mergeFailed, when given, tells whether a
    // bucket was left out (another sketch accuracy).
    SeriesSummary summarize(qint64 from, qint64 to, int *bucketsUsed = nullptr, bool *mergeFailed = nullptr) const;
    WindowStats window(qint64 from, qint64 to) const;
    // Consecutive windows of `step` seconds from `from`; the last one ends at `to` (and may be shorter). Empty for
    // step <= 0 or to <= from.
    QVector<WindowStats> query(qint64 from, qint64 to, qint64 step) const;

    // The statistics of a summary that covers [from, to).
    static WindowStats statsOf(const SeriesSummary &summary, qint64 from, qint64 to);
    static QuantileEstimate estimate(const QuantileSketch &sketch, double q);
    // Merges buckets in [start, start + span) of one tier's map: 60 seconds into a minute, 60 minutes into an hour.
    static SeriesSummary rollup(const std::map<qint64, SeriesSummary> &fine, qint64 start, qint64 span, MetricKind kind,
        double relativeAccuracy, bool *mergeFailed = nullptr);

private:
    MetricKind m_kind;
    double m_alpha;
    std::array<std::map<qint64, SeriesSummary>, 3> m_tiers; // by bucket start, unix seconds
};

} // namespace perfdash
