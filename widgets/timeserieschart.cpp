// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/timeserieschart.h"

#include "models/decimation.h"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QLineSeries>
#include <QVBoxLayout>
#include <QValueAxis>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

class LineLayer;

struct TimeSeriesChart::Private {
    QChart *chart = nullptr; // owned by view
    QChartView *view = nullptr; // child widget
    QDateTimeAxis *timeAxis = nullptr;
    QValueAxis *valueAxis = nullptr;
    LineLayer *layer = nullptr; // owned by the chart's scene
    QVector<QLineSeries *> series; // empty: they carry the legend entries and the pens
    QVector<QVector<QPointF>> data; // everything set, in data coordinates
    QVector<QVector<QPointF>> shown; // decimated for the current plot width
    qint64 fromMs = 0;
    qint64 toMs = 1;
    double yMax = 1;
    bool antialias = true; // decided per redraw from how much there is to draw
};

// Draws every line as one polyline in the plot area. Qt Charts' own series cost microseconds per point per frame
// (geometry per point, a path per series); a polyline of the decimated points costs a fraction of that.
class LineLayer : public QGraphicsItem {
public:
    explicit LineLayer(TimeSeriesChart::Private *d)
        : m_d(d)
    {
        setZValue(10);
    }
    QRectF boundingRect() const override { return m_d->chart->plotArea(); }
    void refresh()
    {
        prepareGeometryChange();
        update();
    }
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *) override
    {
        const QRectF plot = m_d->chart->plotArea();
        if (plot.isEmpty())
            return;
        const double sx = plot.width() / double(m_d->toMs - m_d->fromMs);
        const double sy = plot.height() / m_d->yMax;
        painter->save();
        painter->setClipRect(plot);
        painter->setRenderHint(QPainter::Antialiasing, m_d->antialias);
        QPolygonF polygon;
        for (int i = 0; i < m_d->series.size(); ++i) {
            if (!m_d->series[i]->isVisible() || m_d->shown[i].isEmpty())
                continue;
            const auto &points = m_d->shown[i];
            polygon.resize(points.size());
            for (qsizetype k = 0; k < points.size(); ++k) {
                polygon[k] = QPointF(plot.left() + (points[k].x() - double(m_d->fromMs)) * sx,
                                     plot.bottom() - points[k].y() * sy);
            }
            // Only a solid cosmetic pen at most 1 px wide stays on the raster engine's fast line stroker; a wider pen
            // builds one self-intersecting outline per line and fills it, which costs seconds for thousands of
            // points. A heavier line is drawn twice, half a pixel apart.
            const QPen wanted = m_d->series[i]->pen();
            QPen pen(wanted.color(), 1.0);
            pen.setCosmetic(true);
            painter->setPen(pen);
            painter->drawPolyline(polygon);
            if (wanted.widthF() > 1.25) {
                polygon.translate(0, -0.5);
                painter->drawPolyline(polygon);
            }
        }
        painter->restore();
    }

private:
    TimeSeriesChart::Private *m_d;
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
    d->layer = new LineLayer(d.get());
    d->chart->scene()->addItem(d->layer);
    // The next redraw() decimates for the new width; until then the layer only moves with the plot.
    connect(d->chart, &QChart::plotAreaChanged, this, [this]() { d->layer->refresh(); });
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
    d->chart->addSeries(line);
    line->attachAxis(d->timeAxis);
    line->attachAxis(d->valueAxis);
    d->series.push_back(line);
    d->data.push_back({});
    d->shown.push_back({});
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
        d->shown[i] = decimateMinMax(d->data[i], x0, x1, columns);
        if (d->series[i]->isVisible()) {
            for (const auto &p : std::as_const(d->shown[i])) {
                if (p.x() >= x0 && p.x() <= x1)
                    top = std::max(top, p.y());
            }
        }
    }
    // Antialiased lines cost about twice as much; a busy chart (thousands of points per line) gets sharp pixels
    // instead, which keeps 16 x 3600 points inside the 12 ms frame budget.
    qsizetype drawn = 0;
    for (const auto &shown : std::as_const(d->shown))
        drawn += shown.size();
    d->antialias = drawn <= 8000;
    d->yMax = niceCeiling(top * 1.05);
    d->timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(d->fromMs), QDateTime::fromMSecsSinceEpoch(d->toMs));
    d->valueAxis->setRange(0, d->yMax);
    d->layer->refresh();
}

int TimeSeriesChart::lineCount() const
{
    return int(d->series.size());
}

int TimeSeriesChart::drawnPointCount(int line) const
{
    return line >= 0 && line < d->shown.size() ? int(d->shown[line].size()) : 0;
}

} // namespace perfdash
