// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/collectorservice.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLocalSocket>

#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

CollectorService::CollectorService(CollectorConfig config, QObject *parent)
    : CollectorService(
        std::move(config), []() { return QDateTime::currentMSecsSinceEpoch(); }, parent)
{ }

CollectorService::CollectorService(CollectorConfig config, Clock clock, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_clock(std::move(clock))
    , m_aggregator(Aggregator::Options { m_config.graceMs, QuantileSketch::kDefaultRelativeAccuracy })
    , m_series(m_aggregator, m_config.series)
    , m_statsd(m_aggregator, m_series, m_counters)
    , m_records(m_aggregator, m_series)
    , m_udp(this)
    , m_unix(this)
    , m_ndjson(m_counters, m_clock, NdjsonIngest::Limits(), this)
    , m_publisher(this)
    , m_tick(this)
{
    m_tick.setSingleShot(true);
    m_tick.setTimerType(Qt::PreciseTimer);
    connect(&m_tick, &QTimer::timeout, this, &CollectorService::onTick);
    m_publisher.setStatsProvider([this]() { return statsSnapshot(); });
    m_udp.setHandler([this](const DatagramSocket::Datagram &d) { m_statsd.processDatagram(d.payload, m_clock()); });
    m_unix.setHandler([this](const DatagramSocket::Datagram &d) { onUnixDatagram(d); });
    m_ndjson.setSink([this](const NativeRecord &record, qint64 nowMs, qint64 peerPid) {
        if (record.type == NativeRecord::Type::Sample)
            noteSourcePid(record.sample.pid);
        m_records.route(record, nowMs, peerPid);
    });
    m_ndjson.setPeerHandler([this](qint64 pid) { noteSourcePid(pid); });
}

CollectorService::~CollectorService() = default;

bool CollectorService::start(QString *error)
{
    QDir dir(m_config.runtimeDir);
    if (!dir.mkpath(u"."_s)) {
        *error = u"cannot create the runtime folder "_s % m_config.runtimeDir;
        return false;
    }
    // Ours alone, or we do not start: in a shared /tmp another user could have made the folder first and could then
    // replace our sockets with theirs.
    struct stat st { };
    const QByteArray native = QFile::encodeName(dir.absolutePath());
    if (::lstat(native.constData(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::getuid()) {
        *error = u"the runtime folder %1 is not a folder of this user (uid %2); remove it or use another "
                 "--runtime-dir"_s.arg(dir.absolutePath())
                     .arg(::getuid());
        return false;
    }
    if ((st.st_mode & 0777) != 0700 && ::chmod(native.constData(), 0700) != 0) {
        *error = u"cannot make the runtime folder %1 private (mode 0700)"_s.arg(dir.absolutePath());
        return false;
    }

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
    // Even with the lock held, replace a socket file only once nothing answers on it: a collector started with
    // another lock folder (or an older build) may still serve it.
    if (QFileInfo::exists(livePath)) {
        QLocalSocket probe;
        probe.connectToServer(livePath);
        if (probe.waitForConnected(500)) {
            *error = u"a collector already answers on %1"_s.arg(livePath);
            m_lock.reset();
            return false;
        }
        QLocalServer::removeServer(livePath);
    }

    if (!m_udp.bindUdp(m_config.udpHost, m_config.udpPort, error))
        return false;
    if (m_config.unixDatagram && !m_unix.bindUnix(dir.filePath(u"dsd.socket"_s), error))
        return false;
    if (!m_ndjson.listen(dir.filePath(u"ingest.sock"_s), error))
        return false;
    LiveProtocol::Hello hello;
    hello.version = LiveProtocol::version;
    hello.collectorVersion = QCoreApplication::applicationVersion();
    hello.udp = udpAddress();
    hello.db = m_config.dbPath;
    hello.rules = m_config.rulesPath;
    hello.pid = QCoreApplication::applicationPid();
    if (!m_publisher.listen(livePath, hello, error))
        return false;
    m_uptime.start();
    // The heartbeat (docs/metrics.md, covered seconds) for the second we start in: each tick adds the next one's.
    m_aggregator.add(u"perfdash.ingest.live_series"_s, MetricKind::Gauge, double(m_series.size()), m_clock());
    startSampler();
    scheduleTick();
    return true;
}

QString CollectorService::udpAddress() const
{
    const QHostAddress host = m_udp.localAddress();
    const QString text
        = host.protocol() == QAbstractSocket::IPv6Protocol ? u'[' % host.toString() % u']' : host.toString();
    return text % u':' % QString::number(m_udp.localPort());
}

namespace {
// What waits between a socket's reader thread and the parser (docs/protocol.md, stats).
QJsonObject receiveQueueJson(const DatagramSocket &socket)
{
    return QJsonObject { { u"queued_bytes"_s, qint64(socket.queuedBytes()) },
        { u"peak_bytes"_s, qint64(socket.peakQueuedBytes()) }, { u"full_waits"_s, qint64(socket.queueFullWaits()) } };
}
} // namespace

QJsonObject CollectorService::statsSnapshot() const
{
    QJsonObject sources;
    for (auto it = m_sources.cbegin(); it != m_sources.cend(); ++it)
        sources.insert(it->name % u'[' % QString::number(it.key()) % u']', qint64(it->datagrams));
    QJsonObject out {
        { u"datagrams"_s, qint64(m_counters.datagrams) },
        { u"lines_accepted"_s, qint64(m_counters.linesAccepted) },
        { u"lines_rejected"_s, qint64(m_counters.linesRejected) },
        { u"rejected"_s, m_counters.rejectionsJson() },
        { u"rate_clamped"_s, qint64(m_counters.rateClamped) },
        { u"events"_s, qint64(m_counters.events) },
        { u"events_dropped"_s, qint64(m_counters.eventsDropped) },
        { u"records_accepted"_s, qint64(m_counters.recordsAccepted) },
        { u"records_rejected"_s, qint64(m_counters.recordsRejected) },
        { u"records_rejected_by_reason"_s, m_counters.recordRejectionsJson() },
        { u"predictions"_s,
            QJsonObject { { u"total"_s, qint64(m_records.predictions()) },
                { u"outcomes"_s, qint64(m_records.outcomes()) },
                { u"unmatched_truths"_s, qint64(m_records.unmatchedTruths()) } } },
        { u"work_records_dropped"_s, qint64(m_records.droppedRecords()) },
        { u"records_resent"_s, qint64(m_records.resentRecords()) },
        { u"baselines_refused"_s, qint64(m_records.badBaselines()) },
        { u"oversize_datagrams"_s,
            QJsonObject { { u"udp"_s, qint64(m_udp.oversize()) }, { u"unix"_s, qint64(m_unix.oversize()) } } },
        { u"kernel_drops"_s,
            QJsonObject { { u"udp"_s, qint64(m_udp.kernelDrops()) }, { u"unix"_s, qint64(m_unix.kernelDrops()) } } },
        { u"receive_queue"_s,
            QJsonObject { { u"udp"_s, receiveQueueJson(m_udp) }, { u"unix"_s, receiveQueueJson(m_unix) } } },
        { u"late_samples"_s, qint64(m_aggregator.lateSamples()) },
        { u"live_series"_s, qint64(m_series.size()) },
        { u"series"_s, qint64(m_aggregator.seriesCount()) },
        { u"series_registry"_s, m_series.statsJson() },
        { u"sources"_s, sources },
        { u"subscribers"_s, m_publisher.subscriberCount() },
        { u"connections_refused"_s,
            QJsonObject { { u"live"_s, qint64(m_publisher.refusedConnections()) },
                { u"ingest"_s, qint64(m_ndjson.connectionsRefused()) } } },
        { u"subscribers_v2"_s, m_publisher.version2Subscribers() },
        { u"uptime_s"_s, m_uptime.isValid() ? m_uptime.elapsed() / 1000 : 0 },
    };
    for (const auto &[name, provider] : m_statusProviders)
        out.insert(name, provider());
    return out;
}

void CollectorService::publishAlerts(const QVector<AlertEvent> &events)
{
    if (!events.isEmpty())
        m_publisher.publishLine(LiveProtocol::encodeAlerts(events));
}

void CollectorService::addStatusProvider(const QString &name, std::function<QJsonObject()> provider)
{
    m_statusProviders.push_back({ name, std::move(provider) });
}

QString CollectorService::sourceName(qint64 pid)
{
    QFile comm(u"/proc/%1/comm"_s.arg(pid));
    if (comm.open(QIODevice::ReadOnly))
        return QString::fromUtf8(comm.readAll()).trimmed();
    return u"pid"_s;
}

void CollectorService::onUnixDatagram(const DatagramSocket::Datagram &d)
{
    // The socket is 0600 already; the check also covers root and anything that got a descriptor passed.
    if (!d.hasCredentials || d.uid != quint32(::getuid())) {
        m_counters.rejectOther(u"foreign_uid"_s);
        return;
    }
    auto it = m_sources.find(d.pid);
    if (it == m_sources.end())
        it = m_sources.insert(d.pid, SourceStats { sourceName(d.pid), 0 });
    ++it->datagrams;
    noteSourcePid(d.pid);
    m_statsd.processDatagram(d.payload, m_clock(), d.pid);
}

void CollectorService::addSelfMetrics(qint64 nowMs)
{
    // Our own counters become series like any other, so the GUI can chart ingest health.
    QHash<QString, quint64> current {
        { u"perfdash.ingest.datagrams"_s, m_counters.datagrams },
        { u"perfdash.ingest.lines_accepted"_s, m_counters.linesAccepted },
        { u"perfdash.ingest.lines_rejected"_s, m_counters.linesRejected },
        { u"perfdash.ingest.kernel_drops|socket:udp"_s, m_udp.kernelDrops() + m_udp.oversize() },
        { u"perfdash.ingest.kernel_drops|socket:unix"_s, m_unix.kernelDrops() + m_unix.oversize() },
        { u"perfdash.ingest.late_samples"_s, m_aggregator.lateSamples() },
        { u"perfdash.ingest.records_accepted"_s, m_counters.recordsAccepted },
        { u"perfdash.ingest.records_rejected"_s, m_counters.recordsRejected },
    };
    const QJsonObject rejected = m_counters.rejectionsJson();
    for (auto it = rejected.begin(); it != rejected.end(); ++it)
        current.insert(u"perfdash.ingest.rejected|reason:"_s % it.key(), quint64(it->toInteger()));
    for (auto it = current.cbegin(); it != current.cend(); ++it) {
        const quint64 before = m_selfLast.value(it.key(), 0);
        if (it.value() > before || m_selfLast.contains(it.key()))
            m_aggregator.add(it.key(), MetricKind::Counter, double(it.value() - before), nowMs);
    }
    // Also the heartbeat: one sample a second while we run, so its count in a bucket is the seconds we were up.
    m_aggregator.add(u"perfdash.ingest.live_series"_s, MetricKind::Gauge, double(m_series.size()), nowMs);
    for (const auto &[name, provider] : m_statusProviders) {
        const QJsonObject status = provider();
        for (auto it = status.begin(); it != status.end(); ++it) {
            if (it->isDouble() || it->isBool())
                m_aggregator.add(u"perfdash."_s % name % u'.' % it.key(), MetricKind::Gauge,
                    it->isBool() ? double(it->toBool()) : it->toDouble(), nowMs);
        }
    }
    m_selfLast = std::move(current);
}

void CollectorService::scheduleTick()
{
    // Wake just after the next second boundary plus the publish delay: a second is shown as soon as it has ended,
    // provisionally, and stored once its grace period is over.
    const qint64 now = m_clock();
    const qint64 nextDue = (now - publishDelayMs) / 1000 * 1000 + 1000 + publishDelayMs;
    m_tick.start(int(std::max<qint64>(1, nextDue - now + 1)));
}

void CollectorService::onTick()
{
    const qint64 now = m_clock();
    m_series.expireIdle(now / 1000);
    addSelfMetrics(now);
    const QVector<LiveFrame> provisional = m_aggregator.publishDue(now, publishDelayMs, m_publisher.followedKeys());
    for (const auto &frame : provisional)
        m_publisher.publish(frame);
    if (!provisional.isEmpty())
        Q_EMIT framesPublished(provisional);
    if (provisional.isEmpty()) {
        // A frame every second, even an empty one, tells subscribers time moves and the collector lives.
        m_publisher.publish(LiveFrame { (now - publishDelayMs) / 1000 - 1, {} });
    }
    publishFinal(m_aggregator.closeDue(now));
    emitEvents();
    scheduleTick();
}

void CollectorService::emitEvents()
{
    const QVector<TimelineEvent> events = m_statsd.takeEvents();
    if (!events.isEmpty())
        Q_EMIT eventsReceived(events);
    const WorkRecordBatch work = m_records.takeWorkRecords();
    if (!work.isEmpty())
        Q_EMIT workRecordsReceived(work);
    const QVector<Baseline::Stored> baselines = m_records.takeBaselines();
    if (!baselines.isEmpty())
        Q_EMIT baselinesReceived(baselines);
}

void CollectorService::publishFinal(const QVector<LiveFrame> &frames)
{
    if (frames.isEmpty())
        return;
    // Subscribers saw the provisional snapshot; they get the final frame only when late samples changed it.
    for (const auto &frame : frames) {
        if (frame.changedSincePublish)
            m_publisher.publish(frame);
    }
    Q_EMIT framesClosed(frames);
}

void CollectorService::flush()
{
    m_tick.stop();
    m_sampler.reset(); // nothing may arrive after the last frames are closed
    // What the sockets' readers took from the kernel is aggregated, not dropped with the queue.
    m_udp.finish();
    m_unix.finish();
    publishFinal(m_aggregator.closeAll());
    emitEvents();
}

void CollectorService::startSampler()
{
    if (m_config.sampler.intervalMs <= 0)
        return;
    m_sampler = std::make_unique<SamplerThread>(m_config.sampler);
    connect(m_sampler->worker(), &SamplerWorker::sampled, this, &CollectorService::onResourceSample);
    connect(m_sampler->worker(), &SamplerWorker::gpuNotice, this, [](const QString &text) {
        // At most this one line about GPUs, whether there are some or not.
        qInfo("perfdashd: %s", qUtf8Printable(text));
    });
    m_sampler->start();
    for (const qint64 pid : std::as_const(m_config.watchPids))
        noteSourcePid(pid);
    addStatusProvider(u"sampler"_s, [this]() {
        const SamplerCounters &c = m_samplerCounters;
        return QJsonObject {
            { u"samples"_s, qint64(c.samples) },
            { u"watched_pids"_s, qint64(c.watched) },
            { u"exited_pids"_s, qint64(c.exited) },
            { u"reused_pids"_s, qint64(c.reused) },
            { u"unreadable_pids"_s, qint64(c.unreadable) },
            { u"refused_pids"_s, qint64(c.refused) },
            { u"gpus"_s, qint64(c.gpus) },
            { u"gpu_errors"_s, qint64(c.gpuErrors) },
            { u"last_cost_us"_s, c.lastCostUs },
        };
    });
}

void CollectorService::noteSourcePid(qint64 pid)
{
    if (!m_sampler || pid <= 0 || m_sampledPids.contains(pid))
        return;
    m_sampledPids.insert(pid);
    m_sampler->watch(pid);
}

void CollectorService::onResourceSample(const ResourceSample &sample)
{
    // Stamped on arrival with the collector's clock: the round was read a moment ago, within the same second.
    const qint64 now = m_clock();
    for (const ResourceValue &v : sample.values)
        m_aggregator.add(v.key, MetricKind::Gauge, v.value, now);
    for (const qint64 pid : sample.gonePids)
        m_sampledPids.remove(pid);
    m_samplerCounters = sample.counters;
}

} // namespace perfdash
