// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collector/bytekeytable.h"
#include "collector/ingestcounters.h"
#include "collector/statsdparser.h"
#include "models/timelineevent.h"

#include <QHash>
#include <QString>

namespace perfdash {

class Aggregator;

struct StatsdIngestLimits {
    StatsdParser::Limits parser = keyOnly();
    qsizetype maxLiveSeries = 100000; // in total
    qsizetype maxLiveSeriesPerSource = 10000; // per sending process (Unix socket senders only)
    qint64 liveSeriesTtlSeconds = 600; // a series not seen for this long stops counting as live

    static StatsdParser::Limits keyOnly()
    {
        StatsdParser::Limits limits;
        limits.decodeText = false;
        return limits;
    }
};

// StatsD datagrams from any socket into the aggregator: framing, parsing, the series cap, and accounting.
// Owned and called by the collector thread.
class StatsdIngest {
public:
    using Limits = StatsdIngestLimits;

    StatsdIngest(Aggregator &aggregator, IngestCounters &counters, Limits limits = Limits());

    // sourcePid is the sender's pid when the socket knows it (SO_PASSCRED), else 0.
    void processDatagram(QByteArrayView datagram, qint64 nowMs, qint64 sourcePid = 0);
    qsizetype liveSeries() const { return m_liveSeries.size(); }
    // Events and service checks received since the last call, oldest first. At most maxPendingEvents wait; more
    // are counted in IngestCounters::eventsDropped.
    QVector<TimelineEvent> takeEvents() { return std::exchange(m_events, {}); }
    static constexpr qsizetype maxPendingEvents = 10000;
    const Limits &limits() const { return m_limits; }

private:
    struct LiveSeries {
        qint32 id = -1; // the aggregator's series id
        qint64 lastSeen = 0;
        qint64 sourcePid = 0;
    };

    // The live series for a canonical key, admitting it under the caps; null when a cap refuses it.
    LiveSeries *admitSeries(QByteArrayView key, qint64 nowSeconds, qint64 sourcePid);
    void expireSeries(qint64 nowSeconds);

    void keepEvent(qint64 nowMs);

    Aggregator &m_aggregator;
    QVector<TimelineEvent> m_events;
    IngestCounters &m_counters;
    Limits m_limits;
    StatsdParser::Message m_message; // reused to keep allocations off the hot path
    ByteKeyTable<LiveSeries> m_liveSeries; // by canonical key bytes: no string is built per line
    QHash<qint64, qsizetype> m_seriesPerSource;
    qint64 m_lastExpiry = 0;
};

} // namespace perfdash
