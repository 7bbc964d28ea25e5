// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/rangesource.h"
#include "models/referenceperiod.h"

#include <QHash>
#include <QObject>
#include <QPointer>

#include <array>
#include <functional>

namespace perfdash {

// What the dashboard reads from storage, through a RangeSource: history buckets for the view, the reference period's
// figures, and the markers. Each kind of answer has its own request id; an answer that is not the newest of its kind
// (the user zoomed elsewhere meanwhile) is dropped and counted, as hotspot's JobTracker does.
// Lives in and is called from one thread (the GUI's). The RangeSource is not owned.
class HistoryLoader : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryLoader)
public:
    using Clock = std::function<qint64()>; // Unix seconds

    explicit HistoryLoader(QObject *parent = nullptr);

    void setSource(RangeSource *source);
    RangeSource *source() const { return m_source; }
    void setClock(Clock clock) { m_clock = std::move(clock); }

    // Buckets of `step` seconds over [fromSecond, toSecond] for the keys, plus the collector's heartbeat (the covered
    // seconds of every rate) -> historyReady. False without a source.
    bool requestHistory(const QStringList &keys, qint64 fromSecond, qint64 toSecond, qint64 step);
    // Whatever history is on its way is no longer wanted.
    void cancelHistory();
    bool isHistoryPending() const { return m_pendingHistory; }
    void requestMarkers(qint64 fromSecond, qint64 toSecond);
    // The source's figures over the previous clock hour; while storage holds none, the previous quarter hour
    // -> referenceReady (an invalid reference when neither holds data).
    void requestReference(const SourceRoles &roles);
    // The model's baselines and trends -> outlookReady; a failure -> outlookFailed.
    void requestOutlook(const QString &model);
    // The same range a week earlier, for the "a week ago" overlay -> weekAgoReady with the points moved a week on (so
    // they line up with now). Steps of at least a minute: a week back only the rollup tiers hold data.
    static constexpr qint64 kWeekSeconds = 7LL * 86400;
    void requestWeekAgo(const QStringList &keys, qint64 fromSecond, qint64 toSecond, qint64 step);

    int historyRequests() const { return m_historyRequests; }
    int staleAnswersDropped() const { return m_staleDropped; }

Q_SIGNALS:
    void historyReady(const QHash<QString, QVector<perfdash::SeriesPoint>> &points, qint64 step);
    void historyFailed(const QString &message);
    void referenceReady(const perfdash::DashboardReference &reference);
    void markersReady(const QVector<perfdash::TimeMarker> &markers);
    void outlookReady(const perfdash::ModelOutlook &outlook);
    void weekAgoReady(const QHash<QString, QVector<perfdash::SeriesPoint>> &points, qint64 step);
    void outlookFailed(const QString &message);

private:
    enum class Kind { History = 0, Reference = 1, Markers = 2, Outlook = 3, WeekAgo = 4 };
    quint64 issue(Kind kind);
    // The kind of an answer's request when it is the newest of its kind; otherwise counts it as stale.
    bool isCurrent(quint64 id, Kind *kind);
    void onBucketsReady(quint64 id, const QVector<perfdash::RangeSeries> &series);
    void onMarkersReady(quint64 id, const QVector<perfdash::TimeMarker> &markers);
    void onOutlookReady(quint64 id, const perfdash::ModelOutlook &outlook);
    void onFailed(quint64 id, const QString &message);
    void askReference();

    QPointer<RangeSource> m_source;
    Clock m_clock;
    quint64 m_next = 0;
    QHash<quint64, Kind> m_kinds; // requests on their way
    std::array<quint64, 5> m_newest {}; // per kind
    bool m_pendingHistory = false;
    int m_historyRequests = 0;
    int m_staleDropped = 0;
    SourceRoles m_referenceRoles;
    ReferencePeriod m_referencePeriod;
};

} // namespace perfdash
