// SPDX-License-Identifier: GPL-3.0-or-later
// The GUI on a fleet: a real VictoriaMetrics holds two hosts' pushes (fleet/promencoder.h's bytes); the window reads
// it as its source (perfdash --source URL): both hosts' models in the tree when grouped, one merged entry when merged,
// whose p95 tile is the p95 of every host's values, baselines and trends read from the server for what is shown, and an
// unreachable server said plainly while the window lives.
#include "app/gui/alertpreviewworker.h"
#include "app/gui/guisession.h"
#include "app/gui/promlivesource.h"
#include "app/gui/promserverprobe.h"
#include "app/gui/sessionswitcher.h"
#include "fleetdata.h"
#include "models/seriesstore.h"
#include "models/sourcetreemodel.h"
#include "widgets/alertpreviewchart.h"
#include "widgets/alertruleeditor.h"
#include "widgets/comparisonpanel.h"
#include "widgets/exportreportdialog.h"
#include "widgets/kpitile.h"
#include "widgets/mainwindow.h"
#include "widgets/sourcedashboard.h"
#include "widgets/timeserieschart.h"

#include <QAction>
#include <QComboBox>

#include <QImage>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace perfdash;
using namespace perfdash::test;
using namespace Qt::Literals::StringLiterals;

namespace {
GuiSession::Options fleetOptions(const QString &root, const QString &url, bool merged)
{
    GuiSession::Options o;
    o.runtimeDir = QDir(root).filePath(u"run"_s); // never used: no collector on a fleet source
    o.dbPath = QDir(root).filePath(u"perfdash.db"_s);
    o.binDir = qEnvironmentVariable("PERFDASH_BIN_DIR");
    o.source = { QUrl(url), merged };
    o.fleetPollMs = 300;
    return o;
}

QStringList modelRows(SourceTreeModel *tree)
{
    QStringList names;
    for (int g = 0; g < tree->rowCount(); ++g) {
        const QModelIndex group = tree->index(g, 0);
        for (int row = 0; row < tree->rowCount(group); ++row) {
            const SourceRef ref = tree->sourceAt(tree->index(row, 0, group));
            if (ref.kind == SourceRef::Kind::Model)
                names << ref.name;
        }
    }
    names.sort();
    return names;
}

double shownP95(MainWindow *window)
{
    window->refreshNow();
    return window->dashboard()->figures().latency.p95.value;
}
} // namespace

class TestFleetGuiE2E : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // keep the user's settings untouched
        QSettings().remove(u"sources/servers"_s); // servers earlier runs remembered (each its own port)
        if (VictoriaMetricsProcess::program().isEmpty())
            QSKIP("victoria-metrics is not installed (apt-get install victoria-metrics; CI installs it)");
        QVERIFY2(m_vm.start(), qPrintable(m_vm.output()));
        QVERIFY(importTwoHosts(m_vm));
    }

    void groupedShowsEveryHostsModels()
    {
        QTemporaryDir root;
        GuiSession session(fleetOptions(root.path(), m_vm.url(), false));
        session.window()->show();
        session.start();
        QVERIFY(!QFileInfo::exists(QDir(root.path()).filePath(u"run/live.sock"_s))); // no collector of ours
        QTRY_COMPARE_WITH_TIMEOUT(modelRows(session.sources()),
            (QStringList { u"m1 · host a"_s, u"m1 · host b"_s, u"m2 · host b"_s }), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(session.window()->connectionText().contains(u"VictoriaMetrics at "_s), 10000);

        // Each host's own p95: 1..50 ms and 51..100 ms.
        session.window()->selectSource({ SourceRef::Kind::Model, u"m1 · host a"_s });
        QTRY_VERIFY_WITH_TIMEOUT(std::isfinite(shownP95(session.window())), 15000);
        QVERIFY2(std::abs(shownP95(session.window()) - 48) <= 48 * 0.02,
            qPrintable(QString::number(shownP95(session.window()))));
        QVERIFY(session.window()->provenance().endsWith(u", host a"_s));
        QVERIFY(session.window()->dashboard()->tile(SourceDashboard::TileP95)->toolTip().contains(u"host a"_s));
        // Baselines and trends of that host's series alone, from the server, saying so; none can be set from here.
        ComparisonPanel *comparison = session.window()->comparisonPanel();
        QTRY_VERIFY_WITH_TIMEOUT(comparison->rowOf(u"latency_p95"_s) >= 0, 15000);
        QVERIFY2(comparison->message().contains(m_vm.url() + u" (host a)"_s), qPrintable(comparison->message()));
        for (const QPushButton *button : comparison->findChildren<QPushButton *>())
            QVERIFY2(!button->isEnabled() && button->statusTip().contains(u"keeps no baselines"_s),
                qPrintable(button->text()));
        session.window()->selectSource({ SourceRef::Kind::Model, u"m1 · host b"_s });
        QTRY_VERIFY_WITH_TIMEOUT(std::abs(shownP95(session.window()) - 98) <= 98 * 0.02, 15000);
    }

    void mergedShowsOneEntryWithTheFleetsP95()
    {
        QTemporaryDir root;
        GuiSession session(fleetOptions(root.path(), m_vm.url(), true));
        session.window()->show();
        session.start();
        QTRY_COMPARE_WITH_TIMEOUT(modelRows(session.sources()), (QStringList { u"m1"_s, u"m2"_s }), 15000);
        session.window()->selectSource({ SourceRef::Kind::Model, u"m1"_s });
        // The p95 of 1..100 from merged buckets: 95 ms within the sketch's 1% (the mean of the hosts' would be ~72).
        QTRY_VERIFY_WITH_TIMEOUT(std::isfinite(shownP95(session.window())), 15000);
        const double p95 = shownP95(session.window());
        QVERIFY2(std::abs(p95 - 95) <= 95 * 0.02, qPrintable(QString::number(p95)));
        KpiTile *tile = session.window()->dashboard()->tile(SourceDashboard::TileP95);
        QVERIFY2(tile->valueText().startsWith(u"9"_s), qPrintable(tile->valueText()));
        QTRY_VERIFY_WITH_TIMEOUT(tile->toolTip().contains(u"2 hosts merged"_s), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(session.window()->comparisonPanel()->rowOf(u"latency_p95"_s) >= 0, 15000);
        QVERIFY2(session.window()->comparisonPanel()->message().contains(u"(hosts a, b, merged)"_s),
            qPrintable(session.window()->comparisonPanel()->message()));
        QVERIFY(tile->toolTip().contains(m_vm.url()));
        // Throughput: 100 requests a second over both hosts.
        const double rate = session.window()->dashboard()->figures().throughput.value;
        QVERIFY2(std::abs(rate - 100) <= 5, qPrintable(QString::number(rate)));

        // History from query_range: the latency chart of the last half hour holds the merged p95.
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const int asked = session.window()->historyRequests();
        session.window()->showHistory((now - 1800) * 1000, now * 1000);
        QTRY_VERIFY_WITH_TIMEOUT(session.window()->historyRequests() > asked, 5000);
        const qint64 at = (now - 300) * 1000;
        // (Not "p95" alone: the baseline's limit line, "Latency p95 limit", says it before the history arrives.)
        QTRY_VERIFY_WITH_TIMEOUT(
            !session.window()->latencyChart()->hoverText(at).contains(u"no latency data"_s), 15000);
        const QString hover = session.window()->latencyChart()->hoverText(at);
        QVERIFY2(hover.contains(u"94."_s) || hover.contains(u"95."_s) || hover.contains(u"96."_s), qPrintable(hover));
    }

    // View → Merge hosts: the same server with its hosts merged, in a new session whose window replaces the old one.
    void exportReportReadsTheServer()
    {
        // File → Export report… on a source grouped by host: the KPI report of the model on screen, from the server,
        // with that host's figures; only what a server holds is offered.
        QTemporaryDir root;
        GuiSession session(fleetOptions(root.path(), m_vm.url(), false));
        session.window()->show();
        session.start();
        QTRY_COMPARE_WITH_TIMEOUT(modelRows(session.sources()).size(), 3, 15000);
        session.window()->selectSource({ SourceRef::Kind::Model, u"m1 · host b"_s });
        ExportReportDialog *dialog = session.window()->openExportDialog();
        QComboBox *content = dialog->findChild<QComboBox *>();
        QCOMPARE(content->count(), 2); // kpi and series: records stay in each collector's database
        const QString path = QDir(root.path()).filePath(u"fleet-kpi.csv"_s);
        dialog->setPath(path);
        QSignalSpy exported(dialog, &ExportReportDialog::exported);
        QPushButton *exportButton = nullptr;
        for (QPushButton *b : dialog->findChildren<QPushButton *>()) {
            if (b->text() == u"&Export"_s)
                exportButton = b;
        }
        QVERIFY(exportButton);
        exportButton->click();
        QTRY_COMPARE_WITH_TIMEOUT(exported.size(), 1, 30000);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().split('\n');
        const QList<QByteArray> header = lines.value(0).trimmed().split(',');
        const qsizetype p95At = header.indexOf("latency_p95_ms"), modelAt = header.indexOf("model");
        QVERIFY2(p95At >= 0 && modelAt >= 0, lines.value(0).constData());
        int rows = 0;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QList<QByteArray> cells = lines[i].trimmed().split(',');
            if (cells.size() <= p95At || cells[p95At].isEmpty())
                continue;
            ++rows;
            QCOMPARE(cells[modelAt], QByteArray("m1"));
            // Host b's own values, 51..100 ms: its p95 is 98, not the fleet's 95.
            QVERIFY2(std::abs(cells[p95At].toDouble() - 98) <= 98 * 0.02, lines[i].constData());
        }
        QVERIFY2(rows >= 1, lines.join('\n').constData());
    }

    void rulePreviewReadsTheServer()
    {
        // The rule editor's preview on a fleet source replays the rule over the server's buckets: host b's p95
        // (98 ms) is over 90, host a's (48 ms) never is, and the merged fleet's (95 ms) is.
        AlertPreviewWorker worker(QUrl(m_vm.url()));
        AlertRule rule;
        rule.metric = u"latency_p95"_s;
        rule.model = u"m1 · host b"_s;
        rule.threshold = 90;
        rule.window = 300;
        const QStringList models { u"m1"_s, u"m1 · host a"_s, u"m1 · host b"_s };
        AlertRuleEditor editor(rule, { {}, models }, &worker);
        editor.show();
        QTRY_VERIFY_WITH_TIMEOUT(editor.summaryText().startsWith(u"would have fired"_s), 30000);
        QVERIFY(editor.previewChart()->chart()->drawnPointCount(AlertPreviewChart::LineMetric) > 0);
        rule.model = u"m1 · host a"_s;
        AlertRuleEditor onA(rule, { {}, models }, &worker);
        onA.show();
        QTRY_VERIFY_WITH_TIMEOUT(onA.summaryText().startsWith(u"would not have fired"_s), 30000);
        rule.model = u"m1"_s;
        AlertRuleEditor merged(rule, { {}, models }, &worker);
        merged.show();
        QTRY_VERIFY_WITH_TIMEOUT(merged.summaryText().startsWith(u"would have fired"_s), 30000);
    }

    void liveBucketsFollowTheServersPushInterval()
    {
        // Collectors that push every 30 s: live mode reads 30 s buckets without being told (the spacing of the
        // heartbeat's samples), and keeps what it is told.
        VictoriaMetricsProcess vm;
        QVERIFY2(vm.start(), qPrintable(vm.output()));
        const qint64 end = QDateTime::currentSecsSinceEpoch() / 30 * 30;
        PromEncoder encoder({ { QByteArrayLiteral("host"), u"slow"_s } });
        QByteArray pushed;
        for (qint64 second = end - 300; second < end; ++second) {
            encoder.add({ second,
                { fleetTimer(u"inference.latency|model:m3"_s, 1, 20), fleetGauge(Coverage::heartbeatKey(), 4) } });
            if ((second + 1) % 30 == 0)
                pushed += encoder.takePush((second + 1) * 1000);
        }
        QCOMPARE(vm.post(u"/api/v1/import/prometheus"_s, pushed).first, 204);
        QVERIFY(vm.flush());
        PromLiveSource::Options options;
        options.pollMs = 300;
        PromLiveSource live(QUrl(vm.url()), PromReader::Hosts::Grouped, options);
        QVector<qint64> seconds;
        connect(&live, &LiveSource::frameReceived, this, [&](const LiveFrame &f) { seconds << f.second; });
        live.start();
        QTRY_VERIFY_WITH_TIMEOUT(!seconds.isEmpty(), 15000);
        QCOMPARE(live.step(), 30);
        QVERIFY(live.stepFromServer());
        for (qint64 s : std::as_const(seconds))
            QCOMPARE(s % 30, 0);
        options.step = 10;
        PromLiveSource told(QUrl(vm.url()), PromReader::Hosts::Grouped, options);
        QVector<qint64> toldSeconds;
        connect(&told, &LiveSource::frameReceived, this, [&](const LiveFrame &f) { toldSeconds << f.second; });
        told.start();
        QTRY_VERIFY_WITH_TIMEOUT(!toldSeconds.isEmpty(), 15000);
        QCOMPARE(told.step(), 10);
        QVERIFY(!told.stepFromServer());
    }

    void mergeHostsActionSwitchesTheWindow()
    {
        QTemporaryDir root;
        SessionSwitcher switcher;
        GuiSession &session = *switcher.open(fleetOptions(root.path(), m_vm.url(), false));
        session.window()->show();
        session.start();
        QTRY_COMPARE_WITH_TIMEOUT(modelRows(session.sources()).size(), 3, 15000);
        QSignalSpy chosen(&session, &GuiSession::sourceChosen);
        QSignalSpy switched(&switcher, &SessionSwitcher::switched);
        QAction *merge = nullptr;
        for (QAction *action : session.window()->findChildren<QAction *>()) {
            if (action->text() == u"&Merge hosts"_s)
                merge = action;
        }
        QVERIFY(merge && merge->isEnabled() && merge->isCheckable() && !merge->isChecked());
        merge->trigger();
        QCOMPARE(chosen.size(), 1);
        const auto choice = chosen[0][0].value<DataSourceChoice>();
        QCOMPARE(choice.server, QUrl(m_vm.url()));
        QVERIFY(choice.mergeHosts);
        QCOMPARE(session.servers()->rowOf(QUrl(m_vm.url())), 1); // --source's server is remembered
        QTRY_COMPARE(switched.size(), 1);
        GuiSession *merged = switcher.session();
        QVERIFY(merged->window()->isVisible());
        QVERIFY(merged->window()->dataSource().mergeHosts);
        QTRY_COMPARE_WITH_TIMEOUT(modelRows(merged->sources()), (QStringList { u"m1"_s, u"m2"_s }), 15000);
    }

    // The Sources dialog's Test: the server's perfdash series and the hosts that pushed them, or why not.
    void probeCountsSeriesAndHosts()
    {
        PromServerProbe probe;
        QSignalSpy probed(&probe, &ServerProbe::probed);
        QSignalSpy failed(&probe, &ServerProbe::probeFailed);
        probe.requestProbe(QUrl(m_vm.url()), 5);
        QTRY_COMPARE_WITH_TIMEOUT(probed.size(), 1, 10000);
        QCOMPARE(probed[0][0].toULongLong(), 5u);
        QVERIFY2(probed[0][1].toInt() >= 10, qPrintable(QString::number(probed[0][1].toInt()))); // per host
        QCOMPARE(probed[0][2].toInt(), 2);
        probe.requestProbe(QUrl(u"http://127.0.0.1:9"_s), 6);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 10000);
        QCOMPARE(failed[0][0].toULongLong(), 6u);
        QVERIFY(!failed[0][1].toString().isEmpty());
    }

    void unreachableServerIsSaidAndRetried()
    {
        VictoriaMetricsProcess later; // started, stopped: its port is free, then it comes back on the same port
        QVERIFY2(later.start(), qPrintable(later.output()));
        later.stop();
        QTemporaryDir root;
        GuiSession session(fleetOptions(root.path(), later.url(), false));
        session.window()->show();
        session.start();
        QTRY_VERIFY_WITH_TIMEOUT(session.window()->connectionText().contains(u"unreachable"_s), 10000);
        QVERIFY2(
            session.window()->connectionText().contains(later.url()), qPrintable(session.window()->connectionText()));
        QVERIFY(session.window()->connectionText().contains(u"retrying"_s));
        QVERIFY(session.window()->isOfflineBannerShown());
        QVERIFY2(session.window()->offlineBannerText().contains(u"retrying"_s),
            qPrintable(session.window()->offlineBannerText()));
        // The next poll finds it back.
        QVERIFY2(later.start(), qPrintable(later.output()));
        QTRY_VERIFY_WITH_TIMEOUT(session.window()->connectionText().startsWith(u"● VictoriaMetrics at "_s), 15000);
        QVERIFY(!session.window()->isOfflineBannerShown());
    }

    // perfdash --source URL --screenshot: the real executable, offscreen, on both hosts.
    void screenshotOfTwoHosts()
    {
        const QString program = QDir(qEnvironmentVariable("PERFDASH_BIN_DIR")).filePath(u"perfdash"_s);
        if (!QFileInfo::exists(program))
            QSKIP("perfdash is not built");
        QTemporaryDir root;
        const QString out = qEnvironmentVariableIsSet("PERFDASH_FLEET_SCREENSHOT")
            ? qEnvironmentVariable("PERFDASH_FLEET_SCREENSHOT")
            : QDir(root.path()).filePath(u"fleet.png"_s);
        QProcess gui;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
        env.insert(u"XDG_CONFIG_HOME"_s, QDir(root.path()).filePath(u"config"_s)); // the user's settings untouched
        gui.setProcessEnvironment(env);
        gui.setProcessChannelMode(QProcess::ForwardedChannels);
        // PERFDASH_FLEET_SCREENSHOT=FILE [PERFDASH_FLEET_SCREENSHOT_SIZE=WxH] [PERFDASH_FLEET_SCREENSHOT_HOSTS=merged]
        // keep the picture (docs/images/fleet-two-hosts.png is made so).
        const bool merged = qEnvironmentVariable("PERFDASH_FLEET_SCREENSHOT_HOSTS") == u"merged"_s;
        gui.start(program,
            { u"--source"_s, m_vm.url(), u"--hosts"_s, merged ? u"merged"_s : u"grouped"_s, u"--select"_s,
                merged ? u"model:m1"_s : u"model:m1 · host a"_s, u"--screenshot"_s, out, u"--after"_s, u"6"_s,
                u"--size"_s, qEnvironmentVariable("PERFDASH_FLEET_SCREENSHOT_SIZE", u"1024x700"_s) });
        QVERIFY(gui.waitForFinished(60000));
        QCOMPARE(gui.exitCode(), 0);
        QImage image(out);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() >= 1000);
    }

private:
    VictoriaMetricsProcess m_vm;
};

QTEST_MAIN(TestFleetGuiE2E)
#include "tst_fleetgui_e2e.moc"
