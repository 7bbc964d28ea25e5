// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QTcpServer>

namespace perfdash {

// The HTTP routes' listening socket, bounded so that no client can hold the server (docs/http.md):
// - at most `maxConnections` open at once: one more is answered "503 Service Unavailable" and closed;
// - a connection that sends nothing for `idleMs`, or is older than `lifetimeMs`, is closed (a keep-alive client such
//   as Prometheus simply reconnects);
// - a connection that sends more than `maxBytes` (requests are GETs of a few hundred bytes) is closed.
// QHttpServer::bind takes it like any QTcpServer; it hands out its sockets through nextPendingConnection.
class BoundedTcpServer : public QTcpServer {
    Q_OBJECT
public:
    struct Limits {
        int maxConnections = 16;
        int idleMs = 10'000;
        int lifetimeMs = 30'000;
        qint64 maxBytes = 64LL * 1024;
    };
    explicit BoundedTcpServer(Limits limits, QObject *parent = nullptr);

    int openConnections() const { return m_open; }
    // Connections closed by a bound, by reason: for `perfdashd stats` and tests.
    struct Refusals {
        int busy = 0, idle = 0, lifetime = 0, size = 0;
    };
    const Refusals &refusals() const { return m_refusals; }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    Limits m_limits;
    int m_open = 0;
    Refusals m_refusals;
};

} // namespace perfdash
