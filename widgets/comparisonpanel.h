// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/modeloutlook.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTableWidget;

namespace perfdash {

// One model's comparison panel: every KPI with its current value, baseline (and where it came from), Δ, status, 7-day
// trend and projected breach; and the actions that make baselines (pin the view's range, re-baseline after a deploy,
// type an expected throughput). It only formats: the figures come from models/ (Outlook, Baseline::compare).
// GUI thread only.
class ComparisonPanel : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ComparisonPanel)
public:
    enum Column { ColKpi, ColCurrent, ColBaseline, ColDelta, ColStatus, ColTrend, ColProjection, ColumnCount };

    explicit ComparisonPanel(QWidget *parent = nullptr);

    // currents: each KPI's current value (the dashboard's tiles' window); an invalid outlook shows why there is none.
    void setOutlook(const ModelOutlook &outlook, const QHash<QString, double> &currents, const QString &window);
    void setMessage(const QString &text); // "Baselines are kept per model: pick a model." / a read error
    void setActionsEnabled(bool enabled, const QString &why = {});

    QTableWidget *table() const { return m_table; }
    QString message() const;
    int rowOf(const QString &kpi) const; // -1 when not listed
    QString cellText(const QString &kpi, Column column) const;

Q_SIGNALS:
    void pinRangeRequested();
    void rebaselineRequested();
    void expectedThroughputRequested();

private:
    QLabel *m_message;
    QTableWidget *m_table;
    QPushButton *m_pin;
    QPushButton *m_rebaseline;
    QPushButton *m_expected;
    Baseline::Limits m_limits = Baseline::Limits::fromEnvironment();
};

} // namespace perfdash
