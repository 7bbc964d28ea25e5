// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/promreportsource.h"

#include "fleet/promsync.h"
#include "models/serieskey.h"

#include <QJsonArray>

#include <algorithm>
#include <set>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

QString withoutHost(const QString &key)
{
    SeriesKey k = SeriesKey::fromString(key);
    k.tags.erase(std::remove_if(k.tags.begin(), k.tags.end(), [](const QString &t) { return t.startsWith(u"host:"); }),
        k.tags.end());
    return k.toString();
}

} // namespace

PromReportSource::PromReportSource(const QUrl &server, const QString &host, int timeoutMs)
    : m_reader(server, host.isEmpty() ? PromReader::Hosts::Merged : PromReader::Hosts::Grouped)
    , m_host(host)
    , m_timeoutMs(timeoutMs)
{
    m_reader.setTimeoutMs(timeoutMs);
}

QString PromReportSource::where() const
{
    if (!m_host.isEmpty())
        return m_reader.server().toString() % u" (host "_s % m_host % u')';
    return m_reader.server().toString()
        % (m_hostsRead.isEmpty() ? QString() : u" (hosts "_s % m_hostsRead.join(u", "_s) % u", merged)"_s);
}

QString PromReportSource::keyOnServer(const QString &key) const
{
    if (m_host.isEmpty())
        return key;
    SeriesKey k = SeriesKey::fromString(key);
    k.tags << u"host:"_s % m_host;
    normalizeTags(k.tags);
    return k.toString();
}

bool PromReportSource::seriesList(qint64 from, qint64 to, QVector<SeriesInfo> *out, QString *error)
{
    QVector<PromSeriesInfo> listed;
    if (!PromSync::series(m_reader, from, to, &listed, error, m_timeoutMs))
        return false;
    out->clear();
    m_hostsOf.clear();
    std::set<QString> hosts;
    for (const PromSeriesInfo &s : std::as_const(listed)) {
        const QStringList its = s.host.split(u',', Qt::SkipEmptyParts);
        hosts.insert(its.begin(), its.end());
        if (!m_host.isEmpty() && s.host != m_host)
            continue;
        SeriesInfo info;
        info.key = m_host.isEmpty() ? s.key : withoutHost(s.key);
        info.kind = s.kind;
        info.firstSeen = -1;
        m_hostsOf.insert(info.key, its);
        out->push_back(info);
    }
    m_hosts = QStringList(hosts.begin(), hosts.end());
    return true;
}

bool PromReportSource::read(
    const QVector<SeriesInfo> &series, qint64 from, qint64 to, qint64 step, QVector<RangeSeries> *out, QString *error)
{
    // One batch: the series and the heartbeat together, so coverage() needs no second round trip.
    QStringList keys;
    std::set<QString> hostsRead;
    for (const SeriesInfo &s : series) {
        keys << keyOnServer(s.key);
        for (const QString &h : m_hostsOf.value(s.key))
            hostsRead.insert(h);
    }
    m_hostsRead = QStringList(hostsRead.begin(), hostsRead.end());
    keys << keyOnServer(Coverage::heartbeatKey());
    QVector<RangeSeries> answered;
    if (!PromSync::buckets(m_reader, keys, from, to, step, &answered, error, m_timeoutMs))
        return false;
    m_heartbeat = answered.takeLast().points;
    m_heartbeatFrom = from;
    m_heartbeatTo = to;
    m_heartbeatStep = step;
    m_heartbeatRead = true;
    for (qsizetype i = 0; i < answered.size(); ++i) {
        answered[i].key = series[i].key;
        for (SeriesPoint &p : answered[i].points)
            p.stats.key = series[i].key;
    }
    *out = std::move(answered);
    return true;
}

bool PromReportSource::windows(const QVector<SeriesInfo> &series, qint64 from, qint64 to, qint64 step,
    QHash<QString, QVector<SeriesPoint>> *out, QString *error)
{
    QVector<RangeSeries> answered;
    if (!read(series, from, to, step, &answered, error))
        return false;
    for (const RangeSeries &r : std::as_const(answered)) {
        if (!r.points.isEmpty())
            out->insert(r.key, r.points);
    }
    return true;
}

bool PromReportSource::seriesWindows(const QVector<SeriesInfo> &series, qint64 from, qint64 to, qint64 step,
    bool withSketches, QVector<SeriesWindow> *out, QString *error)
{
    QVector<RangeSeries> answered;
    if (!read(series, from, to, step, &answered, error))
        return false;
    out->resize(series.size());
    for (qsizetype i = 0; i < series.size(); ++i) {
        SeriesWindow &w = (*out)[i];
        w.series = series[i];
        w.step = step;
        w.tier = HistoryQuery::tierOf(step);
        w.points.clear();
        for (const SeriesPoint &p : std::as_const(answered[i].points)) {
            const SeriesStats &s = p.stats;
            WindowPoint point;
            point.step = step;
            point.point.time = p.second;
            point.point.count = s.count;
            point.point.sum = s.sum;
            point.point.min = s.min;
            point.point.max = s.max;
            point.point.last = s.last;
            point.point.unique = s.uniqueCount;
            point.point.q = { s.p50, s.p90, s.p95, s.p99, s.p999 };
            if (withSketches)
                point.sketch = s.sketch;
            w.points.push_back(std::move(point));
        }
    }
    return true;
}

bool PromReportSource::coverage(qint64 from, qint64 to, qint64 step, qint64 now, Coverage *out, QString *error)
{
    if (!m_heartbeatRead || from != m_heartbeatFrom || to != m_heartbeatTo || step != m_heartbeatStep) {
        QVector<RangeSeries> answered;
        if (!PromSync::buckets(
                m_reader, { keyOnServer(Coverage::heartbeatKey()) }, from, to, step, &answered, error, m_timeoutMs))
            return false;
        m_heartbeat = answered.value(0).points;
    }
    *out = Coverage::fromHeartbeat(m_heartbeat, from, to, step, now);
    return true;
}

QJsonObject PromReportSource::describe() const
{
    return { { u"url"_s, m_reader.server().toString() }, { u"hosts"_s, QJsonArray::fromStringList(m_hostsRead) },
        { u"merged"_s, m_host.isEmpty() } };
}

} // namespace perfdash
