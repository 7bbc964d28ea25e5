// SPDX-License-Identifier: GPL-3.0-or-later
// op and run records over ingest.sock -> rows of the operations, runs and steps tables, read back through the
// storage read API the GUI uses. An op record with only a `module` tag lands with op_code = the module.
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
};

QTEST_GUILESS_MAIN(TestWorkRecordsE2E)
#include "tst_workrecords_e2e.moc"
