// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/baselinestore.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash::BaselineStore {

namespace {

QVariant orNull(double v)
{
    return std::isfinite(v) ? QVariant(v) : QVariant(QMetaType(QMetaType::Double));
}

QVariant orNull(qint64 v)
{
    return v != 0 ? QVariant(v) : QVariant(QMetaType(QMetaType::LongLong));
}

double number(const QVariant &v)
{
    return v.isNull() ? Baseline::nan : v.toDouble();
}

bool same(double a, double b)
{
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

bool fail(const QSqlQuery &q, QString *error)
{
    if (error)
        *error = q.lastError().text();
    return false;
}

} // namespace

bool forModel(QSqlDatabase &db, const QString &model, QVector<Baseline::Stored> *out, QString *error)
{
    out->clear();
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(u"SELECT id, metric, source, value, spread, n, window_from, window_to, valid_from, created, note"
              " FROM baselines WHERE series_key = ? ORDER BY valid_from, id"_s);
    q.addBindValue(model);
    if (!q.exec())
        return fail(q, error);
    while (q.next()) {
        Baseline::Stored s;
        s.id = q.value(0).toLongLong();
        s.model = model;
        s.kpi = q.value(1).toString();
        if (!Baseline::sourceFromName(q.value(2).toString(), &s.source))
            continue; // a source this version does not know: not ours to interpret
        s.value = q.value(3).toDouble();
        s.spread = number(q.value(4));
        s.n = q.value(5).isNull() ? 0 : q.value(5).toDouble();
        s.windowFrom = q.value(6).toLongLong();
        s.windowTo = q.value(7).toLongLong();
        s.validFrom = q.value(8).isNull() ? q.value(9).toLongLong() : q.value(8).toLongLong();
        s.created = q.value(9).toLongLong();
        s.note = q.value(10).toString();
        out->append(s);
    }
    return true;
}

bool append(QSqlDatabase &db, const Baseline::Stored &row, bool *appended, QString *error)
{
    *appended = false;
    QSqlQuery last(db);
    last.prepare(u"SELECT value, spread, window_from, window_to FROM baselines"
                 " WHERE series_key = ? AND metric = ? AND source = ? ORDER BY valid_from DESC, id DESC LIMIT 1"_s);
    last.addBindValue(row.model);
    last.addBindValue(row.kpi);
    last.addBindValue(Baseline::sourceName(row.source));
    if (!last.exec())
        return fail(last, error);
    if (row.source != Baseline::Source::Deploy && last.next() && same(last.value(0).toDouble(), row.value)
        && same(number(last.value(1)), row.spread) && last.value(2).toLongLong() == row.windowFrom
        && last.value(3).toLongLong() == row.windowTo)
        return true;
    QSqlQuery insert(db);
    insert.prepare(u"INSERT INTO baselines(series_key, metric, value, created, valid_from, source, note, spread, n,"
                   " window_from, window_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s);
    insert.addBindValue(row.model);
    insert.addBindValue(row.kpi);
    insert.addBindValue(std::isfinite(row.value) ? row.value : 0.0);
    insert.addBindValue(row.created);
    insert.addBindValue(row.validFrom);
    insert.addBindValue(Baseline::sourceName(row.source));
    insert.addBindValue(row.note.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(row.note));
    insert.addBindValue(orNull(row.spread));
    insert.addBindValue(row.n > 0 ? QVariant(row.n) : QVariant(QMetaType(QMetaType::Double)));
    insert.addBindValue(orNull(row.windowFrom));
    insert.addBindValue(orNull(row.windowTo));
    if (!insert.exec())
        return fail(insert, error);
    *appended = true;
    return true;
}

} // namespace perfdash::BaselineStore
