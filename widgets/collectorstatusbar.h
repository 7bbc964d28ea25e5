// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/livesource.h"

#include <QDateTime>
#include <QStatusBar>

#include <optional>

class QLabel;

namespace perfdash {

// The collector's push to a fleet engine (`perfdashd --push`, "push" in its stats); configured false without --push.
struct PushStatus {
    bool configured = false;
    QString url;
    QString state; // ok, failing or idle (nothing attempted yet)
    QString lastError;
    QString lastSuccess; // ISO 8601 UTC; empty: never
    qint64 sentBatches = 0;
    qint64 queuedBatches = 0;
    qint64 queuedBytes = 0;
    qint64 droppedBufferFull = 0;
    qint64 droppedRejected = 0;
    qint64 droppedShutdown = 0;
    qint64 failures = 0;
    qint64 dropped() const { return droppedBufferFull + droppedRejected + droppedShutdown; }
};

// What the status bar shows about the collector. -1: not known yet.
struct CollectorStatus {
    double linesPerSecond = 0;
    qint64 parseDrops = 0; // lines the parsers rejected, since the collector started
    qint64 kernelDrops = 0; // datagrams the kernel dropped (UDP and unix), since the collector started
    qint64 seriesCount = 0;
    qint64 databaseBytes = -1; // the database with its WAL; -1: unknown
    PushStatus push;
};

// The main window's status bar: the connection to the collector on the left; ingest rate, drops, series count and
// database size on the right, and the push when the collector pushes ("push ok", "push: failing (why)", "push: N
// dropped", its counters in the tooltip). While the collector is unreachable its rates are blanked and late statuses
// from it are ignored. GUI thread only.
class CollectorStatusBar : public QStatusBar {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CollectorStatusBar)
public:
    explicit CollectorStatusBar(QWidget *parent = nullptr);

    // since: when the collector was lost (invalid while connected).
    void setConnection(perfdash::LiveSource::State state, const QString &detail, const QDateTime &since);
    void setStatus(const CollectorStatus &status);
    // A Prometheus-compatible server instead of the local collector: "VictoriaMetrics at http://…" names it in the
    // connection text; empty: the local collector.
    void setSourceName(const QString &name);
    // With a server as the source: "2 hosts merged · 14 series" where the collector's series count goes.
    void setFleetCounts(int hosts, int seriesCount, bool merged);

    QString connectionText() const;
    QString statusText() const; // ingest, drops, series, database size
    QString pushText() const; // empty when the collector does not push

private:
    QLabel *m_connection = nullptr;
    QLabel *m_ingest = nullptr;
    QLabel *m_drops = nullptr;
    QLabel *m_seriesCount = nullptr;
    QLabel *m_dbSize = nullptr;
    QLabel *m_push = nullptr;
    bool m_offline = false;
    QString m_sourceName;
    std::optional<LiveSource::State> m_state; // the last connection shown, to say it again under a new name
    QString m_detail;
    QDateTime m_since;
};

} // namespace perfdash
