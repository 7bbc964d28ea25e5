// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fleet/promreader.h"
#include "models/livesource.h"

#include <QHash>
#include <QSet>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <memory>

namespace perfdash {

// Live mode over a Prometheus-compatible server: every pollMs it reads the newest complete buckets of the push
// interval (`step`, perfdashd --push-interval) of every perfdash series through a PromReader of its own, and emits
// one final LiveFrame per bucket (second = the bucket's start; figures over the bucket, rate per covered second), so
// the store, the tree, the sparklines and the charts fill and move. It lists the series again every listEveryMs and
// announces them (seriesListed) so the tree shows series before their first bucket. A failed poll says Disconnected
// with the reason and the next poll retries; the first answer after it says Connected. Late answers are dropped by
// their request id; one read is in flight at a time, so a slow server is waited for, not asked again. GUI thread.
class PromLiveSource : public LiveSource {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PromLiveSource)
public:
    struct Options {
        int pollMs = 5000;
        // The push interval: one live point per bucket of this many seconds. 0: read from the server before the first
        // buckets (the spacing of the heartbeat's samples over the last kStepProbeSeconds: a push interval, or a
        // Prometheus' scrape interval), kDefaultStep when it cannot say.
        qint64 step = 0;
        qint64 backfillSeconds = 900; // the first poll reads this far back, so charts are not empty at start
        int listEveryMs = 30000;
    };
    using Clock = std::function<qint64()>; // unix seconds

    PromLiveSource(const QUrl &server, PromReader::Hosts hosts, Options options, QObject *parent = nullptr);
    PromLiveSource(const QUrl &server, PromReader::Hosts hosts, QObject *parent = nullptr)
        : PromLiveSource(server, hosts, Options {}, parent)
    { }
    ~PromLiveSource() override;

    void start();
    void setClock(Clock clock) { m_clock = std::move(clock); }
    qint64 step() const { return m_options.step; }
    bool stepFromServer() const { return m_stepFromServer; } // step() is what the server's samples say
    static constexpr qint64 kDefaultStep = 10; // perfdashd --push-interval's default
    static constexpr qint64 kStepProbeSeconds = 600;
    // The push interval that sample timestamps show: the median over series of each one's smallest spacing, in whole
    // seconds; 0 when no series has two samples. The body of an instant query for a range vector.
    static qint64 stepFromSamples(const QByteArray &queryAnswer);
    // "VictoriaMetrics at http://…": from the server's buildinfo once it answered, before that from the port.
    QString serverText() const;
    int hostCount() const { return m_hosts; }
    int seriesCount() const { return int(m_kinds.size()); }

    // The engine's name as its default port suggests it (8428: VictoriaMetrics, 9090: Prometheus).
    static QString guessEngine(const QUrl &server);

Q_SIGNALS:
    void seriesListed(const QVector<perfdash::PromSeriesInfo> &series);
    // The server's name or its host count changed (serverText(), hostCount()).
    void describedChanged();

private:
    void poll();
    void requestRecent();
    void onSeriesListed(quint64 id, const QVector<perfdash::PromSeriesInfo> &series);
    void onBucketsReady(quint64 id, const QVector<perfdash::RangeSeries> &series);
    void onFailed(quint64 id, const QString &message);
    void setState(State state, const QString &detail);
    void askBuildInfo();
    void askStep();

    QUrl m_server;
    Options m_options;
    PromReader m_reader;
    QNetworkAccessManager m_network;
    QPointer<QNetworkReply> m_buildInfo;
    QPointer<QNetworkReply> m_stepProbe;
    bool m_stepKnown = false; // given, or read from the server (or it could not say): buckets may be read
    bool m_stepFromServer = false;
    QTimer m_timer;
    Clock m_clock;
    QString m_engine;
    bool m_engineKnown = false;
    State m_state = State::Disconnected;
    bool m_started = false;
    bool m_pending = false; // a listing or a bucket read is in flight
    quint64 m_nextId = 0;
    quint64 m_listId = 0; // the newest listing asked; older answers are dropped
    quint64 m_bucketsId = 0;
    qint64 m_listedAtMs = -1;
    qint64 m_readUpTo = -1; // the end of the newest bucket read
    QHash<QString, MetricKind> m_kinds; // the listed series
    QSet<QString> m_hostHeartbeats; // grouped by host: "perfdash.ingest.live_series|host:a"…
    int m_hosts = 0;
};

} // namespace perfdash
