// SPDX-License-Identifier: GPL-3.0-or-later
// The rules list on real files (RulesFileStore over storage's RulesFile), offscreen and from the keyboard: the PERF_*
// defaults without a file, a rule added and saved, the file on disk parsed back, saves that replace the file whole,
// and refused files (at open and on import) naming the rule and field.
#include "app/gui/rulesfilestore.h"
#include "widgets/alertrulesdialog.h"

#include <QAbstractButton>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

void type(const QString &text)
{
    QTest::keyClicks(QApplication::focusWidget(), text);
}

// Window activation is an event the platform delivers later: wait for it (qWaitForWindowActive also counts a window
// whose transient parent is active).
#define WAIT_ACTIVE(widget) QTRY_COMPARE(QApplication::activeWindow(), static_cast<QWidget *>(widget))

void key(Qt::Key k, Qt::KeyboardModifiers modifiers = Qt::NoModifier)
{
    QTest::keyClick(QApplication::focusWidget(), k, modifiers);
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void write(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(bytes);
}

} // namespace

class TestAlertRulesDialog : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void addAndSaveFromKeyboard()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"rules.json"_s);
        RulesFileStore store;
        AlertRulesDialog dialog(&store, path, { {}, { u"resnet50"_s } }, nullptr);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowActive(&dialog));
        // No file: the defaults, said to be so.
        QVERIFY(dialog.isShowingDefaults());
        QVERIFY(dialog.statusText().contains(u"PERF_* defaults"_s));
        QCOMPARE(dialog.list()->topLevelItemCount(), AlertRules::defaults().rules.size());
        QVERIFY(dialog.list()->topLevelItem(0)->text(AlertRulesDialog::ColumnName).contains(u"default"_s));
        // No default button: Enter edits the current rule, it never saves or closes.
        for (const QPushButton *button : dialog.findChildren<QPushButton *>())
            QVERIFY2(!button->isDefault(), qPrintable(button->text()));

        QTest::keyClick(&dialog, Qt::Key_A, Qt::AltModifier); // &Add…
        QTRY_VERIFY(dialog.editor());
        WAIT_ACTIVE(dialog.editor());
        type(u"resnet p95"_s);
        key(Qt::Key_Tab);
        type(u"latency_p95"_s);
        key(Qt::Key_Tab);
        type(u"resnet50"_s);
        key(Qt::Key_Tab);
        key(Qt::Key_Tab);
        type(u"250"_s);
        key(Qt::Key_Return);
        QTRY_VERIFY(!dialog.editor());
        QCOMPARE(dialog.rules().rules.size(), AlertRules::defaults().rules.size() + 1);
        QVERIFY(dialog.isModified());
        WAIT_ACTIVE(&dialog);

        QTest::keyClick(&dialog, Qt::Key_S, Qt::AltModifier); // &Save: a mnemonic animates its click
        QTRY_VERIFY(!dialog.isModified());
        QVERIFY2(dialog.statusText().contains(u"saved"_s), qPrintable(dialog.statusText()));
        QVector<RuleError> errors;
        const auto saved = AlertRules::parse(readAll(path), &errors);
        QVERIFY2(saved, errors.isEmpty() ? "" : qPrintable(errors.first().text()));
        QCOMPARE(saved->rules.size(), dialog.rules().rules.size());
        const AlertRule &added = saved->rules.last();
        QCOMPARE(added.name, u"resnet p95"_s);
        QCOMPARE(added.metric, u"latency_p95"_s);
        QCOMPARE(added.model, u"resnet50"_s);
        QCOMPARE(added.threshold, 250.0);
        QCOMPARE(added.id, u"resnet50-latency_p95-above"_s);
        // Saved, they are the file's rules, no longer the defaults.
        QVERIFY(!dialog.isShowingDefaults());

        // A second save replaces the file whole, and leaves no temporary file behind. The rule is disabled by its
        // Enabled box, as a click would.
        dialog.list()->topLevelItem(0)->setCheckState(AlertRulesDialog::ColumnEnabled, Qt::Unchecked);
        QVERIFY(!dialog.rules().rules.first().enabled);
        QVERIFY(dialog.isModified());
        QVERIFY(dialog.save());
        errors.clear();
        const auto again = AlertRules::parse(readAll(path), &errors);
        QVERIFY(again);
        QVERIFY(!again->rules.first().enabled);
        QCOMPARE(again->rules.size(), saved->rules.size());
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList { u"rules.json"_s });

        // Reopened, the dialog shows the file.
        AlertRulesDialog reopened(&store, path, {}, nullptr);
        QCOMPARE(reopened.rules().rules, again->rules);
        QVERIFY(!reopened.isShowingDefaults());
    }

    // Edit keeps the rule's id (alert_events refer to it); Duplicate makes a new one.
    void editKeepsId()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"rules.json"_s);
        write(path,
            R"({"alert_rules": [{"id": "p95", "metric": "latency_p95", "condition": "above", "threshold": 40}]})");
        RulesFileStore store;
        AlertRulesDialog dialog(&store, path, {}, nullptr);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowActive(&dialog));
        QCOMPARE(dialog.list()->topLevelItemCount(), 1);
        dialog.list()->setFocus();
        QTest::keyClick(dialog.list(), Qt::Key_Return); // Enter on a rule edits it
        QTRY_VERIFY(dialog.editor());
        WAIT_ACTIVE(dialog.editor());
        QTest::keyClick(dialog.editor(), Qt::Key_T, Qt::AltModifier);
        key(Qt::Key_A, Qt::ControlModifier);
        type(u"45"_s);
        key(Qt::Key_Return);
        QTRY_VERIFY(!dialog.editor());
        QCOMPARE(dialog.rules().rules.size(), 1);
        QCOMPARE(dialog.rules().rules.first().id, u"p95"_s);
        QCOMPARE(dialog.rules().rules.first().threshold, 45.0);
        dialog.duplicateRule(0);
        QCOMPARE(dialog.rules().rules.size(), 2);
        QVERIFY(dialog.rules().rules.at(1).id != u"p95"_s);
        dialog.removeRule(1);
        QCOMPARE(dialog.rules().rules.size(), 1);
    }

    void refusedFileNamesRuleAndField()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"rules.json"_s);
        const QByteArray bad = R"({"alert_rules": [
            {"id": "ok", "metric": "latency_p95", "condition": "above", "threshold": 40},
            {"id": "p95-typo", "metric": "latency_p95", "condition": "above", "threshold": "abc"}]})";
        write(path, bad);
        RulesFileStore store;
        AlertRulesDialog dialog(&store, path, {}, nullptr);
        QVERIFY2(dialog.statusText().contains(u"rule 2 (p95-typo), field \"threshold\": must be a number"_s),
            qPrintable(dialog.statusText()));
        QCOMPARE(dialog.list()->topLevelItemCount(), 0);
        QVERIFY(!dialog.isShowingDefaults());
        QCOMPARE(readAll(path), bad); // untouched

        // An import of a refused file adds nothing, and says which rule and field.
        const QString good = dir.filePath(u"good.json"_s);
        write(good, R"({"model_id": "m1", "alert_rules": [
            {"id": "e", "metric": "error_rate", "condition": "above", "threshold": 0.05},
            {"id": "all", "model": "*", "metric": "error_rate", "condition": "above", "threshold": 0.1}]})");
        QVERIFY(dialog.importFrom(good));
        QCOMPARE(dialog.rules().rules.size(), 2);
        QCOMPARE(dialog.rules().rules.at(0).model, u"m1"_s); // the file's model_id
        QCOMPARE(dialog.rules().rules.at(1).model, QString()); // "*": every model
        QVERIFY(!dialog.importFrom(path));
        QVERIFY(dialog.statusText().contains(u"rule 2 (p95-typo), field \"threshold\""_s));
        QCOMPARE(dialog.rules().rules.size(), 2);

        // Export writes what the list holds, as a file that parses.
        const QString exported = dir.filePath(u"exported.json"_s);
        QVERIFY(dialog.exportTo(exported));
        QVector<RuleError> errors;
        const auto parsed = AlertRules::parse(readAll(exported), &errors);
        QVERIFY(parsed);
        QCOMPARE(parsed->rules, dialog.rules().rules);
    }
};

QTEST_MAIN(TestAlertRulesDialog)
#include "tst_alertrulesdialog.moc"
