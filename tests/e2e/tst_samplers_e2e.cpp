// SPDX-License-Identifier: GPL-3.0-or-later
// perfdashd's samplers end to end: the real executable samples the machine, --watch-pid processes and the processes
// that send to it; the gauges reach live frames and the database.
#include "collectorprocess.h"
#include "storedhistory.h"

#include <QElapsedTimer>
#include <QTest>
#include <QThread>

#include <csignal>
#include <cstring>

#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/un.h>
#include <unistd.h>

using namespace perfdash;
using namespace perfdash::test;
using namespace Qt::Literals::StringLiterals;

namespace {

QString processKey(const QString &name, qint64 pid)
{
    return name + u"|pid:"_s + QString::number(pid) + u",source:collector"_s;
}

QHash<QString, QString> stats(const QString &runtimeDir)
{
    QProcess p;
    p.start(binary(u"perfdashd"_s), { u"stats"_s, u"--runtime-dir"_s, runtimeDir });
    p.waitForFinished(10000);
    QHash<QString, QString> out;
    for (const QString &line : QString::fromUtf8(p.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts))
        out.insert(line.section(u' ', 0, 0), line.section(u' ', 1));
    return out;
}

// A child that lives until the test ends it.
class Sleeper {
public:
    Sleeper()
    {
        process.start(u"sleep"_s, { u"60"_s });
        process.waitForStarted(5000);
    }
    ~Sleeper()
    {
        process.kill();
        process.waitForFinished(5000);
    }
    qint64 pid() const { return process.processId(); }
    QProcess process;
};

} // namespace

class TestSamplersE2E : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void watchedPidAndSystemReachFramesAndStorage()
    {
        Sleeper child;
        QVERIFY(child.pid() > 0);
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QElapsedTimer sinceStart;
        sinceStart.start();
        QVERIFY2(collector.start({ u"--watch-pid"_s, QString::number(child.pid()) }), qPrintable(collector.readyLine));
        LiveReader live;
        QVERIFY(live.connectTo(collector.livePath));
        const QString rss = processKey(u"process.rss_mb"_s, child.pid());
        const auto frames = live.readUntil(
            [&](const LiveFrame &f) { return findSeries({ f }, rss) && findSeries({ f }, u"system.cpu_percent"_s); });
        // The first sample is taken at once: its second is published about a second later.
        QVERIFY2(sinceStart.elapsed() < 4000, qPrintable(QString::number(sinceStart.elapsed())));
        const SeriesStats *rssStats = findSeries(frames, rss);
        QVERIFY2(rssStats, "the watched pid's RSS never reached a frame");
        QCOMPARE(rssStats->kind, MetricKind::Gauge);
        QVERIFY(rssStats->last > 0.0 && rssStats->last < 64.0); // sleep(1) is small
        const SeriesStats *cpu = findSeries(frames, u"system.cpu_percent"_s);
        QVERIFY(cpu);
        QVERIFY(cpu->last >= 0.0 && cpu->last <= 100.0);
        for (const QString &name : { u"system.memory_used_mb"_s, u"system.memory_available_mb"_s,
                 u"system.memory_total_mb"_s, u"system.load1"_s, u"system.load5"_s, u"system.load15"_s })
            QVERIFY2(findSeries(frames, name), qPrintable(name));
        const QString threads = processKey(u"process.threads"_s, child.pid());
        const auto more = live.readUntil([&](const LiveFrame &f) { return findSeries({ f }, threads) != nullptr; });
        const SeriesStats *threadStats = findSeries(frames + more, threads);
        QVERIFY(threadStats);
        QCOMPARE(threadStats->last, 1.0);

        // The process ends: the pid is dropped quietly and counted.
        child.process.kill();
        QVERIFY(child.process.waitForFinished(5000));
        QTRY_COMPARE_WITH_TIMEOUT(stats(collector.runtimeDir).value(u"sampler.exited_pids"_s), u"1"_s, 5000);
        const auto counters = stats(collector.runtimeDir);
        QCOMPARE(counters.value(u"sampler.watched_pids"_s), u"0"_s);
        QCOMPARE(counters.value(u"sampler.gpus"_s), u"0"_s); // no GPU here: no GPU series, no error
        QCOMPARE(collector.stop(), 0);
        const QString err = QString::fromUtf8(collector.process.readAllStandardError());
        QVERIFY2(err.count(u"GPU"_s) <= 1, qPrintable(err));

        // Stored like any other series.
        QVERIFY(storedCount(collector.dbPath, u"system.cpu_percent"_s) >= 2);
        QVERIFY(storedCount(collector.dbPath, rss) >= 1);
        QCOMPARE(storedCount(collector.dbPath, u"gpu.utilization_percent|gpu:0"_s), 0);
    }

    void sourcesAreSampled()
    {
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start());
        LiveReader live;
        QVERIFY(live.connectTo(collector.livePath));
        // A StatsD sender on the Unix datagram socket, in a child of its own: SO_PASSCRED names it.
        const QByteArray dsd = QDir(collector.runtimeDir).filePath(u"dsd.socket"_s).toLocal8Bit();
        const pid_t sender = ::fork();
        QVERIFY(sender >= 0);
        if (sender == 0) {
            const int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
            sockaddr_un addr {};
            addr.sun_family = AF_UNIX;
            std::memcpy(addr.sun_path, dsd.constData(), size_t(std::min<qsizetype>(dsd.size(), 100)));
            const char payload[] = "hello.sampler:1|c";
            ::sendto(fd, payload, sizeof payload - 1, 0, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
            ::sleep(20); // stay alive to be sampled; the test ends us sooner
            ::_exit(0);
        }
        // An ingest.sock connection (SO_PEERCRED names us), carrying a `sample` record that names another pid.
        Sleeper named;
        QLocalSocket ingest;
        ingest.connectToServer(QDir(collector.runtimeDir).filePath(u"ingest.sock"_s));
        QVERIFY(ingest.waitForConnected(5000));
        ingest.write(R"({"type":"sample","pid":)" + QByteArray::number(named.pid())
            + R"(,"cpu_percent":1,"rss_mb":2,"vms_mb":3,"threads":1})" + "\n");
        QVERIFY(ingest.waitForBytesWritten(5000));

        const QStringList keys { processKey(u"process.threads"_s, sender),
            processKey(u"process.threads"_s, QCoreApplication::applicationPid()),
            processKey(u"process.rss_mb"_s, named.pid()) };
        QSet<QString> seen;
        const auto frames = live.readUntil([&](const LiveFrame &f) {
            for (const QString &key : keys) {
                if (findSeries({ f }, key))
                    seen.insert(key);
            }
            return seen.size() == keys.size();
        });
        ::kill(sender, SIGKILL);
        ::waitpid(sender, nullptr, 0);
        QVERIFY2(seen.contains(keys[0]), "the Unix datagram sender was not sampled");
        QVERIFY2(seen.contains(keys[1]), "the ingest.sock peer was not sampled");
        QVERIFY2(seen.contains(keys[2]), "the pid of a sample record was not sampled");
        QCOMPARE(findSeries(frames, keys[0])->last, 1.0);
        // The record's own figures stay a separate series: the producer's view beside the collector's.
        QVERIFY(findSeries(frames, u"process.rss_mb|pid:"_s + QString::number(named.pid())));
    }

    void samplingCanBeTurnedOff()
    {
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start({ u"--no-sampling"_s }));
        LiveReader live;
        QVERIFY(live.connectTo(collector.livePath));
        int framesSeen = 0;
        const auto frames = live.readUntil([&](const LiveFrame &) { return ++framesSeen >= 3; });
        QCOMPARE(framesSeen, 3);
        for (const auto &frame : frames) {
            for (const auto &s : frame.series)
                QVERIFY2(!s.key.startsWith(u"system."_s) && !s.key.startsWith(u"process."_s), qPrintable(s.key));
        }
        QVERIFY(!stats(collector.runtimeDir).contains(u"sampler.samples"_s));
    }

    void badSamplerOptionsSayWhy_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("pid text") << QStringList { u"--watch-pid"_s, u"abc"_s } << u"--watch-pid"_s;
        QTest::newRow("pid zero") << QStringList { u"--watch-pid"_s, u"0"_s } << u"--watch-pid"_s;
        QTest::newRow("too often") << QStringList { u"--sample-interval"_s, u"10ms"_s } << u"--sample-interval"_s;
        QTest::newRow("no unit") << QStringList { u"--sample-interval"_s, u"fast"_s } << u"--sample-interval"_s;
    }

    void badSamplerOptionsSayWhy()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(!collector.start(arguments));
        collector.process.waitForFinished(5000);
        QCOMPARE(collector.process.exitCode(), 2);
        QVERIFY(QString::fromUtf8(collector.process.readAllStandardError()).contains(message));
    }
};

QTEST_GUILESS_MAIN(TestSamplersE2E)
#include "tst_samplers_e2e.moc"
