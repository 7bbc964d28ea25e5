// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/alertevent.h"
#include "models/modeloutlook.h"
#include "models/seriesstore.h"
#include "models/workrecords.h"

#include <QObject>
#include <QStringList>
#include <QVector>

namespace perfdash {

// Buckets of one series over a history range, each `step` seconds long, as SeriesPoints (rate = count per covered
// second, models/coverage.h; quantiles from merged sketches, with n = count). tier: 0 = 1 s, 1 = 1 min, 2 = 1 h, the
// storage tier that served it.
struct RangeSeries {
    QString key;
    qint64 step = 1;
    int tier = 0;
    QVector<SeriesPoint> points;
};

// A marker on the time axis: a timeline event, a service check, or a workflow run (with its end).
struct TimeMarker {
    enum class Kind { Event, ServiceCheck, Run };
    Kind kind = Kind::Event;
    qint64 timeMs = 0;
    qint64 endMs = 0; // runs: when it ended; else timeMs
    QString title;
    QString detail;
    bool failure = false; // an error event, a critical check, a failed run
    // Whose it is, as "key:value" tags (models/markerscope.h): an event's own tags; a run's "workflow:<name>".
    QStringList tags;
};

// What the dashboard asks storage for, answered off the GUI thread. Every answer carries the generation of its
// request; the caller drops answers it no longer wants (the user zoomed elsewhere). app/ implements it over storage.
class RangeSource : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RangeSource)
public:
    using QObject::QObject;
    ~RangeSource() override = default;

    // The storage tier that serves buckets of `step` seconds: 0 (1 s), 1 (1 min, multiples of 60), 2 (1 h, multiples
    // of 3600). The one definition: storage's HistoryQuery reads the tier this names.
    static int tierFor(qint64 step) { return step <= 0 ? 0 : step % 3600 == 0 ? 2 : step % 60 == 0 ? 1 : 0; }

    virtual void requestBuckets(
        const QStringList &keys, qint64 fromSecond, qint64 toSecond, qint64 step, quint64 generation)
        = 0;
    // Events, service checks and runs in [fromSecond, toSecond).
    virtual void requestMarkers(qint64 fromSecond, qint64 toSecond, quint64 generation) = 0;
    // A model's baselines and trends (models/modeloutlook.h), computed off the GUI thread -> outlookReady. A source
    // that cannot (a test's fake) answers failed.
    virtual void requestOutlook(const QString &model, quint64 generation)
    {
        Q_UNUSED(model);
        Q_EMIT failed(generation, tr("this source has no baselines"));
    }
    // Alert transitions in [fromSecond, toSecond), with the newest earlier one of every alert still active at
    // fromSecond, oldest first -> alertsReady, or alertsFailed (their own signals: the generations are the caller's
    // own count for alerts). A source without alerts answers an empty list.
    virtual void requestAlerts(qint64 fromSecond, qint64 toSecond, quint64 generation)
    {
        Q_UNUSED(fromSecond);
        Q_UNUSED(toSecond);
        Q_EMIT alertsReady(generation, {});
    }

Q_SIGNALS:
    void bucketsReady(quint64 generation, const QVector<perfdash::RangeSeries> &series);
    void markersReady(quint64 generation, const QVector<perfdash::TimeMarker> &markers);
    void outlookReady(quint64 generation, const perfdash::ModelOutlook &outlook);
    void failed(quint64 generation, const QString &message);
    void alertsReady(quint64 generation, const QVector<perfdash::AlertEvent> &events);
    void alertsFailed(quint64 generation, const QString &message);

    // ---- Operations (seed 003), for the operations view. Their own signals: generations are the caller's count.
public:
    static constexpr int kOperationLimit = 5000; // an answer holds at most this many, the newest
    // The stored operations in [fromSecond, toSecond), newest first, at most kOperationLimit (an answer of that many
    // may have been cut) -> operationsReady, or operationsFailed. A source without operations answers failed.
    virtual void requestOperations(qint64 fromSecond, qint64 toSecond, quint64 generation)
    {
        Q_UNUSED(fromSecond);
        Q_UNUSED(toSecond);
        Q_EMIT operationsFailed(generation, tr("this source has no operations"));
    }
Q_SIGNALS:
    void operationsReady(quint64 generation, const QVector<perfdash::OperationRecord> &operations);
    void operationsFailed(quint64 generation, const QString &message);

    // Runs (the Runs view): the workflow runs that started in [fromSecond, toSecond), with their steps, newest first
    // -> runsReady, or runsFailed (their own signals: the generations are the caller's own count for runs). A source
    // without runs answers an empty list.
public:
    virtual void requestRuns(qint64 fromSecond, qint64 toSecond, quint64 generation)
    {
        Q_UNUSED(fromSecond);
        Q_UNUSED(toSecond);
        Q_EMIT runsReady(generation, {});
    }
Q_SIGNALS:
    void runsReady(quint64 generation, const QVector<perfdash::RunRecord> &runs);
    void runsFailed(quint64 generation, const QString &message);
};

} // namespace perfdash

Q_DECLARE_METATYPE(perfdash::RangeSeries)
Q_DECLARE_METATYPE(perfdash::TimeMarker)
