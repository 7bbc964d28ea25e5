// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/operationstats.h"

#include <QSortFilterProxyModel>

namespace perfdash {

class OperationListModel;

// Sorts and filters an OperationListModel for the operations view: sorting by OperationListModel::SortRole (numbers
// as numbers); a text that keeps the rows whose name, module, error category or error contains it, ignoring case;
// and "failures only". shownStats() are seed 003's session statistics over the rows it keeps. GUI thread, as its
// source model.
class OperationFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OperationFilterModel)
public:
    explicit OperationFilterModel(QObject *parent = nullptr);

    void setSourceModel(QAbstractItemModel *model) override; // an OperationListModel
    void setText(const QString &text);
    void setFailuresOnly(bool failuresOnly);
    bool failuresOnly() const { return m_failuresOnly; }
    OperationStats shownStats() const;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    OperationListModel *m_operations = nullptr;
    QString m_text;
    bool m_failuresOnly = false;
};

} // namespace perfdash
