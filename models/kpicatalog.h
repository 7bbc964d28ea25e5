// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/kpi.h"
#include "models/qualitystats.h"

#include <QString>
#include <QStringList>
#include <QVector>

namespace perfdash {

// The KPIs a baseline, a trend or an alert rule can name, by the names docs/metrics.md gives them (seed 001's
// spelling: accuracy, latency_p95, error_rate…), with their unit, which direction is worse, and how to read each
// from the one definition of its figure (models/kpi.h). Pure; any thread.
namespace KpiCatalog {

enum class Better { Higher, Lower };

struct Definition {
    QString name; // "latency_p95"
    QString caption; // "Latency p95"
    QString unit; // "ms", "req/s", "" for ratios in 0..1
    Better better = Better::Lower;
    bool quality = false; // a quality metric (accuracy, f1_score…): its baseline is the test-set figure
};

const QVector<Definition> &all();
// nullptr for an unknown name.
const Definition *find(const QString &name);
QStringList names();
// The catalog's name for a name producers also use: "f1" -> "f1_score", "auc" -> "auc_roc", "latency_p95_ms" ->
// "latency_p95", "throughput_rps" -> "throughput"; the name itself when it is one; empty when unknown.
QString canonicalName(const QString &name);

// The KPI's value in a window's figures (and its quality metrics, when the window has them: accuracy then comes from
// the stored prediction outcomes, as `perfdashd summary` reports it); NaN when the window has
// too little for the figure to mean anything (a p95 of fewer than 20 values, an error rate of fewer than 20 requests:
// the same minimums the tiles grey out) or the source has no such series.
double valueOf(const QString &kpi, const Kpi::Figures &figures, const QualityStats *quality = nullptr);
// The part of Kpi::figures valueOf reads for a KPI (Kpi::AllParts for an unknown name), so a caller that needs one
// KPI computes only that part: valueOf(kpi, figures(..., partOf(kpi))) == valueOf(kpi, figures(...)).
unsigned partOf(const QString &kpi);

// The KPI per bucket: Kpi::figures over each bucket of `step` seconds in [from, to), through valueOf. Buckets without
// a value are left out. Used by baselines (their chunks) and trends, so both read the very figure the tiles show.
struct BucketValue {
    qint64 second = 0;
    double value = 0;
};
// quality: a bucket's quality metrics (merged from stored prediction outcomes), nullptr where none.
using QualityLookup = std::function<const QualityStats *(qint64 bucket)>;
QVector<BucketValue> perBucket(const QString &kpi, const Kpi::PointLookup &lookup, const SourceRoles &roles,
    const Coverage &coverage, qint64 from, qint64 to, qint64 step, const QualityLookup &quality = {});

// "24.1 ms", "145 req/s", "0.31 %", "0.912": the one formatting of a KPI value with its unit, for tiles, the
// comparison panel and the summary's text.
QString format(const QString &kpi, double value);

} // namespace KpiCatalog

} // namespace perfdash
