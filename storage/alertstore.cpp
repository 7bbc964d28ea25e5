// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/alertstore.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash::AlertStore {

namespace {

constexpr char16_t columns[]
    = u"time, rule_id, rule_name, series_key, severity, state, value, threshold, message, labels";

QVariant orNull(double v)
{
    return std::isfinite(v) ? QVariant(v) : QVariant(QMetaType(QMetaType::Double));
}

bool fail(const QSqlQuery &q, QString *error)
{
    if (error)
        *error = q.lastError().text();
    return false;
}

AlertEvent eventOf(const QSqlQuery &q)
{
    AlertEvent e;
    e.time = q.value(0).toLongLong();
    e.ruleId = q.value(1).toString();
    e.ruleName = q.value(2).toString();
    e.instance = q.value(3).toString();
    e.severity = q.value(4).toString();
    e.state = q.value(5).toString();
    e.value = q.value(6).isNull() ? AlertRule::nan : q.value(6).toDouble();
    e.threshold = q.value(7).isNull() ? AlertRule::nan : q.value(7).toDouble();
    e.message = q.value(8).toString();
    if (!q.value(9).isNull()) {
        const QJsonObject labels = QJsonDocument::fromJson(q.value(9).toString().toUtf8()).object();
        for (auto it = labels.constBegin(); it != labels.constEnd(); ++it)
            e.labels.insert(it.key(), it.value().toString());
    }
    return e;
}

} // namespace

bool append(QSqlDatabase &db, const QVector<AlertEvent> &events, QString *error)
{
    QSqlQuery q(db);
    if (!q.prepare(
            u"INSERT INTO alert_events("_s % QStringView(columns) % u") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s))
        return fail(q, error);
    for (const AlertEvent &e : events) {
        q.addBindValue(e.time);
        q.addBindValue(e.ruleId);
        q.addBindValue(e.ruleName);
        q.addBindValue(e.instance);
        q.addBindValue(e.severity);
        q.addBindValue(e.state);
        q.addBindValue(orNull(e.value));
        q.addBindValue(orNull(e.threshold));
        q.addBindValue(e.message);
        if (e.labels.isEmpty()) {
            q.addBindValue(QVariant(QMetaType(QMetaType::QString)));
        } else {
            QJsonObject labels;
            for (auto it = e.labels.constBegin(); it != e.labels.constEnd(); ++it)
                labels.insert(it.key(), it.value());
            q.addBindValue(QString::fromUtf8(QJsonDocument(labels).toJson(QJsonDocument::Compact)));
        }
        if (!q.exec())
            return fail(q, error);
    }
    return true;
}

bool events(QSqlDatabase &db, qint64 from, qint64 to, int limit, QVector<AlertEvent> *out, QString *error)
{
    out->clear();
    QSqlQuery q(db);
    q.setForwardOnly(true);
    // Newest first with the limit, then turned around: the newest `limit` events, oldest first.
    q.prepare(u"SELECT "_s % QStringView(columns)
        % u" FROM alert_events WHERE time >= ? AND time < ?"
          " ORDER BY time DESC, id DESC"_s
        % (limit > 0 ? u" LIMIT "_s % QString::number(limit) : QString()));
    q.addBindValue(from);
    q.addBindValue(to);
    if (!q.exec())
        return fail(q, error);
    while (q.next())
        out->append(eventOf(q));
    std::reverse(out->begin(), out->end());
    return true;
}

bool latest(QSqlDatabase &db, QVector<AlertEvent> *out, QString *error)
{
    out->clear();
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(u"SELECT "_s % QStringView(columns)
        % u" FROM alert_events e WHERE id = (SELECT id FROM alert_events x WHERE x.rule_id = e.rule_id"
          " AND x.series_key IS e.series_key ORDER BY time DESC, id DESC LIMIT 1) ORDER BY rule_id, series_key"_s);
    if (!q.exec())
        return fail(q, error);
    while (q.next())
        out->append(eventOf(q));
    return true;
}

} // namespace perfdash::AlertStore
