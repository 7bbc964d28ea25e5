// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collector/liveprotocol.h"

#include <QJsonObject>
#include <QLocalServer>
#include <QObject>

#include <functional>

class QLocalSocket;

namespace perfdash {

// Serves live.sock: a hello on connect, then one line per frame to every subscriber, and answers to requests.
// Lives on the collector thread. A subscriber that stops reading is dropped once its backlog passes a bound.
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
    int subscriberCount() const { return int(m_subscribers.size()); }
    quint64 droppedSubscribers() const { return m_droppedSubscribers; }

    static constexpr qint64 maxBacklogBytes = 16 * 1024 * 1024;

private:
    void onNewConnection();
    void onReadyRead(QLocalSocket *socket);

    QLocalServer m_server;
    QByteArray m_hello;
    QList<QLocalSocket *> m_subscribers;
    StatsProvider m_statsProvider;
    quint64 m_droppedSubscribers = 0;
};

} // namespace perfdash
