// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/reportsource.h"

#include "models/serieskey.h"
#include "models/timebucket.h"
#include "storage/modelhistoryreader.h"
#include "storage/qualitystore.h"

#include <QSqlDatabase>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

bool ReportSource::readModelHistory(
    const QVector<SeriesInfo> &series, const QString &model, qint64 now, ModelHistory *out, QString *error)
{
    *out = {};
    const ModelHistoryReader::ModelSeries ms = ModelHistoryReader::seriesOf(series, model);
    out->model = model;
    out->roles = ms.roles;
    out->now = now;
    constexpr qint64 hour = 3600;
    // Without a first second, the span that finds it; with one, the trend window and the first day after it.
    out->from = ms.firstSeen >= 0 ? Outlook::spanStart(now, ms.firstSeen) : floorTo(now - kFirstDataSeconds, hour);
    QVector<SeriesInfo> roleSeries;
    const QStringList roleKeys = out->roles.allKeys();
    for (const SeriesInfo &s : series) {
        if (roleKeys.contains(s.key))
            roleSeries.append(s);
    }
    if (!windows(roleSeries, out->from, now, hour, &out->hourly, error))
        return false;
    out->firstSecond = ms.firstSeen;
    if (out->firstSecond < 0) {
        for (const QVector<SeriesPoint> &points : std::as_const(out->hourly)) {
            for (const SeriesPoint &p : points) {
                // Within the hour somewhere: as its last second, so the automatic baseline's first day starts at the
                // next whole hour, as it does from a first second the collector saw at 10:25.
                if (p.stats.count > 0 && (out->firstSecond < 0 || p.second + hour - 1 < out->firstSecond)) {
                    out->firstSecond = p.second + hour - 1;
                    break; // points are in time order
                }
            }
        }
    }
    return qualityBuckets(model, out->from, now, hour, &out->qualityHourly, error)
        && coverage(out->from, now, hour, now, &out->coverage, error);
}

bool ReportSource::outlook(const QVector<SeriesInfo> &series, const QString &model, qint64 to,
    std::optional<ModelOutlook> *out, QString *error)
{
    ModelHistory history;
    if (!readModelHistory(series, model, to, &history, error))
        return false;
    *out = Outlook::compute(history, Baseline::Limits::fromEnvironment());
    (*out)->origin = where();
    return true;
}

StorageReportSource::StorageReportSource(const QString &connectionName, const QString &dbPath)
    : m_query(connectionName)
    , m_path(dbPath)
{ }

bool StorageReportSource::seriesList(qint64, qint64, QVector<SeriesInfo> *out, QString *error)
{
    return m_query.seriesList(out, error);
}

bool StorageReportSource::windows(const QVector<SeriesInfo> &series, qint64 from, qint64 to, qint64 step,
    QHash<QString, QVector<SeriesPoint>> *out, QString *error)
{
    for (const SeriesInfo &s : series) {
        SeriesWindow w;
        if (!m_query.window(s, from, to, step, &w, error, true))
            return false;
        out->insert(s.key, w.seriesPoints());
    }
    return true;
}

bool StorageReportSource::seriesWindows(const QVector<SeriesInfo> &series, qint64 from, qint64 to, qint64 step,
    bool withSketches, QVector<SeriesWindow> *out, QString *error)
{
    out->resize(series.size());
    for (qsizetype i = 0; i < series.size(); ++i) {
        if (!m_query.window(series[i], from, to, step, &(*out)[i], error, withSketches))
            return false;
    }
    return true;
}

bool StorageReportSource::coverage(qint64 from, qint64 to, qint64 step, qint64 now, Coverage *out, QString *error)
{
    return m_query.coverage(from, to, step, now, out, error);
}

bool StorageReportSource::quality(
    const QString &model, qint64 from, qint64 to, std::optional<QualityStats> *out, QString *error)
{
    // Quality from the stored prediction outcomes of every key of the model, merged (never averaged).
    QMap<qint64, QualityStats> one;
    out->reset();
    QSqlDatabase sql = QSqlDatabase::database(m_query.connectionName(), false);
    QStringList qualityKeys;
    QString why;
    if (!QualityStore::keys(sql, from, to, &qualityKeys, &why))
        return true; // a database without prediction outcomes
    QualityMetrics merged;
    bool any = false;
    for (const QString &key : std::as_const(qualityKeys)) {
        if (SeriesKey::fromString(key).tagValue(u"model") != model)
            continue;
        QVector<QualityStore::Window> windows;
        if (!QualityStore::windows(sql, key, from, to, to - from, &windows, error))
            return false;
        for (const auto &w : std::as_const(windows))
            any = merged.merge(w.metrics) || any;
    }
    if (any)
        *out = QualityStats::from(u"prediction.quality|model:"_s % model, merged, false);
    return true;
}

bool StorageReportSource::qualityBuckets(
    const QString &model, qint64 from, qint64 to, qint64 step, QMap<qint64, QualityStats> *out, QString *error)
{
    out->clear();
    QSqlDatabase sql = QSqlDatabase::database(m_query.connectionName(), false);
    QStringList qualityKeys;
    if (!QualityStore::keys(sql, from, to, &qualityKeys, error))
        return false;
    std::map<qint64, QualityMetrics> merged;
    for (const QString &key : std::as_const(qualityKeys)) {
        if (SeriesKey::fromString(key).tagValue(u"model") != model)
            continue;
        QVector<QualityStore::Window> windows;
        if (!QualityStore::windows(sql, key, from, to, step, &windows, error))
            return false;
        for (const auto &w : std::as_const(windows))
            merged[w.from].merge(w.metrics); // merged across the model's keys, never averaged
    }
    for (const auto &[bucket, metrics] : merged)
        out->insert(bucket, QualityStats::from(u"prediction.quality|model:"_s % model, metrics, false));
    return true;
}

bool StorageReportSource::outlook(const QVector<SeriesInfo> &series, const QString &model, qint64 to,
    std::optional<ModelOutlook> *out, QString *error)
{
    // Baselines and trends at `to`, from the hourly tier (docs/metrics.md).
    ModelHistory history;
    if (!ModelHistoryReader::read(m_query, series, model, to, &history, error))
        return false;
    *out = Outlook::compute(history, Baseline::Limits::fromEnvironment());
    (*out)->origin = m_path;
    return true;
}

} // namespace perfdash
