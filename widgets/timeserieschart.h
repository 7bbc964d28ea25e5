// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/markergroups.h"
#include "models/markerscope.h"
#include "models/rangesource.h"
#include "widgets/theme.h"

#include <QPair>
#include <QPointF>
#include <QVector>
#include <QWidget>

class QAction;

#include <functional>
#include <limits>
#include <memory>

namespace perfdash {

// One step of a trend projection: the expected value at a time and the range it may fall in (low <= value <= high).
struct ProjectionPoint {
    qint64 ms = 0; // since the epoch
    double value = 0;
    double low = 0;
    double high = 0;
};

// A span of time shaded across the plot, with a strip along the time axis: an alert that fired. Open: it still
// fires, drawn to the axis' end. The label goes into the hover text while the mouse is over the span.
struct ShadedSpan {
    qint64 fromMs = 0;
    qint64 toMs = 0;
    bool open = false;
    QString label;
    ThemeColor color = ThemeColor::Bad;
};

// The chart adapter: the only class that touches Qt Charts. A time axis, a value axis, and named lines.
// Lines hold their full data; redraw() decimates to ~2 points per pixel column and calls replace() once per line.
// Axes (models/axisticks.h): values at 1-2-5 steps from 0, labelled with the decimals the step needs; times on round
// clock times, with the date and year where the range needs them. The value axis' top comes from the bulk of the
// visible values (models/robustrange.h): a lone spike above it is a triangle on the top edge, named in the hover text.
// Markers (models/markerscope.h, markergroups.h): only those of the chart's scope; markers closer than a few pixels
// are one group drawn with its count, and the hover text lists them with their text. Lines drawn alike share one
// legend entry. The value axis' title is elided to the plot's height, whole in its tooltip.
// The user zooms with the wheel or a rubber band (left drag), pans with a middle or Ctrl+left drag, and returns with
// a double-click; the chart only asks (rangeRequested, resetRequested): the owner decides and calls setTimeRange().
// A crosshair follows the mouse and shows hoverText() for the time under it.
// Overlays, all given by the owner in value units (the chart computes none of them): a baseline band behind the
// lines, a trend projection (dashed line and a cone) and a limit line, each with a small caption inside the plot and
// a line in the hover text. The value axis starts at 0; its top covers the visible lines and the projection's values,
// and is raised for the band, the limit and the cone, but to at most 3 times the lines' own top so a far-off overlay
// never squashes the data: anything above is clipped and its caption sits at the top edge marked "↑".
// A context menu (right click, the Menu key, Shift+F10) saves the chart as a PNG, copies the plotted data, or asks the
// owner for a report (exportRequested). GUI thread only.
class TimeSeriesChart : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimeSeriesChart)
public:
    explicit TimeSeriesChart(const QString &title, QWidget *parent = nullptr);
    ~TimeSeriesChart() override;

    int addLine(const QString &name, const QColor &color, qreal width = 1.5, bool dashed = false);
    void setLineVisible(int line, bool visible);
    void setLineInLegend(int line, bool shown); // a line drawn but not in the legend (another entry names it)
    bool isLineVisible(int line) const;
    void setLineData(int line, QVector<QPointF> points); // x: ms since the epoch, sorted; NaN y: no value
    // Points further apart than this (and than two pixel columns) are not joined: the data has a hole there.
    void setGapMs(qint64 gapMs);
    void setTimeRange(qint64 fromMs, qint64 toMs);
    qint64 fromMs() const;
    qint64 toMs() const;
    void setMarkers(QVector<TimeMarker> markers);
    // Which of the markers this chart shows (a source's: models/markerscope.h); by default all of them.
    void setMarkerScope(MarkerScope scope);
    int markerCount() const; // markers in scope and in the time range
    int markerGroupCount() const; // what is drawn for them, as of the last redraw() or setMarkers()
    void setTitle(const QString &title);
    void setValueLabel(const QString &label);
    QString valueLabel() const; // as set
    QString shownValueLabel() const; // as the axis shows it, elided to the plot's height
    // Kept for callers that set one: the tick labels now take their decimals from the 1-2-5 step.
    void setValueFormat(const QString &printfFormat);
    void setMinimumValueRange(double top); // the value axis shows at least [0, top]
    void setEmptyText(const QString &text); // drawn in the plot when no line has a point
    void setDarkTheme(bool dark);
    void redraw();

    // Overlays. Each takes effect at the next redraw(); the colours follow setDarkTheme() (theme.h).
    // The band from low to high over [fromMs, toMs] (clipped to the visible range), drawn behind all lines. The label
    // is shown verbatim in the plot and in the hover text while the mouse is over the band's time span, so it should
    // carry the figures ("baseline 22.5 ms ± 3.1"). Replaces any band and removes its centre line.
    void setBand(double low, double high, const QString &label, qint64 fromMs = std::numeric_limits<qint64>::min(),
        qint64 toMs = std::numeric_limits<qint64>::max());
    void setBandCentre(double value); // a thin dashed line across the band (call after setBand); NaN: none
    void clearBand();
    bool hasBand() const;
    QPair<double, double> band() const; // (low, high); (NaN, NaN) without a band
    QString bandLabel() const;
    // A dashed line through the points' values with a translucent cone from low to high, usually starting at the last
    // data point. Points sorted by time. Only the visible range is drawn: to show a projection past the data, the
    // owner extends setTimeRange(). The hover text shows the nearest point as "label: value (low–high)".
    void setProjection(QVector<ProjectionPoint> points, const QString &label);
    void clearProjection();
    int projectionPointCount() const;
    // A thin red dashed horizontal line across the plot, captioned with the label ("p95 limit 33.8 ms").
    void setThreshold(double value, const QString &label);
    void clearThreshold();
    bool hasThreshold() const;
    double threshold() const; // NaN without one
    QPair<double, double> valueRange() const; // the value axis (min, max) as of the last redraw()
    // Shaded spans (alerts that fired, or would have in the rule editor's preview), behind everything else; replaces
    // the previous ones (an empty list clears them). Takes effect at once.
    void setShadedSpans(QVector<ShadedSpan> spans);
    const QVector<ShadedSpan> &shadedSpans() const;

    // Text for the crosshair at a time; by default each visible line's nearest value. The owner may supply its own
    // (the latency chart adds n and the error bound).
    using HoverTextProvider = std::function<QString(qint64 timeMs)>;
    void setHoverTextProvider(HoverTextProvider provider);
    QString hoverText(qint64 timeMs) const;
    // The crosshair as the user sees it; empty when the mouse is not over the plot.
    QString crosshairText() const;
    // For tests: put the crosshair where the mouse would be at this time.
    void showCrosshairAt(qint64 timeMs);

    int lineCount() const;
    // What the axes and the legend show, as of the last redraw(), for tests.
    QVector<double> valueTicks() const;
    QVector<qint64> timeTicks() const;
    QStringList timeTickLabels() const;
    QStringList legendEntries() const;
    int outlierCount() const; // points of visible lines above the value axis
    int drawnPointCount(int line) const; // after decimation, for tests and benchmarks
    QString title() const;
    QRectF plotArea() const; // in the chart view's viewport coordinates

    // The context menu's actions, created once and also in actions(): "Save chart as PNG…", "Copy data",
    // "Export report…".
    QList<QAction *> contextMenuActions() const;
    // The chart as the screen shows it, at the device pixel ratio, written as a PNG to path. On failure: false, and
    // *error (if given) holds the image writer's reason.
    bool savePng(const QString &path, QString *error = nullptr) const;
    // What "Copy data" copies: the visible lines' points in the current time range, one column per line named as in
    // the legend, one row per time (models/seriestable.h). Tab for the clipboard's text, comma for its "text/csv".
    QString dataAsText(QChar separator) const;

    struct Private; // implementation detail, public only for the drawing layer in the .cpp

Q_SIGNALS:
    void rangeRequested(qint64 fromMs, qint64 toMs);
    void resetRequested();
    void exportRequested(); // "Export report…": the owner opens its export dialog
    // A click (no drag) on a marker or a group of them: its markers, in time order.
    void markersClicked(const QVector<perfdash::TimeMarker> &markers);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    qint64 timeAt(double viewportX) const;
    QString markerText(qint64 timeMs) const;
    const MarkerGroup *nearestMarkerGroup(qint64 timeMs) const;
    void regroupMarkers();
    void elideValueLabel();
    void updateTimeAxis(int columns);
    void updateLegend();
    void setCrosshair(double viewportX);
    void onSavePngTriggered();
    void onCopyDataTriggered();

    std::unique_ptr<Private> d;
};

} // namespace perfdash
