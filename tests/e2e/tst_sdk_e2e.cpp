// SPDX-License-Identifier: GPL-3.0-or-later
// Both SDKs against the real collector: the C++ and the Python inference examples send runs, operations and process
// samples to ingest.sock; the C++ StatsD client sends to dsd.socket. Checked in the live frames, in the collector's
// stats, and in storage once the collector has stopped.
#include "collectorprocess.h"
#include "perfdash/modulemetrics.h"
#include "perfdash/statsdclient.h"
#include "storage/database.h"
#include "storedhistory.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QSqlQuery>
#include <QTest>

#include <charconv>
#include <cmath>
#include <cstdio>

using namespace perfdash;
using namespace perfdash::test;
using namespace Qt::Literals::StringLiterals;

namespace {
// The latest frame of each second: a final frame replaces its provisional one.
class Seconds {
public:
    void add(const QVector<LiveFrame> &frames)
    {
        for (const auto &f : frames)
            m_frames.insert(f.second, f);
    }
    // Sum of count over every second, for one key.
    qint64 count(const QString &key) const
    {
        qint64 n = 0;
        for (const auto &f : m_frames) {
            for (const auto &s : f.series)
                n += s.key == key ? s.count : 0;
        }
        return n;
    }
    double max(const QString &key) const
    {
        double m = 0;
        for (const auto &f : m_frames) {
            for (const auto &s : f.series)
                m = s.key == key ? std::max(m, s.max) : m;
        }
        return m;
    }
    QStringList keysStartingWith(const QString &prefix) const
    {
        QStringList keys;
        for (const auto &f : m_frames) {
            for (const auto &s : f.series) {
                if (s.key.startsWith(prefix) && !keys.contains(s.key))
                    keys << s.key;
            }
        }
        return keys;
    }

private:
    QMap<qint64, LiveFrame> m_frames;
};

QHash<QString, QString> keyValues(const QByteArray &output)
{
    QHash<QString, QString> out;
    for (const auto &line : QString::fromUtf8(output).split(u'\n', Qt::SkipEmptyParts))
        out.insert(line.section(u' ', 0, 0), line.section(u' ', 1));
    return out;
}
} // namespace

class TestSdkE2E : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void inferenceExample_data()
    {
        QTest::addColumn<QString>("language");
        QTest::newRow("cpp") << u"cpp"_s;
        QTest::newRow("python") << u"python"_s;
    }
    void inferenceExample()
    {
        QFETCH(QString, language);
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start());
        LiveReader live;
        QVERIFY(live.connectTo(collector.livePath));

        constexpr int runs = 4; // every 2nd prediction fails: 2 runs fail
        const QStringList arguments { u"--runs"_s, QString::number(runs), u"--pause-ms"_s, u"50"_s, u"--fail-every"_s,
            u"2"_s, u"--model"_s, u"m-"_s + language };
        QProcess example;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"PERFDASH_INGEST_SOCKET"_s, QDir(collector.runtimeDir).filePath(u"ingest.sock"_s));
        env.remove(u"PERFDASH_ENABLED"_s);
        env.insert(u"PERFDASH_CONFIG"_s, dir.filePath(u"no-client.conf"_s)); // the user's own file must not turn it off
        const QString source = qEnvironmentVariable("PERFDASH_SOURCE_DIR");
        if (language == u"cpp"_s) {
            example.setProcessEnvironment(env);
            example.start(binary(u"perfdash-example-inference"_s), arguments);
        } else {
            env.insert(u"PYTHONPATH"_s, QDir(source).filePath(u"clients/python"_s));
            env.insert(u"PYTHONDONTWRITEBYTECODE"_s, u"1"_s);
            example.setProcessEnvironment(env);
            example.start(debianPython,
                QStringList { QDir(source).filePath(u"clients/python/examples/inference_pipeline.py"_s) } + arguments);
        }
        QVERIFY(example.waitForStarted(10000));
        const qint64 pid = example.processId();
        Seconds seconds;
        const QString model = u"model:m-"_s + language;
        const QString runOk = u"run.count|"_s + model + u",status:ok,workflow:inference"_s;
        const QString runError = u"run.count|"_s + model + u",status:error,workflow:inference"_s;
        // Frames wait in live.sock meanwhile (a few KiB a second, far below the collector's backlog limit).
        QVERIFY(example.waitForFinished(120000));
        QDeadlineTimer deadline(15000);
        while (!deadline.hasExpired() && seconds.count(runOk) + seconds.count(runError) < runs)
            seconds.add(live.readUntil([](const LiveFrame &) { return true; }, 500));
        QCOMPARE(example.exitStatus(), QProcess::NormalExit);
        const QByteArray out = example.readAllStandardOutput();
        QVERIFY2(example.exitCode() == 0, example.readAllStandardError().constData());
        seconds.add(live.readUntil([](const LiveFrame &) { return false; }, 3000)); // late seconds' final frames

        // Runs and their steps.
        QCOMPARE(seconds.count(runOk), runs / 2);
        QCOMPARE(seconds.count(runError), runs / 2);
        QCOMPARE(seconds.count(u"run.duration|"_s + model + u",workflow:inference"_s), runs);
        for (const char *step : { "load_data", "load_model", "preprocess", "predict", "postprocess" })
            QCOMPARE(seconds.count(
                         u"run.step.duration|"_s + model + u",step:%1,workflow:inference"_s.arg(QLatin1String(step))),
                runs);
        // load_model sleeps 30 ms in both examples.
        QVERIFY(seconds.max(u"run.step.duration|"_s + model + u",step:load_model,workflow:inference"_s) >= 30);

        // Operations: predict fails every 2nd time with a category.
        const QString opTags = model + u",module:inference-example,op:predict"_s;
        QCOMPARE(seconds.count(u"op.elapsed|"_s + opTags), runs);
        QCOMPARE(seconds.count(u"op.requests|"_s + opTags + u",status:error"_s), runs / 2);
        const QString category = language == u"cpp"_s ? u"runtime"_s : u"validation"_s;
        QCOMPARE(seconds.count(u"op.errors|category:"_s + category + u","_s + opTags), runs / 2);
        const qint64 rows = language == u"cpp"_s ? 200000 : 10000; // rows per load_data in each example
        QCOMPARE(seconds.count(u"op.items|"_s + model + u",module:inference-example,op:load_data"_s), runs * rows);
        QVERIFY(seconds.max(u"op.memory_mb|"_s + opTags) > 1);

        // The process's own samples, under its pid.
        const QString pidTag = u"pid:"_s + QString::number(pid);
        QVERIFY2(seconds.count(u"process.rss_mb|"_s + pidTag) >= 1,
            qPrintable(seconds.keysStartingWith(u"process."_s).join(u' ')));
        QVERIFY(seconds.max(u"process.rss_mb|"_s + pidTag) > 1);
        QVERIFY(seconds.count(u"process.cpu_percent|"_s + pidTag) >= 1);

        // Every record the example sent was accepted, none rejected.
        const auto sent = keyValues(out);
        QCOMPARE(sent.value(u"records_dropped"_s), u"0"_s);
        const auto stats = statsOf(collector);
        QCOMPARE(stats.value(u"records_accepted"_s), sent.value(u"records_sent"_s));
        QCOMPARE(stats.value(u"records_rejected"_s), u"0"_s);

        // And the series are on disk once the collector stopped.
        QCOMPARE(collector.stop(), 0);
        QCOMPARE(storedCount(collector.dbPath, u"run.duration|"_s + model + u",workflow:inference"_s), qint64(runs));
        QCOMPARE(storedCount(collector.dbPath, u"op.elapsed|"_s + opTags), qint64(runs));
    }

    // Seed 003's test_02: a large operation reports more than 1,000 items/s through the whole path. The SDK times
    // real work (parsing 200,000 CSV rows), the collector takes its record, and the operations table keeps the rate.
    // The floor is far below what any machine does (tens of millions of rows/s): it fails only when the rate is lost or
    // miscomputed on the way (items or elapsed dropped, seconds taken for milliseconds), not on a loaded machine.
    void aLargeOperationReportsOver1000ItemsPerSecond()
    {
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start());
        qputenv(
            "PERFDASH_CONFIG", dir.filePath(u"no-client.conf"_s).toUtf8()); // the user's own file must not turn it off
        client::RecordsClient::Options recordsOptions;
        recordsOptions.socketPath = QDir(collector.runtimeDir).filePath(u"ingest.sock"_s).toStdString();
        client::RecordsClient records(recordsOptions);
        client::ModuleMetrics::Options options;
        options.records = &records;
        client::ModuleMetrics metrics("importer", options);
        constexpr int kRows = 200000;
        qint64 total = 0;
        {
            auto op = metrics.operation("large_import");
            char row[64];
            for (int i = 0; i < kRows; ++i) {
                const int n = std::snprintf(row, sizeof(row), "%d,%d,%d\n", i, 2 * i, 3 * i);
                const char *p = row;
                const char *end = row + n;
                while (p < end) {
                    int value = 0;
                    p = std::from_chars(p, end, value).ptr + 1; // past the separator
                    total += value;
                }
            }
            op.setItems(kRows);
        }
        QCOMPARE(total, qint64(6) * (qint64(kRows) * (kRows - 1) / 2));
        QVERIFY(records.flushFor(std::chrono::seconds(10)));
        QTRY_COMPARE_WITH_TIMEOUT(statsOf(collector).value(u"records_accepted"_s), u"1"_s, 20000);
        QCOMPARE(collector.stop(), 0);
        const QString name = u"test02"_s;
        QVERIFY(Database::openReadOnly(name, collector.dbPath).ok);
        {
            QSqlQuery q(QSqlDatabase::database(name));
            QVERIFY(q.exec(u"SELECT items_processed, elapsed_s, items_per_s, op_code, success FROM operations"
                           " WHERE operation_name = 'large_import' ORDER BY time DESC LIMIT 1"_s)
                && q.next());
            const qint64 items = q.value(0).toLongLong();
            const double elapsed = q.value(1).toDouble();
            const double rate = q.value(2).toDouble();
            QCOMPARE(items, qint64(kRows));
            QVERIFY(elapsed > 0);
            QVERIFY2(rate > 1000, qPrintable(u"%1 items/s"_s.arg(rate)));
            QVERIFY(std::abs(rate - double(items) / elapsed) <= 1e-6 * rate); // the rate is the items over the time
            QCOMPARE(q.value(3).toString(), u"importer"_s);
            QCOMPARE(q.value(4).toInt(), 1);
            qInfo("large_import: %lld items in %.4f s, %.0f items/s", items, elapsed, rate);
        }
        Database::close(name);
    }

    // The Python SDK's work records of issue 19 through the real collector: a run started inside a sampler keeps the
    // samples taken while it ran (seed 002's telemetry), the sampler's own series become gauges, an API call and a
    // notification become rows, and a resend (the same guid) is skipped.
    void pythonWorkRecordsLandWithTheirSamples()
    {
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start());
        QProcess producer;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        const QString source = qEnvironmentVariable("PERFDASH_SOURCE_DIR");
        env.insert(u"PYTHONPATH"_s, QDir(source).filePath(u"clients/python"_s));
        env.insert(u"PYTHONDONTWRITEBYTECODE"_s, u"1"_s);
        env.remove(u"PERFDASH_ENABLED"_s);
        env.insert(u"PERFDASH_CONFIG"_s, dir.filePath(u"no-client.conf"_s));
        producer.setProcessEnvironment(env);
        producer.start(debianPython,
            { QDir(source).filePath(u"tests/e2e/python/work_records.py"_s),
                QDir(collector.runtimeDir).filePath(u"ingest.sock"_s) });
        QVERIFY(producer.waitForFinished(60000));
        QVERIFY2(producer.exitCode() == 0, producer.readAllStandardError().constData());
        const auto sent = keyValues(producer.readAllStandardOutput());
        QCOMPARE(sent.value(u"flushed"_s), u"True"_s);
        const qint64 samples = sent.value(u"sampler_samples"_s).toLongLong();
        const qint64 runSamples = sent.value(u"run_samples"_s).toLongLong();
        QVERIFY(runSamples >= 3 && runSamples <= samples);
        // A run, an API call, a notification, the resend, and two gauges a sample (queue and mem.rss_mb).
        const qint64 records = 4 + 2 * samples;
        QTRY_COMPARE_WITH_TIMEOUT(statsOf(collector).value(u"records_accepted"_s).toLongLong(), records, 20000);
        const auto stats = statsOf(collector);
        QCOMPARE(stats.value(u"records_rejected"_s), u"0"_s);
        QCOMPARE(stats.value(u"records_resent"_s), u"1"_s);
        QCOMPARE(collector.stop(), 0);

        QCOMPARE(storedCount(collector.dbPath, u"train.queue|service:pay"_s), samples);
        QCOMPARE(storedCount(collector.dbPath, u"train.mem.rss_mb|service:pay"_s), samples);
        const QString name = u"pyworkrecords"_s;
        QVERIFY(Database::openReadOnly(name, collector.dbPath).ok);
        {
            QSqlQuery run(QSqlDatabase::database(name));
            QVERIFY(run.exec(u"SELECT guid, telemetry, telemetry_dropped, execution_mode, tags, memory_mb FROM runs"_s)
                && run.next());
            QCOMPARE(run.value(0).toString(), sent.value(u"run_guid"_s));
            const QJsonArray telemetry = QJsonDocument::fromJson(run.value(1).toString().toUtf8()).array();
            QCOMPARE(telemetry.size(), runSamples);
            for (const QJsonValue &v : telemetry) {
                const QJsonObject sample = v.toObject();
                QVERIFY(sample.value(u"ts"_s).toDouble() > 1e9);
                // ISO 8601 with the producer's UTC offset, as seed 002 shows it.
                const QString timestamp = sample.value(u"timestamp"_s).toString();
                QVERIFY2(QDateTime::fromString(timestamp, Qt::ISODateWithMs).isValid(), qPrintable(timestamp));
                // The same instant: the text holds whole milliseconds (Python's isoformat cuts, it does not round).
                const qint64 textMs = QDateTime::fromString(timestamp, Qt::ISODateWithMs).toMSecsSinceEpoch();
                QVERIFY(std::abs(textMs - sample.value(u"ts"_s).toDouble() * 1000) < 1.0);
                QCOMPARE(sample.value(u"phase"_s).toString(), u"fit"_s);
                QCOMPARE(sample.value(u"mem.rss_mb"_s).toDouble(), 1.5);
                QVERIFY(sample.value(u"queue"_s).toInt() >= 1);
            }
            QVERIFY(run.value(2).isNull() || run.value(2).toInt() == 0);
            QCOMPARE(run.value(3).toString(), u"sequential"_s);
            QCOMPARE(run.value(4).toString(), u"service:pay"_s);
            QVERIFY(run.value(5).toDouble() > 1);
            QSqlQuery api(QSqlDatabase::database(name));
            QVERIFY(api.exec(u"SELECT guid, method, endpoint, status_code, success, op_code, COUNT(*) FROM api_calls"_s)
                && api.next());
            QCOMPARE(api.value(0).toString(), sent.value(u"api_guid"_s));
            QCOMPARE(api.value(1).toString(), u"POST"_s);
            QCOMPARE(api.value(2).toString(), u"/v1/charge"_s);
            QCOMPARE(api.value(3).toInt(), 201);
            QCOMPARE(api.value(4).toInt(), 1);
            QCOMPARE(api.value(5).toString(), u"payments"_s);
            QCOMPARE(api.value(6).toInt(), 1);
            QSqlQuery note(QSqlDatabase::database(name));
            QVERIFY(note.exec(u"SELECT guid, channel, recipients, delivered FROM notifications"_s) && note.next());
            QCOMPARE(note.value(0).toString(), sent.value(u"notification_guid"_s));
            QCOMPARE(note.value(1).toString(), u"email"_s);
            QCOMPARE(note.value(2).toInt(), 3);
            QCOMPARE(note.value(3).toInt(), 3);
        }
        Database::close(name);
    }

    void cppStatsdOverUnixDatagram()
    {
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY(collector.start());
        LiveReader live;
        QVERIFY(live.connectTo(collector.livePath));
        client::StatsdClient statsd;
        QVERIFY(statsd.openUnix(QDir(collector.runtimeDir).filePath(u"dsd.socket"_s).toStdString()));
        for (double ms : { 5.0, 10.0, 15.0 })
            statsd.timing("sdk.latency", ms, { "model:m1" });
        statsd.count("sdk.requests", 3, { "model:m1" });
        statsd.flush();
        QCOMPARE(statsd.sentLines(), uint64_t(4));
        QCOMPARE(statsd.droppedLines(), uint64_t(0));
        Seconds seconds;
        QDeadlineTimer deadline(10000);
        while (!deadline.hasExpired() && seconds.count(u"sdk.requests|model:m1"_s) < 3)
            seconds.add(live.readUntil([](const LiveFrame &) { return true; }, 500));
        seconds.add(live.readUntil([](const LiveFrame &) { return false; }, 1500));
        QCOMPARE(seconds.count(u"sdk.latency|model:m1"_s), 3);
        QCOMPARE(seconds.max(u"sdk.latency|model:m1"_s), 15.0);
        QCOMPARE(seconds.count(u"sdk.requests|model:m1"_s), 3);
    }
};

QTEST_GUILESS_MAIN(TestSdkE2E)
#include "tst_sdk_e2e.moc"
