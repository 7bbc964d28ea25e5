// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/seriesfiltermodel.h"

#include "models/serieslistmodel.h"

namespace perfdash {

SeriesFilterModel::SeriesFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{ }

void SeriesFilterModel::setPattern(const QString &pattern)
{
    auto selector = SeriesSelector::parse(pattern, nullptr);
    // A bare name stays a substring search, as the box always did: "lat" should still find "api.latency".
    if (selector && !selector->hasWildcards() && !pattern.contains(u'{'))
        selector.reset();
    m_selector = std::move(selector);
    m_substring = m_selector ? QString() : pattern;
    invalidateFilter();
}

bool SeriesFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_selector)
        return index.data(Qt::DisplayRole).toString().contains(m_substring, Qt::CaseInsensitive);
    return m_selector->matches(index.data(SeriesListModel::KeyRole).toString());
}

} // namespace perfdash
