// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/coverage.h"
#include "models/modeloutlook.h"
#include "models/qualitystats.h"
#include "storage/historyquery.h"

#include <QHash>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace perfdash {

// Seed 001's performance summary of one model: what `perfdashd summary` prints and the HTTP summary route serves,
// from one function over either storage or a Prometheus-compatible server (app/promsummarysource.h), so every source
// gives its figures by the same definitions (docs/metrics.md).
struct SummaryRequest {
    QString model;
    QString window = QStringLiteral("1h"); // 1h, 6h, 24h, 7d, 30d or a duration (90m)
    QString granularity; // minute, hour or day; empty: minute up to 24h, hour up to 30d, else day
    QString end = QStringLiteral("now"); // now, -1h or ISO 8601
};

enum class SummaryStatus { Ok, BadRequest, UnknownModel, Failed };

// Where a summary's inputs come from. Synchronous; one thread, the caller's. Each call answers false with *error
// (a sentence) when the source could not be read.
class SummarySource {
public:
    virtual ~SummarySource() = default;
    // Where the figures come from, for messages: a database path, a server's URL.
    virtual QString where() const = 0;
    // Every series the source holds around [from, to) (firstSeen may be unknown: -1).
    virtual bool seriesList(qint64 from, qint64 to, QVector<SeriesInfo> *out, QString *error) = 0;
    // Buckets of `step` s in [from, to) of these series (of seriesList), with their sketches, as the Kpi layer takes
    // them (SeriesWindow::seriesPoints); a series without data has no entry.
    virtual bool windows(const QVector<SeriesInfo> &series, qint64 from, qint64 to, qint64 step,
        QHash<QString, QVector<SeriesPoint>> *out, QString *error) = 0;
    // Covered seconds of the buckets of `step` in [from, to) as of now (models/coverage.h).
    virtual bool coverage(qint64 from, qint64 to, qint64 step, qint64 now, Coverage *out, QString *error) = 0;
    // The model's prediction quality merged over [from, to); none for a source without it.
    virtual bool quality(const QString & /*model*/, qint64 /*from*/, qint64 /*to*/, std::optional<QualityStats> *out,
        QString * /*error*/)
    {
        out->reset();
        return true;
    }
    // The model's baselines and trends as of `to`; none for a source without them.
    virtual bool outlook(const QVector<SeriesInfo> & /*series*/, const QString & /*model*/, qint64 /*to*/,
        std::optional<ModelOutlook> *out, QString * /*error*/)
    {
        out->reset();
        return true;
    }
};

// *out: the summary (Ok). *error: a sentence naming the bad parameter (BadRequest: "bad window: 5x (…)"), the known
// models (UnknownModel), or what failed (Failed).
SummaryStatus summaryReport(SummarySource &source, const SummaryRequest &request, qint64 nowSeconds, QJsonObject *out,
    QString *error);
// Over stored history: an open connection's.
SummaryStatus summaryReport(const QString &connectionName, const QString &dbPath, const SummaryRequest &request,
    qint64 nowSeconds, QJsonObject *out, QString *error);

} // namespace perfdash
