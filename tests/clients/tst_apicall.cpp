// SPDX-License-Identifier: GPL-3.0-or-later
// ApiCall: the exact `api_call` lines a ModuleMetrics sends (guid, op_code from the module, method, endpoint,
// status, sizes, cache hit, outcome), success from the status, and an exception leaving the scope.
#include "perfdash/apicall.h"
#include "recordsink.h"
#include "fakeclock.h"

#include <QRegularExpression>
#include <QTest>

#include <stdexcept>

using namespace perfdash;
using namespace perfdash::client;
using namespace Qt::Literals::StringLiterals;

using perfdash::test::FakeClock;

namespace {
// The line expected, with the record's guid for GUID.
QByteArray expectedLine(const std::string &guid, const char *line)
{
    return QByteArray(line).replace("GUID", QByteArray::fromStdString(guid));
}
} // namespace

class TestApiCall : public QObject {
    Q_OBJECT
private Q_SLOTS:
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

    void sendsTheRecord()
    {
        ModuleMetrics metrics("payments", m_options);
        std::string guid;
        {
            auto call = metrics.apiCall("POST", "/v1/charge");
            guid = call.guid();
            call.setTenant("billing");
            call.setStatus(502);
            call.setRequestKb(1.5);
            call.setResponseKb(0.25);
            call.setCacheHit(false);
            call.fail("bad gateway", "network");
            FakeClock::advance(0.75);
        }
        static const QRegularExpression canonical(
            u"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"_s);
        QVERIFY(canonical.match(QString::fromStdString(guid)).hasMatch());
        QTRY_COMPARE(m_sink->lines().size(), 1);
        QCOMPARE(m_sink->lines().at(0),
            expectedLine(guid,
                R"({"type":"api_call","v":1,"ts":1657100000.75,"guid":"GUID","op_code":"payments",)"
                R"("tenant":"billing","method":"POST","endpoint":"/v1/charge","status":502,)"
                R"("request_kb":1.5,"response_kb":0.25,"elapsed_s":0.75,"cache_hit":false,"success":false,)"
                R"("error":"bad gateway","error_category":"network","tags":{"model":"m1",)"
                R"("module":"payments"}})"));
    }

    void onlyWhatWasSet()
    {
        ModuleMetrics::Options o = m_options;
        o.tags.clear();
        ModuleMetrics metrics("health", o);
        std::string guid;
        {
            auto call = metrics.apiCall("", "/healthz");
            guid = call.guid();
            call.setOpCode("HC01");
            call.setStatus(1000); // out of the protocol's range: not sent, and not a success
            call.setRequestKb(-1);
            FakeClock::advance(0.5);
        }
        QTRY_COMPARE(m_sink->lines().size(), 1);
        QCOMPARE(m_sink->lines().at(0),
            expectedLine(guid,
                R"({"type":"api_call","v":1,"ts":1657100000.5,"guid":"GUID","op_code":"HC01",)"
                R"("endpoint":"/healthz","elapsed_s":0.5,"success":false,"tags":{"module":"health"}})"));
    }

    void successFromTheStatus_data()
    {
        QTest::addColumn<int>("status"); // -1: none set
        QTest::addColumn<int>("outcome"); // -1: none given; 0/1 setSuccess
        QTest::addColumn<bool>("success");
        QTest::newRow("no status") << -1 << -1 << true;
        QTest::newRow("1") << 1 << -1 << true;
        QTest::newRow("200") << 200 << -1 << true;
        QTest::newRow("304") << 304 << -1 << true;
        QTest::newRow("399") << 399 << -1 << true;
        QTest::newRow("400") << 400 << -1 << false;
        QTest::newRow("503") << 503 << -1 << false;
        QTest::newRow("0: no answer") << 0 << -1 << false;
        QTest::newRow("404 that is fine") << 404 << 1 << true;
        QTest::newRow("200 that is not") << 200 << 0 << false;
    }
    void successFromTheStatus()
    {
        QFETCH(int, status);
        QFETCH(int, outcome);
        QFETCH(bool, success);
        ModuleMetrics::Options o = m_options;
        o.enabled = false;
        ModuleMetrics metrics("m", o);
        auto call = metrics.apiCall("GET", "/v1/items");
        if (status >= 0)
            call.setStatus(status);
        if (outcome >= 0)
            call.setSuccess(outcome == 1);
        QCOMPARE(call.success(), success);
        const std::string line = call.toJson(1, 0.5);
        QVERIFY(line.find(success ? R"("success":true)" : R"("success":false)") != std::string::npos);
    }

    void anExceptionLeavingTheScopeFailsIt()
    {
        ModuleMetrics metrics("payments", m_options);
        try {
            auto call = metrics.apiCall("POST", "/v1/refund");
            call.setStatus(200);
            throw std::runtime_error("lost the answer");
        } catch (const std::runtime_error &) {
        }
        QTRY_COMPARE(m_sink->lines().size(), 1);
        QCOMPARE(m_sink->object(0).value(u"success"_s).toBool(), false);
        QCOMPARE(m_sink->object(0).value(u"error_category"_s).toString(), u"exception"_s);
    }

    // The method is sent in ASCII upper case, as the Python SDK sends it, so `method:POST` is one series whichever
    // SDK sent it; other bytes are left as they are.
    void methodIsSentInUpperCase_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("sent");
        QTest::newRow("post") << QByteArray("post") << QByteArray("POST");
        QTest::newRow("Get") << QByteArray("Get") << QByteArray("GET");
        QTest::newRow("PATCH") << QByteArray("PATCH") << QByteArray("PATCH");
        QTest::newRow("m-search") << QByteArray("m-search") << QByteArray("M-SEARCH");
        QTest::newRow("not ASCII") << QByteArray("p\xC3\xB6st") << QByteArray("P\xC3\xB6ST");
        QTest::newRow("sanitized") << QByteArray("get|x") << QByteArray("GET_X");
    }
    void methodIsSentInUpperCase()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, sent);
        ModuleMetrics::Options o = m_options;
        o.tags.clear();
        ModuleMetrics metrics("m", o);
        std::string guid;
        {
            auto call = metrics.apiCall(method.toStdString(), "/v1/items");
            guid = call.guid();
            FakeClock::advance(0.5);
        }
        QTRY_COMPARE(m_sink->lines().size(), 1);
        QCOMPARE(m_sink->lines().at(0),
            expectedLine(guid,
                R"({"type":"api_call","v":1,"ts":1657100000.5,"guid":"GUID","op_code":"m","method":"METHOD",)"
                R"("endpoint":"/v1/items","elapsed_s":0.5,"success":true,"tags":{"module":"m"}})")
                .replace("METHOD", sent));
    }

    void eachCallHasItsOwnGuid()
    {
        ModuleMetrics::Options o = m_options;
        o.enabled = false;
        ModuleMetrics metrics("m", o);
        auto a = metrics.apiCall("GET", "/a");
        auto b = metrics.apiCall("GET", "/a");
        QVERIFY(a.guid() != b.guid());
        auto moved = std::move(a); // the guid goes with the record
        QCOMPARE(moved.toJson(1, 0).find(moved.guid()) != std::string::npos, true);
        QCOMPARE(moved.toJson(1, 0), moved.toJson(1, 0)); // a resend is the same line
    }

private:
    QTemporaryDir m_dir;
    int m_n = 0;
    std::unique_ptr<test::RecordSink> m_sink;
    std::unique_ptr<RecordsClient> m_records;
    ModuleMetrics::Options m_options;
};

QTEST_GUILESS_MAIN(TestApiCall)
#include "tst_apicall.moc"
