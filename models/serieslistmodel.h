// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractListModel>
#include <QStringList>

namespace perfdash {

class SeriesStore;

// The series a store holds, sorted by key. Rows are only ever inserted, one at a time, as series appear.
class SeriesListModel : public QAbstractListModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SeriesListModel)
public:
    enum Role { KeyRole = Qt::UserRole + 1, NameRole, TagsRole };

    explicit SeriesListModel(SeriesStore *store, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    QString keyAt(int row) const;
    int rowOf(const QString &key) const;

private:
    void onSeriesAdded(const QString &key);

    QStringList m_keys;
};

} // namespace perfdash
