// SPDX-License-Identifier: GPL-3.0-or-later
// `perfdashd import` as a process: 30 days from tools/dev/make-history.py into the database of a running collector,
// read back by `perfdashd summary` and `perfdashd series`; OpenMetrics from stdin.
#include "collectorprocess.h"
#include "perfdashdcommand.h"
#include "storage/database.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTest>

using namespace perfdash;
using namespace perfdash::test;
using namespace Qt::Literals::StringLiterals;

class TestImportE2e : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void thirtyDaysBesideARunningCollector()
    {
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY2(collector.start(), qPrintable(collector.readyLine));
        // The collector writes one of the series the history has, so it holds open rows for it while we import.
        collector.send("prediction.latency_ms:12|ms|#model:resnet50");

        const QString csv = dir.filePath(u"history.csv"_s);
        const qint64 end = QDateTime::currentSecsSinceEpoch() / 60 * 60 - 3600;
        const QString made = makeHistory(csv, 30, 3, 3, end);
        QVERIFY2(made.isEmpty(), qPrintable(made));
        // Deterministic for a seed and an end: a day of it, twice, byte for byte.
        QByteArray day[2];
        for (QByteArray &text : day) {
            QProcess again;
            again.start(u"python3"_s,
                { qEnvironmentVariable("PERFDASH_SOURCE_DIR") + u"/tools/dev/make-history.py"_s, u"--days"_s, u"1"_s,
                    u"--seed"_s, u"3"_s, u"--end"_s, QString::number(end) });
            QVERIFY(again.waitForFinished(60000));
            text = again.readAllStandardOutput();
        }
        QVERIFY(day[0].size() > 1000);
        QCOMPARE(day[0], day[1]);

        const Exported imported = runPerfdashd({ u"import"_s, u"--db"_s, collector.dbPath, csv });
        QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
        // The collector registered the latency series it saw; every data line of the file is a row (how many depends
        // on the end: minutes without errors have no error counter row); the import's buckets in its open rows' spans
        // are left to the collector (how many depends on the hour of the day).
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const qint64 dataLines = qint64(file.readAll().count('\n')) - 1;
        QVERIFY(dataLines > 400000);
        QVERIFY2(imported.err.contains(u"12 series (11 new), %1 rows"_s.arg(dataLines)), qPrintable(imported.err));
        QVERIFY2(imported.err.contains(u" in open chunks, 0 past retention"_s), qPrintable(imported.err));
        QVERIFY2(imported.err.contains(u"rows at 1 min"_s), qPrintable(imported.err));
        QVERIFY2(imported.err.contains(u"0 bad lines"_s), qPrintable(imported.err));

        const Exported series = runPerfdashd({ u"series"_s, u"--db"_s, collector.dbPath });
        QCOMPARE(series.exitCode, 0);
        QVERIFY(series.out.contains("prediction.latency_ms{model=resnet50}\ttimer"));
        QVERIFY(series.out.contains("prediction.count{model=bert-base,status=error}\tcounter"));
        QVERIFY(series.out.contains("prediction.accuracy{model=whisper-small}\tgauge"));

        // The summary over 30 days reads the imported hours (merged sketches) while the collector runs.
        const QString endIso = QDateTime::fromSecsSinceEpoch(end, Qt::UTC).toString(Qt::ISODate);
        const auto summary = [&](const QString &model) {
            const Exported s = runPerfdashd({ u"summary"_s, u"--db"_s, collector.dbPath, u"--model"_s, model,
                u"--window"_s, u"30d"_s, u"--end"_s, endIso });
            if (s.exitCode != 0)
                qWarning("%s", qPrintable(s.err));
            return QJsonDocument::fromJson(s.out).object();
        };
        const QJsonObject resnet = summary(u"resnet50"_s);
        const QJsonObject evidence = resnet.value(u"evidence"_s).toObject();
        QVERIFY2(
            evidence.value(u"requests"_s).toDouble() > 30 * 1440 * 100, QJsonDocument(resnet).toJson().constData());
        QVERIFY(evidence.value(u"latency_merged"_s).toBool());
        const double p95 = evidence.value(u"p95"_s).toObject().value(u"value_ms"_s).toDouble();
        QVERIFY2(p95 > 30 && p95 < 80, qPrintable(QString::number(p95))); // 20 ms median, sigma 0.35..0.55
        const double errors = resnet.value(u"serving_metrics"_s).toObject().value(u"error_rate"_s).toDouble();
        QVERIFY2(errors > 0.002 && errors < 0.004, qPrintable(QString::number(errors)));
        // bert-base's error rate drifts from 0.3 % to 3 %: about 1.65 % over the whole window.
        const double drifting
            = summary(u"bert-base"_s).value(u"serving_metrics"_s).toObject().value(u"error_rate"_s).toDouble();
        QVERIFY2(drifting > 0.012 && drifting < 0.02, qPrintable(QString::number(drifting)));

        QCOMPARE(collector.stop(), 0);
        {
            QVERIFY(Database::openReadOnly(u"integrity"_s, collector.dbPath).ok);
            QSqlQuery q(QSqlDatabase::database(u"integrity"_s));
            QVERIFY(q.exec(u"PRAGMA integrity_check"_s) && q.next());
            QCOMPARE(q.value(0).toString(), u"ok"_s);
        }
        Database::close(u"integrity"_s);
    }

    void openMetricsFromStdin()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(u"om.db"_s);
        const qint64 t0 = QDateTime::currentSecsSinceEpoch() / 3600 * 3600 - 2 * 3600;
        QByteArray text = "# TYPE jobs counter\n";
        for (int m = 0; m <= 10; ++m)
            text += "jobs_total{queue=\"a\"} " + QByteArray::number(m * 6) + ' '
                + QByteArray::number((t0 + m * 60) * 1000) + '\n';
        QProcess p;
        p.start(binary(u"perfdashd"_s), { u"import"_s, u"--db"_s, db, u"--format"_s, u"openmetrics"_s, u"-"_s });
        QVERIFY(p.waitForStarted());
        p.write(text);
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(30000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const Exported hour = runPerfdashd({ u"export"_s, u"--raw"_s, u"--db"_s, db, u"--series"_s, u"jobs"_s,
            u"--from"_s, QDateTime::fromSecsSinceEpoch(t0, Qt::UTC).toString(Qt::ISODate), u"--to"_s, u"now"_s,
            u"--step"_s, u"1h"_s });
        QCOMPARE(hour.exitCode, 0);
        bool crlf = false;
        const auto rows = parseCsv(hour.out, &crlf);
        QCOMPARE(rows.size(), 2); // header and the hour
        QCOMPARE(rows[1][2], QByteArray("60")); // 10 increments of 6
        QCOMPARE(rows[1][13], QByteArray("counter"));
    }
};

QTEST_GUILESS_MAIN(TestImportE2e)
#include "tst_import_e2e.moc"
