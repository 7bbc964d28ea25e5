// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/operationlistmodel.h"

#include <QDateTime>
#include <QLocale>

#include <algorithm>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
constexpr int errorDisplayChars = 200; // the cell shows the start of the first line; the tooltip has all of it
const QString none = u"–"_s;

QVariant rawNumber(double v)
{
    return std::isfinite(v) ? QVariant(v) : QVariant();
}

QVariant rawNumber(const std::optional<qint64> &v)
{
    return v ? QVariant(*v) : QVariant();
}

// Seed 003's precision: elapsed to the millisecond, rates and megabytes to two decimals.
QString formatNumber(double v, int decimals, const QString &unit = {})
{
    if (!std::isfinite(v))
        return none;
    const QString text = QLocale().toString(v, 'f', decimals);
    return unit.isEmpty() ? text : text % u' ' % unit;
}

QString firstLine(const QString &text)
{
    const qsizetype newline = text.indexOf(u'\n');
    const QString line = newline < 0 ? text : text.left(newline);
    return line.size() > errorDisplayChars || newline >= 0 ? line.left(errorDisplayChars) % u"…"_s : line;
}

bool sameRows(const QVector<OperationRecord> &a, const QVector<OperationRecord> &b)
{
    // Stored rows never change: the same ids in the same order are the same table. Unstored rows (id -1) always differ.
    return a.size() == b.size() && std::equal(a.cbegin(), a.cend(), b.cbegin(), [](const auto &x, const auto &y) {
        return x.id >= 0 && x.id == y.id;
    });
}
} // namespace

OperationListModel::OperationListModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

int OperationListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_operations.size());
}

int OperationListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant OperationListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case NameColumn:
        return tr("Operation");
    case ModuleColumn:
        return tr("Module");
    case ItemsColumn:
        return tr("Items");
    case ElapsedColumn:
        return tr("Elapsed");
    case RateColumn:
        return tr("Items/s");
    case MemoryColumn:
        return tr("Memory");
    case SuccessColumn:
        return tr("Success");
    case CategoryColumn:
        return tr("Category");
    case ErrorColumn:
        return tr("Error");
    default:
        return {};
    }
}

QVariant OperationListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const OperationRecord &op = m_operations[index.row()];
    const int column = index.column();
    if (role == Qt::TextAlignmentRole) {
        const bool number
            = column == ItemsColumn || column == ElapsedColumn || column == RateColumn || column == MemoryColumn;
        return QVariant::fromValue(Qt::Alignment(number ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter);
    }
    if (role == Qt::ToolTipRole) {
        if (column == ErrorColumn || column == SuccessColumn)
            return op.error.isEmpty() ? QVariant() : QVariant(op.error);
        if (column != NameColumn)
            return {};
        QStringList lines;
        if (!op.target.isEmpty())
            lines << tr("target: %1").arg(op.target);
        if (!op.tenant.isEmpty())
            lines << tr("tenant: %1").arg(op.tenant);
        if (!op.guid.isEmpty())
            lines << tr("guid: %1").arg(op.guid);
        return lines.isEmpty() ? QVariant() : QVariant(lines.join(u'\n'));
    }
    if (role == SortRole) {
        switch (column) {
        case TimeColumn:
            return op.timeMs;
        case ItemsColumn:
            return rawNumber(op.items);
        case ElapsedColumn:
            return op.elapsedS;
        case RateColumn:
            return rawNumber(op.itemsPerS);
        case MemoryColumn:
            return rawNumber(op.memoryMb);
        case SuccessColumn:
            return op.success;
        case ErrorColumn:
            return op.error;
        default:
            break; // the text columns sort by their text
        }
    }
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (column) {
    case TimeColumn:
        return QDateTime::fromMSecsSinceEpoch(op.timeMs).toString(u"yyyy-MM-dd HH:mm:ss"_s);
    case NameColumn:
        return op.name;
    case ModuleColumn:
        return op.opCode;
    case ItemsColumn:
        return op.items ? QLocale().toString(*op.items) : none;
    case ElapsedColumn:
        return formatNumber(op.elapsedS, 3, u"s"_s);
    case RateColumn:
        return formatNumber(op.itemsPerS, 2);
    case MemoryColumn:
        return formatNumber(op.memoryMb, 2, u"MB"_s);
    case SuccessColumn:
        return op.success ? tr("ok") : tr("failed");
    case CategoryColumn:
        return op.errorCategory;
    case ErrorColumn:
        return firstLine(op.error);
    default:
        return {};
    }
}

void OperationListModel::setOperations(const QVector<OperationRecord> &operations)
{
    if (sameRows(m_operations, operations))
        return; // a periodic reload of an unchanged range keeps the user's selection and scroll
    beginResetModel();
    m_operations = operations;
    endResetModel();
}

} // namespace perfdash
