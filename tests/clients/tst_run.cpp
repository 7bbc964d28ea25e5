// SPDX-License-Identifier: GPL-3.0-or-later
// Run: timing of a workflow and its steps on an injected clock, the performance record, the log lines and the
// `run` record it sends.
#include "perfdash/run.h"
#include "recordsink.h"
#include "fakeclock.h"

#include <QJsonArray>
#include <QTest>

#include <stdexcept>

using namespace perfdash;
using namespace perfdash::client;
using namespace Qt::Literals::StringLiterals;

using perfdash::test::FakeClock;

class TestRun : public QObject {
    Q_OBJECT
private Q_SLOTS:
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

private:
    QTemporaryDir m_dir;
    QStringList m_log;
    std::unique_ptr<test::RecordSink> m_sink;
    std::unique_ptr<RecordsClient> m_records;
};

QTEST_GUILESS_MAIN(TestRun)
#include "tst_run.moc"
