// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/statsdingest.h"

#include "collector/seriesregistry.h"
#include "models/aggregator.h"

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

StatsdIngest::StatsdIngest(Aggregator &aggregator, SeriesRegistry &registry, IngestCounters &counters, Limits limits)
    : m_aggregator(aggregator)
    , m_registry(registry)
    , m_counters(counters)
    , m_limits(limits)
{ }

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
        const SeriesRegistry::Id id = m_registry.admit(line.key, nowSeconds, sourcePid);
        if (id == SeriesRegistry::kRefused) {
            m_counters.rejectOther(u"series_cap"_s);
            return;
        }
        ++m_counters.linesAccepted;
        const qint64 ts = line.timestamp > 0 ? line.timestamp * 1000 : nowMs;
        if (line.kind == MetricKind::Set) {
            m_aggregator.addSetMember(id, line.setMember, ts);
            return;
        }
        for (const auto &v : std::as_const(line.values)) {
            if (v.signedGauge)
                m_aggregator.addGaugeDelta(id, v.value, ts);
            else
                m_aggregator.add(id, line.kind, v.value, ts, line.sampleRate);
        }
    });
}

} // namespace perfdash
