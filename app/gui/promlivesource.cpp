// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/gui/promlivesource.h"

#include "fleet/promschema.h"
#include "models/coverage.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QNetworkReply>
#include <QSet>
#include <QUrlQuery>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

PromLiveSource::PromLiveSource(const QUrl &server, PromReader::Hosts hosts, Options options, QObject *parent)
    : LiveSource(parent)
    , m_server(server)
    , m_options(options)
    , m_reader(server, hosts)
    , m_network(this)
    , m_timer(this)
    , m_clock([]() { return QDateTime::currentSecsSinceEpoch(); })
    , m_engine(guessEngine(server))
{
    m_stepKnown = m_options.step > 0;
    m_options.step = m_stepKnown ? m_options.step : kDefaultStep;
    m_timer.setInterval(m_options.pollMs);
    connect(&m_timer, &QTimer::timeout, this, &PromLiveSource::poll);
    connect(&m_reader, &PromReader::seriesListed, this, &PromLiveSource::onSeriesListed);
    connect(&m_reader, &PromReader::bucketsReady, this, &PromLiveSource::onBucketsReady);
    connect(&m_reader, &PromReader::failed, this, &PromLiveSource::onFailed);
}

PromLiveSource::~PromLiveSource()
{
    if (m_buildInfo)
        m_buildInfo->abort();
    if (m_stepProbe)
        m_stepProbe->abort();
}

QString PromLiveSource::guessEngine(const QUrl &server)
{
    const int port = server.port(-1);
    if (port == 8428 || port == 8481 || server.path().startsWith(u"/select/"_s))
        return u"VictoriaMetrics"_s;
    if (port == 9090)
        return u"Prometheus"_s;
    return tr("Prometheus-compatible server");
}

QString PromLiveSource::serverText() const
{
    return tr("%1 at %2").arg(m_engine, m_server.toDisplayString());
}

void PromLiveSource::start()
{
    if (m_started)
        return;
    m_started = true;
    setState(State::Connecting, tr("reading %1").arg(m_server.toDisplayString()));
    m_timer.start();
    poll();
}

void PromLiveSource::poll()
{
    // A slow server: wait for the answer in flight (the reader's timeout ends it) rather than drop it for a newer ask.
    if (m_pending)
        return;
    const qint64 nowMs = m_clock() * 1000;
    if (m_kinds.isEmpty() || m_listedAtMs < 0 || nowMs - m_listedAtMs >= m_options.listEveryMs) {
        const qint64 now = m_clock();
        m_listedAtMs = nowMs;
        m_listId = ++m_nextId;
        m_pending = true;
        m_reader.requestSeries(now - m_options.backfillSeconds, now + 1, m_listId);
        return; // the buckets follow the listing
    }
    if (!m_stepKnown)
        askStep();
    else
        requestRecent();
}

void PromLiveSource::requestRecent()
{
    if (m_kinds.isEmpty())
        return;
    const qint64 step = m_options.step;
    // Complete buckets only: one that holds now may still get a push, and would show a part as the whole.
    const qint64 to = m_clock() / step * step;
    // The last two buckets again: a push that arrived late (a slow network, a retry) lands in them.
    const qint64 from
        = m_readUpTo < 0 ? to - m_options.backfillSeconds / step * step : std::min(m_readUpTo, to) - 2 * step;
    if (from >= to)
        return;
    QStringList keys = m_kinds.keys();
    keys.sort();
    keys << Coverage::heartbeatKey(); // the covered seconds of every bucket: the rates' denominator
    for (const QString &host : std::as_const(m_hostHeartbeats))
        keys << host; // grouped by host: each host's own, for its series (Coverage::heartbeatKeyFor)
    m_bucketsId = ++m_nextId;
    m_pending = true;
    m_reader.requestBuckets(keys, from, to, step, m_bucketsId);
}

void PromLiveSource::onSeriesListed(quint64 id, const QVector<PromSeriesInfo> &series)
{
    if (id != m_listId)
        return;
    m_pending = false;
    QSet<QString> hosts;
    bool added = false;
    for (const PromSeriesInfo &s : series) {
        for (const QString &host : s.host.split(u',', Qt::SkipEmptyParts)) // merged: every host that has it
            hosts.insert(host);
        if (Coverage::isHeartbeat(s.key)) {
            if (s.key != Coverage::heartbeatKey())
                m_hostHeartbeats.insert(s.key);
            continue;
        }
        const auto it = m_kinds.constFind(s.key);
        if (it == m_kinds.constEnd() || *it != s.kind) {
            m_kinds.insert(s.key, s.kind);
            added = true;
        }
    }
    if (!m_engineKnown && !m_buildInfo)
        askBuildInfo();
    setState(State::Connected, tr("%n perfdash series", nullptr, int(m_kinds.size())));
    if (int(hosts.size()) != m_hosts || added) {
        m_hosts = int(hosts.size());
        Q_EMIT describedChanged();
    }
    if (added)
        Q_EMIT seriesListed(series);
    if (!m_stepKnown) {
        askStep(); // the buckets follow once the step is known
        return;
    }
    requestRecent();
}

void PromLiveSource::onBucketsReady(quint64 id, const QVector<RangeSeries> &series)
{
    if (id != m_bucketsId)
        return;
    m_pending = false;
    setState(State::Connected, tr("%n perfdash series", nullptr, int(m_kinds.size())));
    QMap<qint64, LiveFrame> frames; // by second, oldest first
    qint64 newestEnd = m_readUpTo;
    for (const RangeSeries &s : series) {
        const MetricKind kind = m_kinds.value(s.key, MetricKind::Gauge);
        for (const SeriesPoint &p : s.points) {
            if (p.stats.count <= 0)
                continue; // nothing pushed in that bucket: no point, as a live frame carries only what arrived
            LiveFrame &frame = frames[p.second];
            frame.second = p.second;
            SeriesStats stats = p.stats;
            stats.key = s.key;
            if (s.key != Coverage::heartbeatKey() && m_kinds.contains(s.key))
                stats.kind = kind;
            frame.series.push_back(std::move(stats));
            newestEnd = std::max(newestEnd, p.second + std::max<qint64>(1, s.step));
        }
    }
    m_readUpTo = std::max(newestEnd, m_readUpTo);
    for (auto it = frames.begin(); it != frames.end(); ++it)
        Q_EMIT frameReceived(*it);
}

void PromLiveSource::onFailed(quint64 id, const QString &message)
{
    if (id != m_listId && id != m_bucketsId)
        return;
    m_pending = false;
    m_listedAtMs = -1; // list again once it answers: the server may be another one, or restarted empty
    setState(State::Disconnected, message);
}

void PromLiveSource::setState(State state, const QString &detail)
{
    if (state == m_state && state != State::Disconnected)
        return;
    m_state = state;
    Q_EMIT stateChanged(state, detail);
}

qint64 PromLiveSource::stepFromSamples(const QByteArray &queryAnswer)
{
    const QJsonArray result
        = QJsonDocument::fromJson(queryAnswer).object().value(u"data"_s).toObject().value(u"result"_s).toArray();
    std::vector<qint64> spacings;
    for (const QJsonValue &series : result) {
        const QJsonArray values = series.toObject().value(u"values"_s).toArray();
        qint64 smallest = 0;
        for (qsizetype i = 1; i < values.size(); ++i) {
            const qint64 spacing
                = std::llround(values[i].toArray().at(0).toDouble() - values[i - 1].toArray().at(0).toDouble());
            if (spacing > 0 && (smallest == 0 || spacing < smallest))
                smallest = spacing;
        }
        if (smallest > 0)
            spacings.push_back(smallest);
    }
    if (spacings.empty())
        return 0;
    std::nth_element(spacings.begin(), spacings.begin() + qsizetype(spacings.size() / 2), spacings.end());
    return std::clamp<qint64>(spacings[spacings.size() / 2], 1, 3600);
}

void PromLiveSource::askStep()
{
    if (m_stepProbe)
        return; // asked already: its answer reads the buckets
    QUrl url = m_server;
    QString path = url.path();
    if (path.endsWith(u'/'))
        path.chop(1);
    url.setPath(path + u"/api/v1/query"_s);
    QUrlQuery query;
    query.addQueryItem(u"query"_s,
        u"%1_samples_total{%2=\"%3\"}[%4s]"_s
            .arg(QString::fromLatin1(PromSchema::metricName(Coverage::heartbeatKey())),
                QLatin1String(PromSchema::kSeriesLabel), Coverage::heartbeatKey())
            .arg(kStepProbeSeconds));
    query.addQueryItem(u"time"_s, QString::number(m_clock()));
    url.setQuery(query);
    QNetworkRequest request(url);
    request.setTransferTimeout(10000);
    m_pending = true;
    m_stepProbe = m_network.get(request);
    connect(m_stepProbe, &QNetworkReply::finished, this, [this, reply = m_stepProbe.data()]() {
        reply->deleteLater();
        m_pending = false;
        if (reply->error() != QNetworkReply::NoError)
            return; // asked again at the next poll; the listing says what is wrong with the server
        // No series with two samples yet (a collector that just started): the default.
        const qint64 step = stepFromSamples(reply->readAll());
        m_stepKnown = true;
        m_stepFromServer = step > 0;
        if (step > 0 && step != m_options.step) {
            m_options.step = step;
            m_readUpTo = -1;
            Q_EMIT describedChanged();
        }
        requestRecent();
    });
}

void PromLiveSource::askBuildInfo()
{
    // Prometheus names its version here; VictoriaMetrics answers with empty data.
    QUrl url = m_server;
    QString path = url.path();
    if (path.endsWith(u'/'))
        path.chop(1);
    url.setPath(path + u"/api/v1/status/buildinfo"_s);
    QNetworkRequest request(url);
    request.setTransferTimeout(5000);
    m_buildInfo = m_network.get(request);
    connect(m_buildInfo, &QNetworkReply::finished, this, [this, reply = m_buildInfo.data()]() {
        reply->deleteLater();
        if (reply->error() != QNetworkReply::NoError)
            return; // asked again after the next listing
        m_engineKnown = true;
        const QJsonObject data = QJsonDocument::fromJson(reply->readAll()).object().value(u"data"_s).toObject();
        const QString engine = data.contains(u"version"_s) ? u"Prometheus"_s : u"VictoriaMetrics"_s;
        if (engine != m_engine) {
            m_engine = engine;
            Q_EMIT describedChanged();
        }
    });
}

} // namespace perfdash
