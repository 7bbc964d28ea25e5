// SPDX-License-Identifier: GPL-3.0-or-later
// Real StatsD clients against the real collector: Debian's python3-statsd, nc, and a Unix datagram sender.
#include "collectorprocess.h"

#include <QCoreApplication>
#include <QTest>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace perfdash;
using namespace perfdash::test;
using namespace Qt::Literals::StringLiterals;

namespace {
const SeriesStats *waitFor(LiveReader &live, const QString &key, QVector<LiveFrame> *all = nullptr)
{
    static QVector<LiveFrame> frames;
    frames = live.readUntil([&](const LiveFrame &f) { return findSeries({ f }, key) != nullptr; });
    if (all)
        *all = frames;
    return findSeries(frames, key);
}
} // namespace

class TestClientsE2E : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pythonStatsdClient()
    {
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start());
        LiveReader live;
        QVERIFY(live.connectTo(collector.livePath));
        const QString script = uR"(
import statsd, sys
c = statsd.StatsClient('127.0.0.1', int(sys.argv[1]), prefix='py')
for ms in (5, 10, 15, 20):
    c.timing('latency', ms)
c.incr('requests', 3)
c.gauge('temperature', 20)
c.gauge('temperature', -2, delta=True)
c.gauge('below', -7)
)"_s;
        QProcess py;
        py.start(debianPython, { u"-c"_s, script, QString::number(collector.udpPort) });
        QVERIFY(py.waitForFinished(20000));
        QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());

        QVector<LiveFrame> frames;
        QVERIFY(waitFor(live, u"py.below"_s, &frames));
        frames += live.readUntil([](const LiveFrame &) { return true; }, 1500); // the same burst may span two seconds
        qint64 timerCount = 0;
        double timerMax = 0;
        qint64 requests = 0;
        double temperature = 0, below = 0;
        for (const auto &f : frames) {
            for (const auto &s : f.series) {
                if (s.key == u"py.latency"_s) {
                    timerCount += s.count;
                    timerMax = std::max(timerMax, s.max);
                } else if (s.key == u"py.requests"_s) {
                    requests += s.count;
                } else if (s.key == u"py.temperature"_s) {
                    temperature = s.last;
                } else if (s.key == u"py.below"_s) {
                    below = s.last;
                }
            }
        }
        QCOMPARE(timerCount, 4);
        QCOMPARE(timerMax, 20.0);
        QCOMPARE(requests, 3);
        QCOMPARE(temperature, 18.0); // 20, then a delta of -2
        QCOMPARE(below, -7.0); // python-statsd sends "0|g" then "-7|g": a delta from zero
    }

    void hotShots_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::newRow("udp") << u"udp"_s;
        QTest::newRow("uds") << u"uds"_s;
    }
    void hotShots()
    {
        QFETCH(QString, mode);
        const QString dirOfClient = QDir(qEnvironmentVariable("PERFDASH_SOURCE_DIR")).filePath(u"tests/clients/node"_s);
        if (!QFileInfo::exists(dirOfClient + u"/node_modules/hot-shots/package.json"_s)) {
            // The README's test command installs it and sets PERFDASH_REQUIRE_CLIENTS, so there a missing client fails;
            // a developer's own ctest run skips it.
            if (qEnvironmentVariableIntValue("PERFDASH_REQUIRE_CLIENTS") == 1)
                QFAIL("hot-shots is not installed: run `npm ci` in tests/clients/node (tools/dev/test.sh does)");
            QSKIP("hot-shots is not installed: run `npm ci` in tests/clients/node to run this test");
        }
        if (mode == u"uds"_s
            && !QFileInfo::exists(dirOfClient + u"/node_modules/unix-dgram/build/Release/unix_dgram.node"_s))
            QSKIP("unix-dgram did not build here, so hot-shots cannot use a Unix socket");
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start());
        LiveReader live;
        QVERIFY(live.connectTo(collector.livePath));
        QProcess node;
        node.setWorkingDirectory(dirOfClient);
        node.start(u"node"_s,
            { u"send.js"_s, mode,
                mode == u"udp"_s ? QString::number(collector.udpPort)
                                 : QDir(collector.runtimeDir).filePath(u"dsd.socket"_s) });
        QVERIFY(node.waitForFinished(20000));
        QVERIFY2(node.exitCode() == 0, node.readAllStandardError().constData());

        QVector<LiveFrame> frames;
        waitFor(live, u"node.payload|service:checkout"_s, &frames);
        frames += live.readUntil([](const LiveFrame &) { return true; }, 1500);
        qint64 timers = 0, requests = 0;
        double queue = 0, payloadMin = 0;
        for (const auto &f : frames) {
            for (const auto &s : f.series) {
                if (s.key == u"node.latency|model:m1,service:checkout"_s)
                    timers += s.count;
                else if (s.key == u"node.requests|service:checkout,status:ok"_s)
                    requests += s.count;
                else if (s.key == u"node.queue|service:checkout"_s)
                    queue = s.last;
                else if (s.key == u"node.payload|service:checkout"_s)
                    payloadMin = s.min;
            }
        }
        QCOMPARE(timers, 4);
        QCOMPARE(requests, 5);
        QCOMPARE(queue, 4.0);
        QCOMPARE(payloadMin, -1.5);
    }

    void nativeRecordsOverIngestSocket()
    {
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start());
        LiveReader live;
        QVERIFY(live.connectTo(collector.livePath));
        QLocalSocket ingest;
        ingest.connectToServer(QDir(collector.runtimeDir).filePath(u"ingest.sock"_s));
        QVERIFY(ingest.waitForConnected(5000));
        ingest.write(
            R"({"type":"metric","name":"api.latency","kind":"timer","value":12.5,"tags":{"model":"m1"}})"
            "\n"
            "{not json}\n"
            R"({"type":"metric","name":"api.latency","kind":"timer","value":7.5,"tags":{"model":"m1"}})"
            "\n"
            R"({"type":"run","workflow":"infer","start":1.0,"end":3.5,"success":true,"steps":[{"name":"predict","start":1.0,"elapsed_s":2.0}]})"
            "\n");
        QVERIFY(ingest.waitForBytesWritten(5000));
        QVector<LiveFrame> frames;
        waitFor(live, u"api.latency|model:m1"_s, &frames);
        frames += live.readUntil([](const LiveFrame &) { return true; }, 1500);
        qint64 count = 0;
        double runMs = 0;
        for (const auto &f : frames) {
            for (const auto &st : f.series) {
                if (st.key == u"api.latency|model:m1"_s)
                    count += st.count;
                if (st.key == u"run.duration|workflow:infer"_s)
                    runMs = st.max;
            }
        }
        QCOMPARE(count, 2);
        QCOMPARE(runMs, 2500.0);
        QCOMPARE(ingest.state(), QLocalSocket::ConnectedState); // a bad record does not cost the connection
        const auto stats = statsOf(collector);
        QCOMPARE(stats.value(u"records_accepted"_s), u"3"_s);
        QCOMPARE(stats.value(u"records_rejected"_s), u"1"_s);
        QCOMPARE(stats.value(u"records_rejected_by_reason.bad_json"_s), u"1"_s);
    }

    void netcat()
    {
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start());
        LiveReader live;
        QVERIFY(live.connectTo(collector.livePath));
        QProcess sh;
        sh.start(u"sh"_s,
            { u"-c"_s, u"echo 'api.latency:12|ms|#model:m1' | nc -u -w0 127.0.0.1 %1"_s.arg(collector.udpPort) });
        QVERIFY(sh.waitForFinished(10000));
        QCOMPARE(sh.exitCode(), 0);
        const SeriesStats *s = waitFor(live, u"api.latency|model:m1"_s);
        QVERIFY(s);
        QCOMPARE(s->count, 1);
        QCOMPARE(s->max, 12.0);
    }

    void unixDatagramSenderBecomesASource()
    {
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start());
        LiveReader live;
        QVERIFY(live.connectTo(collector.livePath));
        const QString path = QDir(collector.runtimeDir).filePath(u"dsd.socket"_s);
        QFileInfo info(path);
        QVERIFY(info.exists());
        QCOMPARE(
            int(info.permissions() & (QFile::ReadOther | QFile::WriteOther | QFile::ReadGroup | QFile::WriteGroup)), 0);
        QCOMPARE(int(QFileInfo(collector.runtimeDir).permissions() & (QFile::ReadOther | QFile::ExeOther)), 0);
        QCOMPARE(int(QFileInfo(collector.livePath).permissions()
                     & (QFile::ReadOther | QFile::WriteOther | QFile::ReadGroup | QFile::WriteGroup)),
            0);

        const int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
        sockaddr_un addr {};
        addr.sun_family = AF_UNIX;
        const QByteArray native = path.toLocal8Bit();
        std::memcpy(addr.sun_path, native.constData(), size_t(native.size()));
        const QByteArray payload = "uds.latency:7|ms|#model:m2\nuds.latency:9|ms|#model:m2";
        QCOMPARE(::sendto(fd, payload.constData(), size_t(payload.size()), 0, reinterpret_cast<sockaddr *>(&addr),
                     sizeof(addr)),
            ssize_t(payload.size()));
        ::close(fd);
        const SeriesStats *s = waitFor(live, u"uds.latency|model:m2"_s);
        QVERIFY(s);
        QCOMPARE(s->count, 2);
        const auto stats = statsOf(collector);
        const QString sourceKey = u"sources."_s % QFileInfo(QCoreApplication::applicationFilePath()).fileName().left(15)
            % u'[' % QString::number(QCoreApplication::applicationPid()) % u']';
        QVERIFY2(stats.value(sourceKey) == u"1"_s, qPrintable(stats.keys().join(u' ')));
        QCOMPARE(stats.value(u"storage.full"_s), u"false"_s); // storage health rides along in the stats
        QCOMPARE(stats.value(u"storage.dropped_frames"_s), u"0"_s);
    }
};

QTEST_GUILESS_MAIN(TestClientsE2E)
#include "tst_clients_e2e.moc"
