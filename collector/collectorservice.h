// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collector/ingestcounters.h"
#include "collector/livepublisher.h"
#include "collector/datagramsocket.h"
#include "collector/ndjsoningest.h"
#include "collector/recordrouter.h"
#include "collector/resourcesampler.h"
#include "collector/seriesregistry.h"
#include "collector/statsdingest.h"
#include "models/aggregator.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QLockFile>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>
#include <memory>

namespace perfdash {

struct CollectorConfig {
    QHostAddress udpHost = QHostAddress::LocalHost;
    quint16 udpPort = 8125;
    QString runtimeDir; // holds live.sock, dsd.socket and the instance lock; created 0700
    bool unixDatagram = true; // also take StatsD on runtimeDir/dsd.socket
    QString dbPath; // announced in the hello only; storage is wired by app/
    QString rulesPath; // the alert rules file, announced in the hello only; the rules are run by app/
    qint64 graceMs = 2000; // late samples are accepted this long; live frames do not wait for it
    SeriesRegistryLimits series; // caps on live series, in total and per source, and their idle expiry
    // System, per-source-process and GPU gauges (docs/protocol.md); intervalMs 0 turns them off.
    ResourceSamplerOptions sampler;
    QVector<qint64> watchPids; // sampled from the start, besides every source the sockets reveal
};

// The collector's core: UDP ingest, per-second aggregation, and the live publisher. Lives on the main thread of
// perfdashd. Provisional seconds leave through framesPublished() and final ones through framesClosed(); app/ connects
// both to storage.
class CollectorService : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CollectorService)
public:
    using Clock = std::function<qint64()>; // milliseconds since the epoch

    explicit CollectorService(CollectorConfig config, QObject *parent = nullptr);
    CollectorService(CollectorConfig config, Clock clock, QObject *parent = nullptr);
    ~CollectorService() override;

    // Takes the instance lock, binds the sockets and starts ticking. On failure, error says why in a sentence.
    bool start(QString *error);
    // Closes every open second, publishes and emits it. Call before exit.
    void flush();

    QString udpAddress() const;
    QString livePath() const { return m_publisher.path(); }
    QString unixDatagramPath() const { return m_unix.localPath(); }
    QString ingestPath() const { return m_ndjson.path(); }
    const IngestCounters &counters() const { return m_counters; }

    // How long after a second ends its provisional frame goes out (DESIGN.md: p99 <= 1.1 s from send to pixel).
    static constexpr qint64 publishDelayMs = 50;
    QJsonObject statsSnapshot() const;
    // Status of parts the collector does not own (storage): published under that name in the stats, and every
    // number in it as a gauge perfdash.<name>.<field> (booleans as 0 or 1). Called on the collector thread.
    void addStatusProvider(const QString &name, std::function<QJsonObject()> provider);
    // Sends alert transitions to every live.sock subscriber (docs/protocol.md, "alerts").
    void publishAlerts(const QVector<AlertEvent> &events);

Q_SIGNALS:
    void framesClosed(const QVector<perfdash::LiveFrame> &frames);
    // The provisional snapshots of the tick (LiveFrame::provisional), as published to subscribers.
    void framesPublished(const QVector<perfdash::LiveFrame> &frames);
    // Events and service checks of the last tick, for the timeline (storage).
    void eventsReceived(const QVector<perfdash::TimelineEvent> &events);
    // Work records (operations, runs, API calls, notifications) since the last tick, for their storage rows.
    void workRecordsReceived(const perfdash::WorkRecordBatch &work);
    // Baseline records for the baselines table (docs/protocol.md, `baseline`), once a second.
    void baselinesReceived(const QVector<perfdash::Baseline::Stored> &baselines);

private:
    void onTick();
    void scheduleTick();
    void publishFinal(const QVector<LiveFrame> &frames);
    void emitEvents();
    void onUnixDatagram(const DatagramSocket::Datagram &datagram);
    void addSelfMetrics(qint64 nowMs);
    QString sourceName(qint64 pid);
    void startSampler();
    void noteSourcePid(qint64 pid);
    void onResourceSample(const ResourceSample &sample);

    CollectorConfig m_config;
    Clock m_clock;
    Aggregator m_aggregator;
    IngestCounters m_counters;
    std::unique_ptr<QLockFile> m_lock;
    SeriesRegistry m_series; // of both ingest paths
    StatsdIngest m_statsd;
    RecordRouter m_records;
    DatagramSocket m_udp;
    DatagramSocket m_unix;
    NdjsonIngest m_ndjson;
    LivePublisher m_publisher;
    QTimer m_tick;
    QElapsedTimer m_uptime;
    struct SourceStats {
        QString name;
        quint64 datagrams = 0;
    };
    QHash<qint64, SourceStats> m_sources; // Unix-socket senders by pid
    QHash<QString, quint64> m_selfLast; // self-metric counters at the previous tick
    QList<QPair<QString, std::function<QJsonObject()>>> m_statusProviders;
    std::unique_ptr<SamplerThread> m_sampler; // null when sampling is off
    QSet<qint64> m_sampledPids; // announced to the sampler and not reported gone
    SamplerCounters m_samplerCounters;
};

} // namespace perfdash
