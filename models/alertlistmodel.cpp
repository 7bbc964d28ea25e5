// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/alertlistmodel.h"

#include "models/alertevaluator.h"
#include "models/kpicatalog.h"

#include <QDateTime>
#include <QLocale>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
constexpr int liveLimit = 5000; // live transitions kept to merge with the next history answer
constexpr qint64 hour = 3600;

const QString firing = u"firing"_s;
const QString pending = u"pending"_s;
const QString resolved = u"resolved"_s;
const QString inactive = u"inactive"_s;

int stateRank(const QString &state)
{
    return state == firing ? 0 : state == pending ? 1 : 2;
}

QString formatTime(qint64 seconds)
{
    return QDateTime::fromSecsSinceEpoch(seconds).toString(u"yyyy-MM-dd HH:mm:ss"_s);
}
} // namespace

QString AlertListModel::Alert::model() const
{
    AlertEvent e;
    e.instance = instance;
    return e.model();
}

bool AlertListModel::Alert::isActive() const
{
    return state == firing || state == pending;
}

AlertListModel::AlertListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    qRegisterMetaType<AlertEvent>();
    qRegisterMetaType<QVector<AlertEvent>>();
}

AlertListModel::~AlertListModel() = default;

QString AlertListModel::keyOf(const QString &ruleId, const QString &instance)
{
    return ruleId % u'\x1f' % instance;
}

int AlertListModel::severityRank(const QString &severity)
{
    return severity == u"critical"_s ? 2 : severity == u"warning"_s ? 1 : 0;
}

AlertRule::Severity AlertListModel::severityOf(const QString &severity)
{
    const int rank = severityRank(severity);
    return rank == 2 ? AlertRule::Severity::Critical
        : rank == 1  ? AlertRule::Severity::Warning
                     : AlertRule::Severity::Info;
}

int AlertListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int AlertListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AlertListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case StateColumn:
        return tr("State");
    case SeverityColumn:
        return tr("Severity");
    case RuleColumn:
        return tr("Rule");
    case ModelColumn:
        return tr("Model");
    case ValueColumn:
        return tr("Value");
    case SinceColumn:
        return tr("Since");
    case MessageColumn:
        return tr("Message");
    default:
        return {};
    }
}

QVariant AlertListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QString &key = m_rows[index.row()];
    const Alert &a = m_alerts[key];
    switch (role) {
    case KeyRole:
        return key;
    case StateRole:
        return a.state;
    case SeverityRole:
        return a.severity;
    case AcknowledgedRole:
        return a.acknowledged;
    case SilencedRole:
        return m_silences.contains(key);
    case ModelRole:
        return a.model();
    case SinceRole:
        return a.since;
    default:
        break;
    }
    const auto rule = m_rules.constFind(a.ruleId);
    if (role == Qt::ToolTipRole) {
        if (index.column() == RuleColumn)
            return rule == m_rules.constEnd() ? a.ruleId : tr("%1 (%2)").arg(rule->describe(), a.ruleId);
        if (index.column() == MessageColumn || index.column() == StateColumn)
            return a.message;
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case StateColumn: {
        QString text = a.state;
        if (a.acknowledged)
            text += tr(" · acknowledged");
        const auto s = m_silences.constFind(key);
        if (s != m_silences.constEnd())
            text += s->untilResolved
                ? tr(" · silenced until resolved")
                : tr(" · silenced until %1").arg(QDateTime::fromSecsSinceEpoch(s->until).toString(u"HH:mm"_s));
        return text;
    }
    case SeverityColumn:
        return a.severity;
    case RuleColumn:
        return a.ruleName.isEmpty() ? a.ruleId : a.ruleName;
    case ModelColumn: {
        const QString model = a.model();
        return model.isEmpty() || !a.instance.startsWith(u"model:"_s) ? a.instance : model;
    }
    case ValueColumn: {
        if (!std::isfinite(a.value))
            return u"–"_s;
        if (rule != m_rules.constEnd())
            return AlertEvaluator::formatValue(*rule, a.value);
        return QLocale().toString(a.value, 'g', 4);
    }
    case SinceColumn:
        return formatTime(a.since);
    case MessageColumn:
        return a.message;
    default:
        return {};
    }
}

// ---- events

void AlertListModel::addEvents(const QVector<AlertEvent> &events)
{
    QVector<AlertEvent> added;
    const auto silencesBefore = m_silences.size();
    bool firingMoved = false;
    for (const AlertEvent &e : events) {
        if (!apply(e))
            continue;
        m_live.push_back(e);
        added.push_back(e);
        firingMoved = firingMoved || e.state == firing || e.state == resolved;
        place(keyOf(e.ruleId, e.instance));
    }
    if (m_live.size() > liveLimit)
        m_live.remove(0, m_live.size() - liveLimit);
    if (m_silences.size() != silencesBefore)
        Q_EMIT silencesChanged();
    if (firingMoved)
        Q_EMIT firingChanged();
    if (!added.isEmpty())
        Q_EMIT eventsAdded(added);
}

void AlertListModel::setHistory(const QVector<AlertEvent> &events)
{
    m_history = events;
    const auto silencesBefore = m_silences.size();
    // The history is asked for again every few seconds and mostly says the same: the rows stay (and so does the
    // view's selection) unless the set or the order of alerts changed; then the model resets.
    const QVector<QString> rowsBefore = m_rows;
    const QHash<QString, Alert> alertsBefore = m_alerts;
    rebuild();
    if (m_rows != rowsBefore) {
        // Views read the old rows until the reset begins.
        QVector<QString> rows = std::exchange(m_rows, rowsBefore);
        QHash<QString, Alert> alerts = std::exchange(m_alerts, alertsBefore);
        beginResetModel();
        m_rows = std::move(rows);
        m_alerts = std::move(alerts);
        endResetModel();
    } else {
        const auto same = [](const Alert &a, const Alert &b) {
            const auto sameNumber = [](double x, double y) { return (std::isnan(x) && std::isnan(y)) || x == y; };
            return a.state == b.state && a.since == b.since && a.time == b.time && a.message == b.message
                && a.severity == b.severity && a.ruleName == b.ruleName && a.acknowledged == b.acknowledged
                && sameNumber(a.value, b.value);
        };
        for (int row = 0; row < m_rows.size(); ++row) {
            if (!same(m_alerts[m_rows[row]], alertsBefore[m_rows[row]]))
                changed(row);
        }
    }
    if (m_silences.size() != silencesBefore)
        Q_EMIT silencesChanged();
    Q_EMIT firingChanged();
}

void AlertListModel::setRules(const QVector<AlertRule> &rules)
{
    m_rules.clear();
    for (const AlertRule &r : rules)
        m_rules.insert(r.id, r);
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(
            index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1), { Qt::DisplayRole, Qt::ToolTipRole });
    Q_EMIT firingChanged();
}

void AlertListModel::rebuild()
{
    m_alerts.clear();
    m_spans.clear();
    m_lastResolved.clear();
    QVector<AlertEvent> all = m_history + m_live;
    std::stable_sort(all.begin(), all.end(), [](const AlertEvent &a, const AlertEvent &b) { return a.time < b.time; });
    for (const AlertEvent &e : std::as_const(all))
        apply(e);
    m_rows.clear();
    m_rows.reserve(m_alerts.size());
    for (auto it = m_alerts.cbegin(); it != m_alerts.cend(); ++it)
        m_rows.push_back(it.key());
    std::sort(m_rows.begin(), m_rows.end(),
        [this](const QString &a, const QString &b) { return lessThan(m_alerts[a], m_alerts[b]); });
}

bool AlertListModel::apply(const AlertEvent &e)
{
    const QString key = keyOf(e.ruleId, e.instance);
    auto it = m_alerts.find(key);
    // Transitions come in time order per alert; the same one from history and live counts once.
    if (it != m_alerts.end() && (e.time < it->time || (e.time == it->time && e.state == it->state)))
        return false;
    if (e.state == inactive) {
        // A pending alert that never fired: nothing happened worth a row, unless it resolved before.
        if (it == m_alerts.end())
            return true;
        const auto last = m_lastResolved.constFind(key);
        if (last == m_lastResolved.constEnd()) {
            m_alerts.erase(it);
            return true;
        }
        it->state = resolved;
        it->since = last->time;
        it->time = e.time;
        it->message = last->message;
        it->value = last->value;
        it->acknowledged = false;
        return true;
    }
    QVector<Span> &spans = m_spans[key];
    if (e.state == firing && (spans.isEmpty() || spans.constLast().to >= 0))
        spans.push_back({ e.time, -1 });
    else if (e.state == resolved && !spans.isEmpty() && spans.constLast().to < 0)
        spans.last().to = e.time;
    if (spans.isEmpty())
        m_spans.remove(key);

    Alert &a = m_alerts[key];
    if (a.state != e.state)
        a.since = e.time;
    a.ruleId = e.ruleId;
    if (!e.ruleName.isEmpty())
        a.ruleName = e.ruleName;
    a.instance = e.instance;
    a.severity = e.severity;
    a.state = e.state;
    a.message = e.message;
    a.value = e.value;
    a.threshold = e.threshold;
    a.time = e.time;
    // An acknowledgement holds for one firing (the one that began at the acknowledged `since`), also across reloads.
    if (e.state != firing && m_acknowledged.value(key, std::numeric_limits<qint64>::max()) <= e.time)
        m_acknowledged.remove(key);
    a.acknowledged = e.state == firing && m_acknowledged.value(key, -1) == a.since;
    if (e.state == resolved) {
        m_lastResolved.insert(key, e);
        const auto s = m_silences.constFind(key);
        if (s != m_silences.constEnd() && s->untilResolved && e.time >= s->from)
            m_silences.erase(s);
    }
    return true;
}

bool AlertListModel::lessThan(const Alert &a, const Alert &b) const
{
    const int ra = stateRank(a.state), rb = stateRank(b.state);
    if (ra != rb)
        return ra < rb;
    if (a.since != b.since)
        return a.since > b.since; // newest first
    return a.key() < b.key();
}

void AlertListModel::place(const QString &key)
{
    const int from = int(m_rows.indexOf(key));
    const auto it = m_alerts.constFind(key);
    if (it == m_alerts.constEnd()) {
        if (from >= 0) {
            beginRemoveRows({}, from, from);
            m_rows.removeAt(from);
            endRemoveRows();
        }
        return;
    }
    const auto before = [this](const QString &row, const Alert *alert) { return lessThan(m_alerts[row], *alert); };
    if (from < 0) {
        const int to = int(std::lower_bound(m_rows.cbegin(), m_rows.cend(), &*it, before) - m_rows.cbegin());
        beginInsertRows({}, to, to);
        m_rows.insert(to, key);
        endInsertRows();
        return;
    }
    // Where it belongs among the others; rows move (not remove and insert) so the view keeps its selection.
    QVector<QString> others = m_rows;
    others.removeAt(from);
    const int to = int(std::lower_bound(others.cbegin(), others.cend(), &*it, before) - others.cbegin());
    if (to != from) {
        beginMoveRows({}, from, from, {}, to > from ? to + 1 : to);
        m_rows.move(from, to);
        endMoveRows();
    }
    changed(to);
}

void AlertListModel::changed(int row, const QVector<int> &roles)
{
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1), roles);
}

// ---- lookups

int AlertListModel::rowOf(const QString &key) const
{
    return int(m_rows.indexOf(key));
}

QString AlertListModel::keyAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows[row] : QString();
}

const AlertListModel::Alert *AlertListModel::alert(const QString &key) const
{
    const auto it = m_alerts.constFind(key);
    return it == m_alerts.constEnd() ? nullptr : &*it;
}

int AlertListModel::firingCount() const
{
    return int(std::count_if(m_alerts.cbegin(), m_alerts.cend(), [](const Alert &a) { return a.state == firing; }));
}

// ---- acknowledgements and silences

bool AlertListModel::acknowledge(const QString &key)
{
    const auto it = m_alerts.find(key);
    if (it == m_alerts.end() || it->state != firing)
        return false;
    if (!it->acknowledged) {
        it->acknowledged = true;
        m_acknowledged.insert(key, it->since);
        changed(rowOf(key), { Qt::DisplayRole, AcknowledgedRole });
        Q_EMIT firingChanged();
    }
    return true;
}

bool AlertListModel::silence(const QString &key, SilenceFor duration, qint64 now)
{
    const Alert *a = alert(key);
    // Until resolved means nothing for an alert that is not active.
    if (!a || (duration == SilenceFor::UntilResolved && !a->isActive()))
        return false;
    AlertSilence s;
    s.ruleId = a->ruleId;
    s.instance = a->instance;
    s.from = now;
    s.untilResolved = duration == SilenceFor::UntilResolved;
    s.until = duration == SilenceFor::OneHour ? now + hour : duration == SilenceFor::FourHours ? now + 4 * hour : 0;
    m_silences.insert(key, s);
    changed(rowOf(key), { Qt::DisplayRole, SilencedRole });
    Q_EMIT silencesChanged();
    return true;
}

void AlertListModel::unsilence(const QString &key)
{
    if (!m_silences.remove(key))
        return;
    if (const int row = rowOf(key); row >= 0)
        changed(row, { Qt::DisplayRole, SilencedRole });
    Q_EMIT silencesChanged();
}

bool AlertListModel::isSilenced(const QString &key, qint64 now) const
{
    const auto s = m_silences.constFind(key);
    return s != m_silences.constEnd() && (s->untilResolved || s->until > now);
}

bool AlertListModel::isNotifiable(const QString &key, qint64 now) const
{
    const Alert *a = alert(key);
    return !isSilenced(key, now) && !(a && a->acknowledged);
}

QVector<AlertSilence> AlertListModel::silences() const
{
    QVector<AlertSilence> out;
    out.reserve(m_silences.size());
    for (const AlertSilence &s : m_silences)
        out.push_back(s);
    std::sort(out.begin(), out.end(), [](const AlertSilence &a, const AlertSilence &b) {
        return keyOf(a.ruleId, a.instance) < keyOf(b.ruleId, b.instance);
    });
    return out;
}

void AlertListModel::setSilences(const QVector<AlertSilence> &silences, qint64 now)
{
    QStringList touched = m_silences.keys();
    m_silences.clear();
    for (const AlertSilence &s : silences) {
        if (!s.untilResolved && s.until <= now)
            continue;
        const QString key = keyOf(s.ruleId, s.instance);
        m_silences.insert(key, s);
        touched << key;
    }
    for (const QString &key : std::as_const(touched)) {
        if (const int row = rowOf(key); row >= 0)
            changed(row, { Qt::DisplayRole, SilencedRole });
    }
    Q_EMIT silencesChanged();
}

void AlertListModel::expireSilences(qint64 now)
{
    QStringList over;
    for (auto it = m_silences.cbegin(); it != m_silences.cend(); ++it) {
        if (!it->untilResolved && it->until <= now)
            over << it.key();
    }
    if (over.isEmpty())
        return;
    for (const QString &key : std::as_const(over)) {
        m_silences.remove(key);
        if (const int row = rowOf(key); row >= 0)
            changed(row, { Qt::DisplayRole, SilencedRole });
    }
    Q_EMIT silencesChanged();
}

// ---- what tiles and charts show

QVector<FiringAlert> AlertListModel::firingOf(const QString &model) const
{
    QVector<FiringAlert> out;
    for (auto it = m_alerts.cbegin(); it != m_alerts.cend(); ++it) {
        const Alert &a = *it;
        if (a.state != firing || a.model() != model)
            continue;
        FiringAlert f;
        f.key = it.key();
        f.ruleId = a.ruleId;
        f.ruleName = a.ruleName.isEmpty() ? a.ruleId : a.ruleName;
        f.severity = a.severity;
        f.message = a.message;
        f.description = a.message;
        f.condition = a.message;
        f.since = a.since;
        f.acknowledged = a.acknowledged;
        const auto rule = m_rules.constFind(a.ruleId);
        if (rule != m_rules.constEnd()) {
            const QString canonical = KpiCatalog::canonicalName(rule->metric);
            f.metric = rule->isKpi() && !canonical.isEmpty() ? canonical : rule->metric;
            f.description = rule->describe();
            // The rule's own wording, only shorter: a tile has room for the condition alone.
            AlertRule shortRule = *rule;
            shortRule.window = 0;
            shortRule.forSeconds = 0;
            shortRule.model.clear();
            f.condition = shortRule.describe();
        }
        out.push_back(f);
    }
    std::sort(out.begin(), out.end(), [](const FiringAlert &a, const FiringAlert &b) {
        const int sa = severityRank(a.severity), sb = severityRank(b.severity);
        if (sa != sb)
            return sa > sb;
        return a.since != b.since ? a.since < b.since : a.key < b.key;
    });
    return out;
}

QVector<AlertSpan> AlertListModel::firingSpans(const QString &model, qint64 from, qint64 to, qint64 now) const
{
    QVector<AlertSpan> out;
    for (auto it = m_spans.cbegin(); it != m_spans.cend(); ++it) {
        const Alert *a = alert(it.key());
        if (!a || a->model() != model)
            continue;
        const auto rule = m_rules.constFind(a->ruleId);
        for (const Span &s : *it) {
            const qint64 end = s.to < 0 ? std::max(now, s.from) : s.to;
            if (end < from || s.from > to)
                continue;
            AlertSpan span;
            span.ruleId = a->ruleId;
            span.ruleName = a->ruleName.isEmpty() ? a->ruleId : a->ruleName;
            span.severity = a->severity;
            span.from = s.from;
            span.to = end;
            span.open = s.to < 0;
            if (rule != m_rules.constEnd()) {
                const QString canonical = KpiCatalog::canonicalName(rule->metric);
                span.metric = rule->isKpi() && !canonical.isEmpty() ? canonical : rule->metric;
            }
            out.push_back(span);
        }
    }
    std::sort(out.begin(), out.end(), [](const AlertSpan &a, const AlertSpan &b) {
        return a.from != b.from ? a.from < b.from : a.ruleId < b.ruleId;
    });
    return out;
}

} // namespace perfdash
