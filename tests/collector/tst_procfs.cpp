// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/procfs.h"

#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

class TestProcfs : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pidStat_data();
    void pidStat();
    void pidStatRejects_data();
    void pidStatRejects();
    void stat();
    void statOldKernel();
    void statRejects();
    void meminfo();
    void meminfoWithoutAvailable();
    void meminfoRejects();
    void loadavg();
    void readFile();
    void commandName_data();
    void commandName();
};

namespace {
// Fields 3..52 of a real /proc/PID/stat after the name, with utime 1234, stime 56, 7 threads, starttime 987654,
// vsize 104857600 and rss 2560 pages.
const QByteArray kTail = " S 1 2 3 0 -1 4194304 99 0 0 0 1234 56 0 0 20 0 7 0 987654 104857600 2560 "
                         "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
} // namespace

void TestProcfs::pidStat_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("comm");
    QTest::newRow("plain") << QByteArray("4242 (python3)" + kTail) << QByteArray("python3");
    QTest::newRow("space") << QByteArray("4242 (Web Content)" + kTail) << QByteArray("Web Content");
    QTest::newRow("parentheses") << QByteArray("4242 (a (b) c)" + kTail) << QByteArray("a (b) c");
    QTest::newRow("closing first") << QByteArray("4242 ()))" + kTail) << QByteArray("))");
    QTest::newRow("fake fields") << QByteArray("4242 (x) R 1 2 (y)" + kTail) << QByteArray("x) R 1 2 (y");
    QTest::newRow("empty") << QByteArray("4242 ()" + kTail) << QByteArray();
    QTest::newRow("utf-8") << QByteArray("4242 (t\xc3\xa2"
                                         "che)"
        + kTail)
                           << QByteArray("t\xc3\xa2"
                                         "che");
}

void TestProcfs::pidStat()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, comm);
    const auto stat = procfs::parsePidStat(text);
    QVERIFY(stat);
    QCOMPARE(stat->pid, 4242);
    QCOMPARE(stat->comm, comm);
    QCOMPARE(stat->state, 'S');
    QCOMPARE(stat->utime, 1234u);
    QCOMPARE(stat->stime, 56u);
    QCOMPARE(stat->threads, 7);
    QCOMPARE(stat->starttime, 987654u);
    QCOMPARE(stat->vsizeBytes, 104857600u);
    QCOMPARE(stat->rssPages, 2560);
}

void TestProcfs::pidStatRejects_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("no name") << QByteArray("4242" + kTail);
    QTest::newRow("no pid") << QByteArray("(x)" + kTail);
    QTest::newRow("unclosed") << QByteArray("4242 (x" + kTail.left(40));
    QTest::newRow("truncated") << QByteArray("4242 (x) S 1 2 3 0 -1 4194304 99 0 0 0 1234 56");
    QTest::newRow("bad number") << QByteArray("4242 (x) S 1 2 3 0 -1 4194304 99 0 0 0 12x4 56 0 0 20 0 7 0 9 1 2 3\n");
    QTest::newRow("long state") << QByteArray("4242 (x) SS 1 2 3 0 -1 4194304 99 0 0 0 1 56 0 0 20 0 7 0 9 1 2 3\n");
}

void TestProcfs::pidStatRejects()
{
    QFETCH(QByteArray, text);
    QVERIFY(!procfs::parsePidStat(text));
}

void TestProcfs::stat()
{
    const QByteArray text = "cpu  1000 10 300 5000 50 7 20 3 100 0\n"
                            "cpu0 500 5 150 2500 25 3 10 1 50 0\n"
                            "cpu1 500 5 150 2500 25 4 10 2 50 0\n"
                            "intr 123 0 0\nctxt 42\nbtime 1700000000\n";
    const auto cpu = procfs::parseStat(text);
    QVERIFY(cpu);
    // busy = user + nice + system + irq + softirq + steal; guest is already inside user.
    QCOMPARE(cpu->busy, 1000u + 10 + 300 + 7 + 20 + 3);
    QCOMPARE(cpu->total, cpu->busy + 5000 + 50);
    QCOMPARE(cpu->cores, 2);
}

void TestProcfs::statOldKernel()
{
    // Before 2.6.11 the line ends after irq/softirq; before 2.5.41 after idle.
    const auto cpu = procfs::parseStat("cpu 100 0 50 800\ncpu0 100 0 50 800\n");
    QVERIFY(cpu);
    QCOMPARE(cpu->busy, 150u);
    QCOMPARE(cpu->total, 950u);
    QCOMPARE(cpu->cores, 1);
}

void TestProcfs::statRejects()
{
    QVERIFY(!procfs::parseStat(""));
    QVERIFY(!procfs::parseStat("cpu0 1 2 3 4\n"));
    QVERIFY(!procfs::parseStat("cpu 1 2 3\n"));
    QVERIFY(!procfs::parseStat("cpu 1 2 x 4\n"));
}

void TestProcfs::meminfo()
{
    const QByteArray text = "MemTotal:       24683620 kB\n"
                            "MemFree:        22424748 kB\n"
                            "MemAvailable:   23121684 kB\n"
                            "Buffers:           12992 kB\n"
                            "Cached:           823484 kB\n"
                            "SwapTotal:       2097148 kB\n"
                            "SwapFree:        2000000 kB\n"
                            "HugePages_Total:       0\n";
    const auto mem = procfs::parseMeminfo(text);
    QVERIFY(mem);
    QCOMPARE(mem->totalKiB, 24683620u);
    QCOMPARE(mem->availableKiB, 23121684u);
    QCOMPARE(mem->swapTotalKiB, 2097148u);
    QCOMPARE(mem->swapFreeKiB, 2000000u);
}

void TestProcfs::meminfoWithoutAvailable()
{
    const auto mem = procfs::parseMeminfo("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 20 kB\nCached: 300 kB\n");
    QVERIFY(mem);
    QCOMPARE(mem->availableKiB, 420u);
}

void TestProcfs::meminfoRejects()
{
    QVERIFY(!procfs::parseMeminfo(""));
    QVERIFY(!procfs::parseMeminfo("MemFree: 100 kB\n"));
    QVERIFY(!procfs::parseMeminfo("MemTotal: 1000 kB\n"));
}

void TestProcfs::loadavg()
{
    const auto load = procfs::parseLoadavg("8.53 4.03 2.19 10/153 21913\n");
    QVERIFY(load);
    QCOMPARE(load->load1, 8.53);
    QCOMPARE(load->load5, 4.03);
    QCOMPARE(load->load15, 2.19);
    QVERIFY(!procfs::parseLoadavg("8.53 4.03\n"));
    QVERIFY(!procfs::parseLoadavg("8,53 4.03 2.19\n"));
}

void TestProcfs::readFile()
{
    std::string text;
    QVERIFY(procfs::readFile("/proc/self/stat", text));
    const auto stat = procfs::parsePidStat(text);
    QVERIFY(stat);
    QCOMPARE(stat->pid, QCoreApplication::applicationPid());
    QVERIFY(!procfs::readFile("/proc/0/stat", text));
}

void TestProcfs::commandName_data()
{
    QTest::addColumn<QByteArray>("cmdline");
    QTest::addColumn<QByteArray>("comm");
    QTest::addColumn<QString>("name");
    const QByteArray nul(1, '\0');
    const auto args = [&](std::initializer_list<const char *> list) {
        QByteArray out;
        for (const char *a : list)
            out += QByteArray(a) + nul;
        return out;
    };
    QTest::newRow("python script") << args(
        { "/usr/bin/python3", "-u", "examples/inference_pipeline.py", "--runs", "30" })
                                   << QByteArray("python3") << u"python3 inference_pipeline.py"_s;
    QTest::newRow("versioned python, option with a value")
        << args({ "python3.11", "-W", "ignore", "-X", "dev", "train.py" }) << QByteArray() << u"python3.11 train.py"_s;
    QTest::newRow("python module") << args({ "python3", "-m", "http.server", "8000" }) << QByteArray()
                                   << u"python3 -m http.server"_s;
    QTest::newRow("python -c") << args({ "python3", "-c", "print(1)" }) << QByteArray() << u"python3"_s;
    QTest::newRow("node") << args({ "/usr/bin/node", "--require", "ts-node/register", "server.js" }) << QByteArray()
                          << u"node server.js"_s;
    QTest::newRow("java -jar") << args({ "java", "-Xmx2g", "-jar", "/opt/app/serve.jar" }) << QByteArray()
                               << u"java serve.jar"_s;
    QTest::newRow("shell with --") << args({ "bash", "--", "./run.sh" }) << QByteArray() << u"bash run.sh"_s;
    QTest::newRow("native program keeps its name only") << args({ "/work/build/bin/perfdash-loadgen", "--rate", "100" })
                                                        << QByteArray("perfdash-loadge") << u"perfdash-loadgen"_s;
    QTest::newRow("interpreter without a script") << args({ "python3" }) << QByteArray() << u"python3"_s;
    QTest::newRow("no trailing NUL") << QByteArray("ruby\0app.rb", 11) << QByteArray() << u"ruby app.rb"_s;
    QTest::newRow("kernel thread: comm") << QByteArray() << QByteArray("kworker/0:1\n") << u"kworker/0:1"_s;
    QTest::newRow("nothing") << QByteArray() << QByteArray() << QString();
    QTest::newRow("tag-breaking characters") << args({ "my|prog,x", "a" }) << QByteArray() << u"my_prog_x"_s;
    QTest::newRow("invalid UTF-8 counts as decoded")
        << QByteArray(70, '\xff') << QByteArray() << QString(20, QChar(0xfffd)) + u"…"_s;
    QTest::newRow("setproctitle") << QByteArray("postgres: checkpointer   ") << QByteArray()
                                  << u"postgres: checkpointer   "_s;
    QTest::newRow("long: cut with an ellipsis")
        << args({ "python3", "a_very_long_script_name_that_goes_on_and_on_and_on_and_on_forever.py" }) << QByteArray()
        << u"python3 a_very_long_script_name_that_goes_on_and_on_and_on_an…"_s;
    QTest::newRow("long: never inside a character")
        << args({ "python3",
               "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
               "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
               "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9.py" })
        << QByteArray() << u"python3 "_s + QString(26, QChar(0xe9)) + u"…"_s;
}

void TestProcfs::commandName()
{
    QFETCH(QByteArray, cmdline);
    QFETCH(QByteArray, comm);
    QFETCH(QString, name);
    const QString got = procfs::commandName(cmdline, comm);
    QCOMPARE(got, name);
    QVERIFY(got.toUtf8().size() <= 64);
    QVERIFY(!got.contains(u',') && !got.contains(u'|'));
}

QTEST_GUILESS_MAIN(TestProcfs)
#include "tst_procfs.moc"
