// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/workrecords.h"

#include <QAbstractTableModel>
#include <QVector>

namespace perfdash {

// Stored operations (seed 003's `op` records), one row each, in the order given (storage answers newest first).
// DisplayRole is formatted text ("–" where a number is absent); SortRole holds the raw value (numbers as numbers, an
// absent one invalid, so it sorts last); ToolTipRole gives the full error text, and the target, tenant and guid on the
// name. setOperations resets, unless the same stored rows come again. GUI thread only.
class OperationListModel : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OperationListModel)
public:
    enum Column {
        TimeColumn,
        NameColumn,
        ModuleColumn, // op_code
        ItemsColumn,
        ElapsedColumn,
        RateColumn, // items/s as the producer sent it
        MemoryColumn,
        SuccessColumn,
        CategoryColumn,
        ErrorColumn,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole + 1,
    };

    explicit OperationListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setOperations(const QVector<OperationRecord> &operations);
    const QVector<OperationRecord> &operations() const { return m_operations; }
    const OperationRecord &operation(int row) const { return m_operations.at(row); }

private:
    QVector<OperationRecord> m_operations;
};

} // namespace perfdash
