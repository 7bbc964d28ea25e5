// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/alertevent.h"
#include "models/alertrule.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QVector>

namespace perfdash {

// A silence of one alert: it stays listed but is not notified until `until` (Unix seconds) or until it resolves.
struct AlertSilence {
    QString ruleId;
    QString instance;
    qint64 from = 0; // when it was set (Unix seconds): only a resolution after it ends an until-resolved silence
    qint64 until = 0; // ignored when untilResolved
    bool untilResolved = false;
    bool operator==(const AlertSilence &o) const
    {
        return ruleId == o.ruleId && instance == o.instance && from == o.from && until == o.until
            && untilResolved == o.untilResolved;
    }
};

// A firing alert of a model, for its KPI tile.
struct FiringAlert {
    QString key;
    QString ruleId;
    QString ruleName;
    QString metric; // the rule's metric (a KpiCatalog name for KPI rules); empty when the rule is not known
    QString severity;
    QString description; // the rule's one-line description; the event's message when the rule is not known
    QString condition; // the same without window, duration and model ("latency_p95 above 100 ms"), for a tile
    QString message;
    qint64 since = 0;
    bool acknowledged = false;
};

// A span of time in which an alert fired, for the charts' time axis.
struct AlertSpan {
    QString ruleId;
    QString ruleName;
    QString metric;
    QString severity;
    qint64 from = 0; // Unix seconds
    qint64 to = 0; // the resolution, or `now` while it still fires
    bool open = false; // still firing
};

// The alerts the GUI knows of: one row per alert (rule id + instance) with its current state, the active ones
// (firing, then pending) first and the resolved ones below, each group newest first. Fed by live transitions
// (addEvents) and by stored ones (setHistory, alert_events of the view's range); both may overlap, duplicates count
// once. Holds the user's acknowledgements (until the alert resolves) and silences (1 h, 4 h, until resolved), and
// answers what the tiles, the charts and the notifier ask. No clock of its own: callers pass `now`.
// Rows move with beginMoveRows and change with narrow dataChanged; setHistory resets. GUI thread only.
class AlertListModel : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertListModel)
public:
    enum Column {
        StateColumn,
        SeverityColumn,
        RuleColumn,
        ModelColumn,
        ValueColumn,
        SinceColumn,
        MessageColumn,
        ColumnCount
    };
    enum Role {
        KeyRole = Qt::UserRole + 1, // "ruleId\x1finstance"
        StateRole, // firing, pending, resolved
        SeverityRole, // info, warning, critical
        AcknowledgedRole,
        SilencedRole, // a silence is set (expired ones are dropped by expireSilences)
        ModelRole, // the instance's model, empty for a series without one
        SinceRole, // Unix seconds
    };
    enum class SilenceFor { OneHour, FourHours, UntilResolved };

    struct Alert {
        QString ruleId;
        QString ruleName;
        QString instance;
        QString severity;
        QString state; // firing, pending, resolved
        QString message;
        double value = AlertRule::nan;
        double threshold = AlertRule::nan;
        qint64 since = 0; // when the current state began
        qint64 time = 0; // the newest event's time
        bool acknowledged = false;
        QString key() const { return keyOf(ruleId, instance); }
        QString model() const;
        bool isActive() const;
    };

    explicit AlertListModel(QObject *parent = nullptr);
    ~AlertListModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Live transitions, as the collector sends them; eventsAdded follows with those that were new.
    void addEvents(const QVector<AlertEvent> &events);
    // Stored transitions (any order); replaces the previous history, keeps what came live.
    void setHistory(const QVector<AlertEvent> &events);
    // The rules file: names each alert's metric and description. Unknown rule ids keep their event's wording.
    void setRules(const QVector<AlertRule> &rules);

    static QString keyOf(const QString &ruleId, const QString &instance);
    int rowOf(const QString &key) const; // -1 when not listed
    QString keyAt(int row) const;
    const Alert *alert(const QString &key) const;
    int firingCount() const;

    // The user's actions. False when the alert is not listed (acknowledge: or not firing).
    bool acknowledge(const QString &key);
    bool silence(const QString &key, SilenceFor duration, qint64 now);
    void unsilence(const QString &key);
    bool isSilenced(const QString &key, qint64 now) const;
    // Whether a transition of the alert may be notified now: neither acknowledged nor silenced.
    bool isNotifiable(const QString &key, qint64 now) const;
    // Every silence, for the settings; setSilences restores them (those already over at `now` are dropped).
    QVector<AlertSilence> silences() const;
    void setSilences(const QVector<AlertSilence> &silences, qint64 now);
    // Drops the timed silences that are over at `now`; their rows change.
    void expireSilences(qint64 now);

    // The firing alerts of a model, most severe first, then oldest first.
    QVector<FiringAlert> firingOf(const QString &model) const;
    // The spans in which the model's alerts fired that meet [from, to], by start; an open span ends at `now`.
    QVector<AlertSpan> firingSpans(const QString &model, qint64 from, qint64 to, qint64 now) const;

    static int severityRank(const QString &severity); // critical 2, warning 1, else 0
    static AlertRule::Severity severityOf(const QString &severity); // an event's severity name; unknown: info

Q_SIGNALS:
    // Live transitions that were new to the model, after the rows took them.
    void eventsAdded(const QVector<perfdash::AlertEvent> &events);
    void silencesChanged();
    // What the tiles and charts show changed: an alert fired or resolved, the history or the rules changed.
    void firingChanged();

private:
    struct Span {
        qint64 from = 0;
        qint64 to = -1; // -1: open
    };
    void rebuild();
    bool apply(const AlertEvent &event); // false: a duplicate or older than what is known
    void place(const QString &key); // inserts, moves or updates the alert's row
    void changed(int row, const QVector<int> &roles = {});
    bool lessThan(const Alert &a, const Alert &b) const;

    QVector<AlertEvent> m_history;
    QVector<AlertEvent> m_live; // bounded: the newest liveLimit
    QHash<QString, Alert> m_alerts;
    QHash<QString, QVector<Span>> m_spans;
    QHash<QString, AlertEvent> m_lastResolved; // what an alert whose new pending episode is cancelled shows again
    QVector<QString> m_rows; // keys, in row order
    QHash<QString, AlertSilence> m_silences;
    QHash<QString, qint64> m_acknowledged; // key -> the `since` of the firing that was acknowledged
    QHash<QString, AlertRule> m_rules;
};

} // namespace perfdash

Q_DECLARE_METATYPE(perfdash::AlertSilence)
