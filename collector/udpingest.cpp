// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/udpingest.h"

#include "models/aggregator.h"
#include "models/serieskey.h"

#include <QNetworkDatagram>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

UdpIngest::UdpIngest(Aggregator &aggregator, IngestCounters &counters, Clock clock, QObject *parent)
    : QObject(parent)
    , m_aggregator(aggregator)
    , m_counters(counters)
    , m_clock(std::move(clock))
    , m_socket(this)
{
    connect(&m_socket, &QUdpSocket::readyRead, this, &UdpIngest::onReadyRead);
}

bool UdpIngest::bind(const QHostAddress &host, quint16 port, QString *error)
{
    if (m_socket.bind(host, port))
        return true;
    *error = u"cannot listen for StatsD on UDP %1:%2: %3"_s.arg(host.toString()).arg(port).arg(m_socket.errorString());
    return false;
}

void UdpIngest::processDatagram(QByteArrayView datagram, qint64 nowMs)
{
    ++m_counters.datagrams;
    StatsdParser::forEachLine(datagram, [&](QByteArrayView text) {
        if (const auto reason = StatsdParser::parseLine(text, m_message, m_limits, nowMs / 1000)) {
            m_counters.reject(*reason);
            return;
        }
        ++m_counters.linesAccepted;
        if (m_message.kind != StatsdParser::Message::Kind::Metric)
            return; // events and service checks have no sink yet
        const StatsdParser::Line &line = m_message.metric;
        const QString key = SeriesKey { line.name, line.tags }.toString();
        const qint64 ts = line.timestamp > 0 ? line.timestamp * 1000 : nowMs;
        for (const auto &v : std::as_const(line.values)) {
            if (v.signedGauge)
                m_aggregator.addGaugeDelta(key, v.value, ts);
            else
                m_aggregator.add(key, line.kind, v.value, ts, line.sampleRate);
        }
    });
}

void UdpIngest::onReadyRead()
{
    const qint64 now = m_clock();
    while (m_socket.hasPendingDatagrams()) {
        const qint64 size = m_socket.pendingDatagramSize();
        m_buffer.resize(std::max<qint64>(size, 1));
        const qint64 read = m_socket.readDatagram(m_buffer.data(), m_buffer.size());
        if (read < 0)
            break;
        processDatagram(QByteArrayView(m_buffer.constData(), read), now);
    }
}

} // namespace perfdash
