// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/timeserieschart.h"

#include "models/decimation.h"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QLineSeries>
#include <QVBoxLayout>
#include <QValueAxis>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

struct TimeSeriesChart::Private {
    QChart *chart = nullptr; // owned by view
    QChartView *view = nullptr; // child widget
    QDateTimeAxis *timeAxis = nullptr;
    QValueAxis *valueAxis = nullptr;
    QVector<QLineSeries *> series;
    QVector<QVector<QPointF>> data;
    qint64 fromMs = 0;
    qint64 toMs = 1;
};

namespace {
// Rounds an axis maximum up to 1, 2 or 5 times a power of ten, so tick labels stay readable.
double niceCeiling(double value)
{
    if (!(value > 0))
        return 1;
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (double step : { 1.0, 2.0, 2.5, 5.0, 10.0 }) {
        if (value <= step * magnitude)
            return step * magnitude;
    }
    return 10 * magnitude;
}
} // namespace

TimeSeriesChart::TimeSeriesChart(const QString &title, QWidget *parent)
    : QWidget(parent)
    , d(std::make_unique<Private>())
{
    d->chart = new QChart();
    d->chart->setAnimationOptions(QChart::NoAnimation);
    d->chart->setTitle(title);
    d->chart->legend()->setAlignment(Qt::AlignTop);
    d->chart->setMargins(QMargins(4, 4, 4, 4));
    d->timeAxis = new QDateTimeAxis(d->chart);
    d->timeAxis->setFormat(u"HH:mm:ss"_s);
    d->timeAxis->setTickCount(7);
    d->valueAxis = new QValueAxis(d->chart);
    d->valueAxis->setLabelFormat(u"%.3g"_s);
    d->valueAxis->setRange(0, 1);
    d->chart->addAxis(d->timeAxis, Qt::AlignBottom);
    d->chart->addAxis(d->valueAxis, Qt::AlignLeft);
    d->view = new QChartView(d->chart, this);
    d->view->setRenderHint(QPainter::Antialiasing, false);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(d->view);
    setMinimumHeight(160);
}

TimeSeriesChart::~TimeSeriesChart() = default;

int TimeSeriesChart::addLine(const QString &name, const QColor &color, qreal width)
{
    auto *line = new QLineSeries(d->chart);
    line->setName(name);
    QPen pen(color);
    pen.setWidthF(width);
    line->setPen(pen);
    // OpenGL would be faster but is unavailable offscreen; decimation keeps the raster path cheap.
    d->chart->addSeries(line);
    line->attachAxis(d->timeAxis);
    line->attachAxis(d->valueAxis);
    d->series.push_back(line);
    d->data.push_back({});
    return int(d->series.size()) - 1;
}

void TimeSeriesChart::setLineVisible(int line, bool visible)
{
    if (line >= 0 && line < d->series.size())
        d->series[line]->setVisible(visible);
}

void TimeSeriesChart::setLineData(int line, QVector<QPointF> points)
{
    if (line >= 0 && line < d->data.size())
        d->data[line] = std::move(points);
}

void TimeSeriesChart::setTimeRange(qint64 fromMs, qint64 toMs)
{
    d->fromMs = fromMs;
    d->toMs = std::max(toMs, fromMs + 1);
}

void TimeSeriesChart::setTitle(const QString &title)
{
    d->chart->setTitle(title);
}

QString TimeSeriesChart::title() const
{
    return d->chart->title();
}

void TimeSeriesChart::setValueLabel(const QString &label)
{
    d->valueAxis->setTitleText(label);
}

void TimeSeriesChart::setDarkTheme(bool dark)
{
    const auto colors = [this]() {
        QVector<QPen> pens;
        for (auto *s : std::as_const(d->series))
            pens.push_back(s->pen());
        return pens;
    }();
    d->chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    // setTheme() repaints the series in theme colours; ours carry meaning (p99 is always red), so restore them.
    for (int i = 0; i < d->series.size(); ++i)
        d->series[i]->setPen(colors[i]);
}

void TimeSeriesChart::redraw()
{
    const double x0 = double(d->fromMs);
    const double x1 = double(d->toMs);
    const int columns = std::max(1, int(d->chart->plotArea().width()));
    double top = 0;
    for (int i = 0; i < d->series.size(); ++i) {
        QVector<QPointF> shown = decimateMinMax(d->data[i], x0, x1, columns);
        if (d->series[i]->isVisible()) {
            for (const auto &p : std::as_const(shown)) {
                if (p.x() >= x0 && p.x() <= x1)
                    top = std::max(top, p.y());
            }
        }
        d->series[i]->replace(shown);
    }
    d->timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(d->fromMs), QDateTime::fromMSecsSinceEpoch(d->toMs));
    d->valueAxis->setRange(0, niceCeiling(top * 1.05));
}

int TimeSeriesChart::lineCount() const
{
    return int(d->series.size());
}

int TimeSeriesChart::drawnPointCount(int line) const
{
    return line >= 0 && line < d->series.size() ? int(d->series[line]->count()) : 0;
}

} // namespace perfdash
