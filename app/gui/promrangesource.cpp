// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/gui/promrangesource.h"

#include "app/promreportsource.h"
#include "models/sourcecatalog.h"

#include <QDateTime>
#include <QMetaObject>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

PromRangeSource::PromRangeSource(PromReader *reader, QObject *parent)
    : RangeSource(parent)
    , m_reader(reader)
    , m_jobs(reader->server())
{
    qRegisterMetaType<QVector<RangeSeries>>();
    qRegisterMetaType<QVector<TimeMarker>>();
    connect(reader, &PromReader::bucketsReady, this, [this](quint64 id, const QVector<RangeSeries> &series) {
        const auto it = m_generations.constFind(id);
        if (it == m_generations.constEnd())
            return;
        const quint64 generation = *it;
        m_generations.erase(it);
        Q_EMIT bucketsReady(generation, series);
    });
    connect(reader, &PromReader::failed, this, [this](quint64 id, const QString &message) {
        const auto it = m_generations.constFind(id);
        if (it == m_generations.constEnd())
            return;
        const quint64 generation = *it;
        m_generations.erase(it);
        Q_EMIT failed(generation, message);
    });
}

void PromRangeSource::requestBuckets(
    const QStringList &keys, qint64 fromSecond, qint64 toSecond, qint64 step, quint64 generation)
{
    const quint64 id = ++m_nextId;
    m_generations.insert(id, generation);
    m_reader->requestBuckets(keys, fromSecond, toSecond, step, id);
}

void PromRangeSource::requestMarkers(qint64 fromSecond, qint64 toSecond, quint64 generation)
{
    Q_UNUSED(fromSecond);
    Q_UNUSED(toSecond);
    // Events and runs stay in each collector's own database: a server holds no markers. Answered after the caller
    // returns, as every answer is.
    QMetaObject::invokeMethod(
        this, [this, generation]() { Q_EMIT markersReady(generation, {}); }, Qt::QueuedConnection);
}

void PromRangeSource::requestOutlook(const QString &model, quint64 generation)
{
    const HostedName hosted = splitHost(model);
    m_jobs.run(hosted.host, [this, model, hosted, generation](PromReportSource &source) -> FleetJobs::Answer {
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        QVector<SeriesInfo> series;
        std::optional<ModelOutlook> outlook;
        QString error;
        const bool ok = source.seriesList(now - ReportSource::kFirstDataSeconds, now, &series, &error)
            && source.outlook(series, hosted.name, now, &outlook, &error);
        if (ok && outlook)
            outlook->model = model;
        return [this, ok, outlook, error, generation]() {
            if (ok && outlook)
                Q_EMIT outlookReady(generation, *outlook);
            else
                Q_EMIT failed(generation, ok ? tr("no baselines on this server") : error);
        };
    });
}

void PromRangeSource::requestOperations(qint64 fromSecond, qint64 toSecond, quint64 generation)
{
    Q_UNUSED(fromSecond);
    Q_UNUSED(toSecond);
    QMetaObject::invokeMethod(
        this,
        [this, generation]() {
            Q_EMIT operationsFailed(generation,
                tr("operations are not on a fleet source: each collector keeps its own; open the local collector"));
        },
        Qt::QueuedConnection);
}

} // namespace perfdash
