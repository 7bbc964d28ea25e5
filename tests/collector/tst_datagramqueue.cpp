// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/datagramqueue.h"

#include <QTest>

#include <atomic>
#include <thread>

using namespace perfdash;

class TestDatagramQueue : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void entriesComeBackInOrderWithTheirCredentials()
    {
        DatagramQueue queue(1 << 20, 4096);
        auto block = queue.acquire();
        QVERIFY(block);
        QVERIFY(block->append({ "a:1|c", false, 0, 0 }));
        QVERIFY(block->append({ "", true, 4242, 1000 }));
        QVERIFY(block->append({ "b:22|ms", true, 7, 0 }));
        QVERIFY(queue.isIdle());
        QVERIFY(queue.submit(std::move(block))); // the queue was empty: the reader must be woken
        QVERIFY(!queue.isIdle());
        QCOMPARE(queue.queuedBytes(), 32 + 24 + 32); // headers of 24 bytes, entries padded to 8
        auto taken = queue.take(8);
        QCOMPARE(taken.size(), size_t(1));
        QList<DatagramQueue::Entry> got;
        QList<QByteArray> payloads;
        taken.front()->forEach([&](const DatagramQueue::Entry &e) {
            got.push_back(e);
            payloads.push_back(e.payload.toByteArray());
        });
        QCOMPARE(payloads, (QList<QByteArray> { "a:1|c", "", "b:22|ms" }));
        QCOMPARE(got[0].hasCredentials, false);
        QCOMPARE(got[1].hasCredentials, true);
        QCOMPARE(got[1].pid, 4242);
        QCOMPARE(got[1].uid, quint32(1000));
        QCOMPARE(got[2].pid, 7);
        QCOMPARE(queue.queuedBytes(), 0);
        QCOMPARE(queue.peakBytes(), 32 + 24 + 32);
    }

    void aFullBlockRefusesTheEntryThatDoesNotFit()
    {
        DatagramQueue::Block block(80);
        const QByteArray twenty(20, 'x'); // a 24-byte header + 20, padded to 48
        QVERIFY(block.append({ twenty, false, 0, 0 }));
        QCOMPARE(block.used(), 48);
        QVERIFY(!block.append({ twenty, false, 0, 0 })); // 96 > 80
        QCOMPARE(block.used(), 48);
        QVERIFY(block.append({ QByteArray(8, 'y'), false, 0, 0 })); // 48 + 32 = 80 fits exactly
        QCOMPARE(block.used(), 80);
    }

    void submitWakesOnlyWhenTheQueueWasEmpty()
    {
        DatagramQueue queue(1 << 20, 4096);
        auto one = queue.acquire();
        auto two = queue.acquire();
        one->append({ "x", false, 0, 0 });
        two->append({ "y", false, 0, 0 });
        QVERIFY(queue.submit(std::move(one)));
        QVERIFY(!queue.submit(std::move(two)));
        auto taken = queue.take(1);
        QCOMPARE(taken.size(), size_t(1));
        QVERIFY(!queue.isIdle());
        queue.recycle(std::move(taken));
        QCOMPARE(queue.take(8).size(), size_t(1));
        QVERIFY(queue.isIdle());
    }

    void theWriterWaitsAtTheBoundUntilTheReaderFreesABlock()
    {
        // Two blocks at most: one filled and queued, one being filled; a third must wait for room.
        DatagramQueue queue(2 * 4096, 4096);
        auto first = queue.acquire();
        auto second = queue.acquire();
        QVERIFY(first && second);
        first->append({ "first", false, 0, 0 });
        queue.submit(std::move(first));
        std::atomic<bool> gotThird { false };
        std::thread writer([&] {
            auto third = queue.acquire();
            gotThird = third != nullptr;
        });
        // The writer is blocked: wait until it has been counted as waiting (an event, not a time).
        QTRY_COMPARE(queue.fullWaits(), quint64(1));
        QVERIFY(!gotThird);
        queue.recycle(queue.take(1));
        writer.join();
        QVERIFY(gotThird);
    }

    void closeReleasesAWaitingWriter()
    {
        DatagramQueue queue(2 * 4096, 4096);
        auto first = queue.acquire();
        auto second = queue.acquire();
        std::atomic<int> result { -1 };
        std::thread writer([&] { result = queue.acquire() ? 1 : 0; });
        QTRY_COMPARE(queue.fullWaits(), quint64(1));
        queue.close();
        writer.join();
        QCOMPARE(result.load(), 0);
        QVERIFY(!queue.acquire());
    }
};

QTEST_GUILESS_MAIN(TestDatagramQueue)
#include "tst_datagramqueue.moc"
