// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/seriesplot.h"
#include "models/sourcecatalog.h"

#include <QStringList>

#include <functional>

namespace perfdash {

// A chart of series figures: a page's chart, the picked series' chart, a pinned chart.
struct ChartSpec {
    QString title;
    QString unit; // the value axis' label
    QVector<SeriesPlot> plots;
    bool wide = false; // as wide as the page (the picked series' chart)
};

// The charts a source's page shows when it is not a model or service with latency or requests (those have the KPI
// dashboard): a process (CPU, memory, threads, GPU), the machine (`system`: CPU, memory, swap, load), the collector
// (`perfdash`: ingest, drops by reason, storage), else one chart per metric name. Pure; any thread.
namespace SourceCharts {
using KindOf = std::function<MetricKind(const QString &key)>;

// Whether the source is served by the KPI dashboard (it has a latency timer or request counts).
bool hasDashboard(const SourceRef &source, const SourceRoles &roles);
QVector<ChartSpec> forSource(const SourceRef &source, const QStringList &keys, const KindOf &kindOf);
// One chart of the picked series, overlaid: every figure of each (docs/metrics.md, "Series charts").
ChartSpec forSeries(const QStringList &keys, const KindOf &kindOf);
// Every key the specs read.
QStringList keysOf(const QVector<ChartSpec> &specs);
} // namespace SourceCharts

} // namespace perfdash
