// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/alertevaluator.h"

#include <QFileSystemWatcher>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>

class QThread;

namespace perfdash {

class AlertWorker;
class StorageThread;

// Runs the collector's alert rules (docs/alerts.md): loads the rules file (or the PERF_* defaults), reloads it when it
// changes (a refused file leaves the running rules running), and evaluates every interval on its own thread, from
// what storage holds once the interval's seconds are final and flushed. Transitions go to alert_events and out
// through alertEvents(). Lives on perfdashd's main thread; the evaluation never runs there.
class AlertDriver : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertDriver)
public:
    struct Options {
        QString rulesPath; // the rules file
        bool rulesPathGiven = false; // --rules: the file must exist and be valid at start
        qint64 interval = 60; // PERF_MONITORING_INTERVAL
        QString dbPath;
    };

    AlertDriver(Options options, StorageThread *storage, QObject *parent = nullptr);
    ~AlertDriver() override;

    // Loads the rules and starts the evaluation thread (which resumes the stored alert states). False with a
    // sentence when --rules names a missing or invalid file. *warnings: what to tell the user at start (bad PERF_*
    // values, a refused default file).
    bool start(QString *error, QStringList *warnings);
    // Storage has been handed every final second before `second` (exclusive): evaluations due up to it can run.
    void secondsClosed(qint64 second);
    QJsonObject status() const;

Q_SIGNALS:
    void alertEvents(const QVector<perfdash::AlertEvent> &events);

private:
    void reload();
    void watch();
    void apply(const RuleSet &set, const QString &source);

    Options m_options;
    StorageThread *m_storage;
    std::unique_ptr<QThread> m_thread;
    AlertWorker *m_worker = nullptr; // lives on m_thread
    QFileSystemWatcher m_watcher;
    QTimer m_reloadDelay;
    RuleSet m_rules;
    QString m_rulesSource; // the file, or "defaults"
    QString m_lastError; // why the last reload was refused
    qint64 m_closedUpTo = 0;
    qint64 m_lastDue = 0;
    quint64 m_refused = 0;

public:
    // Shared with the worker, read by status().
    struct Counters {
        std::atomic<quint64> evaluations { 0 };
        std::atomic<quint64> lastEvaluationUs { 0 };
        std::atomic<quint64> readFailures { 0 };
        std::atomic<int> firing { 0 };
        std::atomic<int> pending { 0 };
        std::atomic<qint64> lastEvaluated { 0 };
    };

private:
    std::shared_ptr<Counters> m_counters;
};

} // namespace perfdash
