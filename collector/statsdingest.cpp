// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/statsdingest.h"

#include "models/aggregator.h"

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

StatsdIngest::StatsdIngest(Aggregator &aggregator, IngestCounters &counters, Limits limits)
    : m_aggregator(aggregator)
    , m_counters(counters)
    , m_limits(limits)
{ }

void StatsdIngest::expireSeries(qint64 nowSeconds)
{
    // Once a minute is enough: the cap protects memory, it need not be exact to the second.
    if (nowSeconds - m_lastExpiry < 60)
        return;
    m_lastExpiry = nowSeconds;
    m_liveSeries.keepIf([&](QByteArrayView, const LiveSeries &series) {
        if (nowSeconds - series.lastSeen <= m_limits.liveSeriesTtlSeconds)
            return true;
        if (series.sourcePid != 0 && --m_seriesPerSource[series.sourcePid] <= 0)
            m_seriesPerSource.remove(series.sourcePid);
        return false;
    });
}

StatsdIngest::LiveSeries *StatsdIngest::admitSeries(QByteArrayView key, qint64 nowSeconds, qint64 sourcePid)
{
    const size_t hash = m_liveSeries.hashOf(key);
    if (LiveSeries *found = m_liveSeries.find(key, hash)) {
        found->lastSeen = nowSeconds;
        return found;
    }
    if (m_liveSeries.size() >= m_limits.maxLiveSeries)
        return nullptr;
    if (sourcePid != 0) {
        qsizetype &perSource = m_seriesPerSource[sourcePid];
        if (perSource >= m_limits.maxLiveSeriesPerSource)
            return nullptr;
        ++perSource;
    }
    const auto id = m_aggregator.seriesId(QString::fromUtf8(key));
    return &m_liveSeries.insert(key, hash, LiveSeries { id, nowSeconds, sourcePid });
}

void StatsdIngest::keepEvent(qint64 nowMs)
{
    if (m_events.size() >= maxPendingEvents) {
        ++m_counters.eventsDropped;
        return;
    }
    TimelineEvent e;
    if (m_message.kind == StatsdParser::Message::Kind::Event) {
        const StatsdEvent &in = m_message.event;
        static const char *const alerts[] = { "info", "error", "warning", "success" };
        e.kind = u"event"_s;
        e.timeMs = in.timestamp > 0 ? in.timestamp * 1000 : nowMs;
        e.title = in.title;
        e.text = in.text;
        e.priority = in.priority == StatsdEvent::Priority::Low ? u"low"_s : u"normal"_s;
        e.alertType = QLatin1StringView(alerts[int(in.alertType)]);
        e.source = in.sourceType.isEmpty() ? in.host : in.host % u'/' % in.sourceType;
        e.tags = in.tags;
    } else {
        const StatsdServiceCheck &in = m_message.serviceCheck;
        e.kind = u"service_check"_s;
        e.timeMs = in.timestamp > 0 ? in.timestamp * 1000 : nowMs;
        e.title = in.name;
        e.text = in.message;
        e.status = int(in.status);
        e.source = in.host;
        e.tags = in.tags;
    }
    m_events.push_back(std::move(e));
}

void StatsdIngest::processDatagram(QByteArrayView datagram, qint64 nowMs, qint64 sourcePid)
{
    ++m_counters.datagrams;
    const qint64 nowSeconds = nowMs / 1000;
    expireSeries(nowSeconds);
    StatsdParser::forEachLine(datagram, [&](QByteArrayView text) {
        if (const auto reason = StatsdParser::parseLine(text, m_message, m_limits.parser, nowSeconds)) {
            m_counters.reject(*reason);
            return;
        }
        if (m_message.warnings.testFlag(StatsdParser::Warning::RateClamped))
            ++m_counters.rateClamped;
        if (m_message.kind != StatsdParser::Message::Kind::Metric) {
            ++m_counters.linesAccepted;
            ++m_counters.events;
            keepEvent(nowMs);
            return;
        }
        const StatsdParser::Line &line = m_message.metric;
        const LiveSeries *series = admitSeries(line.key, nowSeconds, sourcePid);
        if (!series) {
            m_counters.rejectOther(u"series_cap"_s);
            return;
        }
        ++m_counters.linesAccepted;
        const qint64 ts = line.timestamp > 0 ? line.timestamp * 1000 : nowMs;
        if (line.kind == MetricKind::Set) {
            m_aggregator.addSetMember(series->id, line.setMember, ts);
            return;
        }
        for (const auto &v : std::as_const(line.values)) {
            if (v.signedGauge)
                m_aggregator.addGaugeDelta(series->id, v.value, ts);
            else
                m_aggregator.add(series->id, line.kind, v.value, ts, line.sampleRate);
        }
    });
}

} // namespace perfdash
