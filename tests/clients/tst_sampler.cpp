// SPDX-License-Identifier: GPL-3.0-or-later
// Sampler: first sample at once, the interval, the stop timeout, samples kept when the measured function throws;
// ProcessReader checked against /proc for this process.
#include "perfdash/modulemetrics.h"
#include "perfdash/sampler.h"

#include <QFile>
#include <QTest>

#include <atomic>
#include <cmath>
#include <ctime>
#include <chrono>
#include <stdexcept>
#include <thread>

using namespace perfdash::client;
using namespace std::chrono_literals;
using namespace Qt::Literals::StringLiterals;

class TestSampler : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void firstSampleAtOnce()
    {
        SamplerOptions o;
        o.interval = 10s;
        std::atomic<int> calls { 0 };
        Sampler<int> sampler([&] { return ++calls; }, o);
        const auto start = std::chrono::steady_clock::now();
        QVERIFY(sampler.start());
        QVERIFY(!sampler.start()); // already running
        QTRY_COMPARE_WITH_TIMEOUT(calls.load(), 1, 2000);
        QVERIFY(sampler.stop()); // wakes the 10 s wait at once
        QVERIFY(std::chrono::steady_clock::now() - start < 5s);
        QCOMPARE(sampler.samples(), std::vector<int> { 1 });
        QVERIFY(!sampler.running());
    }

    void samplesEveryInterval()
    {
        SamplerOptions o;
        o.interval = 20ms;
        Sampler<int> sampler([n = 0]() mutable { return n++; }, o);
        sampler.start();
        std::this_thread::sleep_for(300ms);
        sampler.stop();
        const auto samples = sampler.samples();
        // 300 ms / 20 ms = 15 plus the first; a loaded machine may take fewer, never many more.
        QVERIFY2(samples.size() >= 3 && samples.size() <= 17, qPrintable(QString::number(samples.size())));
        for (size_t i = 0; i < samples.size(); ++i)
            QCOMPARE(samples[i], int(i));
    }

    void samplesAreKeptWhenTheMeasuredFunctionThrows()
    {
        SamplerOptions o;
        o.interval = 10ms;
        Sampler<int> sampler([] { return 1; }, o);
        bool thrown = false;
        try {
            sampler.measure([] {
                std::this_thread::sleep_for(60ms);
                throw std::runtime_error("the workload failed");
            });
        } catch (const std::runtime_error &) {
            thrown = true;
        }
        QVERIFY(thrown);
        QVERIFY(!sampler.running()); // stopped on the way out
        QVERIFY(sampler.sampleCount() >= 1);
        const int value = sampler.measure([] { return 5; });
        QCOMPARE(value, 5);
    }

    void aThrowingSampleFunctionCostsOneSample()
    {
        SamplerOptions o;
        o.interval = 5ms;
        Sampler<int> sampler(
            [n = 0]() mutable {
                if (++n % 2 == 0)
                    throw std::runtime_error("flaky");
                return n;
            },
            o);
        sampler.start();
        QTRY_VERIFY_WITH_TIMEOUT(sampler.sampleErrors() >= 2, 5000);
        sampler.stop();
        QVERIFY(sampler.sampleCount() >= 2);
        for (int v : sampler.samples())
            QCOMPARE(v % 2, 1);
    }

    void stopTimeoutLeavesAHangingSampleBehind()
    {
        SamplerOptions o;
        o.interval = 10ms;
        o.stopTimeout = 100ms;
        auto release = std::make_shared<std::atomic<bool>>(false);
        auto sampler = std::make_unique<Sampler<int>>(
            [release] {
                while (!release->load())
                    std::this_thread::sleep_for(5ms);
                return 1;
            },
            o);
        sampler->start();
        std::this_thread::sleep_for(20ms);
        const auto start = std::chrono::steady_clock::now();
        QVERIFY(!sampler->stop());
        const auto waited = std::chrono::steady_clock::now() - start;
        QVERIFY(waited >= 90ms && waited < 2s);
        // A new start() runs on a state of its own; the thread left behind never joins it.
        QVERIFY(sampler->start());
        QVERIFY(!sampler->stop());
        sampler.reset(); // the detached thread owns its state; destroying the Sampler is safe
        release->store(true);
        std::this_thread::sleep_for(50ms);
    }

    void boundedSamples()
    {
        SamplerOptions o;
        o.interval = 1ms;
        o.maxSamples = 3;
        Sampler<int> sampler([] { return 0; }, o);
        sampler.start();
        QTRY_VERIFY_WITH_TIMEOUT(sampler.droppedSamples() > 0, 5000);
        sampler.stop();
        QCOMPARE(sampler.sampleCount(), size_t(3));
    }

    void processReaderMatchesProc()
    {
        ProcessReader reader;
        const ProcessSample first = reader.read();
        QCOMPARE(first.pid, int(::getpid()));
        QFile status(QStringLiteral("/proc/self/status"));
        QVERIFY(status.open(QIODevice::ReadOnly));
        qint64 threads = 0, rssKb = 0, vmsKb = 0;
        for (const QByteArray &line : status.readAll().split('\n')) {
            const auto value = [&] { return line.mid(line.indexOf(':') + 1).trimmed().split(' ').at(0).toLongLong(); };
            if (line.startsWith("Threads:"))
                threads = value();
            else if (line.startsWith("VmRSS:"))
                rssKb = value();
            else if (line.startsWith("VmSize:"))
                vmsKb = value();
        }
        QCOMPARE(first.threads, int(threads));
        QVERIFY2(std::abs(first.rssMb - double(rssKb) / 1024.0) < 4, qPrintable(QString::number(first.rssMb)));
        QVERIFY2(std::abs(first.vmsMb - double(vmsKb) / 1024.0) < 16, qPrintable(QString::number(first.vmsMb)));
        QVERIFY(std::abs(first.rssMb - residentMemoryMb()) < 4);
        QVERIFY(first.cpuPercent >= 0);

        // Busy until this process used 200 ms of CPU: the next sample agrees with the CPU clock over the same wall
        // time (a loaded machine gives us less than a core, so the figure is compared, not assumed). /proc counts in
        // 10 ms ticks, hence the tolerance.
        const auto cpuNow = [] {
            timespec ts {};
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
            return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
        };
        const double cpu0 = cpuNow();
        const auto wall0 = std::chrono::steady_clock::now();
        volatile double x = 0;
        while (cpuNow() - cpu0 < 0.2)
            x = x + 1;
        const ProcessSample second = reader.read();
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
        const double expected = 100.0 * (cpuNow() - cpu0) / wall;
        QVERIFY2(std::abs(second.cpuPercent - expected) < 20 && second.cpuPercent > 0,
            qPrintable(u"%1 vs %2"_s.arg(second.cpuPercent).arg(expected)));

        // A thread of ours shows up in the count.
        std::atomic<bool> done { false };
        std::thread extra([&] {
            while (!done)
                std::this_thread::sleep_for(1ms);
        });
        QCOMPARE(reader.read().threads, int(threads) + 1);
        done = true;
        extra.join();
    }

    void processSampleRecord()
    {
        ProcessSample s;
        s.time = 1657100000.5;
        s.pid = 4242;
        s.cpuPercent = 153.2;
        s.rssMb = 812.5;
        s.vmsMb = 4096;
        s.threads = 18;
        QCOMPARE(s.toJson({ { "service", "api" } }),
            std::string(R"({"type":"sample","v":1,"ts":1657100000.5,"pid":4242,"cpu_percent":153.2,)"
                        R"("rss_mb":812.5,"vms_mb":4096,"threads":18,"tags":{"service":"api"}})"));
    }
};

QTEST_GUILESS_MAIN(TestSampler)
#include "tst_sampler.moc"
