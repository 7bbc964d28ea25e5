// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/alertevent.h"
#include "models/baseline.h"
#include "models/seriesstats.h"
#include "models/timelineevent.h"
#include "models/workrecords.h"
#include "storage/database.h"
#include "storage/storagetiers.h"

#include <QObject>
#include <QTimer>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

class QThread;

namespace perfdash {

struct StorageOptions {
    qint64 flushIntervalMs = 1000; // one transaction per flush: at most this much is lost on a crash
    bool flushOnPost = true; // also flush as soon as frames are posted (the collector posts once a second)
    // Live flushes write a series' open 1 min row every this many seconds of data and its open 1 h row every six times
    // as many (staggered across series), and each when one of its buckets closes; the 1 s tier every flush. On restart,
    // the seconds a rollup row had not seen yet are folded in again from the 1 s tier, so a crash loses nothing more
    // (docs/storage.md).
    qint64 rollupWriteIntervalS = 10;
    qint64 queueCapacity = 200000; // series-seconds waiting for the writer; beyond it frames are dropped and counted
    Retention retention;
    WorkRetention workRetention;
    qint64 retentionIntervalMs = 60000; // how often retention runs (in batches, between flushes)
    // How often due first-24 h baselines are formed and stored (also a few seconds after opening); 0: never.
    qint64 baselineIntervalMs = 10LL * 60 * 1000;
    int retentionBatch = 500; // rows deleted per table per retention transaction
    int busyTimeoutMs = 2000; // how long one attempt waits for another process's lock; then the flush retries later
    // The WAL is copied into the database once it holds this many pages (PRAGMA wal_autocheckpoint; SQLite's default
    // is 1000). A live flush rewrites the same open rows every second: with 8000 (32 MiB of WAL) a page rewritten
    // eight times is copied once, and a live flush of 1000 series took 18 ms instead of 22 (docs/benchmarks.md).
    int walAutocheckpointPages = 8000;
    qint64 maxPageCount = 0; // a quota in pages (PRAGMA max_page_count); 0 leaves SQLite's default
    std::function<qint64()> clock; // unix seconds, for retention; the wall clock when empty
};

// Counters the writer keeps; readable from any thread.
struct StorageCounters {
    std::atomic<quint64> droppedFrames { 0 }; // final frames the bounded queue refused: lost
    std::atomic<quint64> droppedValues { 0 }; // series-seconds in those frames
    std::atomic<quint64> lateValues { 0 }; // series-seconds older than what the writer already holds for the series
    // Flushes with something to write that began: one more than flushes + failedFlushes while one runs.
    std::atomic<quint64> flushesStarted { 0 };
    std::atomic<quint64> flushes { 0 }; // committed transactions
    std::atomic<quint64> failedFlushes { 0 }; // transactions that failed and will be retried
    std::atomic<quint64> valuesWritten { 0 }; // final series-seconds committed
    std::atomic<quint64> provisionalValues { 0 }; // provisional series-seconds taken (each is later replaced)
    // Provisional series-seconds the queue let go: superseded by the final frame of their second, queued with them
    // gone, or left out of a post that did not fit whole (their final frame comes in a later tick, or was dropped
    // and counted in droppedValues).
    std::atomic<quint64> provisionalSkipped { 0 };
    std::atomic<quint64> retentionDeleted { 0 }; // rows removed by retention
    std::atomic<quint64> eventsWritten { 0 }; // timeline events committed
    std::atomic<quint64> droppedEvents { 0 }; // timeline events that could not be written
    std::atomic<quint64> operationsWritten { 0 }; // operations rows committed
    std::atomic<quint64> runsWritten { 0 }; // runs rows committed (with their steps)
    std::atomic<quint64> apiCallsWritten { 0 }; // api_calls rows committed
    std::atomic<quint64> notificationsWritten { 0 }; // notifications rows committed
    std::atomic<quint64> droppedWorkRecords { 0 }; // work records that could not be written
    std::atomic<quint64> baselinesWritten { 0 }; // baseline versions appended
    std::atomic<quint64> droppedBaselines { 0 }; // baseline records that could not be written
    std::atomic<quint64> baselinesFormed { 0 }; // first-24 h baselines formed from stored history and appended
    std::atomic<quint64> qualityWritten { 0 }; // model-seconds of quality metrics committed
    std::atomic<quint64> badQuality { 0 }; // model-seconds whose quality blob did not decode (not written)
    std::atomic<quint64> alertEventsWritten { 0 };
    std::atomic<quint64> droppedAlertEvents { 0 };
    std::atomic<bool> storageFull { false }; // the last flush failed with SQLITE_FULL; cleared by the next commit
    std::atomic<bool> locked { false }; // the last flush failed because another connection held the lock
};

// The bounded queue between the collector (any thread) and the writer thread. Never blocks for longer than a push.
class FrameQueue {
public:
    FrameQueue(qint64 capacity, StorageCounters *counters)
        : m_capacity(capacity)
        , m_counters(counters)
    { }
    // Queues a post (a tick's frames). A waiting provisional frame of a second whose final frame this post queues is
    // let go. A post that does not fit goes in without its provisional frames if that makes it fit, and its final
    // frames always go into an empty queue (so a capacity below one tick still writes every final second, a tick at a
    // time). Otherwise nothing changes: it returns false and counts the final frames as dropped.
    bool push(const QVector<LiveFrame> &frames);
    std::deque<LiveFrame> takeAll();
    qint64 size() const;
    // True for the first caller since the last takeAll(): that caller asks the writer to flush.
    bool claimWakeUp() { return !m_wakeUpPending.exchange(true); }

private:
    mutable std::mutex m_mutex;
    std::deque<LiveFrame> m_frames;
    qint64 m_values = 0;
    std::atomic<bool> m_wakeUpPending { false };
    qint64 m_capacity;
    StorageCounters *m_counters;
};

class StorageState;

// What one flush writes. Live (the timer and posted frames): the 1 s tier of every series that changed, and the
// rollup rows that are due (StorageOptions::rollupWriteIntervalS). Everything: every tier of every series that changed,
// so that each tier reads up to date afterwards (explicit flushes, shutdown).
enum class FlushScope { Live, Everything };

// The only writer of perfdash.db. Lives on the storage thread: every call comes from there (queued or blocking).
// Keeps the open chunk of every series in memory and rewrites its 1 s row each flush, so a crash loses at most one
// flush interval; closed chunks are written once. Provisional frames (LiveFrame::provisional) are stored too, after
// the final seconds of their series, and replaced by the final frame of the same second. Rollups (1 min, 1 h) merge
// the final seconds' sketches in memory; their open rows are written every few seconds and rebuilt from the 1 s tier
// on restart.
class StorageWriter : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StorageWriter)
public:
    StorageWriter(
        QString path, StorageOptions options, FrameQueue *queue, StorageCounters *counters, QObject *parent = nullptr);
    ~StorageWriter() override;

    Database::OpenResult open();
    bool isOpen() const;
    // Takes what is queued (unless the last flush still has to be retried) and writes it in one transaction.
    bool flush(perfdash::FlushScope scope = FlushScope::Everything);
    // The collector's flush (timer and posted frames): a live flush, then the allocator's free pages are given back.
    void flushLive();
    // Deletes expired rows, at most retentionBatch per table; returns how many it deleted.
    int runRetention();
    // Stores the first-24 h baselines that are due (ModelHistoryReader::formDueBaselines); returns how many.
    int formBaselines();
    // Test hook and quota: PRAGMA max_page_count on the writer's connection (0: as large as SQLite allows).
    void setMaxPageCount(qint64 pages);
    // Appends events to the timeline (events table) in one transaction; what cannot be written is counted.
    void writeEvents(const QVector<perfdash::TimelineEvent> &events);
    // Appends work records (runs with their steps) in one transaction; what cannot be written is counted. A record
    // whose guid is already stored in its table is skipped (a producer's resend).
    void writeWorkRecords(const perfdash::WorkRecordBatch &work);
    // Appends baseline versions (BaselineStore::append) in one transaction; what cannot be written is counted.
    void writeBaselines(const QVector<perfdash::Baseline::Stored> &baselines);
    // Appends alert transitions (AlertStore::append) in one transaction; what cannot be written is counted.
    void writeAlertEvents(const QVector<perfdash::AlertEvent> &events);
    // Ingests frames directly, bypassing the queue (migration of version 1 rows, benchmarks).
    void ingest(const std::deque<LiveFrame> &frames);

Q_SIGNALS:
    void writeFailed(const QString &message);

private:
    void onRetentionTimer();

    QString m_path;
    StorageOptions m_options;
    FrameQueue *m_queue;
    StorageCounters *m_counters;
    QString m_connectionName;
    std::unique_ptr<StorageState> m_state;
    QTimer m_flushTimer;
    QTimer m_retentionTimer;
    QTimer m_baselineTimer;
};

// Owns the writer's thread and the queue. Destroying it flushes what is queued, closes the database and joins.
class StorageThread {
public:
    explicit StorageThread(const QString &path, StorageOptions options = {});
    ~StorageThread();
    StorageThread(const StorageThread &) = delete;
    StorageThread &operator=(const StorageThread &) = delete;

    // Opens the database on the writer thread and waits for the outcome; then flushes every flushIntervalMs.
    Database::OpenResult start();
    // Queues frames for the next flush; never blocks on the disk. Any thread.
    void post(const QVector<LiveFrame> &frames);
    // Queues events for the timeline; never blocks. Any thread.
    void postEvents(const QVector<TimelineEvent> &events);
    // Queues operations and runs for their tables; never blocks. Any thread.
    void postWorkRecords(const WorkRecordBatch &work);
    // Queues baseline versions for the baselines table; never blocks. Any thread.
    void postBaselines(const QVector<Baseline::Stored> &baselines);
    // Queues alert transitions for alert_events; never blocks. Any thread.
    void postAlertEvents(const QVector<AlertEvent> &events);
    // Flushes now on the writer thread and waits; true when everything queued was committed. Everything: every tier
    // reads up to date afterwards; Live: what the collector's own flushes write (benchmarks).
    bool flush(FlushScope scope = FlushScope::Everything);
    void setMaxPageCount(qint64 pages);

    // Published by the collector (status and self-metrics). Any thread.
    quint64 droppedFrames() const { return m_counters.droppedFrames.load(); }
    quint64 droppedValues() const { return m_counters.droppedValues.load(); }
    bool storageFull() const { return m_counters.storageFull.load(); }
    bool locked() const { return m_counters.locked.load(); }
    quint64 droppedEvents() const { return m_counters.droppedEvents.load(); }
    const StorageCounters &counters() const { return m_counters; }
    // Frames waiting for the writer (any thread).
    qint64 queuedFrames() const { return m_queue.size(); }
    StorageWriter *writer() const { return m_writer.get(); }

private:
    StorageCounters m_counters;
    FrameQueue m_queue;
    bool m_flushOnPost;
    std::unique_ptr<QThread> m_thread;
    std::unique_ptr<StorageWriter> m_writer;
};

} // namespace perfdash
