// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>
#include <QHostAddress>
#include <QObject>

#include <functional>
#include <memory>

class QSocketNotifier;

namespace perfdash {

// A datagram socket (UDP or Unix) read in batches with recvmmsg(2). It reports what Qt's sockets hide: datagrams the
// kernel dropped (SO_RXQ_OVFL), datagrams larger than the buffer (MSG_TRUNC, never delivered cut), and for Unix
// sockets the sender's credentials (SO_PASSCRED). Lives on the thread that owns the event loop it is read in.
class DatagramSocket : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DatagramSocket)
public:
    struct Datagram {
        QByteArrayView payload; // valid only during the handler call
        bool hasCredentials = false;
        qint64 pid = 0;
        quint32 uid = 0;
    };
    using Handler = std::function<void(const Datagram &)>;

    static constexpr qsizetype maxDatagramBytes = 65536; // one more byte is read, to see what does not fit
    static constexpr int batchSize = 32;

    explicit DatagramSocket(QObject *parent = nullptr);
    ~DatagramSocket() override;

    bool bindUdp(const QHostAddress &host, quint16 port, QString *error);
    // Binds a Unix datagram socket at path (mode 0600), replacing a stale file there; asks for sender credentials.
    bool bindUnix(const QString &path, QString *error);
    void setHandler(Handler handler) { m_handler = std::move(handler); }

    QHostAddress localAddress() const;
    quint16 localPort() const;
    QString localPath() const { return m_path; }

    quint64 received() const { return m_received; }
    quint64 kernelDrops() const { return m_kernelDrops; }
    quint64 oversize() const { return m_oversize; }

    // Whether datagrams wait in the kernel's queue (FIONREAD), for tests and diagnostics.
    bool isPending() const;
    // Reads everything queued now; the event loop calls it when the socket is readable.
    void readPending();

private:
    bool finishBind(QString *error);

    int m_fd = -1;
    QString m_path;
    std::unique_ptr<QSocketNotifier> m_notifier;
    Handler m_handler;
    struct Buffers;
    std::unique_ptr<Buffers> m_buffers;
    quint64 m_received = 0;
    quint64 m_kernelDrops = 0;
    quint64 m_oversize = 0;
};

} // namespace perfdash
