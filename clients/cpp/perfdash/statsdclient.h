// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// perfdash C++ client: a header-only StatsD/DogStatsD sender over UDP or a Unix datagram socket (the collector's
// dsd.socket, where the kernel tells it the sender's pid). C++17, POSIX sockets, no Qt, no exceptions thrown into
// the caller. Lines are batched into datagrams of at most maxDatagramBytes; sends never block, and a datagram the
// kernel will not take is counted as dropped. One thread per client: it keeps a batch without a lock.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>

namespace perfdash::client {

class StatsdClient {
public:
    static constexpr size_t maxDatagramBytes = 1432; // fits one Ethernet MTU on loopback and beyond

    StatsdClient() = default;
    StatsdClient(const std::string &host, uint16_t port) { open(host, port); }
    ~StatsdClient()
    {
        flush();
        closeSocket();
    }
    StatsdClient(const StatsdClient &) = delete;
    StatsdClient &operator=(const StatsdClient &) = delete;

    // IPv4 literal host ("127.0.0.1"). Returns false when the socket cannot be made; later sends are then dropped.
    bool open(const std::string &host, uint16_t port)
    {
        closeSocket();
        sockaddr_in addr {};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1)
            return false;
        std::memcpy(&m_addr, &addr, sizeof(addr));
        m_addrLen = sizeof(addr);
        m_fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        return m_fd >= 0;
    }

    // A Unix datagram socket such as the collector's dsd.socket. Returns false when the path is too long or the
    // socket cannot be made; a collector that is not there yet is fine (those sends are counted as dropped).
    bool openUnix(const std::string &path)
    {
        closeSocket();
        sockaddr_un addr {};
        addr.sun_family = AF_UNIX;
        if (path.empty() || path.size() >= sizeof(addr.sun_path))
            return false;
        std::memcpy(addr.sun_path, path.data(), path.size());
        std::memcpy(&m_addr, &addr, sizeof(addr));
        m_addrLen = socklen_t(offsetof(sockaddr_un, sun_path) + path.size() + 1);
        m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        return m_fd >= 0;
    }

    bool isOpen() const { return m_fd >= 0; }

    void timing(std::string_view name, double ms, std::initializer_list<std::string_view> tags = {})
    {
        metric(name, ms, "ms", tags);
    }
    void count(std::string_view name, double value = 1, std::initializer_list<std::string_view> tags = {})
    {
        metric(name, value, "c", tags);
    }
    void gauge(std::string_view name, double value, std::initializer_list<std::string_view> tags = {})
    {
        metric(name, value, "g", tags);
    }
    void distribution(std::string_view name, double value, std::initializer_list<std::string_view> tags = {})
    {
        metric(name, value, "d", tags);
    }

    // Sends what is batched. Call it at least every few milliseconds when latency to the dashboard matters.
    void flush()
    {
        if (m_buffer.empty())
            return;
        if (m_fd < 0
            || ::sendto(m_fd, m_buffer.data(), m_buffer.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr *>(&m_addr),
                   m_addrLen)
                < 0) {
            m_dropped.fetch_add(m_lines, std::memory_order_relaxed);
        } else {
            m_sent.fetch_add(m_lines, std::memory_order_relaxed);
        }
        m_buffer.clear();
        m_lines = 0;
    }

    // Sends ready-made datagrams with as few system calls as the kernel allows (sendmmsg). lineCount is what the
    // datagrams hold in all, for the sent/dropped accounting. block waits for socket buffer space instead of dropping
    // (for load generators, which must not blame the receiver for their own drops). Returns the datagrams taken.
    size_t sendDatagrams(const std::string_view *datagrams, size_t count, uint64_t lineCount, bool block = false)
    {
        if (m_fd < 0 || count == 0) {
            m_dropped.fetch_add(lineCount, std::memory_order_relaxed);
            return 0;
        }
        constexpr size_t batch = 64;
        mmsghdr headers[batch];
        iovec iov[batch];
        size_t taken = 0;
        for (size_t start = 0; start < count; start += batch) {
            const size_t n = std::min(batch, count - start);
            for (size_t i = 0; i < n; ++i) {
                iov[i] = { const_cast<char *>(datagrams[start + i].data()), datagrams[start + i].size() };
                headers[i] = {};
                headers[i].msg_hdr.msg_name = &m_addr;
                headers[i].msg_hdr.msg_namelen = m_addrLen;
                headers[i].msg_hdr.msg_iov = &iov[i];
                headers[i].msg_hdr.msg_iovlen = 1;
            }
            const int sent = ::sendmmsg(m_fd, headers, unsigned(n), block ? 0 : MSG_DONTWAIT);
            taken += sent > 0 ? size_t(sent) : 0;
            if (sent < int(n))
                break;
        }
        const uint64_t sentLines = count ? lineCount * taken / count : 0;
        m_sent.fetch_add(sentLines, std::memory_order_relaxed);
        m_dropped.fetch_add(lineCount - sentLines, std::memory_order_relaxed);
        return taken;
    }

    uint64_t droppedLines() const { return m_dropped.load(std::memory_order_relaxed); }
    uint64_t sentLines() const { return m_sent.load(std::memory_order_relaxed); }

private:
    void closeSocket()
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
    }

    void metric(
        std::string_view name, double value, std::string_view type, std::initializer_list<std::string_view> tags)
    {
        char number[32];
        // to_chars is locale-independent and round-trips.
        const auto [end, ec] = std::to_chars(number, number + sizeof(number), value);
        if (ec != std::errc())
            return;
        m_line.clear();
        m_line.append(name).append(":").append(number, end).append("|").append(type);
        bool first = true;
        for (auto tag : tags) {
            m_line.append(first ? "|#" : ",").append(tag);
            first = false;
        }
        if (m_line.size() + 1 > maxDatagramBytes) {
            m_dropped.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        if (m_buffer.size() + 1 + m_line.size() > maxDatagramBytes)
            flush();
        if (!m_buffer.empty())
            m_buffer.push_back('\n');
        m_buffer.append(m_line);
        ++m_lines;
    }

    int m_fd = -1;
    sockaddr_storage m_addr {};
    socklen_t m_addrLen = 0;
    std::string m_buffer;
    std::string m_line;
    uint64_t m_lines = 0;
    std::atomic<uint64_t> m_dropped { 0 };
    std::atomic<uint64_t> m_sent { 0 };
};

} // namespace perfdash::client
