// SPDX-License-Identifier: GPL-3.0-or-later
// Notification: the exact `notification` lines a ModuleMetrics sends (guid, op_code from the module, channel,
// counts, queue depth, outcome), and an exception leaving the scope.
#include "perfdash/notification.h"
#include "recordsink.h"
#include "fakeclock.h"

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

class TestNotification : public QObject {
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
    }
    void cleanup()
    {
        m_records.reset();
        m_sink.reset();
    }

    void sendsTheRecord()
    {
        ModuleMetrics metrics("NTF01", m_options);
        std::string guid;
        {
            auto sent = metrics.notification("email");
            guid = sent.guid();
            sent.setRecipients(120);
            sent.setDelivered(118);
            sent.setFailed(2);
            sent.setQueueDepth(35);
            FakeClock::advance(1.5);
        }
        QTRY_COMPARE(m_sink->lines().size(), 1);
        QCOMPARE(m_sink->lines().at(0),
            expectedLine(guid,
                R"({"type":"notification","v":1,"ts":1657100001.5,"guid":"GUID","op_code":"NTF01",)"
                R"("channel":"email","recipients":120,"delivered":118,"failed":2,"queue_depth":35,)"
                R"("elapsed_s":1.5,"success":true,"tags":{"module":"NTF01"}})"));
    }

    // Counts past 2^53, the protocol's largest integer, are sent as 2^53.
    void countsAreClampedTo2Pow53()
    {
        ModuleMetrics::Options o = m_options;
        o.enabled = false;
        ModuleMetrics metrics("NTF01", o);
        auto sent = metrics.notification("sms");
        sent.setRecipients(~uint64_t(0));
        sent.setDelivered((uint64_t(1) << 53) + 1);
        sent.setFailed(uint64_t(1) << 53);
        sent.setQueueDepth(uint64_t(1) << 62);
        QCOMPARE(sent.toJson(1, 0),
            expectedLine(sent.guid(),
                R"({"type":"notification","v":1,"ts":1,"guid":"GUID","op_code":"NTF01","channel":"sms",)"
                R"("recipients":9007199254740992,"delivered":9007199254740992,"failed":9007199254740992,)"
                R"("queue_depth":9007199254740992,"elapsed_s":0,"success":true})")
                .toStdString());
    }

    void aFailedNotification()
    {
        ModuleMetrics metrics("alerts", m_options);
        std::string guid;
        {
            auto sent = metrics.notification("sms");
            guid = sent.guid();
            sent.setTenant("ops");
            sent.setRecipients(3);
            sent.setDelivered(0);
            sent.fail("gateway refused: quota", "quota");
            FakeClock::advance(0.25);
        }
        QTRY_COMPARE(m_sink->lines().size(), 1);
        QCOMPARE(m_sink->lines().at(0),
            expectedLine(guid,
                R"({"type":"notification","v":1,"ts":1657100000.25,"guid":"GUID","op_code":"alerts",)"
                R"("tenant":"ops","channel":"sms","recipients":3,"delivered":0,"elapsed_s":0.25,)"
                R"("success":false,"error":"gateway refused: quota","error_category":"quota",)"
                R"("tags":{"module":"alerts"}})"));
    }

    void anExceptionLeavingTheScopeFailsIt()
    {
        ModuleMetrics metrics("alerts", m_options);
        try {
            auto sent = metrics.notification("webhook");
            throw std::runtime_error("connection reset");
        } catch (const std::runtime_error &) {
        }
        QTRY_COMPARE(m_sink->lines().size(), 1);
        QCOMPARE(m_sink->object(0).value(u"success"_s).toBool(), false);
        QCOMPARE(m_sink->object(0).value(u"error_category"_s).toString(), u"exception"_s);
    }

    void endSendsOnce()
    {
        ModuleMetrics metrics("alerts", m_options);
        auto sent = metrics.notification("push");
        FakeClock::advance(0.5);
        QCOMPARE(sent.end(), 0.5);
        QCOMPARE(sent.end(), 0.0);
        ModuleMetrics::Options off = m_options;
        off.enabled = false;
        ModuleMetrics quiet("alerts", off);
        quiet.notification("sms").end(); // off: nothing sent
        metrics.notification("email").end(); // sent after it on the same client: the next line
        QTRY_COMPARE(m_sink->lines().size(), 2);
        QCOMPARE(m_sink->object(0).value(u"elapsed_s"_s).toDouble(), 0.5);
        QCOMPARE(m_sink->object(1).value(u"channel"_s).toString(), u"email"_s);
    }

private:
    QTemporaryDir m_dir;
    int m_n = 0;
    std::unique_ptr<test::RecordSink> m_sink;
    std::unique_ptr<RecordsClient> m_records;
    ModuleMetrics::Options m_options;
};

QTEST_GUILESS_MAIN(TestNotification)
#include "tst_notification.moc"
