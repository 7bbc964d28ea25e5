// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/alertpreviewsource.h"
#include "storage/alertdatareader.h"

#include <QUrl>

#include <functional>

#include <memory>
#include <optional>

class QThread;

namespace perfdash {

class AlertReplayJob;

// The rule editor's preview: a replay with samples on a thread of its own, at the interval
// AlertRules::intervalFromEnvironment() gives, over a database file (AlertDataReader::replay, its own read-only
// connection) or a Prometheus-compatible server (SourceReplay over PromReportSource: merged, or one host's series
// when the rule's model names it, "m1 · host a"). One replay runs at a time; a request made meanwhile waits,
// replacing any older waiting one. Created and called on the GUI thread.
class AlertPreviewWorker : public AlertPreviewSource {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertPreviewWorker)
public:
    // One rule's replay, called on the worker's thread (and destroyed there).
    using Replay = std::function<bool(
        const AlertRule &rule, qint64 from, qint64 to, qint64 interval, AlertDataReader::ReplayResult *, QString *)>;
    explicit AlertPreviewWorker(const QString &dbPath, QObject *parent = nullptr);
    explicit AlertPreviewWorker(const QUrl &server, QObject *parent = nullptr);
    AlertPreviewWorker(Replay replay, QObject *parent);
    ~AlertPreviewWorker() override;

    void requestPreview(const AlertRule &rule, qint64 from, qint64 to, quint64 generation) override;
    int replaysStarted() const { return m_started; } // requests that were replaced while waiting never start

Q_SIGNALS:
    void replayStarted(quint64 generation);

private:
    struct Request {
        AlertRule rule;
        qint64 from = 0, to = 0;
        quint64 generation = 0;
    };
    void start(const Request &request);
    void onReplayDone();

    std::unique_ptr<QThread> m_thread;
    AlertReplayJob *m_job = nullptr; // lives on m_thread, deleted there
    qint64 m_interval = 60;
    bool m_running = false;
    std::optional<Request> m_waiting;
    int m_started = 0;
};

} // namespace perfdash
