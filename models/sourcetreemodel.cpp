// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/sourcetreemodel.h"

#include "models/kpi.h"
#include "models/seriesstore.h"

#include <QDateTime>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
// internalId of kind rows; a source row holds its kind + 1; the Exited row and the rows under it have their own.
constexpr quintptr kindRowId = 0;
constexpr quintptr exitedRowId = 8;
constexpr quintptr exitedEntryId = 9;

template <typename T>
bool byName(const T &entry, const QString &name)
{
    return entry.ref.name < name;
}

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
    : SourceTreeModel(
        store, []() { return QDateTime::currentMSecsSinceEpoch(); }, parent)
{ }

SourceTreeModel::SourceTreeModel(SeriesStore *store, Clock clock, QObject *parent)
    : QAbstractItemModel(parent)
    , m_store(store)
    , m_clock(std::move(clock))
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

QString SourceTreeModel::kindSingular(SourceRef::Kind kind)
{
    switch (kind) {
    case SourceRef::Kind::Service:
        return tr("Service");
    case SourceRef::Kind::Model:
        return tr("Model");
    case SourceRef::Kind::Process:
        return tr("Process");
    case SourceRef::Kind::Other:
        break;
    }
    return tr("Other metrics"); // a bucket of names, not one thing: no singular
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
    for (const auto *entries : { &m_groups[g].entries, &m_groups[g].exited }) {
        const auto it = std::lower_bound(entries->cbegin(), entries->cend(), source.name, byName<Entry>);
        if (it != entries->cend() && it->ref.name == source.name)
            return &*it;
    }
    return nullptr;
}

const SourceTreeModel::Entry *SourceTreeModel::entryAt(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this)
        return nullptr;
    const quintptr id = index.internalId();
    if (id == kindRowId || id == exitedRowId)
        return nullptr;
    const int g = groupRow(id == exitedEntryId ? SourceRef::Kind::Process : SourceRef::Kind(id - 1));
    if (g < 0)
        return nullptr;
    const auto &entries = id == exitedEntryId ? m_groups[g].exited : m_groups[g].entries;
    return index.row() < entries.size() ? &entries[index.row()] : nullptr;
}

QModelIndex SourceTreeModel::exitedRowIndex(int group) const
{
    const Group &grp = m_groups[group];
    return grp.exitedRow ? createIndex(int(grp.entries.size()), 0, exitedRowId) : QModelIndex();
}

SourceTreeModel::Entry *SourceTreeModel::entryOf(const SourceRef &source)
{
    return const_cast<Entry *>(std::as_const(*this).entryOf(source));
}

void SourceTreeModel::addStoredSeries(const QVector<QPair<QString, MetricKind>> &series)
{
    for (const auto &[key, kind] : series) {
        if (m_storedKinds.contains(key))
            continue;
        m_storedKinds.insert(key, kind);
        onSeriesAdded(key);
    }
    refresh();
}

void SourceTreeModel::onSeriesAdded(const QString &key)
{
    for (const SourceRef &ref : sourcesOf(key)) {
        if (Entry *entry = entryOf(ref)) {
            if (!entry->keys.contains(key)) { // a stored series that now sends live data is already here
                entry->keys << key;
                entry->rolesDirty = true;
            }
            if (!ref.label.isEmpty() && ref.label != entry->ref.label) {
                // The newest process.info names it: after a pid was reused, the process that has it now.
                entry->ref.label = ref.label;
                const QModelIndex at = indexOf(ref);
                Q_EMIT dataChanged(at, at, { Qt::DisplayRole, Qt::ToolTipRole });
            }
            continue;
        }
        int g = groupRow(ref.kind);
        if (g < 0) {
            const auto pos = std::lower_bound(m_groups.cbegin(), m_groups.cend(), ref.kind,
                [](const Group &grp, SourceRef::Kind k) { return grp.kind < k; });
            g = int(pos - m_groups.cbegin());
            beginInsertRows({}, g, g);
            m_groups.insert(g, Group { ref.kind, {}, {}, false });
            endInsertRows();
        }
        auto &entries = m_groups[g].entries;
        const auto pos = std::lower_bound(entries.cbegin(), entries.cend(), ref.name, byName<Entry>);
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

MetricKind SourceTreeModel::kindOf(const QString &key) const
{
    const auto &points = m_store->points(key);
    if (!points.isEmpty())
        return points.constLast().stats.kind;
    return m_storedKinds.value(key, MetricKind::Gauge);
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
        else if (const auto it = m_storedKinds.constFind(key); it != m_storedKinds.constEnd())
            kinds.insert(key, *it);
    }
    entry.roles = resolveRoles(entry.keys, kinds);
    entry.rolesDirty = false;
}

qint64 SourceTreeModel::lastSeen(const Entry &entry) const
{
    qint64 last = std::numeric_limits<qint64>::min();
    for (const QString &key : std::as_const(entry.keys)) {
        const auto &points = m_store->points(key);
        if (!points.isEmpty())
            last = std::max(last, points.constLast().second);
    }
    return last;
}

void SourceTreeModel::computeLive(Entry &entry, int *status, QList<double> *sparkline, double *p95) const
{
    resolve(entry);
    const qint64 latest = m_store->latestSecond();
    const qint64 seen = lastSeen(entry);
    // A source only storage knows of has no live point: silent (and no overflow of latest - min).
    const qint64 age = seen == std::numeric_limits<qint64>::min() ? silentAfterSeconds : latest - seen;
    *status = age >= silentAfterSeconds ? Silent : age >= staleAfterSeconds ? Stale : Live;
    if (*status == Live && entry.roles.failuresCounted) {
        // The dashboard's own error rate (Kpi::errorRate) over the last 10 s the store holds.
        const Kpi::PointLookup lookup
            = [this](const QString &key) -> const QVector<SeriesPoint> & { return m_store->points(key); };
        const Kpi::Ratio errors = Kpi::errorRate(lookup, entry.roles, latest - Kpi::kRecentSeconds + 1, latest + 1);
        if (std::isfinite(errors.value) && errors.value > errorStatusRate)
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
    // The tile's own headline p95 (Kpi::headlineLatency), shown only where n makes it mean something.
    const Kpi::Latency headline = Kpi::headlineLatency(points, latest + 1);
    if (headline.p95.meaningful)
        *p95 = headline.p95.value;
}

void SourceTreeModel::foldExited(int g)
{
    Group &group = m_groups[g];
    const QModelIndex groupIndex = index(g, 0);
    const qint64 nowSeconds = m_clock() / 1000;
    const auto isExited = [&](const Entry &e) {
        const qint64 seen = lastSeen(e); // min: a process only storage knows of
        return seen == std::numeric_limits<qint64>::min() || nowSeconds - seen > exitedAfterSeconds;
    };
    for (int row = 0; row < group.entries.size();) {
        if (!isExited(group.entries[row])) {
            ++row;
            continue;
        }
        if (!group.exitedRow) {
            const int at = int(group.entries.size());
            beginInsertRows(groupIndex, at, at);
            group.exitedRow = true;
            endInsertRows();
        }
        const QString name = group.entries[row].ref.name;
        const int to = int(
            std::lower_bound(group.exited.cbegin(), group.exited.cend(), name, byName<Entry>) - group.exited.cbegin());
        beginMoveRows(groupIndex, row, row, exitedRowIndex(g), to);
        group.exited.insert(to, std::move(group.entries[row]));
        group.entries.remove(row);
        endMoveRows();
    }
    for (int row = 0; row < group.exited.size();) {
        if (isExited(group.exited[row])) {
            ++row;
            continue;
        }
        const QString name = group.exited[row].ref.name;
        const int to = int(std::lower_bound(group.entries.cbegin(), group.entries.cend(), name, byName<Entry>)
            - group.entries.cbegin());
        beginMoveRows(exitedRowIndex(g), row, row, groupIndex, to);
        group.entries.insert(to, std::move(group.exited[row]));
        group.exited.remove(row);
        endMoveRows();
    }
    if (group.exitedRow && group.exited.isEmpty()) {
        const int at = int(group.entries.size());
        beginRemoveRows(groupIndex, at, at);
        group.exitedRow = false;
        endRemoveRows();
    }
}

void SourceTreeModel::refreshRows(QVector<Entry> &entries, const QModelIndex &parent)
{
    static const QList<int> roles { StatusRole, SparklineRole, P95Role, SeriesCountRole, Qt::ToolTipRole };
    int firstChanged = -1, lastChanged = -1;
    for (int row = 0; row < entries.size(); ++row) {
        Entry &entry = entries[row];
        int status = Silent;
        QList<double> sparkline;
        double p95 = 0;
        computeLive(entry, &status, &sparkline, &p95);
        if (!entry.roles.latency.isEmpty())
            m_sparklineKeys.insert(entry.roles.latency);
        if (status == entry.status && sameDouble(p95, entry.p95) && sameDoubles(sparkline, entry.sparkline))
            continue;
        entry.status = status;
        entry.p95 = p95;
        entry.sparkline = std::move(sparkline);
        if (firstChanged < 0)
            firstChanged = row;
        lastChanged = row;
    }
    if (firstChanged >= 0)
        Q_EMIT dataChanged(index(firstChanged, 0, parent), index(lastChanged, 0, parent), roles);
}

void SourceTreeModel::refresh()
{
    const QSet<QString> sparklines = std::exchange(m_sparklineKeys, {});
    for (int g = 0; g < m_groups.size(); ++g) {
        if (m_groups[g].kind == SourceRef::Kind::Process)
            foldExited(g);
        refreshRows(m_groups[g].entries, index(g, 0));
        if (m_groups[g].exitedRow)
            refreshRows(m_groups[g].exited, exitedRowIndex(g));
    }
    // The store keeps a minute of what the sparklines draw, seconds of the rest (SeriesStore::setBoundedByShown).
    if (m_sparklineKeys != sparklines)
        m_store->setSparklineKeys(m_sparklineKeys);
}

QModelIndex SourceTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, kindRowId);
    if (parent.internalId() == exitedRowId)
        return createIndex(row, column, exitedEntryId);
    if (parent.internalId() != kindRowId)
        return {};
    const Group &group = m_groups[parent.row()];
    if (row == group.entries.size())
        return createIndex(row, column, exitedRowId);
    return createIndex(row, column, quintptr(group.kind) + 1);
}

QModelIndex SourceTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == kindRowId)
        return {};
    const quintptr id = child.internalId();
    const int g
        = groupRow(id == exitedRowId || id == exitedEntryId ? SourceRef::Kind::Process : SourceRef::Kind(id - 1));
    if (g < 0)
        return {};
    return id == exitedEntryId ? exitedRowIndex(g) : createIndex(g, 0, kindRowId);
}

int SourceTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_groups.size());
    if (parent.column() != 0)
        return 0;
    if (parent.internalId() == exitedRowId) {
        const int g = groupRow(SourceRef::Kind::Process);
        return g < 0 ? 0 : int(m_groups[g].exited.size());
    }
    if (parent.internalId() != kindRowId)
        return 0;
    const Group &group = m_groups[parent.row()];
    return int(group.entries.size()) + (group.exitedRow ? 1 : 0);
}

int SourceTreeModel::columnCount(const QModelIndex &) const
{
    return 1;
}

Qt::ItemFlags SourceTreeModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    // Kind rows and the Exited row only group; selecting one would show nothing.
    return index.internalId() == kindRowId || index.internalId() == exitedRowId
        ? Qt::ItemIsEnabled
        : Qt::ItemIsEnabled | Qt::ItemIsSelectable;
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
    if (index.internalId() == exitedRowId) {
        const int g = groupRow(SourceRef::Kind::Process);
        switch (role) {
        case Qt::DisplayRole:
            return tr("Exited");
        case Qt::ToolTipRole:
            return tr("Processes without data for more than %n minute(s)", nullptr, int(exitedAfterSeconds / 60));
        case SeriesCountRole:
            return g < 0 ? 0 : int(m_groups[g].exited.size());
        case StatusRole:
            return int(Silent);
        default:
            return {};
        }
    }
    const Entry *found = entryAt(index);
    if (!found)
        return {};
    const Entry &entry = *found;
    switch (role) {
    case Qt::DisplayRole:
        return entry.ref.displayName();
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
    const Entry *entry = entryAt(index);
    return entry ? entry->ref : SourceRef();
}

QModelIndex SourceTreeModel::indexOf(const SourceRef &source) const
{
    const int g = groupRow(source.kind);
    const Entry *entry = entryOf(source);
    if (g < 0 || !entry)
        return {};
    const Group &group = m_groups[g];
    if (!group.exited.isEmpty() && entry >= group.exited.constData()
        && entry < group.exited.constData() + group.exited.size())
        return createIndex(int(entry - group.exited.constData()), 0, exitedEntryId);
    return index(int(entry - group.entries.constData()), 0, index(g, 0));
}

bool SourceTreeModel::isExited(const SourceRef &source) const
{
    const int g = groupRow(source.kind);
    const Entry *entry = entryOf(source);
    return g >= 0 && entry && !m_groups[g].exited.isEmpty() && entry >= m_groups[g].exited.constData()
        && entry < m_groups[g].exited.constData() + m_groups[g].exited.size();
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
