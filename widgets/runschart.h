// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/runstats.h"

#include <QChartView>
#include <QVector>

class QAreaSeries;
class QDateTimeAxis;
class QLineSeries;
class QValueAxis;

namespace perfdash {

// The Runs view's chart: per time bucket, each step's p50 or p95 elapsed time stacked as bands (one QAreaSeries per
// step, in the runs' order), and the run duration's same quantile as a line. Values in ms on a time axis. It draws
// RunStats; it computes nothing. GUI thread only.
class RunsChart : public QChartView {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunsChart)
public:
    explicit RunsChart(QWidget *parent = nullptr);

    // The buckets' p95 (else p50) of every step and of the run duration.
    void setStats(const RunStats &stats, bool p95);
    void setDarkTheme(bool dark);

    // For tests: the stacked bands (upper minus lower is the step's value) and the duration line.
    const QVector<QAreaSeries *> &stepSeries() const { return m_steps; }
    QLineSeries *durationSeries() const { return m_duration; }
    // A step's drawn value per bucket, in ms (upper minus lower at the bucket's start).
    QVector<double> stepValuesMs(int step) const;

private:
    QVector<QAreaSeries *> m_steps;
    QVector<QLineSeries *> m_uppers; // owned by this view: QAreaSeries does not own its lines
    QLineSeries *m_duration = nullptr;
    QDateTimeAxis *m_time = nullptr;
    QValueAxis *m_value = nullptr;
};

} // namespace perfdash
