// SPDX-License-Identifier: GPL-3.0-or-later
// perfdashd end to end: the real executable, real UDP, the real live socket, a real SQLite file.
#include "collectorprocess.h"
#include "models/quantilesketch.h"
#include "storedhistory.h"

#include <QDateTime>
#include <QFileInfo>
#include <QLocalServer>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <csignal>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace perfdash;
using namespace perfdash::test;
using namespace Qt::Literals::StringLiterals;

namespace {
// Sends start in the first part of a second, so a burst lands in one bucket.
void waitForEarlyInSecond()
{
    while (QDateTime::currentMSecsSinceEpoch() % 1000 > 300)
        QThread::msleep(10);
}

// What a process of another user (uid and gid 65534, "nobody") gets from the collector's three sockets: connect()'s
// errno for live.sock and ingest.sock, sendto()'s for dsd.socket (0: the kernel let it through), and whether the
// hello line came on live.sock. Runs in a forked child that drops root, so only system calls happen after the fork.
struct ForeignAttempt {
    int live = -1;
    int ingest = -1;
    int dsd = -1;
    bool gotHello = false;
};

ForeignAttempt tryAsAnotherUser(const QString &runtimeDir)
{
    const QByteArray live = QDir(runtimeDir).filePath(u"live.sock"_s).toLocal8Bit();
    const QByteArray ingest = QDir(runtimeDir).filePath(u"ingest.sock"_s).toLocal8Bit();
    const QByteArray dsd = QDir(runtimeDir).filePath(u"dsd.socket"_s).toLocal8Bit();
    int results[2];
    if (::pipe(results) != 0)
        return {};
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(results[0]);
        int out[4] = { -1, -1, -1, 0 };
        if (::setgid(65534) == 0 && ::setuid(65534) == 0) {
            const auto address = [](const QByteArray &path) {
                sockaddr_un a {};
                a.sun_family = AF_UNIX;
                std::memcpy(
                    a.sun_path, path.constData(), std::min<size_t>(size_t(path.size()), sizeof(a.sun_path) - 1));
                return a;
            };
            for (int i = 0; i < 2; ++i) {
                const sockaddr_un a = address(i == 0 ? live : ingest);
                const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
                out[i] = ::connect(fd, reinterpret_cast<const sockaddr *>(&a), sizeof(a)) == 0 ? 0 : errno;
                if (i == 0 && out[0] == 0) {
                    char byte = 0;
                    out[3] = ::read(fd, &byte, 1) == 1 ? 1 : 0; // the collector closes at once, or says hello
                } else if (i == 1 && out[1] == 0) {
                    static const char record[]
                        = "{\"type\":\"metric\",\"name\":\"foreign\",\"kind\":\"counter\",\"value\":1}\n";
                    (void)!::write(fd, record, sizeof(record) - 1);
                }
                ::close(fd);
            }
            const sockaddr_un a = address(dsd);
            const int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
            static const char line[] = "foreign:1|c";
            out[2] = ::sendto(fd, line, sizeof(line) - 1, 0, reinterpret_cast<const sockaddr *>(&a), sizeof(a)) >= 0
                ? 0
                : errno;
            ::close(fd);
        }
        (void)!::write(results[1], out, sizeof(out));
        ::_exit(0);
    }
    ::close(results[1]);
    int in[4] = { -1, -1, -1, 0 };
    // A signal (a child of Qt's ending) may interrupt the wait: read on until the child's answer is whole or it closed.
    size_t got = 0;
    while (got < sizeof(in)) {
        const ssize_t n = ::read(results[0], reinterpret_cast<char *>(in) + got, sizeof(in) - got);
        if (n > 0)
            got += size_t(n);
        else if (n == 0 || errno != EINTR)
            break;
    }
    const bool complete = got == sizeof(in);
    ::close(results[0]);
    ::waitpid(pid, nullptr, 0);
    if (!complete)
        return {};
    return { in[0], in[1], in[2], in[3] == 1 };
}

mode_t modeOf(const QString &path)
{
    struct stat st { };
    return ::stat(path.toLocal8Bit().constData(), &st) == 0 ? (st.st_mode & 07777) : mode_t(-1);
}

int countRows(const QString &dbPath, const QString &sql)
{
    int result = -1;
    {
        auto db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"check"_s);
        db.setDatabaseName(dbPath);
        db.setConnectOptions(u"QSQLITE_OPEN_READONLY"_s);
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(sql) && q.next())
                result = q.value(0).toInt();
        }
    }
    QSqlDatabase::removeDatabase(u"check"_s);
    return result;
}
} // namespace

class TestCollectorE2E : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void timerQuantilesArriveInTheNextFrame()
    {
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY2(collector.start(), qPrintable(collector.readyLine));
        QVERIFY(collector.readyLine.contains(u" db="_s % collector.dbPath));
        LiveReader live;
        QVERIFY(live.connectTo(collector.livePath));

        // 1..100 ms in shuffled order, several lines per datagram, as clients batch them.
        QVector<int> values(100);
        std::iota(values.begin(), values.end(), 1);
        std::shuffle(values.begin(), values.end(), *QRandomGenerator::global());
        waitForEarlyInSecond();
        for (int i = 0; i < values.size(); i += 10) {
            QByteArray datagram;
            for (int j = i; j < i + 10; ++j)
                datagram += "api.latency:" + QByteArray::number(values[j]) + "|ms|#model:m1\n";
            collector.send(datagram);
        }
        const QString key = u"api.latency|model:m1"_s;
        const auto frames = live.readUntil([&](const LiveFrame &f) { return findSeries({ f }, key) != nullptr; });
        const SeriesStats *s = findSeries(frames, key);
        QVERIFY2(s, "the series never reached a frame");
        QCOMPARE(s->kind, MetricKind::Timer);
        QCOMPARE(s->count, 100);
        QCOMPARE(s->min, 1.0);
        QCOMPARE(s->max, 100.0);
        QCOMPARE(s->mean(), 50.5);
        QCOMPARE(s->rate, 100.0);
        // Quantiles come from the sketch: within its relative error (1%) of rank floor(q * (n - 1)) of 1..100.
        const double alpha = QuantileSketch::kDefaultRelativeAccuracy;
        QVERIFY2(std::fabs(s->p50 - 50.0) <= alpha * 50.0, qPrintable(QString::number(s->p50)));
        QVERIFY2(std::fabs(s->p90 - 90.0) <= alpha * 90.0, qPrintable(QString::number(s->p90)));
        QVERIFY2(std::fabs(s->p95 - 95.0) <= alpha * 95.0, qPrintable(QString::number(s->p95)));
        QVERIFY2(std::fabs(s->p99 - 99.0) <= alpha * 99.0, qPrintable(QString::number(s->p99)));
        QCOMPARE(collector.stop(), 0);
    }

    void countersAndGaugesWithTags()
    {
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start());
        LiveReader live;
        QVERIFY(live.connectTo(collector.livePath));
        waitForEarlyInSecond();
        collector.send("req:1|c|#status:ok,model:m1\nreq:3|c|#model:m1,status:ok\nreq:1|c|@0.5|#model:m1,status:ok");
        collector.send("queue:5|g|#model:m1\nqueue:+2|g|#model:m1\nqueue:-4|g|#model:m1\r\n");
        // Wait for our series by name: the collector's own gauges (perfdash.*, system.*) fill other frames too.
        const auto frames = live.readUntil(
            [](const LiveFrame &f) { return findSeries({ f }, u"req|model:m1,status:ok"_s) != nullptr; });
        const SeriesStats *req = findSeries(frames, u"req|model:m1,status:ok"_s);
        QVERIFY(req);
        QCOMPARE(req->kind, MetricKind::Counter);
        QCOMPARE(req->count, 6); // 1 + 3 + 1/0.5
        const SeriesStats *queue = findSeries(frames, u"queue|model:m1"_s);
        QVERIFY(queue);
        QCOMPARE(queue->last, 3.0);
        QCOMPARE(queue->max, 7.0);
    }

    void secondCollectorOnTheSameFolderRefuses()
    {
        QTemporaryDir dir;
        CollectorProcess first(dir.path());
        QVERIFY(first.start());
        CollectorProcess second(dir.path());
        QVERIFY(!second.start());
        if (second.process.state() != QProcess::NotRunning)
            QVERIFY(second.process.waitForFinished(5000));
        QCOMPARE(second.process.exitCode(), 1);
        const QString err = QString::fromUtf8(second.process.readAllStandardError());
        QVERIFY2(err.contains(u"already running"_s), qPrintable(err));
        // The first one is unharmed.
        LiveReader live;
        QVERIFY(live.connectTo(first.livePath));
    }

    void sigtermFlushesTheOpenSecondAndHistorySurvivesRestart()
    {
        QTemporaryDir dir;
        {
            CollectorProcess collector(dir.path());
            QVERIFY(collector.start(u"--grace-ms=5000"_s.split(u' ')));
            for (int i = 0; i < 20; ++i)
                collector.send("flush.test:" + QByteArray::number(i) + "|ms");
            // Every datagram read; the long grace keeps the second open until the stop.
            QTRY_COMPARE_WITH_TIMEOUT(statsOf(collector).value(u"lines_accepted"_s), u"20"_s, 30000);
            QCOMPARE(collector.stop(), 0);
        }
        QCOMPARE(storedCount(QDir(dir.path()).filePath(u"perfdash.db"_s), u"flush.test"_s), 20);
        CollectorProcess again(dir.path());
        QVERIFY(again.start());
        QCOMPARE(countRows(again.dbPath, u"SELECT COUNT(*) FROM series WHERE key = 'flush.test'"_s), 1);
    }

    void eventsAndServiceChecksAreKeptOnTheTimeline()
    {
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start());
        collector.send("_e{6,9}:deploy|v2 rolled|t:success|#service:api\n_sc|db.primary|2|m:replica lag");
        QTRY_COMPARE_WITH_TIMEOUT(statsOf(collector).value(u"events"_s), u"2"_s, 30000); // the event and the check
        QCOMPARE(collector.stop(), 0); // the shutdown flush writes the pending events
        const QString db = QDir(dir.path()).filePath(u"perfdash.db"_s);
        QCOMPARE(countRows(db,
                     u"SELECT COUNT(*) FROM events WHERE kind = 'event' AND title = 'deploy'"
                     " AND text = 'v2 rolled' AND alert_type = 'success' AND tags = 'service:api'"_s),
            1);
        QCOMPARE(countRows(db,
                     u"SELECT COUNT(*) FROM events WHERE kind = 'service_check' AND title = 'db.primary'"
                     " AND status = 2 AND text = 'replica lag'"_s),
            1);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        QVERIFY(countRows(db, u"SELECT MIN(time) FROM events"_s) >= now - 60);
    }

    void killedCollectorIsReplacedCleanly()
    {
        QTemporaryDir dir;
        CollectorProcess first(dir.path());
        QVERIFY(first.start());
        ::kill(pid_t(first.process.processId()), SIGKILL);
        QVERIFY(first.process.waitForFinished(5000));
        // Its lock and socket files are left behind; the next collector must see they are stale.
        CollectorProcess second(dir.path());
        QVERIFY2(second.start(), qPrintable(QString::fromUtf8(second.process.readAllStandardError())));
        LiveReader live;
        QVERIFY(live.connectTo(second.livePath));
    }

    void aLiveSocketIsNeverReplaced()
    {
        QTemporaryDir dir;
        const QString runtime = QDir(dir.path()).filePath(u"run"_s);
        QVERIFY(QDir().mkpath(runtime));
        // Something answers on live.sock, but holds no lock: the collector must not steal the path.
        QLocalServer squatter;
        QVERIFY(squatter.listen(QDir(runtime).filePath(u"live.sock"_s)));
        CollectorProcess collector(dir.path());
        QVERIFY(!collector.start());
        if (collector.process.state() != QProcess::NotRunning)
            QVERIFY(collector.process.waitForFinished(5000));
        QCOMPARE(collector.process.exitCode(), 1);
        QVERIFY(QString::fromUtf8(collector.process.readAllStandardError()).contains(u"already answers"_s));
        squatter.close();
        // With the squatter gone, the stale file is replaced.
        QFile stale(QDir(runtime).filePath(u"live.sock"_s));
        QVERIFY(stale.open(QIODevice::WriteOnly));
        stale.close();
        CollectorProcess again(dir.path());
        QVERIFY(again.start());
    }

    void garbageIsCountedAndValidLinesStillCount()
    {
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start());
        LiveReader live;
        QVERIFY(live.connectTo(collector.livePath));
        auto *rng = QRandomGenerator::global();
        for (int i = 0; i < 2000; ++i) {
            QByteArray junk(int(rng->bounded(1, 600)), Qt::Uninitialized);
            for (auto &c : junk)
                c = char(rng->bounded(256));
            collector.send(junk);
            if (i % 50 == 49)
                QThread::msleep(2); // stay within the socket's receive buffer: this test is about parsing, not load
        }
        collector.send("ok.after.junk:1|c");
        const auto frames = live.readUntil([](const LiveFrame &f) { return findSeries({ f }, u"ok.after.junk"_s); });
        QVERIFY(findSeries(frames, u"ok.after.junk"_s));
        QCOMPARE(collector.process.state(), QProcess::Running);

        QProcess stats;
        stats.start(binary(u"perfdashd"_s), { u"stats"_s, u"--runtime-dir"_s, collector.runtimeDir });
        QVERIFY(stats.waitForFinished(10000));
        QCOMPARE(stats.exitCode(), 0);
        QHash<QString, qint64> counters;
        const QString out = QString::fromUtf8(stats.readAllStandardOutput());
        for (const auto &line : out.split(u'\n', Qt::SkipEmptyParts)) {
            const auto parts = line.split(u' ');
            QCOMPARE(parts.size(), 2);
            counters.insert(parts[0], parts[1].toLongLong());
        }
        QCOMPARE(counters.value(u"datagrams"_s), 2001);
        QVERIFY(counters.value(u"lines_rejected"_s) > 2000);
        QVERIFY(counters.value(u"rejected.bad_format"_s) > 0);
        QCOMPARE(counters.value(u"lines_accepted"_s) + counters.value(u"lines_rejected"_s) > 2000, true);

        // A relative --runtime-dir names the same folder, from where the command runs (it failed: "Invalid name").
        QProcess relative;
        relative.setWorkingDirectory(QFileInfo(collector.runtimeDir).path());
        relative.start(
            binary(u"perfdashd"_s), { u"stats"_s, u"--runtime-dir"_s, QFileInfo(collector.runtimeDir).fileName() });
        QVERIFY(relative.waitForFinished(10000));
        QVERIFY2(relative.exitCode() == 0, relative.readAllStandardError().constData());
        QVERIFY(relative.readAllStandardOutput().contains("datagrams 2001"));
    }

    void theCollectorTakesARelativeRuntimeDir()
    {
        QTemporaryDir dir;
        QProcess p;
        p.setWorkingDirectory(dir.path());
        p.start(binary(u"perfdashd"_s),
            { u"--db"_s, u"perfdash.db"_s, u"--runtime-dir"_s, u"rt"_s, u"--udp"_s, u"127.0.0.1:0"_s,
                u"--no-sampling"_s });
        QVERIFY(p.waitForStarted(5000));
        QDeadlineTimer deadline(10000);
        while (!p.canReadLine() && !deadline.hasExpired() && p.state() == QProcess::Running)
            p.waitForReadyRead(100);
        const QString ready = QString::fromUtf8(p.readLine()).trimmed();
        QVERIFY2(ready.contains(u" live="_s % QDir(dir.path()).filePath(u"rt/live.sock"_s)), qPrintable(ready));
        QProcess stats;
        stats.setWorkingDirectory(dir.path());
        stats.start(binary(u"perfdashd"_s), { u"stats"_s, u"--runtime-dir"_s, u"rt"_s });
        QVERIFY(stats.waitForFinished(10000));
        QVERIFY2(stats.exitCode() == 0, stats.readAllStandardError().constData());
        p.terminate();
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
    }

    void theSeriesCapIsTheCommandLinesAndRefusalsAreCounted()
    {
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start({ u"--max-series"_s, u"3"_s, u"--series-idle"_s, u"1h"_s, u"--no-sampling"_s }));
        collector.send("cap.a:1|c\ncap.b:1|c\ncap.c:1|c\ncap.d:1|c\ncap.e:1|c\ncap.a:1|c");
        QHash<QString, QString> stats;
        QTRY_COMPARE_WITH_TIMEOUT((stats = statsOf(collector)).value(u"datagrams"_s), u"1"_s, 10000);
        QCOMPARE(stats.value(u"lines_accepted"_s), u"4"_s); // cap.a twice, cap.b, cap.c
        QCOMPARE(stats.value(u"rejected.series_cap"_s), u"2"_s);
        QCOMPARE(stats.value(u"live_series"_s), u"3"_s);
        QCOMPARE(stats.value(u"series_registry.live"_s), u"3"_s);
        QCOMPARE(stats.value(u"series_registry.max_series"_s), u"3"_s);
        QCOMPARE(stats.value(u"series_registry.idle_seconds"_s), u"3600"_s);
        QCOMPARE(stats.value(u"series_registry.samples_refused.total_cap"_s), u"2"_s);
        QCOMPARE(stats.value(u"series_registry.samples_refused.source_cap"_s), u"0"_s);
    }

    void anotherUserIsRefusedOnEverySocket()
    {
        if (::getuid() != 0)
            QSKIP("needs root, to act as a second user (uid 65534) from a forked child");
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start({ u"--no-sampling"_s }));
        const QString runtime = collector.runtimeDir;
        QCOMPARE(modeOf(runtime), mode_t(0700));
        for (const auto &name : { u"live.sock"_s, u"ingest.sock"_s, u"dsd.socket"_s })
            QCOMPARE(modeOf(QDir(runtime).filePath(name)) & 077, mode_t(0)); // 0600, or 0700 from QLocalServer

        // As set up, the kernel stops another user at the runtime folder (QTemporaryDir's own 0700 opened first, so
        // that it is the runtime folder's mode that does it).
        QVERIFY(::chmod(dir.path().toLocal8Bit().constData(), 0755) == 0);
        ForeignAttempt first = tryAsAnotherUser(runtime);
        QCOMPARE(first.live, EACCES);
        QCOMPARE(first.ingest, EACCES);
        QCOMPARE(first.dsd, EACCES);

        // Opened up by mistake (or a descriptor passed on), the collector itself refuses the other user.
        QVERIFY(::chmod(runtime.toLocal8Bit().constData(), 0755) == 0);
        for (const auto &name : { u"live.sock"_s, u"ingest.sock"_s, u"dsd.socket"_s })
            QVERIFY(::chmod(QDir(runtime).filePath(name).toLocal8Bit().constData(), 0666) == 0);
        const ForeignAttempt second = tryAsAnotherUser(runtime);
        QCOMPARE(second.live, 0);
        QCOMPARE(second.ingest, 0);
        QCOMPARE(second.dsd, 0);
        QVERIFY(!second.gotHello);
        QHash<QString, QString> stats;
        QTRY_VERIFY_WITH_TIMEOUT((stats = statsOf(collector)).value(u"rejected.foreign_uid"_s) == u"1"_s
                && stats.value(u"connections_refused.ingest"_s) == u"1"_s
                && stats.value(u"connections_refused.live"_s) == u"1"_s,
            10000);
        QCOMPARE(stats.value(u"lines_accepted"_s), u"0"_s);
        QCOMPARE(stats.value(u"records_accepted"_s), u"0"_s);
    }

    void aRuntimeFolderOfAnotherUserIsRefused()
    {
        if (::getuid() != 0)
            QSKIP("needs root, to give the folder to another user");
        QTemporaryDir dir;
        const QString runtime = QDir(dir.path()).filePath(u"run"_s);
        QVERIFY(QDir().mkpath(runtime));
        QVERIFY(::chmod(runtime.toLocal8Bit().constData(), 0777) == 0);
        QVERIFY(::chown(runtime.toLocal8Bit().constData(), 65534, 65534) == 0); // made first by someone else
        CollectorProcess collector(dir.path());
        QVERIFY(!collector.start());
        if (collector.process.state() != QProcess::NotRunning)
            QVERIFY(collector.process.waitForFinished(10000));
        QCOMPARE(collector.process.exitCode(), 1);
        const QString error = QString::fromUtf8(collector.process.readAllStandardError());
        QVERIFY2(error.contains(u"is not a folder of this user"_s), qPrintable(error));
        QVERIFY(!QFileInfo::exists(QDir(runtime).filePath(u"live.sock"_s)));

        // A folder of ours with a loose mode is made private.
        QVERIFY(::chown(runtime.toLocal8Bit().constData(), 0, 0) == 0);
        CollectorProcess again(dir.path());
        QVERIFY(again.start());
        QCOMPARE(modeOf(runtime), mode_t(0700));
    }

    void badCommandLineSaysWhy_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("udp") << QStringList { u"--udp"_s, u"nonsense"_s } << u"--udp wants HOST:PORT"_s;
        QTest::newRow("max-series") << QStringList { u"--max-series"_s, u"0"_s }
                                    << u"--max-series wants a number from 1 to 100000000, not \"0\""_s;
        QTest::newRow("max-series-per-source")
            << QStringList { u"--max-series-per-source"_s, u"many"_s } << u"--max-series-per-source wants a number"_s;
        QTest::newRow("series-idle") << QStringList { u"--series-idle"_s, u"5s"_s }
                                     << u"--series-idle wants a duration of at least 10s"_s;
    }

    void badCommandLineSaysWhy()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        QProcess p;
        p.start(binary(u"perfdashd"_s), arguments);
        QVERIFY(p.waitForFinished(5000));
        QCOMPARE(p.exitCode(), 2);
        const QString error = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(error.contains(message), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestCollectorE2E)
#include "tst_collector_e2e.moc"
