// SPDX-License-Identifier: GPL-3.0-or-later
// The alerts panel offscreen, used from the keyboard; and in the window: the Alerts menu, the dock, a firing KPI's
// tile and the alert spans on its chart, past alerts from the range source, "open" selecting the model.
#include "fakerangesource.h"
#include "models/alertlistmodel.h"
#include "models/serieslistmodel.h"
#include "models/seriesstore.h"
#include "models/sourcetreemodel.h"
#include "widgets/alertscontroller.h"
#include "widgets/alertspanel.h"
#include "widgets/kpitile.h"
#include "widgets/mainwindow.h"
#include "widgets/sourcedashboard.h"
#include "widgets/theme.h"
#include "widgets/timeserieschart.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

AlertEvent alertEvent(qint64 time, const QString &rule, const QString &model, const QString &state,
    const QString &severity = u"critical"_s, double value = 143, const QString &message = {})
{
    AlertEvent e;
    e.time = time;
    e.ruleId = rule;
    e.ruleName = rule;
    e.instance = u"model:"_s % model;
    e.severity = severity;
    e.state = state;
    e.value = value;
    e.threshold = 100;
    e.message = message.isEmpty()
        ? u"latency_p95 of "_s % model % u" is "_s % QString::number(value) % u" ms, above 100 ms over 5m"_s
        : message;
    return e;
}

AlertRule rule(const QString &id, const QString &metric, double threshold, AlertRule::Severity severity)
{
    AlertRule r;
    r.id = id;
    r.name = id;
    r.metric = metric;
    r.threshold = threshold;
    r.window = 300;
    r.severity = severity;
    return r;
}

SeriesStats timer(const QString &key, qint64 n, double p50, double p95, double p99)
{
    SeriesStats s;
    s.key = key;
    s.kind = MetricKind::Timer;
    s.count = n;
    s.rate = double(n);
    s.sum = p50 * double(n);
    s.min = p50 / 2;
    s.max = p99 * 1.2;
    s.p50 = p50;
    s.p90 = p95;
    s.p95 = p95;
    s.p99 = p99;
    s.quantileError = 0.01;
    return s;
}

SeriesStats counter(const QString &key, double perSecond)
{
    SeriesStats s;
    s.key = key;
    s.kind = MetricKind::Counter;
    s.count = qint64(perSecond);
    s.rate = perSecond;
    s.sum = perSecond;
    return s;
}

SeriesStats gauge(const QString &key, double value)
{
    SeriesStats s;
    s.key = key;
    s.kind = MetricKind::Gauge;
    s.count = 1;
    s.sum = value;
    s.min = s.max = s.last = value;
    return s;
}

LiveFrame modelFrame(const QString &model, qint64 second, double p95, double errors)
{
    return LiveFrame { second,
        { timer(u"inference.latency|model:"_s % model, 240, p95 * 0.45, p95, p95 * 1.6),
            counter(u"inference.requests|model:"_s % model % u",status:ok"_s, 240 - errors),
            counter(u"inference.requests|model:"_s % model % u",status:error"_s, errors),
            gauge(u"inference.queue_depth|model:"_s % model, 4 + (second % 7)),
            gauge(u"process.cpu_percent|model:"_s % model % u",pid:9"_s, 62),
            gauge(u"process.rss_mb|model:"_s % model % u",pid:9"_s, 1830) } };
}

} // namespace

class TestAlertsPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); } // keep the user's settings untouched
    void init() { QSettings().clear(); }

    void keyboardActsOnTheSelectedAlert()
    {
        const qint64 now = 1795464000;
        AlertListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.addEvents({ alertEvent(now - 300, u"latency-high"_s, u"resnet50"_s, u"firing"_s),
            alertEvent(now - 900, u"errors-high"_s, u"bert"_s, u"firing"_s, u"warning"_s),
            alertEvent(now - 3600, u"queue-deep"_s, u"bert"_s, u"firing"_s),
            alertEvent(now - 3000, u"queue-deep"_s, u"bert"_s, u"resolved"_s) });
        AlertsPanel panel(&model);
        panel.setClock([now]() { return now; });
        panel.resize(900, 260);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.activateWindow();
        QTRY_VERIFY(panel.isActiveWindow());
        QTableView *view = panel.view();
        view->setFocus();
        QCOMPARE(view->model()->rowCount(), 3);

        // Home to the first row, acknowledge it with A.
        QTest::keyClick(view, Qt::Key_Home);
        const QString first = AlertListModel::keyOf(u"latency-high"_s, u"model:resnet50"_s);
        QCOMPARE(panel.selectedKey(), first);
        QVERIFY(panel.acknowledgeAction()->isEnabled());
        QTest::keyClick(view, Qt::Key_A);
        QVERIFY(model.alert(first)->acknowledged);
        QVERIFY(!panel.acknowledgeAction()->isEnabled()); // done already
        // The next one: S silences it for an hour; Shift+S for four.
        QTest::keyClick(view, Qt::Key_Down);
        const QString second = AlertListModel::keyOf(u"errors-high"_s, u"model:bert"_s);
        QCOMPARE(panel.selectedKey(), second);
        QTest::keyClick(view, Qt::Key_S);
        QVERIFY(model.isSilenced(second, now + 3599));
        QVERIFY(!model.isSilenced(second, now + 3600));
        QTest::keyClick(view, Qt::Key_S, Qt::ShiftModifier);
        QVERIFY(model.isSilenced(second, now + 4 * 3600 - 1));
        QVERIFY(view->model()->index(1, AlertListModel::StateColumn).data().toString().contains(u"silenced"_s));
        // R on a resolved alert does nothing: it cannot resolve again.
        QTest::keyClick(view, Qt::Key_Down);
        QCOMPARE(panel.selectedKey(), AlertListModel::keyOf(u"queue-deep"_s, u"model:bert"_s));
        QVERIFY(!panel.silenceAction(AlertListModel::SilenceFor::UntilResolved)->isEnabled());
        QTest::keyClick(view, Qt::Key_R);
        QCOMPARE(model.silences().size(), 1);
        // Back up, R: until resolved.
        QTest::keyClick(view, Qt::Key_Up);
        QTest::keyClick(view, Qt::Key_Up);
        QTest::keyClick(view, Qt::Key_R);
        QVERIFY(model.isSilenced(first, now + 365 * 86400));
        // Enter opens the alert's model.
        QSignalSpy open(&panel, &AlertsPanel::openRequested);
        QTest::keyClick(view, Qt::Key_Return);
        QCOMPARE(open.size(), 1);
        QCOMPARE(open[0][0].toString(), u"resnet50"_s);
        QTest::keyClick(view, Qt::Key_Return, Qt::ControlModifier);
        QCOMPARE(open.size(), 2);

        // Firing only: the resolved one leaves the table; a resolution live leaves it too, and the title counts.
        panel.setFilter(AlertsPanel::Filter::Firing);
        QCOMPARE(view->model()->rowCount(), 2);
        QVERIFY(panel.windowTitle().contains(u"2 firing"_s));
        model.addEvents({ alertEvent(now + 10, u"errors-high"_s, u"bert"_s, u"resolved"_s, u"warning"_s) });
        QCOMPARE(view->model()->rowCount(), 1);
        QVERIFY(panel.windowTitle().contains(u"1 firing"_s));
        // The severity is written, not only coloured.
        QCOMPARE(view->model()->index(0, AlertListModel::SeverityColumn).data().toString(), u"critical"_s);
        // Stored alerts that bring another one reset the model; the selection stays on its alert.
        panel.setFilter(AlertsPanel::Filter::All);
        panel.selectKey(second);
        model.setHistory({ alertEvent(now - 7200, u"disk-full"_s, u"bert"_s, u"firing"_s) });
        QCOMPARE(view->model()->rowCount(), 4);
        QCOMPARE(panel.selectedKey(), second);
    }

    void inTheWindow()
    {
        const qint64 now = QDateTime::currentSecsSinceEpoch() / 60 * 60;
        SeriesStore store(3600);
        SeriesListModel series(&store);
        SourceTreeModel sources(&store);
        AlertListModel alerts;
        alerts.setRules({ rule(u"latency-high"_s, u"latency_p95"_s, 100, AlertRule::Severity::Critical),
            rule(u"errors-high"_s, u"error_rate"_s, 0.02, AlertRule::Severity::Warning) });
        MainWindow window(&store, &series, &sources);
        window.setClock([now]() { return now; });
        test::FakeRangeSource range;
        window.setRangeSource(&range);
        window.setAlertModel(&alerts);
        window.resize(1360, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        // The Alerts menu holds the panel's entry and its key.
        QMenu *menu = window.alertsMenu();
        QVERIFY(menu);
        QVERIFY(window.menuBar()->actions().contains(menu->menuAction()));
        QAction *show = window.alerts()->panel()->showAction();
        QVERIFY(menu->actions().contains(show));
        QCOMPARE(show->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
        QVERIFY(window.alerts()->panel()->isVisible());

        // Ten minutes of resnet50 whose p95 climbs over 100 ms.
        for (qint64 s = now - 600; s < now; ++s)
            store.ingest(modelFrame(u"resnet50"_s, s, s < now - 240 ? 70 + double(s % 13) : 128 + double(s % 17),
                s < now - 420 && s > now - 520 ? 9 : 1));
        store.ingest(modelFrame(u"bert"_s, now - 1, 30, 0));
        window.selectSource({ SourceRef::Kind::Model, u"resnet50"_s });
        // Past alerts come from storage: the window asked for at least the last day up to now.
        QVERIFY(!range.alerts.isEmpty());
        const auto request = range.alerts.constLast();
        QVERIFY(request.from <= now - 86400);
        QVERIFY(request.to > now);
        Q_EMIT range.alertsReady(request.generation,
            { alertEvent(now - 520, u"errors-high"_s, u"resnet50"_s, u"firing"_s, u"warning"_s, 0.0375,
                  u"error_rate of resnet50 is 3.75 %, above 2 % over 5m"_s),
                alertEvent(now - 420, u"errors-high"_s, u"resnet50"_s, u"resolved"_s, u"warning"_s, 0.0042,
                    u"error_rate of resnet50 is 0.42 %, back under 2 % over 5m"_s) });
        // An older request's answer is dropped.
        Q_EMIT range.alertsReady(request.generation - 1, { alertEvent(now - 50, u"stale"_s, u"x"_s, u"firing"_s) });
        QCOMPARE(alerts.rowCount(), 1);
        // And one fires live.
        alerts.addEvents({ alertEvent(now - 180, u"latency-high"_s, u"resnet50"_s, u"firing"_s, u"critical"_s, 143) });
        window.refreshNow();

        KpiTile *p95 = window.dashboard()->tile(SourceDashboard::TileP95);
        QVERIFY(p95->hasAlert());
        QCOMPARE(p95->alertSeverity(), AlertRule::Severity::Critical);
        QCOMPARE(p95->alertText(), u"⚠ p95 above 100.0 ms (latency-high)"_s);
        QCOMPARE(p95->alertColor(), themeColor(ThemeColor::Bad, false)); // critical: the theme's red
        QVERIFY(!window.dashboard()->tile(SourceDashboard::TileErrors)->hasAlert()); // resolved
        const auto &latencySpans = window.latencyChart()->shadedSpans();
        QCOMPARE(latencySpans.size(), 1);
        QVERIFY(latencySpans[0].open);
        QCOMPARE(latencySpans[0].fromMs, (now - 180) * 1000);
        const auto &errorSpans = window.dashboard()->errorChart()->shadedSpans();
        QCOMPARE(errorSpans.size(), 1);
        QCOMPARE(errorSpans[0].toMs, (now - 420) * 1000);
        QVERIFY(window.latencyChart()->hoverText((now - 60) * 1000).contains(u"latency-high"_s));

        // Another model shows none; "open" from the panel comes back to resnet50.
        window.selectSource({ SourceRef::Kind::Model, u"bert"_s });
        QVERIFY(!window.dashboard()->tile(SourceDashboard::TileP95)->hasAlert());
        QVERIFY(window.latencyChart()->shadedSpans().isEmpty());
        AlertsPanel *panel = window.alerts()->panel();
        panel->selectKey(AlertListModel::keyOf(u"latency-high"_s, u"model:resnet50"_s));
        panel->openAction()->trigger();
        QCOMPARE(window.selectedSource().id(), u"model:resnet50"_s);
        QVERIFY(window.dashboard()->tile(SourceDashboard::TileP95)->hasAlert());

        // Resolved: the tile clears, the span closes.
        alerts.addEvents({ alertEvent(now - 5, u"latency-high"_s, u"resnet50"_s, u"resolved"_s, u"critical"_s, 92) });
        QVERIFY(!p95->hasAlert());
        QVERIFY(!window.latencyChart()->shadedSpans().constFirst().open);
        // Firing again, for the picture.
        alerts.addEvents({ alertEvent(now - 2, u"latency-high"_s, u"resnet50"_s, u"firing"_s, u"critical"_s, 143) });
        QVERIFY(p95->hasAlert());

        // The README's picture, when asked for: PERFDASH_SCREENSHOT_DIR=docs/images.
        const QString dir = qEnvironmentVariable("PERFDASH_SCREENSHOT_DIR");
        if (!dir.isEmpty()) {
            window.setLiveWindowSeconds(900); // the resolved alert's span too
            window.refreshNow();
            QApplication::processEvents(); // the layouts take the new texts' sizes before the picture
            window.refreshNow();
            panel->selectKey(AlertListModel::keyOf(u"latency-high"_s, u"model:resnet50"_s));
            QVERIFY(window.grab().save(QDir(dir).filePath(u"alerts-panel.png"_s), "PNG"));
        }
    }
};

QTEST_MAIN(TestAlertsPanel)
#include "tst_alertspanel.moc"
