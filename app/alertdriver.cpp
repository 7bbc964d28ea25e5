// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/alertdriver.h"

#include "models/timebucket.h"
#include "storage/alertdatareader.h"
#include "storage/alertstore.h"
#include "storage/database.h"
#include "storage/rulesfile.h"
#include "storage/storagewriter.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QThread>

#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

// The evaluation thread's side: its own read-only connection, the engine and its states.
class AlertWorker : public QObject {
    Q_OBJECT
public:
    AlertWorker(
        QString dbPath, qint64 interval, StorageThread *storage, std::shared_ptr<AlertDriver::Counters> counters)
        : m_dbPath(std::move(dbPath))
        , m_connection(u"perfdashd-alerts"_s)
        , m_engine(interval)
        , m_storage(storage)
        , m_counters(std::move(counters))
    { }
    ~AlertWorker() override
    {
        if (m_open)
            QSqlDatabase::removeDatabase(m_connection);
    }

    // First call: opens the connection and resumes the stored states of the rules' alerts; a firing alert whose
    // rule is gone resolves now. Later calls: the engine keeps what stays and resolves what was removed or changed.
    void setRules(const QVector<AlertRule> &rules, qint64 now)
    {
        QVector<AlertEvent> events = m_engine.setRules(rules, now);
        if (!m_open) {
            m_open = Database::openReadOnly(m_connection, m_dbPath).ok;
            QVector<AlertEvent> latest;
            QString error;
            QSqlDatabase db = QSqlDatabase::database(m_connection, false);
            if (m_open && AlertStore::latest(db, &latest, &error)) {
                for (const AlertEvent &e : std::as_const(latest))
                    events += resume(e, rules, now);
            } else if (m_open) {
                qWarning("perfdashd: alerts: cannot read the stored alert states: %s", qPrintable(error));
            }
        }
        publish(events);
    }

    // Evaluates every due time in (last evaluated, closedUpTo]; at most a few intervals of catch-up.
    void evaluateUpTo(qint64 closedUpTo)
    {
        if (!m_open)
            return;
        const qint64 interval = m_engine.interval();
        qint64 t = floorTo(closedUpTo, interval);
        if (t <= m_lastEvaluated)
            return;
        constexpr int maxCatchUp = 5;
        // Evaluation times are multiples of the interval (AlertEvaluator::isDue), whenever the collector started.
        const qint64 first = std::max(floorTo(m_lastEvaluated, interval) + interval, t - (maxCatchUp - 1) * interval);
        // Everything posted so far is committed before it is read, the rollup tiers included. A failed flush (the
        // database locked or full) or read leaves the time unevaluated: the next closed second retries it.
        if (!m_storage->flush(FlushScope::Everything)) {
            ++m_counters->readFailures;
            return;
        }
        QElapsedTimer timer;
        timer.start();
        QVector<AlertEvent> events;
        const HistoryQuery query(m_connection);
        QVector<SeriesInfo> series;
        QString error;
        const QVector<AlertRule> &rules = m_engine.rules();
        const QVector<qint64> steps = AlertDataReader::stepsOf(rules, interval);
        // Each step's rules read their own data: the 1 s tier only for rules whose window needs it.
        QHash<qint64, qint64> spans;
        for (const qint64 step : steps) {
            QVector<AlertRule> ofStep;
            for (const AlertRule &r : rules) {
                if (AlertEvaluator::stepOf(r, interval) == step)
                    ofStep.append(r);
            }
            spans.insert(step, AlertEvaluator::maxWindow(ofStep, interval, step));
        }
        bool ok = query.seriesList(&series, &error);
        for (qint64 at = first; ok && at <= t; at += interval) {
            QVector<AlertEvent> atEvents;
            for (const qint64 step : steps) {
                AlertData data;
                ok = AlertDataReader::read(query, series, rules, interval, floorTo(at - spans.value(step), step), at,
                    step, QDateTime::currentSecsSinceEpoch(), &data, &error);
                if (!ok)
                    break;
                atEvents += m_engine.evaluate(at, data);
            }
            events += atEvents; // a transition already made stands even if a later step's read failed
            if (ok)
                m_lastEvaluated = at;
        }
        if (!ok) {
            ++m_counters->readFailures;
            qWarning("perfdashd: alerts: cannot read history: %s", qPrintable(error));
        }
        m_counters->evaluations += 1;
        m_counters->lastEvaluationUs = quint64(timer.nsecsElapsed() / 1000);
        m_counters->lastEvaluated = m_lastEvaluated;
        publish(events);
    }

Q_SIGNALS:
    void events(const QVector<perfdash::AlertEvent> &events);

private:
    QVector<AlertEvent> resume(const AlertEvent &e, const QVector<AlertRule> &rules, qint64 now)
    {
        using P = AlertState::Phase;
        const P phase = e.state == u"firing" ? P::Firing : e.state == u"pending" ? P::Pending : P::Inactive;
        if (phase == P::Inactive)
            return {};
        const auto rule = std::find_if(
            rules.begin(), rules.end(), [&](const AlertRule &r) { return r.id == e.ruleId && r.enabled; });
        // A rule whose threshold changed while the collector was stopped is another rule: as a reload would, its
        // firing alert resolves and it starts afresh.
        const bool same = rule != rules.end()
            && (rule->threshold == e.threshold || (std::isnan(rule->threshold) && std::isnan(e.threshold)));
        if (same) {
            // A pending alert resumes only if it was pending up to the stop: after a longer gap its `for` starts over.
            if (phase == P::Firing || e.time >= now - 2 * m_engine.interval())
                m_engine.restore(e.ruleId, e.instance, phase, e.time);
            return {};
        }
        if (phase != P::Firing)
            return {};
        AlertEvent resolved = e;
        resolved.time = now;
        resolved.state = u"resolved"_s;
        resolved.message = e.ruleName
            % (rule == rules.end() ? u": the rule was removed while the collector was stopped"_s
                                   : u": the rule was changed while the collector was stopped"_s);
        return { resolved };
    }

    void publish(const QVector<AlertEvent> &events)
    {
        int firing = 0, pending = 0;
        for (const auto &alert : m_engine.active())
            (alert.state.phase() == AlertState::Phase::Firing ? firing : pending) += 1;
        m_counters->firing = firing;
        m_counters->pending = pending;
        if (!events.isEmpty())
            Q_EMIT this->events(events);
    }

    QString m_dbPath;
    QString m_connection;
    bool m_open = false;
    AlertEngine m_engine;
    StorageThread *m_storage;
    std::shared_ptr<AlertDriver::Counters> m_counters;
    qint64 m_lastEvaluated = QDateTime::currentSecsSinceEpoch();
};

AlertDriver::AlertDriver(Options options, StorageThread *storage, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_storage(storage)
    , m_counters(std::make_shared<Counters>())
{
    m_reloadDelay.setSingleShot(true);
    m_reloadDelay.setInterval(200); // an editor's save is often several writes
    connect(&m_reloadDelay, &QTimer::timeout, this, &AlertDriver::reload);
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, [this]() { m_reloadDelay.start(); });
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, [this]() { m_reloadDelay.start(); });
}

AlertDriver::~AlertDriver()
{
    if (m_thread) {
        m_thread->quit();
        m_thread->wait();
    }
}

bool AlertDriver::start(QString *error, QStringList *warnings)
{
    const RulesFile::Loaded loaded = RulesFile::load(m_options.rulesPath);
    if (m_options.rulesPathGiven && !loaded.exists) {
        *error = u"--rules: no file "_s % m_options.rulesPath;
        return false;
    }
    if (loaded.exists && !loaded.rules) {
        if (m_options.rulesPathGiven) {
            *error = loaded.errorText(m_options.rulesPath);
            return false;
        }
        // The default file is broken: say so, and run the defaults until it is fixed.
        m_lastError = loaded.errorText(m_options.rulesPath);
        warnings->append(m_lastError % u"; using the PERF_* defaults until it is fixed"_s);
        ++m_refused;
    }
    QStringList envWarnings;
    const RuleSet defaults = AlertRules::defaults(&envWarnings);
    *warnings += envWarnings;

    m_thread = std::make_unique<QThread>();
    m_thread->setObjectName(u"perfdash-alerts"_s);
    m_worker = new AlertWorker(m_options.dbPath, m_options.interval, m_storage, m_counters);
    m_worker->moveToThread(m_thread.get());
    connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &AlertWorker::events, this, &AlertDriver::alertEvents);
    m_thread->start();
    if (loaded.rules)
        apply(*loaded.rules, m_options.rulesPath);
    else
        apply(defaults, u"defaults"_s);
    watch();
    return true;
}

void AlertDriver::watch()
{
    // The file, and its folder: an atomic save replaces the file, which a file watch alone would lose.
    for (const QString &path : RulesFile::watchPaths(m_options.rulesPath)) {
        if (!m_watcher.directories().contains(path) && !m_watcher.files().contains(path))
            m_watcher.addPath(path);
    }
}

void AlertDriver::reload()
{
    watch();
    const RulesFile::Loaded loaded = RulesFile::load(m_options.rulesPath);
    if (!loaded.exists) {
        if (m_rulesSource == u"defaults")
            return;
        if (m_options.rulesPathGiven) {
            qWarning("perfdashd: alerts: %s was removed; the running rules keep running",
                qUtf8Printable(m_options.rulesPath));
            return;
        }
        qInfo("perfdashd: alerts: %s was removed; using the PERF_* defaults", qUtf8Printable(m_options.rulesPath));
        apply(AlertRules::defaults(), u"defaults"_s);
        return;
    }
    if (!loaded.rules) {
        const QString text = loaded.errorText(m_options.rulesPath);
        if (text != m_lastError) {
            ++m_refused;
            m_lastError = text;
            qWarning("perfdashd: alerts: %s; the running rules keep running", qUtf8Printable(text));
        }
        return;
    }
    m_lastError.clear();
    if (m_rulesSource == m_options.rulesPath && loaded.rules->rules == m_rules.rules)
        return;
    apply(*loaded.rules, m_options.rulesPath);
    qInfo("perfdashd: alerts: %lld rules from %s", qint64(m_rules.rules.size()), qUtf8Printable(m_rulesSource));
}

void AlertDriver::apply(const RuleSet &set, const QString &source)
{
    m_rules = set;
    m_rulesSource = source;
    const QVector<AlertRule> rules = set.rules;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, rules, now]() { worker->setRules(rules, now); }, Qt::QueuedConnection);
}

void AlertDriver::secondsClosed(qint64 second)
{
    m_closedUpTo = std::max(m_closedUpTo, second);
    const qint64 due = floorTo(m_closedUpTo, m_options.interval);
    if (due <= m_lastDue || !m_worker)
        return;
    m_lastDue = due;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, second = m_closedUpTo]() { worker->evaluateUpTo(second); }, Qt::QueuedConnection);
}

QJsonObject AlertDriver::status() const
{
    int enabled = 0;
    for (const AlertRule &r : m_rules.rules)
        enabled += r.enabled ? 1 : 0;
    return QJsonObject {
        { u"rules"_s, enabled },
        { u"rules_source"_s, m_rulesSource },
        { u"rules_refused"_s, qint64(m_refused) },
        { u"rules_error"_s, m_lastError },
        { u"interval_s"_s, m_options.interval },
        { u"firing"_s, m_counters->firing.load() },
        { u"pending"_s, m_counters->pending.load() },
        { u"evaluations"_s, qint64(m_counters->evaluations.load()) },
        { u"last_evaluation_us"_s, qint64(m_counters->lastEvaluationUs.load()) },
        { u"last_evaluated"_s, m_counters->lastEvaluated.load() },
        { u"read_failures"_s, qint64(m_counters->readFailures.load()) },
    };
}

} // namespace perfdash

#include "alertdriver.moc"
