// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collector/collectorservice.h"
#include "fleet/promschema.h"
#include "storage/storagetiers.h"

#include <QStringList>

#include <memory>
#include <optional>

namespace perfdash {

class AlertDriver;
class HttpApi;
class MetricsExporter;
class PushDriver;
class StorageThread;

// perfdashd's composition root: collector service, storage thread, and the ready line. Main thread only.
class CollectorDaemon {
public:
    struct Options {
        QString dbPath;
        QString runtimeDir;
        QString udp = QStringLiteral("127.0.0.1:8125");
        qint64 graceMs = 2000;
        SeriesRegistryLimits series; // --max-series, --max-series-per-source, --series-idle
        Retention retention;
        WorkRetention workRetention; // --retention ops=90d,runs=90d,api_calls=90d,notifications=90d
        qint64 sampleIntervalMs = 1000; // 0: no system, process or GPU sampling
        QVector<qint64> watchPids;
        QString rulesPath; // the alert rules file (AlertRules::defaultPath() unless --rules)
        bool rulesPathGiven = false;
        QString http; // "HOST:PORT" for the HTTP routes (docs/http.md); empty: none
        bool httpRemote = false; // --http-allow-remote: a non-loopback address is allowed
        QString pushUrl; // --push: the import endpoint (PromPusher::importUrl); empty: no push
        qint64 pushIntervalMs = 10000;
        qint64 pushBufferBytes = 64LL * 1024 * 1024;
        // host (the machine's name unless --push-label host=NAME) and every --push-label; on the push and /metrics.
        PromSchema::Labels fleetLabels;
    };

    // Parses perfdashd's command line (without the program name); returns false with a message on bad input.
    static bool parseArguments(const QStringList &arguments, Options *options, QString *error);
    // "host:port" or "[v6]:port" -> address and port; port 0 means any free port.
    static bool parseHostPort(const QString &text, QHostAddress *host, quint16 *port);

    explicit CollectorDaemon(Options options);
    ~CollectorDaemon();
    CollectorDaemon(const CollectorDaemon &) = delete;
    CollectorDaemon &operator=(const CollectorDaemon &) = delete;

    bool start(QString *error);
    QString readyLine() const;
    QString notice() const { return m_notice; }
    // Storage's counters and flags (droppedFrames(), storageFull()) for status and self-metrics; null before start().
    const StorageThread *storage() const { return m_storage.get(); }
    // "1s=48h,1m=35d,1h=400d" (any subset) -> retention; with `work`, also "ops=90d,runs=90d,api_calls=90d,
    // notifications=90d" (0 keeps them forever). False for anything else.
    static bool parseRetention(const QString &text, Retention *retention, WorkRetention *work = nullptr);
    // "250ms", "1s", "1.5s" or "2" (seconds) -> milliseconds, from 100 ms to 1 h; "0" or "off" -> 0.
    static std::optional<qint64> parseSampleInterval(const QString &text);
    // Flushes the open seconds into storage and closes it.
    void stop();

private:
    void postPendingFrames();
    PromSchema::Labels fleetLabels() const;

    Options m_options;
    QString m_notice;
    std::unique_ptr<StorageThread> m_storage;
    std::unique_ptr<CollectorService> m_service;
    std::unique_ptr<AlertDriver> m_alerts;
    std::unique_ptr<HttpApi> m_http;
    std::unique_ptr<MetricsExporter> m_metrics;
    std::unique_ptr<PushDriver> m_push;
    QVector<LiveFrame> m_pendingFrames; // this tick's provisional and final frames, posted together
    QTimer m_storageWatch; // reports storage-full and dropped frames on stderr when they change
    bool m_reportedFull = false;
    quint64 m_reportedDrops = 0;
};

} // namespace perfdash
