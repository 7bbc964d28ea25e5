// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/operationfiltermodel.h"

#include "models/operationlistmodel.h"

namespace perfdash {

OperationFilterModel::OperationFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(OperationListModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void OperationFilterModel::setSourceModel(QAbstractItemModel *model)
{
    m_operations = qobject_cast<OperationListModel *>(model);
    Q_ASSERT(m_operations || !model);
    QSortFilterProxyModel::setSourceModel(model);
}

void OperationFilterModel::setText(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_text)
        return;
    m_text = trimmed;
    invalidateFilter();
}

void OperationFilterModel::setFailuresOnly(bool failuresOnly)
{
    if (failuresOnly == m_failuresOnly)
        return;
    m_failuresOnly = failuresOnly;
    invalidateFilter();
}

OperationStats OperationFilterModel::shownStats() const
{
    OperationStats stats;
    for (int row = 0, rows = rowCount(); row < rows; ++row)
        stats.add(m_operations->operation(mapToSource(index(row, 0)).row()));
    return stats;
}

bool OperationFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (sourceParent.isValid() || !m_operations)
        return false;
    const OperationRecord &op = m_operations->operation(sourceRow);
    if (m_failuresOnly && op.success)
        return false;
    if (m_text.isEmpty())
        return true;
    for (const QString *field : { &op.name, &op.opCode, &op.errorCategory, &op.error })
        if (field->contains(m_text, Qt::CaseInsensitive))
            return true;
    return false;
}

} // namespace perfdash
