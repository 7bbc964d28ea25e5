// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/alertevent.h"
#include "models/historysource.h"
#include "models/modeloutlook.h"
#include "storage/historyquery.h"

#include <functional>
#include <memory>

class QThread;

namespace perfdash {

class HistoryWorker;

// Reads perfdash.db through a read-only connection on its own thread. Created and called from one thread (the GUI's).
// Every answer arrives as a signal of its kind carrying the request id its caller gave: ids are per kind of answer,
// so callers number each kind on their own and drop answers they no longer want. A failure names the kind and id
// (requestFailed); requestRange's failures go to HistorySource::failed, as that interface says.
class HistoryReader : public HistorySource {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryReader)
public:
    enum class Answer { Series, Window, Events, Operations, Runs, Outlook, Alerts };
    Q_ENUM(Answer)

    explicit HistoryReader(const QString &path, QObject *parent = nullptr);
    ~HistoryReader() override;

    // Unix seconds, read when a window is requested: the seconds that have passed, for covered seconds and rates.
    // The wall clock unless set (tests).
    void setClock(std::function<qint64()> clock);

    // Every series' one-second statistics in [fromSecond, toSecond] (the GUI's last hour) -> rangeReady.
    void requestRange(qint64 fromSecond, qint64 toSecond, quint64 generation, const QStringList &keys = {}) override;
    // The series registry -> seriesReady.
    void requestSeries(quint64 id);
    // Buckets of `step` seconds in [from, to) for the given series keys, each from the tier that serves the step
    // (RangeSource::tierFor), complete up to the newest stored second, each point with its covered seconds
    // (WindowPoint::seconds, so rate() is per covered second) -> windowReady.
    void requestWindow(const QStringList &keys, qint64 from, qint64 to, qint64 step, quint64 id);
    // Events, operations or runs (with steps) in [from, to), newest first -> eventsReady, operationsReady, runsReady.
    void requestEvents(qint64 from, qint64 to, int limit, quint64 id);
    void requestOperations(qint64 from, qint64 to, int limit, quint64 id);
    void requestRuns(qint64 from, qint64 to, int limit, quint64 id);
    // A model's baselines and trends at the clock's now, read and computed on the reader's thread -> outlookReady.
    void requestOutlook(const QString &model, quint64 id);
    // Alert transitions (alert_events) in [from, to), oldest first, at most limit (the newest kept), and before them
    // the newest transition of every alert that was still pending or firing at `from`, so an alert that began earlier
    // shows its current state -> alertsReady.
    void requestAlerts(qint64 from, qint64 to, int limit, quint64 id);

Q_SIGNALS:
    void seriesReady(quint64 id, const QVector<perfdash::SeriesInfo> &series);
    void windowReady(quint64 id, const QVector<perfdash::SeriesWindow> &windows);
    void eventsReady(quint64 id, const QVector<perfdash::TimelineEvent> &events);
    void operationsReady(quint64 id, const QVector<perfdash::OperationRecord> &operations);
    void runsReady(quint64 id, const QVector<perfdash::RunRecord> &runs);
    void outlookReady(quint64 id, const perfdash::ModelOutlook &outlook);
    void alertsReady(quint64 id, const QVector<perfdash::AlertEvent> &events);
    void requestFailed(perfdash::HistoryReader::Answer kind, quint64 id, const QString &message);

private:
    std::unique_ptr<QThread> m_thread;
    HistoryWorker *m_worker = nullptr; // lives on m_thread, deleted there
    std::function<qint64()> m_clock;
};

} // namespace perfdash
