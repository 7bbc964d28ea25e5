// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/ndjsoningest.h"

#include <QDateTime>
#include <QLocalServer>
#include <QSocketNotifier>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
constexpr qint64 kReadChunk = 64LL * 1024;
}

// Hands over the accepted descriptor instead of wrapping it in a QLocalSocket: we read it ourselves, a bounded amount
// per turn, and leave the rest in the kernel. A level-triggered notifier then brings us back after the others.
class NdjsonIngest::Server : public QLocalServer {
public:
    explicit Server(NdjsonIngest *ingest)
        : QLocalServer(ingest)
        , m_ingest(ingest)
    { }

protected:
    void incomingConnection(quintptr fd) override { m_ingest->onIncomingConnection(qintptr(fd)); }

private:
    NdjsonIngest *m_ingest;
};

struct NdjsonIngest::Connection {
    int fd = -1;
    qint64 pid = 0; // the peer's, from SO_PEERCRED
    std::unique_ptr<QSocketNotifier> notifier;
    QByteArray buffer; // bytes read, not yet split into lines
    qsizetype scanned = 0; // buffer[0, scanned) holds no newline
    bool skipping = false; // inside an over-long line, dropping bytes up to its newline
};

NdjsonIngest::NdjsonIngest(IngestCounters &counters, QObject *parent)
    : NdjsonIngest(
        counters, []() { return QDateTime::currentMSecsSinceEpoch(); }, Limits(), parent)
{ }

NdjsonIngest::NdjsonIngest(IngestCounters &counters, Clock clock, Limits limits, QObject *parent)
    : QObject(parent)
    , m_counters(counters)
    , m_clock(std::move(clock))
    , m_limits(limits)
    , m_server(std::make_unique<Server>(this))
{
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    // Qt's default backlog (50) turned away 2 to 47 of 100 producers connecting in the same instant (EAGAIN on a
    // non-blocking connect; docs/reliability.md); the kernel caps this at net.core.somaxconn (4096).
    m_server->setListenBacklogSize(1024);
}

NdjsonIngest::~NdjsonIngest()
{
    close();
}

QString NdjsonIngest::path() const
{
    return m_server->fullServerName();
}

bool NdjsonIngest::listen(const QString &path, QString *error)
{
    QLocalServer::removeServer(path);
    if (m_server->listen(path))
        return true;
    *error = u"cannot listen on %1: %2"_s.arg(path, m_server->errorString());
    return false;
}

void NdjsonIngest::close()
{
    m_server->close();
    for (const auto &connection : m_connections)
        ::close(connection->fd);
    m_connections.clear();
}

void NdjsonIngest::onIncomingConnection(qintptr descriptor)
{
    const int fd = int(descriptor);
    // The socket is 0600 already; the check also covers root and a descriptor passed on.
    ucred cred {};
    socklen_t length = sizeof(cred);
    const bool sameUser = ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) == 0 && cred.uid == ::getuid();
    if (!sameUser || qsizetype(m_connections.size()) >= m_limits.maxConnections) {
        ++m_connectionsRefused;
        ::close(fd);
        return;
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    ++m_connectionsAccepted;
    auto connection = std::make_unique<Connection>();
    connection->fd = fd;
    connection->pid = qint64(cred.pid);
    connection->notifier = std::make_unique<QSocketNotifier>(qintptr(fd), QSocketNotifier::Read);
    Connection *raw = connection.get();
    connect(connection->notifier.get(), &QSocketNotifier::activated, this, [this, raw]() { onReadable(raw); });
    m_connections.push_back(std::move(connection));
    if (m_peerHandler)
        m_peerHandler(qint64(cred.pid));
}

void NdjsonIngest::onReadable(Connection *connection)
{
    const qint64 nowMs = m_clock();
    qint64 budget = m_limits.maxBytesPerTurn;
    bool closed = false;
    while (budget > 0) {
        const qint64 chunk = std::min(budget, kReadChunk);
        QByteArray &buffer = connection->buffer;
        const qsizetype before = buffer.size();
        buffer.resize(before + qsizetype(chunk));
        const ssize_t got = ::read(connection->fd, buffer.data() + before, size_t(chunk));
        buffer.resize(before + qsizetype(std::max<ssize_t>(got, 0)));
        if (got > 0) {
            budget -= got;
            splitLines(*connection, nowMs);
            if (got < chunk)
                break; // drained for now; the notifier tells when more comes
            continue;
        }
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        closed = true; // end of stream, or an error such as ECONNRESET: either way the peer is gone
        break;
    }
    if (closed)
        finish(connection);
}

void NdjsonIngest::finish(Connection *connection)
{
    // What the peer sent is all there will be: a last line without its '\n' still counts.
    if (!connection->skipping && !connection->buffer.isEmpty())
        handleLine(*connection, connection->buffer, m_clock());
    connection->notifier->setEnabled(false);
    // We are inside the notifier's own signal: it may not be deleted here.
    connection->notifier.release()->deleteLater();
    ::close(connection->fd);
    const auto it = std::find_if(
        m_connections.begin(), m_connections.end(), [connection](const auto &c) { return c.get() == connection; });
    if (it != m_connections.end())
        m_connections.erase(it);
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
            handleLine(connection, QByteArrayView(data + start, end - start), nowMs);
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

void NdjsonIngest::handleLine(const Connection &connection, QByteArrayView line, qint64 nowMs)
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
        m_sink(m_record, nowMs, connection.pid);
}

} // namespace perfdash
