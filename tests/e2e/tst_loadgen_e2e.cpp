// SPDX-License-Identifier: GPL-3.0-or-later
// perfdash-loadgen --scenario demo against a real perfdashd: --duration ends it, without it the feed runs until
// SIGTERM; its records reach the collector of --runtime-dir (runs, operations, each model's process samples from a
// process of its own); one feed per runtime folder, and a killed feed's lock never blocks the next.
#include "collectorprocess.h"
#include "processtree.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace perfdash;
using namespace perfdash::test;
using namespace Qt::Literals::StringLiterals;

namespace {

void startDemo(QProcess &loadgen, const CollectorProcess &collector, const QStringList &extra = {})
{
    loadgen.start(binary(u"perfdash-loadgen"_s),
        QStringList { u"--scenario"_s, u"demo"_s, u"--udp"_s, u"127.0.0.1:%1"_s.arg(collector.udpPort),
            u"--runtime-dir"_s, collector.runtimeDir }
            + extra);
}

QString lockHolder(const CollectorProcess &collector)
{
    QFile lock(QDir(collector.runtimeDir).filePath(u"demo-feed.lock"_s));
    return lock.open(QIODevice::ReadOnly) ? QString::fromUtf8(lock.readAll()) : QString();
}

} // namespace

class TestLoadgenE2E : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void durationEndsTheFeed()
    {
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start({ u"--no-sampling"_s }));
        QProcess loadgen;
        QElapsedTimer clock;
        clock.start();
        startDemo(loadgen, collector, { u"--duration"_s, u"2s"_s });
        QVERIFY(loadgen.waitForFinished(15000));
        QVERIFY2(clock.elapsed() >= 1900 && clock.elapsed() < 12000, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(loadgen.exitStatus(), QProcess::NormalExit);
        QCOMPARE(loadgen.exitCode(), 0);
        const QString out = QString::fromUtf8(loadgen.readAllStandardOutput());
        QVERIFY2(out.contains(u"records_dropped 0"_s), qPrintable(out));
        // 200 requests/s for 2 s.
        const qint64 requests = out.section(u"requests "_s, 1).section(u'\n', 0, 0).toLongLong();
        QVERIFY2(requests >= 300 && requests <= 500, qPrintable(out));
    }

    void runsUntilStoppedAndFeedsItsCollector()
    {
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start({ u"--no-sampling"_s }));
        LiveReader live;
        QVERIFY(live.connectTo(collector.livePath));
        QProcess loadgen;
        startDemo(loadgen, collector, { u"--runs-per-s"_s, u"5"_s });
        QVERIFY(loadgen.waitForStarted(5000));

        // Each model's samples come from its own process: bert-base's holds 96 MB (the loadgen far less).
        int requestFrames = 0;
        double bertRss = 0;
        live.readUntil(
            [&](const LiveFrame &frame) {
                for (const SeriesStats &s : frame.series) {
                    if (s.key == u"inference.latency|model:resnet50"_s)
                        ++requestFrames;
                    if (s.key.startsWith(u"process.rss_mb|model:bert-base,pid:"_s))
                        bertRss = s.last;
                }
                return requestFrames >= 5 && bertRss > 0;
            },
            30000);
        QVERIFY2(requestFrames >= 5, qPrintable(QString::number(requestFrames)));
        QVERIFY2(bertRss >= 90 && bertRss < 300, qPrintable(QString::number(bertRss)));
        QCOMPARE(loadgen.state(), QProcess::Running); // no duration: still feeding after the frames above

        const QVector<qint64> workers = childrenOf(loadgen.processId(), u"model-"_s);
        QCOMPARE(workers.size(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(rowCount(collector.dbPath, u"runs"_s) > 0, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(rowCount(collector.dbPath, u"operations"_s) > 0, 20000);

        loadgen.terminate();
        QVERIFY(loadgen.waitForFinished(10000));
        QCOMPARE(loadgen.exitStatus(), QProcess::NormalExit);
        QCOMPARE(loadgen.exitCode(), 0);
        for (qint64 pid : workers)
            QTRY_VERIFY_WITH_TIMEOUT(!running(pid), 5000);
    }

    void oneFeedPerRuntimeFolder()
    {
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start({ u"--no-sampling"_s }));
        QProcess first;
        startDemo(first, collector);
        QVERIFY(first.waitForStarted(5000));
        QTRY_COMPARE_WITH_TIMEOUT(lockHolder(collector), QString::number(first.processId()), 10000);

        QProcess second;
        startDemo(second, collector);
        QVERIFY(second.waitForFinished(10000));
        QCOMPARE(second.exitCode(), 3);
        const QString message = QString::fromUtf8(second.readAllStandardError());
        QVERIFY2(message.contains(u"already runs"_s) && message.contains(QString::number(first.processId())),
            qPrintable(message));

        // Killed outright: the kernel drops the lock, and its model workers end with it.
        QTRY_COMPARE_WITH_TIMEOUT(childrenOf(first.processId(), u"model-"_s).size(), 2, 10000);
        const QVector<qint64> workers = childrenOf(first.processId(), u"model-"_s);
        first.kill();
        QVERIFY(first.waitForFinished(5000));
        for (qint64 pid : workers)
            QTRY_VERIFY_WITH_TIMEOUT(!running(pid), 5000);
        QProcess third;
        startDemo(third, collector);
        QVERIFY(third.waitForStarted(5000));
        QTRY_COMPARE_WITH_TIMEOUT(lockHolder(collector), QString::number(third.processId()), 10000);
        QCOMPARE(third.state(), QProcess::Running);
        third.terminate();
        QVERIFY(third.waitForFinished(10000));
        QCOMPARE(third.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestLoadgenE2E)
#include "tst_loadgen_e2e.moc"
