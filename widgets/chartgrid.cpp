// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/chartgrid.h"

#include "widgets/timeserieschart.h"

#include <QGridLayout>
#include <QLabel>
#include <QResizeEvent>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

// Distinct on light and dark backgrounds (Tableau 10).
QColor lineColor(int i)
{
    static const QColor colors[] = { QColor(0x4e79a7), QColor(0xf28e2b), QColor(0xe15759), QColor(0x76b7b2),
        QColor(0x59a14f), QColor(0xedc948), QColor(0xb07aa1), QColor(0xff9da7), QColor(0x9c755f), QColor(0xbab0ac) };
    return colors[i % int(std::size(colors))];
}

constexpr int kMinChartWidth = 420; // below two of these side by side, one column
constexpr int kChartHeight = 240;

} // namespace

ChartGrid::ChartGrid(QWidget *parent)
    : QScrollArea(parent)
    , m_content(new QWidget)
    , m_grid(new QGridLayout(m_content))
    , m_empty(new QLabel(m_content))
{
    setWidgetResizable(true);
    setFrameShape(QFrame::NoFrame);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_grid->addWidget(m_empty, 0, 0, 1, 2);
    m_grid->setColumnStretch(0, 1);
    m_grid->setColumnStretch(1, 1);
    setWidget(m_content);
}

void ChartGrid::setCharts(const QVector<ChartSpec> &specs)
{
    qDeleteAll(m_charts);
    m_charts.clear();
    m_specs = specs;
    for (const ChartSpec &spec : specs) {
        auto *chart = new TimeSeriesChart(spec.title, m_content);
        chart->setValueLabel(spec.unit);
        chart->setMinimumHeight(kChartHeight);
        chart->setDarkTheme(m_dark);
        for (int i = 0; i < spec.plots.size(); ++i)
            chart->addLine(spec.plots[i].label, lineColor(i));
        chart->setEmptyText(tr("No data in this range."));
        connect(chart, &TimeSeriesChart::exportRequested, this, &ChartGrid::exportRequested);
        m_charts << chart;
    }
    m_empty->setVisible(specs.isEmpty());
    m_columns = 0;
    relayout();
}

void ChartGrid::relayout()
{
    const int columns = viewport()->width() >= 2 * kMinChartWidth ? 2 : 1;
    if (columns == m_columns && m_grid->count() == m_charts.size() + 1)
        return;
    m_columns = columns;
    m_grid->setColumnStretch(1, columns > 1 ? 1 : 0); // one column: it takes the whole width
    for (TimeSeriesChart *chart : std::as_const(m_charts))
        m_grid->removeWidget(chart);
    int row = 1, column = 0;
    for (int i = 0; i < m_charts.size(); ++i) {
        const bool wide = m_specs[i].wide && columns > 1;
        if (wide && column > 0) {
            ++row;
            column = 0;
        }
        m_grid->addWidget(m_charts[i], row, column, 1, wide ? columns : 1);
        column += wide ? columns : 1;
        if (column >= columns) {
            ++row;
            column = 0;
        }
    }
    m_grid->setRowStretch(row + 1, 1);
}

void ChartGrid::resizeEvent(QResizeEvent *event)
{
    QScrollArea::resizeEvent(event);
    relayout();
}

void ChartGrid::showData(const Kpi::PointLookup &points, qint64 fromMs, qint64 toMs, qint64 stepSeconds)
{
    for (int c = 0; c < m_charts.size(); ++c) {
        TimeSeriesChart *chart = m_charts[c];
        chart->setTimeRange(fromMs, toMs);
        chart->setGapMs(std::max<qint64>(stepSeconds, 1) * 1000 * 3);
        const ChartSpec &spec = m_specs[c];
        for (int i = 0; i < spec.plots.size(); ++i) {
            const SeriesPlot &plot = spec.plots[i];
            QVector<QPointF> line;
            for (const SeriesPoint &p : points(plot.key)) {
                const qint64 ms = p.second * 1000;
                if (ms >= fromMs - stepSeconds * 1000 && ms <= toMs)
                    line.append(QPointF(double(ms), SeriesPlots::valueAt(p, plot.figure)));
            }
            chart->setLineData(i, std::move(line));
        }
        chart->redraw();
    }
}

void ChartGrid::setEmptyText(const QString &text)
{
    m_empty->setText(text);
}

void ChartGrid::setDarkTheme(bool dark)
{
    m_dark = dark;
    for (TimeSeriesChart *chart : std::as_const(m_charts))
        chart->setDarkTheme(dark);
}

} // namespace perfdash
