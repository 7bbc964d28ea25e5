// SPDX-License-Identifier: GPL-3.0-or-later
#include "fleet/prompusher.h"
#include "fleet/pushqueue.h"

#include <QTest>

using namespace Qt::Literals::StringLiterals;
using namespace perfdash;

namespace {
// A batch of `lines` samples, each line 10 bytes.
QByteArray batch(int lines, char tag = 'a')
{
    QByteArray out;
    for (int i = 0; i < lines; ++i)
        out += QByteArray(9, tag) + '\n';
    return out;
}
} // namespace

class TestPushQueue : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void dropsTheOldestWhenFull()
    {
        qint64 now = 0;
        PushQueue queue(
            100, [&]() { return now; }, []() { return 0.0; });
        queue.push(batch(4, 'a')); // 40 bytes
        queue.push(batch(4, 'b')); // 80
        QCOMPARE(queue.queuedBytes(), 80);
        queue.push(batch(3, 'c')); // 110 > 100: a goes
        QCOMPARE(queue.queuedBatches(), 2);
        QCOMPARE(queue.queuedBytes(), 70);
        QCOMPARE(queue.counters().droppedBufferFull, 1);
        QCOMPARE(queue.counters().droppedSamples, 4);
        QVERIFY(queue.ready());
        QCOMPARE(queue.begin(), batch(4, 'b')); // oldest first
        // The batch in flight stays; the next oldest goes instead.
        queue.push(batch(5, 'd')); // 40 + 30 + 50 > 100: c goes
        QCOMPARE(queue.counters().droppedBufferFull, 2);
        QCOMPARE(queue.queuedBytes(), 90);
        // Larger than what is left beside the batch in flight: this one is dropped itself.
        queue.push(batch(7, 'e'));
        QCOMPARE(queue.counters().droppedBufferFull, 3);
        QCOMPARE(queue.counters().droppedSamples, 4 + 3 + 7);
        QVERIFY(!queue.ready()); // one in flight at a time
        queue.sent();
        QCOMPARE(queue.counters().sentBatches, 1);
        QCOMPARE(queue.counters().sentBytes, 40);
        QCOMPARE(queue.begin(), batch(5, 'd'));
        queue.sent();
        QCOMPARE(queue.queuedBatches(), 0);
        QCOMPARE(queue.queuedBytes(), 0);
        QCOMPARE(queue.state(), PushQueue::State::Ok);
        QCOMPARE(queue.counters().lastSuccessMs, 0);
        queue.push(QByteArray()); // nothing to send: not a batch
        QCOMPARE(queue.queuedBatches(), 0);
    }

    void rejectedIsDroppedAndNotRetried()
    {
        qint64 now = 0;
        PushQueue queue(
            1000, [&]() { return now; }, []() { return 0.0; });
        QCOMPARE(queue.state(), PushQueue::State::Idle);
        queue.push(batch(2));
        queue.push(batch(3));
        queue.begin();
        queue.rejected(u"400 cannot parse"_s);
        QCOMPARE(queue.counters().droppedRejected, 1);
        QCOMPARE(queue.counters().droppedSamples, 2);
        QCOMPARE(queue.counters().lastError, u"400 cannot parse"_s);
        QCOMPARE(queue.state(), PushQueue::State::Failing);
        QVERIFY(queue.ready()); // the next one goes at once: no backoff after an answer
        queue.begin();
        queue.dropAll();
        QCOMPARE(queue.counters().droppedShutdown, 1);
        QCOMPARE(queue.counters().droppedSamples, 5);
        QCOMPARE(queue.queuedBytes(), 0);
    }

    void backsOffExponentiallyWithJitterAndResetsOnSuccess()
    {
        QCOMPARE(PushQueue::baseDelayMs(1), 1000);
        QCOMPARE(PushQueue::baseDelayMs(2), 2000);
        QCOMPARE(PushQueue::baseDelayMs(6), 32000);
        QCOMPARE(PushQueue::baseDelayMs(7), 60000);
        QCOMPARE(PushQueue::baseDelayMs(1000), 60000);
        qint64 now = 5000;
        double jitter = 0.0;
        PushQueue queue(
            1000, [&]() { return now; }, [&]() { return jitter; });
        queue.push(batch(1));
        const qint64 expected[] = { 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000 };
        for (const qint64 delay : expected) {
            QVERIFY(queue.ready());
            queue.begin();
            QCOMPARE(queue.failed(u"connection refused"_s), delay);
            QCOMPARE(queue.nextAttemptMs(), now + delay);
            QVERIFY(!queue.ready());
            now += delay - 1;
            QVERIFY(!queue.ready()); // not a millisecond early
            QVERIFY(queue.ready(true)); // at shutdown the backoff is ignored
            now += 1;
        }
        QCOMPARE(queue.counters().failures, 8);
        QCOMPARE(queue.counters().retries, 7); // every attempt after the first
        QCOMPARE(queue.queuedBatches(), 1); // a failure keeps the batch
        QCOMPARE(queue.state(), PushQueue::State::Failing);
        // Jitter adds up to a quarter, never beyond 60 s.
        jitter = 0.999;
        queue.begin();
        QCOMPARE(queue.failed(u"x"_s), 60000);
        now = queue.nextAttemptMs();
        queue.begin();
        queue.sent();
        QCOMPARE(queue.state(), PushQueue::State::Ok);
        QCOMPARE(queue.counters().lastSuccessMs, now);
        // Reset: the next failure waits 1 s again, plus its jitter.
        queue.push(batch(1));
        queue.begin();
        QCOMPARE(queue.failed(u"x"_s), 1000 + 249);
        queue.begin(); // ready(true) path
        jitter = 0.5;
        QCOMPARE(queue.failed(u"x"_s), 2000 + 250);
    }

    void importUrl_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("url");
        QTest::newRow("base") << u"http://127.0.0.1:8428"_s << u"http://127.0.0.1:8428/api/v1/import/prometheus"_s;
        QTest::newRow("slash") << u"http://vm:8428/"_s << u"http://vm:8428/api/v1/import/prometheus"_s;
        QTest::newRow("cluster") << u"http://vminsert:8480/insert/0/prometheus/api/v1/import/prometheus"_s
                                 << u"http://vminsert:8480/insert/0/prometheus/api/v1/import/prometheus"_s;
        QTest::newRow("https") << u"https://vm.example"_s << u"https://vm.example/api/v1/import/prometheus"_s;
        QTest::newRow("no scheme") << u"127.0.0.1:8428"_s << QString();
        QTest::newRow("ftp") << u"ftp://vm"_s << QString();
        QTest::newRow("no host") << u"http://"_s << QString();
        QTest::newRow("empty") << QString() << QString();
    }
    void importUrl()
    {
        QFETCH(QString, text);
        QFETCH(QString, url);
        const QUrl parsed = PromPusher::importUrl(text);
        QCOMPARE(parsed.isValid() ? parsed.toString() : QString(), url);
    }

    void parseSize_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("bytes");
        QTest::newRow("MiB") << u"64MiB"_s << 64LL * 1024 * 1024;
        QTest::newRow("KiB") << u"16KiB"_s << 16LL * 1024;
        QTest::newRow("M") << u"2M"_s << 2LL * 1024 * 1024;
        QTest::newRow("GB") << u"1GB"_s << 1024LL * 1024 * 1024;
        QTest::newRow("bytes") << u"65536"_s << 65536LL;
        QTest::newRow("too small") << u"12"_s << -1LL;
        QTest::newRow("too large") << u"17GiB"_s << -1LL;
        QTest::newRow("fraction") << u"1.5MiB"_s << -1LL;
        QTest::newRow("negative") << u"-1MiB"_s << -1LL;
        QTest::newRow("word") << u"lots"_s << -1LL;
    }
    void parseSize()
    {
        QFETCH(QString, text);
        QFETCH(qint64, bytes);
        QCOMPARE(PromPusher::parseSize(text).value_or(-1), bytes);
    }
};

QTEST_GUILESS_MAIN(TestPushQueue)
#include "tst_pushqueue.moc"
