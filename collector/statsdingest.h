// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collector/ingestcounters.h"
#include "collector/statsdparser.h"
#include "models/timelineevent.h"

#include <QString>

namespace perfdash {

class Aggregator;
class SeriesRegistry;

struct StatsdIngestLimits {
    StatsdParser::Limits parser = keyOnly();

    static StatsdParser::Limits keyOnly()
    {
        StatsdParser::Limits limits;
        limits.decodeText = false;
        return limits;
    }
};

// StatsD datagrams from any socket into the aggregator: framing, parsing and accounting. Series are admitted by the
// collector's SeriesRegistry, under its caps. Owned and called by the collector thread.
class StatsdIngest {
public:
    using Limits = StatsdIngestLimits;

    StatsdIngest(Aggregator &aggregator, SeriesRegistry &registry, IngestCounters &counters, Limits limits = Limits());

    // sourcePid is the sender's pid when the socket knows it (SO_PASSCRED), else 0.
    void processDatagram(QByteArrayView datagram, qint64 nowMs, qint64 sourcePid = 0);
    // Events and service checks received since the last call, oldest first. At most maxPendingEvents wait; more
    // are counted in IngestCounters::eventsDropped.
    QVector<TimelineEvent> takeEvents() { return std::exchange(m_events, {}); }
    static constexpr qsizetype maxPendingEvents = 10000;
    const Limits &limits() const { return m_limits; }

private:
    void keepEvent(qint64 nowMs);

    Aggregator &m_aggregator;
    SeriesRegistry &m_registry;
    QVector<TimelineEvent> m_events;
    IngestCounters &m_counters;
    Limits m_limits;
    StatsdParser::Message m_message; // reused to keep allocations off the hot path
};

} // namespace perfdash
