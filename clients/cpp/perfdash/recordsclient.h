// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// perfdash C++ client: sends native NDJSON records to the collector's ingest.sock (docs/protocol.md).
//
// Never blocks and never throws into the caller. Each record is written at once with a non-blocking send; what the
// socket does not take waits in a bounded buffer (2 MiB by default: two of the longest lines) and goes out with the
// next send or flush(). Records that do not fit, or that are given while the SDK is off, are dropped and counted. When
// the collector is not there or goes away, the client reconnects at most once per reconnect interval; records given
// meanwhile wait in the same buffer. A record cut short by a broken connection is counted as dropped, never sent half.
// Thread-safe: one mutex guards the socket and the buffer, so a Sampler thread and the caller can share a client.

#include "perfdash/config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>

namespace perfdash::client {

class RecordsClient {
public:
    struct Options {
        std::string socketPath; // empty: config().ingestSocket
        size_t maxBufferBytes = (size_t(2) << 20) + 2; // two of the longest lines the protocol takes (1 MiB each)
        std::chrono::milliseconds reconnectInterval { 1000 };
        bool autoFlush = true; // false: records wait in the buffer until flush() or the buffer's threshold
        size_t flushThresholdBytes = size_t(64) * 1024; // with autoFlush off, a send past this flushes
        bool enabled = true; // and config().enabled
    };

    RecordsClient()
        : RecordsClient(Options {})
    { }
    explicit RecordsClient(Options options)
        : m_options(std::move(options))
    {
        if (m_options.socketPath.empty())
            m_options.socketPath = config().ingestSocket;
        m_enabled = m_options.enabled && config().enabled;
    }
    ~RecordsClient()
    {
        flush();
        std::lock_guard lock(m_mutex);
        closeSocket();
    }
    RecordsClient(const RecordsClient &) = delete;
    RecordsClient &operator=(const RecordsClient &) = delete;

    // Queues one record (a JSON object without its '\n') and tries to send it. Returns false when it was dropped.
    bool send(std::string_view line) noexcept
    {
        if (!m_enabled) {
            m_dropped.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        try {
            std::lock_guard lock(m_mutex);
            if (m_buffer.size() + line.size() + 1 > m_options.maxBufferBytes) {
                trySend(); // room may free up at once
                if (m_buffer.size() + line.size() + 1 > m_options.maxBufferBytes) {
                    m_dropped.fetch_add(1, std::memory_order_relaxed);
                    return false;
                }
            }
            m_buffer.append(line);
            m_buffer.push_back('\n');
            ++m_queued;
            // After the socket said "full", wait for another threshold's worth before trying again: a system call
            // per record against a full socket would cost more than the records.
            const size_t pending = m_buffer.size() - m_offset;
            if ((m_options.autoFlush && pending >= m_retryAt)
                || pending >= std::max(m_retryAt, m_options.flushThresholdBytes))
                trySend();
            return true;
        } catch (...) {
            m_dropped.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
    }

    // Sends what waits, as far as the socket takes it without blocking. Returns true when nothing waits any more.
    bool flush() noexcept
    {
        try {
            std::lock_guard lock(m_mutex);
            trySend();
            return m_buffer.empty();
        } catch (...) {
            return false;
        }
    }

    // Like flush(), but keeps trying (and reconnecting) until the buffer is empty or the timeout passes. For the end
    // of a short program, so that its last records are not lost to a full socket.
    bool flushFor(std::chrono::milliseconds timeout) noexcept
    {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (true) {
            {
                std::lock_guard lock(m_mutex);
                if (m_fd < 0)
                    m_nextConnect = {}; // the caller asked to wait: do not sit out the reconnect interval
                trySend();
                if (m_buffer.empty())
                    return true;
            }
            if (std::chrono::steady_clock::now() >= deadline)
                return false;
            ::usleep(2000);
        }
    }

    bool enabled() const { return m_enabled; }
    bool connected() const
    {
        std::lock_guard lock(m_mutex);
        return m_fd >= 0;
    }
    const std::string &socketPath() const { return m_options.socketPath; }
    uint64_t sentRecords() const { return m_sent.load(std::memory_order_relaxed); }
    uint64_t droppedRecords() const { return m_dropped.load(std::memory_order_relaxed); }
    uint64_t connects() const { return m_connects.load(std::memory_order_relaxed); }
    size_t bufferedBytes() const
    {
        std::lock_guard lock(m_mutex);
        return m_buffer.size();
    }

private:
    // Called with m_mutex held.
    void trySend()
    {
        if (m_buffer.empty())
            return;
        if (m_fd < 0 && !connect())
            return;
        while (m_offset < m_buffer.size()) {
            const ssize_t n
                = ::send(m_fd, m_buffer.data() + m_offset, m_buffer.size() - m_offset, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n > 0) {
                countSent(m_offset, m_offset + size_t(n));
                m_offset += size_t(n);
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                m_retryAt = m_buffer.size() - m_offset + m_options.flushThresholdBytes;
                break; // the collector is busy: the rest waits
            }
            connectionLost();
            return;
        }
        // Compact once a good share is sent, so the buffer does not grow with what already left.
        if (m_offset == m_buffer.size()) {
            m_buffer.clear();
            m_offset = 0;
            m_retryAt = 0;
        } else if (m_offset > m_buffer.size() / 2) {
            m_buffer.erase(0, m_offset);
            m_offset = 0;
        }
    }

    // Records whose '\n' left in [from, to) are sent.
    void countSent(size_t from, size_t to)
    {
        uint64_t lines = 0;
        for (const char *p = m_buffer.data() + from, *end = m_buffer.data() + to;
             (p = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)))) != nullptr; ++p)
            ++lines;
        m_sent.fetch_add(lines, std::memory_order_relaxed);
        m_queued -= lines;
    }

    void connectionLost()
    {
        closeSocket();
        m_retryAt = 0;
        // A record half written is lost with the connection; the next connection starts on a record boundary.
        if (m_offset > 0 && m_buffer[m_offset - 1] != '\n') {
            const auto nl = m_buffer.find('\n', m_offset);
            m_buffer.erase(0, nl == std::string::npos ? m_buffer.size() : nl + 1);
            m_dropped.fetch_add(1, std::memory_order_relaxed);
            --m_queued;
        } else {
            m_buffer.erase(0, m_offset);
        }
        m_offset = 0;
    }

    bool connect()
    {
        const auto now = std::chrono::steady_clock::now();
        if (now < m_nextConnect)
            return false;
        m_nextConnect = now + m_options.reconnectInterval;
        sockaddr_un addr {};
        addr.sun_family = AF_UNIX;
        if (m_options.socketPath.size() >= sizeof(addr.sun_path))
            return false;
        std::memcpy(addr.sun_path, m_options.socketPath.data(), m_options.socketPath.size());
        const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
            return false;
        // A Unix stream connect does not wait for the peer; EAGAIN means its backlog is full, so try again later.
        if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0) {
            ::close(fd);
            return false;
        }
        int sendBuffer = 1 << 20; // room for bursts; the kernel caps it at wmem_max
        ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sendBuffer, sizeof(sendBuffer));
        m_fd = fd;
        m_connects.fetch_add(1, std::memory_order_relaxed);
        return true;
    }

    void closeSocket()
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
    }

    Options m_options;
    bool m_enabled = true;
    mutable std::mutex m_mutex;
    int m_fd = -1;
    std::string m_buffer;
    size_t m_offset = 0; // bytes of m_buffer already sent
    size_t m_retryAt = 0; // send() tries the socket again once this much waits (after the socket was full)
    uint64_t m_queued = 0;
    std::chrono::steady_clock::time_point m_nextConnect {};
    std::atomic<uint64_t> m_sent { 0 };
    std::atomic<uint64_t> m_dropped { 0 };
    std::atomic<uint64_t> m_connects { 0 };
};

// The process-wide client that Run, ModuleMetrics and the process sampler use unless given another. Made on first
// use from config(); lives until exit, when its destructor sends what it can without blocking.
inline RecordsClient &defaultRecords()
{
    static RecordsClient client;
    return client;
}

} // namespace perfdash::client
