// SPDX-License-Identifier: GPL-3.0-or-later
// ModuleMetrics: `op` records (guid, items, elapsed, rate, memory, errors cut at 5000 characters, the module as
// op_code), session statistics and their formatted print, and the promise that metrics never fail the operation.
#include "perfdash/modulemetrics.h"
#include "recordsink.h"
#include "fakeclock.h"

#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include <stdexcept>

using namespace perfdash;
using namespace perfdash::client;
using namespace Qt::Literals::StringLiterals;

using perfdash::test::FakeClock;

class TestModuleMetrics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_sink = std::make_unique<test::RecordSink>(m_dir.filePath(u"ingest.sock"_s));
        QVERIFY(m_sink->listen());
        RecordsClient::Options o;
        o.socketPath = m_dir.filePath(u"ingest.sock"_s).toStdString();
        m_records = std::make_unique<RecordsClient>(o);
        m_options = {};
        m_options.clock = FakeClock::clock();
        m_options.records = m_records.get();
        m_options.tags = { { "model", "m1" } };
    }
    void cleanup()
    {
        m_records.reset();
        m_sink.reset();
    }

    void operationRecord()
    {
        ModuleMetrics metrics("importer", m_options);
        {
            auto op = metrics.operation("import");
            op.setItems(1200);
            op.setTarget("orders.csv");
            op.setOpCode("IMP01");
            op.setTenant("billing");
            op.setCacheHits(17);
            FakeClock::advance(2.5);
        }
        QTRY_COMPARE(m_sink->lines().size(), 1);
        const QJsonObject r = m_sink->object(0);
        QCOMPARE(r.value(u"type"_s).toString(), u"op"_s);
        QCOMPARE(r.value(u"name"_s).toString(), u"import"_s);
        QCOMPARE(r.value(u"ts"_s).toDouble(), 1657100002.5);
        QCOMPARE(r.value(u"items"_s).toInteger(), 1200);
        QCOMPARE(r.value(u"elapsed_s"_s).toDouble(), 2.5);
        QCOMPARE(r.value(u"items_per_s"_s).toDouble(), 480.0);
        QCOMPARE(r.value(u"target"_s).toString(), u"orders.csv"_s);
        QCOMPARE(r.value(u"op_code"_s).toString(), u"IMP01"_s);
        QCOMPARE(r.value(u"tenant"_s).toString(), u"billing"_s);
        QCOMPARE(r.value(u"cache_hits"_s).toInteger(), 17);
        QCOMPARE(r.value(u"success"_s).toBool(), true);
        QVERIFY(!r.contains(u"error"_s));
        QCOMPARE(r.value(u"tags"_s).toObject().value(u"module"_s).toString(), u"importer"_s);
        QCOMPARE(r.value(u"tags"_s).toObject().value(u"model"_s).toString(), u"m1"_s);
        // Memory is this process's resident set, read once at the end.
        const double memory = r.value(u"memory_mb"_s).toDouble();
        QVERIFY2(memory > 1 && std::abs(memory - residentMemoryMb()) < 64, qPrintable(QString::number(memory)));
    }

    // Counts past 2^53, the protocol's largest integer, are sent as 2^53.
    void countsAreClampedTo2Pow53()
    {
        ModuleMetrics::Options o = m_options;
        o.enabled = false;
        o.tags.clear();
        ModuleMetrics metrics("m", o);
        auto op = metrics.operation("import");
        op.setItems(~uint64_t(0));
        op.setCacheHits((uint64_t(1) << 53) + 1);
        op.setApiCalls(uint64_t(1) << 53);
        const QJsonObject r = QJsonDocument::fromJson(QByteArray::fromStdString(op.toJson(1, 0, -1))).object();
        QCOMPARE(r.value(u"items"_s).toInteger(), qint64(1) << 53);
        QCOMPARE(r.value(u"cache_hits"_s).toInteger(), qint64(1) << 53);
        QCOMPARE(r.value(u"api_calls"_s).toInteger(), qint64(1) << 53);
    }

    void operationsCarryAGuid()
    {
        ModuleMetrics metrics("importer", m_options);
        std::string first;
        {
            auto a = metrics.operation("import");
            auto b = metrics.operation("import");
            first = a.guid();
            QVERIFY(a.guid() != b.guid());
            QCOMPARE(a.toJson(1, 0.5, -1), a.toJson(1, 0.5, -1)); // a resend is the same line, guid included
        }
        QTRY_COMPARE(m_sink->lines().size(), 2);
        static const QRegularExpression canonical(
            u"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"_s);
        QSet<QString> guids;
        for (int i = 0; i < 2; ++i) {
            const QString guid = m_sink->object(i).value(u"guid"_s).toString();
            QVERIFY2(canonical.match(guid).hasMatch(), qPrintable(guid));
            guids.insert(guid);
        }
        QVERIFY(guids.contains(QString::fromStdString(first)));
        QCOMPARE(guids.size(), 2);
    }

    void opCodeIsTheModuleUnlessGiven()
    {
        ModuleMetrics metrics("importer", m_options);
        metrics.operation("import").end();
        metrics.track("parse", [](Operation &) {});
        metrics.track("load", [](Operation &op) { op.setOpCode("LD01"); });
        QTRY_COMPARE(m_sink->lines().size(), 3);
        QCOMPARE(m_sink->object(0).value(u"op_code"_s).toString(), u"importer"_s);
        QCOMPARE(m_sink->object(1).value(u"op_code"_s).toString(), u"importer"_s);
        QCOMPARE(m_sink->object(2).value(u"op_code"_s).toString(), u"LD01"_s);
        for (int i = 0; i < 3; ++i) // existing series group by the tag
            QCOMPARE(m_sink->object(i).value(u"tags"_s).toObject().value(u"module"_s).toString(), u"importer"_s);
    }

    void errorsAreCutAt5000Characters()
    {
        ModuleMetrics metrics("importer", m_options);
        {
            auto op = metrics.operation("import");
            op.fail(std::string(12000, 'e'), "network");
        }
        QTRY_COMPARE(m_sink->lines().size(), 1);
        const QJsonObject r = m_sink->object(0);
        QCOMPARE(r.value(u"success"_s).toBool(), false);
        const QString error = r.value(u"error"_s).toString();
        QCOMPARE(error.size(), 5000);
        QVERIFY(error.endsWith(u"…[truncated]"_s));
        QVERIFY(error.startsWith(QString(4988, u'e')));
        QCOMPARE(r.value(u"error_category"_s).toString(), u"network"_s);
    }

    void trackRecordsTheExceptionAndRethrows()
    {
        ModuleMetrics metrics("validator", m_options);
        bool thrown = false;
        try {
            metrics.track("check", [](Operation &op) {
                op.setItems(3);
                FakeClock::advance(0.5);
                throw std::invalid_argument("row 7: \"price\" is not a number");
            });
        } catch (const std::invalid_argument &) {
            thrown = true;
        }
        QVERIFY(thrown);
        const int value = metrics.track("sum", [](Operation &op) {
            op.setItems(2);
            FakeClock::advance(0.5);
            return 42;
        });
        QCOMPARE(value, 42);
        QTRY_COMPARE(m_sink->lines().size(), 2);
        const QJsonObject failed = m_sink->object(0);
        QCOMPARE(failed.value(u"success"_s).toBool(), false);
        QCOMPARE(failed.value(u"error"_s).toString(), u"row 7: \"price\" is not a number"_s);
        QCOMPARE(failed.value(u"error_category"_s).toString(), u"validation"_s);
        QCOMPARE(failed.value(u"items"_s).toInteger(), 3);
        QCOMPARE(m_sink->object(1).value(u"success"_s).toBool(), true);
    }

    void anExceptionLeavingAScopeFailsTheOperation()
    {
        ModuleMetrics metrics("m", m_options);
        try {
            auto op = metrics.operation("scoped");
            throw std::runtime_error("x");
        } catch (const std::runtime_error &) {
        }
        QTRY_COMPARE(m_sink->lines().size(), 1);
        QCOMPARE(m_sink->object(0).value(u"success"_s).toBool(), false);
        QCOMPARE(m_sink->object(0).value(u"error_category"_s).toString(), u"exception"_s);
    }

    void errorCategories()
    {
        const auto category = [](auto e) { return errorCategory(std::make_exception_ptr(e)); };
        QCOMPARE(category(std::bad_alloc()), std::string("memory"));
        QCOMPARE(category(std::system_error(std::make_error_code(std::errc::timed_out))), std::string("system"));
        QCOMPARE(category(std::out_of_range("x")), std::string("validation"));
        QCOMPARE(category(std::runtime_error("x")), std::string("runtime"));
        QCOMPARE(category(std::exception()), std::string("exception"));
        QCOMPARE(category(42), std::string("unknown"));
    }

    void sessionStatistics()
    {
        ModuleMetrics metrics("importer", m_options);
        for (int i = 0; i < 4; ++i) {
            auto op = metrics.operation("import");
            op.setItems(100);
            if (i == 3)
                op.fail("boom", "runtime");
            FakeClock::advance(0.5);
        }
        FakeClock::advance(3);
        const SessionStats s = metrics.stats();
        QCOMPARE(s.operations, uint64_t(4));
        QCOMPARE(s.items, uint64_t(400));
        QCOMPARE(s.totalTime, 2.0);
        QCOMPARE(s.averageRate(), 200.0);
        QCOMPARE(s.errors, uint64_t(1));
        QCOMPARE(s.errorRate(), 0.25);
        QCOMPARE(s.uptime, 5.0);
        QCOMPARE(QString::fromStdString(metrics.formatStats()),
            u"Session statistics (importer)\n"
            "  operations:   4\n"
            "  items:        400\n"
            "  total time:   2.00 seconds\n"
            "  average rate: 200.00 items/s\n"
            "  errors:       1 (25.0%)\n"
            "  uptime:       5.00 seconds\n"_s);
    }

    void noCollectorDoesNotFailTheOperation()
    {
        RecordsClient::Options ro;
        ro.socketPath = m_dir.filePath(u"nobody-listens.sock"_s).toStdString();
        ro.maxBufferBytes = 1024;
        RecordsClient nowhere(ro);
        ModuleMetrics::Options o = m_options;
        o.records = &nowhere;
        ModuleMetrics metrics("m", o);
        for (int i = 0; i < 50; ++i) {
            const int v = metrics.track("op", [](Operation &op) {
                op.setItems(1);
                return 7;
            });
            QCOMPARE(v, 7);
        }
        QCOMPARE(metrics.stats().operations, uint64_t(50));
        QVERIFY(nowhere.droppedRecords() > 0); // the 1 KiB buffer is full: counted, not thrown
        QCOMPARE(nowhere.sentRecords(), uint64_t(0));
    }

    void disabledKeepsStatisticsButSendsNothing()
    {
        ModuleMetrics::Options o = m_options;
        o.enabled = false;
        ModuleMetrics metrics("m", o);
        metrics.track("op", [](Operation &op) { op.setItems(5); });
        QCOMPARE(metrics.stats().items, uint64_t(5));
        QTest::qWait(100);
        QCOMPARE(m_sink->lines().size(), 0);
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<test::RecordSink> m_sink;
    std::unique_ptr<RecordsClient> m_records;
    ModuleMetrics::Options m_options;
};

QTEST_GUILESS_MAIN(TestModuleMetrics)
#include "tst_modulemetrics.moc"
