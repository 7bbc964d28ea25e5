// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/rangesource.h"

#include <QPointF>
#include <QVector>
#include <QWidget>

#include <functional>
#include <memory>

namespace perfdash {

// The chart adapter: the only class that touches Qt Charts. A time axis, a value axis, and named lines.
// Lines hold their full data; redraw() decimates to ~2 points per pixel column and calls replace() once per line.
// The user zooms with the wheel or a rubber band (left drag), pans with a middle or Ctrl+left drag, and returns with
// a double-click; the chart only asks (rangeRequested, resetRequested): the owner decides and calls setTimeRange().
// A crosshair follows the mouse and shows hoverText() for the time under it. GUI thread only.
class TimeSeriesChart : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimeSeriesChart)
public:
    explicit TimeSeriesChart(const QString &title, QWidget *parent = nullptr);
    ~TimeSeriesChart() override;

    int addLine(const QString &name, const QColor &color, qreal width = 1.5, bool dashed = false);
    void setLineVisible(int line, bool visible);
    bool isLineVisible(int line) const;
    void setLineData(int line, QVector<QPointF> points); // x: ms since the epoch, sorted; NaN y: no value
    // Points further apart than this (and than two pixel columns) are not joined: the data has a hole there.
    void setGapMs(qint64 gapMs);
    void setTimeRange(qint64 fromMs, qint64 toMs);
    qint64 fromMs() const;
    qint64 toMs() const;
    void setMarkers(QVector<TimeMarker> markers);
    int markerCount() const;
    void setTitle(const QString &title);
    void setValueLabel(const QString &label);
    void setValueFormat(const QString &printfFormat); // axis labels, "%.3g" by default
    void setMinimumValueRange(double top); // the value axis shows at least [0, top]
    void setEmptyText(const QString &text); // drawn in the plot when no line has a point
    void setDarkTheme(bool dark);
    void redraw();

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
    int drawnPointCount(int line) const; // after decimation, for tests and benchmarks
    QString title() const;
    QRectF plotArea() const; // in the chart view's viewport coordinates

    struct Private; // implementation detail, public only for the drawing layer in the .cpp

Q_SIGNALS:
    void rangeRequested(qint64 fromMs, qint64 toMs);
    void resetRequested();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    qint64 timeAt(double viewportX) const;
    void setCrosshair(double viewportX);

    std::unique_ptr<Private> d;
};

} // namespace perfdash
