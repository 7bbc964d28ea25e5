// SPDX-License-Identifier: GPL-3.0-or-later
// op and run records over ingest.sock -> rows of the operations, runs and steps tables, read back through the
// storage read API the GUI uses.
#include "collectorprocess.h"

#include "storage/database.h"
#include "storage/historyquery.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QTemporaryDir>
#include <QTimeZone>
#include <QTest>

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
        const auto line = [](const QJsonObject &o) -> QByteArray { return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n'; };
        QByteArray lines;
        lines += line(QJsonObject { { u"type"_s, u"op"_s }, { u"ts"_s, ts }, { u"guid"_s, guid }, { u"op_code"_s, u"IMP01"_s },
                        { u"tenant"_s, u"billing"_s }, { u"name"_s, u"import"_s }, { u"target"_s, u"orders.csv"_s },
                        { u"items"_s, 1200 }, { u"elapsed_s"_s, 2.5 }, { u"memory_mb"_s, 84.2 },
                        { u"cache_hits"_s, 17 }, { u"api_calls"_s, 4 }, { u"success"_s, false },
                        { u"error"_s, QString(QString(6000, u'x') + u"END"_s) }, { u"error_category"_s, u"network"_s } });
        // The same guid again: a resend, not a second operation.
        lines += line(QJsonObject { { u"type"_s, u"op"_s }, { u"ts"_s, ts }, { u"guid"_s, guid }, { u"name"_s, u"import"_s },
                        { u"elapsed_s"_s, 2.5 }, { u"success"_s, true } });
        lines += line(QJsonObject { { u"type"_s, u"op"_s }, { u"ts"_s, ts }, { u"name"_s, u"export"_s }, { u"items"_s, 10 },
                        { u"elapsed_s"_s, 0.5 }, { u"success"_s, true } });
        const double start = double(now - 3);
        lines += line(QJsonObject { { u"type"_s, u"run"_s }, { u"workflow"_s, u"inference"_s }, { u"start"_s, start },
                        { u"end"_s, start + 0.25 }, { u"success"_s, true },
                        { u"steps"_s,
                          QJsonArray { QJsonObject { { u"name"_s, u"load_data"_s }, { u"start"_s, start },
                                                     { u"elapsed_s"_s, 0.1 } },
                                       QJsonObject { { u"name"_s, u"predict"_s }, { u"start"_s, start + 0.1 },
                                                     { u"elapsed_s"_s, 0.15 } } } } });
        QLocalSocket ingest;
        ingest.connectToServer(QDir(collector.runtimeDir).filePath(u"ingest.sock"_s));
        QVERIFY(ingest.waitForConnected(5000));
        ingest.write(lines);
        QVERIFY(ingest.waitForBytesWritten(5000));
        // The collector hands them to storage at its next tick; SIGTERM flushes what is left.
        QThread::msleep(1500);
        ingest.disconnectFromServer();
        QCOMPARE(collector.stop(), 0);

        const QString name = u"workrecords"_s;
        QVERIFY(Database::openReadOnly(name, collector.dbPath).ok);
        {
            HistoryQuery query(name);
            QList<QVariantMap> ops;
            QString error;
            QVERIFY2(query.operations(now - 60, now + 60, 100, &ops, &error), qPrintable(error));
            QCOMPARE(ops.size(), 2);
            std::sort(ops.begin(), ops.end(), [](const QVariantMap &a, const QVariantMap &b) {
                return a.value(u"operation_name"_s).toString() < b.value(u"operation_name"_s).toString();
            });
            const QVariantMap &exp = ops[0];
            QCOMPARE(exp.value(u"operation_name"_s).toString(), u"export"_s);
            QCOMPARE(exp.value(u"items_per_s"_s).toDouble(), 20.0); // items / elapsed when not sent
            QCOMPARE(exp.value(u"guid"_s).toString().size(), 36); // made by storage
            const QVariantMap &imp = ops[1];
            QCOMPARE(imp.value(u"guid"_s).toString(), guid);
            QCOMPARE(imp.value(u"time"_s).toLongLong(), now);
            QCOMPARE(imp.value(u"op_code"_s).toString(), u"IMP01"_s);
            QCOMPARE(imp.value(u"tenant"_s).toString(), u"billing"_s);
            QCOMPARE(imp.value(u"target"_s).toString(), u"orders.csv"_s);
            QCOMPARE(imp.value(u"items_processed"_s).toLongLong(), 1200);
            QCOMPARE(imp.value(u"elapsed_s"_s).toDouble(), 2.5);
            QCOMPARE(imp.value(u"items_per_s"_s).toDouble(), 480.0);
            QCOMPARE(imp.value(u"memory_mb"_s).toDouble(), 84.2);
            QVERIFY(imp.value(u"file_size_mb"_s).isNull());
            QCOMPARE(imp.value(u"cache_hits"_s).toLongLong(), 17);
            QCOMPARE(imp.value(u"api_calls"_s).toLongLong(), 4);
            QCOMPARE(imp.value(u"success"_s).toInt(), 0); // the first one sent, not the resend
            QCOMPARE(imp.value(u"error_category"_s).toString(), u"network"_s);
            const QString message = imp.value(u"error_message"_s).toString();
            QCOMPARE(message.size(), 5000); // marker included, cut once
            QVERIFY(message.endsWith(u"x\u2026[truncated]"_s));

            QList<QVariantMap> runs;
            QVERIFY2(query.runs(now - 60, now + 60, 100, &runs, &error), qPrintable(error));
            QCOMPARE(runs.size(), 1);
            const QVariantMap &run = runs[0];
            QCOMPARE(run.value(u"workflow"_s).toString(), u"inference"_s);
            QCOMPARE(run.value(u"start_unix"_s).toDouble(), double(now - 3));
            QCOMPARE(run.value(u"execution_s"_s).toDouble(), 0.25);
            QCOMPARE(run.value(u"execution_text"_s).toString(), u"0.25 seconds"_s);
            QCOMPARE(run.value(u"start_iso"_s).toString(),
                     QDateTime::fromSecsSinceEpoch(now - 3, QTimeZone::utc()).toString(Qt::ISODateWithMs));
            QCOMPARE(run.value(u"success"_s).toInt(), 1);
            const QVariantList steps = run.value(u"steps"_s).toList();
            QCOMPARE(steps.size(), 2);
            QCOMPARE(steps[0].toMap().value(u"name"_s).toString(), u"load_data"_s);
            QCOMPARE(steps[1].toMap().value(u"name"_s).toString(), u"predict"_s);
            QCOMPARE(steps[1].toMap().value(u"elapsed_s"_s).toDouble(), 0.15);
        }
        Database::close(name);
    }
};

QTEST_GUILESS_MAIN(TestWorkRecordsE2E)
#include "tst_workrecords_e2e.moc"
