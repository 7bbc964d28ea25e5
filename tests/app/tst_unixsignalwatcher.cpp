// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/unixsignalwatcher.h"

#include <QSignalSpy>
#include <QTest>

#include <chrono>
#include <csignal>
#include <future>
#include <thread>

using namespace perfdash;

class TestUnixSignalWatcher : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aSignalBecomesARequestOnTheLoop()
    {
        UnixSignalWatcher watcher;
        QSignalSpy spy(&watcher, &UnixSignalWatcher::terminationRequested);
        QVERIFY(::raise(SIGHUP) == 0);
        QTRY_COMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toInt(), SIGHUP);
    }

    // A burst of signals while the loop is busy fills the socket after a few hundred. The handler must go on
    // returning (it runs in whatever thread the signal interrupted), and the loop then sees one request per signal
    // number, not one per byte.
    void aBurstNeitherBlocksNorFloodsTheLoop()
    {
        UnixSignalWatcher watcher;
        QSignalSpy spy(&watcher, &UnixSignalWatcher::terminationRequested);
        constexpr int kBurst = 20000;
        std::promise<void> done;
        auto finished = done.get_future();
        std::thread burst([&done] {
            for (int i = 0; i < kBurst; ++i)
                ::raise(SIGTERM); // delivered to this thread: the handler runs here
            done.set_value();
        });
        // Not QTRY: the loop must not drain the socket while the burst runs.
        if (finished.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
            burst.detach(); // blocked in the handler's write(): the failure this test is for
            QFAIL("the signal handler blocked on a full socket");
        }
        burst.join();
        // The loop reads everything waiting at once: one request.
        QTRY_COMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toInt(), SIGTERM);
        // With room in the socket again, the next signal is the next request (no SIGTERM left behind it).
        QVERIFY(::raise(SIGHUP) == 0);
        QTRY_COMPARE(spy.count(), 2);
        QCOMPARE(spy.at(1).at(0).toInt(), SIGHUP);
    }
};

QTEST_GUILESS_MAIN(TestUnixSignalWatcher)
#include "tst_unixsignalwatcher.moc"
