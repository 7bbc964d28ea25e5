// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/workrecords.h"

#include <QAbstractTableModel>
#include <QVector>

namespace perfdash {

// The runs of the Runs view: one row per stored workflow run, newest first (start, duration, status, steps, error,
// workflow). setRuns replaces them all (a reload for another range or model is a reset); run(row) is the record a
// row shows, for its breakdown. Run records carry no error text (docs/protocol.md, `run`): a failed run says so in
// the error column. GUI thread only.
class RunListModel : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunListModel)
public:
    enum Column { StartColumn, DurationColumn, StatusColumn, StepsColumn, ErrorColumn, WorkflowColumn, ColumnCount };
    enum Role {
        StartRole = Qt::UserRole + 1, // Unix seconds (double)
        DurationRole, // seconds (double)
        SuccessRole, // bool
    };

    explicit RunListModel(QObject *parent = nullptr);

    void setRuns(QVector<RunRecord> runs);
    const QVector<RunRecord> &runs() const { return m_runs; }
    const RunRecord &run(int row) const { return m_runs.at(row); }

    // "850 ms", "1.25 s", "2 min 5 s": a run's or a step's elapsed time as shown in the view.
    static QString formatSeconds(double seconds);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVector<RunRecord> m_runs;
};

} // namespace perfdash
