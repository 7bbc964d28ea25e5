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

// Which of a source's series plays which part on its dashboard. Pure; any thread.
struct SourceRoles {
    QString latency; // the timer whose p50/p95/p99 are charted
    QStringList requests; // counters that sum to the request rate; empty: the latency timer's rate
    QStringList errors; // counters of failed requests
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
