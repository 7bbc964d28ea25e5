// SPDX-License-Identifier: GPL-3.0-or-later
// The HTTP routes' bounds (app/boundedtcpserver.h) on real loopback sockets: one connection too many is answered 503
// and closed; an idle, an old or an oversized connection is closed; each counted by reason. Small limits, and every
// wait is on a socket's signal.
#include "app/boundedtcpserver.h"

#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <memory>
#include <vector>

using namespace perfdash;

namespace {

// Accepts what the server hands out and keeps it open, as QHttpServer does between requests.
struct Acceptor {
    std::vector<QTcpSocket *> accepted;
    explicit Acceptor(BoundedTcpServer &server)
    {
        QObject::connect(&server, &QTcpServer::newConnection, &server, [this, &server]() {
            while (QTcpSocket *s = server.nextPendingConnection())
                accepted.push_back(s);
        });
    }
};

std::unique_ptr<QTcpSocket> connectTo(const BoundedTcpServer &server)
{
    auto socket = std::make_unique<QTcpSocket>();
    socket->connectToHost(QHostAddress::LocalHost, server.serverPort());
    return socket;
}

} // namespace

class TestBoundedTcpServer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void oneConnectionTooManyIsAnswered503()
    {
        BoundedTcpServer::Limits limits;
        limits.maxConnections = 2;
        BoundedTcpServer server(limits);
        Acceptor acceptor(server);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        auto a = connectTo(server), b = connectTo(server);
        QTRY_COMPARE(server.openConnections(), 2);
        auto c = connectTo(server);
        QSignalSpy closed(c.get(), &QTcpSocket::disconnected);
        QVERIFY(closed.wait(5000));
        QVERIFY(c->readAll().startsWith("HTTP/1.1 503 Service Unavailable\r\n"));
        QCOMPARE(server.refusals().busy, 1);
        QCOMPARE(server.openConnections(), 2);
        // One goes: there is room again.
        a->disconnectFromHost();
        QTRY_COMPARE(server.openConnections(), 1);
        auto d = connectTo(server);
        QTRY_COMPARE(server.openConnections(), 2);
    }

    void anIdleConnectionIsClosed()
    {
        BoundedTcpServer::Limits limits;
        limits.idleMs = 200;
        BoundedTcpServer server(limits);
        Acceptor acceptor(server);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        auto a = connectTo(server);
        QSignalSpy closed(a.get(), &QTcpSocket::disconnected);
        QVERIFY(closed.wait(5000));
        QCOMPARE(server.refusals().idle, 1);
        QTRY_COMPARE(server.openConnections(), 0);
    }

    void aSlowClientIsClosedAtTheLifetime()
    {
        BoundedTcpServer::Limits limits;
        limits.lifetimeMs = 300;
        BoundedTcpServer server(limits);
        Acceptor acceptor(server);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        auto a = connectTo(server);
        QVERIFY(a->waitForConnected(5000));
        QSignalSpy closed(a.get(), &QTcpSocket::disconnected);
        // A byte at a time, as a slowloris would: it keeps the idle timer fresh but not the connection.
        QTimer drip;
        connect(&drip, &QTimer::timeout, a.get(), [&a]() { a->write("G"); });
        drip.start(50);
        QVERIFY(closed.wait(5000));
        QCOMPARE(server.refusals().lifetime, 1);
        QCOMPARE(server.refusals().idle, 0);
    }

    void anOversizedRequestIsClosed()
    {
        BoundedTcpServer::Limits limits;
        limits.maxBytes = 1024;
        BoundedTcpServer server(limits);
        Acceptor acceptor(server);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        auto a = connectTo(server);
        QVERIFY(a->waitForConnected(5000));
        QSignalSpy closed(a.get(), &QTcpSocket::disconnected);
        a->write("GET /metrics HTTP/1.1\r\nX-Padding: " + QByteArray(4096, 'x') + "\r\n\r\n");
        QVERIFY(closed.wait(5000));
        QCOMPARE(server.refusals().size, 1);
    }
};

QTEST_GUILESS_MAIN(TestBoundedTcpServer)
#include "tst_boundedtcpserver.moc"
