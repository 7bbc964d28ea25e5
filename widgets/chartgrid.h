// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/kpi.h"
#include "models/sourcecharts.h"

#include <QScrollArea>

class QGridLayout;
class QLabel;

namespace perfdash {

class TimeSeriesChart;

// Charts of series figures in a grid (two columns when wide enough): a process, the machine or the collector's page,
// the Series charts tab, pinned charts. Lays out and draws what models/sourcecharts.h and models/seriesplot.h define.
class ChartGrid : public QScrollArea {
    Q_OBJECT
public:
    explicit ChartGrid(QWidget *parent = nullptr);

    // Replaces the charts (none: the empty text shows).
    void setCharts(const QVector<ChartSpec> &specs);
    const QVector<ChartSpec> &charts() const { return m_specs; }
    // Each chart's lines from `points` over [fromMs, toMs], buckets of stepSeconds.
    void showData(const Kpi::PointLookup &points, qint64 fromMs, qint64 toMs, qint64 stepSeconds);
    void setEmptyText(const QString &text);
    void setDarkTheme(bool dark);
    TimeSeriesChart *chart(int index) const { return m_charts.value(index); }
    int count() const { return int(m_charts.size()); }

Q_SIGNALS:
    void exportRequested(); // a chart's "Export report…"

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void relayout();

    QWidget *m_content;
    QGridLayout *m_grid;
    QLabel *m_empty;
    QVector<ChartSpec> m_specs;
    QVector<TimeSeriesChart *> m_charts;
    int m_columns = 0;
    bool m_dark = false;
};

} // namespace perfdash
