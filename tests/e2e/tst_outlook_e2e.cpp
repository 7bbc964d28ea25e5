// SPDX-License-Identifier: GPL-3.0-or-later
// What a user does: import ten days of history (tools/dev/make-history.py, `perfdashd import`), open the GUI on it
// (it starts its own collector), and see the model's baselines, bands, deltas and the projection of its drifting
// p95; then type an expected throughput, which goes to the collector as a baseline record and comes back as a
// stored version.
#include "app/gui/guisession.h"
#include "models/sourcetreemodel.h"
#include "perfdashdcommand.h"
#include "widgets/baselinecontroller.h"
#include "widgets/comparisonpanel.h"
#include "widgets/kpitile.h"
#include "widgets/mainwindow.h"
#include "widgets/timeserieschart.h"

#include <QDateTime>
#include <QDir>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace perfdash;
using namespace perfdash::test;
using namespace Qt::Literals::StringLiterals;

class TestOutlookE2E : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); } // keep the user's settings untouched

    void importedHistoryShowsBaselinesAndAProjection()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString csv = dir.filePath(u"history.csv"_s);
        const QString db = dir.filePath(u"perfdash.db"_s);
        const qint64 end = QDateTime::currentSecsSinceEpoch() / 60 * 60 - 120;
        const QString made = makeHistory(csv, 10, 1, 5, end);
        QVERIFY2(made.isEmpty(), qPrintable(made));
        const Exported imported = runPerfdashd({ u"import"_s, u"--db"_s, db, csv });
        QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));

        GuiSession::Options options;
        options.runtimeDir = dir.filePath(u"run"_s);
        options.dbPath = db;
        options.udp = u"127.0.0.1:0"_s;
        options.binDir = qEnvironmentVariable("PERFDASH_BIN_DIR");
        // Opened on the model, as `perfdash --select model:resnet50` does: the user's choice, which the automatic
        // choice of a live source (the collector's own series) does not override.
        QSettings().setValue(u"view/source"_s, u"model:resnet50"_s);
        GuiSession session(options);
        MainWindow *window = session.window();
        window->resize(1300, 850);
        window->show();
        session.start();
        // The model appears from the stored series once the collector said hello and the reader listed them.
        const SourceRef model { SourceRef::Kind::Model, u"resnet50"_s };
        QTRY_VERIFY_WITH_TIMEOUT(session.sources()->indexOf(model).isValid(), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(window->selectedSource(), model, 30000);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        // Ten days up to the last whole hour of the history, so the tiles' bucket (the range's last hour) is full at
        // any minute of the clock; still near enough to now for the projection.
        const qint64 lastHour = end / 3600 * 3600;
        window->showHistory((now - 10 * 86400) * 1000, lastHour * 1000);
        QTRY_VERIFY_WITH_TIMEOUT(window->dashboard()->outlook().isValid(), 30000);

        // The p95's baseline is the first day after the model's first data; its trend over the last week rises.
        const ModelOutlook &outlook = window->dashboard()->outlook();
        const KpiOutlook *p95 = outlook.find(u"latency_p95"_s);
        QVERIFY(p95);
        QCOMPARE(p95->baseline.source, Baseline::Source::FirstDay);
        QVERIFY(!p95->baseline.forming);
        QVERIFY(p95->baseline.spreadTrusted());
        QVERIFY2(p95->fit.sufficient, qPrintable(p95->fit.insufficient));
        QVERIFY2(p95->fit.worsening, qPrintable(p95->fit.label));
        QVERIFY(p95->fit.slopePerDay > 0);
        QVERIFY(outlook.find(u"error_rate"_s));
        // On screen: the band and limit behind the latency chart, the tile's baseline, Δ and status, the cone.
        TimeSeriesChart *latency = window->latencyChart();
        QTRY_VERIFY_WITH_TIMEOUT(latency->hasBand(), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(std::isfinite(latency->threshold()), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(latency->projectionPointCount() > 0, 30000);
        KpiTile *tile = window->tile(SourceDashboard::TileP95);
        QVERIFY2(tile->baselineText().startsWith(u"baseline "_s), qPrintable(tile->baselineText()));
        // The status once the tile has its current value too (the history answer may come after the outlook).
        QTRY_VERIFY_WITH_TIMEOUT(tile->status() != KpiTile::Status::None, 30000);
        window->pages()->setCurrentWidget(window->comparisonPanel());
        QTRY_VERIFY_WITH_TIMEOUT(window->comparisonPanel()->rowOf(u"latency_p95"_s) >= 0, 30000);
        QVERIFY(!window->comparisonPanel()->cellText(u"latency_p95"_s, ComparisonPanel::ColProjection).isEmpty());
        const QString shots = qEnvironmentVariable("PERFDASH_SCREENSHOT_DIR");
        if (!shots.isEmpty()) {
            QVERIFY(window->grab().save(shots + u"/outlook-panel.png"_s));
            window->pages()->setCurrentIndex(0);
            window->refreshNow();
            QVERIFY(window->grab().save(shots + u"/outlook-dashboard.png"_s));
        }

        // The user types an expected throughput: the collector stores it, and the outlook read again carries it.
        window->baselines()->setConfirm(false);
        window->baselines()->setExpectedThroughput(4.0);
        const auto expected = [&]() {
            const KpiOutlook *k = window->dashboard()->outlook().find(u"throughput"_s);
            return k && k->baseline.exists && k->baseline.source == Baseline::Source::Expected
                && k->baseline.value == 4.0;
        };
        QTRY_VERIFY_WITH_TIMEOUT(expected(), 30000);
        QCOMPARE(window->dashboard()->outlook().find(u"throughput"_s)->limit, 3.2);
    }
};

QTEST_MAIN(TestOutlookE2E)
#include "tst_outlook_e2e.moc"
