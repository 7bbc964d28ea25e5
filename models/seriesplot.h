// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/metrickind.h"
#include "models/seriesstore.h"

#include <QString>
#include <QVector>

namespace perfdash {

// What a chart draws of one series, by its kind (docs/metrics.md, "Series charts"): the quantiles of timers and
// distributions, the rate of counters (per covered second), the value of gauges (the mean of the bucket's samples;
// the sample itself at 1 s), the distinct members of sets. One definition for the Series charts, the process, system
// and collector pages and pinned charts. Pure; any thread.
enum class SeriesFigure { P50, P95, P99, Rate, Value, Members };

struct SeriesPlot {
    QString key; // canonical series key
    SeriesFigure figure = SeriesFigure::Value;
    QString label; // the legend's text
};

namespace SeriesPlots {
QVector<SeriesFigure> figuresOf(MetricKind kind);
QString figureName(SeriesFigure figure); // "p95", "per s", "value", "members"
// The figure of one point; NaN when the point has none (a quantile of a gauge).
double valueAt(const SeriesPoint &point, SeriesFigure figure);
// Every figure of a series, labelled "name{tag=value} p95" (the selector form of docs/series.md) or, with
// shortLabels, by the figure alone when the chart shows one series.
QVector<SeriesPlot> plotsOf(const QString &key, MetricKind kind, bool shortLabels = false);
// The unit a chart of these plots shows: "ms" for timers' quantiles, "per s" for rates, else "".
QString unitOf(MetricKind kind, SeriesFigure figure);
} // namespace SeriesPlots

} // namespace perfdash
