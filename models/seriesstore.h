// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/seriesstats.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QStringList>

namespace perfdash {

// One series' statistics for one second, as kept for charting.
struct SeriesPoint {
    qint64 second = 0;
    SeriesStats stats;
};

// The GUI's bounded live buffer: per series, the points of the last `window` seconds, sorted by time.
// Lives in and is used from the GUI thread. Older data comes from storage on demand.
// Bounded by what is shown (setBoundedByShown): only the shown series (setShown: what the dashboard and the charts
// draw) keep the whole window; what the source tree reads of the rest is kept: the newest recentSeconds of the
// series its sparklines draw (setSparklineKeys), the newest latestSeconds of every other (the status' error rate),
// and each series' newest point (its kind, stale, silent or exited). Series made here (prediction.accuracy, from the
// frames' quality) keep the window: storage cannot give them back. A series that becomes
// shown gets its window from storage (the owner loads it and adopt()s it), so 10,000 live series cost seconds of
// points each, not an hour.
// Points keep the sketch their stats came with (live frames carry it for followed series, LiveSource::followSketches)
// for the newest sketchSeconds seconds, so SeriesSummary::fromStats can merge a recent window; older points drop it,
// which bounds the memory of a followed series to about sketchSeconds serialized sketches.
class SeriesStore : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SeriesStore)
public:
    explicit SeriesStore(qint64 windowSeconds = 3600, QObject *parent = nullptr);

    // Live and history frames both go through here; a second already held is replaced, not duplicated.
    void ingest(const LiveFrame &frame);
    void ingest(const QVector<LiveFrame> &frames);
    // Takes what another store holds as if its frames were ingested here now (a second held by both takes the other's
    // stats), leaving it empty. History is ingested into a store of its own on a worker thread and adopted on the GUI
    // thread: a second per point for an hour of 2,000 series would hold the GUI thread for seconds, adopting costs a
    // move per series and a merge of the live points that arrived meanwhile. One changed(), seriesAdded per new key.
    void adopt(SeriesStore &other);
    // Room for this many more points per series without moving the rest: a store prepared for adopt() takes the live
    // points that arrived meanwhile at its end.
    void reserveAfter(qint64 points);

    // Off (the default), every series keeps the whole window: a store that history is prepared in, or a source that
    // cannot load a series' window later (a fleet server's live polls).
    void setBoundedByShown(bool bounded);
    bool isBoundedByShown() const { return m_bounded; }
    // The series drawn now. Returns those that were not shown before: the ones whose window the owner should load.
    QStringList setShown(const QStringList &keys);
    QStringList shownKeys() const { return QStringList(m_shown.cbegin(), m_shown.cend()); }
    // The series whose last minute the source tree draws as sparklines (each source's latency).
    void setSparklineKeys(const QSet<QString> &keys);
    bool isShown(const QString &key) const { return !m_bounded || m_shown.contains(key); }
    // Bounded: what this store needs of a live frame in full (the shown series, then the other sparklines, each part
    // sorted: a source that can take only so many keeps the first); every
    // other series needs its count alone (LiveSource::subscribe). keptInFullChanged() tells when it changes: on
    // bounding, at the first changed() after it (by when the source tree has named its sparklines), and from then on
    // whenever the shown or sparkline series change.
    QStringList keptInFull() const;

    QStringList keys() const { return m_order; }
    const QVector<SeriesPoint> &points(const QString &key) const;
    qint64 latestSecond() const { return m_latestSecond; }
    qint64 windowSeconds() const { return m_windowSeconds; }
    static constexpr qint64 sketchSeconds = 600;
    // What a series that is not shown keeps: the source tree's sparkline (SourceTreeModel::sparklineSeconds).
    static constexpr qint64 recentSeconds = 60;
    // What a series that is neither shown nor a sparkline keeps: the tree's error rate (Kpi::kRecentSeconds).
    static constexpr qint64 latestSeconds = 10;

Q_SIGNALS:
    void seriesAdded(const QString &key);
    void changed();
    void keptInFullChanged();

private:
    void insertPoint(const QString &key, qint64 second, const SeriesStats &stats);
    // adopted: the points just adopted may belong to sparklines the tree has not named yet (it names them when
    // changed() reaches it): every series that is not shown keeps recentSeconds this once.
    void evictOlderThan(qint64 second, bool adopted = false);
    void dropSketchesBefore(qint64 second);
    // changed(), then the first keptInFullChanged() of a bounded store.
    void emitChanged();

    qint64 m_windowSeconds;
    qint64 m_latestSecond = 0;
    QHash<QString, QVector<SeriesPoint>> m_points;
    QStringList m_order; // keys in order of first appearance
    QHash<QString, qint64> m_sketchesDroppedBefore; // series that got sketches: points before this hold none
    bool m_bounded = false;
    QSet<QString> m_shown;
    QSet<QString> m_sparklines;
    bool m_keptAnnounced = false; // keptInFullChanged() has been emitted since bounding
    QSet<QString> m_derived; // made from the frames' quality: not in storage's seconds
};

} // namespace perfdash
