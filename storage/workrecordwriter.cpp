// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/workrecordwriter.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimeZone>
#include <QUuid>
#include <QVariant>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash::WorkRecordWriter {

namespace {

QVariant orNull(const QString &s)
{
    return s.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(s);
}

QVariant orNull(double v)
{
    return std::isfinite(v) ? QVariant(v) : QVariant(QMetaType(QMetaType::Double));
}

QVariant orNull(const std::optional<qint64> &v)
{
    return v ? QVariant(*v) : QVariant(QMetaType(QMetaType::LongLong));
}

QString isoTime(double unixSeconds)
{
    return QDateTime::fromMSecsSinceEpoch(qint64(std::llround(unixSeconds * 1000.0)), QTimeZone::utc())
        .toString(Qt::ISODateWithMs);
}

bool failed(const QSqlQuery &q, QString *error)
{
    if (error)
        *error = q.lastError().text();
    return false;
}

} // namespace

QString formatSeconds(double seconds)
{
    return QString::number(seconds, 'f', 2) + u" seconds"_s;
}

bool write(QSqlDatabase &db, const QVector<OperationRecord> &operations, const QVector<RunRecord> &runs, QString *error)
{
    if (!operations.isEmpty()) {
        QSqlQuery insert(db);
        insert.prepare(u"INSERT INTO operations(guid, time, op_code, tenant, operation_name, target, items_processed,"
                       " elapsed_s, items_per_s, memory_mb, file_size_mb, cache_hits, api_calls, success,"
                       " error_message, error_category) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                       " ON CONFLICT(guid) DO NOTHING"_s);
        for (const OperationRecord &op : operations) {
            insert.addBindValue(op.guid.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : op.guid);
            insert.addBindValue(op.timeMs / 1000);
            insert.addBindValue(orNull(op.opCode));
            insert.addBindValue(orNull(op.tenant));
            insert.addBindValue(op.name);
            insert.addBindValue(orNull(op.target));
            insert.addBindValue(orNull(op.items));
            insert.addBindValue(op.elapsedS);
            insert.addBindValue(orNull(op.itemsPerS));
            insert.addBindValue(orNull(op.memoryMb));
            insert.addBindValue(orNull(op.fileSizeMb));
            insert.addBindValue(orNull(op.cacheHits));
            insert.addBindValue(orNull(op.apiCalls));
            insert.addBindValue(op.success ? 1 : 0);
            insert.addBindValue(orNull(op.error));
            insert.addBindValue(orNull(op.errorCategory));
            if (!insert.exec())
                return failed(insert, error);
        }
    }
    if (!runs.isEmpty()) {
        QSqlQuery run(db);
        run.prepare(u"INSERT INTO runs(workflow, start_unix, end_unix, start_iso, end_iso, execution_s,"
                    " execution_text, success, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"_s);
        QSqlQuery step(db);
        step.prepare(u"INSERT INTO steps(run_id, name, start_unix, elapsed_s) VALUES (?, ?, ?, ?)"_s);
        for (const RunRecord &r : runs) {
            run.addBindValue(r.workflow);
            run.addBindValue(r.start);
            run.addBindValue(r.end);
            run.addBindValue(isoTime(r.start));
            run.addBindValue(isoTime(r.end));
            run.addBindValue(r.executionS);
            run.addBindValue(formatSeconds(r.executionS));
            run.addBindValue(r.success ? 1 : 0);
            run.addBindValue(orNull(r.tags.join(u',')));
            if (!run.exec())
                return failed(run, error);
            const QVariant id = run.lastInsertId();
            for (const RunRecord::Step &s : r.steps) {
                step.addBindValue(id);
                step.addBindValue(s.name);
                step.addBindValue(s.start);
                step.addBindValue(s.elapsedS);
                if (!step.exec())
                    return failed(step, error);
            }
        }
    }
    return true;
}

} // namespace perfdash::WorkRecordWriter
