// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/seriesregistry.h"

#include "collector/utf8.h"
#include "models/aggregator.h"

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

const char *SeriesRegistry::refusalCode(Refusal refusal)
{
    switch (refusal) {
    case Refusal::TotalCap:
        return "total_cap";
    case Refusal::SourceCap:
        return "source_cap";
    case Refusal::Count_:
        break;
    }
    return "unknown";
}

SeriesRegistry::SeriesRegistry(Aggregator &aggregator, Limits limits)
    : m_aggregator(aggregator)
    , m_limits(limits)
{ }

SeriesRegistry::Id SeriesRegistry::refuse(Refusal refusal)
{
    ++m_refused[size_t(refusal)];
    return kRefused;
}

SeriesRegistry::Id SeriesRegistry::admit(QByteArrayView key, size_t hash, qint64 nowSeconds, qint64 source)
{
    if (Entry *found = m_series.find(key, hash)) {
        found->lastSeen = nowSeconds;
        if (source != 0 && source != found->source) {
            // The series counts for whoever sends it now: a restarted producer takes its keys along, and a new process
            // that got an old pid does not inherit the dead one's count.
            forget(found->source);
            ++m_perSource[source];
            found->source = source;
        }
        return found->id;
    }
    if (m_series.size() >= m_limits.maxSeries)
        return refuse(Refusal::TotalCap);
    if (source != 0) {
        qsizetype &perSource = m_perSource[source];
        if (perSource >= m_limits.maxSeriesPerSource)
            return refuse(Refusal::SourceCap);
        ++perSource;
    }
    const Id id = m_aggregator.seriesId(fromUtf8Verbatim(key));
    if (size_t(id) >= m_holders.size())
        m_holders.resize(size_t(id) + 1, 0);
    ++m_holders[size_t(id)];
    return m_series.insert(key, hash, Entry { id, nowSeconds, source }).id;
}

void SeriesRegistry::expireIdle(qint64 nowSeconds)
{
    if (m_lastSweep == 0)
        m_lastSweep = nowSeconds; // the first sweep comes a full period after start
    if (nowSeconds - m_lastSweep < m_limits.sweepSeconds)
        return;
    m_lastSweep = nowSeconds;
    m_series.keepIf([&](QByteArrayView, const Entry &entry) {
        if (nowSeconds - entry.lastSeen <= m_limits.idleSeconds)
            return true;
        // Two byte keys should never share an id, but if they did, the id goes back only with its last holder.
        int &holders = m_holders[size_t(entry.id)];
        if (holders == 1 && !m_aggregator.releaseSeries(entry.id))
            return true; // data of it in an open second: the next sweep
        --holders;
        forget(entry.source);
        ++m_expired;
        return false;
    });
}

void SeriesRegistry::forget(qint64 source)
{
    if (source == 0)
        return;
    const auto it = m_perSource.find(source);
    if (it != m_perSource.end() && --*it <= 0)
        m_perSource.erase(it);
}

QJsonObject SeriesRegistry::statsJson() const
{
    QJsonObject refused;
    for (size_t i = 0; i < m_refused.size(); ++i)
        refused.insert(QLatin1StringView(refusalCode(Refusal(i))), qint64(m_refused[i]));
    return {
        { u"live"_s, qint64(size()) },
        { u"expired"_s, qint64(m_expired) },
        { u"samples_refused"_s, refused },
        { u"max_series"_s, qint64(m_limits.maxSeries) },
        { u"max_series_per_source"_s, qint64(m_limits.maxSeriesPerSource) },
        { u"idle_seconds"_s, m_limits.idleSeconds },
    };
}

} // namespace perfdash
