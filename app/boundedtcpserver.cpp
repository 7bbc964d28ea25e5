// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/boundedtcpserver.h"

#include <QTcpSocket>
#include <QTimer>

#include <memory>
#include <utility>

namespace perfdash {

BoundedTcpServer::BoundedTcpServer(Limits limits, QObject *parent)
    : QTcpServer(parent)
    , m_limits(limits)
{ }

void BoundedTcpServer::incomingConnection(qintptr descriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    if (m_open >= m_limits.maxConnections) {
        ++m_refusals.busy;
        socket->write("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\n"
                      "Content-Type: application/json\r\nContent-Length: 40\r\n\r\n"
                      "{\"error\":\"too many connections; retry\"}\n");
        socket->disconnectFromHost(); // after the answer is written
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        return;
    }
    ++m_open;
    // Closed by either side, or deleted by its owner: no longer open (once).
    auto counted = std::make_shared<bool>(true);
    const auto closed = [this, counted]() {
        if (std::exchange(*counted, false))
            --m_open;
    };
    connect(socket, &QTcpSocket::disconnected, this, closed);
    connect(socket, &QObject::destroyed, this, closed);
    const auto close = [this, socket](int Refusals::*reason) {
        if (socket->state() == QAbstractSocket::UnconnectedState)
            return;
        ++(m_refusals.*reason);
        socket->abort();
    };
    auto *idle = new QTimer(socket);
    idle->setSingleShot(true);
    idle->start(m_limits.idleMs);
    connect(idle, &QTimer::timeout, socket, [close]() { close(&Refusals::idle); });
    QTimer::singleShot(m_limits.lifetimeMs, socket, [close]() { close(&Refusals::lifetime); });
    // Connected before QHttpServer's own readyRead handler, so this sees each batch of bytes before it is read.
    auto received = std::make_shared<qint64>(0);
    connect(socket, &QTcpSocket::readyRead, socket, [this, socket, idle, received, close]() {
        idle->start(m_limits.idleMs);
        *received += socket->bytesAvailable();
        if (*received > m_limits.maxBytes)
            close(&Refusals::size);
    });
    addPendingConnection(socket); // QTcpServer emits newConnection once this returns
}

} // namespace perfdash
