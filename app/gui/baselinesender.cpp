// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/gui/baselinesender.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

BaselineSender::BaselineSender(QString ingestSocket, QObject *parent) : QObject(parent), m_socket(std::move(ingestSocket))
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
    const int count = int(rows.size());
    connect(socket, &QLocalSocket::connected, socket, [socket, payload]() {
        socket->write(payload);
        socket->disconnectFromServer(); // after the bytes are written
    });
    connect(socket, &QLocalSocket::disconnected, this, [this, socket, count]() {
        socket->deleteLater();
        Q_EMIT sent(count);
    });
    connect(socket, &QLocalSocket::errorOccurred, this, [this, socket](QLocalSocket::LocalSocketError) {
        if (socket->state() == QLocalSocket::UnconnectedState || socket->error() != QLocalSocket::PeerClosedError) {
            Q_EMIT failed(tr("the baseline was not saved: the collector is not reachable at %1 (%2)")
                              .arg(m_socket, socket->errorString()));
            socket->deleteLater();
        }
    });
    socket->connectToServer(m_socket);
}

} // namespace perfdash
