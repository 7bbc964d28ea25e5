// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/runstats.h"

#include <QDialog>

class QLabel;
class QTableWidget;
class QTabWidget;

namespace perfdash {

// One run's breakdown: its workflow fields (tenant, retries, mode, memory, error, tags); its steps in the order they
// started, with their start offset, duration and share of the run, and a horizontal bar per step placed on the run's
// time line (models/runstats.h runBreakdown); and the samples a sampler took while it ran (models/runtelemetry.h), in a
// second tab. GUI thread only.
class RunBreakdownDialog : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunBreakdownDialog)
public:
    enum Column { StepColumn, OffsetColumn, DurationColumn, ShareColumn, BarColumn, ColumnCount };

    explicit RunBreakdownDialog(QWidget *parent = nullptr);

    void setRun(const RunRecord &run);
    QTableWidget *table() const { return m_table; }
    QTableWidget *samplesTable() const { return m_samples; }
    QTabWidget *tabs() const { return m_tabs; }
    QString summary() const;
    QString details() const;
    QString samplesNote() const;

private:
    void showSteps(const RunRecord &run);
    void showSamples(const RunRecord &run);

    QLabel *m_summary = nullptr;
    QLabel *m_details = nullptr;
    QTabWidget *m_tabs = nullptr;
    QTableWidget *m_table = nullptr;
    QTableWidget *m_samples = nullptr;
    QLabel *m_samplesNote = nullptr;
};

} // namespace perfdash
