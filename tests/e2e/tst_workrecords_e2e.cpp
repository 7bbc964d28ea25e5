// SPDX-License-Identifier: GPL-3.0-or-later
// Work records over ingest.sock -> rows of the operations, runs, steps, api_calls and notifications tables, read back
// through the storage read API the GUI uses. An op record with only a `module` tag lands with op_code = the module;
// tags are kept with the rows; a resend (the same guid) is skipped, by the collector within its window and by the
// table after a restart.
#include "collectorprocess.h"

#include "storage/database.h"
#include "storage/historyquery.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <cmath>

using namespace perfdash;
using namespace perfdash::test;
using namespace Qt::Literals::StringLiterals;

namespace {

QByteArray line(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

// Sends the lines on ingest.sock and waits until the collector has read every one of them.
bool sendAll(const CollectorProcess &collector, const QByteArray &lines)
{
    QLocalSocket ingest;
    ingest.connectToServer(QDir(collector.runtimeDir).filePath(u"ingest.sock"_s));
    if (!ingest.waitForConnected(5000))
        return false;
    const auto before = statsOf(collector);
    const qint64 read0
        = before.value(u"records_accepted"_s).toLongLong() + before.value(u"records_rejected"_s).toLongLong();
    ingest.write(lines);
    if (!ingest.waitForBytesWritten(5000))
        return false;
    const auto linesRead = [&] {
        const auto stats = statsOf(collector);
        return stats.value(u"records_accepted"_s).toLongLong() + stats.value(u"records_rejected"_s).toLongLong()
            - read0;
    };
    const bool read = QTest::qWaitFor([&] { return linesRead() == qint64(lines.count('\n')); }, 30000);
    ingest.disconnectFromServer();
    return read;
}

qint64 scalar(const QString &connection, const QString &sql)
{
    QSqlQuery q(QSqlDatabase::database(connection));
    return q.exec(sql) && q.next() ? q.value(0).toLongLong() : -1;
}

} // namespace

class TestWorkRecordsE2E : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void operationsAndRunsBecomeRows()
    {
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start());
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const double ts = double(now) + 0.5;
        const QString guid = u"6f1c3b2a-9d4e-4f5a-8b7c-0d1e2f3a4b5c"_s;
        const auto line
            = [](const QJsonObject &o) -> QByteArray { return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n'; };
        QByteArray lines;
        lines += line(QJsonObject { { u"type"_s, u"op"_s }, { u"ts"_s, ts }, { u"guid"_s, guid },
            { u"op_code"_s, u"IMP01"_s }, { u"tenant"_s, u"billing"_s }, { u"name"_s, u"import"_s },
            { u"target"_s, u"orders.csv"_s }, { u"items"_s, 1200 }, { u"elapsed_s"_s, 2.5 }, { u"memory_mb"_s, 84.2 },
            { u"cache_hits"_s, 17 }, { u"api_calls"_s, 4 }, { u"success"_s, false },
            { u"error"_s, QString(QString(6000, u'x') + u"END"_s) }, { u"error_category"_s, u"network"_s } });
        // The same guid again: a resend, not a second operation.
        lines += line(QJsonObject { { u"type"_s, u"op"_s }, { u"ts"_s, ts }, { u"guid"_s, guid },
            { u"name"_s, u"import"_s }, { u"elapsed_s"_s, 2.5 }, { u"success"_s, true } });
        lines += line(QJsonObject { { u"type"_s, u"op"_s }, { u"ts"_s, ts }, { u"name"_s, u"export"_s },
            { u"items"_s, 10 }, { u"elapsed_s"_s, 0.5 }, { u"success"_s, true } });
        // Only the module tag, as SDKs before op_code sent it: the module becomes the op_code.
        lines += line(
            QJsonObject { { u"type"_s, u"op"_s }, { u"ts"_s, ts }, { u"name"_s, u"load"_s }, { u"elapsed_s"_s, 0.5 },
                { u"success"_s, true }, { u"tags"_s, QJsonObject { { u"module"_s, u"loader"_s } } } });
        const double start = double(now - 3);
        lines += line(QJsonObject { { u"type"_s, u"run"_s }, { u"workflow"_s, u"inference"_s }, { u"start"_s, start },
            { u"end"_s, start + 0.25 }, { u"success"_s, true },
            { u"steps"_s,
                QJsonArray {
                    QJsonObject { { u"name"_s, u"load_data"_s }, { u"start"_s, start }, { u"elapsed_s"_s, 0.1 } },
                    QJsonObject {
                        { u"name"_s, u"predict"_s }, { u"start"_s, start + 0.1 }, { u"elapsed_s"_s, 0.15 } } } } });
        QLocalSocket ingest;
        ingest.connectToServer(QDir(collector.runtimeDir).filePath(u"ingest.sock"_s));
        QVERIFY(ingest.waitForConnected(5000));
        ingest.write(lines);
        QVERIFY(ingest.waitForBytesWritten(5000));
        // Once the collector has read every line, SIGTERM flushes what its next tick would have written.
        const auto linesRead = [&] {
            const auto stats = statsOf(collector);
            return stats.value(u"records_accepted"_s).toLongLong() + stats.value(u"records_rejected"_s).toLongLong();
        };
        QTRY_COMPARE_WITH_TIMEOUT(linesRead(), qint64(lines.count('\n')), 30000);
        ingest.disconnectFromServer();
        QCOMPARE(collector.stop(), 0);

        const QString name = u"workrecords"_s;
        QVERIFY(Database::openReadOnly(name, collector.dbPath).ok);
        {
            HistoryQuery query(name);
            QVector<OperationRecord> ops;
            QString error;
            QVERIFY2(query.operations(now - 60, now + 60, 100, &ops, &error), qPrintable(error));
            QCOMPARE(ops.size(), 3);
            std::sort(ops.begin(), ops.end(),
                [](const OperationRecord &a, const OperationRecord &b) { return a.name < b.name; });
            const OperationRecord &exp = ops[0];
            QCOMPARE(exp.name, u"export"_s);
            QCOMPARE(exp.itemsPerS, 20.0); // items / elapsed when not sent
            QCOMPARE(exp.guid.size(), 36); // made by storage
            QVERIFY(exp.id > 0);
            QVERIFY(exp.opCode.isEmpty()); // neither op_code nor a module tag
            const OperationRecord &imp = ops[1];
            QCOMPARE(imp.guid, guid);
            QCOMPARE(imp.timeMs, now * 1000);
            QCOMPARE(imp.opCode, u"IMP01"_s);
            QCOMPARE(imp.tenant, u"billing"_s);
            QCOMPARE(imp.target, u"orders.csv"_s);
            QCOMPARE(imp.items, std::optional<qint64>(1200));
            QCOMPARE(imp.elapsedS, 2.5);
            QCOMPARE(imp.itemsPerS, 480.0);
            QCOMPARE(imp.memoryMb, 84.2);
            QVERIFY(std::isnan(imp.fileSizeMb));
            QCOMPARE(imp.cacheHits, std::optional<qint64>(17));
            QCOMPARE(imp.apiCalls, std::optional<qint64>(4));
            QCOMPARE(imp.success, false); // the first one sent, not the resend
            QCOMPARE(imp.errorCategory, u"network"_s);
            QCOMPARE(imp.error.size(), 5000); // marker included, cut once
            QVERIFY(imp.error.endsWith(u"x\u2026[truncated]"_s));
            QCOMPARE(ops[2].name, u"load"_s);
            QCOMPARE(ops[2].opCode, u"loader"_s);
            QSqlQuery stored(QSqlDatabase::database(name));
            QVERIFY(stored.exec(u"SELECT op_code FROM operations WHERE operation_name = 'load'"_s) && stored.next());
            QCOMPARE(stored.value(0).toString(), u"loader"_s);

            QVector<RunRecord> runs;
            QVERIFY2(query.runs(now - 60, now + 60, 100, &runs, &error), qPrintable(error));
            QCOMPARE(runs.size(), 1);
            const RunRecord &run = runs[0];
            QCOMPARE(run.workflow, u"inference"_s);
            QCOMPARE(run.start, double(now - 3));
            QCOMPARE(run.executionS, 0.25);
            QCOMPARE(run.executionText, u"0.25 seconds"_s);
            QCOMPARE(run.success, true);
            QCOMPARE(run.steps.size(), 2);
            QCOMPARE(run.steps[0].name, u"load_data"_s);
            QCOMPARE(run.steps[1].name, u"predict"_s);
            QCOMPARE(run.steps[1].elapsedS, 0.15);
            QSqlQuery iso(QSqlDatabase::database(name));
            QVERIFY(iso.exec(u"SELECT start_iso FROM runs WHERE id = %1"_s.arg(run.id)) && iso.next());
            QCOMPARE(iso.value(0).toString(),
                QDateTime::fromSecsSinceEpoch(now - 3, QTimeZone::utc()).toString(Qt::ISODateWithMs));
        }
        Database::close(name);
    }

    void workRecordKindsBecomeRowsWithTagsAndResendsAreSkipped()
    {
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start());
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const double start = double(now - 5);
        const QJsonObject tags { { u"model"_s, u"m1"_s }, { u"service"_s, u"pay"_s } };
        const QString runGuid = u"0b4d6a8e-3f1c-4c2a-9e5b-7d8f9a0b1c2d"_s;
        const QString apiGuid = u"5a7c1e2f-8b3d-4e6a-9c0b-1d2e3f4a5b6c"_s;
        const QString notifyGuid = u"9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"_s;
        const QString opGuid = u"11111111-2222-4333-8444-555555555555"_s;
        const QJsonObject run { { u"type"_s, u"run"_s }, { u"guid"_s, runGuid }, { u"workflow"_s, u"train"_s },
            { u"tenant"_s, u"ml"_s }, { u"start"_s, start }, { u"end"_s, start + 2 }, { u"success"_s, false },
            { u"memory_mb"_s, 2048.5 }, { u"retries"_s, 2 }, { u"execution_mode"_s, u"parallel"_s },
            { u"error"_s, u"fit: out of memory"_s }, { u"error_category"_s, u"memory"_s }, { u"tags"_s, tags },
            { u"steps"_s,
                QJsonArray { QJsonObject { { u"name"_s, u"load"_s }, { u"start"_s, start }, { u"elapsed_s"_s, 1 } },
                    QJsonObject { { u"name"_s, u"fit"_s }, { u"start"_s, start + 1 }, { u"elapsed_s"_s, 1 },
                        { u"success"_s, false } } } },
            { u"telemetry"_s,
                QJsonArray { QJsonObject { { u"ts"_s, start }, { u"timestamp"_s, u"2026-12-06T10:00:00.000+01:00"_s },
                                 { u"rss_mb"_s, 812.5 } },
                    QJsonObject { { u"ts"_s, start + 1 }, { u"rss_mb"_s, 1630.0 }, { u"phase"_s, u"fit"_s } } } },
            { u"telemetry_dropped"_s, 3 } };
        const QJsonObject api { { u"type"_s, u"api_call"_s }, { u"ts"_s, double(now) }, { u"guid"_s, apiGuid },
            { u"op_code"_s, u"PAY01"_s }, { u"tenant"_s, u"billing"_s }, { u"method"_s, u"POST"_s },
            { u"endpoint"_s, u"/v1/charge"_s }, { u"status"_s, 502 }, { u"request_kb"_s, 1.5 },
            { u"response_kb"_s, 0.25 }, { u"elapsed_s"_s, 0.84 }, { u"cache_hit"_s, false }, { u"success"_s, false },
            { u"error"_s, u"bad gateway"_s }, { u"error_category"_s, u"network"_s }, { u"tags"_s, tags } };
        const QJsonObject notify { { u"type"_s, u"notification"_s }, { u"ts"_s, double(now) },
            { u"guid"_s, notifyGuid }, { u"channel"_s, u"email"_s }, { u"recipients"_s, 120 }, { u"delivered"_s, 118 },
            { u"failed"_s, 2 }, { u"queue_depth"_s, 35 }, { u"elapsed_s"_s, 1.4 }, { u"success"_s, true },
            { u"tags"_s, QJsonObject { { u"module"_s, u"notifier"_s } } } };
        const QJsonObject op { { u"type"_s, u"op"_s }, { u"ts"_s, double(now) }, { u"guid"_s, opGuid },
            { u"name"_s, u"charge"_s }, { u"elapsed_s"_s, 0.5 }, { u"success"_s, true }, { u"tags"_s, tags } };
        // Each record twice: the second of each is a resend within the collector's window.
        QVERIFY(sendAll(collector,
            line(run) + line(api) + line(notify) + line(op) + line(run) + line(api) + line(notify) + line(op)));
        QCOMPARE(statsOf(collector).value(u"records_resent"_s), u"4"_s);
        QCOMPARE(collector.stop(), 0);
        // After a restart the window is empty: the tables' unique guids skip the resends.
        QVERIFY(collector.start());
        QVERIFY(sendAll(collector, line(run) + line(api) + line(notify) + line(op)));
        QCOMPARE(statsOf(collector).value(u"records_resent"_s), u"0"_s);
        QCOMPARE(collector.stop(), 0);

        const QString name = u"workrecordkinds"_s;
        QVERIFY(Database::openReadOnly(name, collector.dbPath).ok);
        {
            for (const QString &table : { u"runs"_s, u"api_calls"_s, u"notifications"_s, u"operations"_s })
                QCOMPARE(scalar(name, u"SELECT count(*) FROM "_s + table), qint64(1));
            QCOMPARE(scalar(name, u"SELECT count(*) FROM steps"_s), qint64(2)); // a resent run adds no steps

            HistoryQuery query(name);
            QString error;
            QVector<RunRecord> runs;
            QVERIFY2(query.runs(now - 60, now + 60, 100, &runs, &error), qPrintable(error));
            QCOMPARE(runs.size(), 1);
            const RunRecord &r = runs[0];
            QCOMPARE(r.guid, runGuid);
            QCOMPARE(r.tenant, u"ml"_s);
            QCOMPARE(r.success, false);
            QCOMPARE(r.stepsFailed, qint64(1)); // counted from the steps
            QCOMPARE(r.memoryMb, 2048.5);
            QCOMPARE(r.retries, std::optional<qint64>(2));
            QCOMPARE(r.executionMode, u"parallel"_s);
            QCOMPARE(r.error, u"fit: out of memory"_s);
            QCOMPARE(r.errorCategory, u"memory"_s);
            QCOMPARE(r.tags, (QStringList { u"model:m1"_s, u"service:pay"_s }));
            QCOMPARE(r.steps.size(), 2);
            QVERIFY(r.steps[0].success);
            QVERIFY(!r.steps[1].success);
            QCOMPARE(r.telemetryDropped, std::optional<qint64>(3));
            const QJsonArray samples = QJsonDocument::fromJson(r.telemetry).array();
            QCOMPARE(samples.size(), 2);
            QCOMPARE(samples[0].toObject().value(u"timestamp"_s).toString(), u"2026-12-06T10:00:00.000+01:00"_s);
            QCOMPARE(samples[1].toObject().value(u"rss_mb"_s).toDouble(), 1630.0);
            QCOMPARE(samples[1].toObject().value(u"phase"_s).toString(), u"fit"_s);

            QVector<OperationRecord> ops;
            QVERIFY2(query.operations(now - 60, now + 60, 100, &ops, &error), qPrintable(error));
            QCOMPARE(ops.size(), 1);
            QCOMPARE(ops[0].tags, (QStringList { u"model:m1"_s, u"service:pay"_s }));

            QSqlQuery a(QSqlDatabase::database(name));
            QVERIFY(a.exec(u"SELECT guid, time, op_code, tenant, method, endpoint, status_code, request_kb,"
                           " response_kb, elapsed_s, cache_hit, success, error_message, error_category, tags"
                           " FROM api_calls"_s)
                && a.next());
            QCOMPARE(a.value(0).toString(), apiGuid);
            QCOMPARE(a.value(1).toLongLong(), now);
            QCOMPARE(a.value(2).toString(), u"PAY01"_s);
            QCOMPARE(a.value(3).toString(), u"billing"_s);
            QCOMPARE(a.value(4).toString(), u"POST"_s);
            QCOMPARE(a.value(5).toString(), u"/v1/charge"_s);
            QCOMPARE(a.value(6).toInt(), 502);
            QCOMPARE(a.value(7).toDouble(), 1.5);
            QCOMPARE(a.value(8).toDouble(), 0.25);
            QCOMPARE(a.value(9).toDouble(), 0.84);
            QCOMPARE(a.value(10).toInt(), 0);
            QCOMPARE(a.value(11).toInt(), 0);
            QCOMPARE(a.value(12).toString(), u"bad gateway"_s);
            QCOMPARE(a.value(13).toString(), u"network"_s);
            QCOMPARE(a.value(14).toString(), u"model:m1,service:pay"_s);

            QSqlQuery n(QSqlDatabase::database(name));
            QVERIFY(n.exec(u"SELECT guid, op_code, channel, recipients, delivered, failed, queue_depth, elapsed_s,"
                           " success, error_message, tags FROM notifications"_s)
                && n.next());
            QCOMPARE(n.value(0).toString(), notifyGuid);
            QCOMPARE(n.value(1).toString(), u"notifier"_s); // the module tag
            QCOMPARE(n.value(2).toString(), u"email"_s);
            QCOMPARE(n.value(3).toInt(), 120);
            QCOMPARE(n.value(4).toInt(), 118);
            QCOMPARE(n.value(5).toInt(), 2);
            QCOMPARE(n.value(6).toInt(), 35);
            QCOMPARE(n.value(7).toDouble(), 1.4);
            QCOMPARE(n.value(8).toInt(), 1);
            QVERIFY(n.value(9).isNull());
            QCOMPARE(n.value(10).toString(), u"module:notifier"_s);
        }
        Database::close(name);
    }
};

QTEST_GUILESS_MAIN(TestWorkRecordsE2E)
#include "tst_workrecords_e2e.moc"
