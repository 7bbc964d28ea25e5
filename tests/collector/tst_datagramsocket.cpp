// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/datagramsocket.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <thread>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {
bool sendUnix(const QString &path, const QByteArray &payload)
{
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    sockaddr_un addr {};
    addr.sun_family = AF_UNIX;
    const QByteArray native = path.toLocal8Bit();
    std::memcpy(addr.sun_path, native.constData(), size_t(native.size()));
    const auto sent = ::sendto(
        fd, payload.constData(), size_t(payload.size()), 0, reinterpret_cast<sockaddr *>(&addr), sizeof(addr));
    ::close(fd);
    return sent == payload.size();
}
} // namespace

class TestDatagramSocket : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void udpReceivesWholeDatagrams()
    {
        DatagramSocket socket;
        QString error;
        QVERIFY2(socket.bindUdp(QHostAddress::LocalHost, 0, &error), qPrintable(error));
        QVERIFY(socket.localPort() != 0);
        QCOMPARE(socket.localAddress(), QHostAddress(QHostAddress::LocalHost));
        QList<QByteArray> got;
        socket.setHandler([&](const DatagramSocket::Datagram &d) { got.push_back(d.payload.toByteArray()); });
        QUdpSocket sender;
        for (int i = 0; i < 100; ++i)
            sender.writeDatagram("m:" + QByteArray::number(i) + "|c", QHostAddress::LocalHost, socket.localPort());
        QTRY_COMPARE(got.size(), 100);
        QCOMPARE(got.front(), QByteArray("m:0|c"));
        QCOMPARE(got.back(), QByteArray("m:99|c"));
        QCOMPARE(socket.received(), quint64(100));
    }

    void udpOnIpv6Loopback()
    {
        DatagramSocket socket;
        QString error;
        if (!socket.bindUdp(QHostAddress::LocalHostIPv6, 0, &error))
            QSKIP("no IPv6 loopback here");
        int got = 0;
        socket.setHandler([&](const DatagramSocket::Datagram &) { ++got; });
        QUdpSocket sender;
        sender.writeDatagram("x:1|c", QHostAddress::LocalHostIPv6, socket.localPort());
        QTRY_COMPARE(got, 1);
    }

    void unixSocketCarriesCredentialsAndIsPrivate()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"dsd.socket"_s);
        DatagramSocket socket;
        QString error;
        QVERIFY2(socket.bindUnix(path, &error), qPrintable(error));
        QCOMPARE(QFileInfo(path).permissions()
                & (QFile::ReadGroup | QFile::WriteGroup | QFile::ReadOther | QFile::WriteOther),
            QFile::Permissions {});
        DatagramSocket::Datagram seen;
        QByteArray payload;
        socket.setHandler([&](const DatagramSocket::Datagram &d) {
            seen = d;
            payload = d.payload.toByteArray();
        });
        QVERIFY(sendUnix(path, "a:1|c\nb:2|c"));
        QTRY_COMPARE(payload, QByteArray("a:1|c\nb:2|c"));
        QVERIFY(seen.hasCredentials);
        QCOMPARE(seen.pid, QCoreApplication::applicationPid());
        QCOMPARE(seen.uid, quint32(::getuid()));
    }

    void oversizeDatagramsAreCountedNotCut()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"big.socket"_s);
        DatagramSocket socket;
        QString error;
        QVERIFY(socket.bindUnix(path, &error));
        int delivered = 0;
        socket.setHandler([&](const DatagramSocket::Datagram &) { ++delivered; });
        QVERIFY(sendUnix(path, QByteArray(DatagramSocket::maxDatagramBytes + 100, 'x')));
        QVERIFY(sendUnix(path, QByteArray(DatagramSocket::maxDatagramBytes, 'y')));
        QTRY_COMPARE(socket.received(), quint64(2));
        QCOMPARE(socket.oversize(), quint64(1));
        QCOMPARE(delivered, 1);
    }

    void theReaderDrainsTheKernelWhileTheHandlerIsHeld()
    {
        DatagramSocket socket;
        QString error;
        QVERIFY(socket.bindUdp(QHostAddress::LocalHost, 0, &error));
        quint64 handled = 0;
        socket.setHandler([&](const DatagramSocket::Datagram &d) {
            QCOMPARE(d.payload.size(), 1000);
            ++handled;
        });
        QUdpSocket sender;
        const QByteArray payload(1000, 'r');
        // 20 MB, more than the kernel's buffer holds, while this thread (the handler's) never returns to its event
        // loop: only the reader thread can take them. Sent in rounds it must drain, so the sender cannot outrun it.
        constexpr int rounds = 20;
        constexpr int perRound = 1000;
        for (int round = 1; round <= rounds; ++round) {
            for (int i = 0; i < perRound; ++i)
                QCOMPARE(sender.writeDatagram(payload, QHostAddress::LocalHost, socket.localPort()), 1000);
            const QDeadlineTimer deadline(30000);
            while (socket.received() < quint64(round * perRound) && !deadline.hasExpired())
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            QCOMPARE(socket.received(), quint64(round * perRound));
        }
        QCOMPARE(handled, quint64(0));
        // All of it waits in the queue, but for the block the reader is still filling.
        QVERIFY2(socket.queuedBytes() >= qsizetype(rounds) * perRound * 1000 - DatagramQueue::kDefaultBlockBytes,
            qPrintable(QString::number(socket.queuedBytes())));
        QTRY_COMPARE(handled, quint64(rounds * perRound));
        QCOMPARE(socket.handled(), handled);
        QCOMPARE(socket.kernelDrops(), quint64(0));
        QCOMPARE(socket.queuedBytes(), 0);
    }

    void finishHandlesWhatWasRead()
    {
        DatagramSocket socket;
        QString error;
        QVERIFY(socket.bindUdp(QHostAddress::LocalHost, 0, &error));
        int handled = 0;
        socket.setHandler([&](const DatagramSocket::Datagram &) { ++handled; });
        QUdpSocket sender;
        for (int i = 0; i < 50; ++i)
            sender.writeDatagram("q:1|c", QHostAddress::LocalHost, socket.localPort());
        const QDeadlineTimer deadline(30000);
        while (socket.received() < 50 && !deadline.hasExpired())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        QCOMPARE(socket.received(), quint64(50));
        socket.finish(); // no event loop ran
        QCOMPARE(handled, 50);
    }

    void kernelDropsAreSeen()
    {
        // A queue of two small blocks: once it is full the reader waits, and the kernel's buffer takes the rest.
        DatagramSocket socket(DatagramSocket::Options { 0 });
        QString error;
        QVERIFY(socket.bindUdp(QHostAddress::LocalHost, 0, &error));
        QUdpSocket sender;
        const QByteArray payload(1000, 'z');
        // No event loop runs while we send, so nothing is handled: the kernel must drop part of the burst.
        for (int i = 0; i < 20000; ++i)
            sender.writeDatagram(payload, QHostAddress::LocalHost, socket.localPort());
        // The kernel stamps its drop count on the datagrams queued after the drops: read the burst, then one more.
        QTRY_VERIFY(socket.received() > 0 && !socket.isPending());
        sender.writeDatagram("after", QHostAddress::LocalHost, socket.localPort());
        QTRY_COMPARE(socket.received() + socket.kernelDrops(), quint64(20001));
        QVERIFY2(socket.kernelDrops() > 0, "a 20 MB burst into an unhandled socket should overflow it");
        QVERIFY(socket.queueFullWaits() > 0);
        QTRY_COMPARE(socket.handled(), socket.received());
    }
};

QTEST_GUILESS_MAIN(TestDatagramSocket)
#include "tst_datagramsocket.moc"
