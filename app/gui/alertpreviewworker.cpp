// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/gui/alertpreviewworker.h"

#include "storage/alertdatareader.h"

#include <QThread>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

// Runs on the worker thread: one replay per call, answered by signal.
class AlertReplayJob : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertReplayJob)
public:
    explicit AlertReplayJob(QString dbPath, QObject *parent = nullptr)
        : QObject(parent)
        , m_dbPath(std::move(dbPath))
    { }

    void replay(const AlertRule &rule, qint64 from, qint64 to, qint64 interval, quint64 generation)
    {
        AlertDataReader::ReplayResult result;
        QString error;
        if (!AlertDataReader::replay(m_dbPath, { rule }, from, to, interval, true, &result, &error)) {
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
    QString m_dbPath;
};

AlertPreviewWorker::AlertPreviewWorker(const QString &dbPath, QObject *parent)
    : AlertPreviewSource(parent)
    , m_thread(std::make_unique<QThread>())
    , m_job(new AlertReplayJob(dbPath))
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
