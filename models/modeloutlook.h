// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/baseline.h"
#include "models/coverage.h"
#include "models/trend.h"

#include <QHash>
#include <QMap>
#include <QMetaType>

namespace perfdash {

// One model's baselines and trends, KPI by KPI: what the comparison panel lists, what the tiles and charts compare
// with, and what `perfdashd summary` reports (docs/metrics.md, "Baselines" and "Trends and projections"). Pure; any
// thread (the GUI computes it on its history worker).

// What storage gives: the model's stored baselines and its hourly history.
struct ModelHistory {
    QString model;
    SourceRoles roles;
    qint64 now = 0; // the first second that has not passed
    qint64 firstSecond = -1; // the model's first stored data (-1: none)
    qint64 from = 0; // start of the hourly span (covers the trend window and the automatic baseline's 24 h)
    QHash<QString, QVector<SeriesPoint>> hourly; // the roles' keys, 1 h buckets over [from, now)
    Coverage coverage; // of those buckets
    QVector<Baseline::Stored> stored; // the model's baselines table rows
    // The model's quality metrics per hour (stored prediction outcomes, merged over its keys), by the hour's start.
    QMap<qint64, QualityStats> qualityHourly;
};

struct KpiOutlook {
    QString kpi;
    Baseline::Resolved baseline;
    double limit = Baseline::nan; // Baseline::limitFor
    QVector<KpiCatalog::BucketValue> hourly; // the KPI per hour over the trend window: what the trend is fitted on
    Trend::Fit fit;
    Trend::Breach breach; // of `limit`, within kProjectionHorizon
    QVector<Trend::ConePoint> cone; // from the fit's end up to the breach (or the horizon)
    QString projection; // Trend::describe
    // The newest hourly value (the quality metrics' current figure where the dashboard's tiles have none).
    double latest = Baseline::nan;
};

struct ModelOutlook {
    QString model;
    qint64 now = 0;
    qint64 epoch = -1; // the deploy the automatic baselines form after
    qint64 trendFrom = 0; // the trend window [trendFrom, now)
    QVector<KpiOutlook> kpis; // in KpiCatalog order, those the model has data or a baseline for
    // Where the figures came from, for the user: a database file, or a server and its hosts (set by the reader).
    QString origin;
    const KpiOutlook *find(const QString &kpi) const;
    bool isValid() const { return !model.isEmpty(); }
};

namespace Outlook {
// Seed 001's trend window ("7_day_trend") and how far a breach is projected.
inline constexpr qint64 kTrendSeconds = 7LL * 86400;
inline constexpr qint64 kProjectionHorizon = 30LL * 86400;
// The span of hourly history a ModelHistory should hold: the trend window, and the automatic baseline's first day.
qint64 spanStart(qint64 now, qint64 epoch);
// Whether the roles have the series a KPI is read from.
bool hasSeriesFor(const QString &kpi, const SourceRoles &roles);
ModelOutlook compute(const ModelHistory &history, const Baseline::Limits &limits);
// "Use this range as the baseline": a pinned version of every KPI the source has a value for over [from, to), its
// spread over chunks of chunkStep seconds (Baseline::form, the same figures as the tiles).
QVector<Baseline::Stored> pinnedRows(const QString &model, const Kpi::PointLookup &lookup, const SourceRoles &roles,
    const Coverage &coverage, qint64 from, qint64 to, qint64 chunkStep, qint64 now);
// "Re-baseline": a deploy mark at `now`; automatic baselines form again from there.
Baseline::Stored deployMark(const QString &model, qint64 now);
// An expected figure (throughput typed in the GUI).
Baseline::Stored expected(const QString &model, const QString &kpi, double value, qint64 now);
} // namespace Outlook

} // namespace perfdash

Q_DECLARE_METATYPE(perfdash::ModelOutlook)
