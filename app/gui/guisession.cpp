// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/gui/guisession.h"

#include "app/childprocesses.h"
#include "app/gui/alertnotifier.h"
#include "app/gui/alertsilencesettings.h"
#include "app/gui/baselinesender.h"
#include "app/gui/historyrangesource.h"
#include "app/gui/promlivesource.h"
#include "app/gui/promrangesource.h"
#include "app/gui/promserverprobe.h"
#include "app/gui/reportworker.h"
#include "app/gui/stallwatchdog.h"
#include "app/runtimepaths.h"
#include "app/gui/alertpreviewworker.h"
#include "app/gui/rulesfilestore.h"
#include "collector/liveclient.h"
#include "models/serieslistmodel.h"
#include "models/seriesstore.h"
#include "models/sourcetreemodel.h"
#include "storage/historyreader.h"
#include "storage/rulesfile.h"
#include "widgets/alertscontroller.h"
#include "widgets/alertcontroller.h"
#include "widgets/mainwindow.h"

#include <QDBusConnection>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QLocalSocket>
#include <QSettings>
#include <QThread>

#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

GuiSession::GuiSession(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_store(std::make_unique<SeriesStore>(3600))
    , m_seriesModel(std::make_unique<SeriesListModel>(m_store.get()))
    , m_sources(std::make_unique<SourceTreeModel>(m_store.get()))
    , m_alerts(std::make_unique<AlertListModel>())
    , m_rulesStore(std::make_unique<RulesFileStore>())
    , m_window(std::make_unique<MainWindow>(m_store.get(), m_seriesModel.get(), m_sources.get()))
    , m_live(std::make_unique<LiveClient>(RuntimePaths::liveSocket(m_options.runtimeDir)))
    , m_watchdog(std::make_unique<StallWatchdog>())
    , m_rulesWatcher(this)
    , m_collector(std::make_unique<QProcess>())
    , m_loadgen(std::make_unique<QProcess>())
{
    m_window->setDarkTheme(m_options.dark);
    m_rulesPath = AlertRules::defaultPath(); // until the collector's hello names the file it runs
    m_window->alertRules()->setRulesStore(m_rulesStore.get(), m_rulesPath);
    connect(
        m_live.get(), &LiveSource::frameReceived, m_store.get(), qOverload<const LiveFrame &>(&SeriesStore::ingest));
    connect(m_live.get(), &LiveSource::stateChanged, m_window.get(), &MainWindow::onConnectionStateChanged);
    // The dashboard merges the shown latency's seconds from their sketches: the collector sends them for those keys.
    connect(m_window.get(), &MainWindow::followedSeriesChanged, m_live.get(), &LiveSource::followSketches);
    // A bounded store keeps only the shown series and the sparklines whole: the rest comes brief (live protocol 2).
    connect(m_store.get(), &SeriesStore::keptInFullChanged, m_live.get(), [this]() { onKeptInFullChanged(); });
    m_refill.setSingleShot(true);
    m_refill.setInterval(refillDelayMs);
    connect(&m_refill, &QTimer::timeout, this, &GuiSession::refillBriefSeconds);
    // The store keeps an hour of what is drawn and a minute of the rest; what starts being drawn gets its hour from
    // storage (local collector only: a fleet server's store is not bounded, see setBoundedByShown).
    connect(m_window.get(), &MainWindow::shownSeriesChanged, this,
        [this](const QStringList &keys) { loadWindowOf(m_store->setShown(keys)); });
    m_baselineSender = std::make_unique<BaselineSender>(QDir(m_options.runtimeDir).filePath(u"ingest.sock"_s));
    connect(m_window.get(), &MainWindow::baselinesSubmitted, this, [this](const QVector<Baseline::Stored> &rows) {
        // A server's figures are every host's: they are not this machine's collector's to store as its baselines.
        if (!m_options.source.isLocal()) {
            m_window->showNotice(tr("Baselines are kept by each collector: open the local collector to set them."));
            return;
        }
        m_baselineSender->send(rows);
    });
    connect(m_baselineSender.get(), &BaselineSender::failed, m_window.get(), &MainWindow::showNotice);
    connect(m_baselineSender.get(), &BaselineSender::sent, m_window.get(),
        [this](int rows) { m_window->showNotice(tr("%n baseline(s) sent to the collector.", nullptr, rows)); });
    connect(m_live.get(), &LiveClient::helloReceived, this, &GuiSession::onHello);
    connect(m_live.get(), &LiveClient::collectorStatsReceived, this, &GuiSession::onCollectorStats);
    m_collector->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    connect(m_collector.get(), &QProcess::finished, this, [this](int code) {
        if (code != 0)
            m_window->showNotice(
                tr("The collector we started exited with code %1; see the terminal for why.").arg(code));
    });
    connect(m_collector.get(), &QProcess::errorOccurred, this, [this](QProcess::ProcessError) {
        m_window->showNotice(tr("Cannot start %1: %2").arg(m_collector->program(), m_collector->errorString()));
    });
    // The banner's Start button: only when this GUI may start collectors (not with --no-spawn).
    m_window->setCanStartCollector(m_options.spawnCollector);
    connect(m_window.get(), &MainWindow::startCollectorRequested, this, [this]() {
        if (m_collector->state() == QProcess::NotRunning && !collectorAnswers())
            spawnCollector();
    });
    m_loadgen->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    connect(m_loadgen.get(), &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        if (status == QProcess::NormalExit && code == kFeedAlreadyRuns)
            m_window->showNotice(tr("The demo feed already runs for this collector; not starting a second one."));
    });
    for (QProcess *child : { m_collector.get(), m_loadgen.get() })
        endWithUs(*child);
    if (m_options.reportStallsOverMs > 0) {
        m_watchdog->setReportThresholdMs(m_options.reportStallsOverMs);
        connect(m_watchdog.get(), &StallWatchdog::stallDetected, this,
            [](double ms) { qWarning("perfdash: the GUI thread stalled for %.0f ms", ms); });
    }
    setUpAlerts();
    setUpSources();
    m_watchdog->start();
}

void GuiSession::setUpSources()
{
    m_servers = std::make_unique<DataSourceListModel>();
    m_probe = std::make_unique<PromServerProbe>();
    QSettings settings;
    m_servers->load(settings);
    // A server given on the command line is remembered for the Sources dialog.
    if (!m_options.source.isLocal() && m_servers->rowOf(m_options.source.server) < 0)
        m_servers->addServer({}, m_options.source.server);
    const auto save = [this]() {
        QSettings settings;
        m_servers->save(settings);
    };
    save();
    connect(m_servers.get(), &QAbstractItemModel::rowsInserted, this, save);
    connect(m_servers.get(), &QAbstractItemModel::rowsRemoved, this, save);
    connect(m_servers.get(), &QAbstractItemModel::dataChanged, this, save);
    m_window->setDataSources(m_servers.get(), m_probe.get(), m_options.source);
    connect(m_window.get(), &MainWindow::sourceChosen, this, &GuiSession::sourceChosen);
}

void GuiSession::startFleet()
{
    const QUrl server = m_options.source.server;
    const PromReader::Hosts hosts
        = m_options.source.mergeHosts ? PromReader::Hosts::Merged : PromReader::Hosts::Grouped;
    PromLiveSource::Options live;
    live.pollMs = m_options.fleetPollMs;
    live.step = m_options.fleetStep;
    m_fleetLive = std::make_unique<PromLiveSource>(server, hosts, live);
    connect(m_fleetLive.get(), &LiveSource::frameReceived, m_store.get(),
        qOverload<const LiveFrame &>(&SeriesStore::ingest));
    connect(m_fleetLive.get(), &LiveSource::stateChanged, m_window.get(), &MainWindow::onConnectionStateChanged);
    // Series the server lists appear in the tree before their first bucket, with their kinds.
    connect(m_fleetLive.get(), &PromLiveSource::seriesListed, this, [this](const QVector<PromSeriesInfo> &series) {
        QVector<QPair<QString, MetricKind>> listed;
        listed.reserve(series.size());
        for (const PromSeriesInfo &s : series)
            listed.push_back({ s.key, s.kind });
        m_sources->addStoredSeries(listed);
    });
    connect(m_fleetLive.get(), &PromLiveSource::describedChanged, this, &GuiSession::describeFleet);
    m_fleetReader = std::make_unique<PromReader>(server, hosts);
    m_fleetRange = std::make_unique<PromRangeSource>(m_fleetReader.get());
    m_window->setRangeSource(m_fleetRange.get());
    m_reports = std::make_unique<ReportWorker>(server);
    m_window->setReportRunner(m_reports.get());
    m_alertPreview = std::make_unique<AlertPreviewWorker>(server);
    m_window->alertRules()->setPreviewSource(m_alertPreview.get());
    m_window->setCanStartCollector(false);
    describeFleet();
    m_fleetLive->start();
}

void GuiSession::onKeptInFullChanged()
{
    const QStringList keys = m_store->keptInFull();
    m_live->subscribe(keys);
    // Series kept whole from now on came brief until the collector had the subscription; their last seconds are read
    // again once storage has them.
    const QSet<QString> before(m_subscribed.cbegin(), m_subscribed.cend());
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    for (const QString &key : keys) {
        if (!before.contains(key))
            m_refillKeys.insert(key);
    }
    m_subscribed = keys;
    if (!m_refillKeys.isEmpty()) {
        m_refillFrom = std::min(m_refillFrom, now - refillSeconds);
        if (!m_refill.isActive())
            m_refill.start();
    }
}

void GuiSession::refillBriefSeconds()
{
    const QSet<QString> subscribed(m_subscribed.cbegin(), m_subscribed.cend());
    QStringList keys;
    for (const QString &key : std::as_const(m_refillKeys)) {
        if (subscribed.contains(key))
            keys << key;
    }
    const qint64 from = std::exchange(m_refillFrom, std::numeric_limits<qint64>::max());
    m_refillKeys.clear();
    if (!m_history || keys.isEmpty())
        return;
    keys.sort();
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    for (qsizetype i = 0; i < keys.size(); i += kKeysPerRequest)
        m_history->requestRange(from, now, ++m_historyGeneration, keys.mid(i, kKeysPerRequest));
}

void GuiSession::loadWindowOf(const QStringList &keys)
{
    if (!m_history || keys.isEmpty())
        return;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    for (qsizetype i = 0; i < keys.size(); i += kKeysPerRequest)
        m_history->requestRange(
            now - m_store->windowSeconds(), now, ++m_historyGeneration, keys.mid(i, kKeysPerRequest));
}

void GuiSession::adoptHistory(const QVector<LiveFrame> &frames)
{
    // An hour of 2,000 series is millions of points: they are put in order on a thread of their own, into a store of
    // their own, which the GUI thread then adopts (a move per series). Ingested here, it held the GUI thread 2.9 s.
    // Answers are prepared one at a time, in the order they came (each is its own set of series).
    if (m_historyPrep) {
        m_historyQueue.push_back(frames);
        return;
    }
    auto prepared = std::make_shared<std::unique_ptr<SeriesStore>>();
    m_historyPrep.reset(QThread::create([prepared, frames, window = m_store->windowSeconds(), gui = thread()]() {
        auto store = std::make_unique<SeriesStore>(window);
        store->ingest(frames);
        // The live points that arrive meanwhile go at the end of each series when it is adopted: room for a minute of
        // them, so adopting moves no hour of history. Not for the start's last minute of every series: most of it is
        // evicted to seconds on adoption (room for 64 more held 128 MB at 10,000 series in heaptrack).
        if (!frames.isEmpty() && frames.constLast().second - frames.constFirst().second > SeriesStore::recentSeconds)
            store->reserveAfter(64);
        store->moveToThread(gui);
        *prepared = std::move(store);
    }));
    m_historyPrep->setObjectName(u"perfdash-history-prep"_s);
    connect(m_historyPrep.get(), &QThread::finished, this, [this, prepared, count = frames.size()]() {
        m_historyPrep->wait(); // finished() comes just before its thread ends
        m_historyPrep.release()->deleteLater(); // not deleted under its own signal
        if (*prepared) {
            m_store->adopt(**prepared);
            prepared->reset();
            Q_EMIT historyLoaded(int(count));
        }
        if (!m_historyQueue.isEmpty())
            adoptHistory(m_historyQueue.takeFirst());
    });
    m_historyPrep->start(QThread::LowPriority);
}

void GuiSession::describeFleet()
{
    m_window->setFleetSource(
        m_fleetLive->serverText(), m_fleetLive->hostCount(), m_fleetLive->seriesCount(), m_fleetLive->step());
    m_window->setWindowTitle(tr("perfdash · %1").arg(m_fleetLive->serverText()));
}

void GuiSession::setUpAlerts()
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QSettings settings;
    m_alerts->setSilences(AlertSilenceSettings::load(settings), now);
    connect(m_alerts.get(), &AlertListModel::silencesChanged, this, [this]() {
        QSettings settings;
        AlertSilenceSettings::save(settings, m_alerts->silences());
    });
    m_window->setAlertModel(m_alerts.get());
    connect(m_live.get(), &LiveSource::alertEvents, m_alerts.get(), &AlertListModel::addEvents);
    m_notifier = std::make_unique<AlertNotifier>(QDBusConnection::sessionBus(), m_alerts.get());
    connect(m_notifier.get(), &AlertNotifier::openRequested, m_window->alerts(), &AlertsController::open);
    connect(m_notifier.get(), &AlertNotifier::deliveryChanged, this,
        [this](AlertNotifier::Delivery delivery, const QString &reason) {
            if (delivery == AlertNotifier::Delivery::Tray || delivery == AlertNotifier::Delivery::PanelOnly)
                m_window->showNotice(
                    tr("Desktop notifications unavailable (%1): alerts show in the Alerts panel%2")
                        .arg(reason, delivery == AlertNotifier::Delivery::Tray ? tr(" and the tray") : QString()));
        });
    // The rules file is replaced whole (QSaveFile): watch its folder too, and the file again once it is back.
    connect(&m_rulesWatcher, &QFileSystemWatcher::fileChanged, this, &GuiSession::loadAlertRules);
    connect(&m_rulesWatcher, &QFileSystemWatcher::directoryChanged, this, &GuiSession::loadAlertRules);
    loadAlertRules();
}

void GuiSession::loadAlertRules()
{
    const QString path = m_rulesPath;
    // The file and its folder, or the nearest folder that exists yet: the first save from the dialogs is seen too.
    for (const QString &watched : RulesFile::watchPaths(path)) {
        if (!m_rulesWatcher.directories().contains(watched) && !m_rulesWatcher.files().contains(watched))
            m_rulesWatcher.addPath(watched);
    }
    const RulesFile::Loaded loaded = RulesFile::load(path);
    if (!loaded.exists)
        m_alerts->setRules(AlertRules::defaults().rules); // what the collector evaluates without a file
    else if (loaded.rules)
        m_alerts->setRules(loaded.rules->rules);
    // A refused file: the collector keeps its rules too, and so do we.
}

void GuiSession::endWithUs(QProcess &process)
{
    // A GUI killed outright (SIGKILL, a crash) never runs its destructor: the kernel ends what it started instead.
    const pid_t parent = ::getpid();
    process.setChildProcessModifier([parent]() {
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent)
            ::raise(SIGTERM);
    });
}

GuiSession::~GuiSession()
{
    if (m_historyPrep)
        m_historyPrep->wait(); // it only builds a store of its own: done in well under a few seconds
    m_window->setRangeSource(nullptr);
    m_rangeSource.reset();
    m_fleetRange.reset();
    m_fleetReader.reset();
    m_fleetLive.reset();
    m_live.reset();
    // Quitting, the window goes first so it never hangs on screen while they stop; switching sources, they stop on
    // the event loop's time and the new window goes on.
    m_window->hide();
    ChildProcesses::List children;
    children.push_back(std::move(m_loadgen));
    children.push_back(std::move(m_collector));
    ChildProcesses::stop(std::move(children));
}

bool GuiSession::collectorAnswers() const
{
    QLocalSocket probe;
    probe.connectToServer(RuntimePaths::liveSocket(m_options.runtimeDir));
    return probe.waitForConnected(300);
}

void GuiSession::start()
{
    if (!m_options.source.isLocal()) {
        startFleet(); // no collector of ours: the server is the source
        return;
    }
    if (m_options.spawnCollector && !collectorAnswers())
        spawnCollector();
    m_live->start();
}

void GuiSession::spawnCollector()
{
    QStringList args { u"--runtime-dir"_s, m_options.runtimeDir, u"--db"_s, m_options.dbPath };
    if (!m_options.udp.isEmpty())
        args << u"--udp"_s << m_options.udp;
    const QString program = QDir(m_options.binDir).filePath(u"perfdashd"_s);
    m_collector->setStandardOutputFile(QProcess::nullDevice());
    m_collector->start(program, args);
    m_window->showNotice(tr("No collector was running; started one."));
}

void GuiSession::startDemoFeed(const QString &udp)
{
    if (!m_options.demo || m_loadgen->state() != QProcess::NotRunning)
        return;
    const QString program = QDir(m_options.binDir).filePath(u"perfdash-loadgen"_s);
    // Records to the collector whose hello we read, whatever its runtime folder; the feed runs until we stop it, and
    // its lock in that folder keeps a second window on the same collector from doubling it.
    m_loadgen->start(
        program, { u"--scenario"_s, u"demo"_s, u"--udp"_s, udp, u"--runtime-dir"_s, m_options.runtimeDir });
}

void GuiSession::onHello(const LiveProtocol::Hello &hello)
{
    m_collectorUdp = hello.udp;
    Q_EMIT collectorReady(hello.udp);
    // Edit and read the rules the collector runs (perfdashd --rules FILE), not only the default file.
    if (!hello.rules.isEmpty() && hello.rules != m_rulesPath) {
        const QStringList watched = m_rulesWatcher.files() + m_rulesWatcher.directories();
        if (!watched.isEmpty())
            m_rulesWatcher.removePaths(watched);
        m_rulesPath = hello.rules;
        m_window->alertRules()->setRulesStore(m_rulesStore.get(), m_rulesPath);
        loadAlertRules();
    }
    startDemoFeed(hello.udp);
    if (m_history || hello.db.isEmpty())
        return;
    // Read history from the file the running collector writes, which may not be the one we were given.
    m_dbPath = hello.db;
    updateDatabaseSize();
    m_history = std::make_unique<HistoryReader>(hello.db);
    m_rangeSource = std::make_unique<HistoryRangeSource>(m_history.get());
    m_window->setRangeSource(m_rangeSource.get());
    m_alertPreview = std::make_unique<AlertPreviewWorker>(hello.db);
    m_window->alertRules()->setPreviewSource(m_alertPreview.get());
    m_reports = std::make_unique<ReportWorker>(hello.db);
    m_window->setReportRunner(m_reports.get());
    // Every answer is adopted: each is the window of the series that became shown then (a series no longer shown
    // shrinks back to its minute when adopted).
    connect(m_history.get(), &HistorySource::rangeReady, this,
        [this](quint64, const QVector<LiveFrame> &frames) { adoptHistory(frames); });
    // Every request's failure is told: each is a part of what is shown (or the start's last minute).
    connect(m_history.get(), &HistorySource::failed, this,
        [this](quint64, const QString &message) { m_window->showNotice(tr("History unavailable: %1").arg(message)); });
    // Bounded by what is shown: every series' last minute for the source tree, the shown ones' hour.
    m_store->setBoundedByShown(true);
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    m_history->requestRange(now - SeriesStore::recentSeconds, now, ++m_historyGeneration);
    loadWindowOf(m_store->shownKeys());
    // Every stored series with its kind: the source tree resolves roles over all of a source's history, not only
    // over what the last hour held (a history range of yesterday finds yesterday's failure counters).
    connect(m_history.get(), &HistoryReader::seriesReady, this, [this](quint64, const QVector<SeriesInfo> &series) {
        QVector<QPair<QString, MetricKind>> stored;
        stored.reserve(series.size());
        for (const SeriesInfo &s : series)
            stored.push_back({ s.key, s.kind });
        m_sources->addStoredSeries(stored);
    });
    m_history->requestSeries(0); // once per reader; its own kind of answer, apart from the range generations
}

void GuiSession::onCollectorStats(const QJsonObject &stats)
{
    const qint64 accepted = stats.value(u"lines_accepted"_s).toInteger();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    double perSecond = 0;
    if (m_lastAccepted >= 0 && now > m_lastStatsMs && accepted >= m_lastAccepted)
        perSecond = double(accepted - m_lastAccepted) * 1000.0 / double(now - m_lastStatsMs);
    m_lastAccepted = accepted;
    m_lastStatsMs = now;
    // A stat() of two files every few seconds: cheap enough for the GUI thread, and never a read.
    if (now - m_dbCheckedMs >= 5000)
        updateDatabaseSize();
    CollectorStatus status;
    status.linesPerSecond = std::max(0.0, perSecond);
    status.parseDrops = stats.value(u"lines_rejected"_s).toInteger() + stats.value(u"records_rejected"_s).toInteger();
    const QJsonObject kernel = stats.value(u"kernel_drops"_s).toObject();
    for (auto it = kernel.constBegin(); it != kernel.constEnd(); ++it)
        status.kernelDrops += it.value().toInteger();
    // Every series the collector aggregated since it started (StatsD, records, its own samplers); live_series counts
    // StatsD's alone, for its cap.
    status.seriesCount = stats.value(u"series"_s).toInteger(stats.value(u"live_series"_s).toInteger());
    status.databaseBytes = m_dbBytes;
    // Only a collector started with --push has "push" in its stats.
    const QJsonObject push = stats.value(u"push"_s).toObject();
    status.push.configured = !push.isEmpty();
    status.push.url = push.value(u"url"_s).toString();
    status.push.state = push.value(u"state"_s).toString();
    status.push.lastError = push.value(u"last_error"_s).toString();
    status.push.lastSuccess = push.value(u"last_success"_s).toString();
    status.push.sentBatches = push.value(u"sent_batches"_s).toInteger();
    status.push.queuedBatches = push.value(u"queued_batches"_s).toInteger();
    status.push.queuedBytes = push.value(u"queued_bytes"_s).toInteger();
    const QJsonObject dropped = push.value(u"dropped_batches"_s).toObject();
    status.push.droppedBufferFull = dropped.value(u"buffer_full"_s).toInteger();
    status.push.droppedRejected = dropped.value(u"rejected"_s).toInteger();
    status.push.droppedShutdown = dropped.value(u"shutdown"_s).toInteger();
    status.push.failures = push.value(u"failures"_s).toInteger();
    m_window->onCollectorStatus(status);
}

void GuiSession::updateDatabaseSize()
{
    m_dbCheckedMs = QDateTime::currentMSecsSinceEpoch();
    if (m_dbPath.isEmpty())
        return;
    const QFileInfo db(m_dbPath), wal(m_dbPath + u"-wal"_s);
    m_dbBytes = db.exists() ? db.size() + (wal.exists() ? wal.size() : 0) : -1;
}

} // namespace perfdash
