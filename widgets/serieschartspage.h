// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/kpi.h"
#include "models/sourcecharts.h"

#include <QWidget>

class QLabel;
class QToolButton;

namespace perfdash {

class ChartGrid;

// The Charts tab: the series picked in the Series list (one chart, overlaid), the source's own charts (a process, the
// machine, the collector: models/sourcecharts.h) and the charts pinned to the source, which are kept in QSettings
// ("pins/<source id>", in order) and come back with the source.
class SeriesChartsPage : public QWidget {
    Q_OBJECT
public:
    explicit SeriesChartsPage(SourceCharts::KindOf kindOf, QWidget *parent = nullptr);

    void setSource(const SourceRef &source, const QVector<ChartSpec> &sourceCharts);
    // The picked series (empty: none); overlay adds to those already picked.
    void pick(const QString &key, bool overlay);
    void clearPicked();
    const QStringList &picked() const { return m_picked; }
    // Pins the picked series' chart to the source; unpin(i) removes the i-th pinned chart.
    void pinPicked();
    void unpin(int index);
    QList<QStringList> pins() const; // the source's pinned charts, each a list of series keys

    // Every series key the charts read: what history must load.
    QStringList keys() const;
    void showData(const Kpi::PointLookup &points, qint64 fromMs, qint64 toMs, qint64 stepSeconds);
    void setDarkTheme(bool dark);
    ChartGrid *grid() const { return m_grid; }

Q_SIGNALS:
    void exportRequested();
    void chartsChanged(); // the keys changed: history may need a reload

private:
    void rebuild();
    void savePins(const QList<QStringList> &pins) const;

    SourceCharts::KindOf m_kindOf;
    SourceRef m_source;
    QVector<ChartSpec> m_sourceCharts;
    QStringList m_picked;
    QLabel *m_title;
    QToolButton *m_pin;
    QToolButton *m_unpin;
    QToolButton *m_clear;
    ChartGrid *m_grid;
};

} // namespace perfdash
