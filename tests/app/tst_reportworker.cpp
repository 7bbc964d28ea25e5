// SPDX-License-Identifier: GPL-3.0-or-later
// The GUI's report path end to end: the export dialog with the real ReportWorker on a real SQLite file (filled by
// `perfdashd import`, in process) writes "the last 24 h per model, hourly" on its own thread, and the file opens as
// the report docs/reports.md describes. Offscreen; waits on signals.
#include "app/gui/reportworker.h"
#include "app/importcommand.h"
#include "storage/csvwriter.h"
#include "widgets/exportreportdialog.h"

#include <QDateTime>
#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

class TestReportWorker : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_db;
    qint64 m_now = 0;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        // 26 hours at 1 min for two models, ending at the current minute: "Last 24 hours" reads 25 hourly buckets.
        m_now = QDateTime::currentSecsSinceEpoch() / 60 * 60;
        QByteArray csv = "time,series,count,rate,min,max,mean,p50,p90,p95,p99,seconds,complete,kind\n";
        for (qint64 t = m_now - 26 * 3600; t < m_now; t += 60) {
            const QByteArray at = CsvWriter::isoTime(t);
            csv += at + ",prediction.latency_ms{model=a},60,1,2,200,30,20,60,80,150,60,1,timer\n";
            csv += at + ",prediction.latency_ms{model=b},60,1,2,200,30,20,60,80,150,60,1,timer\n";
        }
        const QString input = m_dir.filePath(u"history.csv"_s);
        QFile f(input);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(csv);
        f.close();
        m_db = m_dir.filePath(u"perfdash.db"_s);
        QString outText, errText;
        QTextStream out(&outText), err(&errText);
        const int code = runImportCommand({ u"--db"_s, m_db, input }, out, err, m_now);
        err.flush();
        QVERIFY2(code == 0, qPrintable(errText));
    }

    void theDialogWritesTheLast24HoursPerModelHourly()
    {
        ReportWorker worker(m_db);
        ExportReportDialog::Context context;
        context.models = QStringList { u"a"_s, u"b"_s };
        context.now = QDateTime::currentSecsSinceEpoch();
        context.viewFrom = context.now - 300;
        context.viewTo = context.now;
        ExportReportDialog dialog(&worker, context);
        const QString path = m_dir.filePath(u"last-24h.csv"_s);
        dialog.setPath(path);
        QSignalSpy exported(&dialog, &ExportReportDialog::exported);
        QSignalSpy progress(&worker, &ReportRunner::progress);
        dialog.exportNow();
        QVERIFY(worker.isRunning());
        QVERIFY(!worker.start(ReportRequest {}, path)); // one at a time
        QVERIFY(exported.wait(30000));
        QVERIFY(!worker.isRunning());
        QVERIFY(progress.size() >= 1);
        QCOMPARE(exported.first().value(0).toString(), path);
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().split('\n');
        QVERIFY2(lines.first().startsWith("time,model,"), lines.first().constData());
        QVERIFY(lines.first().contains("latency_p95_ms"));
        // 24 h from now: 25 hourly buckets (the first and last partial) per model; the last line is empty.
        const qint64 rows = exported.first().value(1).toLongLong();
        QCOMPARE(rows, qint64(lines.size() - 2));
        QVERIFY2(rows >= 2 * 24 && rows <= 2 * 25, qPrintable(QString::number(rows)));
        // The last row is the hour of the newest minute: partial unless that hour has ended (a test in the first
        // minute of an hour: the newest data lies in the hour before).
        const qint64 lastHourEnd = ((m_now - 60) / 3600 + 1) * 3600;
        const QByteArray expected = lastHourEnd > context.now ? ",partial" : ",complete";
        QVERIFY2(
            lines.at(lines.size() - 2).endsWith(QByteArray(expected + '\r')), lines.at(lines.size() - 2).constData());
    }
};

QTEST_MAIN(TestReportWorker)
#include "tst_reportworker.moc"
