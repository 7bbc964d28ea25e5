// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/gui/baselinesender.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QTimer>

#include <memory>
#include <utility>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

BaselineSender::BaselineSender(QString ingestSocket, QObject *parent)
    : QObject(parent)
    , m_socket(std::move(ingestSocket))
{ }

QByteArray BaselineSender::record(const Baseline::Stored &row)
{
    QJsonObject o {
        { u"type"_s, u"baseline"_s },
        { u"model"_s, row.model },
        { u"metric"_s, row.kpi },
        { u"value"_s, std::isfinite(row.value) ? row.value : 0.0 },
        { u"source"_s, Baseline::sourceName(row.source) },
        { u"ts"_s, double(row.validFrom) },
    };
    if (std::isfinite(row.spread))
        o.insert(u"spread"_s, row.spread);
    if (row.n > 0)
        o.insert(u"n"_s, row.n);
    if (row.windowFrom > 0 && row.windowTo > row.windowFrom) {
        o.insert(u"start"_s, double(row.windowFrom));
        o.insert(u"end"_s, double(row.windowTo));
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

void BaselineSender::send(const QVector<Baseline::Stored> &rows)
{
    QByteArray payload;
    for (const Baseline::Stored &row : rows)
        payload += record(row);
    auto *socket = new QLocalSocket(this);
    auto *timeout = new QTimer(socket);
    const int count = int(rows.size());
    // Exactly one outcome per send: sent once every byte left, else failed (refused, closed early, or stuck).
    auto done = std::make_shared<bool>(false);
    const auto fail = [this, socket, done](const QString &why) {
        if (std::exchange(*done, true))
            return;
        Q_EMIT failed(tr("the baseline was not saved: %1 (collector at %2)").arg(why, m_socket));
        socket->abort();
        socket->deleteLater();
    };
    connect(socket, &QLocalSocket::connected, socket, [socket, payload]() { socket->write(payload); });
    connect(socket, &QLocalSocket::bytesWritten, socket, [this, socket, done, count]() {
        if (socket->bytesToWrite() > 0 || std::exchange(*done, true))
            return;
        Q_EMIT sent(count);
        socket->disconnectFromServer();
        socket->deleteLater();
    });
    connect(socket, &QLocalSocket::errorOccurred, this,
        [socket, fail](QLocalSocket::LocalSocketError) { fail(socket->errorString()); });
    timeout->setSingleShot(true);
    connect(timeout, &QTimer::timeout, this, [fail]() { fail(tr("no answer within 5 s")); });
    timeout->start(5000);
    socket->connectToServer(m_socket);
}

} // namespace perfdash
