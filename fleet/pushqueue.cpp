// SPDX-License-Identifier: GPL-3.0-or-later
#include "fleet/pushqueue.h"

#include <QDateTime>
#include <QRandomGenerator>

#include <algorithm>

namespace perfdash {

PushQueue::PushQueue(qint64 capacityBytes, Clock clock, Random random)
    : m_capacity(std::max<qint64>(1, capacityBytes))
    , m_clock(clock ? std::move(clock) : Clock([]() { return QDateTime::currentMSecsSinceEpoch(); }))
    , m_random(random ? std::move(random) : Random([]() { return QRandomGenerator::global()->generateDouble(); }))
{ }

void PushQueue::drop(const Batch &batch, qint64 *reason)
{
    ++*reason;
    m_counters.droppedSamples += batch.samples;
}

void PushQueue::popFront()
{
    m_bytes -= m_batches.front().body.size();
    m_batches.pop_front();
    m_inFlight = false;
}

void PushQueue::push(QByteArray batch)
{
    if (batch.isEmpty())
        return;
    Batch fresh { std::move(batch), 0, false };
    fresh.samples = fresh.body.count('\n');
    const qint64 size = fresh.body.size();
    const qint64 pinned = m_inFlight ? m_batches.front().body.size() : 0;
    if (size + pinned > m_capacity) {
        drop(fresh, &m_counters.droppedBufferFull);
        return;
    }
    // Oldest first, but never the batch on the wire: its answer is still to come.
    const std::size_t keep = m_inFlight ? 1 : 0;
    while (m_bytes + size > m_capacity && m_batches.size() > keep) {
        const auto victim = m_batches.begin() + qsizetype(keep);
        drop(*victim, &m_counters.droppedBufferFull);
        m_bytes -= victim->body.size();
        m_batches.erase(victim);
    }
    m_bytes += size;
    m_batches.push_back(std::move(fresh));
}

bool PushQueue::ready(bool ignoreBackoff) const
{
    return !m_batches.empty() && !m_inFlight && (ignoreBackoff || m_clock() >= m_nextAttemptMs);
}

QByteArray PushQueue::begin()
{
    m_inFlight = true;
    Batch &front = m_batches.front();
    if (front.failedBefore)
        ++m_counters.retries;
    return front.body;
}

void PushQueue::sent()
{
    if (!m_inFlight)
        return;
    ++m_counters.sentBatches;
    m_counters.sentBytes += m_batches.front().body.size();
    m_counters.lastSuccessMs = m_clock();
    popFront();
    m_failuresInARow = 0;
    m_nextAttemptMs = 0;
    m_state = State::Ok;
}

void PushQueue::rejected(const QString &error)
{
    if (!m_inFlight)
        return;
    drop(m_batches.front(), &m_counters.droppedRejected);
    popFront();
    m_counters.lastError = error;
    // The server answered: no backoff, but the data does not get there, so the state says so.
    m_failuresInARow = 0;
    m_nextAttemptMs = 0;
    m_state = State::Failing;
}

qint64 PushQueue::failed(const QString &error)
{
    if (!m_inFlight)
        return 0;
    m_inFlight = false;
    m_batches.front().failedBefore = true;
    ++m_counters.failures;
    m_counters.lastError = error;
    m_state = State::Failing;
    const qint64 base = baseDelayMs(++m_failuresInARow);
    // Jitter, so collectors that lost the same server do not all come back in the same millisecond.
    const qint64 delay = std::min(kMaxRetryMs, base + qint64(m_random() * double(base) / 4));
    m_nextAttemptMs = m_clock() + delay;
    return delay;
}

void PushQueue::dropAll()
{
    for (const Batch &batch : m_batches)
        drop(batch, &m_counters.droppedShutdown);
    m_batches.clear();
    m_bytes = 0;
    m_inFlight = false;
}

qint64 PushQueue::baseDelayMs(int failuresInARow)
{
    if (failuresInARow <= 1)
        return kFirstRetryMs;
    const int shift = std::min(failuresInARow - 1, 16);
    return std::min(kMaxRetryMs, kFirstRetryMs << shift);
}

} // namespace perfdash
