// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/ndjsoningest.h"

#include <QDateTime>
#include <QLocalSocket>
#include <QPointer>

#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
constexpr qint64 kReadChunk = 64 * 1024;
}

NdjsonIngest::NdjsonIngest(IngestCounters &counters, QObject *parent)
    : NdjsonIngest(counters, []() { return QDateTime::currentMSecsSinceEpoch(); }, Limits(), parent)
{
}

NdjsonIngest::NdjsonIngest(IngestCounters &counters, Clock clock, Limits limits, QObject *parent)
    : QObject(parent)
    , m_counters(counters)
    , m_clock(std::move(clock))
    , m_limits(limits)
    , m_server(this)
{
    m_server.setSocketOptions(QLocalServer::UserAccessOption);
    connect(&m_server, &QLocalServer::newConnection, this, &NdjsonIngest::onNewConnection);
}

NdjsonIngest::~NdjsonIngest()
{
    close();
}

bool NdjsonIngest::listen(const QString &path, QString *error)
{
    QLocalServer::removeServer(path);
    if (m_server.listen(path))
        return true;
    *error = u"cannot listen on %1: %2"_s.arg(path, m_server.errorString());
    return false;
}

void NdjsonIngest::close()
{
    m_server.close();
    const auto sockets = m_connections.keys();
    m_connections.clear();
    for (QLocalSocket *socket : sockets) {
        disconnect(socket, nullptr, this, nullptr);
        socket->abort();
        delete socket;
    }
}

void NdjsonIngest::onNewConnection()
{
    while (QLocalSocket *socket = m_server.nextPendingConnection()) {
        socket->setParent(this);
        // The socket is 0600 already; the check also covers root and a descriptor passed on.
        ucred cred {};
        socklen_t length = sizeof(cred);
        const bool sameUser = ::getsockopt(int(socket->socketDescriptor()), SOL_SOCKET, SO_PEERCRED, &cred, &length)
                        == 0
                && cred.uid == ::getuid();
        if (!sameUser || m_connections.size() >= m_limits.maxConnections) {
            ++m_connectionsRefused;
            socket->abort();
            socket->deleteLater();
            continue;
        }
        ++m_connectionsAccepted;
        // Bounded: a client that writes faster than we parse is held back by the kernel, not by our memory.
        socket->setReadBufferSize(m_limits.maxBytesPerTurn);
        m_connections.insert(socket, Connection {});
        connect(socket, &QLocalSocket::readyRead, this, [this, socket]() { onReadyRead(socket); });
        // Queued, so a disconnect never lands in the middle of a read that holds a reference to its Connection.
        connect(socket, &QLocalSocket::disconnected, this, [this, socket]() { onDisconnected(socket); },
                Qt::QueuedConnection);
        if (socket->bytesAvailable() > 0)
            onReadyRead(socket);
    }
}

void NdjsonIngest::onReadyRead(QLocalSocket *socket)
{
    auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    drain(socket, *it, m_limits.maxBytesPerTurn);
    // More is buffered than one turn's share: come back after the other connections and timers had theirs.
    if (socket->bytesAvailable() > 0 && !it->continueQueued) {
        it->continueQueued = true;
        QMetaObject::invokeMethod(
                this,
                [this, guard = QPointer<QLocalSocket>(socket)]() {
                    if (!guard)
                        return;
                    auto again = m_connections.find(guard.data());
                    if (again == m_connections.end())
                        return;
                    again->continueQueued = false;
                    onReadyRead(guard.data());
                },
                Qt::QueuedConnection);
    }
}

void NdjsonIngest::onDisconnected(QLocalSocket *socket)
{
    auto it = m_connections.find(socket);
    if (it != m_connections.end()) {
        // The peer is gone: what it sent is all there will be, so read it all, and take a last line without '\n'.
        drain(socket, *it, std::numeric_limits<qint64>::max());
        if (!it->skipping && !it->buffer.isEmpty())
            handleLine(it->buffer, m_clock());
        m_connections.erase(it);
    }
    socket->deleteLater();
}

void NdjsonIngest::drain(QLocalSocket *socket, Connection &connection, qint64 budget)
{
    const qint64 nowMs = m_clock();
    while (budget > 0) {
        const qint64 chunk = std::min(budget, kReadChunk);
        const qsizetype before = connection.buffer.size();
        connection.buffer.resize(before + qsizetype(chunk));
        const qint64 got = socket->read(connection.buffer.data() + before, chunk);
        connection.buffer.resize(before + qsizetype(std::max<qint64>(got, 0)));
        if (got <= 0)
            break;
        budget -= got;
        splitLines(connection, nowMs);
    }
}

void NdjsonIngest::splitLines(Connection &connection, qint64 nowMs)
{
    QByteArray &buffer = connection.buffer;
    const char *data = buffer.constData();
    const qsizetype size = buffer.size();
    qsizetype start = 0;
    qsizetype from = connection.scanned;
    while (from < size) {
        const auto *newline = static_cast<const char *>(std::memchr(data + from, '\n', size_t(size - from)));
        if (!newline)
            break;
        const qsizetype end = newline - data;
        if (connection.skipping)
            connection.skipping = false; // the end of an over-long line, counted when it passed the limit
        else
            handleLine(QByteArrayView(data + start, end - start), nowMs);
        start = from = end + 1;
    }
    // One byte more than the limit may be the CR of a CRLF line end.
    if (connection.skipping || size - start > m_limits.record.maxLineBytes + 1) {
        if (!connection.skipping)
            m_counters.rejectRecord(NdjsonRecord::Reason::LineTooLong);
        connection.skipping = true;
        buffer.clear();
        connection.scanned = 0;
        return;
    }
    if (start > 0)
        buffer.remove(0, start);
    connection.scanned = buffer.size();
}

void NdjsonIngest::handleLine(QByteArrayView line, qint64 nowMs)
{
    if (line.endsWith('\r'))
        line.chop(1);
    if (line.isEmpty())
        return;
    if (const auto reason = NdjsonRecord::parse(line, m_record, m_limits.record, nowMs)) {
        m_counters.rejectRecord(*reason);
        return;
    }
    ++m_counters.recordsAccepted;
    if (m_sink)
        m_sink(m_record, nowMs);
}

} // namespace perfdash
