// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collector/ingestcounters.h"
#include "collector/ndjsonrecord.h"

#include <QByteArray>
#include <QObject>

#include <functional>
#include <memory>
#include <vector>

class QSocketNotifier;

namespace perfdash {

struct NdjsonIngestLimits {
    NdjsonRecord::Limits record; // maxLineBytes also bounds what one connection buffers
    qint64 maxBytesPerTurn = 256LL * 1024; // read per connection before yielding to the event loop
    int maxConnections = 256;
};

// Serves ingest.sock: native NDJSON records (docs/protocol.md), one JSON object per line, from any number of
// connections. Splits, parses and counts each line in IngestCounters, and hands every accepted record to the sink;
// it owns no aggregation. A bad record is counted and skipped, and the connection stays up; an over-long line is
// skipped to its newline. Each connection gets a bounded read per event-loop turn and the rest waits in the kernel
// (which then holds the writer back), so a busy or slow client never holds up another. Lives on the collector thread,
// as do the sink calls.
class NdjsonIngest : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NdjsonIngest)
public:
    using Limits = NdjsonIngestLimits;
    using Clock = std::function<qint64()>; // milliseconds since the epoch
    // The record and its strings are valid only during the call.
    // peerPid is the sending process (SO_PEERCRED at accept).
    using Sink = std::function<void(const NativeRecord &record, qint64 nowMs, qint64 peerPid)>;

    explicit NdjsonIngest(IngestCounters &counters, QObject *parent = nullptr);
    NdjsonIngest(IngestCounters &counters, Clock clock, Limits limits, QObject *parent = nullptr);
    ~NdjsonIngest() override;

    // Listens on path with mode 0600, replacing a file left there: call it while holding the instance lock.
    bool listen(const QString &path, QString *error);
    void close();
    QString path() const;
    void setSink(Sink sink) { m_sink = std::move(sink); }
    // Called with the peer's pid (SO_PEERCRED) for each accepted connection, so the collector can sample the process.
    void setPeerHandler(std::function<void(qint64 pid)> handler) { m_peerHandler = std::move(handler); }

    int connectionCount() const { return int(m_connections.size()); }
    quint64 connectionsAccepted() const { return m_connectionsAccepted; }
    // Connections closed at once: another user's process, or more than maxConnections open.
    quint64 connectionsRefused() const { return m_connectionsRefused; }
    const Limits &limits() const { return m_limits; }

private:
    class Server;
    struct Connection;

    void onIncomingConnection(qintptr fd);
    void onReadable(Connection *connection);
    void finish(Connection *connection);
    void splitLines(Connection &connection, qint64 nowMs);
    void handleLine(const Connection &connection, QByteArrayView line, qint64 nowMs);

    IngestCounters &m_counters;
    Clock m_clock;
    Limits m_limits;
    std::unique_ptr<Server> m_server;
    Sink m_sink;
    std::function<void(qint64 pid)> m_peerHandler;
    std::vector<std::unique_ptr<Connection>> m_connections;
    NativeRecord m_record; // reused for every line: its buffers keep their capacity
    quint64 m_connectionsAccepted = 0;
    quint64 m_connectionsRefused = 0;
};

} // namespace perfdash
