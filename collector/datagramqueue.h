// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>
#include <QtGlobal>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

namespace perfdash {

// Datagrams handed from a socket's reader thread to the thread that parses them, in blocks of bytes: one lock and
// one wake-up per block, never per datagram. The reader only copies; when the parser falls behind, blocks pile up
// here (up to a bound in bytes) instead of in the kernel's socket buffer, so the reader never waits for a parse,
// a tick or a flush. At the bound the reader stops taking blocks (the kernel then keeps, and past its own buffer
// drops and counts, what comes), so loss has one place and one counter.
//
// Blocks are recycled: steady state allocates nothing. Thread-safe between one writer and one reader.
class DatagramQueue {
public:
    struct Entry {
        QByteArrayView payload;
        bool hasCredentials = false;
        qint64 pid = 0;
        quint32 uid = 0;
    };

    // A block being filled by the writer, or read by the reader. Entries are laid out back to back, 8-aligned.
    class Block {
    public:
        explicit Block(qsizetype capacity)
            : m_bytes(size_t(capacity))
        { }
        // False when the entry does not fit; the writer then hands the block over and takes a new one.
        bool append(const Entry &entry);
        bool isEmpty() const { return m_used == 0; }
        qsizetype used() const { return m_used; }
        qsizetype capacity() const { return qsizetype(m_bytes.size()); }
        void clear() { m_used = 0; }
        template <typename F>
        void forEach(F &&f) const
        {
            for (qsizetype at = 0; at < m_used;) {
                const Header *h = reinterpret_cast<const Header *>(m_bytes.data() + at);
                const char *payload = m_bytes.data() + at + qsizetype(sizeof(Header));
                f(Entry { QByteArrayView(payload, h->size), h->hasCredentials != 0, h->pid, h->uid });
                at += entryBytes(h->size);
            }
        }

    private:
        struct Header {
            qint64 pid;
            quint32 size;
            quint32 uid;
            quint32 hasCredentials;
            quint32 reserved;
        };
        static qsizetype entryBytes(qsizetype payload)
        {
            return (qsizetype(sizeof(Header)) + payload + 7) & ~qsizetype(7);
        }
        std::vector<char> m_bytes;
        qsizetype m_used = 0;
    };

    static constexpr qsizetype kDefaultBlockBytes = 1 << 20;
    static constexpr qsizetype kDefaultMaxBytes = qsizetype(64) << 20;

    // blockBytes must hold the largest entry (a 64 KiB datagram and its header).
    explicit DatagramQueue(qsizetype maxBytes = kDefaultMaxBytes, qsizetype blockBytes = kDefaultBlockBytes);

    // Writer side. A block to fill: a recycled one, or a new one while the queue is under its bound; null once the
    // queue is at its bound and close() has not been called (waits until the reader frees room, or until close()).
    std::unique_ptr<Block> acquire();
    // Hands a filled block over. True when the queue was empty before: the reader must be woken.
    bool submit(std::unique_ptr<Block> block);
    // True when nothing waits: a partly filled block is worth handing over now, for latency.
    bool isIdle() const;

    // Reader side: takes up to maxBlocks blocks, oldest first, and later gives them back through recycle().
    std::vector<std::unique_ptr<Block>> take(int maxBlocks);
    void recycle(std::vector<std::unique_ptr<Block>> blocks);

    // Wakes a writer waiting in acquire() and makes every later acquire() return null at once.
    void close();

    qsizetype queuedBytes() const;
    // The most bytes ever waiting at once, and how many times the writer had to wait for room.
    qsizetype peakBytes() const;
    quint64 fullWaits() const;

private:
    const qsizetype m_maxBytes;
    const qsizetype m_blockBytes;
    mutable std::mutex m_mutex;
    std::condition_variable m_room;
    std::deque<std::unique_ptr<Block>> m_queued;
    std::vector<std::unique_ptr<Block>> m_free;
    qsizetype m_blocksAlive = 0; // queued, free, being filled or being read
    qsizetype m_queuedBytes = 0;
    qsizetype m_peakBytes = 0;
    quint64 m_fullWaits = 0;
    bool m_closed = false;
};

} // namespace perfdash
