// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/seriesplot.h"

#include "models/seriesselector.h"

#include <limits>

using namespace Qt::Literals::StringLiterals;

namespace perfdash::SeriesPlots {

QVector<SeriesFigure> figuresOf(MetricKind kind)
{
    switch (kind) {
    case MetricKind::Timer:
    case MetricKind::Distribution:
        return { SeriesFigure::P50, SeriesFigure::P95, SeriesFigure::P99 };
    case MetricKind::Counter:
        return { SeriesFigure::Rate };
    case MetricKind::Gauge:
        return { SeriesFigure::Value };
    case MetricKind::Set:
        return { SeriesFigure::Members };
    }
    return { SeriesFigure::Value };
}

QString figureName(SeriesFigure figure)
{
    switch (figure) {
    case SeriesFigure::P50:
        return u"p50"_s;
    case SeriesFigure::P95:
        return u"p95"_s;
    case SeriesFigure::P99:
        return u"p99"_s;
    case SeriesFigure::Rate:
        return u"per s"_s;
    case SeriesFigure::Value:
        return u"value"_s;
    case SeriesFigure::Members:
        return u"members"_s;
    }
    return {};
}

double valueAt(const SeriesPoint &point, SeriesFigure figure)
{
    const SeriesStats &s = point.stats;
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    switch (figure) {
    case SeriesFigure::P50:
        return s.hasQuantiles() ? s.p50 : nan;
    case SeriesFigure::P95:
        return s.hasQuantiles() ? s.p95 : nan;
    case SeriesFigure::P99:
        return s.hasQuantiles() ? s.p99 : nan;
    case SeriesFigure::Rate:
        return s.rate;
    case SeriesFigure::Value:
        // A bucket's samples averaged; a one-sample second is its value.
        return s.count > 0 ? s.mean() : s.last;
    case SeriesFigure::Members:
        return double(s.uniqueCount);
    }
    return nan;
}

QVector<SeriesPlot> plotsOf(const QString &key, MetricKind kind, bool shortLabels)
{
    QVector<SeriesPlot> plots;
    const QString name = SeriesSelector::displayName(key);
    const QVector<SeriesFigure> figures = figuresOf(kind);
    for (SeriesFigure f : figures) {
        QString label = shortLabels ? figureName(f) : name;
        if (!shortLabels && figures.size() > 1)
            label += u' ' + figureName(f);
        plots.append({ key, f, label });
    }
    return plots;
}

QString unitOf(MetricKind kind, SeriesFigure figure)
{
    if (figure == SeriesFigure::Rate)
        return u"per s"_s;
    if (kind == MetricKind::Timer
        && (figure == SeriesFigure::P50 || figure == SeriesFigure::P95 || figure == SeriesFigure::P99))
        return u"ms"_s;
    return {};
}

} // namespace perfdash::SeriesPlots
