// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/datagramqueue.h"

#include <cstring>

namespace perfdash {

namespace {
// Free blocks kept for reuse beyond what is in flight: enough for bursts, without holding a burst's peak forever.
constexpr size_t kSpareBlocks = 4;
} // namespace

bool DatagramQueue::Block::append(const Entry &entry)
{
    const qsizetype need = entryBytes(entry.payload.size());
    if (m_used + need > capacity())
        return false;
    Header h {};
    h.pid = entry.pid;
    h.size = quint32(entry.payload.size());
    h.uid = entry.uid;
    h.hasCredentials = entry.hasCredentials ? 1 : 0;
    char *at = m_bytes.data() + m_used;
    std::memcpy(at, &h, sizeof(h));
    if (!entry.payload.isEmpty())
        std::memcpy(at + sizeof(h), entry.payload.data(), size_t(entry.payload.size()));
    m_used += need;
    return true;
}

DatagramQueue::DatagramQueue(qsizetype maxBytes, qsizetype blockBytes)
    : m_maxBytes(std::max(maxBytes, 2 * blockBytes)) // one block being filled while another is read
    , m_blockBytes(blockBytes)
{ }

std::unique_ptr<DatagramQueue::Block> DatagramQueue::acquire()
{
    std::unique_lock lock(m_mutex);
    bool waited = false;
    for (;;) {
        if (m_closed)
            return nullptr;
        if (!m_free.empty()) {
            std::unique_ptr<Block> block = std::move(m_free.back());
            m_free.pop_back();
            block->clear();
            return block;
        }
        // Every live block counts against the bound, the one being read included: memory stays bounded.
        if (m_blocksAlive < m_maxBytes / m_blockBytes) {
            ++m_blocksAlive;
            return std::make_unique<Block>(m_blockBytes);
        }
        if (!waited) {
            ++m_fullWaits;
            waited = true;
        }
        m_room.wait(lock);
    }
}

bool DatagramQueue::submit(std::unique_ptr<Block> block)
{
    std::lock_guard lock(m_mutex);
    const bool wasEmpty = m_queued.empty();
    m_queuedBytes += block->used();
    m_peakBytes = std::max(m_peakBytes, m_queuedBytes);
    m_queued.push_back(std::move(block));
    return wasEmpty;
}

bool DatagramQueue::isIdle() const
{
    std::lock_guard lock(m_mutex);
    return m_queued.empty();
}

std::vector<std::unique_ptr<DatagramQueue::Block>> DatagramQueue::take(int maxBlocks)
{
    std::vector<std::unique_ptr<Block>> out;
    std::lock_guard lock(m_mutex);
    while (!m_queued.empty() && int(out.size()) < maxBlocks) {
        m_queuedBytes -= m_queued.front()->used();
        out.push_back(std::move(m_queued.front()));
        m_queued.pop_front();
    }
    return out;
}

void DatagramQueue::recycle(std::vector<std::unique_ptr<Block>> blocks)
{
    {
        std::lock_guard lock(m_mutex);
        for (auto &block : blocks) {
            if (m_free.size() < kSpareBlocks)
                m_free.push_back(std::move(block));
            else
                --m_blocksAlive; // freed below, outside the lock
        }
    }
    m_room.notify_one();
    // blocks not kept are released here
}

void DatagramQueue::close()
{
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
    }
    m_room.notify_all();
}

qsizetype DatagramQueue::queuedBytes() const
{
    std::lock_guard lock(m_mutex);
    return m_queuedBytes;
}

qsizetype DatagramQueue::peakBytes() const
{
    std::lock_guard lock(m_mutex);
    return m_peakBytes;
}

quint64 DatagramQueue::fullWaits() const
{
    std::lock_guard lock(m_mutex);
    return m_fullWaits;
}

} // namespace perfdash
