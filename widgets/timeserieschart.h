// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QPointF>
#include <QVector>
#include <QWidget>

#include <memory>

namespace perfdash {

// The chart adapter: the only class that touches Qt Charts. A time axis, a value axis, and named lines.
// Lines hold their full data; redraw() decimates to ~2 points per pixel column and calls replace() once per line.
class TimeSeriesChart : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimeSeriesChart)
public:
    explicit TimeSeriesChart(const QString &title, QWidget *parent = nullptr);
    ~TimeSeriesChart() override;

    int addLine(const QString &name, const QColor &color, qreal width = 1.5);
    void setLineVisible(int line, bool visible);
    void setLineData(int line, QVector<QPointF> points); // x: ms since the epoch, sorted
    void setTimeRange(qint64 fromMs, qint64 toMs);
    void setTitle(const QString &title);
    void setValueLabel(const QString &label);
    void setDarkTheme(bool dark);
    void redraw();

    int lineCount() const;
    int drawnPointCount(int line) const; // after decimation, for tests and benchmarks
    QString title() const;

    struct Private; // implementation detail, public only for the drawing layer in the .cpp

private:
    std::unique_ptr<Private> d;
};

} // namespace perfdash
