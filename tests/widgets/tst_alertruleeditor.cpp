// SPDX-License-Identifier: GPL-3.0-or-later
// The rule editor driven from the keyboard alone, offscreen: tab order, typing, per-field messages from the rules
// file's parser, OK following validity, Enter accepting and Esc cancelling.
#include "widgets/alertruleeditor.h"

#include <QApplication>
#include <QComboBox>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTest>

#include <cmath>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

// Types into whatever has the focus, as a user would.
void type(const QString &text)
{
    QTest::keyClicks(QApplication::focusWidget(), text);
}

void key(Qt::Key k, Qt::KeyboardModifiers modifiers = Qt::NoModifier)
{
    QTest::keyClick(QApplication::focusWidget(), k, modifiers);
}

QLineEdit *fieldOf(const QWidget *editor, const QString &key)
{
    return editor->findChild<QWidget *>(u"error-"_s % key)->parentWidget()->findChild<QLineEdit *>();
}

// Replaces the focused field's text.
void retype(const QString &text)
{
    key(Qt::Key_A, Qt::ControlModifier);
    key(Qt::Key_Backspace);
    type(text);
}

} // namespace

class TestAlertRuleEditor : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void createsRuleFromKeyboard()
    {
        AlertRuleEditor editor(AlertRule {}, { { u"api.latency{route=/a}"_s }, { u"resnet50"_s } }, nullptr);
        editor.show();
        QVERIFY(QTest::qWaitForWindowActive(&editor));
        // A new rule: nothing typed yet, so OK is off and no field scolds the user yet.
        QVERIFY(!editor.isOkEnabled());
        QVERIFY(editor.fieldError(u"metric"_s).isEmpty());

        QVERIFY(qobject_cast<QLineEdit *>(QApplication::focusWidget())); // Name comes first
        type(u"p95 too high"_s);
        key(Qt::Key_Tab);
        type(u"latency_p95"_s); // the metric picker
        key(Qt::Key_Tab);
        type(u"resnet50"_s); // the model (the aggregation row is hidden for a KPI)
        key(Qt::Key_Tab);
        key(Qt::Key_Tab); // the condition keeps "above"
        type(u"abc"_s); // the threshold
        QCOMPARE(editor.fieldError(u"threshold"_s), u"must be a number"_s);
        QVERIFY(!editor.isOkEnabled());

        retype(u"250"_s);
        QVERIFY(editor.fieldError(u"threshold"_s).isEmpty());
        QVERIFY(editor.isOkEnabled());
        key(Qt::Key_Tab); // the unit: ms, the KPI's own
        QVERIFY(qobject_cast<QComboBox *>(QApplication::focusWidget()));
        key(Qt::Key_Tab); // recovery: optional
        key(Qt::Key_Tab);
        type(u"15m"_s); // window
        key(Qt::Key_Tab);
        type(u"5x"_s); // for: not a duration
        QVERIFY(editor.fieldError(u"for"_s).contains(u"duration"_s));
        QVERIFY(!editor.isOkEnabled());
        retype(u"5m"_s);
        QVERIFY(editor.isOkEnabled());

        QSignalSpy accepted(&editor, &QDialog::accepted);
        key(Qt::Key_Return);
        QCOMPARE(accepted.count(), 1);
        const std::optional<AlertRule> rule = editor.rule();
        QVERIFY(rule);
        QCOMPARE(rule->name, u"p95 too high"_s);
        QCOMPARE(rule->metric, u"latency_p95"_s);
        QCOMPARE(rule->model, u"resnet50"_s);
        QCOMPARE(rule->condition, AlertRule::Condition::Above);
        QCOMPARE(rule->threshold, 250.0);
        QCOMPARE(rule->window, 900);
        QCOMPARE(rule->forSeconds, 300);
    }

    // error_rate is a ratio: 5 is refused at the field, with the parser's explanation; 0.05 is fine.
    void ratioThresholdIsCheckedAtTheField()
    {
        AlertRule given;
        given.metric = u"error_rate"_s;
        given.threshold = 0.02;
        AlertRuleEditor editor(given, {}, nullptr);
        editor.show();
        QVERIFY(QTest::qWaitForWindowActive(&editor));
        QVERIFY(editor.isOkEnabled());
        auto *threshold = editor.findChild<QWidget *>(u"error-threshold"_s)->parentWidget()->findChild<QLineEdit *>();
        QVERIFY(threshold);
        QCOMPARE(threshold->text(), QLocale().toString(0.02, 'g', 10));
        threshold->setFocus();
        retype(u"5"_s);
        QVERIFY2(editor.fieldError(u"threshold"_s).contains(u"ratio from 0 to 1"_s),
            qPrintable(editor.fieldError(u"threshold"_s)));
        QVERIFY(!editor.isOkEnabled());
        QSignalSpy accepted(&editor, &QDialog::accepted);
        key(Qt::Key_Return); // OK is off: Enter does nothing
        QCOMPARE(accepted.count(), 0);
        QVERIFY(editor.isVisible());

        // As the message says: 5 with unit "%", chosen next to the threshold.
        key(Qt::Key_Tab);
        auto *unit = qobject_cast<QComboBox *>(QApplication::focusWidget());
        QVERIFY(unit);
        key(Qt::Key_Down);
        QCOMPARE(unit->currentText(), u"%"_s);
        QVERIFY(editor.isOkEnabled());
        QCOMPARE(editor.rule()->unit, u"%"_s);
        QVERIFY(std::abs(editor.rule()->threshold - 0.05) < 1e-12); // in the KPI's own unit
        key(Qt::Key_Up);
        QVERIFY(!editor.isOkEnabled());

        threshold->setFocus();
        retype(u"0.05"_s); // '.' is accepted whatever the locale
        QVERIFY(editor.isOkEnabled());
        QVERIFY(std::abs(editor.rule()->threshold - 0.05) < 1e-12);
        QVERIFY(editor.rule()->unit.isEmpty());

        QSignalSpy rejected(&editor, &QDialog::rejected);
        key(Qt::Key_Escape);
        QCOMPARE(rejected.count(), 1);
    }

    // A series needs an aggregation: choosing one shows the aggregation row, and the rule carries it.
    void seriesShowsAggregation()
    {
        AlertRuleEditor editor(AlertRule {}, { { u"api.latency{route=/a}"_s }, {} }, nullptr);
        editor.show();
        QVERIFY(QTest::qWaitForWindowActive(&editor));
        auto *aggregation = editor.findChild<QWidget *>(u"error-aggregation"_s)->parentWidget();
        QVERIFY(!aggregation->isVisible());
        key(Qt::Key_Tab);
        type(u"api.latency{route=/a}"_s);
        QVERIFY(aggregation->isVisible());
        key(Qt::Key_Tab); // to the aggregation combo
        QVERIFY(qobject_cast<QComboBox *>(QApplication::focusWidget()));
        key(Qt::Key_Down); // from p95, the default, to p99
        key(Qt::Key_Tab); // model
        key(Qt::Key_Tab); // condition
        key(Qt::Key_Tab); // threshold
        type(u"120"_s);
        // A series has no unit to choose.
        QVERIFY(editor.findChildren<QComboBox *>().size() >= 6);
        key(Qt::Key_Tab);
        QCOMPARE(QApplication::focusWidget(), fieldOf(&editor, u"recovery"_s));
        QVERIFY(editor.isOkEnabled());
        QCOMPARE(editor.rule()->metric, u"api.latency"_s);
        QCOMPARE(editor.rule()->aggregation, AlertRule::Aggregation::P99);
        QCOMPARE(editor.rule()->tags, QStringList { u"route:/a"_s });
    }

    // Every field label has a mnemonic whose buddy is the field.
    void labelsHaveBuddies()
    {
        AlertRuleEditor editor(AlertRule {}, {}, nullptr);
        editor.show();
        QVERIFY(QTest::qWaitForWindowActive(&editor));
        QTest::keyClick(&editor, Qt::Key_T, Qt::AltModifier); // &Threshold
        QCOMPARE(
            QApplication::focusWidget()->parentWidget()->findChild<QWidget *>(u"error-threshold"_s)->parentWidget(),
            QApplication::focusWidget()->parentWidget());
        QTest::keyClick(&editor, Qt::Key_W, Qt::AltModifier); // &Window
        type(u"15m"_s);
        QTest::keyClick(&editor, Qt::Key_M, Qt::AltModifier); // &Metric
        type(u"latency_p99"_s);
        QTest::keyClick(&editor, Qt::Key_T, Qt::AltModifier);
        type(u"300"_s);
        QVERIFY(editor.isOkEnabled());
        QCOMPARE(editor.rule()->window, 900);
        QCOMPARE(editor.rule()->metric, u"latency_p99"_s);
    }
};

QTEST_MAIN(TestAlertRuleEditor)
#include "tst_alertruleeditor.moc"
