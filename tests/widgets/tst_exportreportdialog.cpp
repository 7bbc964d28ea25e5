// SPDX-License-Identifier: GPL-3.0-or-later
// The export dialog, offscreen and by keyboard: the request its fields describe, refusals that name the field, progress
// and Cancel while a runner writes, the message that says where the file went, and the choices kept for next time.
// The runner here only records and answers; tests/app/tst_reportworker.cpp runs the real one on a real database.
#include "models/reportrunner.h"
#include "widgets/exportreportdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

class RecordingRunner : public ReportRunner {
public:
    bool start(const ReportRequest &request, const QString &path) override
    {
        requests << request;
        paths << path;
        running = true;
        return true;
    }
    void cancel() override { cancelled = true; }
    bool isRunning() const override { return running; }
    QString databasePath() const override { return u"/nowhere/perfdash.db"_s; }
    void finish(const ReportResult &result)
    {
        running = false;
        Q_EMIT finished(result, paths.last());
    }

    QList<ReportRequest> requests;
    QStringList paths;
    bool running = false;
    bool cancelled = false;
};

constexpr qint64 kNow = 1795464000; // 2026-11-23T20:00:00Z

ExportReportDialog::Context context()
{
    ExportReportDialog::Context c;
    c.models = QStringList { u"bert"_s, u"resnet50"_s, u"whisper"_s };
    c.model = u"resnet50"_s;
    c.series = u"*{model=resnet50}"_s;
    c.viewFrom = kNow - 300;
    c.viewTo = kNow;
    c.now = kNow;
    return c;
}

template <typename T>
T *child(QWidget *dialog, int index = 0)
{
    return dialog->findChildren<T *>().value(index);
}

} // namespace

class TestExportReportDialog : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void theKeyboardExportsTheLast24HoursPerModelHourly()
    {
        RecordingRunner runner;
        ExportReportDialog dialog(&runner, context());
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        dialog.setPath(m_dir.filePath(u"kpi.csv"_s));
        // Alt+M to the models, Home, Space checks bert; Down Down, Space checks whisper; Space on Export.
        QTest::keyClick(&dialog, Qt::Key_M, Qt::AltModifier);
        QTRY_VERIFY(child<QListWidget>(&dialog)->hasFocus());
        QTest::keyClick(child<QListWidget>(&dialog), Qt::Key_Home);
        QTest::keyClick(child<QListWidget>(&dialog), Qt::Key_Space);
        QTest::keyClick(child<QListWidget>(&dialog), Qt::Key_Down);
        QTest::keyClick(child<QListWidget>(&dialog), Qt::Key_Down);
        QTest::keyClick(child<QListWidget>(&dialog), Qt::Key_Space);
        QPushButton *exportButton = nullptr;
        for (QPushButton *b : dialog.findChildren<QPushButton *>()) {
            if (b->text() == u"&Export"_s)
                exportButton = b;
        }
        QVERIFY(exportButton);
        exportButton->setFocus(); // Tab order reaches it; Space presses it
        QTest::keyClick(exportButton, Qt::Key_Space);
        QCOMPARE(runner.requests.size(), 1);
        const ReportRequest &r = runner.requests.first();
        QCOMPARE(r.content, ReportContent::Kpi); // the default
        QCOMPARE(r.models, (QStringList { u"bert"_s, u"resnet50"_s, u"whisper"_s }));
        QCOMPARE(r.to, kNow); // "Last 24 hours" and "1 hour" are the defaults
        QCOMPARE(r.from, kNow - 86400);
        QCOMPARE(r.step, 3600);
        QCOMPARE(runner.paths.first(), m_dir.filePath(u"kpi.csv"_s));
        // While it writes: progress, fields locked, Close became Cancel.
        QVERIFY(child<QProgressBar>(&dialog)->isVisible());
        QVERIFY(!child<QComboBox>(&dialog)->isEnabled());
        Q_EMIT runner.progress(2, 4);
        QCOMPARE(child<QProgressBar>(&dialog)->value(), 2);
        QSignalSpy exported(&dialog, &ExportReportDialog::exported);
        ReportResult done;
        done.rows = 75;
        runner.finish(done);
        QCOMPARE(exported.size(), 1);
        QCOMPARE(exported.first().value(1).toLongLong(), 75);
        QLabel *message = nullptr;
        for (QLabel *l : dialog.findChildren<QLabel *>()) {
            if (l->text().contains(u"Wrote"_s))
                message = l;
        }
        QVERIFY(message);
        QVERIFY2(message->text().contains(u"75 row"_s) && message->text().contains(u"kpi.csv"_s),
            qPrintable(message->text()));
        QVERIFY(!child<QProgressBar>(&dialog)->isVisible());
        QVERIFY(child<QComboBox>(&dialog)->isEnabled());
    }

    void escapeCancelsARunningExportThenCloses()
    {
        RecordingRunner runner;
        ExportReportDialog dialog(&runner, context());
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        dialog.setPath(m_dir.filePath(u"cancel.csv"_s));
        dialog.exportNow();
        QVERIFY(runner.running);
        QTest::keyClick(&dialog, Qt::Key_Escape);
        QVERIFY(runner.cancelled);
        QVERIFY(dialog.isVisible()); // it stays to say what happened
        ReportResult cancelled;
        cancelled.cancelled = true;
        runner.finish(cancelled);
        QTest::keyClick(&dialog, Qt::Key_Escape);
        QVERIFY(!dialog.isVisible());
    }

    void badFieldsAreNamedAndNothingStarts_data()
    {
        QTest::addColumn<QString>("content");
        QTest::addColumn<QString>("series");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("why");
        QTest::newRow("no file") << u"kpi"_s << QString() << QString() << u"file"_s;
        QTest::newRow("missing folder") << u"kpi"_s << QString() << u"/no/such/folder/r.csv"_s << u"/no/such/folder"_s;
        QTest::newRow("bad selector") << u"series"_s << u"cpu{model=a"_s << u"r.csv"_s << u"Series"_s;
    }
    void badFieldsAreNamedAndNothingStarts()
    {
        QFETCH(QString, content);
        QFETCH(QString, series);
        QFETCH(QString, path);
        QFETCH(QString, why);
        RecordingRunner runner;
        ExportReportDialog dialog(&runner, context());
        auto *contents = child<QComboBox>(&dialog);
        contents->setCurrentIndex(contents->findData(content));
        if (!series.isEmpty())
            dialog.findChildren<QLineEdit *>().first()->setText(series);
        dialog.setPath(path.isEmpty() || path.startsWith(u'/') ? path : m_dir.filePath(path));
        QString error;
        QVERIFY(!dialog.request(&error));
        QVERIFY2(error.contains(why), qPrintable(error));
        dialog.exportNow();
        QVERIFY(runner.requests.isEmpty());
    }

    void theSeriesReportTakesTheSourcesSelectorAndTheChoicesAreKept()
    {
        {
            RecordingRunner runner;
            ExportReportDialog dialog(&runner, context());
            auto *contents = child<QComboBox>(&dialog);
            contents->setCurrentIndex(contents->findData(u"series"_s));
            child<QCheckBox>(&dialog)->setChecked(true); // Excel
            dialog.setPath(m_dir.filePath(u"series.csv"_s));
            dialog.exportNow();
            QCOMPARE(runner.requests.size(), 1);
            QCOMPARE(runner.requests.first().series, u"*{model=resnet50}"_s);
            QVERIFY(runner.requests.first().format.excel);
            QVERIFY(runner.requests.first().format.tagColumns);
        }
        RecordingRunner runner;
        ExportReportDialog again(&runner, context());
        // The name the dialog made follows the content; the folder is the one used last.
        auto *contents = child<QComboBox>(&again);
        QVERIFY2(QFileInfo(again.path()).fileName().startsWith(u"perfdash-series-"_s), qPrintable(again.path()));
        contents->setCurrentIndex(contents->findData(u"runs"_s));
        QVERIFY2(QFileInfo(again.path()).fileName().startsWith(u"perfdash-runs-"_s), qPrintable(again.path()));
        contents->setCurrentIndex(contents->findData(u"series"_s));
        QCOMPARE(child<QComboBox>(&again)->currentData().toString(), u"series"_s);
        QVERIFY(child<QCheckBox>(&again)->isChecked());
        QVERIFY2(again.path().startsWith(m_dir.path()), qPrintable(again.path())); // the folder used last
    }
};

QTEST_MAIN(TestExportReportDialog)
#include "tst_exportreportdialog.moc"
