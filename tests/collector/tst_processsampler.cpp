// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/processsampler.h"
#include "collector/resourcesampler.h"
#include "collector/systemsampler.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <unistd.h>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 kSecondNs = 1'000'000'000;

QByteArray pidStat(qint64 pid, quint64 utime, quint64 stime, quint64 starttime, char state = 'S')
{
    return QByteArray::number(pid) + " (odd (name) x) " + state + " 1 2 3 0 -1 4194304 99 0 0 0 "
        + QByteArray::number(utime) + ' ' + QByteArray::number(stime) + " 0 0 20 0 3 0 " + QByteArray::number(starttime)
        + " 209715200 25600 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1\n";
}

bool writeFile(const QString &path, const QByteArray &text)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(text) == text.size();
}

double valueOf(const QVector<ResourceValue> &values, const QString &key, bool *found = nullptr)
{
    for (const auto &v : values) {
        if (v.key == key) {
            if (found)
                *found = true;
            return v.value;
        }
    }
    if (found)
        *found = false;
    return std::nan("");
}

bool has(const QVector<ResourceValue> &values, const QString &key)
{
    bool found = false;
    valueOf(values, key, &found);
    return found;
}

// The helper process of procburner.cpp, with its stdout read line by line.
class Burner {
public:
    bool start(const QString &program, int mib, double seconds)
    {
        process.start(program, { QString::number(mib), QString::number(seconds) });
        return process.waitForStarted(5000) && readLine() == "ready";
    }
    ~Burner()
    {
        process.closeWriteChannel();
        if (!process.waitForFinished(5000))
            process.kill();
        process.waitForFinished(2000);
    }
    QByteArray readLine()
    {
        while (!process.canReadLine() && process.waitForReadyRead(5000)) {
        }
        return process.readLine().trimmed();
    }
    // The burner's own CPU time, by CLOCK_PROCESS_CPUTIME_ID.
    qint64 cpuNs()
    {
        process.write("t\n");
        return readLine().toLongLong();
    }
    QProcess process;
};

} // namespace

class TestProcessSampler : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cpuFromTicks();
    void exitedPid();
    void zombie();
    void reusedPid();
    void commandNamesTheProcess();
    void unreadableAndCap();
    void gpuMemory();
    void systemFromFixtures();
    void systemFirstSampleNeedsBaseline();
    void againstProcForAKnownProcess();
    void oddNameOfARealProcess();
    void exitOfARealProcess();

private:
    QTemporaryDir m_dir;
    double m_hz = 100;
};

void TestProcessSampler::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_hz = double(::sysconf(_SC_CLK_TCK));
}

void TestProcessSampler::cpuFromTicks()
{
    const QString root = m_dir.filePath(u"cpu"_s);
    QVERIFY(writeFile(root + u"/42/stat"_s, pidStat(42, 100, 50, 7777)));
    ProcessSampler sampler({ root, 16 });
    QCOMPARE(sampler.watch(42, 0), ProcessSampler::WatchResult::Added);
    QCOMPARE(sampler.watch(42, 0), ProcessSampler::WatchResult::AlreadyWatched);

    // 1.5 CPU-seconds (utime + stime) over 2 s of wall time: 75% of one core.
    QVERIFY(writeFile(root + u"/42/stat"_s, pidStat(42, 100 + quint64(m_hz), 50 + quint64(m_hz / 2), 7777)));
    QVector<ResourceValue> out;
    QVector<qint64> gone;
    sampler.sample(2 * kSecondNs, out, gone);
    QVERIFY(gone.isEmpty());
    QCOMPARE(valueOf(out, u"process.cpu_percent|pid:42,source:collector"_s), 75.0);
    QCOMPARE(valueOf(out, u"process.vms_mb|pid:42,source:collector"_s), 200.0);
    QCOMPARE(valueOf(out, u"process.rss_mb|pid:42,source:collector"_s),
        25600.0 * double(::sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0));
    QCOMPARE(valueOf(out, u"process.threads|pid:42,source:collector"_s), 3.0);
    QVERIFY(!has(out, u"process.gpu_mem_mb|pid:42,source:collector"_s)); // no GPU, no GPU series

    // Two cores busy for a second: 200%.
    QVERIFY(writeFile(root + u"/42/stat"_s, pidStat(42, 100 + quint64(3 * m_hz), 50 + quint64(m_hz / 2), 7777)));
    out.clear();
    sampler.sample(3 * kSecondNs, out, gone);
    QCOMPARE(valueOf(out, u"process.cpu_percent|pid:42,source:collector"_s), 200.0);

    // A round too soon after the last gives the memory but no CPU figure rather than tick noise.
    out.clear();
    sampler.sample(3 * kSecondNs + 10'000'000, out, gone);
    QVERIFY(!has(out, u"process.cpu_percent|pid:42,source:collector"_s));
    QVERIFY(has(out, u"process.rss_mb|pid:42,source:collector"_s));
}

void TestProcessSampler::exitedPid()
{
    const QString root = m_dir.filePath(u"exited"_s);
    QVERIFY(writeFile(root + u"/43/stat"_s, pidStat(43, 1, 1, 10)));
    ProcessSampler sampler({ root, 16 });
    QCOMPARE(sampler.watch(43, 0), ProcessSampler::WatchResult::Added);
    QVERIFY(QFile::remove(root + u"/43/stat"_s));
    QVector<ResourceValue> out;
    QVector<qint64> gone;
    sampler.sample(kSecondNs, out, gone);
    QVERIFY(out.isEmpty());
    QCOMPARE(gone, QVector<qint64> { 43 });
    SamplerCounters counters;
    sampler.addCounters(counters);
    QCOMPARE(counters.exited, 1u);
    QCOMPARE(counters.watched, 0u);
    QVERIFY(!sampler.isWatched(43));
}

void TestProcessSampler::zombie()
{
    const QString root = m_dir.filePath(u"zombie"_s);
    QVERIFY(writeFile(root + u"/44/stat"_s, pidStat(44, 1, 1, 10)));
    ProcessSampler sampler({ root, 16 });
    QCOMPARE(sampler.watch(44, 0), ProcessSampler::WatchResult::Added);
    QVERIFY(writeFile(root + u"/44/stat"_s, pidStat(44, 1, 1, 10, 'Z')));
    QVector<ResourceValue> out;
    QVector<qint64> gone;
    sampler.sample(kSecondNs, out, gone);
    QVERIFY(out.isEmpty());
    QCOMPARE(gone, QVector<qint64> { 44 });
    // A zombie is not worth watching in the first place.
    QCOMPARE(sampler.watch(44, 0), ProcessSampler::WatchResult::Unreadable);
}

void TestProcessSampler::reusedPid()
{
    const QString root = m_dir.filePath(u"reused"_s);
    QVERIFY(writeFile(root + u"/45/stat"_s, pidStat(45, 10, 10, 5000)));
    ProcessSampler sampler({ root, 16 });
    QCOMPARE(sampler.watch(45, 0), ProcessSampler::WatchResult::Added);
    // Another process got the number: a later start time and ticks that have nothing to do with ours. Left as it
    // was, the difference would read as a huge spike.
    QVERIFY(writeFile(root + u"/45/stat"_s, pidStat(45, 90000, 9000, 6000)));
    QVector<ResourceValue> out;
    QVector<qint64> gone;
    sampler.sample(kSecondNs, out, gone);
    QVERIFY(out.isEmpty());
    QCOMPARE(gone, QVector<qint64> { 45 });
    SamplerCounters counters;
    sampler.addCounters(counters);
    QCOMPARE(counters.reused, 1u);
    QCOMPARE(counters.exited, 0u);
    // Announced again, the new process starts from a fresh baseline.
    QCOMPARE(sampler.watch(45, kSecondNs), ProcessSampler::WatchResult::Added);
    QVERIFY(writeFile(root + u"/45/stat"_s, pidStat(45, 90000 + quint64(m_hz / 4), 9000, 6000)));
    out.clear();
    sampler.sample(2 * kSecondNs, out, gone);
    QCOMPARE(valueOf(out, u"process.cpu_percent|pid:45,source:collector"_s), 25.0);
}

void TestProcessSampler::commandNamesTheProcess()
{
    const QString root = m_dir.filePath(u"command"_s);
    QVERIFY(writeFile(root + u"/48/stat"_s, pidStat(48, 10, 10, 5000)));
    QVERIFY(writeFile(root + u"/48/cmdline"_s,
        QByteArray("/usr/bin/python3\0-u\0examples/inference_pipeline.py\0--runs\0"
                   "30\0",
            50)));
    QVERIFY(writeFile(root + u"/49/stat"_s, pidStat(49, 10, 10, 5000))); // no cmdline: the name from stat
    ProcessSampler sampler({ root, 16 });
    QCOMPARE(sampler.watch(48, 0), ProcessSampler::WatchResult::Added);
    QCOMPARE(sampler.watch(49, 0), ProcessSampler::WatchResult::Added);
    const QString info48 = u"process.info|command:python3 inference_pipeline.py,pid:48,source:collector"_s;
    QCOMPARE(ProcessSampler::infoKey(48, u"python3 inference_pipeline.py"_s), info48);
    QVector<ResourceValue> out;
    QVector<qint64> gone;
    for (int round = 1; round <= 2; ++round) { // every round, so every stored second knows the name
        out.clear();
        sampler.sample(round * kSecondNs, out, gone);
        QCOMPARE(valueOf(out, info48), 1.0);
        QCOMPARE(valueOf(out, u"process.info|command:odd (name) x,pid:49,source:collector"_s), 1.0);
    }
    // One info series per pid, next to the gauges: nothing else carries the name.
    QCOMPARE(
        std::count_if(out.cbegin(), out.cend(), [](const ResourceValue &v) { return v.key.contains(u"command:"_s); }),
        2);
    // A reused pid is another program: watched again, it gets its own name.
    QVERIFY(writeFile(root + u"/48/stat"_s, pidStat(48, 10, 10, 6000)));
    QVERIFY(writeFile(root + u"/48/cmdline"_s, QByteArray("node\0server.js\0", 15)));
    sampler.sample(3 * kSecondNs, out, gone);
    QCOMPARE(gone, QVector<qint64> { 48 });
    QCOMPARE(sampler.watch(48, 3 * kSecondNs), ProcessSampler::WatchResult::Added);
    out.clear();
    sampler.sample(4 * kSecondNs, out, gone);
    QVERIFY(!has(out, info48));
    QCOMPARE(valueOf(out, ProcessSampler::infoKey(48, u"node server.js"_s)), 1.0);
}

void TestProcessSampler::unreadableAndCap()
{
    const QString root = m_dir.filePath(u"cap"_s);
    for (int pid = 50; pid < 53; ++pid)
        QVERIFY(writeFile(root + u'/' + QString::number(pid) + u"/stat"_s, pidStat(pid, 1, 1, 10)));
    QVERIFY(writeFile(root + u"/60/stat"_s, "garbage\n"));
    ProcessSampler sampler({ root, 2 });
    QCOMPARE(sampler.watch(99, 0), ProcessSampler::WatchResult::Unreadable); // no such process
    QCOMPARE(sampler.watch(60, 0), ProcessSampler::WatchResult::Unreadable); // cannot parse
    QCOMPARE(sampler.watch(-1, 0), ProcessSampler::WatchResult::Unreadable);
    QCOMPARE(sampler.watch(50, 0), ProcessSampler::WatchResult::Added);
    QCOMPARE(sampler.watch(51, 0), ProcessSampler::WatchResult::Added);
    QCOMPARE(sampler.watch(52, 0), ProcessSampler::WatchResult::Full);
    SamplerCounters counters;
    sampler.addCounters(counters);
    QCOMPARE(counters.unreadable, 3u);
    QCOMPARE(counters.refused, 1u);
    QCOMPARE(counters.watched, 2u);
}

void TestProcessSampler::gpuMemory()
{
    const QString root = m_dir.filePath(u"gpu"_s);
    QVERIFY(writeFile(root + u"/46/stat"_s, pidStat(46, 1, 1, 10)));
    QVERIFY(writeFile(root + u"/47/stat"_s, pidStat(47, 1, 1, 10)));
    ProcessSampler sampler({ root, 16 });
    sampler.watch(46, 0);
    sampler.watch(47, 0);
    const QHash<qint64, double> gpu { { 46, 768.0 }, { 1, 5.0 } };
    QVector<ResourceValue> out;
    QVector<qint64> gone;
    sampler.sample(kSecondNs, out, gone, &gpu);
    QCOMPARE(valueOf(out, u"process.gpu_mem_mb|pid:46,source:collector"_s), 768.0);
    QCOMPARE(valueOf(out, u"process.gpu_mem_mb|pid:47,source:collector"_s), 0.0);
    QVERIFY(!has(out, u"process.gpu_mem_mb|pid:1,source:collector"_s)); // not a source of ours
}

void TestProcessSampler::systemFromFixtures()
{
    const QString root = m_dir.filePath(u"system"_s);
    QVERIFY(writeFile(root + u"/stat"_s, "cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 1 1 1 1\ncpu1 1 1 1 1\n"));
    QVERIFY(writeFile(root + u"/meminfo"_s,
        "MemTotal: 4194304 kB\nMemFree: 1048576 kB\nMemAvailable: 3145728 kB\n"
        "SwapTotal: 1048576 kB\nSwapFree: 524288 kB\n"));
    QVERIFY(writeFile(root + u"/loadavg"_s, "1.50 0.75 0.25 2/100 1234\n"));
    QVERIFY(writeFile(root + u"/cgroup/memory.max"_s, "2147483648\n"));
    SystemSampler sampler(root, root + u"/cgroup"_s);
    sampler.baseline();
    // 300 busy ticks out of 400: 75% of the machine.
    QVERIFY(writeFile(root + u"/stat"_s, "cpu  300 0 200 900 0 0 0 0 0 0\ncpu0 1 1 1 1\ncpu1 1 1 1 1\n"));
    QVector<ResourceValue> out;
    sampler.sample(out);
    QCOMPARE(valueOf(out, u"system.cpu_percent"_s), 75.0);
    QCOMPARE(valueOf(out, u"system.cpu_count"_s), 2.0);
    QCOMPARE(valueOf(out, u"system.memory_total_mb"_s), 4096.0);
    QCOMPARE(valueOf(out, u"system.memory_available_mb"_s), 3072.0);
    QCOMPARE(valueOf(out, u"system.memory_used_mb"_s), 1024.0);
    QCOMPARE(valueOf(out, u"system.swap_used_mb"_s), 512.0);
    QCOMPARE(valueOf(out, u"system.load1"_s), 1.5);
    QCOMPARE(valueOf(out, u"system.load5"_s), 0.75);
    QCOMPARE(valueOf(out, u"system.load15"_s), 0.25);
    QCOMPARE(valueOf(out, u"system.memory_limit_mb"_s), 2048.0);
    // No limit set: no series, rather than a limit of "max".
    QVERIFY(writeFile(root + u"/cgroup/memory.max"_s, "max\n"));
    out.clear();
    sampler.sample(out);
    QVERIFY(!has(out, u"system.memory_limit_mb"_s));
}

void TestProcessSampler::systemFirstSampleNeedsBaseline()
{
    const QString root = m_dir.filePath(u"nobaseline"_s);
    QVERIFY(writeFile(root + u"/stat"_s, "cpu  100 0 100 800 0 0 0 0 0 0\n"));
    SystemSampler sampler(root, root);
    QVector<ResourceValue> out;
    sampler.sample(out);
    QVERIFY(!has(out, u"system.cpu_percent"_s)); // nothing to difference against yet
    QVERIFY(!has(out, u"system.memory_total_mb"_s)); // no meminfo in this root: left out, no error
    out.clear();
    sampler.sample(out); // no ticks passed: still no figure rather than 0/0
    QVERIFY(!has(out, u"system.cpu_percent"_s));
    QVERIFY(writeFile(root + u"/stat"_s, "cpu  150 0 100 850 0 0 0 0 0 0\n"));
    out.clear();
    sampler.sample(out);
    QCOMPARE(valueOf(out, u"system.cpu_percent"_s), 50.0);
}

void TestProcessSampler::againstProcForAKnownProcess()
{
    // A child that touched 64 MiB, runs three threads and burns one core; the sampler reads the real /proc.
    Burner burner;
    QVERIFY(burner.start(QStringLiteral(PROCBURNER_PATH), 64, 30));
    const qint64 pid = burner.process.processId();
    ResourceSampler::Options options;
    options.nvmlLibrary.clear();
    ResourceSampler sampler(options);
    QCOMPARE(sampler.watch(pid), ProcessSampler::WatchResult::Added);
    const qint64 cpuBefore = burner.cpuNs();
    QElapsedTimer wall;
    wall.start();
    QThread::msleep(1500);
    const ResourceSample sample = sampler.sample();
    const qint64 elapsedNs = wall.nsecsElapsed();
    const qint64 cpuAfter = burner.cpuNs();

    const auto key = [pid](const QString &name) { return ProcessSampler::seriesKey(name, pid); };
    const double rss = valueOf(sample.values, key(u"process.rss_mb"_s));
    const double vms = valueOf(sample.values, key(u"process.vms_mb"_s));
    const double cpu = valueOf(sample.values, key(u"process.cpu_percent"_s));
    const double ownCpu = 100.0 * double(cpuAfter - cpuBefore) / double(elapsedNs);
    qInfo("burner: rss %.1f MiB, vms %.1f MiB, cpu %.1f%% (its own clock: %.1f%%), load %s", rss, vms, cpu, ownCpu,
        qPrintable(QString::number(valueOf(sample.values, u"system.load1"_s))));
    // 64 MiB touched, plus the program, libstdc++ and the stacks: a few MiB.
    QVERIFY2(rss >= 64.0 && rss <= 64.0 + 12.0, qPrintable(QString::number(rss)));
    QVERIFY(vms >= rss);
    QCOMPARE(valueOf(sample.values, key(u"process.threads"_s)), 3.0);
    // The sampler and the child's own clock agree within tick granularity and the few ms between the reads.
    QVERIFY2(std::abs(cpu - ownCpu) <= 10.0, qPrintable(u"%1 vs %2"_s.arg(cpu).arg(ownCpu)));
    // A spinning thread gets most of a core unless the machine is swamped; the agreement above is the real check.
    if (ownCpu > 55.0)
        QVERIFY2(cpu > 50.0, qPrintable(QString::number(cpu)));
    else
        qWarning("the burner got only %.0f%% of a core (load is high): the >50%% check is skipped", ownCpu);
    QVERIFY(has(sample.values, u"system.memory_used_mb"_s));
    QVERIFY(sample.counters.lastCostUs >= 0);
}

void TestProcessSampler::oddNameOfARealProcess()
{
    // The kernel names a process after its file: one with spaces and parentheses must parse like any other.
    const QString odd = m_dir.filePath(u"b) R (1 2"_s);
    QVERIFY(QFile::link(QStringLiteral(PROCBURNER_PATH), odd));
    Burner burner;
    QVERIFY(burner.start(odd, 1, 30));
    const qint64 pid = burner.process.processId();
    std::string text;
    QVERIFY(procfs::readFile(QString(u"/proc/"_s + QString::number(pid) + u"/stat"_s).toLocal8Bit().constData(), text));
    const auto stat = procfs::parsePidStat(text);
    QVERIFY(stat);
    QCOMPARE(stat->comm, QByteArray("b) R (1 2"));
    QCOMPARE(stat->threads, 3);
    ProcessSampler sampler;
    QCOMPARE(sampler.watch(pid, 0), ProcessSampler::WatchResult::Added);
    QVector<ResourceValue> out;
    QVector<qint64> gone;
    sampler.sample(kSecondNs, out, gone);
    QVERIFY(gone.isEmpty());
    QCOMPARE(valueOf(out, ProcessSampler::seriesKey(u"process.threads"_s, pid)), 3.0);
    QCOMPARE(valueOf(out, ProcessSampler::infoKey(pid, u"b) R (1 2"_s)), 1.0); // from its real /proc/PID/cmdline
}

void TestProcessSampler::exitOfARealProcess()
{
    ProcessSampler sampler;
    qint64 pid = 0;
    {
        Burner burner;
        QVERIFY(burner.start(QStringLiteral(PROCBURNER_PATH), 1, 30));
        pid = burner.process.processId();
        QCOMPARE(sampler.watch(pid, 0), ProcessSampler::WatchResult::Added);
    } // closing stdin ends it, and QProcess reaps it
    QVector<ResourceValue> out;
    QVector<qint64> gone;
    sampler.sample(kSecondNs, out, gone);
    QCOMPARE(gone, QVector<qint64> { pid });
    QVERIFY(out.isEmpty());
}

QTEST_GUILESS_MAIN(TestProcessSampler)
#include "tst_processsampler.moc"
