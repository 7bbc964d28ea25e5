// SPDX-License-Identifier: GPL-3.0-or-later
// The rules dialog and a running collector: a rule added from the keyboard and saved reaches the collector, which
// reloads the file and runs it.
#include "app/gui/rulesfilestore.h"
#include "collectorprocess.h"
#include "widgets/alertrulesdialog.h"
#include "widgets/alertruleeditor.h"

#include <QApplication>
#include <QSaveFile>
#include <QTemporaryDir>
#include <QTest>

using namespace perfdash;
using namespace perfdash::test;
using namespace Qt::Literals::StringLiterals;

class TstAlertDialogE2e : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void savedRuleReachesTheRunningCollector()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"rules.json"_s);
        {
            QSaveFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(R"({"alert_rules": [{"id": "errors", "metric": "error_rate", "condition": "above",
                "threshold": 0.05, "window": "5s"}]})");
            QVERIFY(file.commit());
        }
        CollectorProcess collector(dir.path());
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"PERF_MONITORING_INTERVAL"_s, u"1"_s);
        collector.process.setProcessEnvironment(env);
        QVERIFY(collector.start({ u"--rules"_s, path, u"--no-sampling"_s }));
        QCOMPARE(statsOf(collector).value(u"alerts.rules"_s), u"1"_s);

        RulesFileStore store;
        AlertRulesDialog dialog(&store, path, { {}, { u"m1"_s } }, nullptr);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowActive(&dialog));
        QCOMPARE(dialog.rules().rules.size(), 1);
        QTest::keyClick(&dialog, Qt::Key_A, Qt::AltModifier); // &Add…
        QTRY_VERIFY(dialog.editor());
        QTRY_COMPARE(QApplication::activeWindow(), static_cast<QWidget *>(dialog.editor()));
        const auto type = [](const QString &text) { QTest::keyClicks(QApplication::focusWidget(), text); };
        const auto tab = []() { QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab); };
        type(u"m1 p95"_s);
        tab();
        type(u"latency_p95"_s);
        tab();
        type(u"m1"_s);
        tab();
        tab();
        type(u"250"_s);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
        QTRY_VERIFY(!dialog.editor());
        QTRY_COMPARE(QApplication::activeWindow(), static_cast<QWidget *>(&dialog));
        QTest::keyClick(&dialog, Qt::Key_S, Qt::AltModifier); // &Save
        QTRY_VERIFY(!dialog.isModified());

        // The collector watches the file: it runs both rules now, without a restart.
        QTRY_COMPARE_WITH_TIMEOUT(statsOf(collector).value(u"alerts.rules"_s), u"2"_s, 30000);
        QCOMPARE(statsOf(collector).value(u"alerts.rules_refused"_s), u"0"_s);
        QCOMPARE(collector.stop(), 0);
    }
};

QTEST_MAIN(TstAlertDialogE2e)
#include "tst_alertdialog_e2e.moc"
