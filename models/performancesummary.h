// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/kpi.h"
#include "models/modeloutlook.h"
#include "models/qualitystats.h"

#include <QJsonObject>

#include <optional>

namespace perfdash {

// Seed 001's performance summary of one model over one window, as JSON: `perfdashd summary` prints it, and the HTTP
// summary route will serve the same object. Every number comes from the Kpi figures (docs/metrics.md); a figure
// without data is null. Pure; any thread.
struct PerformanceSummaryInput {
    QString model;
    QString window; // as asked: "1h", "90m"
    QString granularity; // "minute", "hour", "day"
    qint64 from = 0; // the window actually read, Unix seconds [from, to)
    qint64 to = 0;
    SourceRoles roles;
    Kpi::Figures figures;
    // Machine-wide gauges, for a model that sends no process samples (the dashboard's fallback too).
    Kpi::Gauge machineCpu; // percent of all cores
    Kpi::Gauge machineMemoryUsedMb, machineMemoryTotalMb;
    Kpi::Gauge machineGpu; // percent
    std::optional<QualityStats> quality; // merged over the window from stored prediction outcomes
    // Baselines and trends (models/modeloutlook.h): each KPI's current value above is compared with its baseline.
    std::optional<ModelOutlook> outlook;
    Baseline::Limits limits;
};

QJsonObject performanceSummary(const PerformanceSummaryInput &in);

} // namespace perfdash
