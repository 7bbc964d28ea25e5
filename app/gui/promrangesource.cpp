// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/gui/promrangesource.h"

#include <QMetaObject>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

PromRangeSource::PromRangeSource(PromReader *reader, QObject *parent)
    : RangeSource(parent)
    , m_reader(reader)
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
    Q_UNUSED(model);
    QMetaObject::invokeMethod(
        this,
        [this, generation]() {
            Q_EMIT failed(generation, tr("baselines and trends are not on a fleet source: open the local collector"));
        },
        Qt::QueuedConnection);
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
