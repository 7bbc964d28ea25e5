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
    if (key.name.startsWith(u"op."_s))
        score -= 3; // an operation's time, not a request's
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

namespace {
constexpr QStringView kHostSeparator = u" · host ";
} // namespace

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
    // A fleet's series grouped by host (fleet/promschema.h): the same model on two machines is two sources.
    if (const QString host = key.tagValue(u"host"); !host.isEmpty()) {
        for (SourceRef &ref : out)
            ref.name += kHostSeparator + host;
    }
    return out;
}

HostedName splitHost(const QString &sourceName)
{
    const qsizetype at = sourceName.lastIndexOf(kHostSeparator);
    if (at < 0)
        return { sourceName, {} };
    return { sourceName.left(at), sourceName.mid(at + kHostSeparator.size()) };
}

QString requestKindName(RequestKind kind)
{
    switch (kind) {
    case RequestKind::Runs:
        return u"workflow runs"_s;
    case RequestKind::Predictions:
        return u"prediction records"_s;
    case RequestKind::Counters:
        return u"request counters"_s;
    case RequestKind::TimerCount:
        return u"latency timer count"_s;
    case RequestKind::None:
        break;
    }
    return u"none"_s;
}

bool isErrorSeries(const QString &seriesKey)
{
    const SeriesKey key = SeriesKey::fromString(seriesKey);
    if (!key.tagValue(u"error_type").isEmpty())
        return true;
    const QString status = key.tagValue(u"status").toLower();
    if (status.isEmpty())
        return false;
    if (status == u"error"_s || status.startsWith(u"fail"_s) || status == u"5xx"_s)
        return true;
    return status.size() == 3 && status.startsWith(u'5') && status[1].isDigit() && status[2].isDigit();
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
    return latency == o.latency && requestKind == o.requestKind && requests == o.requests && errors == o.errors
        && failuresCounted == o.failuresCounted && queue == o.queue && accuracy == o.accuracy && cpu == o.cpu
        && memory == o.memory && gpu == o.gpu && cacheHits == o.cacheHits && apiCalls == o.apiCalls;
}

SourceRoles resolveRoles(const QStringList &keysIn, const QHash<QString, MetricKind> &kinds)
{
    QStringList keys = keysIn;
    std::sort(keys.begin(), keys.end()); // the same answer whatever order the series arrived in
    SourceRoles roles;
    int bestLatency = -1000;
    qsizetype bestTags = 0;
    QStringList runs, predictions, statusRequests, plainRequests, namedErrors;
    for (const QString &k : std::as_const(keys)) {
        const SeriesKey key = SeriesKey::fromString(k);
        const auto kindIt = kinds.constFind(k);
        const bool known = kindIt != kinds.constEnd();
        const MetricKind kind = known ? *kindIt : MetricKind::Counter;
        const QString &name = key.name;
        if (name.startsWith(u"baseline.")) // gauges older collectors made of baseline records: never a role
            continue;
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
        } else if (name.startsWith(u"op."_s)) {
            continue; // operations are never requests, and their errors are not request failures
        } else if (name == u"run.count"_s) {
            runs << k;
        } else if (name == u"prediction.count"_s) {
            predictions << k;
        } else if (name.contains(u"error"_s) || name.contains(u"fail"_s)) {
            namedErrors << k; // http.request_errors, requests_failed: failures, never the total
        } else if (name.contains(u"request"_s)) {
            (key.tagValue(u"status").isEmpty() && key.tagValue(u"error_type").isEmpty() ? plainRequests
                                                                                        : statusRequests)
                << k;
        }
    }
    const auto errorsAmong = [](const QStringList &series) {
        QStringList out;
        for (const QString &k : series) {
            if (isErrorSeries(k))
                out << k;
        }
        return out;
    };
    // Exactly one kind, in the order of docs/metrics.md: runs, predictions, request counters, the timer's count.
    if (!runs.isEmpty()) {
        roles.requestKind = RequestKind::Runs;
        roles.requests = runs;
        roles.errors = errorsAmong(runs);
        roles.failuresCounted = true; // run.count carries status:ok or status:error
    } else if (!predictions.isEmpty()) {
        roles.requestKind = RequestKind::Predictions;
        roles.requests = predictions;
        roles.errors = errorsAmong(predictions);
        // Predictions tell failures apart only when the producer tags them with a status (or an error_type).
        roles.failuresCounted = std::any_of(predictions.cbegin(), predictions.cend(), [](const QString &k) {
            const SeriesKey key = SeriesKey::fromString(k);
            return !key.tagValue(u"status").isEmpty() || !key.tagValue(u"error_type").isEmpty();
        });
    } else if (!statusRequests.isEmpty() && !plainRequests.isEmpty()
        && errorsAmong(statusRequests).size() == statusRequests.size()) {
        // A plain total next to tagged failures (api.requests and api.requests|error_type:timeout): the plain counter
        // is the total, the tagged ones its failures.
        roles.requestKind = RequestKind::Counters;
        roles.requests = plainRequests;
        roles.errors = statusRequests;
        roles.failuresCounted = true;
    } else if (!statusRequests.isEmpty()) {
        // Counters split by status give both the total and the failures.
        roles.requestKind = RequestKind::Counters;
        roles.requests = statusRequests;
        roles.errors = errorsAmong(statusRequests);
        roles.failuresCounted = true;
    } else if (!plainRequests.isEmpty()) {
        roles.requestKind = RequestKind::Counters;
        roles.requests = plainRequests;
        roles.errors = namedErrors;
        roles.failuresCounted = !namedErrors.isEmpty();
    } else if (!roles.latency.isEmpty() && !roles.latency.startsWith(u"op."_s)
        && !roles.latency.startsWith(u"perfdash."_s)) {
        // An operation's or the collector's own timer is never a request count.
        roles.requestKind = RequestKind::TimerCount;
        roles.requests = { roles.latency };
        roles.errors = namedErrors;
        roles.failuresCounted = !namedErrors.isEmpty();
    }
    return roles;
}

} // namespace perfdash
