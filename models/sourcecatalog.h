// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/metrickind.h"

#include <QHash>
#include <QString>
#include <QStringList>
#include <QVector>

namespace perfdash {

// Where a series comes from, read off its tags: a service (service:), a model (model:), a process (pid:, source:),
// or, with none of those, "other" grouped by the first segment of its name. A series may belong to several sources.
// A process is named "pid N" (its identity) and labelled with its command when the collector read one, from the tag
// command: of its process.info series: shown as "python3 inference_pipeline.py · pid 4242".
// A series with a host: tag (a fleet's series grouped by host, fleet/promschema.h) names the host after the source:
// "m1 · host a", so one model on two machines is two sources.
struct SourceRef {
    enum class Kind { Service = 0, Model = 1, Process = 2, Other = 3 };
    static constexpr int kindCount = 4;

    Kind kind = Kind::Other;
    QString name;
    QString label = {}; // for display only: not part of the id or of equality

    QString id() const; // "model:resnet50", "other:bench", "process:pid 4242": stable, for settings
    static SourceRef fromId(const QString &id);
    bool isValid() const { return !name.isEmpty(); }
    // "label · name", or the name alone.
    QString displayName() const;
    bool operator==(const SourceRef &o) const { return kind == o.kind && name == o.name; }
    bool operator!=(const SourceRef &o) const { return !(*this == o); }
};

QVector<SourceRef> sourcesOf(const QString &seriesKey);
// A source's name as sourcesOf gives it, split back into the name on its host and that host ("m1 · host a": m1 and
// a; "m1": m1 and no host).
struct HostedName {
    QString name;
    QString host;
};
HostedName splitHost(const QString &sourceName);

// Where a source's inference requests come from: exactly one kind, in this order of preference (docs/metrics.md).
// Two kinds are never added: a workflow run that records operations is one request, not one plus its operations.
enum class RequestKind {
    None = 0,
    Runs, // run records: run.count{status}
    Predictions, // prediction records: prediction.count
    Counters, // the producer's own request counters (a *request* counter, split by a status tag or not)
    TimerCount, // the count of the latency timer
};
QString requestKindName(RequestKind kind); // "workflow runs", for tooltips and the summary's JSON

// Whether a series of requests counts failures: a status of error, fail*, 5xx, or an error_type tag.
bool isErrorSeries(const QString &seriesKey);

// Which of a source's series plays which part on its dashboard. Pure; any thread.
struct SourceRoles {
    QString latency; // the timer whose p50/p95/p99 are charted
    RequestKind requestKind = RequestKind::None;
    QStringList requests; // the series whose counts are the requests, all of requestKind
    QStringList errors; // the failed requests: a subset of requests, or separate *error* counters
    // The kind tells failures apart (a status tag, or an error counter), so no errors means an error rate of 0.
    bool failuresCounted = false;
    QString queue; // queue-depth gauge
    QString accuracy; // prediction.accuracy (from prediction records), else the producer's quality.accuracy gauge
    QString cpu, memory, gpu; // process.cpu_percent, process.rss_mb, process.gpu_percent
    QStringList cacheHits, apiCalls; // op.cache_hits, op.api_calls: hit rate = hits / (hits + calls)

    QStringList allKeys() const;
    bool operator==(const SourceRoles &o) const;
};

// kinds: the kind of each key, as far as known (a key without one is judged by its name).
SourceRoles resolveRoles(const QStringList &keys, const QHash<QString, MetricKind> &kinds);

} // namespace perfdash
