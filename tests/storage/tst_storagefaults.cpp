// SPDX-License-Identifier: GPL-3.0-or-later
// Storage faults in one process: a full disk (PRAGMA max_page_count), a database locked by another connection, and a
// writer that cannot keep up (the bounded queue drops and counts). kill -9 is in tests/e2e/tst_storage_e2e.cpp.
#include "storage/database.h"
#include "storage/historyquery.h"
#include "storage/storagewriter.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QScopeGuard>

#include <cerrno>
#include <cstring>

#include <sys/mount.h>
#include <unistd.h>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

// One second of `series` counters named c0..cN, each counting `value`.
QVector<LiveFrame> counters(qint64 second, int series, qint64 value = 1)
{
    LiveFrame frame;
    frame.second = second;
    for (int i = 0; i < series; ++i) {
        SeriesStats s;
        s.key = u"fault.counter|n:"_s % QString::number(i);
        s.kind = MetricKind::Counter;
        s.count = value;
        s.rate = double(value);
        s.sum = double(value);
        frame.series.push_back(s);
    }
    return { frame };
}

qint64 storedTotal(const QString &path)
{
    const QString name = u"check-"_s % QString::number(quintptr(QThread::currentThreadId())) % u'-'
        % QString::number(QDateTime::currentMSecsSinceEpoch());
    qint64 total = -1;
    if (Database::openReadOnly(name, path).ok) {
        HistoryQuery query(name);
        QVector<SeriesInfo> series;
        if (query.seriesList(&series, nullptr)) {
            total = 0;
            for (const auto &info : series) {
                SeriesWindow w;
                if (query.window(info, 0, 1LL << 40, 1, &w, nullptr))
                    for (const auto &p : w.points)
                        total += p.point.count;
            }
        }
    }
    Database::close(name);
    return total;
}

qint64 pageCount(const QString &path)
{
    qint64 pages = -1;
    {
        auto db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"pages"_s);
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(u"PRAGMA page_count"_s) && q.next())
                pages = q.value(0).toLongLong();
        }
    }
    QSqlDatabase::removeDatabase(u"pages"_s);
    return pages;
}

StorageOptions manualFlush()
{
    StorageOptions o;
    o.flushIntervalMs = 3600LL * 1000;
    o.flushOnPost = false; // the test flushes by hand
    o.busyTimeoutMs = 50;
    o.baselineIntervalMs = 0; // no background job may take the writer while a test holds a lock
    return o;
}

} // namespace

class TestStorageFaults : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aHealthyDatabaseLockedByAnotherProgramIsNeverMovedAside()
    {
        // As `sqlite3 DB` with `PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE;` does while perfdashd starts.
        QTemporaryDir dir;
        const QString path = dir.filePath(u"perfdash.db"_s);
        {
            StorageThread storage(path, manualFlush());
            QVERIFY(storage.start().ok);
            storage.post(counters(1000, 3, 7));
        }
        {
            auto other = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"other-program"_s);
            other.setDatabaseName(path);
            QVERIFY(other.open());
            QSqlQuery q(other);
            QVERIFY(q.exec(u"PRAGMA locking_mode=EXCLUSIVE"_s));
            QVERIFY2(q.exec(u"BEGIN EXCLUSIVE"_s), qPrintable(q.lastError().text()));
            QVERIFY(q.exec(u"SELECT count(*) FROM series"_s) && q.next());

            const auto direct = Database::openWritable(u"locked"_s, path, 100);
            Database::close(u"locked"_s);
            QVERIFY(!direct.ok);
            QVERIFY2(direct.error.contains(path) && direct.error.contains(u"locked by another program"_s),
                qPrintable(direct.error));
            QVERIFY(direct.notice.isEmpty());
            StorageThread storage(path, manualFlush()); // what perfdashd starts with
            const auto opened = storage.start();
            QVERIFY(!opened.ok);
            QVERIFY2(opened.error.contains(u"locked by another program"_s), qPrintable(opened.error));
            QCOMPARE(QDir(dir.path()).entryList({ u"*corrupt*"_s }), QStringList());
            QVERIFY(QFile::exists(path));
            QVERIFY(q.exec(u"COMMIT"_s));
        }
        QSqlDatabase::removeDatabase(u"other-program"_s);
        // Once the other program is gone, the same file opens and holds what it held.
        QCOMPARE(storedTotal(path), qint64(21));
        const auto again = Database::openWritable(u"again"_s, path, 100);
        Database::close(u"again"_s);
        QVERIFY2(again.ok, qPrintable(again.error));
        QVERIFY(again.notice.isEmpty());
    }

    void aFileThatIsNotADatabaseIsStillMovedAside()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"perfdash.db"_s);
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray(8192, 'x'));
        }
        const auto result = Database::openWritable(u"notadb"_s, path, 100);
        Database::close(u"notadb"_s);
        QVERIFY2(result.ok, qPrintable(result.error));
        QVERIFY2(result.notice.contains(u"corrupt"_s) && result.notice.contains(u"not a database"_s),
            qPrintable(result.notice));
        QCOMPARE(QDir(dir.path()).entryList({ u"perfdash.db.corrupt-*"_s }).size(), 1);
    }

    void diskFullKeepsIngestRunningAndResumesWhenSpaceReturns()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"full.db"_s);
        StorageOptions options = manualFlush();
        options.queueCapacity = 2000;
        StorageThread storage(path, options);
        QVERIFY(storage.start().ok);
        storage.post(counters(6000, 50));
        QVERIFY(storage.flush());
        QVERIFY(!storage.storageFull());

        // No room for a single new page: the next flush fails with SQLITE_FULL.
        storage.setMaxPageCount(pageCount(path));
        qint64 posted = 50;
        for (qint64 s = 6001; s < 6040; ++s) {
            storage.post(counters(s * 60, 50)); // a new chunk every time: new pages needed
            posted += 50;
        }
        QVERIFY(!storage.flush());
        QVERIFY(storage.storageFull());
        QVERIFY(storage.counters().failedFlushes.load() >= 1);
        // Ingest goes on while the disk is full; what does not fit the queue is dropped and counted.
        for (qint64 s = 7000; s < 7100; ++s) {
            storage.post(
                counters(s * 60, 50)); // a mutex, never the disk (aStalledWriterDropsAndCountsInsteadOfBlocking)
            posted += 50;
        }
        QVERIFY(!storage.flush());
        QVERIFY(storage.storageFull());
        QVERIFY(storage.droppedFrames() > 0);
        QCOMPARE(qint64(storage.droppedValues()), qint64(storage.droppedFrames()) * 50);

        // Space returns: the kept state and the queue are written, and the flag clears.
        storage.setMaxPageCount(0);
        QVERIFY(storage.flush()); // the retried state
        QVERIFY(storage.flush()); // the queue
        QVERIFY(!storage.storageFull());
        QCOMPARE(storedTotal(path), posted - qint64(storage.droppedValues()));
    }

    void aRealFullDiskIsReportedAsFull()
    {
        // max_page_count (above) fails inside a statement; a real full disk fails when the WAL grows, at COMMIT, where
        // QSqlDatabase::commit() used to drop SQLite's code, so the writer never said the disk was full.
        if (::getuid() != 0)
            QSKIP("needs root, to mount a small tmpfs");
        QTemporaryDir dir;
        const QString mountPoint = dir.filePath(u"small"_s);
        QVERIFY(QDir().mkpath(mountPoint));
        if (::mount("tmpfs", mountPoint.toLocal8Bit().constData(), "tmpfs", 0, "size=2m") != 0)
            QSKIP(qPrintable(u"cannot mount a tmpfs here: "_s % QString::fromLocal8Bit(std::strerror(errno))));
        const auto unmount = qScopeGuard([&]() { ::umount2(mountPoint.toLocal8Bit().constData(), MNT_DETACH); });
        const QString path = QDir(mountPoint).filePath(u"full.db"_s);
        qint64 posted = 0;
        {
            StorageOptions options = manualFlush();
            options.queueCapacity = 100000;
            StorageThread storage(path, options);
            QVERIFY(storage.start().ok);
            storage.post(counters(6000, 50));
            posted += 50;
            QVERIFY(storage.flush());
            // Fill what is left of the disk.
            QFile filler(QDir(mountPoint).filePath(u"filler"_s));
            QVERIFY(filler.open(QIODevice::WriteOnly | QIODevice::Unbuffered));
            const QByteArray block(4096, 'x');
            while (filler.write(block) == block.size()) {
            }
            filler.close();
            for (qint64 s = 6001; s < 6100; ++s) {
                storage.post(counters(s * 60, 50));
                posted += 50;
            }
            QVERIFY(!storage.flush());
            QVERIFY(storage.storageFull());
            QVERIFY(!storage.locked());
            // Space returns: everything kept is written and the flag clears.
            QVERIFY(filler.remove());
            QVERIFY(storage.flush());
            QVERIFY(storage.flush());
            QVERIFY(!storage.storageFull());
            QCOMPARE(storage.droppedFrames(), 0u);
        }
        QCOMPARE(storedTotal(path), posted);
    }

    void lockedDatabaseIsRetriedAndLosesNothing()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"locked.db"_s);
        StorageThread storage(path, manualFlush());
        QVERIFY(storage.start().ok);
        storage.post(counters(1000, 10));
        QVERIFY(storage.flush());

        // Another connection (as another process would) takes the write lock and keeps it.
        {
            auto other = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"other"_s);
            other.setDatabaseName(path);
            QVERIFY(other.open());
            QSqlQuery lock(other);
            QVERIFY2(lock.exec(u"BEGIN EXCLUSIVE"_s), qPrintable(lock.lastError().text()));
            QVERIFY(lock.exec(u"INSERT INTO events(time, title) VALUES (1, 'held')"_s));
            qint64 posted = 10;
            for (qint64 s = 1001; s < 1010; ++s) {
                storage.post(counters(s, 10));
                posted += 10;
                QVERIFY(!storage.flush());
                QVERIFY(storage.locked());
            }
            QCOMPARE(storage.droppedFrames(), quint64(0));
            QVERIFY(lock.exec(u"COMMIT"_s));
            QVERIFY(storage.flush());
            QVERIFY(storage.flush());
            QVERIFY(!storage.locked());
            QCOMPARE(storedTotal(path), posted);
        }
        QSqlDatabase::removeDatabase(u"other"_s);
    }

    void theQueueGivesUpProvisionalFramesBeforeFinalOnes()
    {
        // As perfdashd posts: each tick the provisional frame of the second that just ended and a final frame.
        const auto tick = [](qint64 provisional, qint64 final, int series) {
            QVector<LiveFrame> post = counters(provisional, series);
            post.front().provisional = true;
            if (final > 0)
                post += counters(final, series);
            return post;
        };
        const auto queued = [](FrameQueue &q) {
            QStringList out;
            for (const LiveFrame &f : q.takeAll())
                out << QString::number(f.second) + (f.provisional ? u"p"_s : u"f"_s);
            return out;
        };
        StorageCounters c;
        FrameQueue queue(100, &c);
        QVERIFY(queue.push(tick(10, 0, 40)));
        QVERIFY(queue.push(tick(11, 10, 40))); // 10p is superseded by 10f
        QCOMPARE(c.provisionalSkipped.load(), quint64(40));
        QVERIFY(queue.push(tick(12, 11, 40))); // 11p superseded; 12p does not fit, 11f does
        QCOMPARE(c.provisionalSkipped.load(), quint64(120));
        QVERIFY(!queue.push(tick(13, 12, 40))); // 12f does not fit either: lost and counted
        QCOMPARE(c.droppedFrames.load(), quint64(1));
        QCOMPARE(c.droppedValues.load(), quint64(40));
        QCOMPARE(c.provisionalSkipped.load(), quint64(160));
        QCOMPARE(queued(queue), QStringList({ u"10f"_s, u"11f"_s }));

        // A post larger than the whole capacity still goes into an empty queue, its final frames at least.
        QVERIFY(queue.push(tick(21, 20, 80)));
        QCOMPARE(c.provisionalSkipped.load(), quint64(240));
        QVERIFY(!queue.push(tick(22, 21, 80)));
        QCOMPARE(c.droppedValues.load(), quint64(120));
        QCOMPARE(queued(queue), QStringList({ u"20f"_s }));
        QVERIFY(queue.push(tick(23, 22, 80)));
        QCOMPARE(queue.size(), qint64(1));
        (void)queue.takeAll();

        // A refused post takes nothing away: the provisional frame of its second stays, the writer's best value for
        // that second now.
        QVERIFY(queue.push(tick(40, 39, 40)));
        QVector<LiveFrame> big = tick(41, 0, 40);
        big += counters(40, 70);
        QVERIFY(!queue.push(big));
        QCOMPARE(queued(queue), QStringList({ u"40p"_s, u"39f"_s }));
    }

    void aStalledWriterDropsAndCountsInsteadOfBlocking()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"stalled.db"_s);
        StorageOptions options = manualFlush();
        options.queueCapacity = 100;
        options.busyTimeoutMs = 600000; // the writer waits on our lock for as long as we hold it
        StorageThread storage(path, options);
        QVERIFY(storage.start().ok);
        auto other = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"staller"_s);
        other.setDatabaseName(path);
        QVERIFY(other.open());
        {
            QSqlQuery lock(other);
            QVERIFY(lock.exec(u"BEGIN EXCLUSIVE"_s));
            QVERIFY(lock.exec(u"INSERT INTO events(time, title) VALUES (1, 'held')"_s));
            storage.post(counters(1000, 40));
            // The writer thread now waits on the lock inside a flush; posting must not wait with it.
            const StorageCounters &c = storage.counters();
            const quint64 started = c.flushesStarted.load();
            QMetaObject::invokeMethod(
                storage.writer(), [w = storage.writer()]() { w->flush(); }, Qt::QueuedConnection);
            QTRY_VERIFY_WITH_TIMEOUT(c.flushesStarted.load() > started, 10000);
            for (qint64 s = 1001; s < 1011; ++s)
                storage.post(counters(s, 40)); // 400 values into a queue of 100
            // Every post returned while the writer was still inside that flush, which cannot end before we let go.
            QCOMPARE(c.flushes.load() + c.failedFlushes.load() + 1, c.flushesStarted.load());
            QVERIFY(lock.exec(u"ROLLBACK"_s));
        }
        other.close();
        other = {};
        QSqlDatabase::removeDatabase(u"staller"_s);
        QVERIFY(storage.flush());
        QVERIFY(storage.flush());
        QVERIFY(storage.droppedFrames() >= 7);
        QCOMPARE(storedTotal(path), 11LL * 40 - qint64(storage.droppedValues()));
    }
};

QTEST_GUILESS_MAIN(TestStorageFaults)
#include "tst_storagefaults.moc"
