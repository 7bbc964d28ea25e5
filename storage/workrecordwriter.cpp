// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/workrecordwriter.h"

#include <QDateTime>
#include <QStringBuilder>
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

namespace {

QString guidOf(const WorkOutcome &w)
{
    return w.guid.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : w.guid;
}

// The columns every work table but runs starts with: guid, time (Unix seconds), op_code, tenant.
void bindHead(QSqlQuery &q, const WorkOutcome &w, qint64 timeMs)
{
    q.addBindValue(guidOf(w));
    q.addBindValue(timeMs / 1000);
    q.addBindValue(orNull(w.opCode));
    q.addBindValue(orNull(w.tenant));
}

// And ends with: success, error_message, error_category, tags.
void bindTail(QSqlQuery &q, const WorkOutcome &w)
{
    q.addBindValue(w.success ? 1 : 0);
    q.addBindValue(orNull(w.error));
    q.addBindValue(orNull(w.errorCategory));
    q.addBindValue(orNull(w.tags.join(u',')));
}

bool writeOperations(QSqlDatabase &db, const QVector<OperationRecord> &operations, QString *error)
{
    QSqlQuery insert(db);
    insert.prepare(u"INSERT INTO operations(guid, time, op_code, tenant, operation_name, target, items_processed,"
                   " elapsed_s, items_per_s, memory_mb, file_size_mb, cache_hits, api_calls, success,"
                   " error_message, error_category, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                   " ON CONFLICT(guid) DO NOTHING"_s);
    for (const OperationRecord &op : operations) {
        bindHead(insert, op, op.timeMs);
        insert.addBindValue(op.name);
        insert.addBindValue(orNull(op.target));
        insert.addBindValue(orNull(op.items));
        insert.addBindValue(op.elapsedS);
        insert.addBindValue(orNull(op.itemsPerS));
        insert.addBindValue(orNull(op.memoryMb));
        insert.addBindValue(orNull(op.fileSizeMb));
        insert.addBindValue(orNull(op.cacheHits));
        insert.addBindValue(orNull(op.apiCalls));
        bindTail(insert, op);
        if (!insert.exec())
            return failed(insert, error);
    }
    return true;
}

bool writeRuns(QSqlDatabase &db, const QVector<RunRecord> &runs, QString *error)
{
    QSqlQuery run(db);
    run.prepare(u"INSERT INTO runs(guid, workflow, start_unix, end_unix, start_iso, end_iso, execution_s,"
                " execution_text, success, tags, tenant, steps_failed, memory_mb, retries, execution_mode,"
                " error_message, error_category, telemetry, telemetry_dropped)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(guid) DO NOTHING"_s);
    QSqlQuery step(db);
    step.prepare(u"INSERT INTO steps(run_id, name, start_unix, elapsed_s, success) VALUES (?, ?, ?, ?, ?)"_s);
    for (const RunRecord &r : runs) {
        run.addBindValue(guidOf(r));
        run.addBindValue(r.workflow);
        run.addBindValue(r.start);
        run.addBindValue(r.end);
        run.addBindValue(isoTime(r.start));
        run.addBindValue(isoTime(r.end));
        run.addBindValue(r.executionS);
        run.addBindValue(formatSeconds(r.executionS));
        run.addBindValue(r.success ? 1 : 0);
        run.addBindValue(orNull(r.tags.join(u',')));
        run.addBindValue(orNull(r.tenant));
        run.addBindValue(r.stepsFailed);
        run.addBindValue(orNull(r.memoryMb));
        run.addBindValue(orNull(r.retries));
        run.addBindValue(orNull(r.executionMode));
        run.addBindValue(orNull(r.error));
        run.addBindValue(orNull(r.errorCategory));
        run.addBindValue(
            r.telemetry.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(QString::fromUtf8(r.telemetry)));
        run.addBindValue(orNull(r.telemetryDropped));
        if (!run.exec())
            return failed(run, error);
        if (run.numRowsAffected() < 1)
            continue; // a resend: its steps are stored with the first
        const QVariant id = run.lastInsertId();
        for (const RunRecord::Step &s : r.steps) {
            step.addBindValue(id);
            step.addBindValue(s.name);
            step.addBindValue(s.start);
            step.addBindValue(s.elapsedS);
            step.addBindValue(s.success ? 1 : 0);
            if (!step.exec())
                return failed(step, error);
        }
    }
    return true;
}

bool writeApiCalls(QSqlDatabase &db, const QVector<ApiCallRecord> &calls, QString *error)
{
    QSqlQuery insert(db);
    insert.prepare(u"INSERT INTO api_calls(guid, time, op_code, tenant, method, endpoint, status_code, request_kb,"
                   " response_kb, elapsed_s, cache_hit, success, error_message, error_category, tags)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(guid) DO NOTHING"_s);
    for (const ApiCallRecord &c : calls) {
        bindHead(insert, c, c.timeMs);
        insert.addBindValue(orNull(c.method));
        insert.addBindValue(c.endpoint);
        insert.addBindValue(orNull(c.status));
        insert.addBindValue(orNull(c.requestKb));
        insert.addBindValue(orNull(c.responseKb));
        insert.addBindValue(c.elapsedS);
        insert.addBindValue(c.cacheHit ? 1 : 0);
        bindTail(insert, c);
        if (!insert.exec())
            return failed(insert, error);
    }
    return true;
}

bool writeNotifications(QSqlDatabase &db, const QVector<NotificationRecord> &notifications, QString *error)
{
    QSqlQuery insert(db);
    insert.prepare(u"INSERT INTO notifications(guid, time, op_code, tenant, channel, recipients, delivered, failed,"
                   " queue_depth, elapsed_s, success, error_message, error_category, tags)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(guid) DO NOTHING"_s);
    for (const NotificationRecord &n : notifications) {
        bindHead(insert, n, n.timeMs);
        insert.addBindValue(n.channel);
        insert.addBindValue(orNull(n.recipients));
        insert.addBindValue(orNull(n.delivered));
        insert.addBindValue(orNull(n.failed));
        insert.addBindValue(orNull(n.queueDepth));
        insert.addBindValue(n.elapsedS);
        bindTail(insert, n);
        if (!insert.exec())
            return failed(insert, error);
    }
    return true;
}

} // namespace

bool write(QSqlDatabase &db, const WorkRecordBatch &work, QString *error)
{
    return (work.operations.isEmpty() || writeOperations(db, work.operations, error))
        && (work.runs.isEmpty() || writeRuns(db, work.runs, error))
        && (work.apiCalls.isEmpty() || writeApiCalls(db, work.apiCalls, error))
        && (work.notifications.isEmpty() || writeNotifications(db, work.notifications, error));
}

int deleteExpired(QSqlDatabase &db, const WorkRetention &retention, qint64 nowSeconds, int batch)
{
    struct Table {
        const char16_t *name;
        const char16_t *time;
        qint64 keep;
    };
    // Steps go first, at most `batch` of them, then the expired runs that have none left (ON DELETE CASCADE needs
    // foreign keys on, which this connection may not have): a run of 1024 steps takes a few passes, never one big one.
    const Table tables[] = {
        { u"operations", u"time", retention.operations },
        { u"runs", u"start_unix", retention.runs },
        { u"api_calls", u"time", retention.apiCalls },
        { u"notifications", u"time", retention.notifications },
    };
    int deleted = 0;
    for (const Table &t : tables) {
        if (t.keep <= 0)
            continue;
        const QString name = QString::fromUtf16(t.name);
        const QString time = QString::fromUtf16(t.time);
        QSqlQuery q(db);
        QString keepSteps;
        if (name == u"runs"_s) {
            q.prepare(u"DELETE FROM steps WHERE id IN (SELECT steps.id FROM runs JOIN steps ON steps.run_id = runs.id"
                      " WHERE runs.start_unix < ? LIMIT ?)"_s);
            q.addBindValue(nowSeconds - t.keep);
            q.addBindValue(batch);
            if (!q.exec())
                return -1;
            deleted += q.numRowsAffected();
            keepSteps = u" AND NOT EXISTS (SELECT 1 FROM steps WHERE steps.run_id = runs.id)"_s;
        }
        q.prepare(u"DELETE FROM "_s % name % u" WHERE id IN (SELECT id FROM "_s % name % u" WHERE "_s % time % u" < ?"_s
            % keepSteps % u" ORDER BY "_s % time % u" LIMIT ?)"_s);
        q.addBindValue(nowSeconds - t.keep);
        q.addBindValue(batch);
        if (!q.exec())
            return -1;
        deleted += q.numRowsAffected();
    }
    return deleted;
}

} // namespace perfdash::WorkRecordWriter
