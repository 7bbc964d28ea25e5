// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/runlistmodel.h"

#include <QDateTime>
#include <QTimeZone>

#include <algorithm>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

RunListModel::RunListModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void RunListModel::setRuns(QVector<RunRecord> runs)
{
    std::stable_sort(
        runs.begin(), runs.end(), [](const RunRecord &a, const RunRecord &b) { return a.start > b.start; });
    beginResetModel();
    m_runs = std::move(runs);
    endResetModel();
}

QString RunListModel::formatSeconds(double seconds)
{
    if (!std::isfinite(seconds))
        return u"–"_s;
    if (seconds < 1)
        return QString::number(seconds * 1000, 'f', seconds < 0.01 ? 2 : 1) + u" ms"_s;
    if (seconds < 120)
        return QString::number(seconds, 'f', 2) + u" s"_s;
    const qint64 whole = qint64(std::llround(seconds));
    return QString::number(whole / 60) + u" min "_s + QString::number(whole % 60) + u" s"_s;
}

int RunListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_runs.size());
}

int RunListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RunRecord &run = m_runs.at(index.row());
    switch (role) {
    case StartRole:
        return run.start;
    case DurationRole:
        return run.executionS;
    case SuccessRole:
        return run.success;
    case Qt::TextAlignmentRole:
        return index.column() == DurationColumn || index.column() == StepsColumn
            ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter))
            : QVariant();
    case Qt::ToolTipRole:
        if (index.column() == StartColumn)
            return QDateTime::fromMSecsSinceEpoch(qint64(std::llround(run.start * 1000)), QTimeZone::utc())
                .toString(Qt::ISODateWithMs);
        return {};
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case StartColumn:
        return QDateTime::fromMSecsSinceEpoch(qint64(std::llround(run.start * 1000)))
            .toString(u"yyyy-MM-dd HH:mm:ss.zzz"_s);
    case DurationColumn:
        return formatSeconds(run.executionS);
    case StatusColumn:
        return run.success ? tr("ok") : tr("failed");
    case StepsColumn:
        return int(run.steps.size());
    case ErrorColumn:
        if (run.success)
            return QString();
        if (run.error.isEmpty())
            return tr("failed (the record gave no error text)");
        return run.errorCategory.isEmpty() ? run.error : u"%1: %2"_s.arg(run.errorCategory, run.error);
    case WorkflowColumn:
        return run.workflow;
    default:
        return {};
    }
}

QVariant RunListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case StartColumn:
        return tr("Start");
    case DurationColumn:
        return tr("Duration");
    case StatusColumn:
        return tr("Status");
    case StepsColumn:
        return tr("Steps");
    case ErrorColumn:
        return tr("Error");
    case WorkflowColumn:
        return tr("Workflow");
    default:
        return {};
    }
}

} // namespace perfdash
