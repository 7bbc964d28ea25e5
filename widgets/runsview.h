// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/runstats.h"

#include <QPointer>
#include <QWidget>

#include <optional>
#include <utility>

class QComboBox;
class QLabel;
class QModelIndex;
class QTableView;

namespace perfdash {

class RangeSource;
class RunBreakdownDialog;
class RunListModel;
class RunsChart;

// The Runs view: the workflow runs of the view's range from a RangeSource, as a stacked chart of their steps' p50 or
// p95 per time bucket (with the run duration as a line) above a table of the runs; activating a row (double-click,
// Enter) opens that run's breakdown. Runs are shown per source (a combo: the sources their tags name, as for their
// run.* series; setSource picks the selected one when it has runs in range, else all) and per workflow (a combo).
// Reloads on setRange while shown, else when next shown; late answers are dropped by generation. GUI thread only.
class RunsView : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunsView)
public:
    explicit RunsView(QWidget *parent = nullptr);
    ~RunsView() override;

    void setRangeSource(RangeSource *source); // not owned
    void setRange(qint64 fromSecond, qint64 toSecond);
    void setSource(const SourceRef &source);
    void setDarkTheme(bool dark);
    void reload();
    // Opens the breakdown of the run that started at startMs (within a second) of that workflow (empty: any), once
    // the runs are loaded.
    void openRunAt(qint64 startMs, const QString &workflow);

    // For tests and the screenshot.
    QComboBox *quantileBox() const { return m_quantile; }
    QComboBox *sourceBox() const { return m_sourceBox; }
    QComboBox *workflowBox() const { return m_workflow; }
    QTableView *table() const { return m_table; }
    RunListModel *runModel() const { return m_model; }
    RunsChart *chart() const { return m_chart; }
    const RunStats &stats() const { return m_stats; }
    RunBreakdownDialog *breakdown() const;
    QString statusText() const;

protected:
    void showEvent(QShowEvent *event) override;

private:
    void onRunsReady(quint64 generation, const QVector<perfdash::RunRecord> &runs);
    void onRunsFailed(quint64 generation, const QString &message);
    void onFilterChanged();
    void updateChart();
    void openBreakdown(const QModelIndex &index);
    void openBreakdown(const RunRecord &run);
    bool openPendingRun();

    QPointer<RangeSource> m_source;
    quint64 m_generation = 0;
    qint64 m_from = 0;
    qint64 m_to = 0;
    bool m_stale = true;
    SourceRef m_selected;
    QVector<RunRecord> m_runs; // every workflow's, as answered
    std::optional<std::pair<qint64, QString>> m_pendingRun; // openRunAt before its runs arrived
    RunStats m_stats; // of the chosen workflow's
    QComboBox *m_quantile = nullptr;
    QComboBox *m_sourceBox = nullptr;
    QComboBox *m_workflow = nullptr;
    QLabel *m_status = nullptr;
    RunsChart *m_chart = nullptr;
    QTableView *m_table = nullptr;
    RunListModel *m_model = nullptr;
    QPointer<RunBreakdownDialog> m_breakdown;
};

} // namespace perfdash
