// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

#include <deque>
#include <functional>

namespace perfdash {

// What `perfdashd --push` has not delivered yet (docs/fleet.md, "Faults"): a buffer of push batches bounded in bytes,
// oldest first, and the counters `perfdashd stats` shows under "push". When a new batch does not fit, the oldest are
// dropped (buffer_full); the front batch is the one being sent and is never dropped while in flight. A failed attempt
// schedules the next one with exponential backoff from 1 s to 60 s plus up to 25 % jitter; any answer from the server
// (sent or rejected) resets it. Pure: the clock (ms, monotonic or epoch) and the jitter source are injected. One
// thread (the pusher's).
class PushQueue {
public:
    using Clock = std::function<qint64()>; // milliseconds
    using Random = std::function<double()>; // uniform in [0, 1)

    static constexpr qint64 kDefaultCapacity = 64LL * 1024 * 1024;
    static constexpr qint64 kFirstRetryMs = 1000;
    static constexpr qint64 kMaxRetryMs = 60000;

    enum class State { Idle, Ok, Failing }; // Idle: no attempt has ended yet
    struct Counters {
        qint64 sentBatches = 0;
        qint64 sentBytes = 0;
        qint64 droppedBufferFull = 0;
        qint64 droppedRejected = 0;
        qint64 droppedShutdown = 0;
        qint64 droppedSamples = 0; // lines of every dropped batch, whatever the reason
        qint64 failures = 0; // attempts that got no answer, a 5xx or a timeout
        qint64 retries = 0; // attempts of a batch that had failed before
        QString lastError;
        qint64 lastSuccessMs = -1; // clock time of the last 2xx; -1: never
    };

    explicit PushQueue(qint64 capacityBytes = kDefaultCapacity, Clock clock = {}, Random random = {});

    // Queues a batch (Prometheus text, one sample a line); drops the oldest queued batches, or this one if it alone
    // exceeds the capacity, so the bytes held stay within it.
    void push(QByteArray batch);
    // Whether a batch may be sent now: one is queued, none is in flight, and the backoff has passed (or is ignored).
    bool ready(bool ignoreBackoff = false) const;
    // Marks the oldest batch in flight and returns it (a shared copy); call only when ready().
    QByteArray begin();
    // The outcome of the batch in flight: delivered; refused by the server (dropped, not retried); or failed (kept
    // at the front, retried after the backoff). failed() returns the delay before the next attempt.
    void sent();
    void rejected(const QString &error);
    qint64 failed(const QString &error);
    // Drops everything queued, the batch in flight included (shutdown).
    void dropAll();

    // The backoff after `failuresInARow` failed attempts, before jitter: 1 s, 2 s, 4 s … 60 s.
    static qint64 baseDelayMs(int failuresInARow);
    qint64 nextAttemptMs() const { return m_nextAttemptMs; } // clock time; 0 when not waiting
    bool inFlight() const { return m_inFlight; }
    State state() const { return m_state; }
    qint64 queuedBatches() const { return qint64(m_batches.size()); }
    qint64 queuedBytes() const { return m_bytes; }
    qint64 capacity() const { return m_capacity; }
    const Counters &counters() const { return m_counters; }

private:
    struct Batch {
        QByteArray body;
        qint64 samples = 0;
        bool failedBefore = false;
    };
    void drop(const Batch &batch, qint64 *reason);
    void popFront();

    qint64 m_capacity;
    Clock m_clock;
    Random m_random;
    std::deque<Batch> m_batches;
    qint64 m_bytes = 0;
    bool m_inFlight = false;
    int m_failuresInARow = 0;
    qint64 m_nextAttemptMs = 0;
    State m_state = State::Idle;
    Counters m_counters;
};

} // namespace perfdash
