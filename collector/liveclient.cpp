// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/liveclient.h"

#include "collector/liveprotocol2.h"

#include <QLocalSocket>
#include <QThread>
#include <QTimer>

#include <optional>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

class LiveConnection : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LiveConnection)
public:
    explicit LiveConnection(QString path)
        : m_path(std::move(path))
        , m_socket(this)
        , m_retry(this)
    {
        m_retry.setSingleShot(true);
        m_retry.setInterval(LiveClient::reconnectIntervalMs);
        connect(&m_retry, &QTimer::timeout, this, &LiveConnection::connectNow);
        connect(&m_socket, &QLocalSocket::readyRead, this, &LiveConnection::onReadyRead);
        connect(&m_socket, &QLocalSocket::disconnected, this, [this]() { onLost(u"collector went away"_s); });
        connect(&m_socket, &QLocalSocket::errorOccurred, this, [this]() { onLost(m_socket.errorString()); });
    }

    ~LiveConnection() override
    {
        // The socket emits disconnected() while it dies; by then the retry timer is gone.
        m_socket.disconnect(this);
    }

    void connectNow()
    {
        if (m_socket.state() != QLocalSocket::UnconnectedState)
            return;
        m_helloSeen = false;
        m_speaks2 = false;
        m_decoder.reset();
        Q_EMIT stateChanged(LiveSource::State::Connecting, m_path);
        m_socket.connectToServer(m_path, QIODevice::ReadWrite);
    }

    void setFollowed(const QStringList &keys)
    {
        if (keys == m_followed)
            return;
        m_followed = keys;
        if (m_helloSeen)
            sendFollow();
    }

    void setSubscribed(const QStringList &keys)
    {
        if (m_subscribed && keys == *m_subscribed)
            return;
        m_subscribed = keys;
        if (m_helloSeen && m_speaks2)
            sendSubscribe();
    }

Q_SIGNALS:
    void frameReceived(const perfdash::LiveFrame &frame);
    void stateChanged(perfdash::LiveSource::State state, const QString &detail);
    void helloReceived(const perfdash::LiveProtocol::Hello &hello);
    void collectorStatsReceived(const QJsonObject &stats);
    void alertEvents(const QVector<perfdash::AlertEvent> &events);

private:
    void onLost(const QString &why)
    {
        if (m_retry.isActive())
            return;
        m_socket.abort();
        Q_EMIT stateChanged(LiveSource::State::Disconnected, why);
        m_retry.start();
    }

    void sendFollow()
    {
        // Nothing to stop on a fresh connection: the collector starts every subscriber without a follow set.
        m_followRequest = ++m_lastRequestId;
        m_socket.write(LiveProtocol::encodeFollow(m_followRequest, m_followed));
    }

    void sendSubscribe()
    {
        // What the collector takes, the first keys first (SeriesStore::keptInFull puts the shown series there); the
        // rest then come brief.
        QStringList keys = m_subscribed->mid(0, LiveProtocol::maxSubscribedKeys);
        qsizetype bytes = 128;
        for (qsizetype i = 0; i < keys.size(); ++i) {
            bytes += keys[i].toUtf8().size() * 2 + 3; // escapes at worst double a key
            if (bytes > LiveProtocol::maxRequestBytes) {
                keys.resize(i);
                break;
            }
        }
        if (keys.size() < m_subscribed->size())
            qWarning("perfdash: subscribing to the first %lld of %lld series; the others come as counts only",
                qlonglong(keys.size()), qlonglong(m_subscribed->size()));
        m_subscribeRequest = ++m_lastRequestId;
        m_socket.write(LiveProtocol::encodeSubscribe(m_subscribeRequest, keys));
    }

    void onReadyRead()
    {
        while (m_socket.canReadLine()) {
            const QByteArray line = m_socket.readLine();
            LiveProtocol::Hello hello;
            LiveFrame frame;
            QJsonObject stats;
            switch (m_decoder.decode(line, &hello, &frame, &stats)) {
            case LiveProtocol::MessageType::Hello:
                m_speaks2 = hello.versions.contains(LiveProtocol::version2);
                if (hello.version != LiveProtocol::version && !m_speaks2) {
                    onLost(u"collector speaks live protocol %1, we speak %2"_s.arg(hello.version)
                               .arg(LiveProtocol::version));
                    return;
                }
                m_helloSeen = true;
                if (!m_followed.isEmpty())
                    sendFollow(); // a new connection starts with no follow set
                if (m_subscribed && m_speaks2)
                    sendSubscribe(); // and in version 1
                Q_EMIT helloReceived(hello);
                Q_EMIT stateChanged(LiveSource::State::Connected, m_path);
                break;
            case LiveProtocol::MessageType::Frame:
                if (!m_helloSeen)
                    break;
                Q_EMIT frameReceived(frame);
                if (!stats.isEmpty())
                    Q_EMIT collectorStatsReceived(stats);
                break;
            case LiveProtocol::MessageType::Alerts:
                if (m_helloSeen)
                    Q_EMIT alertEvents(LiveProtocol::alertEventsOf(stats));
                break;
            case LiveProtocol::MessageType::Response:
                if (stats.value(u"id"_s).toInteger() == m_followRequest && stats.contains(u"error"_s))
                    qWarning("perfdash: the collector refused to follow sketches: %s",
                        qUtf8Printable(stats.value(u"error"_s).toString()));
                if (stats.value(u"id"_s).toInteger() == m_subscribeRequest && stats.contains(u"error"_s))
                    qWarning("perfdash: the collector refused the subscription (frames stay whole): %s",
                        qUtf8Printable(stats.value(u"error"_s).toString()));
                break;
            case LiveProtocol::MessageType::Names:
                break;
            case LiveProtocol::MessageType::Invalid:
                if (m_decoder.namesBroken()) {
                    onLost(u"live protocol 2: a names message was lost"_s);
                    return;
                }
                break;
            }
        }
    }

    QString m_path;
    QLocalSocket m_socket;
    QTimer m_retry;
    bool m_helloSeen = false;
    QStringList m_followed;
    qint64 m_lastRequestId = 0;
    qint64 m_followRequest = -1;
    // Version 2: what to subscribe to (nullopt: never asked, frames stay version 1), and whether the collector can.
    std::optional<QStringList> m_subscribed;
    bool m_speaks2 = false;
    qint64 m_subscribeRequest = -1;
    LiveProtocol::Decoder m_decoder;
};

LiveClient::LiveClient(QString socketPath, QObject *parent)
    : LiveSource(parent)
    , m_socketPath(std::move(socketPath))
    , m_thread(std::make_unique<QThread>())
    , m_connection(new LiveConnection(m_socketPath))
{
    qRegisterMetaType<LiveFrame>();
    qRegisterMetaType<LiveProtocol::Hello>();
    m_thread->setObjectName(u"perfdash-live"_s);
    m_connection->moveToThread(m_thread.get());
    connect(m_thread.get(), &QThread::finished, m_connection, &QObject::deleteLater);
    connect(m_connection, &LiveConnection::frameReceived, this, &LiveSource::frameReceived);
    connect(m_connection, &LiveConnection::stateChanged, this, &LiveSource::stateChanged);
    connect(m_connection, &LiveConnection::helloReceived, this, &LiveClient::helloReceived);
    connect(m_connection, &LiveConnection::collectorStatsReceived, this, &LiveClient::collectorStatsReceived);
    connect(m_connection, &LiveConnection::alertEvents, this, &LiveSource::alertEvents);
}

LiveClient::~LiveClient()
{
    m_thread->quit();
    m_thread->wait();
}

void LiveClient::followSketches(const QStringList &keys)
{
    m_followed = keys;
    QMetaObject::invokeMethod(
        m_connection, [connection = m_connection, keys]() { connection->setFollowed(keys); }, Qt::QueuedConnection);
}

void LiveClient::subscribe(const QStringList &keys)
{
    QMetaObject::invokeMethod(
        m_connection, [connection = m_connection, keys]() { connection->setSubscribed(keys); }, Qt::QueuedConnection);
}

void LiveClient::start()
{
    if (!m_thread->isRunning())
        m_thread->start();
    QMetaObject::invokeMethod(m_connection, &LiveConnection::connectNow, Qt::QueuedConnection);
}

} // namespace perfdash

#include "liveclient.moc"
