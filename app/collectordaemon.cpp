// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/collectordaemon.h"

#include "app/alertdriver.h"
#include "app/exportcommand.h"
#include "app/httpapi.h"
#include "app/pushdriver.h"
#include "collector/metricsexporter.h"
#include "app/runtimepaths.h"
#include "models/duration.h"
#include "storage/storagewriter.h"

#include <QCommandLineParser>
#include <QJsonObject>
#include <QFileInfo>
#include <QSysInfo>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

bool CollectorDaemon::parseHostPort(const QString &text, QHostAddress *host, quint16 *port)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0)
        return false;
    QString hostText = text.left(colon);
    if (hostText.startsWith(u'[') && hostText.endsWith(u']'))
        hostText = hostText.mid(1, hostText.size() - 2);
    bool ok = false;
    const uint value = text.mid(colon + 1).toUInt(&ok);
    if (!ok || value > 65535)
        return false;
    if (hostText == u"localhost"_s)
        hostText = u"127.0.0.1"_s;
    QHostAddress address;
    if (!address.setAddress(hostText))
        return false;
    *host = address;
    *port = quint16(value);
    return true;
}

bool CollectorDaemon::parseArguments(const QStringList &arguments, Options *options, QString *error)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(u"perfdash collector: StatsD in, per-second aggregates out."_s);
    const QCommandLineOption db(u"db"_s, u"SQLite database file (default %1)."_s.arg(RuntimePaths::defaultDatabase()),
        u"FILE"_s, RuntimePaths::defaultDatabase());
    const QCommandLineOption runtime = RuntimePaths::runtimeDirOption(
        u"Folder for live.sock and the lock (default %1)."_s.arg(RuntimePaths::defaultRuntimeDir()));
    const QCommandLineOption udp(u"udp"_s,
        u"StatsD UDP listen address; port 0 picks a free one (default %1)."_s.arg(options->udp), u"HOST:PORT"_s,
        options->udp);
    const QCommandLineOption grace(u"grace-ms"_s,
        u"How long a second stays open for late data (default %1)."_s.arg(options->graceMs), u"MS"_s,
        QString::number(options->graceMs));
    const QCommandLineOption maxSeries(u"max-series"_s,
        u"How many live series the collector keeps, every source together; samples of more are refused and counted "
        "(default %1)."_s.arg(options->series.maxSeries),
        u"N"_s, QString::number(options->series.maxSeries));
    const QCommandLineOption maxSeriesPerSource(u"max-series-per-source"_s,
        u"How many live series one sending process may have (default %1)."_s.arg(options->series.maxSeriesPerSource),
        u"N"_s, QString::number(options->series.maxSeriesPerSource));
    const QCommandLineOption seriesIdle(u"series-idle"_s,
        u"How long a series may go without samples before the collector forgets it, e.g. 10m (default), 1h."_s,
        u"DURATION"_s, u"10m"_s);
    const QCommandLineOption retention(u"retention"_s,
        u"How long each tier and each kind of work record is kept, e.g. "
        "1s=48h,1m=35d,1h=400d,ops=90d,runs=90d,api_calls=90d,notifications=90d (the defaults)."_s,
        u"SPEC"_s);
    const QCommandLineOption watchPid(
        u"watch-pid"_s, u"Also sample this process's CPU, memory and threads (repeatable)."_s, u"PID"_s);
    const QCommandLineOption sampleInterval(u"sample-interval"_s,
        u"How often the system, the source processes and the GPUs are sampled, e.g. 500ms, 1s (default), 5s; "
        "0 or off turns sampling off."_s,
        u"DURATION"_s, u"1s"_s);
    const QCommandLineOption noSampling(u"no-sampling"_s, u"Same as --sample-interval off."_s);
    const QCommandLineOption rules(u"rules"_s,
        u"Alert rules file (default %1; without one, the PERF_* defaults, docs/alerts.md)."_s.arg(
            AlertRules::defaultPath()),
        u"FILE"_s);
    const QCommandLineOption http(u"http"_s,
        u"Serve the summary route over HTTP on HOST:PORT (port 0 picks one; loopback only unless "
        "--http-allow-remote)."_s,
        u"HOST:PORT"_s);
    const QCommandLineOption httpRemote(u"http-allow-remote"_s,
        u"Allow --http on an address other than loopback: anyone who reaches it can read the summaries."_s);
    const QCommandLineOption push(u"push"_s,
        u"Push each interval's aggregates to a Prometheus-compatible import endpoint, such as VictoriaMetrics' "
        "http://127.0.0.1:8428 (docs/fleet.md)."_s,
        u"URL"_s);
    const QCommandLineOption pushInterval(
        u"push-interval"_s, u"How often to push, e.g. 10s (default), 1m."_s, u"DURATION"_s, u"10s"_s);
    const QCommandLineOption pushLabel(u"push-label"_s,
        u"A label on every pushed and /metrics series (repeatable); host=NAME replaces the machine's name."_s,
        u"NAME=VALUE"_s);
    const QCommandLineOption pushBuffer(u"push-buffer"_s,
        u"How much unsent push data to keep while the server is away, e.g. 64MiB (default), 512KiB."_s, u"SIZE"_s,
        u"64MiB"_s);
    parser.addOptions({ db, runtime, udp, grace, maxSeries, maxSeriesPerSource, seriesIdle, retention, watchPid,
        sampleInterval, noSampling, rules, http, httpRemote, push, pushInterval, pushLabel, pushBuffer });
    if (!parser.parse(QStringList { u"perfdashd"_s } + arguments)) {
        *error = parser.errorText();
        return false;
    }
    if (!parser.positionalArguments().isEmpty()) {
        *error = u"unexpected argument: "_s % parser.positionalArguments().constFirst();
        return false;
    }
    options->dbPath = QFileInfo(parser.value(db)).absoluteFilePath();
    options->runtimeDir = RuntimePaths::runtimeDir(parser, runtime);
    options->udp = parser.value(udp);
    QHostAddress host;
    quint16 port = 0;
    if (!parseHostPort(options->udp, &host, &port)) {
        *error = u"--udp wants HOST:PORT, such as 127.0.0.1:8125, not \"%1\""_s.arg(options->udp);
        return false;
    }
    bool ok = false;
    options->graceMs = parser.value(grace).toLongLong(&ok);
    if (!ok || options->graceMs < 0 || options->graceMs > 60000) {
        *error = u"--grace-ms wants a number of milliseconds from 0 to 60000"_s;
        return false;
    }
    options->series.maxSeries = parser.value(maxSeries).toLongLong(&ok);
    if (!ok || options->series.maxSeries < 1 || options->series.maxSeries > 100000000) {
        *error = u"--max-series wants a number from 1 to 100000000, not \"%1\""_s.arg(parser.value(maxSeries));
        return false;
    }
    options->series.maxSeriesPerSource = parser.value(maxSeriesPerSource).toLongLong(&ok);
    if (!ok || options->series.maxSeriesPerSource < 1 || options->series.maxSeriesPerSource > 100000000) {
        *error = u"--max-series-per-source wants a number from 1 to 100000000, not \"%1\""_s.arg(
            parser.value(maxSeriesPerSource));
        return false;
    }
    const auto idle = Duration::parse(parser.value(seriesIdle));
    if (!idle || *idle < 10) {
        *error = u"--series-idle wants a duration of at least 10s, such as 10m or 1h, not \"%1\""_s.arg(
            parser.value(seriesIdle));
        return false;
    }
    options->series.idleSeconds = *idle;
    // Idle series are looked for every tenth of the idle time, but not more often than every 10 s (a sweep that
    // releases series makes the next frame sort every key again) nor less often than every minute.
    options->series.sweepSeconds = std::clamp<qint64>(*idle / 10, 10, 60);
    if (parser.isSet(retention)
        && !parseRetention(parser.value(retention), &options->retention, &options->workRetention)) {
        *error = u"--retention wants name=duration pairs such as 1s=48h,1m=35d,1h=400d,ops=90d,runs=90d,"
                 "api_calls=90d,notifications=90d (0 keeps work records forever), not \"%1\""_s.arg(
                     parser.value(retention));
        return false;
    }
    const auto interval = parseSampleInterval(parser.value(sampleInterval));
    if (!interval) {
        *error
            = u"--sample-interval wants a duration from 100ms to 1h (such as 500ms, 1s, 2.5s) or off, not \"%1\""_s.arg(
                parser.value(sampleInterval));
        return false;
    }
    options->sampleIntervalMs = parser.isSet(noSampling) ? 0 : *interval;
    options->http = parser.value(http);
    options->httpRemote = parser.isSet(httpRemote);
    if (!options->http.isEmpty()) {
        QHostAddress httpHost;
        quint16 httpPort = 0;
        if (!parseHostPort(options->http, &httpHost, &httpPort)) {
            *error = u"--http wants HOST:PORT, such as 127.0.0.1:9464, not \"%1\""_s.arg(options->http);
            return false;
        }
        if (!httpHost.isLoopback() && !options->httpRemote) {
            *error = u"--http %1 is not a loopback address: anyone who reaches it could read your summaries; add "
                     "--http-allow-remote if that is what you want"_s.arg(options->http);
            return false;
        }
    }
    if (parser.isSet(push)) {
        const QUrl url = PromPusher::importUrl(parser.value(push));
        if (!url.isValid()) {
            *error = u"--push wants an http:// or https:// URL such as http://127.0.0.1:8428, not \"%1\""_s.arg(
                parser.value(push));
            return false;
        }
        options->pushUrl = url.toString();
    }
    const auto pushSeconds = Duration::parse(parser.value(pushInterval));
    if (!pushSeconds || *pushSeconds > 3600) {
        *error = u"--push-interval wants a duration from 1s to 1h, such as 10s or 1m, not \"%1\""_s.arg(
            parser.value(pushInterval));
        return false;
    }
    options->pushIntervalMs = *pushSeconds * 1000;
    const auto bufferBytes = PromPusher::parseSize(parser.value(pushBuffer));
    if (!bufferBytes) {
        *error = u"--push-buffer wants a size from 1KiB to 16GiB, such as 64MiB, not \"%1\""_s.arg(
            parser.value(pushBuffer));
        return false;
    }
    options->pushBufferBytes = *bufferBytes;
    options->fleetLabels = { { PromSchema::kHostLabel, QSysInfo::machineHostName() } };
    for (const QString &text : parser.values(pushLabel)) {
        const QString name = text.section(u'=', 0, 0).trimmed();
        const QString value = text.section(u'=', 1);
        const QByteArray latin = name.toLatin1();
        // A name PromQL accepts and the schema does not own; the sanitised name must be the name given.
        if (!text.contains(u'=') || name.isEmpty() || value.isEmpty() || PromSchema::labelName(name) != latin) {
            *error = u"--push-label wants NAME=VALUE with a label name of letters, digits and _ (not one perfdash "
                     "uses itself), such as host=gpu-01, not \"%1\""_s.arg(text);
            return false;
        }
        bool replaced = false;
        for (auto &[key, existing] : options->fleetLabels) {
            if (key == latin) {
                existing = value;
                replaced = true;
            }
        }
        if (!replaced)
            options->fleetLabels.push_back({ latin, value });
    }
    options->rulesPathGiven = parser.isSet(rules);
    options->rulesPath
        = options->rulesPathGiven ? QFileInfo(parser.value(rules)).absoluteFilePath() : AlertRules::defaultPath();
    options->watchPids.clear();
    for (const QString &text : parser.values(watchPid)) {
        bool pidOk = false;
        const qint64 pid = text.toLongLong(&pidOk);
        if (!pidOk || pid <= 0 || pid > std::numeric_limits<qint32>::max()) {
            *error = u"--watch-pid wants a process id, not \"%1\""_s.arg(text);
            return false;
        }
        options->watchPids.push_back(pid);
    }
    return true;
}

std::optional<qint64> CollectorDaemon::parseSampleInterval(const QString &input)
{
    const QString text = input.trimmed();
    if (text == u"0"_s || text == u"off"_s)
        return 0;
    double scale = 1000.0;
    QStringView number = text;
    if (text.endsWith(u"ms"_s)) {
        scale = 1.0;
        number.chop(2);
    } else if (text.endsWith(u's')) {
        number.chop(1);
    } else if (text.endsWith(u'm')) {
        scale = 60000.0;
        number.chop(1);
    }
    const QByteArray latin = number.toLatin1();
    double value = 0;
    const auto [ptr, ec] = std::from_chars(latin.constData(), latin.constData() + latin.size(), value);
    if (latin.isEmpty() || ec != std::errc() || ptr != latin.constData() + latin.size() || !std::isfinite(value))
        return std::nullopt;
    const double ms = value * scale;
    if (ms < 100 || ms > 3600 * 1000)
        return std::nullopt;
    return qint64(std::llround(ms));
}

bool CollectorDaemon::parseRetention(const QString &text, Retention *retention, WorkRetention *work)
{
    Retention out = *retention;
    WorkRetention outWork = work ? *work : WorkRetention {};
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts)) {
        const QString tier = part.section(u'=', 0, 0).trimmed();
        const QString value = part.section(u'=', 1).trimmed();
        if (part.count(u'=') != 1)
            return false;
        qint64 *workTarget = !work       ? nullptr
            : tier == u"ops"_s           ? &outWork.operations
            : tier == u"runs"_s          ? &outWork.runs
            : tier == u"api_calls"_s     ? &outWork.apiCalls
            : tier == u"notifications"_s ? &outWork.notifications
                                         : nullptr;
        const auto duration
            = workTarget && value == u"0"_s ? std::optional<qint64>(0) : ExportArguments::parseDuration(value);
        if (!duration)
            return false;
        if (workTarget)
            *workTarget = *duration;
        else if (tier == u"1s"_s)
            out.second = *duration;
        else if (tier == u"1m"_s)
            out.minute = *duration;
        else if (tier == u"1h"_s)
            out.hour = *duration;
        else
            return false;
    }
    *retention = out;
    if (work)
        *work = outWork;
    return true;
}

CollectorDaemon::CollectorDaemon(Options options)
    : m_options(std::move(options))
{ }

CollectorDaemon::~CollectorDaemon()
{
    stop();
}

bool CollectorDaemon::start(QString *error)
{
    CollectorConfig config;
    if (!parseHostPort(m_options.udp, &config.udpHost, &config.udpPort)) {
        *error = u"bad UDP address "_s % m_options.udp;
        return false;
    }
    config.runtimeDir = m_options.runtimeDir;
    config.dbPath = m_options.dbPath;
    config.rulesPath = m_options.rulesPath.isEmpty() ? AlertRules::defaultPath() : m_options.rulesPath;
    config.graceMs = m_options.graceMs;
    config.series = m_options.series;
    config.sampler.intervalMs = m_options.sampleIntervalMs;
    config.watchPids = m_options.watchPids;
    m_service = std::make_unique<CollectorService>(config);
    // The service takes the instance lock before anything touches the database.
    if (!m_service->start(error)) {
        m_service.reset();
        return false;
    }
    StorageOptions storageOptions;
    storageOptions.retention = m_options.retention;
    storageOptions.workRetention = m_options.workRetention;
    m_storage = std::make_unique<StorageThread>(m_options.dbPath, storageOptions);
    const auto opened = m_storage->start();
    if (!opened.ok) {
        *error = u"cannot open the database %1: %2"_s.arg(m_options.dbPath, opened.error);
        m_service.reset();
        m_storage.reset();
        return false;
    }
    m_notice = opened.notice;
    for (const qint64 pid : std::as_const(m_options.watchPids)) {
        // Not an error: the pid is counted in sampler.unreadable_pids, and the collector runs on.
        if (m_options.sampleIntervalMs > 0 && !QFileInfo::exists(u"/proc/%1/stat"_s.arg(pid)))
            qWarning("perfdashd: --watch-pid %lld: no such process, not sampled", pid);
    }
    // Provisional seconds are stored too, so a crash loses at most the open second and one flush; the final frame
    // of a second replaces its provisional row. Both kinds of one tick go to storage as one post (one flush).
    const auto collect = [this](const QVector<LiveFrame> &frames) {
        const bool schedule = m_pendingFrames.isEmpty();
        m_pendingFrames += frames;
        if (schedule)
            QMetaObject::invokeMethod(
                m_service.get(), [this]() { postPendingFrames(); }, Qt::QueuedConnection);
    };
    QObject::connect(m_service.get(), &CollectorService::framesPublished, m_service.get(), collect);
    QObject::connect(m_service.get(), &CollectorService::framesClosed, m_service.get(), collect);
    QObject::connect(m_service.get(), &CollectorService::eventsReceived, m_service.get(),
        [storage = m_storage.get()](const QVector<TimelineEvent> &events) { storage->postEvents(events); });
    QObject::connect(m_service.get(), &CollectorService::workRecordsReceived, m_service.get(),
        [storage = m_storage.get()](const WorkRecordBatch &work) { storage->postWorkRecords(work); });
    QObject::connect(m_service.get(), &CollectorService::baselinesReceived, m_service.get(),
        [storage = m_storage.get()](const QVector<Baseline::Stored> &baselines) { storage->postBaselines(baselines); });
    // Storage health in the stats ("storage full" included) and as perfdash.storage.* self-metrics.
    m_service->addStatusProvider(u"storage"_s, [storage = m_storage.get(), path = m_options.dbPath]() {
        // The file and its write-ahead log: what the database takes on disk.
        const double bytes = double(QFileInfo(path).size() + QFileInfo(path + u"-wal"_s).size());
        return QJsonObject {
            { u"queued_frames"_s, storage->queuedFrames() },
            { u"database_mb"_s, std::round(bytes / (1024.0 * 1024.0) * 100) / 100 },
            { u"full"_s, storage->storageFull() },
            { u"locked"_s, storage->locked() },
            { u"dropped_frames"_s, qint64(storage->droppedFrames()) },
            { u"dropped_values"_s, qint64(storage->droppedValues()) },
            { u"provisional_skipped"_s, qint64(storage->counters().provisionalSkipped.load()) },
            { u"dropped_events"_s, qint64(storage->droppedEvents()) },
            { u"dropped_work_records"_s, qint64(storage->counters().droppedWorkRecords.load()) },
            { u"baselines_written"_s, qint64(storage->counters().baselinesWritten.load()) },
            { u"dropped_baselines"_s, qint64(storage->counters().droppedBaselines.load()) },
            { u"baselines_formed"_s, qint64(storage->counters().baselinesFormed.load()) },
            { u"alert_events_written"_s, qint64(storage->counters().alertEventsWritten.load()) },
            { u"dropped_alert_events"_s, qint64(storage->counters().droppedAlertEvents.load()) },
        };
    });
    // Alert rules, evaluated on their own thread from what storage holds (docs/alerts.md).
    AlertDriver::Options alertOptions;
    alertOptions.rulesPath = m_options.rulesPath.isEmpty() ? AlertRules::defaultPath() : m_options.rulesPath;
    alertOptions.rulesPathGiven = m_options.rulesPathGiven;
    alertOptions.dbPath = m_options.dbPath;
    QStringList alertWarnings;
    alertOptions.interval = AlertRules::intervalFromEnvironment(&alertWarnings);
    m_alerts = std::make_unique<AlertDriver>(alertOptions, m_storage.get());
    if (!m_alerts->start(error, &alertWarnings)) {
        m_alerts.reset();
        m_service.reset();
        m_storage.reset();
        return false;
    }
    for (const QString &warning : std::as_const(alertWarnings))
        qWarning("perfdashd: %s", qUtf8Printable(warning));
    QObject::connect(
        m_alerts.get(), &AlertDriver::alertEvents, m_service.get(), [this](const QVector<AlertEvent> &events) {
            m_storage->postAlertEvents(events);
            m_service->publishAlerts(events);
            for (const AlertEvent &e : events) {
                if (e.state == u"firing"_s || e.state == u"resolved"_s)
                    qInfo("perfdashd: alert %s: %s", qUtf8Printable(e.state), qUtf8Printable(e.message));
            }
        });
    m_service->addStatusProvider(u"alerts"_s, [alerts = m_alerts.get()]() { return alerts->status(); });
    if (!m_options.http.isEmpty()) {
        QHostAddress httpHost;
        quint16 httpPort = 0;
        parseHostPort(m_options.http, &httpHost, &httpPort);
        // /metrics from the final seconds as they close, through the KPI layer (collector/metricsexporter.h).
        m_metrics = std::make_unique<MetricsExporter>(fleetLabels());
        QObject::connect(m_service.get(), &CollectorService::framesClosed, m_service.get(),
            [this](const QVector<LiveFrame> &frames) { m_metrics->ingest(frames, m_service->statsSnapshot()); });
        m_http
            = std::make_unique<HttpApi>(m_options.dbPath, [metrics = m_metrics.get()]() { return metrics->render(); });
        QString why;
        if (!m_http->start(httpHost, httpPort, &why)) {
            *error = u"--http %1: %2"_s.arg(m_options.http, why);
            m_http.reset();
            m_alerts.reset();
            m_service.reset();
            m_storage.reset();
            return false;
        }
    }
    if (!m_options.pushUrl.isEmpty()) {
        // The push: its own encoder and its own thread; the collector thread only folds frames and hands bytes over.
        m_push = std::make_unique<PushDriver>(PushDriver::Options {
            QUrl(m_options.pushUrl), m_options.pushIntervalMs, fleetLabels(), m_options.pushBufferBytes });
        QObject::connect(m_service.get(), &CollectorService::framesClosed, m_service.get(),
            [push = m_push.get()](const QVector<LiveFrame> &frames) { push->ingest(frames); });
        m_service->addStatusProvider(u"push"_s, [push = m_push.get()]() { return push->status(); });
        m_push->start();
    }
    m_storageWatch.setInterval(1000);
    QObject::connect(&m_storageWatch, &QTimer::timeout, [this]() {
        const bool full = m_storage->storageFull();
        if (full != m_reportedFull) {
            m_reportedFull = full;
            qWarning("perfdashd: %s",
                full ? "storage full: collecting goes on; writes are retried and the queue drops "
                       "what does not fit until space returns"
                     : "storage writable again");
        }
        const quint64 drops = m_storage->droppedFrames();
        if (drops != m_reportedDrops) {
            m_reportedDrops = drops;
            qWarning("perfdashd: storage queue full: %llu seconds of frames dropped so far", drops);
        }
    });
    m_storageWatch.start();
    return true;
}

QString CollectorDaemon::readyLine() const
{
    QString line
        = u"ready udp=%1 live=%2 db=%3"_s.arg(m_service->udpAddress(), m_service->livePath(), m_options.dbPath);
    if (m_http)
        line += u" http="_s % m_http->address();
    return line;
}

void CollectorDaemon::postPendingFrames()
{
    if (!m_storage || m_pendingFrames.isEmpty())
        return;
    qint64 closedUpTo = 0;
    for (const LiveFrame &frame : std::as_const(m_pendingFrames)) {
        if (!frame.provisional)
            closedUpTo = std::max(closedUpTo, frame.second + 1);
    }
    m_storage->post(std::exchange(m_pendingFrames, {}));
    // The final seconds are in storage's queue now: evaluations due up to them may flush and read.
    if (m_alerts && closedUpTo > 0)
        m_alerts->secondsClosed(closedUpTo);
}

void CollectorDaemon::stop()
{
    m_storageWatch.stop();
    if (m_service)
        m_service->flush();
    postPendingFrames();
    if (m_push)
        m_push->stop(); // the seconds flush() just closed go out too, or are counted as dropped
    m_http.reset();
    m_metrics.reset();
    m_alerts.reset(); // stops the evaluation thread before storage goes
    m_storage.reset(); // writes what is queued, then closes
    m_service.reset();
    m_push.reset();
}

PromSchema::Labels CollectorDaemon::fleetLabels() const
{
    // Options parsed elsewhere (tests) may have none: the machine's name, as on a command line without --push-label.
    if (m_options.fleetLabels.isEmpty())
        return { { PromSchema::kHostLabel, QSysInfo::machineHostName() } };
    return m_options.fleetLabels;
}

} // namespace perfdash
