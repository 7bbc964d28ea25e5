// SPDX-License-Identifier: GPL-3.0-or-later
// Run: timing of a workflow and its steps on an injected clock, the performance record, the log lines and the
// `run` record it sends, with its guid, workflow fields (tenant, retries, execution mode, error, memory, failed
// steps) and telemetry: the samples of the samplers running on its thread or attached to it.
#include "perfdash/run.h"
#include "perfdash/sampler.h"
#include "recordsink.h"
#include "fakeclock.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QTest>

#include <cmath>
#include <ctime>
#include <stdexcept>
#include <thread>

using namespace perfdash;
using namespace perfdash::client;
using namespace Qt::Literals::StringLiterals;

using perfdash::test::FakeClock;

namespace {
bool canonicalGuid(const QString &guid)
{
    static const QRegularExpression re(u"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"_s);
    return re.match(guid).hasMatch();
}
} // namespace

class TestRun : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        qputenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3"); // the samples' local timestamps; before any thread reads it
        tzset();
    }
    void init()
    {
        FakeClock::reset();
        m_log.clear();
        setLogHook([this](LogLevel, std::string_view m) {
            m_log.push_back(QString::fromUtf8(m.data(), qsizetype(m.size())));
        });
        QVERIFY(m_dir.isValid());
        m_sink = std::make_unique<test::RecordSink>(m_dir.filePath(u"ingest.sock"_s));
        QVERIFY(m_sink->listen());
        RecordsClient::Options o;
        o.socketPath = m_dir.filePath(u"ingest.sock"_s).toStdString();
        m_records = std::make_unique<RecordsClient>(o);
    }
    void cleanup()
    {
        m_records.reset();
        m_sink.reset();
        setLogHook({});
    }

    void timesStepsAndSendsTheRecord()
    {
        Run::Options o;
        o.clock = FakeClock::clock();
        o.records = m_records.get();
        o.tags = { { "model", "m1" } };
        PerformanceRecord record;
        {
            Run run("inference", o);
            QCOMPARE(m_log.size(), 1);
            QCOMPARE(m_log.at(0), u"Inference workflow started at: 2022-07-06T09:33:20.000Z"_s);
            const char *names[] = { "load_data", "load_model", "preprocess", "predict", "postprocess" };
            const double seconds[] = { 0.25, 1.0, 0.09, 0.75, 0.25 };
            for (int i = 0; i < 5; ++i) {
                auto step = run.step(names[i]);
                FakeClock::advance(seconds[i]);
            }
            record = run.finish();
            QCOMPARE(&run.finish(), &run.record()); // finishing twice returns the same record
        }
        QCOMPARE(record.workflow, std::string("inference"));
        QCOMPARE(record.executionTime, 2.34);
        QCOMPARE(record.executionTimeFormatted, std::string("2.34 seconds"));
        QCOMPARE(record.startTime, 1657100000.0);
        QCOMPARE(record.endTime, 1657100002.34);
        QCOMPARE(record.startDatetime, std::string("2022-07-06T09:33:20.000Z"));
        QCOMPARE(record.endDatetime, std::string("2022-07-06T09:33:22.340Z"));
        QVERIFY(record.success);
        QCOMPARE(record.steps.size(), size_t(5));
        QCOMPARE(record.steps[1].name, std::string("load_model"));
        QCOMPARE(record.steps[1].startTime, 1657100000.25);
        QCOMPARE(record.steps[1].elapsed, 1.0);
        QCOMPARE(m_log.size(), 2);
        QCOMPARE(m_log.at(1), u"Inference execution time: 2.34 seconds"_s);

        QTRY_COMPARE(m_sink->lines().size(), 1);
        const QJsonObject o2 = m_sink->object(0);
        QCOMPARE(o2.value(u"type"_s).toString(), u"run"_s);
        QCOMPARE(o2.value(u"workflow"_s).toString(), u"inference"_s);
        QCOMPARE(o2.value(u"start"_s).toDouble(), 1657100000.0);
        QCOMPARE(o2.value(u"end"_s).toDouble(), 1657100002.34);
        QCOMPARE(o2.value(u"execution_s"_s).toDouble(), 2.34);
        QCOMPARE(o2.value(u"success"_s).toBool(), true);
        QCOMPARE(o2.value(u"tags"_s).toObject().value(u"model"_s).toString(), u"m1"_s);
        const QJsonArray steps = o2.value(u"steps"_s).toArray();
        QCOMPARE(steps.size(), 5);
        QCOMPARE(steps.at(3).toObject().value(u"name"_s).toString(), u"predict"_s);
        QCOMPARE(steps.at(3).toObject().value(u"start"_s).toDouble(), 1657100001.34);
        QCOMPARE(steps.at(3).toObject().value(u"elapsed_s"_s).toDouble(), 0.75);
    }

    void anExceptionMarksTheRunFailed()
    {
        Run::Options o;
        o.clock = FakeClock::clock();
        o.records = m_records.get();
        o.log = false;
        try {
            Run run("nightly", o);
            auto step = run.step("fit");
            FakeClock::advance(3);
            throw std::runtime_error("diverged");
        } catch (const std::runtime_error &) {
        }
        QTRY_COMPARE(m_sink->lines().size(), 1);
        const QJsonObject r = m_sink->object(0);
        QCOMPARE(r.value(u"success"_s).toBool(), false);
        QCOMPARE(r.value(u"execution_s"_s).toDouble(), 3.0);
        QCOMPARE(r.value(u"steps"_s).toArray().at(0).toObject().value(u"elapsed_s"_s).toDouble(), 3.0);
        QCOMPARE(r.value(u"steps"_s).toArray().at(0).toObject().value(u"success"_s).toBool(true), false);
        QCOMPARE(r.value(u"steps_failed"_s).toInt(), 1);
        QCOMPARE(r.value(u"error_category"_s).toString(), u"exception"_s); // a destructor cannot see its text
        QVERIFY(m_log.isEmpty());
    }

    void timeRunRethrowsAfterSending()
    {
        Run::Options o;
        o.clock = FakeClock::clock();
        o.records = m_records.get();
        bool thrown = false;
        try {
            timeRun(
                "wf",
                [](Run &run) {
                    run.step("a");
                    FakeClock::advance(1.5);
                    throw std::invalid_argument("bad input");
                },
                o);
        } catch (const std::invalid_argument &) {
            thrown = true;
        }
        QVERIFY(thrown);
        QTRY_COMPARE(m_sink->lines().size(), 1);
        QCOMPARE(m_sink->object(0).value(u"success"_s).toBool(), false);
        QCOMPARE(m_sink->object(0).value(u"execution_s"_s).toDouble(), 1.5);
        QCOMPARE(m_sink->object(0).value(u"error"_s).toString(), u"bad input"_s);
        QCOMPARE(m_sink->object(0).value(u"error_category"_s).toString(), u"validation"_s);
        const PerformanceRecord ok = timeRun(
            "wf", [](Run &) { FakeClock::advance(0.5); }, o);
        QCOMPARE(ok.executionTimeFormatted, std::string("0.50 seconds"));
        QVERIFY(ok.success);
    }

    void disabledSendsAndLogsNothingButStillTimes()
    {
        Run::Options o;
        o.clock = FakeClock::clock();
        o.records = m_records.get();
        o.enabled = false;
        Run run("inference", o);
        FakeClock::advance(1.25);
        const PerformanceRecord &r = run.finish();
        QCOMPARE(r.executionTime, 1.25);
        QCOMPARE(r.executionTimeFormatted, std::string("1.25 seconds"));
        QVERIFY(m_log.isEmpty());
        QTest::qWait(100);
        QCOMPARE(m_sink->lines().size(), 0);
        QCOMPARE(m_records->sentRecords(), uint64_t(0));
    }

    void configReadsTheEnvironmentAndTheFile()
    {
        const QString file = m_dir.filePath(u"client.conf"_s);
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("# perfdash client\nenabled = false   # off for this host\ningest_socket = /tmp/x/ingest.sock\nother = "
                "1\n");
        f.close();
        qputenv("PERFDASH_CONFIG", file.toUtf8());
        qunsetenv("PERFDASH_ENABLED");
        qunsetenv("PERFDASH_INGEST_SOCKET");
        Config c = Config::load();
        QCOMPARE(c.enabled, false);
        QCOMPARE(c.ingestSocket, std::string("/tmp/x/ingest.sock"));
        QCOMPARE(c.configFile, file.toStdString());
        qputenv("PERFDASH_ENABLED", "1"); // the environment wins over the file
        QCOMPARE(Config::load().enabled, true);
        qputenv("PERFDASH_ENABLED", "0");
        qunsetenv("PERFDASH_CONFIG");
        qputenv("XDG_CONFIG_HOME", m_dir.filePath(u"nowhere"_s).toUtf8());
        c = Config::load();
        QCOMPARE(c.enabled, false);
        QVERIFY(c.configFile.empty());
        qputenv("PERFDASH_ENABLED", "yes");
        QCOMPARE(Config::load().enabled, true);
        qunsetenv("PERFDASH_ENABLED");
        qunsetenv("XDG_CONFIG_HOME");
    }

    void stepsBeyondTheLimitAreCounted()
    {
        Run::Options o;
        o.clock = FakeClock::clock();
        o.records = m_records.get();
        o.log = false;
        Run run("many", o);
        for (int i = 0; i < 1030; ++i)
            run.addStep("s", FakeClock::wall, 0.001);
        QCOMPARE(run.record().steps.size(), Run::kMaxSteps);
        QCOMPARE(run.droppedSteps(), size_t(6));
    }

    void aThrowingLogHookCostsOnlyItsLine()
    {
        setLogHook([](LogLevel, std::string_view) { throw std::runtime_error("hook"); });
        Run::Options o;
        o.clock = FakeClock::clock();
        o.records = m_records.get();
        Run run("inference", o);
        FakeClock::advance(1);
        QCOMPARE(run.finish().executionTime, 1.0);
        QTRY_COMPARE(m_sink->lines().size(), 1);
    }

    void workflowFields()
    {
        Run::Options o = quiet();
        o.measureMemory = false; // the exact line below; memoryAtTheEnd() checks it
        o.tags = { { "model", "m1" } };
        std::string guid;
        {
            Run run("nightly-train", o);
            guid = run.guid();
            run.setTenant("ml");
            run.setRetries(2);
            run.setExecutionMode("sequential");
            {
                auto load = run.step("load");
                FakeClock::advance(20.5);
            }
            {
                auto fit = run.step("fit");
                FakeClock::advance(280);
                fit.fail();
            }
            run.fail("fit: out of memory", "resource");
        }
        QVERIFY(canonicalGuid(QString::fromStdString(guid)));
        QTRY_COMPARE(m_sink->lines().size(), 1);
        QByteArray expected(R"({"type":"run","v":1,"guid":"GUID","workflow":"nightly-train","tenant":"ml",)"
                            R"("start":1657100000,"end":1657100300.5,"execution_s":300.5,"success":false,)"
                            R"("steps_failed":1,"retries":2,"execution_mode":"sequential",)"
                            R"("error":"fit: out of memory","error_category":"resource",)"
                            R"("steps":[{"name":"load","start":1657100000,"elapsed_s":20.5},)"
                            R"({"name":"fit","start":1657100020.5,"elapsed_s":280,"success":false}],)"
                            R"("tags":{"model":"m1"}})");
        QCOMPARE(m_sink->lines().at(0), expected.replace("GUID", QByteArray::fromStdString(guid)));
    }

    // Counts past 2^53, the protocol's largest integer, are sent as 2^53.
    void countsAreClampedTo2Pow53()
    {
        PerformanceRecord record;
        record.workflow = "wf";
        record.startTime = record.endTime = 1657100000;
        record.stepsFailed = ~uint64_t(0);
        record.retries = (uint64_t(1) << 53) + 1;
        record.telemetryDropped = uint64_t(1) << 60;
        QCOMPARE(record.toJson(),
            std::string(R"({"type":"run","v":1,"workflow":"wf","start":1657100000,"end":1657100000,)"
                        R"("execution_s":0,"success":true,"steps_failed":9007199254740992,)"
                        R"("retries":9007199254740992,"telemetry_dropped":9007199254740992})"));
    }

    void aSucceededRunSendsNoErrorAndZeroFailedSteps()
    {
        Run::Options o = quiet();
        o.measureMemory = false;
        Run run("wf", o);
        run.addStep("a", FakeClock::wall, 0.5);
        run.fail("transient", "network");
        run.setSuccess(true); // retried and made it: the error is not sent
        const QJsonObject r = parse(run.finish().toJson());
        QCOMPARE(r.value(u"success"_s).toBool(), true);
        QCOMPARE(r.value(u"steps_failed"_s).toInt(), 0);
        QVERIFY(!r.contains(u"error"_s));
        QVERIFY(!r.contains(u"error_category"_s));
        QVERIFY(!r.contains(u"retries"_s)); // only when set
        QVERIFY(!r.contains(u"telemetry"_s)); // no sampler ran
    }

    void memoryAtTheEnd()
    {
        Run run("wf", quiet());
        FakeClock::advance(1);
        const PerformanceRecord &r = run.finish();
        QVERIFY(r.memoryMb.has_value());
        QTRY_COMPARE(m_sink->lines().size(), 1);
        const double memory = m_sink->object(0).value(u"memory_mb"_s).toDouble();
        QCOMPARE(memory, *r.memoryMb);
        QVERIFY2(memory > 1 && std::abs(memory - residentMemoryMb()) < 64, qPrintable(QString::number(memory)));
    }

    void theGuidStaysWithTheRecord()
    {
        Run a("wf", quiet());
        Run b("wf", quiet());
        QVERIFY(a.guid() != b.guid());
        const PerformanceRecord &r = a.finish();
        const QString sent = parse(r.toJson()).value(u"guid"_s).toString();
        QCOMPARE(sent, QString::fromStdString(a.guid()));
        QCOMPARE(parse(r.toJson()).value(u"guid"_s).toString(), sent); // a resend carries the same one
        PerformanceRecord byHand; // made without a Run: no guid is sent
        QVERIFY(!parse(byHand.toJson()).contains(u"guid"_s));
    }

    void failedStepsPastTheLimitAreCounted()
    {
        Run run("many", quiet());
        for (int i = 0; i < 1030; ++i)
            run.addStep("s", FakeClock::wall, 0.001, i < 2 || i >= 1026);
        QCOMPARE(run.record().steps.size(), Run::kMaxSteps);
        QCOMPARE(run.record().stepsFailed, uint64_t(1024)); // steps 2 … 1025, two of them past the limit
        const QJsonObject r = parse(run.finish().toJson());
        QCOMPARE(r.value(u"steps_failed"_s).toInt(), 1024);
    }

    void aStepLeftByAnExceptionFailed()
    {
        Run run("wf", quiet());
        try {
            auto step = run.step("parse");
            FakeClock::advance(0.5);
            throw std::runtime_error("bad row");
        } catch (const std::runtime_error &) {
        }
        run.step("next").end();
        QCOMPARE(run.record().steps.at(0).success, false);
        QCOMPARE(run.record().steps.at(1).success, true);
        QCOMPARE(run.record().stepsFailed, uint64_t(1));
        QVERIFY(run.record().success); // the run goes on; it fails only if the exception leaves it too
    }

    void telemetryFromASamplerOnThisThread()
    {
        Sampler<int> sampler([n = 0]() mutable { return ++n; }, manualSampler());
        sampler.start();
        QTRY_COMPARE(sampler.sampleCount(), size_t(1)); // taken before the run: not its
        PerformanceRecord record;
        {
            Run run("train", quiet());
            sampleAt(sampler, 1.0, 2);
            sampleAt(sampler, 1.0, 3);
            FakeClock::advance(0.5);
            record = run.finish();
        }
        sampleAt(sampler, 1.0, 4); // after the run: not its either
        sampler.stop();
        const std::vector<std::string> expected {
            R"({"timestamp":"2022-07-06T11:33:21.000+02:00","ts":1657100001,"value":2})",
            R"({"timestamp":"2022-07-06T11:33:22.000+02:00","ts":1657100002,"value":3})",
        };
        QCOMPARE(record.telemetry, expected);
        QCOMPARE(record.telemetryDropped, uint64_t(0));
        QTRY_COMPARE(m_sink->lines().size(), 1);
        const QJsonObject r = m_sink->object(0);
        const QJsonArray telemetry = r.value(u"telemetry"_s).toArray();
        QCOMPARE(telemetry.size(), 2);
        QCOMPARE(telemetry.at(1).toObject().value(u"timestamp"_s).toString(), u"2022-07-06T11:33:22.000+02:00"_s);
        QCOMPARE(telemetry.at(1).toObject().value(u"ts"_s).toDouble(), 1657100002.0);
        QCOMPARE(telemetry.at(1).toObject().value(u"value"_s).toInt(), 3);
        QCOMPARE(r.value(u"telemetry_dropped"_s).toInt(), 0);
    }

    void telemetryIsSentWhenTheRunFails()
    {
        Sampler<int> sampler([] { return 7; }, manualSampler());
        sampler.measure([&] {
            QTRY_COMPARE(sampler.sampleCount(), size_t(1));
            try {
                Run run("train", quiet());
                sampleAt(sampler, 2.0, 2);
                throw std::runtime_error("diverged");
            } catch (const std::runtime_error &) {
            }
        });
        QTRY_COMPARE(m_sink->lines().size(), 1);
        const QJsonObject r = m_sink->object(0);
        QCOMPARE(r.value(u"success"_s).toBool(), false);
        QCOMPARE(r.value(u"error_category"_s).toString(), u"exception"_s);
        QCOMPARE(r.value(u"telemetry"_s).toArray().size(), 1);
        QCOMPARE(r.value(u"telemetry"_s).toArray().at(0).toObject().value(u"ts"_s).toDouble(), 1657100002.0);
    }

    void aSamplerOfAnotherThreadNeedsAttach()
    {
        Sampler<int> sampler([n = 0]() mutable { return ++n; }, manualSampler());
        std::thread([&] { sampler.start(); }).join(); // started elsewhere; its thread samples on
        QTRY_COMPARE(sampler.sampleCount(), size_t(1));
        Run alone("a", quiet());
        Run attached("b", quiet());
        attached.attach(sampler);
        attached.attach(sampler); // twice is once
        sampleAt(sampler, 1.0, 2);
        QVERIFY(alone.finish().telemetry.empty());
        QCOMPARE(attached.finish().telemetry.size(), size_t(1));
        sampler.stop();
    }

    void telemetryCanBeTurnedOff()
    {
        Sampler<int> sampler([] { return 1; }, manualSampler());
        sampler.start();
        QTRY_COMPARE(sampler.sampleCount(), size_t(1));
        Run::Options o = quiet();
        o.telemetry = false;
        Run run("wf", o);
        sampleAt(sampler, 1.0, 2);
        QVERIFY(run.finish().telemetry.empty());
        sampler.stop();
    }

    void manySamplesAreThinnedEvenly()
    {
        SamplerOptions so;
        so.interval = std::chrono::milliseconds(1);
        so.clock = FakeClock::clock();
        so.maxSamples = 100;
        Sampler<int> sampler([n = 0]() mutable { return n++; }, so);
        sampler.start();
        QTRY_VERIFY(sampler.sampleCount() >= 1);
        Run run("long", quiet());
        QTRY_VERIFY_WITH_TIMEOUT(sampler.droppedSamples() > 1600, 30000);
        const PerformanceRecord &r = run.finish();
        sampler.stop();
        QVERIFY(r.telemetry.size() <= TelemetryList::kMaxEntries);
        QVERIFY(r.telemetryDropped > 0);
        QVERIFY(r.telemetry.size() + r.telemetryDropped >= 1500);
        // The values kept are evenly spaced: one power-of-two stride throughout.
        const auto value = [&](size_t i) { return parse(r.telemetry[i]).value(u"value"_s).toInteger(); };
        const qint64 stride = value(1) - value(0);
        QVERIFY(stride >= 2 && (stride & (stride - 1)) == 0);
        for (size_t i = 1; i < r.telemetry.size(); ++i)
            QCOMPARE(value(i) - value(i - 1), stride);
    }

    void aRecordPastTheLineLimitSendsFewerSamples()
    {
        PerformanceRecord record;
        record.workflow = "big";
        record.startTime = record.endTime = FakeClock::wall;
        for (int i = 0; i < 1024; ++i)
            record.telemetry.push_back(
                "{\"ts\":1,\"i\":" + std::to_string(i) + ",\"pad\":\"" + std::string(2000, 'p') + "\"}");
        record.telemetryDropped = 10;
        const std::string line = record.toJson();
        QVERIFY(line.size() <= kMaxLineBytes);
        const QJsonObject r = parse(line);
        const QJsonArray telemetry = r.value(u"telemetry"_s).toArray();
        QCOMPARE(telemetry.size(), 512);
        QCOMPARE(telemetry.at(1).toObject().value(u"i"_s).toInt(), 2);
        QCOMPARE(r.value(u"telemetry_dropped"_s).toInt(), 10 + 512);
    }

private:
    Run::Options quiet() const
    {
        Run::Options o;
        o.clock = FakeClock::clock();
        o.records = m_records.get();
        o.log = false;
        return o;
    }
    // A sampler that samples at start and then only when asked (sampleAt), on the fake clock.
    static SamplerOptions manualSampler()
    {
        SamplerOptions o;
        o.interval = std::chrono::hours(1);
        o.clock = FakeClock::clock();
        return o;
    }
    // Moves the clock on and waits until the sampler has taken its count-th sample (and served the runs).
    static void sampleAt(Sampler<int> &sampler, double advance, size_t count)
    {
        FakeClock::advance(advance);
        sampler.sampleNow();
        QTRY_COMPARE(sampler.sampleCount(), count);
    }
    static QJsonObject parse(const std::string &line)
    {
        return QJsonDocument::fromJson(QByteArray::fromStdString(line)).object();
    }

    QTemporaryDir m_dir;
    QStringList m_log;
    std::unique_ptr<test::RecordSink> m_sink;
    std::unique_ptr<RecordsClient> m_records;
};

QTEST_GUILESS_MAIN(TestRun)
#include "tst_run.moc"
