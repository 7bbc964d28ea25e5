// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/livepublisher.h"

#include <QJsonDocument>
#include <QLocalSocket>

#include <algorithm>
#include <vector>

#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

LivePublisher::LivePublisher(QObject *parent)
    : QObject(parent)
    , m_server(this)
{
    m_server.setSocketOptions(QLocalServer::UserAccessOption);
    m_server.setListenBacklogSize(1024); // as ingest.sock: many subscribers may connect in one instant
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

namespace {
// The socket is 0600 in a 0700 folder already; this also covers root and a descriptor passed on.
bool fromOurUser(qintptr fd)
{
    ucred cred {};
    socklen_t length = sizeof(cred);
    return ::getsockopt(int(fd), SOL_SOCKET, SO_PEERCRED, &cred, &length) == 0 && cred.uid == ::getuid();
}
} // namespace

void LivePublisher::onNewConnection()
{
    while (QLocalSocket *socket = m_server.nextPendingConnection()) {
        if (!fromOurUser(socket->socketDescriptor())) {
            ++m_refused;
            socket->abort();
            socket->deleteLater();
            continue;
        }
        socket->setParent(this);
        m_subscribers.push_back(socket);
        connect(socket, &QLocalSocket::disconnected, this, [this, socket]() {
            m_subscribers.removeOne(socket);
            m_subscriptions.remove(socket);
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
        const QByteArray line = socket->readLine(LiveProtocol::maxRequestBytes);
        const QJsonObject response = answer(socket, QJsonDocument::fromJson(line).object());
        socket->write(QJsonDocument(response).toJson(QJsonDocument::Compact) + '\n');
    }
    // A client that sends an endless line without a newline is cut off rather than buffered without bound.
    if (socket->bytesAvailable() > LiveProtocol::maxRequestBytes)
        socket->disconnectFromServer();
}

QJsonObject LivePublisher::answer(QLocalSocket *socket, const QJsonObject &request)
{
    QJsonObject response { { u"type"_s, u"response"_s }, { u"id"_s, request.value(u"id"_s) } };
    const QString method = request.value(u"method"_s).toString();
    QString error;
    if (request.value(u"type"_s).toString() != u"request"_s) {
        response.insert(u"error"_s, u"not a request"_s);
    } else if (method == u"stats"_s && m_statsProvider) {
        response.insert(u"result"_s, m_statsProvider());
    } else if (method == u"follow"_s) {
        if (auto keys = LiveProtocol::followedKeys(request, &error)) {
            response.insert(u"result"_s, QJsonObject { { u"following"_s, qint64(keys->size()) } });
            setFollowed(socket, std::move(*keys));
        } else {
            response.insert(u"error"_s, error); // the previous set stays
        }
    } else if (method == u"subscribe"_s) {
        if (auto subscription = LiveProtocol::subscriptionOf(request, &error)) {
            response.insert(u"result"_s,
                QJsonObject {
                    { u"version"_s, LiveProtocol::version2 }, { u"full"_s, qint64(subscription->keys.size()) } });
            // From the next frame on; names already sent stay known to the subscriber.
            m_subscriptions[socket].subscription = std::move(*subscription);
        } else {
            response.insert(u"error"_s, error); // the previous subscription (or version 1) stays
        }
    } else {
        response.insert(u"error"_s, QString(u"unknown method: "_s % method));
    }
    return response;
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
    const QJsonObject stats = m_statsProvider ? m_statsProvider() : QJsonObject {};
    QByteArray line; // version 1, encoded when a version 1 subscriber is there
    const auto subscribers = m_subscribers;
    for (QLocalSocket *socket : subscribers) {
        if (m_subscriptions.contains(socket) || dropIfBehind(socket))
            continue;
        if (line.isNull())
            line = LiveProtocol::encodeFrame(frame, stats);
        const auto followed = m_followed.constFind(socket);
        socket->write(followed == m_followed.cend() ? line : LiveProtocol::withSketches(line, frame, *followed));
    }
    m_lastVersion2Encodings = 0;
    if (!m_subscriptions.isEmpty())
        publishVersion2(frame, stats.isEmpty() ? QByteArray() : QJsonDocument(stats).toJson(QJsonDocument::Compact));
}

void LivePublisher::publishVersion2(const LiveFrame &frame, const QByteArray &collector)
{
    const auto newFrom = quint32(m_names.size());
    const QVector<quint32> ids = m_names.number(frame);
    const QByteArray quality = frame.quality.isEmpty()
        ? QByteArray()
        : QJsonDocument(LiveProtocol::encodeQuality(frame.quality)).toJson(QJsonDocument::Compact);
    // Copies (implicitly shared): dropping a subscriber on the way erases from the hashes, which may move entries.
    struct Encoded {
        LiveProtocol::Subscription subscription;
        QSet<QString> followed;
        QByteArray line;
    };
    std::vector<Encoded> encoded; // one per distinct subscription and follow set
    QHash<qsizetype, QByteArray> names; // the names message from an id on
    const auto sockets = m_subscriptions.keys();
    for (QLocalSocket *socket : sockets) {
        if (dropIfBehind(socket))
            continue;
        const auto it = m_subscriptions.find(socket);
        if (it == m_subscriptions.end())
            continue;
        if (it->namesSent < m_names.size()) {
            auto n = names.find(it->namesSent);
            if (n == names.end())
                n = names.insert(it->namesSent, m_names.encodeNames(it->namesSent));
            socket->write(*n);
            it->namesSent = m_names.size();
        }
        const QSet<QString> followed = m_followed.value(socket);
        auto same = std::find_if(encoded.begin(), encoded.end(),
            [&](const Encoded &e) { return e.subscription == it->subscription && e.followed == followed; });
        if (same == encoded.end()) {
            encoded.push_back({ it->subscription, followed,
                LiveProtocol::encodeFrame2(frame, ids, it->subscription, followed, quality, collector, newFrom) });
            same = std::prev(encoded.end());
        }
        socket->write(same->line);
    }
    m_lastVersion2Encodings = int(encoded.size());
}

} // namespace perfdash
