// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/livepublisher.h"

#include <QJsonDocument>
#include <QLocalSocket>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

LivePublisher::LivePublisher(QObject *parent)
    : QObject(parent)
    , m_server(this)
{
    m_server.setSocketOptions(QLocalServer::UserAccessOption);
    connect(&m_server, &QLocalServer::newConnection, this, &LivePublisher::onNewConnection);
}

bool LivePublisher::listen(const QString &path, const LiveProtocol::Hello &hello, QString *error)
{
    m_hello = LiveProtocol::encodeHello(hello);
    if (m_server.listen(path))
        return true;
    *error = u"cannot listen on %1: %2"_s.arg(path, m_server.errorString());
    return false;
}

void LivePublisher::onNewConnection()
{
    while (QLocalSocket *socket = m_server.nextPendingConnection()) {
        socket->setParent(this);
        m_subscribers.push_back(socket);
        connect(socket, &QLocalSocket::disconnected, this, [this, socket]() {
            m_subscribers.removeOne(socket);
            setFollowed(socket, {});
            socket->deleteLater();
        });
        connect(socket, &QLocalSocket::readyRead, this, [this, socket]() { onReadyRead(socket); });
        socket->write(m_hello);
    }
}

void LivePublisher::onReadyRead(QLocalSocket *socket)
{
    while (socket->canReadLine()) {
        const QByteArray line = socket->readLine(64 * 1024);
        const QJsonObject request = QJsonDocument::fromJson(line).object();
        QJsonObject response { { u"type"_s, u"response"_s }, { u"id"_s, request.value(u"id"_s) } };
        const QString method = request.value(u"method"_s).toString();
        if (request.value(u"type"_s).toString() != u"request"_s) {
            response.insert(u"error"_s, u"not a request"_s);
        } else if (method == u"stats"_s && m_statsProvider) {
            response.insert(u"result"_s, m_statsProvider());
        } else if (method == u"follow"_s) {
            QString error;
            if (auto keys = LiveProtocol::followedKeys(request, &error)) {
                response.insert(u"result"_s, QJsonObject { { u"following"_s, qint64(keys->size()) } });
                setFollowed(socket, std::move(*keys));
            } else {
                response.insert(u"error"_s, error); // the previous set stays
            }
        } else {
            response.insert(u"error"_s, QString(u"unknown method: "_s % method));
        }
        socket->write(QJsonDocument(response).toJson(QJsonDocument::Compact) + '\n');
    }
    // A client that sends an endless line without a newline is cut off rather than buffered without bound.
    if (socket->bytesAvailable() > 64 * 1024)
        socket->disconnectFromServer();
}

void LivePublisher::setFollowed(QLocalSocket *socket, QSet<QString> keys)
{
    if (keys.isEmpty()) {
        if (m_followed.remove(socket) == 0)
            return;
    } else {
        m_followed.insert(socket, std::move(keys));
    }
    m_followedUnion.clear();
    for (const auto &set : std::as_const(m_followed))
        m_followedUnion.unite(set);
}

bool LivePublisher::dropIfBehind(QLocalSocket *socket)
{
    if (socket->bytesToWrite() <= maxBacklogBytes)
        return false;
    ++m_droppedSubscribers;
    socket->abort();
    return true;
}

void LivePublisher::publishLine(const QByteArray &line)
{
    const auto subscribers = m_subscribers;
    for (QLocalSocket *socket : subscribers) {
        if (!dropIfBehind(socket))
            socket->write(line);
    }
}

void LivePublisher::publish(const LiveFrame &frame)
{
    if (m_subscribers.isEmpty())
        return;
    const QByteArray line
            = LiveProtocol::encodeFrame(frame, m_statsProvider ? m_statsProvider() : QJsonObject {});
    const auto subscribers = m_subscribers;
    for (QLocalSocket *socket : subscribers) {
        if (dropIfBehind(socket))
            continue;
        const auto followed = m_followed.constFind(socket);
        socket->write(followed == m_followed.cend() ? line : LiveProtocol::withSketches(line, frame, *followed));
    }
}

} // namespace perfdash
