// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/operationreports.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>
#include <limits>

using namespace Qt::Literals::StringLiterals;

namespace perfdash::OperationReports {

namespace {

bool run(QSqlQuery &q, QString *error)
{
    if (q.exec())
        return true;
    *error = q.lastError().text();
    return false;
}

} // namespace

bool slowest(QSqlDatabase &db, qint64 from, qint64 to, int limit, QVector<Slowest> *out, QString *error)
{
    out->clear();
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(u"SELECT op_code, operation_name, AVG(elapsed_s), AVG(items_per_s), COUNT(*) FROM operations"
              " WHERE time >= ? AND time < ? GROUP BY op_code, operation_name ORDER BY 3 DESC, 2 LIMIT ?"_s);
    q.addBindValue(from);
    q.addBindValue(to);
    q.addBindValue(std::max(1, limit));
    if (!run(q, error))
        return false;
    while (q.next())
        out->append({ q.value(0).toString(), q.value(1).toString(), q.value(2).toDouble(),
            q.value(3).isNull() ? std::numeric_limits<double>::quiet_NaN() : q.value(3).toDouble(),
            q.value(4).toLongLong() });
    return true;
}

bool memoryTrend(QSqlDatabase &db, qint64 from, qint64 to, QVector<MemoryDay> *out, QString *error)
{
    out->clear();
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(u"SELECT date(time, 'unixepoch'), AVG(memory_mb), MAX(memory_mb), COUNT(memory_mb) FROM operations"
              " WHERE time >= ? AND time < ? AND memory_mb IS NOT NULL GROUP BY 1 ORDER BY 1"_s);
    q.addBindValue(from);
    q.addBindValue(to);
    if (!run(q, error))
        return false;
    while (q.next())
        out->append({ q.value(0).toString(), q.value(1).toDouble(), q.value(2).toDouble(), q.value(3).toLongLong() });
    return true;
}

bool errorsByOperation(QSqlDatabase &db, qint64 from, qint64 to, double minPercent, QVector<ErrorRate> *out,
    QString *error)
{
    out->clear();
    QSqlQuery q(db);
    q.setForwardOnly(true);
    // Grouped on the (operation_name, time, success) index without a sort; the rate and its order in C++.
    q.prepare(u"SELECT operation_name, COUNT(*), SUM(success = 0) FROM operations"
              " WHERE time >= ? AND time < ? GROUP BY operation_name"_s);
    q.addBindValue(from);
    q.addBindValue(to);
    if (!run(q, error))
        return false;
    while (q.next()) {
        ErrorRate r { q.value(0).toString(), q.value(1).toLongLong(), q.value(2).toLongLong(), 0 };
        r.percent = r.operations > 0 ? 100.0 * double(r.failures) / double(r.operations) : 0;
        if (r.percent > minPercent)
            out->append(r);
    }
    std::sort(out->begin(), out->end(), [](const ErrorRate &a, const ErrorRate &b) {
        return a.percent != b.percent ? a.percent > b.percent : a.name < b.name;
    });
    return true;
}

} // namespace perfdash::OperationReports
