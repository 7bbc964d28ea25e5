// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collector/datagramqueue.h"

#include <QHostAddress>
#include <QObject>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

class QSocketNotifier;

namespace perfdash {

// A datagram socket (UDP or Unix) read in batches with recvmmsg(2). It reports what Qt's sockets hide: datagrams the
// kernel dropped (SO_RXQ_OVFL), datagrams larger than the buffer (MSG_TRUNC, never delivered cut), and for Unix
// sockets the sender's credentials (SO_PASSCRED).
//
// A thread of its own does nothing but drain the socket into a DatagramQueue (docs/protocol.md, "receive_queue"); the
// handler runs on the thread that owns this object, from its event loop, a few blocks per wake-up. A slow handler,
// a tick or a storage flush on that thread therefore never leaves datagrams in the kernel's buffer.
class DatagramSocket : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DatagramSocket)
public:
    using Datagram = DatagramQueue::Entry; // its payload is valid only during the handler call
    using Handler = std::function<void(const Datagram &)>;

    static constexpr qsizetype maxDatagramBytes = 65536; // one more byte is read, to see what does not fit
    static constexpr int batchSize = 32;

    struct Options {
        qsizetype queueBytes = DatagramQueue::kDefaultMaxBytes; // between the reader thread and the handler
    };

    explicit DatagramSocket(QObject *parent = nullptr);
    explicit DatagramSocket(Options options, QObject *parent = nullptr);
    ~DatagramSocket() override;

    bool bindUdp(const QHostAddress &host, quint16 port, QString *error);
    // Binds a Unix datagram socket at path (mode 0600), replacing a stale file there; asks for sender credentials.
    bool bindUnix(const QString &path, QString *error);
    void setHandler(Handler handler) { m_handler = std::move(handler); }

    QHostAddress localAddress() const;
    quint16 localPort() const;
    QString localPath() const { return m_path; }

    // Counted by the reader thread as datagrams leave the kernel; readable from any thread.
    quint64 received() const { return m_received.load(std::memory_order_relaxed); }
    quint64 kernelDrops() const { return m_kernelDrops.load(std::memory_order_relaxed); }
    quint64 oversize() const { return m_oversize.load(std::memory_order_relaxed); }
    // Datagrams the handler has been called for.
    quint64 handled() const { return m_handled; }
    // Bytes read but not handled yet, the most ever waiting, and how often the reader found the queue full.
    qsizetype queuedBytes() const { return m_queue.queuedBytes(); }
    qsizetype peakQueuedBytes() const { return m_queue.peakBytes(); }
    quint64 queueFullWaits() const { return m_queue.fullWaits(); }

    // Whether datagrams wait in the kernel's queue (FIONREAD), for tests and diagnostics.
    bool isPending() const;
    // Stops reading and hands everything read to the handler now (shutdown: nothing taken from the kernel is lost).
    void finish();

private:
    bool finishBind(QString *error);
    void readLoop();
    void stopReader();
    // Handles a few blocks; re-arms itself when more wait, so the owner's event loop is never held for long.
    void onQueued();
    // Calls the handler for up to maxBlocks queued blocks; returns how many there were.
    int handleBlocks(int maxBlocks);

    Options m_options;
    int m_fd = -1;
    int m_wakeFd = -1; // eventfd: reader -> owner, "blocks wait"
    int m_stopFd = -1; // eventfd: owner -> reader, "stop"
    QString m_path;
    std::unique_ptr<QSocketNotifier> m_notifier;
    Handler m_handler;
    DatagramQueue m_queue;
    std::thread m_reader;
    std::atomic<quint64> m_received { 0 };
    std::atomic<quint64> m_kernelDrops { 0 };
    std::atomic<quint64> m_oversize { 0 };
    quint64 m_handled = 0;
};

} // namespace perfdash
