// SPDX-License-Identifier: GPL-3.0-or-later
// The dashboard window offscreen: frames in, and what the tiles, charts, gauges and status bar show.
#include "models/serieslistmodel.h"
#include "models/coverage.h"
#include "models/seriesstore.h"
#include "models/sourcetreemodel.h"
#include "widgets/baselinecontroller.h"
#include "widgets/comparisonpanel.h"
#include "widgets/gaugewidget.h"
#include "widgets/kpitile.h"
#include "widgets/chartgrid.h"
#include "widgets/mainwindow.h"
#include "widgets/operationsview.h"
#include "widgets/serieschartspage.h"
#include "widgets/sourcedashboard.h"
#include "widgets/sourcedelegate.h"
#include "widgets/timeserieschart.h"

#include <QChartView>
#include <QComboBox>
#include <QDir>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QListView>
#include <QTest>
#include <QTreeView>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {
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

// A model source with everything a dashboard shows, for one second.
LiveFrame modelFrame(qint64 second, qint64 n, double p95)
{
    return LiveFrame { second,
        { timer(u"inference.latency|model:m1"_s, n, 20, p95, p95 * 2),
            counter(u"inference.requests|model:m1,status:ok"_s, 99),
            counter(u"inference.requests|model:m1,status:error"_s, 1), gauge(u"inference.queue_depth|model:m1"_s, 7),
            gauge(u"process.cpu_percent|model:m1,pid:9"_s, 45), gauge(u"process.rss_mb|model:m1,pid:9"_s, 512),
            counter(u"op.cache_hits|model:m1,op:load"_s, 3), counter(u"op.api_calls|model:m1,op:load"_s, 1) } };
}

// Storage as the dashboard sees it: requests are recorded and answered by the test.
class FakeRangeSource : public RangeSource {
public:
    struct Request {
        QStringList keys;
        qint64 from, to, step;
        quint64 generation;
    };
    void requestBuckets(const QStringList &keys, qint64 from, qint64 to, qint64 step, quint64 generation) override
    {
        buckets.push_back({ keys, from, to, step, generation });
    }
    void requestMarkers(qint64 from, qint64 to, quint64 generation) override
    {
        markers.push_back({ {}, from, to, 0, generation });
    }
    void requestOutlook(const QString &model, quint64 generation) override
    {
        outlooks.push_back({ model, generation });
    }
    QVector<Request> buckets, markers;
    QVector<QPair<QString, quint64>> outlooks;

    // The latest request for history (not a reference: that one asks for its period as one bucket; not the week-ago
    // overlay: that one comes without the heartbeat).
    Request lastHistory() const
    {
        for (auto it = buckets.crbegin(); it != buckets.crend(); ++it) {
            if (it->step != it->to - it->from && it->keys.contains(Coverage::heartbeatKey()))
                return *it;
        }
        return {};
    }
    Request lastReference() const
    {
        for (auto it = buckets.crbegin(); it != buckets.crend(); ++it) {
            if (it->step == it->to - it->from)
                return *it;
        }
        return {};
    }
};

RangeSeries bucketsOf(const QString &key, qint64 from, qint64 to, qint64 step, qint64 n, double p95)
{
    RangeSeries s;
    s.key = key;
    s.step = step;
    s.tier = RangeSource::tierFor(step);
    for (qint64 t = from / step * step; t < to; t += step) {
        SeriesPoint p;
        p.second = t;
        p.stats = timer(key, n, 10, p95, p95 * 2);
        p.stats.rate = double(n) / double(step);
        s.points.push_back(p);
    }
    return s;
}
} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); } // keep the user's settings untouched
    void init()
    {
        QSettings().clear();
        m_store = std::make_unique<SeriesStore>(3600);
        m_model = std::make_unique<SeriesListModel>(m_store.get());
        m_sources = std::make_unique<SourceTreeModel>(m_store.get());
        m_window = std::make_unique<MainWindow>(m_store.get(), m_model.get(), m_sources.get());
        // A fixed clock: a second that ticks over mid-test must not move the tiles' window.
        m_now = QDateTime::currentSecsSinceEpoch();
        m_window->setClock([this]() { return m_now; });
        m_window->resize(1300, 850);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }
    void cleanup()
    {
        m_window.reset();
        m_sources.reset();
        m_model.reset();
        m_store.reset();
    }

    void framesReachTilesChartsAndGauges()
    {
        const qint64 now = m_now;
        for (qint64 s = now - 30; s < now; ++s)
            m_store->ingest(modelFrame(s, 250, 40 + double(s - now + 30)));
        QTRY_COMPARE(m_window->selectedSource().id(), u"model:m1"_s);
        m_window->refreshNow();
        auto *d = m_window->dashboard();
        QCOMPARE(d->latencyChart()->drawnPointCount(SourceDashboard::LineP50), 30);
        QCOMPARE(d->latencyChart()->drawnPointCount(SourceDashboard::LineP99), 30);
        QCOMPARE(d->latencyChart()->drawnPointCount(SourceDashboard::LineP99Few), 0);
        QCOMPARE(d->throughputChart()->drawnPointCount(0), 30);
        QCOMPARE(d->errorChart()->drawnPointCount(0), 30);
        QCOMPARE(d->queueChart()->drawnPointCount(0), 30);
        QCOMPARE(d->tile(SourceDashboard::TileP95)->valueText(), QLocale().toString(69.0, 'f', 1) % u" ms"_s);
        QVERIFY(d->tile(SourceDashboard::TileP95)->detailText().contains(u"n = 250"_s));
        QVERIFY(!d->tile(SourceDashboard::TileP95)->isMuted());
        QCOMPARE(d->tile(SourceDashboard::TileThroughput)->valueText(), QLocale().toString(100.0, 'f', 0) % u"/s"_s);
        QCOMPARE(d->tile(SourceDashboard::TileErrors)->valueText(), QLocale().toString(1.0, 'f', 2) % u" %"_s);
        QCOMPARE(d->tile(SourceDashboard::TileQueue)->valueText(), QLocale().toString(7.0, 'f', 1));
        QVERIFY(d->tile(SourceDashboard::TileAccuracy)->isHidden());
        QCOMPARE(d->cpuGauge()->valueText(), u"45 %"_s);
        QCOMPARE(d->memoryGauge()->valueText(), u"512 MB"_s);
        QCOMPARE(d->cacheGauge()->valueText(), u"75 %"_s); // 3 hits, 1 API call per second
        QVERIFY(d->gpuGauge()->isHidden());
        QVERIFY(d->headerText().contains(u"m1"_s));
        // The source list shows it live, with a p95 sparkline.
        const QModelIndex row = m_sources->indexOf({ SourceRef::Kind::Model, u"m1"_s });
        QCOMPARE(row.data(SourceTreeModel::StatusRole).toInt(), int(SourceTreeModel::Live));
        QCOMPARE(m_window->sourceView()->currentIndex(), row);
    }

    void aYoungSourceIsAveragedOverItsOwnSeconds()
    {
        const qint64 now = m_now;
        for (qint64 s = now - 4; s < now; ++s)
            m_store->ingest(modelFrame(s, 250, 40));
        QTRY_COMPARE(m_window->selectedSource().id(), u"model:m1"_s);
        m_window->refreshNow();
        auto *rate = m_window->tile(SourceDashboard::TileThroughput);
        QCOMPARE(rate->valueText(), QLocale().toString(100.0, 'f', 0) % u"/s"_s); // 4 seconds of 100/s, not 40/s
        QVERIFY2(rate->detailText().contains(u"last 4 s"_s), qPrintable(rate->detailText()));
    }

    void quantilesOfFewSamplesAreGreyedOut()
    {
        const qint64 now = m_now;
        for (qint64 s = now - 10; s < now; ++s)
            m_store->ingest(LiveFrame { s, { timer(u"rare.latency|service:r"_s, 12, 5, 9, 11) } });
        QTRY_COMPARE(m_window->selectedSource().id(), u"service:r"_s);
        m_window->refreshNow();
        auto *d = m_window->dashboard();
        auto *p95 = d->tile(SourceDashboard::TileP95);
        QVERIFY(p95->isMuted());
        QVERIFY(p95->detailText().contains(u"too few"_s));
        // On the chart, p95 and p99 move to their grey lines; p50 (n >= 2) stays.
        auto *chart = d->latencyChart();
        QCOMPARE(chart->drawnPointCount(SourceDashboard::LineP50), 10);
        QCOMPARE(chart->drawnPointCount(SourceDashboard::LineP95), 0);
        QCOMPARE(chart->drawnPointCount(SourceDashboard::LineP99), 0);
        QCOMPARE(chart->drawnPointCount(SourceDashboard::LineP95Few), 10);
        QCOMPARE(chart->drawnPointCount(SourceDashboard::LineP99Few), 10);
        // The crosshair says so, with n.
        chart->showCrosshairAt((now - 5) * 1000);
        const QString text = chart->crosshairText();
        QVERIFY2(text.contains(u"n = 12"_s), qPrintable(text));
        QVERIFY2(text.contains(u"p99"_s) && text.contains(u"too few"_s), qPrintable(text));
        QVERIFY2(text.contains(u"±1%"_s), qPrintable(text));
    }

    void prefersAModelWithLatency()
    {
        LiveFrame frame { m_now - 1,
            { counter(u"a.requests"_s, 5), gauge(u"perfdash.ingest.live_series"_s, 3),
                timer(u"inference.latency|model:best"_s, 100, 1, 2, 3) } };
        m_store->ingest(frame);
        QTRY_COMPARE(m_window->selectedSource().id(), u"model:best"_s);
    }

    void pickingASeriesShowsItsSource()
    {
        const qint64 now = m_now;
        m_store->ingest(LiveFrame { now - 1,
            { timer(u"inference.latency|model:a"_s, 100, 1, 2, 3), gauge(u"process.cpu_percent|pid:77"_s, 10) } });
        QTRY_COMPARE(m_window->selectedSource().id(), u"model:a"_s);
        m_window->selectSeries(u"process.cpu_percent|pid:77"_s);
        QCOMPARE(m_window->selectedSource().id(), u"process:pid 77"_s);
        m_window->refreshNow();
        QCOMPARE(m_window->dashboard()->cpuGauge()->valueText(), u"10 %"_s);
    }

    void pickingASeriesChartsIt()
    {
        const qint64 now = m_now;
        for (qint64 s = now - 20; s < now; ++s) {
            m_store->ingest(LiveFrame { s,
                { timer(u"inference.latency|model:a"_s, 100, 1, 2, 3),
                    gauge(u"process.cpu_percent|pid:77"_s, double(10 + s % 7)) } });
        }
        QTRY_COMPARE(m_window->selectedSource().id(), u"model:a"_s);
        auto *list = m_window->findChild<QListView *>(u"seriesList"_s);
        QVERIFY(list);
        QModelIndex row;
        for (int r = 0; r < list->model()->rowCount(); ++r) {
            if (list->model()->index(r, 0).data(SeriesListModel::KeyRole) == u"process.cpu_percent|pid:77"_s)
                row = list->model()->index(r, 0);
        }
        QVERIFY(row.isValid());
        list->setCurrentIndex(row);
        Q_EMIT list->activated(row); // Enter on the row, or a click
        QCOMPARE(m_window->pages()->currentWidget(), m_window->chartsPage());
        QCOMPARE(m_window->chartsPage()->picked(), QStringList { u"process.cpu_percent|pid:77"_s });
        // A process has no KPI dashboard: its tab is hidden, its own charts (CPU) follow the picked one.
        QCOMPARE(m_window->selectedSource().id(), u"process:pid 77"_s);
        QVERIFY(!m_window->pages()->isTabVisible(m_window->pages()->indexOf(m_window->dashboard())));
        ChartGrid *grid = m_window->chartsPage()->grid();
        QCOMPARE(grid->count(), 2);
        // Drawn once the new charts are laid out (a chart decimates to its width).
        QTRY_COMPARE((m_window->refreshNow(), grid->chart(0)->drawnPointCount(0)), 20);
        QCOMPARE(grid->charts().at(1).title, u"CPU"_s);
        // Back on the model: its dashboard again.
        m_window->selectSource({ SourceRef::Kind::Model, u"a"_s });
        QVERIFY(m_window->pages()->isTabVisible(m_window->pages()->indexOf(m_window->dashboard())));
    }

    void aSourceWithoutDashboardShowsItsChartsThenTheDashboardComesBack()
    {
        m_store->ingest(LiveFrame { m_now - 1,
            { timer(u"inference.latency|model:a"_s, 100, 1, 2, 3), gauge(u"process.cpu_percent|pid:77"_s, 10) } });
        QTRY_COMPARE(m_window->selectedSource().id(), u"model:a"_s);
        QCOMPARE(m_window->pages()->currentWidget(), m_window->dashboard());
        m_window->selectSource({ SourceRef::Kind::Process, u"pid 77"_s });
        QCOMPARE(m_window->pages()->currentWidget(), m_window->chartsPage());
        m_window->selectSource({ SourceRef::Kind::Model, u"a"_s });
        QCOMPARE(m_window->pages()->currentWidget(), m_window->dashboard());
        // On the Operations tab, a source without a dashboard leaves the user there.
        m_window->pages()->setCurrentWidget(m_window->operationsView());
        m_window->selectSource({ SourceRef::Kind::Process, u"pid 77"_s });
        QCOMPARE(m_window->pages()->currentWidget(), m_window->operationsView());
    }

    void aSourcesChartsFollowItsNewSeries()
    {
        m_store->ingest(LiveFrame { m_now - 2, { gauge(u"process.cpu_percent|pid:77"_s, 10) } });
        QTRY_VERIFY(m_sources->indexOf({ SourceRef::Kind::Process, u"pid 77"_s }).isValid());
        m_window->selectSource({ SourceRef::Kind::Process, u"pid 77"_s });
        QCOMPARE(m_window->chartsPage()->grid()->count(), 1); // CPU
        m_store->ingest(LiveFrame {
            m_now - 1, { gauge(u"process.cpu_percent|pid:77"_s, 11), gauge(u"process.rss_mb|pid:77"_s, 300) } });
        QTRY_COMPARE(m_window->chartsPage()->grid()->count(), 2); // and RSS, once it arrives
    }

    void machineGaugesStandInForMissingProcessSamples()
    {
        auto *d = gaugesOfModelA({ gauge(u"system.cpu_percent"_s, 37), gauge(u"system.memory_used_mb"_s, 4096),
            gauge(u"system.memory_total_mb"_s, 16384), gauge(u"gpu.utilization_percent|gpu:0"_s, 81) });
        QCOMPARE(m_window->selectedSource().id(), u"model:a"_s);
        QCOMPARE(d->cpuGauge()->valueText(), u"37 %"_s);
        QVERIFY(d->cpuGauge()->detailText().contains(u"machine-wide"_s));
        QCOMPARE(d->memoryGauge()->valueText(), QLocale().toString(4.0, 'f', 1) % u" GB"_s);
        QCOMPARE(d->memoryGauge()->fraction(), 0.25);
        QCOMPARE(d->memoryGauge()->scopeText(), u"of 16 GB"_s);
        QVERIFY(!d->gpuGauge()->isHidden());
        QCOMPARE(d->gpuGauge()->valueText(), u"81 %"_s);
    }

    // The arcs end at something that means full: every core, the machine's memory or the cgroup's limit; never the
    // peak in range. The gauge says which.
    void gaugesMeasureAgainstAllCoresAndTheMachine()
    {
        auto *d = gaugesOfModelA(
            { gauge(u"process.cpu_percent|model:a,pid:9"_s, 200), gauge(u"process.rss_mb|model:a,pid:9"_s, 512),
                gauge(u"system.cpu_count"_s, 8), gauge(u"system.memory_total_mb"_s, 16384) });
        QCOMPARE(m_window->selectedSource().id(), u"model:a"_s);
        QCOMPARE(d->cpuGauge()->fraction(), 0.25); // two cores busy of eight
        QCOMPARE(d->cpuGauge()->valueText(), u"25 %"_s);
        QCOMPARE(d->cpuGauge()->scopeText(), u"of 8 cores"_s);
        QCOMPARE(d->memoryGauge()->fraction(), 512.0 / 16384.0); // not 1: 512 MB is this range's peak
        QCOMPARE(d->memoryGauge()->valueText(), u"512 MB"_s);
        QCOMPARE(d->memoryGauge()->scopeText(), u"of 16 GB"_s);
    }

    void memoryGaugeEndsAtTheCgroupLimit()
    {
        auto *d = gaugesOfModelA({ gauge(u"process.rss_mb|model:a,pid:9"_s, 512),
            gauge(u"system.memory_total_mb"_s, 16384), gauge(u"system.memory_limit_mb"_s, 2048) });
        QCOMPARE(m_window->selectedSource().id(), u"model:a"_s);
        QCOMPARE(d->memoryGauge()->fraction(), 0.25);
        QCOMPARE(d->memoryGauge()->scopeText(), QString(u"of "_s % QLocale().toString(2.0, 'f', 1) % u" GB limit"_s));
    }

    void connectionStateIsShown()
    {
        m_window->onConnectionStateChanged(LiveSource::State::Connected, u"/run/live.sock"_s);
        QVERIFY(m_window->connectionText().contains(u"Connected"_s));
        m_window->onConnectionStateChanged(LiveSource::State::Disconnected, u"collector went away"_s);
        QVERIFY(m_window->connectionText().contains(u"unreachable"_s));
        QVERIFY(m_window->connectionText().contains(u"collector went away"_s));
        m_window->onConnectionStateChanged(LiveSource::State::Connecting, u"/run/live.sock"_s);
        QVERIFY(m_window->connectionText().contains(u"Reconnecting"_s));
        m_window->onConnectionStateChanged(LiveSource::State::Connected, u"/run/live.sock"_s);
        QVERIFY(m_window->connectionText().contains(u"Connected"_s));
    }

    void statusBarShowsTheCollector()
    {
        CollectorStatus status;
        status.linesPerSecond = 1234;
        status.parseDrops = 3;
        status.kernelDrops = 2;
        status.seriesCount = 18;
        status.databaseBytes = 3 * 1024 * 1024 / 2;
        m_window->onCollectorStatus(status);
        const QString text = m_window->statusText();
        QVERIFY2(text.contains(QLocale().toString(1234.0, 'f', 0) % u" lines/s"_s), qPrintable(text));
        QVERIFY2(text.contains(u"parse 3"_s) && text.contains(u"kernel 2"_s), qPrintable(text));
        QVERIFY2(text.contains(u"18 series"_s), qPrintable(text));
        QVERIFY2(text.contains(QLocale().toString(1.5, 'f', 1) % u" MB"_s), qPrintable(text));
    }

    void historyStepsComeFromTheRightTier_data()
    {
        QTest::addColumn<qint64>("span");
        QTest::addColumn<qint64>("age"); // how long ago the range ends
        QTest::addColumn<int>("tier");
        QTest::newRow("15 min") << qint64(900) << qint64(0) << 0;
        QTest::newRow("2 h") << qint64(7200) << qint64(0) << 0;
        QTest::newRow("2 h, 3 days ago") << qint64(7200) << qint64(3 * 86400) << 1;
        QTest::newRow("6 h") << qint64(6 * 3600) << qint64(0) << 1;
        QTest::newRow("24 h") << qint64(86400) << qint64(0) << 1;
        QTest::newRow("7 d") << qint64(7 * 86400) << qint64(0) << 2;
        QTest::newRow("30 d") << qint64(30 * 86400) << qint64(0) << 2;
    }
    void historyStepsComeFromTheRightTier()
    {
        QFETCH(qint64, span);
        QFETCH(qint64, age);
        QFETCH(int, tier);
        const qint64 now = 1'800'000'000;
        const qint64 step = MainWindow::stepFor(now - age - span, now - age, now);
        QCOMPARE(RangeSource::tierFor(step), tier);
        QVERIFY2(span / step <= 1500 && span / step >= 100, qPrintable(QString::number(step)));
    }

    void historyRangesAskStorageAndDropLateAnswers()
    {
        m_now = m_now / 60 * 60 + 30; // half way through a minute: the last 1 min bucket is partial
        FakeRangeSource history;
        m_window->setRangeSource(&history);
        const qint64 now = m_now;
        m_store->ingest(modelFrame(now - 1, 250, 40));
        QTRY_COMPARE(m_window->selectedSource().id(), u"model:m1"_s);
        QVERIFY(!history.markers.isEmpty()); // live markers are asked for too

        m_window->showHistory((now - 7 * 86400) * 1000, now * 1000);
        QVERIFY(!m_window->isLive());
        QCOMPARE(m_window->findChild<QComboBox *>(u"rangeCombo"_s)->currentData().toLongLong(), -1); // custom
        const auto week = history.lastHistory();
        QCOMPARE(RangeSource::tierFor(week.step), 2);
        QVERIFY(week.keys.contains(u"inference.latency|model:m1"_s));
        m_window->showHistory((now - 6 * 3600) * 1000, now * 1000);
        const auto sixHours = history.lastHistory();
        QCOMPARE(sixHours.step, 60);
        QCOMPARE(RangeSource::tierFor(sixHours.step), 1);

        // The week's answer arrives after the user moved on: it is dropped.
        Q_EMIT history.bucketsReady(
            week.generation, { bucketsOf(u"inference.latency|model:m1"_s, week.from, week.to, week.step, 500, 99) });
        QCOMPARE(m_window->staleAnswersDropped(), 1);
        QCOMPARE(m_window->latencyChart()->drawnPointCount(SourceDashboard::LineP95), 0);
        RangeSeries requests
            = bucketsOf(u"inference.requests|model:m1,status:ok"_s, sixHours.from, sixHours.to, sixHours.step, 600, 0);
        for (SeriesPoint &p : requests.points)
            p.stats.kind = MetricKind::Counter;
        Q_EMIT history.bucketsReady(sixHours.generation,
            { bucketsOf(u"inference.latency|model:m1"_s, sixHours.from, sixHours.to, sixHours.step, 500, 55),
                requests });
        QVERIFY(m_window->latencyChart()->drawnPointCount(SourceDashboard::LineP95) > 300);
        auto *p95 = m_window->tile(SourceDashboard::TileP95);
        QCOMPARE(p95->valueText(), QLocale().toString(55.0, 'f', 1) % u" ms"_s);
        QVERIFY2(p95->detailText().contains(u"1 min bucket"_s), qPrintable(p95->detailText()));
        QVERIFY2(p95->detailText().contains(u"30 s so far"_s), qPrintable(p95->detailText()));
        // The partial minute is drawn apart, lighter, joined to the last complete one; its rate is per second so far.
        QCOMPARE(m_window->throughputChart()->drawnPointCount(1), 2);

        // A zoom asks storage again, once the gesture settles, with a finer step.
        const int before = m_window->historyRequests();
        Q_EMIT m_window->latencyChart()->rangeRequested((now - 1800) * 1000, now * 1000);
        QTRY_COMPARE(m_window->historyRequests(), before + 1);
        QVERIFY(history.lastHistory().step < 60);
        // The range box no longer claims "6 h".
        QCOMPARE(m_window->findChild<QComboBox *>(u"rangeCombo"_s)->currentData().toLongLong(), -1);
        m_window->backToLive();
        QVERIFY(m_window->isFollowing());
    }

    void markersAndReferenceDeltas()
    {
        FakeRangeSource history;
        m_window->setRangeSource(&history);
        const qint64 now = m_now;
        for (qint64 s = now - 20; s < now; ++s)
            m_store->ingest(modelFrame(s, 250, 60));
        QTRY_COMPARE(m_window->selectedSource().id(), u"model:m1"_s);
        m_window->refreshNow();
        QVERIFY(m_window->tile(SourceDashboard::TileP95)->deltaText().contains(u"no reference"_s));
        // The previous hour from storage: p95 was 40 ms, so 60 ms now is 50% worse. Storage is asked for the hour as
        // one bucket (merged sketches), with the collector's heartbeat (how much of it the collector was up).
        const auto ref = history.lastReference();
        QCOMPARE(ref.step, 3600);
        QVERIFY(ref.keys.contains(Coverage::heartbeatKey()));
        RangeSeries hour = bucketsOf(u"inference.latency|model:m1"_s, ref.from, ref.to, 3600, 360000, 40);
        RangeSeries ok = bucketsOf(u"inference.requests|model:m1,status:ok"_s, ref.from, ref.to, 3600, 360000, 0);
        ok.points[0].stats.kind = MetricKind::Counter;
        // The collector ran the last half of the hour only: the rate is per covered second, so 200/s then.
        RangeSeries heartbeat;
        heartbeat.key = Coverage::heartbeatKey();
        heartbeat.step = 3600;
        SeriesPoint beat;
        beat.second = ref.from;
        beat.stats = gauge(Coverage::heartbeatKey(), 3);
        beat.stats.count = 1800;
        heartbeat.points = { beat };
        Q_EMIT history.bucketsReady(ref.generation, { hour, ok, heartbeat });
        auto *p95 = m_window->tile(SourceDashboard::TileP95);
        QVERIFY2(p95->deltaText().contains(u"▲ 50%"_s), qPrintable(p95->deltaText()));
        QCOMPARE(p95->deltaTone(), KpiTile::Tone::Bad);
        auto *rate = m_window->tile(SourceDashboard::TileThroughput);
        // 360000 requests in the half hour the collector was up: 200/s then, 100/s now.
        QVERIFY2(rate->deltaText().contains(u"▼ 50%"_s), qPrintable(rate->deltaText()));

        // Events and runs become markers on every chart (tagged with no source: everyone's).
        const auto m = history.markers.constLast();
        TimeMarker deploy;
        deploy.timeMs = (now - 10) * 1000;
        deploy.endMs = deploy.timeMs;
        deploy.title = u"deploy v2"_s;
        TimeMarker run;
        run.kind = TimeMarker::Kind::Run;
        run.timeMs = (now - 15) * 1000;
        run.endMs = (now - 5) * 1000;
        run.title = u"run nightly"_s;
        Q_EMIT history.markersReady(m.generation, { run, deploy });
        m_window->refreshNow();
        QCOMPARE(m_window->latencyChart()->markerCount(), 2);
        QCOMPARE(m_window->throughputChart()->markerCount(), 2);
        QVERIFY(m_window->throughputChart()->hoverText(deploy.timeMs).contains(u"deploy v2"_s));
        QVERIFY(m_window->latencyChart()->hoverText(deploy.timeMs).contains(u"deploy v2"_s));
        // A workflow that runs many times a second: thinned on the axis, summed up in the crosshair.
        QVector<TimeMarker> busy;
        for (int i = 0; i < 1000; ++i) {
            TimeMarker r = run;
            r.timeMs = (now - 15) * 1000 + i * 10;
            r.endMs = r.timeMs + 5;
            busy.push_back(r);
        }
        m_window->setLiveWindowSeconds(300); // asks for the markers again: each request is answered once
        Q_EMIT history.markersReady(history.markers.constLast().generation, busy);
        QVERIFY(!m_window->grab().isNull());
        const QString busyText = m_window->throughputChart()->hoverText((now - 10) * 1000);
        QVERIFY2(busyText.contains(u"runs here"_s) && busyText.contains(u"more"_s), qPrintable(busyText));
        QVERIFY(m_window->throughputChart()->markerGroupCount() < 10);
    }

    // A model's outlook from storage: bands and limits on the charts, baseline lines and statuses on the tiles, the
    // comparison panel's rows, the projection on long history views; and the panel's actions make baseline rows.
    void baselinesAndTrendsReachTheDashboard()
    {
        FakeRangeSource history;
        m_window->setRangeSource(&history);
        const qint64 now = m_now;
        for (qint64 s = now - 20; s < now; ++s)
            m_store->ingest(modelFrame(s, 250, 60));
        QTRY_COMPARE(m_window->selectedSource().id(), u"model:m1"_s);
        QTRY_VERIFY(!history.outlooks.isEmpty());
        QCOMPARE(history.outlooks.constLast().first, u"m1"_s);

        ModelOutlook outlook;
        outlook.model = u"m1"_s;
        outlook.now = now;
        KpiOutlook p95;
        p95.kpi = u"latency_p95"_s;
        p95.baseline.exists = true;
        p95.baseline.source = Baseline::Source::FirstDay;
        p95.baseline.value = 36;
        p95.baseline.spread = 1;
        p95.baseline.n = 24;
        p95.baseline.windowFrom = now - 9 * 86400;
        p95.baseline.windowTo = now - 8 * 86400;
        p95.baseline.versions = p95.baseline.version = 1;
        p95.limit = 54;
        p95.fit.sufficient = true;
        p95.fit.label = u"declining"_s;
        p95.fit.n = 168;
        p95.projection = u"breach in ~2 d (1–4 d), 80 %"_s;
        for (int i = 0; i <= 8; ++i)
            p95.cone.push_back({ now + i * 3600 * 6, 60.0 + i, 58.0 + i * 0.5, 62.0 + i * 1.5 });
        KpiOutlook errors;
        errors.kpi = u"error_rate"_s;
        errors.baseline.exists = true;
        errors.baseline.source = Baseline::Source::FirstDay;
        errors.baseline.value = 0.002;
        errors.baseline.spread = 0.0005;
        errors.baseline.n = 24;
        errors.limit = 0.01;
        errors.fit.insufficient = u"insufficient history: 5 h of 24 h"_s;
        errors.projection = errors.fit.insufficient;
        outlook.kpis = { p95, errors };
        Q_EMIT history.outlookReady(history.outlooks.constLast().second, outlook);
        // No redraw asked for: the outlook draws its overlays itself.

        auto *d = m_window->dashboard();
        auto *tile = d->tile(SourceDashboard::TileP95);
        QVERIFY2(tile->baselineText().contains(QLocale().toString(36.0, 'f', 1) % u" ms"_s),
            qPrintable(tile->baselineText()));
        QCOMPARE(tile->status(), KpiTile::Status::Breached); // 60 ms is past 1.5 × 36 ms
        QVERIFY2(tile->baselineText().endsWith(u" · +67 %"_s), qPrintable(tile->baselineText()));
        // 1 % errors now: worse than 0.2 % by more than 3 spreads, not above the 1 % limit.
        QCOMPARE(d->tile(SourceDashboard::TileErrors)->status(), KpiTile::Status::Degraded);
        QCOMPARE(d->tile(SourceDashboard::TileThroughput)->status(), KpiTile::Status::None); // no baseline, no limit
        QVERIFY(d->latencyChart()->hasBand());
        QCOMPARE(d->latencyChart()->band(), qMakePair(33.0, 39.0));
        QCOMPARE(d->latencyChart()->threshold(), 54.0);
        QCOMPARE(d->errorChart()->threshold(), 1.0); // the error chart is in percent
        QCOMPARE(d->latencyChart()->projectionPointCount(), 0); // a live view shows no projection

        auto *panel = m_window->comparisonPanel();
        m_window->pages()->setCurrentWidget(panel);
        QCOMPARE(panel->cellText(u"latency_p95"_s, ComparisonPanel::ColStatus), u"breached"_s);
        QVERIFY(panel->cellText(u"latency_p95"_s, ComparisonPanel::ColBaseline).contains(u"first 24 h"_s));
        QCOMPARE(panel->cellText(u"latency_p95"_s, ComparisonPanel::ColTrend), u"declining"_s);
        QCOMPARE(panel->cellText(u"error_rate"_s, ComparisonPanel::ColProjection), errors.projection);
        const QString shots = qEnvironmentVariable("PERFDASH_SCREENSHOT_DIR");
        QVERIFY(
            m_window->grab().save(shots.isEmpty() ? QDir::temp().filePath(u"panel.png"_s) : shots + u"/panel.png"_s));
        m_window->pages()->setCurrentWidget(d);

        // The same range a week ago, from the rollup tiers, drawn a week on as "p95 a week ago".
        const auto weekAgo = std::find_if(history.buckets.crbegin(), history.buckets.crend(),
            [](const auto &r) { return !r.keys.contains(Coverage::heartbeatKey()); });
        QVERIFY(weekAgo != history.buckets.crend());
        QVERIFY(weekAgo->to <= now - 7 * 86400 + 120);
        QCOMPARE(weekAgo->step, 60);
        Q_EMIT history.bucketsReady(weekAgo->generation,
            { bucketsOf(u"inference.latency|model:m1"_s, weekAgo->from, weekAgo->to, 60, 500, 30) });
        m_window->refreshNow();
        QVERIFY(d->latencyChart()->drawnPointCount(SourceDashboard::LineP95WeekAgo) > 0);

        // A day of history that reaches now: the cone is drawn and the time axis makes room for it.
        m_window->showHistory((now - 86400) * 1000, now * 1000);
        m_window->refreshNow();
        QCOMPARE(d->latencyChart()->projectionPointCount(), p95.cone.size());
        QVERIFY(d->latencyChart()->toMs() > now * 1000);
        if (!shots.isEmpty())
            QVERIFY(m_window->grab().save(shots + u"/projection.png"_s));
        m_window->backToLive();

        // The panel's actions, without their confirmations.
        QSignalSpy submitted(m_window.get(), &MainWindow::baselinesSubmitted);
        m_window->baselines()->setConfirm(false);
        m_window->baselines()->pinView();
        QCOMPARE(submitted.size(), 1);
        const auto pinned = submitted.takeFirst().at(0).value<QVector<Baseline::Stored>>();
        const auto pinnedP95 = std::find_if(
            pinned.cbegin(), pinned.cend(), [](const Baseline::Stored &r) { return r.kpi == u"latency_p95"_s; });
        QVERIFY(pinnedP95 != pinned.cend());
        QCOMPARE(pinnedP95->source, Baseline::Source::Pinned);
        QCOMPARE(pinnedP95->model, u"m1"_s);
        QVERIFY2(qAbs(pinnedP95->value - 60) < 1, qPrintable(QString::number(pinnedP95->value)));
        QCOMPARE(pinnedP95->windowTo, now);
        m_window->baselines()->rebaseline();
        QCOMPARE(submitted.takeFirst().at(0).value<QVector<Baseline::Stored>>().constFirst().source,
            Baseline::Source::Deploy);
        m_window->baselines()->setExpectedThroughput(120);
        const auto expected = submitted.takeFirst().at(0).value<QVector<Baseline::Stored>>().constFirst();
        QCOMPARE(expected.kpi, u"throughput"_s);
        QCOMPARE(expected.value, 120.0);
    }

    void wheelZoomsDragPansDoubleClickReturns()
    {
        const qint64 now = m_now;
        for (qint64 s = now - 200; s < now; ++s)
            m_store->ingest(modelFrame(s, 250, 40));
        QTRY_COMPARE(m_window->selectedSource().id(), u"model:m1"_s);
        m_window->refreshNow();
        auto *chart = m_window->latencyChart();
        auto *viewport = chart->findChild<QChartView *>()->viewport();
        const QPointF middle = chart->plotArea().center();
        const qint64 span = m_window->viewToMs() - m_window->viewFromMs();
        QWheelEvent wheel(middle, viewport->mapToGlobal(middle), {}, QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
            Qt::NoScrollPhase, false);
        QApplication::sendEvent(viewport, &wheel);
        QVERIFY(!m_window->isFollowing());
        QVERIFY(m_window->isLive());
        const qint64 zoomed = m_window->viewToMs() - m_window->viewFromMs();
        QVERIFY2(zoomed < span, qPrintable(u"%1 -> %2"_s.arg(span).arg(zoomed)));
        QCOMPARE(chart->toMs() - chart->fromMs(), zoomed);
        // Every chart follows the zoom.
        QCOMPARE(m_window->throughputChart()->toMs() - m_window->throughputChart()->fromMs(), zoomed);
        // Ctrl+drag to the right shows earlier data.
        const qint64 fromBefore = m_window->viewFromMs();
        QTest::mousePress(viewport, Qt::LeftButton, Qt::ControlModifier, middle.toPoint());
        QTest::mouseMove(viewport, middle.toPoint() + QPoint(100, 0));
        QTest::mouseRelease(viewport, Qt::LeftButton, Qt::ControlModifier, middle.toPoint() + QPoint(100, 0));
        QVERIFY(m_window->viewFromMs() < fromBefore);
        // A rubber band zooms to the span dragged.
        QTest::mousePress(viewport, Qt::LeftButton, {}, middle.toPoint() - QPoint(50, 0));
        QTest::mouseMove(viewport, middle.toPoint() + QPoint(50, 0));
        QTest::mouseRelease(viewport, Qt::LeftButton, {}, middle.toPoint() + QPoint(50, 0));
        QVERIFY(m_window->viewToMs() - m_window->viewFromMs() < zoomed / 2);
        QTest::mouseDClick(viewport, Qt::LeftButton, {}, middle.toPoint());
        QVERIFY(m_window->isFollowing());
    }

    void pauseFreezesTheCharts()
    {
        const qint64 now = m_now;
        m_store->ingest(modelFrame(now - 2, 250, 40));
        QTRY_COMPARE(m_window->selectedSource().id(), u"model:m1"_s);
        m_window->refreshNow();
        m_window->setPaused(true);
        m_store->ingest(modelFrame(now - 1, 250, 80));
        m_window->refreshNow();
        QCOMPARE(m_window->tile(SourceDashboard::TileP95)->valueText(), QLocale().toString(40.0, 'f', 1) % u" ms"_s);
        m_window->setPaused(false);
        QCOMPARE(m_window->tile(SourceDashboard::TileP95)->valueText(), QLocale().toString(80.0, 'f', 1) % u" ms"_s);
    }

    void choicesAreSavedAndRestored()
    {
        const qint64 now = m_now;
        m_store->ingest(LiveFrame { now,
            { timer(u"inference.latency|model:a"_s, 100, 1, 2, 3),
                timer(u"inference.latency|model:b"_s, 100, 1, 2, 3) } });
        QTRY_VERIFY(m_window->selectedSource().isValid());
        m_window->selectSource({ SourceRef::Kind::Model, u"b"_s });
        m_window->setLiveWindowSeconds(900);
        m_window->close();
        QCOMPARE(QSettings().value(u"view/source"_s).toString(), u"model:b"_s);
        QCOMPARE(QSettings().value(u"view/liveWindow"_s).toLongLong(), 900);
        QVERIFY(!QSettings().value(u"window/geometry"_s).toByteArray().isEmpty());

        MainWindow again(m_store.get(), m_model.get(), m_sources.get());
        QTRY_COMPARE(again.selectedSource().id(), u"model:b"_s);
        again.refreshNow();
        QCOMPARE(again.viewToMs() - again.viewFromMs() <= 900 * 1000, true);
    }

    // The collector goes away: a banner says since when, nothing stays green, rates are blanked; back when it returns.
    void aStoppedCollectorLooksStopped()
    {
        for (qint64 s = m_now - 20; s < m_now; ++s)
            m_store->ingest(modelFrame(s, 250, 40));
        QTRY_COMPARE(m_window->selectedSource().id(), u"model:m1"_s);
        m_window->onConnectionStateChanged(LiveSource::State::Connected, u"/run/live.sock"_s);
        CollectorStatus status;
        status.linesPerSecond = 1423;
        m_window->onCollectorStatus(status);
        m_window->refreshNow();
        QVERIFY(!m_window->isOfflineBannerShown());
        QVERIFY(m_window->tile(SourceDashboard::TileThroughput)->isEnabled());
        auto *delegate = qobject_cast<SourceDelegate *>(m_window->sourceView()->itemDelegate());
        QVERIFY(delegate && !delegate->isOffline());

        m_window->onConnectionStateChanged(LiveSource::State::Disconnected, u"connection refused"_s);
        QVERIFY(m_window->isOfflineBannerShown());
        const QString since = QDateTime::fromSecsSinceEpoch(m_now).toString(u"HH:mm:ss"_s);
        QCOMPARE(m_window->offlineBannerText(), u"Collector stopped at %1 — no data is being collected"_s.arg(since));
        QVERIFY(delegate->isOffline());
        auto *rate = m_window->tile(SourceDashboard::TileThroughput);
        QVERIFY(!rate->isEnabled());
        QVERIFY(rate->isMuted());
        QVERIFY2(rate->detailText().contains(u"stopped at "_s % since), qPrintable(rate->detailText()));
        QVERIFY2(
            !m_window->statusText().contains(QLocale().toString(1423.0, 'f', 0)), qPrintable(m_window->statusText()));
        // A late status from the old collector does not bring its rate back.
        m_window->onCollectorStatus(status);
        QVERIFY(!m_window->statusText().contains(QLocale().toString(1423.0, 'f', 0)));

        m_window->onConnectionStateChanged(LiveSource::State::Connected, u"/run/live.sock"_s);
        QVERIFY(!m_window->isOfflineBannerShown());
        QVERIFY(!delegate->isOffline());
        QVERIFY(rate->isEnabled());
    }

    // A source that went quiet shows no stale value as current: its tiles say since when there is no data.
    void aQuietSourceSaysSinceWhen()
    {
        for (qint64 s = m_now - 60; s < m_now - 30; ++s)
            m_store->ingest(modelFrame(s, 250, 40));
        QTRY_COMPARE(m_window->selectedSource().id(), u"model:m1"_s);
        m_window->refreshNow();
        const QString since = QDateTime::fromSecsSinceEpoch(m_now - 30).toString(u"HH:mm:ss"_s);
        for (int t : { int(SourceDashboard::TileP95), int(SourceDashboard::TileThroughput),
                 int(SourceDashboard::TileErrors), int(SourceDashboard::TileQueue) }) {
            auto *tile = m_window->tile(t);
            // Throughput is known to be 0: the collector was up and counted nothing. The others have no value.
            QCOMPARE(tile->valueText(),
                t == SourceDashboard::TileThroughput ? QLocale().toString(0.0, 'f', 2) % u"/s"_s : u"–"_s);
            QVERIFY(tile->isMuted());
            QVERIFY2(tile->detailText() == u"no data since "_s % since, qPrintable(tile->detailText()));
        }
    }

    // Frames with sketches: the headline p95 merges the last 10 s, so a p95 that alternates between two levels from
    // second to second holds still, and its n is the window's.
    void theHeadlineHoldsStill()
    {
        const auto second = [](qint64 s) {
            QuantileSketch sketch;
            for (int i = 1; i <= 100; ++i)
                sketch.add((s % 2 ? 1.13 : 0.87) * double(i));
            SeriesStats t = timer(u"inference.latency|model:m1"_s, 100, sketch.quantile(0.5), sketch.quantile(0.95),
                sketch.quantile(0.99));
            t.sketch = sketch.serialize();
            return LiveFrame { s, { t } };
        };
        for (qint64 s = m_now - 30; s < m_now; ++s)
            m_store->ingest(second(s));
        QTRY_COMPARE(m_window->selectedSource().id(), u"model:m1"_s);
        QStringList shown;
        for (int step = 0; step < 2; ++step) {
            m_store->ingest(second(m_now));
            m_now += 1; // the next second: the window moves, the figure must not flip by ±13 %
            m_window->refreshNow();
            auto *p95 = m_window->tile(SourceDashboard::TileP95);
            QVERIFY2(p95->detailText().contains(u"last 10 s"_s), qPrintable(p95->detailText()));
            QVERIFY2(p95->detailText().contains(u"n = "_s % QLocale().toString(1000)), qPrintable(p95->detailText()));
            shown << p95->valueText();
        }
        QCOMPARE(shown.at(0), shown.at(1));
    }

    void themesSwitchAtRunTime()
    {
        QSignalSpy changed(m_window.get(), &MainWindow::themeChanged);
        m_window->setTheme(Theme::Dark);
        QCOMPARE(changed.takeLast().at(0).toBool(), true);
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 128);
        m_window->setTheme(Theme::Light);
        QCOMPARE(changed.takeLast().at(0).toBool(), false);
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() >= 128);
        m_window->setTheme(Theme::System);
        QCOMPARE(QSettings().value(u"view/theme"_s).toString(), u"system"_s);
    }

private:
    // Model a's dashboard after a second of its latency and these gauges.
    SourceDashboard *gaugesOfModelA(const QVector<SeriesStats> &gauges)
    {
        m_store->ingest(LiveFrame {
            m_now - 1, QVector<SeriesStats> { timer(u"inference.latency|model:a"_s, 100, 1, 2, 3) } + gauges });
        [&]() { QTRY_COMPARE(m_window->selectedSource().id(), u"model:a"_s); }();
        m_window->refreshNow();
        return m_window->dashboard();
    }

    std::unique_ptr<SeriesStore> m_store;
    std::unique_ptr<SeriesListModel> m_model;
    std::unique_ptr<SourceTreeModel> m_sources;
    std::unique_ptr<MainWindow> m_window;
    qint64 m_now = 0;
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
