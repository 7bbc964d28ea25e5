// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/sourcecatalog.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QSet>

#include <functional>

namespace perfdash {

class SeriesStore;

// The sources a store's series come from, as a tree: kind (Services, Models, Processes, Other), then one row per
// source, sorted by name. On every store change the live roles (status, p95 sparkline) are recomputed and announced
// with one dataChanged per parent over the rows that changed, with explicit roles.
// A process without data for exitedAfterSeconds (by the injected clock) has most likely exited: its row moves under an
// "Exited" row, the last child of Processes, which exists while it has children (a view shows it collapsed, since only
// kind rows are expanded). A process whose data comes back moves back. Rows are otherwise only ever inserted.
// A process row shows its command once its process.info series names it (SourceRef::displayName).
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
    static constexpr qint64 exitedAfterSeconds = 300; // a process without data this long is folded under "Exited"

    using Clock = std::function<qint64()>; // milliseconds since the epoch

    explicit SourceTreeModel(SeriesStore *store, QObject *parent = nullptr);
    SourceTreeModel(SeriesStore *store, Clock clock, QObject *parent = nullptr);
    ~SourceTreeModel() override;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QHash<int, QByteArray> roleNames() const override;

    // The source of a source row, with its label; an invalid SourceRef for kind rows and the Exited row.
    SourceRef sourceAt(const QModelIndex &index) const;
    QModelIndex indexOf(const SourceRef &source) const;
    // Whether the source is folded under "Exited".
    bool isExited(const SourceRef &source) const;
    QStringList seriesOf(const SourceRef &source) const;
    // The source's series by role; resolved again whenever its series set changed.
    SourceRoles rolesOf(const SourceRef &source) const;
    static QString kindTitle(SourceRef::Kind kind); // "Processes": the kind rows
    static QString kindSingular(SourceRef::Kind kind); // "Process": one source of the kind, e.g. a page's title

    // A series' kind: from its newest live point, else from storage's registry; Gauge when neither knows it.
    MetricKind kindOf(const QString &key) const;
    // Recomputes the live roles now (the store's changed() does this too).
    void refresh();
    // Series that storage holds, with their kinds: their sources appear (silent until live data comes) and their
    // roles count series the live buffer has not seen, so a history range of a source finds all of its series.
    void addStoredSeries(const QVector<QPair<QString, MetricKind>> &series);

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
        QVector<Entry> exited; // Processes only: sorted by name, the children of the Exited row
        bool exitedRow = false; // the Exited row is shown: after the entries, while exited is not empty
    };

    void onSeriesAdded(const QString &key);
    const Entry *entryOf(const SourceRef &source) const;
    Entry *entryOf(const SourceRef &source);
    const Entry *entryAt(const QModelIndex &index) const;
    int groupRow(SourceRef::Kind kind) const;
    QModelIndex exitedRowIndex(int group) const;
    void resolve(const Entry &entry) const;
    qint64 lastSeen(const Entry &entry) const;
    void computeLive(Entry &entry, int *status, QList<double> *sparkline, double *p95) const;
    void foldExited(int group);
    void refreshRows(QVector<Entry> &entries, const QModelIndex &parent);

    SeriesStore *m_store;
    Clock m_clock;
    QSet<QString> m_sparklineKeys; // each entry's latency, as of the last refresh
    QHash<QString, MetricKind> m_storedKinds; // series storage holds, for roles of series without live points
    QVector<Group> m_groups; // sorted by kind
};

} // namespace perfdash
