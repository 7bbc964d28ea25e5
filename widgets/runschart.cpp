// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/runschart.h"

#include <QAreaSeries>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

RunsChart::RunsChart(QWidget *parent)
    : QChartView(parent)
{
    auto *chart = new QChart;
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    m_time = new QDateTimeAxis(chart);
    m_time->setFormat(u"HH:mm"_s);
    m_time->setTitleText(tr("run start"));
    m_value = new QValueAxis(chart);
    m_value->setLabelFormat(u"%.4g"_s);
    m_value->setTitleText(tr("ms"));
    chart->addAxis(m_time, Qt::AlignBottom);
    chart->addAxis(m_value, Qt::AlignLeft);
    m_duration = new QLineSeries(chart);
    chart->addSeries(m_duration);
    m_duration->attachAxis(m_time);
    m_duration->attachAxis(m_value);
    QPen pen(QColor(0x20, 0x20, 0x20));
    pen.setWidthF(2);
    m_duration->setPen(pen);
    m_duration->setPointsVisible(true); // a bucket alone has no neighbour to draw a line to
    setChart(chart); // the view owns the chart
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(220);
}

void RunsChart::setStats(const RunStats &stats, bool p95)
{
    QChart *c = chart();
    // One band per step; rebuilt only when the steps change (another workflow), else each line gets one replace().
    if (m_steps.size() != stats.steps.size()) {
        for (QAreaSeries *area : std::as_const(m_steps)) {
            c->removeSeries(area);
            delete area;
        }
        qDeleteAll(m_uppers);
        m_steps.clear();
        m_uppers.clear();
        for (qsizetype s = 0; s < stats.steps.size(); ++s) {
            auto *upper = new QLineSeries(this);
            auto *area = new QAreaSeries(upper, s == 0 ? nullptr : m_uppers.back());
            m_uppers.push_back(upper);
            m_steps.push_back(area);
            c->addSeries(area);
            area->attachAxis(m_time);
            area->attachAxis(m_value);
        }
        // Series are drawn in the order they were added: the duration line goes back on top of the new bands.
        c->removeSeries(m_duration);
        c->addSeries(m_duration);
        m_duration->attachAxis(m_time);
        m_duration->attachAxis(m_value);
    }
    // Each bucket drawn flat from its start to its end, so the bands read as stacked bars over time.
    const int buckets = int(stats.buckets.size());
    QVector<double> cumulative(buckets, 0.0);
    double top = 0;
    for (qsizetype s = 0; s < stats.steps.size(); ++s) {
        m_steps[s]->setName(stats.steps[s]);
        QList<QPointF> points;
        points.reserve(2 * buckets);
        for (int i = 0; i < buckets; ++i) {
            const RunBucket &b = stats.buckets[i];
            cumulative[i] += 1000.0 * (p95 ? b.stepP95 : b.stepP50).value(s);
            points.push_back({ double(b.start) * 1000.0, cumulative[i] });
            points.push_back({ double(b.start + stats.bucketSeconds) * 1000.0 - 1, cumulative[i] });
            top = std::max(top, cumulative[i]);
        }
        m_uppers[s]->replace(points);
    }
    QList<QPointF> duration;
    for (const RunBucket &b : stats.buckets) {
        if (b.runs == 0)
            continue;
        const double ms = 1000.0 * (p95 ? b.durationP95 : b.durationP50);
        duration.push_back({ (double(b.start) + 0.5 * double(stats.bucketSeconds)) * 1000.0, ms });
        top = std::max(top, ms);
    }
    m_duration->replace(duration);
    m_duration->setName(p95 ? tr("run duration p95") : tr("run duration p50"));
    c->setTitle(p95 ? tr("Steps p95, stacked") : tr("Steps p50, stacked"));
    if (buckets > 0) {
        // Ticks on round times: a round interval (the buckets' own list) giving at most 6, the axis widened to them.
        const qint64 from = stats.buckets.front().start, to = stats.buckets.back().start + stats.bucketSeconds;
        const qint64 tick = RunStats::bucketSecondsFor(to - from, 6);
        const qint64 axisFrom = from / tick * tick, axisTo = (to + tick - 1) / tick * tick;
        m_time->setRange(QDateTime::fromSecsSinceEpoch(axisFrom), QDateTime::fromSecsSinceEpoch(axisTo));
        m_time->setTickCount(int((axisTo - axisFrom) / tick) + 1);
        m_time->setFormat(axisTo - axisFrom > 86400 ? u"yyyy-MM-dd HH:mm"_s : tick < 60 ? u"HH:mm:ss"_s : u"HH:mm"_s);
    }
    m_value->setRange(0, top > 0 ? top * 1.1 : 1);
    m_value->applyNiceNumbers();
}

QVector<double> RunsChart::stepValuesMs(int step) const
{
    QVector<double> out;
    if (step < 0 || step >= m_uppers.size())
        return out;
    const QList<QPointF> upper = m_uppers[step]->points();
    const QList<QPointF> lower = step > 0 ? m_uppers[step - 1]->points() : QList<QPointF>();
    for (qsizetype i = 0; i < upper.size(); i += 2)
        out.push_back(upper[i].y() - (lower.isEmpty() ? 0.0 : lower[i].y()));
    return out;
}

void RunsChart::setDarkTheme(bool dark)
{
    chart()->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    QPen pen(dark ? QColor(0xf0, 0xf0, 0xf0) : QColor(0x20, 0x20, 0x20));
    pen.setWidthF(2);
    m_duration->setPen(pen);
}

} // namespace perfdash
