// SPDX-License-Identifier: GPL-3.0-or-later
// The rule editor's preview on a real database: seven days of history (tools/dev/make-history.py, `perfdashd import`),
// replayed by AlertPreviewWorker with the collector's evaluator while the user types. A threshold under resnet50's
// p95 fires, a huge one does not; quick edits run at most one replay at a time and only the newest is shown; and the
// same from the dashboard's "Alert on this…" in the whole GUI. With
// PERFDASH_SCREENSHOT_DIR set it keeps pictures of the rules list and of the editor with its preview.
#include "app/gui/alertpreviewworker.h"
#include "app/gui/guisession.h"
#include "app/gui/rulesfilestore.h"
#include "perfdashdcommand.h"
#include "widgets/alertcontroller.h"
#include "widgets/alertpreviewchart.h"
#include "widgets/alertruleeditor.h"
#include "widgets/alertrulesdialog.h"
#include "widgets/mainwindow.h"
#include "widgets/sourcedashboard.h"
#include "widgets/theme.h"
#include "widgets/timeserieschart.h"

#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QLineEdit>
#include <QMenu>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace perfdash;
using namespace perfdash::test;
using namespace Qt::Literals::StringLiterals;

namespace {

// "would have fired 14 times…" -> 14, "would have fired once" -> 1, anything else -> 0.
int firings(const QString &summary)
{
    if (summary.startsWith(u"would have fired once"))
        return 1;
    const QRegularExpressionMatch m = QRegularExpression(u"^would have fired (\\d+) times"_s).match(summary);
    return m.hasMatch() ? m.captured(1).toInt() : 0;
}

QLineEdit *fieldOf(const QWidget *editor, const QString &key)
{
    return editor->findChild<QWidget *>(u"error-"_s % key)->parentWidget()->findChild<QLineEdit *>();
}

void retype(QLineEdit *edit, const QString &text)
{
    edit->setFocus();
    QTest::keyClick(edit, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(edit, text);
}

} // namespace

class TestAlertPreviewE2E : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // keep the user's settings and rules untouched
        QVERIFY(m_dir.isValid());
        const QString csv = m_dir.filePath(u"history.csv"_s);
        m_db = m_dir.filePath(u"perfdash.db"_s);
        m_end = QDateTime::currentSecsSinceEpoch() / 60 * 60;
        const QString made = makeHistory(csv, 7, 2, 7, m_end);
        QVERIFY2(made.isEmpty(), qPrintable(made));
        const Exported imported = runPerfdashd({ u"import"_s, u"--db"_s, m_db, csv });
        QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
    }

    void previewFollowsTheThreshold()
    {
        AlertPreviewWorker worker(m_db);
        AlertRule rule;
        rule.metric = u"latency_p95"_s;
        rule.model = u"resnet50"_s;
        rule.threshold = 35; // below resnet50's p95 for most of the history
        rule.window = 300;
        AlertRuleEditor editor(rule, { {}, { u"bert-base"_s, u"resnet50"_s } }, &worker);
        editor.setClock([this]() { return m_end; });
        editor.show();
        QTRY_VERIFY_WITH_TIMEOUT(firings(editor.summaryText()) > 0, 30000);
        TimeSeriesChart *chart = editor.previewChart()->chart();
        QVERIFY(chart->shadedSpans().size() > 0);
        QVERIFY(chart->drawnPointCount(AlertPreviewChart::LineMetric) > 0);
        QVERIFY(chart->drawnPointCount(AlertPreviewChart::LineThreshold) > 0);

        // Typed quickly, one key at a time: the debounce and the one-at-a-time worker run few replays, and the text
        // shown is the last threshold's.
        const int started = worker.replaysStarted();
        retype(fieldOf(&editor, u"threshold"_s), u"100000"_s);
        QTRY_VERIFY_WITH_TIMEOUT(editor.summaryText().startsWith(u"would not have fired"_s), 30000);
        QVERIFY2(worker.replaysStarted() - started <= 2, qPrintable(QString::number(worker.replaysStarted())));
        QCOMPARE(chart->shadedSpans().size(), 0);

        // Back under the line, over the last 7 days.
        retype(fieldOf(&editor, u"threshold"_s), u"35"_s);
        editor.setPreviewDays(7);
        QTRY_VERIFY_WITH_TIMEOUT(firings(editor.summaryText()) > 0, 30000);
        QCOMPARE(chart->fromMs(), (m_end / 60 * 60 - 7 * 86400) * 1000);
    }

    // An invalid form replays nothing, and an answer that arrives after the next edit is dropped.
    void staleAnswersAreDropped()
    {
        AlertPreviewWorker worker(m_db);
        AlertRule rule;
        rule.metric = u"latency_p95"_s;
        rule.model = u"resnet50"_s;
        rule.threshold = 35;
        AlertRuleEditor editor(rule, {}, &worker);
        editor.setClock([this]() { return m_end; });
        editor.show();
        QTRY_VERIFY_WITH_TIMEOUT(firings(editor.summaryText()) > 0, 30000);
        const int before = worker.replaysStarted();
        // An edit while a replay runs: its answer is for an older generation.
        QLineEdit *threshold = fieldOf(&editor, u"threshold"_s);
        QSignalSpy started(&worker, &AlertPreviewWorker::replayStarted);
        retype(threshold, u"36"_s);
        QVERIFY(started.wait(5000)); // returns before the replay's answer can be delivered
        retype(threshold, u"abc"_s); // invalid: the running replay's answer is no longer wanted
        QTRY_COMPARE_WITH_TIMEOUT(editor.staleAnswersDropped(), 1, 30000);
        QVERIFY(editor.summaryText().isEmpty());
        QCOMPARE(worker.replaysStarted(), before + 1);
    }

    // The whole GUI on the database (it starts its own collector): "Alert on this…" on the latency chart opens the
    // editor on the model's p95, and its preview replays through the worker the session made at the collector's hello.
    void fromTheDashboard()
    {
        GuiSession::Options options;
        options.runtimeDir = m_dir.filePath(u"run"_s);
        options.dbPath = m_db;
        options.udp = u"127.0.0.1:0"_s;
        options.binDir = qEnvironmentVariable("PERFDASH_BIN_DIR");
        QSettings().setValue(u"view/source"_s, u"model:resnet50"_s);
        GuiSession session(options);
        MainWindow *window = session.window();
        window->show();
        session.start();
        const SourceRef model { SourceRef::Kind::Model, u"resnet50"_s };
        QTRY_COMPARE_WITH_TIMEOUT(window->selectedSource(), model, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(!session.collectorUdp().isEmpty(), 30000);

        const std::unique_ptr<QMenu> menu = window->dashboard()->contextMenuFor(window->latencyChart());
        menu->actions().first()->trigger();
        AlertRulesDialog *dialog = window->alertRules()->dialog();
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->editor());
        AlertRuleEditor *editor = dialog->editor();
        QVERIFY(editor->summaryText().isEmpty()); // no threshold yet: nothing to replay
        retype(fieldOf(editor, u"threshold"_s), u"35"_s);
        QTRY_VERIFY_WITH_TIMEOUT(firings(editor->summaryText()) > 0, 30000);
        QCOMPARE(editor->rule()->model, u"resnet50"_s);
        QCOMPARE(editor->rule()->metric, u"latency_p95"_s);
        editor->reject();
        QTRY_VERIFY(!dialog->editor());
        dialog->reject();
    }

    // Pictures for the docs, at the size a user sees them.
    void screenshots()
    {
        const QString shots = qEnvironmentVariable("PERFDASH_SCREENSHOT_DIR");
        if (shots.isEmpty())
            QSKIP("PERFDASH_SCREENSHOT_DIR is not set");
        const QString rulesPath = m_dir.filePath(u"rules.json"_s);
        QFile file(rulesPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"alert_rules": [
            {"id": "resnet-p95", "name": "resnet50 p95 too high", "metric": "latency_p95", "model": "resnet50",
             "condition": "above", "threshold": 45, "recovery": 40, "window": "15m", "for": "5m",
             "severity": "critical", "labels": {"team": "vision"}},
            {"id": "errors", "name": "Error rate", "metric": "error_rate", "condition": "above", "threshold": 0.02,
             "window": "10m", "severity": "critical"},
            {"id": "accuracy", "name": "Accuracy drop", "metric": "accuracy", "condition": "outside_baseline",
             "threshold": 5, "window": "1h", "severity": "warning"},
            {"id": "throughput", "name": "Throughput low", "metric": "throughput", "condition": "below",
             "threshold": 1, "window": "15m", "for": "10m", "severity": "info", "enabled": false},
            {"id": "api-p99", "name": "API p99", "metric": "prediction.latency_ms{model=bert-base}",
             "aggregation": "p99", "condition": "above", "threshold": 120, "window": "5m"}
        ]})");
        file.close();
        RulesFileStore store;
        AlertPreviewWorker worker(m_db);
        AlertRuleEditor::Choices choices { { u"prediction.latency_ms{model=resnet50}"_s }, { u"resnet50"_s } };
        AlertRulesDialog dialog(&store, rulesPath, choices, &worker);
        dialog.resize(1024, 560);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QVERIFY(dialog.grab().save(QDir(shots).filePath(u"alert-rules.png"_s)));

        dialog.editRule(0);
        QTRY_VERIFY(dialog.editor());
        AlertRuleEditor *editor = dialog.editor();
        editor->setClock([this]() { return m_end; });
        editor->setPreviewDays(7);
        editor->resize(1024, 700);
        QTRY_VERIFY_WITH_TIMEOUT(firings(editor->summaryText()) > 0, 30000);
        QVERIFY(editor->grab().save(QDir(shots).filePath(u"alert-editor.png"_s)));
        // More pictures to look at, not kept in docs/: a refused threshold, and a series rule on the dark theme.
        if (qEnvironmentVariableIsSet("PERFDASH_SCREENSHOT_MORE")) {
            AlertRule ratio = dialog.rules().rules.at(1);
            AlertRuleEditor invalid(ratio, choices, &worker);
            invalid.setClock([this]() { return m_end; });
            invalid.resize(1024, 700);
            invalid.show();
            retype(fieldOf(&invalid, u"threshold"_s), u"5"_s);
            retype(fieldOf(&invalid, u"window"_s), u"10 minutes"_s);
            QVERIFY(!invalid.isOkEnabled());
            QVERIFY(invalid.grab().save(QDir(shots).filePath(u"alert-editor-invalid.png"_s)));
            applyTheme(Theme::Dark);
            AlertRuleEditor dark(dialog.rules().rules.at(4), choices, &worker);
            dark.setClock([this]() { return m_end; });
            dark.resize(1024, 700);
            dark.show();
            QTRY_VERIFY_WITH_TIMEOUT(dark.summaryText().startsWith(u"would"_s), 30000);
            QVERIFY(dark.grab().save(QDir(shots).filePath(u"alert-editor-dark.png"_s)));
        }
    }

private:
    QTemporaryDir m_dir;
    QString m_db;
    qint64 m_end = 0;
};

QTEST_MAIN(TestAlertPreviewE2E)
#include "tst_alertpreview_e2e.moc"
