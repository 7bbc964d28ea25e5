// SPDX-License-Identifier: GPL-3.0-or-later
// Sampler: first sample at once, the interval, the stop timeout, samples kept when the measured function throws,
// each sample's time (Unix seconds and local ISO 8601 on an injected clock), samples on demand, custom samples sent
// as series; a thread left behind by stop() sends nothing after it; ProcessReader checked against /proc for this
// process, and ProcessSampler's `sample` records.
#include "perfdash/residentmemory.h"
#include "perfdash/run.h"
#include "perfdash/sampler.h"
#include "fakeclock.h"
#include "recordsink.h"

#include <QFile>
#include <QTest>

#include <atomic>
#include <cmath>
#include <chrono>
#include <ctime>
#include <future>
#include <limits>
#include <stdexcept>
#include <thread>

using namespace perfdash;
using namespace perfdash::client;
using namespace std::chrono_literals;
using namespace Qt::Literals::StringLiterals;

using perfdash::test::FakeClock;

namespace {
// A sample of one's own, found by argument-dependent lookup.
struct TrainSample {
    double loss = 0;
    int epoch = 0;
    bool converged = false;
    std::string phase;
};
void toTelemetry(const TrainSample &s, TelemetryWriter &out)
{
    out.add("loss", s.loss);
    out.add("epoch", s.epoch);
    out.add("converged", s.converged);
    out.add("phase", s.phase);
}
struct Opaque {
    int n = 0;
};
// Fulfils its promise when destroyed: the last owner of a sample function is the state of the thread left behind,
// which goes when that thread has finished.
struct Gone {
    std::promise<void> promise;
    ~Gone() { promise.set_value(); }
};
} // namespace

class TestSampler : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        // A fixed zone with summer time for the samples' local timestamps; set before any thread reads it.
        qputenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3");
        tzset();
    }
    void init()
    {
        FakeClock::reset();
        QVERIFY(m_dir.isValid());
        const QString path = m_dir.filePath(u"ingest-%1.sock"_s.arg(++m_n));
        m_sink = std::make_unique<test::RecordSink>(path);
        QVERIFY(m_sink->listen());
        RecordsClient::Options o;
        o.socketPath = path.toStdString();
        m_records = std::make_unique<RecordsClient>(o);
    }
    void cleanup()
    {
        m_records.reset();
        m_sink.reset();
        setLogHook({});
    }

    void entriesCarryTheirTime()
    {
        SamplerOptions o;
        o.interval = 1h; // only the first sample and the ones asked for
        o.clock = FakeClock::clock();
        Sampler<int> sampler([n = 0]() mutable { return ++n; }, o);
        QVERIFY(sampler.start());
        QTRY_COMPARE(sampler.sampleCount(), size_t(1));
        FakeClock::advance(0.25);
        sampler.sampleNow();
        QTRY_COMPARE(sampler.sampleCount(), size_t(2));
        QVERIFY(sampler.stop());
        sampler.sampleNow(); // stopped: nothing to wake
        const auto entries = sampler.entries();
        QCOMPARE(entries.size(), size_t(2));
        QCOMPARE(entries[0].ts, 1657100000.0);
        QCOMPARE(entries[0].timestamp, std::string("2022-07-06T11:33:20.000+02:00"));
        QCOMPARE(entries[0].value, 1);
        QCOMPARE(entries[1].ts, 1657100000.25);
        QCOMPARE(entries[1].timestamp, std::string("2022-07-06T11:33:20.250+02:00"));
        QCOMPARE(entries[1].value, 2);
        QCOMPARE(sampler.samples(), (std::vector<int> { 1, 2 }));
    }

    void seriesSendEachNumericMember()
    {
        SamplerOptions o;
        o.interval = 1h;
        o.clock = FakeClock::clock();
        o.series = "train";
        o.tags = { { "run", "r1" } };
        o.records = m_records.get();
        Sampler<TrainSample> sampler([] { return TrainSample { 0.5, 3, false, "fit" }; }, o);
        sampler.start();
        QTRY_COMPARE(m_sink->lines().size(), 3);
        FakeClock::advance(1.5);
        sampler.sampleNow();
        QTRY_COMPARE(m_sink->lines().size(), 6);
        sampler.stop();
        // Text is not a series; a boolean is sent as 0/1; each is stamped with its sample's ts.
        const auto gauge = [](const char *member, const char *value) {
            return QByteArray(R"({"type":"metric","v":1,"ts":1657100000,"name":"train.MEMBER","kind":"gauge",)"
                              R"("value":VALUE,"tags":{"run":"r1"}})")
                .replace("MEMBER", member)
                .replace("VALUE", value);
        };
        const QList<QByteArray> expected { gauge("loss", "0.5"), gauge("epoch", "3"), gauge("converged", "0") };
        QCOMPARE(m_sink->lines().mid(0, 3), expected);
        QCOMPARE(m_sink->lines().at(3),
            QByteArray(R"({"type":"metric","v":1,"ts":1657100001.5,"name":"train.loss","kind":"gauge","value":0.5,)"
                       R"("tags":{"run":"r1"}})"));
    }

    void noSeriesWithoutTheOption()
    {
        SamplerOptions o;
        o.interval = 1h;
        o.records = m_records.get(); // where series would go
        Sampler<double> sampler([] { return 0.5; }, o);
        sampler.start();
        QTRY_COMPARE(sampler.sampleCount(), size_t(1)); // a sample's series are sent before it is kept
        sampler.stop();
        QCOMPARE(m_records->sentRecords() + m_records->droppedRecords(), uint64_t(0));
        QCOMPARE(m_records->bufferedBytes(), size_t(0));
    }

    void seriesNeedToTelemetry()
    {
        QStringList warnings;
        setLogHook([&](LogLevel level, std::string_view m) {
            if (level == LogLevel::Warning)
                warnings.push_back(QString::fromUtf8(m.data(), qsizetype(m.size())));
        });
        SamplerOptions o;
        o.series = "opaque";
        o.records = m_records.get();
        Sampler<Opaque> sampler([] { return Opaque {}; }, o);
        QCOMPARE(warnings.size(), 1);
        QVERIFY(warnings.at(0).contains(u"toTelemetry"_s));
    }

    void processSampleTelemetry()
    {
        ProcessSample s;
        s.pid = 4242;
        s.cpuPercent = 153.25;
        s.rssMb = 812.5;
        s.vmsMb = 4096;
        s.threads = 18;
        TelemetryWriter w;
        toTelemetry(s, w);
        QCOMPARE(w.members(), std::string(R"("rss_mb":812.5,"vms_mb":4096,"cpu_percent":153.25,"threads":18)"));
        static_assert(hasTelemetry<ProcessSample>);
    }

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

    // stop() gives up on a hanging sample function; the caller then destroys its RecordsClient (or keeps it, to count
    // what arrives). When the sample function returns, its thread must send nothing: no series through the
    // RecordsClient (a use after free under ASan when destroyed), no entry to the attached run, no onSample call.
    void aThreadLeftBehindSendsNothing_data()
    {
        QTest::addColumn<bool>("destroyRecords");
        QTest::newRow("records kept") << false;
        QTest::newRow("records destroyed") << true;
    }
    void aThreadLeftBehindSendsNothing()
    {
        QFETCH(bool, destroyRecords);
        SamplerOptions o;
        o.interval = 1h;
        o.stopTimeout = 50ms;
        o.clock = FakeClock::clock();
        o.series = "hang";
        o.records = m_records.get();
        std::promise<void> release;
        auto gone = std::make_shared<Gone>();
        std::future<void> finished = gone->promise.get_future();
        auto sampler = std::make_unique<Sampler<double>>(
            [go = release.get_future().share(), gone = std::move(gone)] {
                go.wait();
                return 0.5;
            },
            o);
        std::atomic<int> onSampleCalls { 0 };
        sampler->setOnSample([&](double) { ++onSampleCalls; });
        RecordsClient::Options off;
        off.enabled = false;
        RecordsClient runRecords(off); // the run's record goes nowhere: m_records may be gone when it is sent
        Run::Options ro;
        ro.log = false;
        ro.measureMemory = false;
        ro.clock = FakeClock::clock();
        ro.records = &runRecords;
        Run run("hung", ro);
        run.attach(*sampler);
        QVERIFY(sampler->start());
        QVERIFY(!sampler->stop()); // the first sample hangs
        sampler.reset();
        if (destroyRecords)
            m_records.reset();
        release.set_value();
        QCOMPARE(finished.wait_for(10s), std::future_status::ready); // the thread left behind is done
        if (!destroyRecords) {
            QCOMPARE(m_records->sentRecords() + m_records->droppedRecords(), uint64_t(0));
            QCOMPARE(m_records->bufferedBytes(), size_t(0));
        }
        QVERIFY(run.finish().telemetry.empty());
        QCOMPARE(onSampleCalls.load(), 0);
    }

    // Non-finite members are null in a run's telemetry and are not sent as gauges (a metric without its value).
    void nonFiniteMembersAreNoSeries()
    {
        SamplerOptions o;
        o.interval = 1h;
        o.clock = FakeClock::clock();
        o.series = "loss";
        o.records = m_records.get();
        using Sample = std::map<std::string, double>;
        Sampler<Sample> sampler(
            [] {
                return Sample { { "inf", std::numeric_limits<double>::infinity() }, { "nan", std::nan("") },
                    { "ok", 0.25 } };
            },
            o);
        sampler.start();
        QTRY_COMPARE(sampler.sampleCount(), size_t(1)); // its series are sent before it is kept
        sampler.stop();
        QVERIFY(m_records->flush());
        QCOMPARE(m_records->sentRecords(), uint64_t(1)); // every line sent is in the socket: only one
        QTRY_COMPARE(m_sink->lines().size(), 1);
        QCOMPARE(m_sink->lines().at(0),
            QByteArray(R"({"type":"metric","v":1,"ts":1657100000,"name":"loss.ok","kind":"gauge","value":0.25})"));
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

    void processSamplerSendsItsRecords()
    {
        ProcessSampler::Options o;
        o.sampler.interval = 1h;
        o.sampler.clock = FakeClock::clock();
        o.records = m_records.get();
        o.tags = { { "service", "api" } };
        ProcessSampler sampler(o);
        sampler.start();
        QTRY_COMPARE(m_sink->lines().size(), 1);
        sampler.stop();
        const QJsonObject r = m_sink->object(0);
        QCOMPARE(r.value(u"type"_s).toString(), u"sample"_s);
        QCOMPARE(r.value(u"pid"_s).toInt(), int(::getpid()));
        QCOMPARE(r.value(u"tags"_s).toObject().value(u"service"_s).toString(), u"api"_s);
        QCOMPARE(sampler.sampleCount(), size_t(1));
    }

private:
    QTemporaryDir m_dir;
    int m_n = 0;
    std::unique_ptr<test::RecordSink> m_sink;
    std::unique_ptr<RecordsClient> m_records;
};

QTEST_GUILESS_MAIN(TestSampler)
#include "tst_sampler.moc"
