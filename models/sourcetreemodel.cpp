// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/sourcetreemodel.h"

#include "models/seriesstore.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
constexpr quintptr kindRowId = 0; // internalId of kind rows; a source row holds its kind + 1

bool sameDoubles(const QList<double> &a, const QList<double> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i]))))
            return false;
    }
    return true;
}

bool sameDouble(double a, double b)
{
    return a == b || (std::isnan(a) && std::isnan(b));
}
} // namespace

SourceTreeModel::SourceTreeModel(SeriesStore *store, QObject *parent)
    : QAbstractItemModel(parent)
    , m_store(store)
{
    for (const auto &key : store->keys())
        onSeriesAdded(key);
    connect(store, &SeriesStore::seriesAdded, this, &SourceTreeModel::onSeriesAdded);
    connect(store, &SeriesStore::changed, this, &SourceTreeModel::refresh);
    refresh();
}

SourceTreeModel::~SourceTreeModel() = default;

QString SourceTreeModel::kindTitle(SourceRef::Kind kind)
{
    switch (kind) {
    case SourceRef::Kind::Service:
        return tr("Services");
    case SourceRef::Kind::Model:
        return tr("Models");
    case SourceRef::Kind::Process:
        return tr("Processes");
    case SourceRef::Kind::Other:
        break;
    }
    return tr("Other metrics");
}

int SourceTreeModel::groupRow(SourceRef::Kind kind) const
{
    for (int i = 0; i < m_groups.size(); ++i) {
        if (m_groups[i].kind == kind)
            return i;
    }
    return -1;
}

const SourceTreeModel::Entry *SourceTreeModel::entryOf(const SourceRef &source) const
{
    const int g = groupRow(source.kind);
    if (g < 0)
        return nullptr;
    const auto &entries = m_groups[g].entries;
    const auto it = std::lower_bound(
        entries.cbegin(), entries.cend(), source.name, [](const Entry &e, const QString &n) { return e.ref.name < n; });
    return it != entries.cend() && it->ref.name == source.name ? &*it : nullptr;
}

SourceTreeModel::Entry *SourceTreeModel::entryOf(const SourceRef &source)
{
    return const_cast<Entry *>(std::as_const(*this).entryOf(source));
}

void SourceTreeModel::onSeriesAdded(const QString &key)
{
    for (const SourceRef &ref : sourcesOf(key)) {
        if (Entry *entry = entryOf(ref)) {
            entry->keys << key;
            entry->rolesDirty = true;
            continue;
        }
        int g = groupRow(ref.kind);
        if (g < 0) {
            const auto pos = std::lower_bound(m_groups.cbegin(), m_groups.cend(), ref.kind,
                [](const Group &grp, SourceRef::Kind k) { return grp.kind < k; });
            g = int(pos - m_groups.cbegin());
            beginInsertRows({}, g, g);
            m_groups.insert(g, Group { ref.kind, {} });
            endInsertRows();
        }
        auto &entries = m_groups[g].entries;
        const auto pos = std::lower_bound(entries.cbegin(), entries.cend(), ref.name,
            [](const Entry &e, const QString &n) { return e.ref.name < n; });
        const int row = int(pos - entries.cbegin());
        beginInsertRows(index(g, 0), row, row);
        Entry entry;
        entry.ref = ref;
        entry.keys << key;
        entry.p95 = std::numeric_limits<double>::quiet_NaN();
        entries.insert(row, std::move(entry));
        endInsertRows();
    }
}

void SourceTreeModel::resolve(const Entry &entry) const
{
    if (!entry.rolesDirty)
        return;
    QHash<QString, MetricKind> kinds;
    for (const QString &key : entry.keys) {
        const auto &points = m_store->points(key);
        if (!points.isEmpty())
            kinds.insert(key, points.constLast().stats.kind);
    }
    entry.roles = resolveRoles(entry.keys, kinds);
    entry.rolesDirty = false;
}

void SourceTreeModel::computeLive(Entry &entry, int *status, QList<double> *sparkline, double *p95) const
{
    resolve(entry);
    const qint64 latest = m_store->latestSecond();
    qint64 lastSeen = std::numeric_limits<qint64>::min();
    for (const QString &key : std::as_const(entry.keys)) {
        const auto &points = m_store->points(key);
        if (!points.isEmpty())
            lastSeen = std::max(lastSeen, points.constLast().second);
    }
    const qint64 age = latest - lastSeen;
    *status = age >= silentAfterSeconds ? Silent : age >= staleAfterSeconds ? Stale : Live;
    if (*status == Live && !entry.roles.errors.isEmpty()) {
        const auto countSince = [this, latest](const QStringList &keys) {
            double total = 0;
            for (const QString &key : keys) {
                const auto &points = m_store->points(key);
                for (auto it = points.crbegin(); it != points.crend() && it->second > latest - 10; ++it)
                    total += double(it->stats.count);
            }
            return total;
        };
        const double requests = countSince(entry.roles.requests);
        if (requests > 0 && countSince(entry.roles.errors) / requests > errorStatusRate)
            *status = Errors;
    }
    sparkline->clear();
    *p95 = std::numeric_limits<double>::quiet_NaN();
    if (entry.roles.latency.isEmpty())
        return;
    const auto &points = m_store->points(entry.roles.latency);
    sparkline->fill(std::numeric_limits<double>::quiet_NaN(), sparklineSeconds);
    const qint64 first = latest - sparklineSeconds + 1;
    for (auto it = points.crbegin(); it != points.crend() && it->second >= first; ++it)
        (*sparkline)[it->second - first] = it->stats.p95;
    if (!points.isEmpty())
        *p95 = points.constLast().stats.p95;
}

void SourceTreeModel::refresh()
{
    static const QList<int> roles { StatusRole, SparklineRole, P95Role, SeriesCountRole, Qt::ToolTipRole };
    for (int g = 0; g < m_groups.size(); ++g) {
        int firstChanged = -1, lastChanged = -1;
        auto &entries = m_groups[g].entries;
        for (int row = 0; row < entries.size(); ++row) {
            Entry &entry = entries[row];
            int status = Silent;
            QList<double> sparkline;
            double p95 = 0;
            computeLive(entry, &status, &sparkline, &p95);
            if (status == entry.status && sameDouble(p95, entry.p95) && sameDoubles(sparkline, entry.sparkline))
                continue;
            entry.status = status;
            entry.p95 = p95;
            entry.sparkline = std::move(sparkline);
            if (firstChanged < 0)
                firstChanged = row;
            lastChanged = row;
        }
        if (firstChanged >= 0) {
            const QModelIndex parent = index(g, 0);
            Q_EMIT dataChanged(index(firstChanged, 0, parent), index(lastChanged, 0, parent), roles);
        }
    }
}

QModelIndex SourceTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, kindRowId);
    if (parent.internalId() != kindRowId)
        return {};
    return createIndex(row, column, quintptr(m_groups[parent.row()].kind) + 1);
}

QModelIndex SourceTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == kindRowId)
        return {};
    const int g = groupRow(SourceRef::Kind(child.internalId() - 1));
    return g < 0 ? QModelIndex() : createIndex(g, 0, kindRowId);
}

int SourceTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_groups.size());
    if (parent.column() != 0 || parent.internalId() != kindRowId)
        return 0;
    return int(m_groups[parent.row()].entries.size());
}

int SourceTreeModel::columnCount(const QModelIndex &) const
{
    return 1;
}

Qt::ItemFlags SourceTreeModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    // Kind rows only group; selecting one would show nothing.
    return index.internalId() == kindRowId ? Qt::ItemIsEnabled : Qt::ItemIsEnabled | Qt::ItemIsSelectable;
}

QVariant SourceTreeModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (index.internalId() == kindRowId) {
        const Group &group = m_groups[index.row()];
        switch (role) {
        case Qt::DisplayRole:
            return kindTitle(group.kind);
        case SeriesCountRole:
            return int(group.entries.size());
        default:
            return {};
        }
    }
    const int g = groupRow(SourceRef::Kind(index.internalId() - 1));
    if (g < 0 || index.row() >= m_groups[g].entries.size())
        return {};
    const Entry &entry = m_groups[g].entries[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        return entry.ref.name;
    case Qt::ToolTipRole: {
        static const QString statusText[]
            = { tr("live"), tr("live, error rate above 5%"), tr("no data for a few seconds"), tr("silent") };
        return tr("%1 · %2 series · %3").arg(entry.ref.id()).arg(entry.keys.size()).arg(statusText[entry.status]);
    }
    case SourceIdRole:
        return entry.ref.id();
    case StatusRole:
        return entry.status;
    case SparklineRole:
        return QVariant::fromValue(entry.sparkline);
    case P95Role:
        return entry.p95;
    case SeriesCountRole:
        return int(entry.keys.size());
    default:
        return {};
    }
}

QHash<int, QByteArray> SourceTreeModel::roleNames() const
{
    auto names = QAbstractItemModel::roleNames();
    names.insert(SourceIdRole, "sourceId");
    names.insert(StatusRole, "status");
    names.insert(SparklineRole, "sparkline");
    names.insert(P95Role, "p95");
    names.insert(SeriesCountRole, "seriesCount");
    return names;
}

SourceRef SourceTreeModel::sourceAt(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this || index.internalId() == kindRowId)
        return {};
    const int g = groupRow(SourceRef::Kind(index.internalId() - 1));
    if (g < 0 || index.row() >= m_groups[g].entries.size())
        return {};
    return m_groups[g].entries[index.row()].ref;
}

QModelIndex SourceTreeModel::indexOf(const SourceRef &source) const
{
    const int g = groupRow(source.kind);
    const Entry *entry = entryOf(source);
    if (g < 0 || !entry)
        return {};
    return index(int(entry - m_groups[g].entries.constData()), 0, index(g, 0));
}

QStringList SourceTreeModel::seriesOf(const SourceRef &source) const
{
    const Entry *entry = entryOf(source);
    return entry ? entry->keys : QStringList();
}

SourceRoles SourceTreeModel::rolesOf(const SourceRef &source) const
{
    const Entry *entry = entryOf(source);
    if (!entry)
        return {};
    resolve(*entry);
    return entry->roles;
}

} // namespace perfdash
