// SPDX-License-Identifier: GPL-3.0-or-later
// The main window's ways to the rule dialogs, offscreen: Alerts → Alert rules… (Ctrl+Shift+A) and "Alert on this…"
// in a dashboard chart's context menu, which opens the editor on the chart's KPI and the shown model.
#include "app/gui/rulesfilestore.h"
#include "models/serieslistmodel.h"
#include "models/seriesstore.h"
#include "models/sourcetreemodel.h"
#include "widgets/alertcontroller.h"
#include "widgets/alertrulesdialog.h"
#include "widgets/mainwindow.h"
#include "widgets/sourcedashboard.h"
#include "widgets/timeserieschart.h"

#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QMenu>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

SeriesStats timer(const QString &key)
{
    SeriesStats s;
    s.key = key;
    s.kind = MetricKind::Timer;
    s.count = 100;
    s.rate = 100;
    s.sum = 2000;
    s.min = 5;
    s.max = 80;
    s.p50 = 20;
    s.p90 = s.p95 = 40;
    s.p99 = 70;
    return s;
}

} // namespace

class TestAlertController : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); } // keep the user's settings untouched

    void alertOnThisOpensTheEditorOnTheChartsKpi()
    {
        QSettings().clear();
        QTemporaryDir dir;
        SeriesStore store(3600);
        SeriesListModel series(&store);
        SourceTreeModel sources(&store);
        RulesFileStore rules;
        MainWindow window(&store, &series, &sources);
        window.alertRules()->setRulesStore(&rules, dir.filePath(u"rules.json"_s));
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        store.ingest(LiveFrame { now - 1, { timer(u"inference.latency|model:m1"_s) } });
        const SourceRef model { SourceRef::Kind::Model, u"m1"_s };
        QTRY_VERIFY(sources.indexOf(model).isValid());
        window.selectSource(model);
        QTRY_COMPARE(window.selectedSource(), model);

        // The choices: the series seen and their models.
        const AlertRuleEditor::Choices choices = window.alertRules()->choices();
        QCOMPARE(choices.models, QStringList { u"m1"_s });
        QCOMPARE(choices.series, QStringList { u"inference.latency{model=m1}"_s });

        SourceDashboard *dashboard = window.dashboard();
        QCOMPARE(dashboard->kpiOf(dashboard->errorChart()), u"error_rate"_s);
        const std::unique_ptr<QMenu> menu = dashboard->contextMenuFor(dashboard->latencyChart());
        QCOMPARE(menu->actions().size(), 2 + dashboard->latencyChart()->contextMenuActions().size());
        QCOMPARE(menu->actions().first()->text(), u"&Alert on this…"_s);
        QVERIFY(menu->actions().at(1)->isSeparator());
        QCOMPARE(menu->actions().mid(2), dashboard->latencyChart()->contextMenuActions());
        menu->actions().first()->trigger();
        AlertRulesDialog *dialog = window.alertRules()->dialog();
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->editor());
        AlertRuleEditor *editor = dialog->editor();
        // Pre-filled: the metric and the model; the threshold is the user's to give.
        const QList<QComboBox *> combos = editor->findChildren<QComboBox *>();
        QVERIFY(std::any_of(combos.cbegin(), combos.cend(),
            [](const QComboBox *c) { return c->currentText().startsWith(u"latency_p95 — "_s); }));
        QVERIFY(std::any_of(
            combos.cbegin(), combos.cend(), [](const QComboBox *c) { return c->currentText() == u"m1"_s; }));
        QVERIFY(!editor->isOkEnabled());
        editor->reject();
        QTRY_VERIFY(!dialog->editor());
        dialog->reject(); // nothing changed: closes without asking
        QTRY_VERIFY(!window.alertRules()->dialog());

        // The menu's shortcut opens the list (offscreen has no window manager to give the window its focus back).
        window.activateWindow();
        QTRY_COMPARE(QApplication::activeWindow(), &window);
        QTest::keyClick(&window, Qt::Key_A, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_VERIFY(window.alertRules()->dialog());
        QVERIFY(window.alertRules()->dialog()->isShowingDefaults());
    }
};

QTEST_MAIN(TestAlertController)
#include "tst_alertcontroller.moc"
