// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collector/liveprotocol2.h"

#include <QHash>
#include <QJsonObject>
#include <QLocalServer>
#include <QObject>
#include <QSet>

#include <functional>

class QLocalSocket;

namespace perfdash {

// Serves live.sock: a hello on connect, then one line per frame to every subscriber, and answers to requests.
// Lives on the collector thread. A subscriber that stops reading is dropped once its backlog passes a bound.
// Version 1: a frame is encoded once; a subscriber that follows series (the "follow" request) gets that line plus the
// sketches of the series it follows, which the frame must carry (Aggregator::publishDue with followedKeys()).
// Version 2 (the "subscribe" request): names as they appear, then frames with the subscribed series in full and the
// rest brief, encoded once per distinct subscription.
class LivePublisher : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LivePublisher)
public:
    using StatsProvider = std::function<QJsonObject()>;

    explicit LivePublisher(QObject *parent = nullptr);

    bool listen(const QString &path, const LiveProtocol::Hello &hello, QString *error);
    QString path() const { return m_server.fullServerName(); }
    void setStatsProvider(StatsProvider provider) { m_statsProvider = std::move(provider); }
    void publish(const LiveFrame &frame);
    // Sends one encoded line (LiveProtocol::encodeAlerts…) to every subscriber.
    void publishLine(const QByteArray &line);
    int subscriberCount() const { return int(m_subscribers.size()); }
    // Every key some subscriber follows: the provisional frames' series that need their sketch.
    const QSet<QString> &followedKeys() const { return m_followedUnion; }
    quint64 droppedSubscribers() const { return m_droppedSubscribers; }
    // Subscribers that switched to version 2, and the frame lines encoded for them in the last publish() (one per
    // distinct subscription).
    int version2Subscribers() const { return int(m_subscriptions.size()); }
    // Connections from another user, closed at once.
    quint64 refusedConnections() const { return m_refused; }
    int lastVersion2Encodings() const { return m_lastVersion2Encodings; }

    static constexpr qint64 maxBacklogBytes = 16LL * 1024 * 1024;

private:
    void onNewConnection();
    void onReadyRead(QLocalSocket *socket);
    void setFollowed(QLocalSocket *socket, QSet<QString> keys);
    QJsonObject answer(QLocalSocket *socket, const QJsonObject &request);
    void publishVersion2(const LiveFrame &frame, const QByteArray &collector);
    // A subscriber whose backlog passed maxBacklogBytes is dropped (counted); true when it was.
    bool dropIfBehind(QLocalSocket *socket);

    QLocalServer m_server;
    QByteArray m_hello;
    QList<QLocalSocket *> m_subscribers;
    QHash<QLocalSocket *, QSet<QString>> m_followed; // subscribers with a non-empty follow set
    QSet<QString> m_followedUnion;
    struct Version2 {
        LiveProtocol::Subscription subscription;
        qsizetype namesSent = 0; // the names below this id were sent
    };
    QHash<QLocalSocket *, Version2> m_subscriptions;
    LiveProtocol::NameTable m_names;
    int m_lastVersion2Encodings = 0;
    StatsProvider m_statsProvider;
    quint64 m_droppedSubscribers = 0;
    quint64 m_refused = 0;
};

} // namespace perfdash
