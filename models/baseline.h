// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/kpicatalog.h"

#include <QMetaType>
#include <QString>
#include <QVector>

#include <functional>
#include <limits>

namespace perfdash {

// Baselines: what a model's KPI is compared with, where that figure came from, and how a current value compares
// with it under seed 001's thresholds (docs/metrics.md, "Baselines"). Pure; any thread.
namespace Baseline {

inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// The automatic baseline of latency and error rate: the model's first 24 whole hours in production, from the first
// hour boundary after its deploy (hourly chunks, none of them shared with the time before).
inline constexpr qint64 kFirstDaySeconds = 24LL * 3600;
inline constexpr qint64 kChunkSeconds = 3600;
qint64 firstDayStart(qint64 epoch);
// A baseline's spread is the standard deviation of its chunks' values; under this many chunks it is not trusted
// (NannyML warns under 6 too), and a change is judged against the threshold alone.
inline constexpr int kMinChunks = 6;
// A change is more than noise when it exceeds this many spreads (the baseline band is value ± kBandSigmas × spread).
inline constexpr double kBandSigmas = 3;
// The narrowest band of a latency quantile, relative: a step of one sketch bucket (2.02 % at QuantileSketch's 1 %
// relative accuracy) is no change.
inline constexpr double kLatencyResolution = 0.025;

// Where a baseline comes from (the `source` column of the baselines table).
enum class Source {
    TestSet, // a `baseline` record, e.g. test-set accuracy at deploy time
    Expected, // an expected figure: a `baseline` record for throughput, or typed in the GUI
    Pinned, // a window the user pinned in the GUI
    FirstDay, // the model's first 24 h in production (after its deploy), formed from stored history
    Deploy, // not a figure: marks a new deploy (GUI re-baseline); automatic baselines form again after it
};
QString sourceName(Source source); // "test_set", "expected", "pinned", "first_24h", "deploy"
bool sourceFromName(const QString &name, Source *out);
QString describeSource(Source source); // "test set", "expected", "pinned range", "first 24 h", "deploy"

// One row of the baselines table: a version of one model's baseline of one KPI.
struct Stored {
    qint64 id = -1;
    QString model;
    QString kpi; // a KpiCatalog name; "*" for a deploy mark
    Source source = Source::TestSet;
    double value = nan;
    double spread = nan; // standard deviation of the window's chunks; NaN when unknown (a test-set figure)
    double n = 0; // chunks the value came from (0 when unknown)
    qint64 windowFrom = 0, windowTo = 0; // the data it was formed from; 0 when none (a test-set figure)
    qint64 validFrom = 0; // when it starts to apply: a new version supersedes the previous from here on
    qint64 created = 0;
    QString note;
};

// Seed 001's thresholds; the PERF_* environment variables override them (fromEnvironment).
struct Limits {
    double accuracyDrop = 0.05; // PERF_ACCURACY_THRESHOLD: relative degradation of quality metrics
    double latencyIncrease = 0.5; // p50/p95/p99 more than 50 % above the baseline
    double latencyMaxMs = 100; // PERF_LATENCY_P95_MAX_MS: the p95 limit while no baseline exists
    double errorRateMax = 0.01; // PERF_ERROR_RATE_MAX: an absolute limit
    double throughputShortfall = 0.2; // 20 % below the expected figure
    // Bad values (not a number, negative) keep the default; *warnings gets a sentence for each.
    static Limits fromEnvironment(QStringList *warnings = nullptr);
};

// A KPI's baseline as it applies now: the newest stored version, or the automatic one from history.
struct Resolved {
    QString kpi;
    bool exists = false;
    Source source = Source::TestSet;
    double value = nan;
    double spread = nan;
    double n = 0;
    qint64 windowFrom = 0, windowTo = 0, validFrom = 0;
    int version = 0; // 1 for the first; versions = how many the model has had for this KPI
    int versions = 0;
    // Forming (the automatic first 24 h not over yet): the value so far, and how much of the 24 h is in. Forming with
    // nothing in it yet (before the first whole hour, or too few values): exists is false.
    bool forming = false;
    qint64 formedSeconds = 0, requiredSeconds = 0;

    bool spreadTrusted() const { return n >= kMinChunks && spread == spread; }
    // "first 24 h · forming: 7 h of 24 h", "test set · v2 of 2", "pinned range · 3 Dec 2026 14:00 – …".
    QString describe() const;
    // The same without the window's dates: "first 24 h", "test set · v2 of 2".
    QString describeShort() const;
};

// The limit a KPI is judged against: seed 001's threshold applied to the baseline (NaN: the KPI has none).
double limitFor(const QString &kpi, const Resolved &baseline, const Limits &limits);

enum class Status { Unknown, Ok, Degraded, Breached };
QString statusName(Status status); // "unknown", "ok", "degraded", "breached"

struct Comparison {
    Status status = Status::Unknown;
    double current = nan, baseline = nan, limit = nan;
    double delta = nan; // current - baseline
    double relative = nan; // delta / baseline; NaN when the baseline is 0
    double band = nan; // kBandSigmas × spread, NaN when the spread is not trusted
    bool beyondNoise = false; // worse than the baseline by more than its band (or, without one, half way to the limit)
};
// The half-width of the band within which a change is noise: kBandSigmas × a trusted spread, for latency quantiles at
// least kLatencyResolution of the baseline; NaN when there is neither. The band the charts draw.
double bandOf(const QString &kpi, const Resolved &baseline);
// Breached: past the limit. Degraded: worse than the baseline by more than its own noise, not past the limit.
// Ok: otherwise. Unknown: no current value, or no baseline and no limit.
Comparison compare(const QString &kpi, double current, const Resolved &baseline, const Limits &limits);
// "+7 % vs baseline", "+0.21 pp vs baseline" (rates of rare things compare in percentage points); brief: "+7 %".
QString describeDelta(const QString &kpi, const Comparison &c, bool brief = false);

// The figure of a KPI over a window: its value over the whole window, and its spread over the window's chunks.
struct Formed {
    double value = nan;
    double spread = nan;
    int chunks = 0;
};
// value: the KPI over the whole window (a merged p95, not a mean of p95s); chunks: its per-chunk values
// (KpiCatalog::perBucket), whose standard deviation is the spread.
Formed form(double wholeWindowValue, const QVector<KpiCatalog::BucketValue> &chunks);

// Resolution: which baseline applies to each KPI of a model at `now`.
struct History {
    QVector<Stored> stored; // the model's rows, any order
    qint64 firstSecond = -1; // the model's first stored data; -1: none
    // The KPI over a window: its whole-window value and its chunks (hourly), read through the one definition.
    std::function<Formed(const QString &kpi, qint64 from, qint64 to)> formWindow;
};
// The deploy the automatic baselines form after: the newest deploy mark or test-set version of a quality metric, else
// the first data.
// Only marks that apply at `now` count.
qint64 epochOf(const History &history, qint64 now = std::numeric_limits<qint64>::max());
Resolved resolve(const QString &kpi, const History &history, qint64 now);
// Whether a KPI forms an automatic first-24 h baseline (latency quantiles and error rate, as seed 001 says).
bool formsAutomatically(const QString &kpi);

} // namespace Baseline

} // namespace perfdash

Q_DECLARE_METATYPE(perfdash::Baseline::Stored)
Q_DECLARE_METATYPE(QVector<perfdash::Baseline::Stored>)
