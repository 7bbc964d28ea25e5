// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/collectorservice.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QLocalSocket>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

CollectorService::CollectorService(CollectorConfig config, QObject *parent)
    : CollectorService(std::move(config), []() { return QDateTime::currentMSecsSinceEpoch(); }, parent)
{
}

CollectorService::CollectorService(CollectorConfig config, Clock clock, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_clock(std::move(clock))
    , m_aggregator(Aggregator::Options { m_config.graceMs })
    , m_udp(m_aggregator, m_counters, m_clock, this)
    , m_publisher(this)
    , m_tick(this)
{
    m_tick.setSingleShot(true);
    m_tick.setTimerType(Qt::PreciseTimer);
    connect(&m_tick, &QTimer::timeout, this, &CollectorService::onTick);
    m_publisher.setStatsProvider([this]() { return statsSnapshot(); });
}

CollectorService::~CollectorService() = default;

bool CollectorService::start(QString *error)
{
    QDir dir(m_config.runtimeDir);
    if (!dir.mkpath(u"."_s)) {
        *error = u"cannot create the runtime folder "_s % m_config.runtimeDir;
        return false;
    }
    QFile::setPermissions(dir.absolutePath(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);

    // The lock decides who owns the folder; QLockFile treats a lock whose process died as stale.
    m_lock = std::make_unique<QLockFile>(dir.filePath(u"perfdashd.lock"_s));
    m_lock->setStaleLockTime(0);
    if (!m_lock->tryLock(0)) {
        qint64 pid = 0;
        QString host, app;
        m_lock->getLockInfo(&pid, &host, &app);
        *error = m_lock->error() == QLockFile::LockFailedError
                ? u"another perfdashd (pid %1) is already running on %2"_s.arg(pid).arg(dir.absolutePath())
                : u"cannot take the lock in %1"_s.arg(dir.absolutePath());
        m_lock.reset();
        return false;
    }

    const QString livePath = dir.filePath(u"live.sock"_s);
    // We hold the lock, so a socket file left here is stale: its collector is gone.
    QLocalServer::removeServer(livePath);

    if (!m_udp.bind(m_config.udpHost, m_config.udpPort, error))
        return false;
    LiveProtocol::Hello hello;
    hello.version = LiveProtocol::version;
    hello.collectorVersion = QCoreApplication::applicationVersion();
    hello.udp = udpAddress();
    hello.db = m_config.dbPath;
    hello.pid = QCoreApplication::applicationPid();
    if (!m_publisher.listen(livePath, hello, error))
        return false;
    m_uptime.start();
    scheduleTick();
    return true;
}

QString CollectorService::udpAddress() const
{
    const QHostAddress host = m_udp.localAddress();
    const QString text = host.protocol() == QAbstractSocket::IPv6Protocol ? u'[' % host.toString() % u']'
                                                                          : host.toString();
    return text % u':' % QString::number(m_udp.localPort());
}

QJsonObject CollectorService::statsSnapshot() const
{
    QJsonObject rejected;
    for (size_t i = 0; i < m_counters.rejectedByReason.size(); ++i) {
        if (m_counters.rejectedByReason[i] > 0)
            rejected.insert(QLatin1StringView(StatsdParser::reasonCode(StatsdParser::Reason(i))),
                            qint64(m_counters.rejectedByReason[i]));
    }
    return QJsonObject {
        { u"datagrams"_s, qint64(m_counters.datagrams) },
        { u"lines_accepted"_s, qint64(m_counters.linesAccepted) },
        { u"lines_rejected"_s, qint64(m_counters.linesRejected) },
        { u"rejected"_s, rejected },
        { u"late_samples"_s, qint64(m_aggregator.lateSamples()) },
        { u"series"_s, qint64(m_seriesKeys.size()) },
        { u"subscribers"_s, m_publisher.subscriberCount() },
        { u"uptime_s"_s, m_uptime.isValid() ? m_uptime.elapsed() / 1000 : 0 },
    };
}

void CollectorService::scheduleTick()
{
    // Wake just after the next second boundary plus grace, so a bucket is published as soon as it may close.
    const qint64 now = m_clock();
    const qint64 nextDue = (now - m_config.graceMs) / 1000 * 1000 + 1000 + m_config.graceMs;
    m_tick.start(int(std::max<qint64>(1, nextDue - now + 2)));
}

void CollectorService::emitFrames(const QVector<LiveFrame> &frames, qint64 heartbeatSecond)
{
    for (const auto &frame : frames) {
        for (const auto &s : frame.series)
            m_seriesKeys.insert(s.key);
    }
    if (frames.isEmpty()) {
        // A frame every second, even an empty one, tells subscribers time moves and the collector lives.
        m_publisher.publish(LiveFrame { heartbeatSecond, {} });
        return;
    }
    for (const auto &frame : frames)
        m_publisher.publish(frame);
    Q_EMIT framesClosed(frames);
}

void CollectorService::onTick()
{
    const qint64 now = m_clock();
    emitFrames(m_aggregator.closeDue(now), (now - m_config.graceMs) / 1000 - 1);
    scheduleTick();
}

void CollectorService::flush()
{
    m_tick.stop();
    const QVector<LiveFrame> frames = m_aggregator.closeAll();
    if (!frames.isEmpty())
        emitFrames(frames, 0);
}

} // namespace perfdash
