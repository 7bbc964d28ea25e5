// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collector/liveprotocol.h"
#include "models/livesource.h"

#include <memory>

class QThread;

namespace perfdash {

class LiveConnection;

// Subscribes to a collector's live.sock from a worker thread and reconnects by itself when the collector goes away.
// Create, start() and destroy it on the GUI thread; its signals arrive queued there.
class LiveClient : public LiveSource {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LiveClient)
public:
    explicit LiveClient(QString socketPath, QObject *parent = nullptr);
    ~LiveClient() override;

    void start();
    QString socketPath() const { return m_socketPath; }
    // Sent now when connected, and again after every reconnect. More than LiveProtocol::maxFollowedKeys keys are
    // refused by the collector, which then keeps the previous list (a warning says so).
    void followSketches(const QStringList &keys) override;
    QStringList followedSketches() const { return m_followed; }
    // Live protocol 2 (when the collector speaks it): from now on, and after every reconnect, only these series come in
    // full; every other series comes with its count alone. Never called: every frame stays whole (version 1).
    void subscribe(const QStringList &keys) override;

    static constexpr int reconnectIntervalMs = 500;

Q_SIGNALS:
    void helloReceived(const perfdash::LiveProtocol::Hello &hello);
    void collectorStatsReceived(const QJsonObject &stats);

private:
    QString m_socketPath;
    QStringList m_followed;
    std::unique_ptr<QThread> m_thread;
    LiveConnection *m_connection = nullptr; // lives on m_thread, deleted there
};

} // namespace perfdash

Q_DECLARE_METATYPE(perfdash::LiveProtocol::Hello)
