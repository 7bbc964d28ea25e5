// SPDX-License-Identifier: GPL-3.0-or-later
// RecordsClient (ingest.sock): records wait while the collector is away and go out once it is there, reconnects,
// bounded buffering with counted drops; StatsdClient over a Unix datagram socket.
#include "perfdash/recordsclient.h"
#include "perfdash/statsdclient.h"
#include "recordsink.h"

#include <QTest>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>

using namespace perfdash;
using namespace perfdash::client;
using namespace Qt::Literals::StringLiterals;
using namespace std::chrono_literals;

class TestRecordsClient : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(u"ingest-%1.sock"_s.arg(++m_n));
    }

    void sendsOneLinePerRecord()
    {
        test::RecordSink sink(m_path);
        QVERIFY(sink.listen());
        RecordsClient client(options());
        QVERIFY(client.send(R"({"type":"quality","model":"m","metric":"f1","value":0.9})"));
        QVERIFY(client.send(R"({"type":"quality","model":"m","metric":"f1","value":0.8})"));
        QTRY_COMPARE(sink.lines().size(), 2);
        QCOMPARE(sink.object(1).value(u"value"_s).toDouble(), 0.8);
        QCOMPARE(client.sentRecords(), uint64_t(2));
        QCOMPARE(client.droppedRecords(), uint64_t(0));
        QCOMPARE(client.connects(), uint64_t(1));
    }

    void recordsWaitForTheCollector()
    {
        RecordsClient::Options o = options();
        o.reconnectInterval = 0ms;
        RecordsClient client(o);
        QVERIFY(client.send(R"({"n":1})"));
        QVERIFY(client.send(R"({"n":2})"));
        QVERIFY(!client.connected());
        QCOMPARE(client.sentRecords(), uint64_t(0));
        test::RecordSink sink(m_path);
        QVERIFY(sink.listen());
        QVERIFY(client.flush());
        QTRY_COMPARE(sink.lines().size(), 2);
        QCOMPARE(sink.lines().at(0), QByteArray(R"({"n":1})"));
        QCOMPARE(client.droppedRecords(), uint64_t(0));
    }

    void reconnectsAfterTheCollectorGoesAway()
    {
        RecordsClient::Options o = options();
        o.reconnectInterval = 0ms;
        RecordsClient client(o);
        {
            test::RecordSink sink(m_path);
            QVERIFY(sink.listen());
            QVERIFY(client.send(R"({"n":1})"));
            QTRY_COMPARE(sink.lines().size(), 1);
            sink.close();
        }
        // The first send after the peer closed may still be taken by the kernel; soon one fails and the client
        // reconnects to the new collector.
        test::RecordSink second(m_path);
        QVERIFY(second.listen());
        for (int i = 0; i < 50 && second.lines().isEmpty(); ++i) {
            client.send(R"({"n":2})");
            QTest::qWait(20);
        }
        QVERIFY(!second.lines().isEmpty());
        QCOMPARE(client.connects(), uint64_t(2));
    }

    void aFullBufferDropsAndCounts()
    {
        RecordsClient::Options o = options();
        o.maxBufferBytes = 100;
        RecordsClient client(o); // nobody listens
        int accepted = 0;
        for (int i = 0; i < 20; ++i)
            accepted += client.send(R"({"type":"x","pad":"0123456789"})") ? 1 : 0; // 31 bytes with '\n'
        QCOMPARE(accepted, 3);
        QCOMPARE(client.droppedRecords(), uint64_t(17));
        QVERIFY(client.bufferedBytes() <= 100);
    }

    void aCollectorThatDoesNotReadNeverBlocksTheSender()
    {
        // A listening socket nobody accepts from: the kernel buffers fill up, then records wait and then drop.
        const int server = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un addr {};
        addr.sun_family = AF_UNIX;
        const QByteArray path = m_path.toUtf8();
        std::memcpy(addr.sun_path, path.constData(), size_t(path.size()));
        QCOMPARE(::bind(server, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)), 0);
        QCOMPARE(::listen(server, 4), 0);
        RecordsClient::Options o = options();
        o.maxBufferBytes = 64LL * 1024;
        RecordsClient client(o);
        const std::string line = std::string("{\"type\":\"metric\",\"pad\":\"") + std::string(900, 'p') + "\"}";
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < 20000; ++i)
            client.send(line);
        const auto took = std::chrono::steady_clock::now() - start;
        QVERIFY(took < 10s);
        QVERIFY(client.droppedRecords() > 0);
        QCOMPARE(client.sentRecords() + client.droppedRecords() + client.bufferedBytes() / (line.size() + 1),
            uint64_t(20000));
        ::close(server);
    }

    void disabledDropsEverything()
    {
        test::RecordSink sink(m_path);
        QVERIFY(sink.listen());
        RecordsClient::Options o = options();
        o.enabled = false;
        RecordsClient client(o);
        QVERIFY(!client.send(R"({"n":1})"));
        QCOMPARE(client.droppedRecords(), uint64_t(1));
        QTest::qWait(50);
        QCOMPARE(sink.connections(), 0);
    }

    void statsdOverUnixDatagram()
    {
        const QByteArray path = m_dir.filePath(u"dsd.socket"_s).toUtf8();
        const int receiver = ::socket(AF_UNIX, SOCK_DGRAM, 0);
        sockaddr_un addr {};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, path.constData(), size_t(path.size()));
        QCOMPARE(::bind(receiver, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)), 0);
        {
            StatsdClient client;
            QVERIFY(client.openUnix(path.toStdString()));
            client.timing("api.latency", 12.5, { "model:m1" });
            client.count("api.requests");
            client.flush();
            QCOMPARE(client.sentLines(), uint64_t(2));
        }
        char buf[2048];
        const ssize_t n = ::recv(receiver, buf, sizeof(buf), MSG_DONTWAIT);
        QCOMPARE(QByteArray(buf, int(n)), QByteArray("api.latency:12.5|ms|#model:m1\napi.requests:1|c"));
        ::close(receiver);

        StatsdClient nowhere;
        QVERIFY(nowhere.openUnix(m_dir.filePath(u"absent.socket"_s).toStdString()));
        nowhere.gauge("g", 1);
        nowhere.flush();
        QCOMPARE(nowhere.droppedLines(), uint64_t(1));
        StatsdClient tooLong;
        QVERIFY(!tooLong.openUnix(std::string(200, 'x')));
    }

private:
    RecordsClient::Options options() const
    {
        RecordsClient::Options o;
        o.socketPath = m_path.toStdString();
        return o;
    }

    QTemporaryDir m_dir;
    QString m_path;
    int m_n = 0;
};

QTEST_GUILESS_MAIN(TestRecordsClient)
#include "tst_recordsclient.moc"
