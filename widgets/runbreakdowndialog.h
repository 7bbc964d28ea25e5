// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/runstats.h"

#include <QDialog>

class QLabel;
class QTableWidget;

namespace perfdash {

// One run's breakdown: its steps in the order they started, with their start offset, duration and share of the run,
// and a horizontal bar per step placed on the run's time line (models/runstats.h runBreakdown). GUI thread only.
class RunBreakdownDialog : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunBreakdownDialog)
public:
    enum Column { StepColumn, OffsetColumn, DurationColumn, ShareColumn, BarColumn, ColumnCount };

    explicit RunBreakdownDialog(QWidget *parent = nullptr);

    void setRun(const RunRecord &run);
    QTableWidget *table() const { return m_table; }
    QString summary() const;

private:
    QLabel *m_summary = nullptr;
    QTableWidget *m_table = nullptr;
};

} // namespace perfdash
