// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/coverage.h"
#include "models/seriesstore.h"
#include "models/sourcecatalog.h"
#include "models/windowaggregate.h"

#include <functional>
#include <optional>
#include <vector>
#include <limits>

namespace perfdash {

// The one definition of every figure perfdash shows, exports or alerts on (docs/metrics.md). Pure functions of stored
// or live points over a window; QtCore only, no I/O, any thread. The dashboard, the CSV report and `perfdashd
// summary` call these and nothing else.
//
// Inputs:
// - a PointLookup: a series key -> its points, sorted by second, each covering `step` seconds from `second` (1 s live
//   points, or history buckets). An unknown key gives an empty vector;
// - the source's roles (sourcecatalog.h): which series are its latency, its requests of one kind, its errors…;
// - a window [from, to) in Unix seconds: a point belongs to it when its bucket starts inside it;
// - for rates, the window's Coverage: the seconds that had passed and in which the collector was up.
namespace Kpi {

using PointLookup = std::function<const QVector<SeriesPoint> &(const QString &key)>;

inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// The live tiles' window: the last 10 s, counts add exactly.
inline constexpr qint64 kRecentSeconds = 10;
// A series with no point in this long is silent: the headline does not widen back to its old values.
inline constexpr qint64 kSilentSeconds = 30;
// Headline latency: the last 10 s merged, widened (doubling) up to this many seconds until n is enough.
inline constexpr qint64 kHeadlineMaxSeconds = 300;
// n a headline p95 needs: with 200 values the 95th percentile's rank moves by under 1.6 percentile points (binomial
// standard error), so the tile holds still; p99's own meaning needs 100 (QuantileSketch::minCountFor).
inline constexpr quint64 kHeadlineMinN = 200;
// Requests an error rate needs before its value is more than anecdote (tiles grey it below this).
inline constexpr double kErrorRateMinRequests = 20;

// Latency quantiles over a window, from merged sketches (never averaged quantiles), with their evidence.
struct Latency {
    QuantileEstimate p50, p95, p99;
    quint64 n = 0;
    qint64 from = 0, to = 0; // the window the figures describe
    // true: merged from every bucket's sketch; false: the newest bucket's own quantiles, because the points carried
    // no sketch to merge (a history bucket already is a merged sketch).
    bool merged = false;
    bool hasData() const { return n > 0; }
};

// A count per covered second (throughput).
struct Rate {
    double value = nan; // per second; NaN: no covered second, or no series of the kind
    double count = 0;
    qint64 seconds = 0; // covered seconds
};

// part / whole (error rate, accuracy, cache hit rate).
struct Ratio {
    double value = nan; // 0..1; NaN: whole is 0
    double part = 0;
    double whole = 0;
    bool enough = false; // whole meets the KPI's minimum
};

// A gauge over a window: the mean of its samples (docs/metrics.md says which gauges).
struct Gauge {
    double value = nan;
    qint64 samples = 0;
    qint64 newest = -1; // start of the newest bucket with a sample; -1: none
};

// Requests and their failures in a window, counted from exactly one kind (SourceRoles::requestKind).
struct Requests {
    double total = 0;
    double errors = 0;
    bool errorsKnown = false; // the kind says which requests failed
};

// The decoded sketches of one series' points, each decoded on first use: for callers that merge many windows over the
// same points (an alert replay merges each minute into every window that holds it). Holds a pointer to the points,
// which must outlive it and stay unchanged. One thread.
class DecodedSketches {
public:
    explicit DecodedSketches(const QVector<SeriesPoint> *points)
        : m_points(points)
    { }
    // The sketch of (*points)[i]; nullptr when the point carries none or it does not decode.
    const QuantileSketch *at(qsizetype i);
    const QVector<SeriesPoint> *points() const { return m_points; }

private:
    const QVector<SeriesPoint> *m_points;
    std::vector<std::optional<QuantileSketch>> m_decoded;
    std::vector<bool> m_tried;
};
using SketchLookup = std::function<DecodedSketches *(const QString &key)>;

// Latency quantiles of one series over [from, to). decoded: the same points' decoded sketches, to decode each once
// across calls (the result is the same with or without).
Latency latency(const QVector<SeriesPoint> &points, qint64 from, qint64 to, DecodedSketches *decoded = nullptr);
// The headline: the newest kRecentSeconds up to `toSecond` (exclusive), doubled until n >= minN or the window reaches
// maxSeconds; an empty last 10 s widens too, unless the series has been silent for kSilentSeconds. Points without
// sketches cannot be merged: then the newest bucket's own quantiles (merged = false).
Latency headlineLatency(const QVector<SeriesPoint> &points, qint64 toSecond, quint64 minN = kHeadlineMinN,
    qint64 maxSeconds = kHeadlineMaxSeconds);
// One quantile per point, each merged backwards over the points before it until its n meets minCountFor(q) (at
// most maxSeconds back). Used for chart lines that must not switch between solid and dashed. `merged` tells, per
// point, how many buckets were merged (1: the point's own).
struct RollingQuantile {
    qint64 second = 0;
    QuantileEstimate estimate;
    int buckets = 1;
};
QVector<RollingQuantile> rollingQuantile(
    const QVector<SeriesPoint> &points, double q, qint64 from, qint64 to, qint64 maxSeconds);

Requests requests(const PointLookup &lookup, const SourceRoles &roles, qint64 from, qint64 to);
Rate throughput(const PointLookup &lookup, const SourceRoles &roles, const Coverage &coverage, qint64 from, qint64 to);
Ratio errorRate(const PointLookup &lookup, const SourceRoles &roles, qint64 from, qint64 to);
// Mean queue depth over the window.
Gauge queueDepth(const PointLookup &lookup, const SourceRoles &roles, qint64 from, qint64 to);
// Correct predictions / scored predictions (prediction.accuracy, weighted by its count), else the mean of the
// producer's quality.accuracy gauge (a percent above 1 is read as percent).
Ratio accuracy(const PointLookup &lookup, const SourceRoles &roles, qint64 from, qint64 to);
// Mean of a gauge over the window (cpu %, memory MB, gpu %).
Gauge gauge(const QVector<SeriesPoint> &points, qint64 from, qint64 to);
// Memory in use as a share of the machine's: used MB ÷ total MB; NaN unless both are known and total > 0.
double memoryShare(double usedMb, double totalMb);
// op.cache_hits / (op.cache_hits + op.api_calls).
Ratio cacheHitRate(const PointLookup &lookup, const SourceRoles &roles, qint64 from, qint64 to);

// Every figure of a source over one window [from, to): what a history tile, a reference period and `perfdashd
// summary` show. Latency is merged over the whole window (Kpi::latency).
struct Figures {
    qint64 from = 0, to = 0;
    Latency latency;
    Rate throughput;
    Ratio errorRate;
    Gauge queue;
    Ratio accuracy;
    Gauge cpu, memory, gpu; // the roles' process gauges (percent of one core, MB, percent)
    Ratio cacheHitRate;
};
// Which figures to compute: all of them (the default), or only those a caller reads (an alert rule reads one; see
// KpiCatalog::partOf). The others stay as default-constructed (no data).
enum Part : unsigned {
    LatencyPart = 1u << 0,
    ThroughputPart = 1u << 1,
    ErrorRatePart = 1u << 2,
    QueuePart = 1u << 3,
    AccuracyPart = 1u << 4,
    CpuPart = 1u << 5,
    MemoryPart = 1u << 6,
    GpuPart = 1u << 7,
    CacheHitRatePart = 1u << 8,
    AllParts = (1u << 9) - 1,
};
Figures figures(const PointLookup &lookup, const SourceRoles &roles, const Coverage &coverage, qint64 from, qint64 to,
    unsigned parts = AllParts, const SketchLookup &sketches = {});

// The live tiles' window: the kRecentSeconds before nowSecond, starting at the source's first point when it is
// younger than that (a source that began 4 s ago is averaged over those 4 s, not diluted over 10).
struct Window {
    qint64 from = 0, to = 0;
    qint64 seconds() const { return to - from; }
};
Window recentWindow(const PointLookup &lookup, const QStringList &keys, qint64 nowSecond, qint64 span = kRecentSeconds);
// Live points that are buckets of `step` > 1 seconds (a server's push interval, fleet/promschema.h): the newest bucket
// that holds a point of keys and has ended by nowSecond, so the tiles show the newest pushed interval whole, never a
// 10 s window cut across two buckets (a point with a count of 0 is no data). Without such a point, the bucket before
// the one that holds nowSecond.
Window newestBucketWindow(const PointLookup &lookup, const QStringList &keys, qint64 step, qint64 nowSecond);

// Sum of counts (requests, errors) of several series in [from, to).
double countOf(const PointLookup &lookup, const QStringList &keys, qint64 from, qint64 to);
// The newest second with data among keys, -1 if none: for "no data since …".
qint64 newestSecond(const PointLookup &lookup, const QStringList &keys);

} // namespace Kpi

} // namespace perfdash
