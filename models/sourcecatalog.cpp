// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/sourcecatalog.h"

#include "models/serieskey.h"

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
constexpr const char16_t *kindNames[] = { u"service", u"model", u"process", u"other" };

bool isTimerKind(MetricKind kind)
{
    return kind == MetricKind::Timer || kind == MetricKind::Distribution;
}

// Higher is a better latency series for a dashboard: the request's total time, not a step's or the collector's own.
int latencyScore(const SeriesKey &key)
{
    int score = 0;
    if (key.name.contains(u"latency"_s))
        score += 3;
    else if (key.name.contains(u"elapsed"_s) || key.name.contains(u"duration"_s) || key.name.contains(u"time"_s))
        score += 2;
    if (key.name.contains(u"step"_s) || !key.tagValue(u"step").isEmpty())
        score -= 2;
    if (key.name.startsWith(u"perfdash."_s))
        score -= 5;
    return score;
}
} // namespace

QString SourceRef::id() const
{
    return QString::fromUtf16(kindNames[int(kind)]) % u':' % name;
}

QString SourceRef::displayName() const
{
    return label.isEmpty() ? name : label % u" · "_s % name;
}

SourceRef SourceRef::fromId(const QString &id)
{
    const qsizetype colon = id.indexOf(u':');
    if (colon <= 0)
        return {};
    const QStringView kind = QStringView(id).left(colon);
    for (int k = 0; k < kindCount; ++k) {
        if (kind == QStringView(kindNames[k]))
            return { Kind(k), id.mid(colon + 1) };
    }
    return {};
}

QVector<SourceRef> sourcesOf(const QString &seriesKey)
{
    const SeriesKey key = SeriesKey::fromString(seriesKey);
    QVector<SourceRef> out;
    if (const QString s = key.tagValue(u"service"); !s.isEmpty())
        out.push_back({ SourceRef::Kind::Service, s });
    if (const QString m = key.tagValue(u"model"); !m.isEmpty())
        out.push_back({ SourceRef::Kind::Model, m });
    if (const QString p = key.tagValue(u"pid"); !p.isEmpty())
        out.push_back({ SourceRef::Kind::Process, u"pid "_s % p,
            key.name == u"process.info"_s ? key.tagValue(u"command") : QString() });
    else if (const QString src = key.tagValue(u"source"); !src.isEmpty())
        out.push_back({ SourceRef::Kind::Process, src });
    if (out.isEmpty())
        out.push_back({ SourceRef::Kind::Other, key.name.section(u'.', 0, 0) });
    return out;
}

QStringList SourceRoles::allKeys() const
{
    QStringList keys = requests + errors + cacheHits + apiCalls;
    for (const QString *k : { &latency, &queue, &accuracy, &cpu, &memory, &gpu }) {
        if (!k->isEmpty())
            keys << *k;
    }
    keys.removeDuplicates();
    return keys;
}

bool SourceRoles::operator==(const SourceRoles &o) const
{
    return latency == o.latency && requests == o.requests && errors == o.errors && queue == o.queue
        && accuracy == o.accuracy && cpu == o.cpu && memory == o.memory && gpu == o.gpu && cacheHits == o.cacheHits
        && apiCalls == o.apiCalls;
}

SourceRoles resolveRoles(const QStringList &keysIn, const QHash<QString, MetricKind> &kinds)
{
    QStringList keys = keysIn;
    std::sort(keys.begin(), keys.end()); // the same answer whatever order the series arrived in
    SourceRoles roles;
    int bestLatency = -1000;
    qsizetype bestTags = 0;
    QStringList statusRequests, otherRequests, namedErrors;
    for (const QString &k : std::as_const(keys)) {
        const SeriesKey key = SeriesKey::fromString(k);
        const auto kindIt = kinds.constFind(k);
        const bool known = kindIt != kinds.constEnd();
        const MetricKind kind = known ? *kindIt : MetricKind::Counter;
        const QString &name = key.name;
        if (known ? isTimerKind(kind) : false) {
            const int score = latencyScore(key);
            if (score > bestLatency || (score == bestLatency && key.tags.size() < bestTags)) {
                bestLatency = score;
                bestTags = key.tags.size();
                roles.latency = k;
            }
            continue;
        }
        if (kind == MetricKind::Gauge) {
            if (name == u"process.cpu_percent"_s || name.endsWith(u".cpu_percent"_s)) {
                if (roles.cpu.isEmpty())
                    roles.cpu = k;
            } else if (name == u"process.rss_mb"_s) {
                if (roles.memory.isEmpty())
                    roles.memory = k;
            } else if (name == u"process.gpu_percent"_s || name.endsWith(u".gpu_percent"_s)) {
                if (roles.gpu.isEmpty())
                    roles.gpu = k;
            } else if (name == u"prediction.accuracy"_s) {
                roles.accuracy = k; // measured from predictions with a truth: preferred to a producer's figure
            } else if (name == u"quality.accuracy"_s) {
                if (roles.accuracy.isEmpty())
                    roles.accuracy = k;
            } else if (name.contains(u"queue"_s) && !name.startsWith(u"perfdash."_s)) {
                if (roles.queue.isEmpty())
                    roles.queue = k;
            }
            continue;
        }
        if (kind != MetricKind::Counter || name.startsWith(u"perfdash."_s))
            continue;
        if (name == u"op.cache_hits"_s) {
            roles.cacheHits << k;
        } else if (name == u"op.api_calls"_s) {
            roles.apiCalls << k;
        } else if (name.endsWith(u"requests"_s) || name == u"run.count"_s) {
            if (!key.tagValue(u"status").isEmpty())
                statusRequests << k;
            else
                otherRequests << k;
        } else if (name.contains(u"error"_s)) {
            namedErrors << k;
        }
    }
    // Counters split by status give both the total and the failures; otherwise a separate error counter does.
    if (!statusRequests.isEmpty()) {
        roles.requests = statusRequests;
        for (const QString &k : std::as_const(statusRequests)) {
            const QString status = SeriesKey::fromString(k).tagValue(u"status");
            if (status == u"error"_s || status == u"failed"_s || status == u"fail"_s)
                roles.errors << k;
        }
    } else {
        roles.requests = otherRequests;
        roles.errors = namedErrors;
    }
    return roles;
}

} // namespace perfdash
