// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/gui/alertpreviewworker.h"

#include "app/promreportsource.h"
#include "app/sourcereplay.h"
#include "models/sourcecatalog.h"

#include <QThread>

#include <map>
#include <memory>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

// Runs on the worker thread: one replay per call, answered by signal.
class AlertReplayJob : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertReplayJob)
public:
    explicit AlertReplayJob(AlertPreviewWorker::Replay replay, QObject *parent = nullptr)
        : QObject(parent)
        , m_replay(std::move(replay))
    { }

    void replay(const AlertRule &rule, qint64 from, qint64 to, qint64 interval, quint64 generation)
    {
        AlertDataReader::ReplayResult result;
        QString error;
        if (!m_replay(rule, from, to, interval, &result, &error)) {
            Q_EMIT failed(generation, error);
            return;
        }
        AlertPreview preview;
        preview.rule = rule;
        preview.from = result.from;
        preview.to = result.to;
        preview.interval = result.interval;
        if (!result.rules.isEmpty())
            preview.result = std::move(result.rules.first());
        Q_EMIT ready(generation, preview);
    }

Q_SIGNALS:
    void ready(quint64 generation, const perfdash::AlertPreview &preview);
    void failed(quint64 generation, const QString &message);

private:
    AlertPreviewWorker::Replay m_replay;
};

AlertPreviewWorker::AlertPreviewWorker(const QString &dbPath, QObject *parent)
    : AlertPreviewWorker(
        [dbPath](const AlertRule &rule, qint64 from, qint64 to, qint64 interval, AlertDataReader::ReplayResult *out,
            QString *error) { return AlertDataReader::replay(dbPath, { rule }, from, to, interval, true, out, error); },
        parent)
{ }

AlertPreviewWorker::AlertPreviewWorker(const QUrl &server, QObject *parent)
    : AlertPreviewWorker(
        // The sources live on the worker's thread: created there on first use, destroyed there with the job.
        [server, sources = std::make_shared<std::map<QString, std::unique_ptr<PromReportSource>>>()](
            const AlertRule &rule, qint64 from, qint64 to, qint64 interval, AlertDataReader::ReplayResult *out,
            QString *error) {
            const HostedName hosted = splitHost(rule.model);
            auto &source = (*sources)[hosted.host];
            if (!source)
                source = std::make_unique<PromReportSource>(server, hosted.host, 30000);
            AlertRule onHost = rule;
            onHost.model = hosted.name;
            return SourceReplay::replay(*source, { onHost }, from, to, interval, true, out, error);
        },
        parent)
{ }

AlertPreviewWorker::AlertPreviewWorker(Replay replay, QObject *parent)
    : AlertPreviewSource(parent)
    , m_thread(std::make_unique<QThread>())
    , m_job(new AlertReplayJob(std::move(replay)))
    , m_interval(AlertRules::intervalFromEnvironment())
{
    qRegisterMetaType<AlertPreview>();
    m_thread->setObjectName(u"perfdash-alert-preview"_s);
    m_job->moveToThread(m_thread.get());
    connect(m_thread.get(), &QThread::finished, m_job, &QObject::deleteLater);
    connect(m_job, &AlertReplayJob::ready, this, [this](quint64 generation, const AlertPreview &preview) {
        // An answer with a newer request waiting is already stale: only the newest is worth showing.
        if (!m_waiting)
            Q_EMIT previewReady(generation, preview);
        onReplayDone();
    });
    connect(m_job, &AlertReplayJob::failed, this, [this](quint64 generation, const QString &message) {
        if (!m_waiting)
            Q_EMIT previewFailed(generation, message);
        onReplayDone();
    });
    m_thread->start();
}

AlertPreviewWorker::~AlertPreviewWorker()
{
    // A replay in progress finishes first: the job holds its own connection and must close it on its thread.
    m_thread->quit();
    m_thread->wait();
}

void AlertPreviewWorker::requestPreview(const AlertRule &rule, qint64 from, qint64 to, quint64 generation)
{
    const Request request { rule, from, to, generation };
    if (m_running) {
        m_waiting = request;
        return;
    }
    start(request);
}

void AlertPreviewWorker::start(const Request &request)
{
    m_running = true;
    ++m_started;
    Q_EMIT replayStarted(request.generation);
    QMetaObject::invokeMethod(
        m_job,
        [job = m_job, request, interval = m_interval]() {
            job->replay(request.rule, request.from, request.to, interval, request.generation);
        },
        Qt::QueuedConnection);
}

void AlertPreviewWorker::onReplayDone()
{
    m_running = false;
    if (m_waiting) {
        const Request next = *std::exchange(m_waiting, std::nullopt);
        start(next);
    }
}

} // namespace perfdash

#include "alertpreviewworker.moc"
