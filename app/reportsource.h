// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/coverage.h"
#include "models/modeloutlook.h"
#include "models/qualitystats.h"
#include "storage/historyquery.h"

#include <QHash>
#include <QMap>
#include <QString>

#include <optional>

namespace perfdash {

// Where a summary's and a bucketed report's inputs come from: stored history (StorageReportSource) or a
// Prometheus-compatible server (app/promreportsource.h), so both give their figures through the same code.
// Synchronous; one thread, the caller's. Each call answers false with *error (a sentence) when the source could not
// be read.
class ReportSource {
public:
    virtual ~ReportSource() = default;
    // Where the figures come from, for messages: a database path, a server's URL.
    virtual QString where() const = 0;
    // Every series the source holds around [from, to) (firstSeen may be unknown: -1).
    virtual bool seriesList(qint64 from, qint64 to, QVector<SeriesInfo> *out, QString *error) = 0;
    // Buckets of `step` s in [from, to) of these series (of seriesList), with their sketches, as the Kpi layer takes
    // them (SeriesWindow::seriesPoints); a series without data has no entry.
    virtual bool windows(const QVector<SeriesInfo> &series, qint64 from, qint64 to, qint64 step,
        QHash<QString, QVector<SeriesPoint>> *out, QString *error)
        = 0;
    // The same buckets as storage's windows (SeriesWindow::points, covered seconds not set yet), for the series report.
    // withSketches: each bucket also carries its sketch.
    virtual bool seriesWindows(const QVector<SeriesInfo> &series, qint64 from, qint64 to, qint64 step,
        bool withSketches, QVector<SeriesWindow> *out, QString *error)
        = 0;
    // Covered seconds of the buckets of `step` in [from, to) as of now (models/coverage.h).
    virtual bool coverage(qint64 from, qint64 to, qint64 step, qint64 now, Coverage *out, QString *error) = 0;
    // The model's prediction quality merged over [from, to); none for a source without it.
    virtual bool quality(const QString & /*model*/, qint64 /*from*/, qint64 /*to*/, std::optional<QualityStats> *out,
        QString * /*error*/)
    {
        out->reset();
        return true;
    }
    // The model's prediction quality per bucket of `step` in [from, to), by the bucket's start; none without it.
    virtual bool qualityBuckets(const QString & /*model*/, qint64 /*from*/, qint64 /*to*/, qint64 /*step*/,
        QMap<qint64, QualityStats> *out, QString * /*error*/)
    {
        out->clear();
        return true;
    }
    // The model's baselines and trends as of `to` (models/modeloutlook.h), with where they came from in its origin.
    // By default from this source's own hourly buckets, coverage and quality (readModelHistory), with the automatic
    // baselines alone: a source that keeps baselines (storage) overrides it.
    virtual bool outlook(const QVector<SeriesInfo> &series, const QString &model, qint64 to,
        std::optional<ModelOutlook> *out, QString *error);
    // What an outlook is computed from, read through this source: the model's hourly buckets over the trend window and
    // its automatic baseline's first day, their coverage and quality. A series whose first second is unknown (-1, a
    // server) has the model's first data found in its hourly buckets over the last kFirstDataSeconds.
    bool readModelHistory(
        const QVector<SeriesInfo> &series, const QString &model, qint64 now, ModelHistory *out, QString *error);
    static constexpr qint64 kFirstDataSeconds = 35LL * 86400;
};

// Stored history over an open connection (its thread's).
class StorageReportSource : public ReportSource {
public:
    StorageReportSource(const QString &connectionName, const QString &dbPath);
    QString where() const override { return m_path; }
    bool seriesList(qint64 from, qint64 to, QVector<SeriesInfo> *out, QString *error) override;
    bool windows(const QVector<SeriesInfo> &series, qint64 from, qint64 to, qint64 step,
        QHash<QString, QVector<SeriesPoint>> *out, QString *error) override;
    bool seriesWindows(const QVector<SeriesInfo> &series, qint64 from, qint64 to, qint64 step, bool withSketches,
        QVector<SeriesWindow> *out, QString *error) override;
    bool coverage(qint64 from, qint64 to, qint64 step, qint64 now, Coverage *out, QString *error) override;
    bool quality(
        const QString &model, qint64 from, qint64 to, std::optional<QualityStats> *out, QString *error) override;
    bool qualityBuckets(const QString &model, qint64 from, qint64 to, qint64 step, QMap<qint64, QualityStats> *out,
        QString *error) override;
    bool outlook(const QVector<SeriesInfo> &series, const QString &model, qint64 to, std::optional<ModelOutlook> *out,
        QString *error) override;

private:
    HistoryQuery m_query;
    QString m_path;
};

} // namespace perfdash
