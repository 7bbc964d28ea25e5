// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/serieslistmodel.h"
#include "models/seriesstore.h"
#include "widgets/kpitile.h"
#include "widgets/mainwindow.h"
#include "widgets/timeserieschart.h"

#include <QStandardPaths>
#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {
LiveFrame timerFrame(qint64 second, const QString &key, qint64 n, double p50, double p95, double p99)
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
    return LiveFrame { second, { s } };
}
} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); } // keep the user's settings untouched
    void init()
    {
        m_store = std::make_unique<SeriesStore>(3600);
        m_model = std::make_unique<SeriesListModel>(m_store.get());
        m_window = std::make_unique<MainWindow>(m_store.get(), m_model.get());
        m_window->resize(1200, 800);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }
    void cleanup()
    {
        m_window.reset();
        m_model.reset();
        m_store.reset();
    }

    void framesReachTheChartAndTiles()
    {
        const QString key = u"inference.latency|model:m1"_s;
        for (qint64 s = 1000; s < 1030; ++s)
            m_store->ingest(timerFrame(s, key, 250, 20, 40, 80 + double(s - 1000)));
        QTRY_COMPARE(m_window->selectedKey(), key);
        m_window->refreshNow();
        for (int line = 0; line < 3; ++line)
            QCOMPARE(m_window->latencyChart()->drawnPointCount(line), 30);
        QCOMPARE(m_window->throughputChart()->drawnPointCount(0), 30);
        QCOMPARE(m_window->tile(1)->valueText(), QLocale().toString(40.0, 'f', 1) % u" ms"_s);
        QCOMPARE(m_window->tile(2)->valueText(), QLocale().toString(109.0, 'f', 1) % u" ms"_s);
        QVERIFY(!m_window->tile(2)->isMuted());
        QVERIFY(m_window->tile(2)->detailText().contains(u"n = 250"_s));
    }

    void p99OfFewSamplesIsGreyedOut()
    {
        const QString key = u"rare.latency"_s;
        m_store->ingest(timerFrame(2000, key, 12, 5, 9, 11));
        QTRY_COMPARE(m_window->selectedKey(), key);
        m_window->refreshNow();
        QVERIFY(m_window->tile(2)->isMuted());
        QVERIFY(m_window->tile(2)->detailText().contains(u"too few"_s));
        QVERIFY(m_window->tile(1)->isMuted()); // p95 of 12 samples too
        QVERIFY(!m_window->tile(0)->isMuted());
    }

    void prefersLatencyOverOtherSeries()
    {
        SeriesStats counter;
        counter.key = u"a.requests"_s;
        counter.kind = MetricKind::Counter;
        counter.count = 5;
        LiveFrame frame = timerFrame(3000, u"z.step.latency|step:predict"_s, 100, 1, 2, 3);
        frame.series.push_back(counter);
        frame.series.push_back(timerFrame(3000, u"svc.latency"_s, 100, 1, 2, 3).series[0]);
        m_store->ingest(frame);
        QTRY_COMPARE(m_window->selectedKey(), u"svc.latency"_s);
    }

    void connectionStateIsShown()
    {
        m_window->onConnectionStateChanged(LiveSource::State::Disconnected, u"collector went away"_s);
        QVERIFY(m_window->connectionText().contains(u"unreachable"_s));
        m_window->onConnectionStateChanged(LiveSource::State::Connected, u"/run/live.sock"_s);
        QVERIFY(m_window->connectionText().contains(u"Connected"_s));
    }

private:
    std::unique_ptr<SeriesStore> m_store;
    std::unique_ptr<SeriesListModel> m_model;
    std::unique_ptr<MainWindow> m_window;
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
