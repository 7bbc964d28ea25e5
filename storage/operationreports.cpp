// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/operationreports.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QStringBuilder>
#include <QVariant>

#include <algorithm>
#include <limits>
#include <tuple>

using namespace Qt::Literals::StringLiterals;

namespace perfdash::OperationReports {

namespace {

// Prepares "select FROM operations WHERE <filter> rest" and binds the filter. op_code = ? first: with a module the
// (op_code, time) index reads only that module's window. A tag is matched whole in the stored "a:1,b:2".
bool prepare(QSqlQuery &q, const QString &select, const Filter &filter, const QString &rest, QString *error)
{
    q.setForwardOnly(true);
    QString where = filter.module.isEmpty() ? u" WHERE time >= ? AND time < ?"_s
                                            : u" WHERE op_code = ? AND time >= ? AND time < ?"_s;
    for (qsizetype i = 0; i < filter.tags.size(); ++i)
        where += u" AND instr(',' || tags || ',', ?) > 0"_s;
    if (!q.prepare(select % u" FROM operations"_s % where % u' ' % rest)) {
        *error = q.lastError().text();
        return false;
    }
    if (!filter.module.isEmpty())
        q.addBindValue(filter.module);
    q.addBindValue(filter.from);
    q.addBindValue(filter.to);
    for (const QString &tag : filter.tags)
        q.addBindValue(QString(u',' + tag + u','));
    return true;
}

bool run(QSqlQuery &q, QString *error)
{
    if (q.exec())
        return true;
    *error = q.lastError().text();
    return false;
}

} // namespace

bool slowest(QSqlDatabase &db, const Filter &filter, int limit, QVector<Slowest> *out, QString *error)
{
    out->clear();
    QSqlQuery q(db);
    if (!prepare(q, u"SELECT op_code, operation_name, AVG(elapsed_s), AVG(items_per_s), COUNT(*)"_s, filter,
            u"GROUP BY op_code, operation_name ORDER BY 3 DESC, 2, 1 LIMIT ?"_s, error))
        return false;
    q.addBindValue(std::max(1, limit));
    if (!run(q, error))
        return false;
    while (q.next())
        out->append({ q.value(0).toString(), q.value(1).toString(), q.value(2).toDouble(),
            q.value(3).isNull() ? std::numeric_limits<double>::quiet_NaN() : q.value(3).toDouble(),
            q.value(4).toLongLong() });
    return true;
}

bool memoryTrend(QSqlDatabase &db, const Filter &filter, QVector<MemoryDay> *out, QString *error)
{
    out->clear();
    QSqlQuery q(db);
    if (!prepare(q, u"SELECT date(time, 'unixepoch'), op_code, AVG(memory_mb), MAX(memory_mb), COUNT(memory_mb)"_s,
            filter, u"AND memory_mb IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2"_s, error)
        || !run(q, error))
        return false;
    while (q.next())
        out->append({ q.value(0).toString(), q.value(1).toString(), q.value(2).toDouble(), q.value(3).toDouble(),
            q.value(4).toLongLong() });
    return true;
}

bool errorsByOperation(
    QSqlDatabase &db, const Filter &filter, double minPercent, QVector<ErrorRate> *out, QString *error)
{
    out->clear();
    QSqlQuery q(db);
    // Grouped on the (operation_name, op_code, time, success) index without a sort; the rate and its order in C++.
    if (!prepare(q, u"SELECT op_code, operation_name, COUNT(*), SUM(success = 0)"_s, filter,
            u"GROUP BY operation_name, op_code"_s, error)
        || !run(q, error))
        return false;
    while (q.next()) {
        ErrorRate r { q.value(0).toString(), q.value(1).toString(), q.value(2).toLongLong(), q.value(3).toLongLong(),
            0 };
        r.percent = r.operations > 0 ? 100.0 * double(r.failures) / double(r.operations) : 0;
        if (r.percent > minPercent)
            out->append(r);
    }
    std::sort(out->begin(), out->end(), [](const ErrorRate &a, const ErrorRate &b) {
        return std::tie(b.percent, a.name, a.opCode) < std::tie(a.percent, b.name, b.opCode);
    });
    return true;
}

} // namespace perfdash::OperationReports
