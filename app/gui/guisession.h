// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collector/liveprotocol.h"
#include "models/datasourcelistmodel.h"

#include <QFileSystemWatcher>
#include <QObject>
#include <QProcess>
#include <QSet>
#include <QTimer>

#include <limits>
#include <memory>

namespace perfdash {

class AlertListModel;
class PromLiveSource;
class PromRangeSource;
class PromReader;
class PromServerProbe;
class AlertNotifier;
class HistoryRangeSource;
class HistoryReader;
class LiveClient;
class MainWindow;
class SeriesListModel;
class SeriesStore;
class SourceTreeModel;
class StallWatchdog;
class BaselineSender;
class AlertPreviewWorker;
class ReportWorker;
class RulesFileStore;

// The GUI's composition root: store, window, live subscription, history, and the processes it may start
// (a collector when none answers, the demo feed with --demo). GUI thread only.
class GuiSession : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GuiSession)
public:
    struct Options {
        QString runtimeDir;
        QString dbPath;
        QString udp; // for a collector we start; empty: its default
        QString binDir; // where perfdashd and perfdash-loadgen live
        bool demo = false;
        bool spawnCollector = true;
        bool dark = false;
        int reportStallsOverMs = 0; // > 0: print GUI-thread stalls longer than this to stderr
        // A Prometheus-compatible server instead of the local collector (--source URL, File → Sources…): no
        // collector is started or followed; live frames and history come from the server.
        DataSourceChoice source;
        int fleetPollMs = 5000; // how often live mode reads the server
        qint64 fleetStep = 0; // the collectors' push interval: one live point per bucket of it; 0: read from the server
    };

    explicit GuiSession(Options options, QObject *parent = nullptr);
    ~GuiSession() override;

    void start();
    MainWindow *window() const { return m_window.get(); }
    // The server's live source while the window shows one (Options::source), else null.
    PromLiveSource *fleetLive() const { return m_fleetLive.get(); }
    DataSourceListModel *servers() const { return m_servers.get(); }
    SeriesStore *store() const { return m_store.get(); }
    SourceTreeModel *sources() const { return m_sources.get(); }
    StallWatchdog *watchdog() const { return m_watchdog.get(); }
    AlertListModel *alerts() const { return m_alerts.get(); }
    AlertNotifier *notifier() const { return m_notifier.get(); }
    // The StatsD address of the collector we are subscribed to, once its hello arrived.
    QString collectorUdp() const { return m_collectorUdp; }

Q_SIGNALS:
    void historyLoaded(int frames);
    // The user chose another source (File → Sources…, View → Merge hosts): the owner makes a new session for it.
    void sourceChosen(const perfdash::DataSourceChoice &choice);
    void collectorReady(const QString &udp);

private:
    bool collectorAnswers() const;
    void spawnCollector();
    void startDemoFeed(const QString &udp);
    void onHello(const perfdash::LiveProtocol::Hello &hello);
    void onCollectorStats(const QJsonObject &stats);
    void updateDatabaseSize();
    static void endWithUs(QProcess &process);
    static constexpr int kFeedAlreadyRuns = 3; // perfdash-loadgen's status when the runtime folder's feed lock is held
    void setUpAlerts();
    void setUpSources();
    void startFleet();
    void describeFleet();
    void adoptHistory(const QVector<LiveFrame> &frames);
    void loadWindowOf(const QStringList &keys);
    // Live protocol 2: subscribes to what the store keeps whole; the seconds that came brief before are read again.
    void onKeptInFullChanged();
    void refillBriefSeconds();
    // In parts: each is one SQL statement binding its keys twice, and SQLite builds before 3.32 allow 999 variables.
    static constexpr qsizetype kKeysPerRequest = 200;
    // A second is stored after the collector's grace (2 s by default) and a flush (1 s): read again after that.
    static constexpr int refillDelayMs = 6000;
    static constexpr qint64 refillSeconds = 5; // before the subscription changed
    void loadAlertRules();
    QString m_rulesPath; // the rules file the collector runs (its hello), else the default one

    Options m_options;
    std::unique_ptr<SeriesStore> m_store;
    std::unique_ptr<SeriesListModel> m_seriesModel;
    std::unique_ptr<SourceTreeModel> m_sources;
    std::unique_ptr<AlertListModel> m_alerts; // before the window: the panel shows it until the window goes
    std::unique_ptr<RulesFileStore> m_rulesStore; // before the window: its rule dialogs use it
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<LiveClient> m_live;
    std::unique_ptr<HistoryReader> m_history;
    std::unique_ptr<QThread> m_historyPrep; // puts history in order off the GUI thread (adoptHistory)
    QVector<QVector<LiveFrame>> m_historyQueue; // answers waiting for m_historyPrep
    std::unique_ptr<HistoryRangeSource> m_rangeSource;
    std::unique_ptr<ReportWorker> m_reports; // File → Export report…
    std::unique_ptr<AlertPreviewWorker> m_alertPreview; // the rule editor's replays on the collector's database
    std::unique_ptr<StallWatchdog> m_watchdog;
    std::unique_ptr<DataSourceListModel> m_servers; // File → Sources…: the remembered servers
    std::unique_ptr<PromServerProbe> m_probe; // its Test button
    std::unique_ptr<PromLiveSource> m_fleetLive; // a server's live frames (Options::source)
    std::unique_ptr<PromReader> m_fleetReader; // its history, for m_fleetRange alone
    std::unique_ptr<PromRangeSource> m_fleetRange;
    std::unique_ptr<BaselineSender> m_baselineSender;
    std::unique_ptr<AlertNotifier> m_notifier;
    QFileSystemWatcher m_rulesWatcher; // the rules file names each alert's metric (the tile it marks)
    std::unique_ptr<QProcess> m_collector; // stopped (and handed over) by the destructor
    std::unique_ptr<QProcess> m_loadgen;
    QString m_collectorUdp;
    quint64 m_historyGeneration = 0;
    QStringList m_subscribed; // what the live source was last asked for in full
    QSet<QString> m_refillKeys;
    qint64 m_refillFrom = std::numeric_limits<qint64>::max();
    QTimer m_refill;
    qint64 m_lastAccepted = -1;
    qint64 m_lastStatsMs = 0;
    QString m_dbPath; // the file the collector we follow writes
    qint64 m_dbBytes = -1;
    qint64 m_dbCheckedMs = 0;
};

} // namespace perfdash
