// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/datagramsocket.h"

#include <QFile>
#include <QSocketNotifier>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <thread>
#include <vector>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
// recvmmsg's landing area, owned by the reader thread.
struct Buffers {
    static constexpr size_t slot = size_t(DatagramSocket::maxDatagramBytes) + 1;
    static constexpr size_t controlBytes = CMSG_SPACE(sizeof(ucred)) + CMSG_SPACE(sizeof(quint32)) + 64;
    std::vector<char> data = std::vector<char>(slot * DatagramSocket::batchSize);
    std::vector<char> control = std::vector<char>(controlBytes * DatagramSocket::batchSize);
    mmsghdr headers[DatagramSocket::batchSize] {};
    iovec iov[DatagramSocket::batchSize] {};
};

// Blocks handled per wake-up of the owner's event loop: about 4 MiB, a few milliseconds of parsing.
constexpr int kBlocksPerWake = 4;
// A partly filled block waits this long for more datagrams before it goes to an idle handler (the live path's latency
// budget is a second).
constexpr qint64 kHandOverMs = 2;
// The reader's pause after draining the socket: 2 ms (200 kB at 100 MB/s) when the kernel gave the socket a deep
// buffer, 0.2 ms when it capped it (net.core.rmem_max, 208 KiB on Debian, applies to users without CAP_NET_ADMIN).
constexpr int kGatherUs = 2000;
constexpr int kShallowGatherUs = 200;
constexpr int kDeepBufferBytes = 4 * 1024 * 1024;

qint64 monotonicMs()
{
    timespec ts {};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

void signalEvent(int fd)
{
    const quint64 one = 1;
    // A full counter (2^64 - 2 pending) cannot happen; EAGAIN would only mean "already signalled".
    [[maybe_unused]] const auto written = ::write(fd, &one, sizeof(one));
}
} // namespace

DatagramSocket::DatagramSocket(QObject *parent)
    : DatagramSocket(Options(), parent)
{ }

DatagramSocket::DatagramSocket(Options options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_queue(options.queueBytes)
{ }

DatagramSocket::~DatagramSocket()
{
    stopReader();
    m_notifier.reset();
    for (const int fd : { m_fd, m_wakeFd, m_stopFd }) {
        if (fd >= 0)
            ::close(fd);
    }
    if (!m_path.isEmpty())
        QFile::remove(m_path);
}

bool DatagramSocket::bindUdp(const QHostAddress &host, quint16 port, QString *error)
{
    const bool v6 = host.protocol() == QAbstractSocket::IPv6Protocol;
    m_fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_fd < 0) {
        *error = u"cannot create a UDP socket: "_s % errnoText();
        return false;
    }
    sockaddr_storage addr {};
    socklen_t len = 0;
    if (v6) {
        auto *a = reinterpret_cast<sockaddr_in6 *>(&addr);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        const Q_IPV6ADDR raw = host.toIPv6Address();
        std::memcpy(&a->sin6_addr, &raw, sizeof(raw));
        len = sizeof(sockaddr_in6);
    } else {
        auto *a = reinterpret_cast<sockaddr_in *>(&addr);
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        a->sin_addr.s_addr = htonl(host.toIPv4Address());
        len = sizeof(sockaddr_in);
    }
    if (::bind(m_fd, reinterpret_cast<sockaddr *>(&addr), len) != 0) {
        *error = u"cannot listen for StatsD on UDP %1:%2: %3"_s.arg(host.toString()).arg(port).arg(errnoText());
        return false;
    }
    return finishBind(error);
}

bool DatagramSocket::bindUnix(const QString &path, QString *error)
{
    const QByteArray native = QFile::encodeName(path);
    sockaddr_un addr {};
    if (size_t(native.size()) >= sizeof(addr.sun_path)) {
        *error = u"the socket path is too long for a Unix socket: "_s % path;
        return false;
    }
    m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_fd < 0) {
        *error = u"cannot create a Unix datagram socket: "_s % errnoText();
        return false;
    }
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, native.constData(), size_t(native.size()));
    // The caller holds the collector's instance lock, so a file left here belongs to a dead collector.
    ::unlink(native.constData());
    const mode_t old = ::umask(0177); // the socket is born 0600: no window where others could connect
    const int rc = ::bind(m_fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr));
    ::umask(old);
    if (rc != 0) {
        *error = u"cannot bind %1: %2"_s.arg(path, errnoText());
        return false;
    }
    m_path = path;
    const int on = 1;
    ::setsockopt(m_fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
    return finishBind(error);
}

bool DatagramSocket::finishBind(QString *error)
{
    const int on = 1;
    // Best effort: without it we still work, we just cannot see kernel drops.
    ::setsockopt(m_fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof(on));
    // A deep buffer absorbs bursts while we parse; the kernel caps it at net.core.rmem_max (root may go beyond).
    const int bytes = 8 * 1024 * 1024;
    if (::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) != 0)
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
    m_wakeFd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    m_stopFd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_wakeFd < 0 || m_stopFd < 0) {
        *error = u"cannot create an eventfd for the socket's reader: "_s % errnoText();
        return false;
    }
    m_notifier = std::make_unique<QSocketNotifier>(m_wakeFd, QSocketNotifier::Read);
    connect(m_notifier.get(), &QSocketNotifier::activated, this, &DatagramSocket::onQueued);
    m_reader = std::thread([this] { readLoop(); });
    return true;
}

QHostAddress DatagramSocket::localAddress() const
{
    sockaddr_storage addr {};
    socklen_t len = sizeof(addr);
    if (m_fd < 0 || ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&addr), &len) != 0)
        return {};
    QHostAddress host;
    host.setAddress(reinterpret_cast<const sockaddr *>(&addr));
    return host;
}

quint16 DatagramSocket::localPort() const
{
    sockaddr_storage addr {};
    socklen_t len = sizeof(addr);
    if (m_fd < 0 || ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&addr), &len) != 0)
        return 0;
    if (addr.ss_family == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in *>(&addr)->sin_port);
    if (addr.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6 *>(&addr)->sin6_port);
    return 0;
}

bool DatagramSocket::isPending() const
{
    int bytes = 0;
    return m_fd >= 0 && ::ioctl(m_fd, FIONREAD, &bytes) == 0 && bytes > 0;
}

void DatagramSocket::readLoop()
{
    Buffers b;
    std::unique_ptr<DatagramQueue::Block> block;
    qint64 blockSince = 0; // when the block being filled got its first datagram, ms
    const auto handOver = [&] {
        if (block && !block->isEmpty() && m_queue.submit(std::move(block)))
            signalEvent(m_wakeFd);
    };
    int buffer = 0;
    socklen_t length = sizeof(buffer);
    ::getsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &buffer, &length);
    const int gatherUs = buffer >= kDeepBufferBytes ? kGatherUs : kShallowGatherUs;
    pollfd fds[2] = { { m_fd, POLLIN, 0 }, { m_stopFd, POLLIN, 0 } };
    for (;;) {
        // A partly filled block goes to the handler once it has waited kHandOverMs and the handler is idle: one
        // wake-up of the handler per few milliseconds, not one per datagram. While the handler is busy with earlier
        // blocks the block keeps filling (partly filled blocks would take the queue's room), and is looked at again
        // every kHandOverMs.
        int timeout = -1;
        if (block && !block->isEmpty()) {
            const qint64 age = monotonicMs() - blockSince;
            if (age >= kHandOverMs && m_queue.isIdle())
                handOver();
            else
                timeout = int(age >= kHandOverMs ? kHandOverMs : kHandOverMs - age);
        }
        if (::poll(fds, 2, timeout) < 0 && errno != EINTR)
            return;
        if (fds[1].revents) {
            handOver(); // finish() handles what was read
            return;
        }
        if (!(fds[0].revents & POLLIN))
            continue;
        for (;;) {
            for (int i = 0; i < batchSize; ++i) {
                b.iov[i] = { b.data.data() + size_t(i) * Buffers::slot, Buffers::slot };
                msghdr &h = b.headers[i].msg_hdr;
                h = {};
                h.msg_iov = &b.iov[i];
                h.msg_iovlen = 1;
                h.msg_control = b.control.data() + size_t(i) * Buffers::controlBytes;
                h.msg_controllen = Buffers::controlBytes;
            }
            const int n = ::recvmmsg(m_fd, b.headers, batchSize, MSG_DONTWAIT, nullptr);
            if (n <= 0)
                break;
            for (int i = 0; i < n; ++i) {
                const msghdr &h = b.headers[i].msg_hdr;
                Datagram d;
                for (cmsghdr *c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(const_cast<msghdr *>(&h), c)) {
                    if (c->cmsg_level != SOL_SOCKET)
                        continue;
                    if (c->cmsg_type == SO_RXQ_OVFL) {
                        quint32 drops = 0;
                        std::memcpy(&drops, CMSG_DATA(c), sizeof(drops));
                        // A running total kept by the kernel per socket.
                        if (drops > m_kernelDrops.load(std::memory_order_relaxed))
                            m_kernelDrops.store(drops, std::memory_order_relaxed);
                    } else if (c->cmsg_type == SCM_CREDENTIALS) {
                        ucred cred {};
                        std::memcpy(&cred, CMSG_DATA(c), sizeof(cred));
                        d.hasCredentials = true;
                        d.pid = cred.pid;
                        d.uid = cred.uid;
                    }
                }
                m_received.fetch_add(1, std::memory_order_relaxed);
                if ((h.msg_flags & MSG_TRUNC) || b.headers[i].msg_len > size_t(maxDatagramBytes)) {
                    m_oversize.fetch_add(1, std::memory_order_relaxed);
                    continue;
                }
                d.payload
                    = QByteArrayView(static_cast<const char *>(b.iov[i].iov_base), qsizetype(b.headers[i].msg_len));
                if (!block || !block->append(d)) {
                    handOver(); // full
                    // Waits here only when the queue is at its bound: the kernel's buffer then takes the rest.
                    block = m_queue.acquire();
                    if (!block)
                        return; // closed
                    blockSince = monotonicMs();
                    block->append(d);
                }
            }
            if (n < batchSize)
                break;
        }
        // Let the next datagrams gather in the kernel's buffer, so that one recvmmsg takes many: a sender of single
        // datagrams would otherwise cost a poll and a wake-up each. The buffer holds far more than this pause.
        std::this_thread::sleep_for(std::chrono::microseconds(gatherUs));
    }
}

int DatagramSocket::handleBlocks(int maxBlocks)
{
    auto blocks = m_queue.take(maxBlocks);
    for (const auto &block : blocks) {
        block->forEach([this](const Datagram &d) {
            ++m_handled;
            if (m_handler)
                m_handler(d);
        });
    }
    const int taken = int(blocks.size());
    m_queue.recycle(std::move(blocks));
    return taken;
}

void DatagramSocket::onQueued()
{
    quint64 count = 0;
    [[maybe_unused]] const auto got = ::read(m_wakeFd, &count, sizeof(count));
    if (handleBlocks(kBlocksPerWake) == kBlocksPerWake)
        signalEvent(m_wakeFd); // the rest on the next turn of the event loop, after whatever else waits
}

void DatagramSocket::stopReader()
{
    if (!m_reader.joinable())
        return;
    signalEvent(m_stopFd);
    m_queue.close(); // a reader waiting for room gives up
    m_reader.join();
}

void DatagramSocket::finish()
{
    stopReader();
    while (handleBlocks(kBlocksPerWake) > 0) {
    }
}

} // namespace perfdash
