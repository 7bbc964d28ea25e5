// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/serieslistmodel.h"

#include "models/serieskey.h"
#include "models/seriesselector.h"
#include "models/seriesstore.h"

#include <algorithm>

namespace perfdash {

SeriesListModel::SeriesListModel(SeriesStore *store, QObject *parent)
    : QAbstractListModel(parent)
{
    for (const auto &key : store->keys())
        onSeriesAdded(key);
    connect(store, &SeriesStore::seriesAdded, this, &SeriesListModel::onSeriesAdded);
}

int SeriesListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_keys.size());
}

QVariant SeriesListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QString &key = m_keys.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return SeriesSelector::displayName(key);
    case Qt::ToolTipRole:
    case KeyRole:
        return key;
    case NameRole:
        return SeriesKey::fromString(key).name;
    case TagsRole:
        return SeriesKey::fromString(key).tags;
    default:
        return {};
    }
}

QHash<int, QByteArray> SeriesListModel::roleNames() const
{
    auto names = QAbstractListModel::roleNames();
    names.insert(KeyRole, "key");
    names.insert(NameRole, "name");
    names.insert(TagsRole, "tags");
    return names;
}

QString SeriesListModel::keyAt(int row) const
{
    return row >= 0 && row < m_keys.size() ? m_keys.at(row) : QString();
}

int SeriesListModel::rowOf(const QString &key) const
{
    const auto it = std::lower_bound(m_keys.cbegin(), m_keys.cend(), key);
    return it != m_keys.cend() && *it == key ? int(it - m_keys.cbegin()) : -1;
}

void SeriesListModel::onSeriesAdded(const QString &key)
{
    const auto it = std::lower_bound(m_keys.begin(), m_keys.end(), key);
    if (it != m_keys.end() && *it == key)
        return;
    const int row = int(it - m_keys.begin());
    beginInsertRows({}, row, row);
    m_keys.insert(row, key);
    endInsertRows();
}

} // namespace perfdash
