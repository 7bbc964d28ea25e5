// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/udpingest.h"

#include "models/aggregator.h"
#include "models/serieskey.h"

#include <QVariant>

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
    if (m_socket.bind(host, port)) {
        // A deep receive buffer absorbs bursts while we parse; the kernel caps it at net.core.rmem_max.
        m_socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, QVariant(8 * 1024 * 1024));
        return true;
    }
    *error = u"cannot listen for StatsD on UDP %1:%2: %3"_s.arg(host.toString()).arg(port).arg(m_socket.errorString());
    return false;
}

void UdpIngest::processDatagram(QByteArrayView datagram, qint64 nowMs)
{
    ++m_counters.datagrams;
    StatsdParser::forEachLine(datagram, [&](QByteArrayView text) {
        if (const auto reason = StatsdParser::parseLine(text, m_line, m_limits, nowMs / 1000)) {
            m_counters.reject(*reason);
            return;
        }
        ++m_counters.linesAccepted;
        const QString key = SeriesKey { m_line.name, m_line.tags }.toString();
        const qint64 ts = m_line.timestamp > 0 ? m_line.timestamp * 1000 : nowMs;
        for (const auto &v : std::as_const(m_line.values)) {
            if (v.signedGauge)
                m_aggregator.addGaugeDelta(key, v.value, ts);
            else
                m_aggregator.add(key, m_line.kind, v.value, ts, m_line.sampleRate);
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
