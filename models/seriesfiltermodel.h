// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/seriesselector.h"

#include <QSortFilterProxyModel>

#include <optional>

namespace perfdash {

// Filters a SeriesListModel by what the user types (docs/series.md). A pattern that parses as a selector and has
// braces or wildcards (`api.*`, `*{model=m1}`) keeps the rows whose SeriesListModel::KeyRole it matches; any other
// text keeps the rows whose display name contains it, ignoring case. GUI thread, as its source model.
class SeriesFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SeriesFilterModel)
public:
    explicit SeriesFilterModel(QObject *parent = nullptr);

    void setPattern(const QString &pattern);
    // The selector in use, or nullopt while the pattern is a plain substring.
    const std::optional<SeriesSelector> &selector() const { return m_selector; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    std::optional<SeriesSelector> m_selector;
    QString m_substring;
};

} // namespace perfdash
