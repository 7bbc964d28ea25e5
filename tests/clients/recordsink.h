// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Test support: a stand-in for the collector's ingest.sock that keeps every line it is sent. Lives on the test's
// thread; lines arrive as the event loop runs (QTRY_* macros run it).

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QLocalServer>
#include <QLocalSocket>
#include <QObject>
#include <QTemporaryDir>

#include <memory>
#include <vector>

namespace perfdash::test {

class RecordSink : public QObject {
public:
    explicit RecordSink(const QString &path, QObject *parent = nullptr)
        : QObject(parent)
        , m_server(this)
        , m_path(path)
    {
        QObject::connect(&m_server, &QLocalServer::newConnection, this, &RecordSink::onNewConnection);
    }
    bool listen() { return m_server.listen(m_path); }
    void close()
    {
        m_server.close();
        for (QLocalSocket *s : m_server.findChildren<QLocalSocket *>())
            s->abort();
    }
    // Closes the connections that are open, keeps listening.
    void dropConnections()
    {
        for (QLocalSocket *s : m_server.findChildren<QLocalSocket *>())
            s->abort();
    }
    const QList<QByteArray> &lines() const { return m_lines; }
    QJsonObject object(qsizetype i) const { return QJsonDocument::fromJson(m_lines.at(i)).object(); }
    qsizetype connections() const { return m_connections; }

private:
    void onNewConnection()
    {
        while (QLocalSocket *socket = m_server.nextPendingConnection()) {
            ++m_connections;
            socket->setParent(&m_server);
            auto pending = std::make_shared<QByteArray>(); // per connection: a cut line never joins the next one
            QObject::connect(socket, &QLocalSocket::readyRead, this, [this, socket, pending] {
                *pending += socket->readAll();
                qsizetype nl;
                while ((nl = pending->indexOf('\n')) >= 0) {
                    m_lines.push_back(pending->left(nl));
                    pending->remove(0, nl + 1);
                }
            });
            QObject::connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        }
    }

    QLocalServer m_server;
    QString m_path;
    QList<QByteArray> m_lines;
    qsizetype m_connections = 0;
};

} // namespace perfdash::test
