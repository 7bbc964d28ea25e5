// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Test support: runs the real perfdashd on temporary folders and subscribes to its live.sock.

#include "collector/liveprotocol.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QLocalSocket>
#include <QHash>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QUdpSocket>

#include <functional>

namespace perfdash::test {

inline QString binary(const QString &name)
{
    return QDir(qEnvironmentVariable("PERFDASH_BIN_DIR")).filePath(name);
}

class CollectorProcess {
public:
    explicit CollectorProcess(const QString &root)
        : dbPath(QDir(root).filePath(QStringLiteral("perfdash.db")))
        , runtimeDir(QDir(root).filePath(QStringLiteral("run")))
    { }
    ~CollectorProcess() { stop(); }

    bool start(const QStringList &extra = {})
    {
        process.start(binary(QStringLiteral("perfdashd")),
            QStringList { QStringLiteral("--db"), dbPath, QStringLiteral("--runtime-dir"), runtimeDir,
                QStringLiteral("--udp"), QStringLiteral("127.0.0.1:0") }
                + extra);
        const QDeadlineTimer deadline(10000);
        while (!process.canReadLine() && !deadline.hasExpired() && process.state() != QProcess::NotRunning)
            process.waitForReadyRead(100);
        if (!process.canReadLine())
            return false;
        readyLine = QString::fromUtf8(process.readLine()).trimmed();
        static const QRegularExpression re(
            QStringLiteral(R"(^ready udp=127\.0\.0\.1:(\d+) live=(\S+) db=(\S+)( http=(\S+))?$)"));
        const auto m = re.match(readyLine);
        if (!m.hasMatch())
            return false;
        udpPort = quint16(m.captured(1).toUInt());
        livePath = m.captured(2);
        httpAddress = m.captured(5);
        return true;
    }

    // SIGTERM, then wait; returns the exit code, or -1 if it had to be killed.
    int stop()
    {
        if (process.state() == QProcess::NotRunning)
            return process.exitCode();
        process.terminate();
        if (process.waitForFinished(10000))
            return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        process.kill();
        process.waitForFinished(2000);
        return -1;
    }

    void send(const QByteArray &datagram) { udp.writeDatagram(datagram, QHostAddress::LocalHost, udpPort); }

    QString dbPath;
    QString runtimeDir;
    QString readyLine;
    QString livePath;
    QString httpAddress; // "127.0.0.1:PORT" with --http
    quint16 udpPort = 0;
    QProcess process;
    QUdpSocket udp;
};

class LiveReader {
public:
    bool connectTo(const QString &path, LiveProtocol::Hello *hello = nullptr)
    {
        socket.connectToServer(path);
        if (!socket.waitForConnected(5000))
            return false;
        const QDeadlineTimer deadline(5000);
        while (!socket.canReadLine() && !deadline.hasExpired())
            socket.waitForReadyRead(100);
        LiveProtocol::Hello h;
        if (LiveProtocol::decode(socket.readLine(), &h, nullptr, nullptr) != LiveProtocol::MessageType::Hello)
            return false;
        if (hello)
            *hello = h;
        return h.version == LiveProtocol::version;
    }

    // Reads frames until pred(frame) says stop or the timeout passes; returns every frame read.
    QVector<LiveFrame> readUntil(const std::function<bool(const LiveFrame &)> &pred, int timeoutMs = 30000)
    {
        QVector<LiveFrame> frames;
        const QDeadlineTimer deadline(timeoutMs);
        while (!deadline.hasExpired()) {
            while (socket.canReadLine()) {
                LiveFrame frame;
                if (LiveProtocol::decode(socket.readLine(), nullptr, &frame, nullptr)
                    != LiveProtocol::MessageType::Frame)
                    continue;
                frames.push_back(frame);
                if (pred(frame))
                    return frames;
            }
            socket.waitForReadyRead(100);
        }
        return frames;
    }

    QLocalSocket socket;
};

// Debian's interpreter, where python3-statsd lives; a python3 earlier on PATH may be another installation.
inline const QString debianPython = QStringLiteral("/usr/bin/python3");

// `perfdashd stats` of a running collector, as "name value" pairs.
inline QHash<QString, QString> statsOf(const CollectorProcess &collector)
{
    QProcess stats;
    stats.start(binary(QStringLiteral("perfdashd")),
        { QStringLiteral("stats"), QStringLiteral("--runtime-dir"), collector.runtimeDir });
    stats.waitForFinished(10000);
    QHash<QString, QString> out;
    for (const auto &line : QString::fromUtf8(stats.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts))
        out.insert(line.section(u' ', 0, 0), line.section(u' ', 1));
    return out;
}

inline const SeriesStats *findSeries(const QVector<LiveFrame> &frames, const QString &key)
{
    for (const auto &frame : frames) {
        for (const auto &s : frame.series) {
            if (s.key == key)
                return &s;
        }
    }
    return nullptr;
}

} // namespace perfdash::test
