// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/sourcecatalog.h"

#include <QAbstractItemModel>
#include <QSet>

namespace perfdash {

class SeriesStore;

// The sources a store's series come from, as a two-level tree: kind (Services, Models, Processes, Other), then one row
// per source, sorted by name. Rows are only ever inserted. On every store change the live roles (status, p95 sparkline)
// are recomputed and announced with one dataChanged per kind over the rows that changed, with explicit roles.
// GUI thread (the store's thread).
class SourceTreeModel : public QAbstractItemModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SourceTreeModel)
public:
    enum Role {
        SourceIdRole = Qt::UserRole + 1, // QString, SourceRef::id(); empty on kind rows
        StatusRole, // int, a Status; kind rows: none
        SparklineRole, // QList<double>: p95 of the last sparklineSeconds seconds, NaN where none
        P95Role, // double: the latest p95 (NaN when none)
        SeriesCountRole, // int
    };
    enum Status { Live = 0, Errors = 1, Stale = 2, Silent = 3 };
    Q_ENUM(Status)
    static constexpr int sparklineSeconds = 60;
    static constexpr qint64 staleAfterSeconds = 3; // no data for this long: stale
    static constexpr qint64 silentAfterSeconds = 30;
    static constexpr double errorStatusRate = 0.05; // errors over the last 10 s above 5%: the dot turns red

    explicit SourceTreeModel(SeriesStore *store, QObject *parent = nullptr);
    ~SourceTreeModel() override;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QHash<int, QByteArray> roleNames() const override;

    SourceRef sourceAt(const QModelIndex &index) const;
    QModelIndex indexOf(const SourceRef &source) const;
    QStringList seriesOf(const SourceRef &source) const;
    // The source's series by role; resolved again whenever its series set changed.
    SourceRoles rolesOf(const SourceRef &source) const;
    static QString kindTitle(SourceRef::Kind kind);

    // Recomputes the live roles now (the store's changed() does this too).
    void refresh();

private:
    struct Entry {
        SourceRef ref;
        QStringList keys;
        mutable SourceRoles roles;
        mutable bool rolesDirty = true;
        int status = Silent;
        QList<double> sparkline;
        double p95 = 0;
    };
    struct Group {
        SourceRef::Kind kind;
        QVector<Entry> entries; // sorted by name
    };

    void onSeriesAdded(const QString &key);
    const Entry *entryOf(const SourceRef &source) const;
    Entry *entryOf(const SourceRef &source);
    int groupRow(SourceRef::Kind kind) const;
    void resolve(const Entry &entry) const;
    void computeLive(Entry &entry, int *status, QList<double> *sparkline, double *p95) const;

    SeriesStore *m_store;
    QVector<Group> m_groups; // sorted by kind
};

} // namespace perfdash
