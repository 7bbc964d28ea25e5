// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collector/ingestcounters.h"
#include "collector/statsdparser.h"

#include <QHostAddress>
#include <QObject>
#include <QUdpSocket>

#include <functional>

namespace perfdash {

class Aggregator;

// Receives StatsD datagrams on one UDP socket and feeds the aggregator. Lives on the collector thread.
class UdpIngest : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UdpIngest)
public:
    using Clock = std::function<qint64()>; // milliseconds since the epoch

    UdpIngest(Aggregator &aggregator, IngestCounters &counters, Clock clock, QObject *parent = nullptr);

    bool bind(const QHostAddress &host, quint16 port, QString *error);
    QHostAddress localAddress() const { return m_socket.localAddress(); }
    quint16 localPort() const { return m_socket.localPort(); }

    // Parses one datagram; public so tests and benchmarks can drive the same path without a socket.
    void processDatagram(QByteArrayView datagram, qint64 nowMs);

private:
    void onReadyRead();

    Aggregator &m_aggregator;
    IngestCounters &m_counters;
    Clock m_clock;
    StatsdParser::Limits m_limits;
    StatsdParser::Message m_message; // reused to keep allocations off the hot path
    QByteArray m_buffer;
    QUdpSocket m_socket;
};

} // namespace perfdash
