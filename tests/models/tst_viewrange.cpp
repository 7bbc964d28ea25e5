// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/viewrange.h"

#include <QTest>

using namespace perfdash;

namespace {
constexpr qint64 kNow = 1'800'000'000'000; // ms
}

class TestViewRange : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void followsTheNewestSecond()
    {
        ViewRange view([]() { return kNow; });
        view.setLiveWindowSeconds(300);
        QVERIFY(view.isFollowing());
        view.follow(kNow / 1000 - 1, -1);
        QCOMPARE(view.toMs(), kNow);
        QCOMPARE(view.toMs() - view.fromMs(), 300'000);
        // A source 20 s old: from 5 s before its start, but at least a minute.
        view.follow(kNow / 1000 - 1, kNow / 1000 - 20);
        QCOMPARE(view.fromMs(), kNow - 60'000);
        view.follow(kNow / 1000 - 1, kNow / 1000 - 200);
        QCOMPARE(view.fromMs(), kNow - 205'000);
        view.setLiveWindowSeconds(3);
        QCOMPARE(view.liveWindowSeconds(), 10);
    }

    void zoomInsideTheLiveBufferStaysLive()
    {
        ViewRange view([]() { return kNow; });
        view.follow(kNow / 1000 - 1, -1);
        const auto [from, to] = view.zoomed(0.5);
        QCOMPARE(to - from, 150'000);
        view.requestRange(from, to, kNow - 3'600'000, 3'600'000);
        QCOMPARE(view.mode(), ViewRange::Mode::Zoomed);
        QVERIFY(view.isLive());
        view.follow(kNow / 1000 + 10, -1); // new seconds do not move a zoomed view
        QCOMPARE(view.fromMs(), from);
        view.backToLive();
        QVERIFY(view.isFollowing());
    }

    void leavingTheLiveBufferBecomesHistory()
    {
        ViewRange view([]() { return kNow; });
        view.follow(kNow / 1000 - 1, -1);
        // Wider than the buffer.
        view.requestRange(kNow - 7'200'000, kNow, kNow - 3'600'000, 3'600'000);
        QCOMPARE(view.mode(), ViewRange::Mode::History);
        QCOMPARE(view.historyStep(), 5);
        // Older than the buffer.
        ViewRange older([]() { return kNow; });
        older.requestRange(kNow - 4'000'000, kNow - 3'900'000, kNow - 3'600'000, 3'600'000);
        QVERIFY(!older.isLive());
    }

    void theFutureIsClampedKeepingTheSpan()
    {
        ViewRange view([]() { return kNow; });
        view.requestRange(kNow, kNow + 60'000, kNow - 3'600'000, 3'600'000);
        QCOMPARE(view.toMs(), kNow);
        QCOMPARE(view.fromMs(), kNow - 60'000);
        view.showHistory(kNow - 1000, kNow + 10'000);
        QCOMPARE(view.toMs(), kNow);
        QCOMPARE(view.toMs() - view.fromMs(), ViewRange::kMinimumSpanMs);
    }

    void historyStepsFollowTheTiers()
    {
        const qint64 now = kNow / 1000;
        QCOMPARE(ViewRange::stepFor(now - 900, now, now), 1);
        QCOMPARE(ViewRange::stepFor(now - 6 * 3600, now, now) % 60, 0);
        QCOMPARE(ViewRange::stepFor(now - 7 * 86400, now, now) % 3600, 0);
        // Two hours, three days ago: the 1 s tier no longer holds it.
        QCOMPARE(ViewRange::stepFor(now - 3 * 86400 - 7200, now - 3 * 86400, now) % 60, 0);
    }
};

QTEST_GUILESS_MAIN(TestViewRange)
#include "tst_viewrange.moc"
