// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/gui/fleetjobs.h"

#include "app/promreportsource.h"

#include <QPointer>

#include <map>
#include <memory>

namespace perfdash {

// The sources, one per host asked for, created and used on the jobs' thread only.
class FleetJobsWorker : public QObject {
public:
    explicit FleetJobsWorker(QUrl server)
        : m_server(std::move(server))
    { }
    PromReportSource &source(const QString &host)
    {
        auto &s = m_sources[host];
        if (!s)
            s = std::make_unique<PromReportSource>(m_server, host, 30000);
        return *s;
    }

private:
    QUrl m_server;
    std::map<QString, std::unique_ptr<PromReportSource>> m_sources;
};

FleetJobs::FleetJobs(QUrl server, QObject *parent)
    : QObject(parent)
    , m_server(std::move(server))
    , m_worker(new FleetJobsWorker(m_server))
{
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.setObjectName(QStringLiteral("perfdash-fleet-jobs"));
    m_thread.start(QThread::LowPriority);
}

FleetJobs::~FleetJobs()
{
    // exit() also ends the event loop a waiting PromSync call runs: the job returns with an error, its answer is
    // posted to this object and dropped with it.
    m_thread.quit();
    m_thread.wait();
}

void FleetJobs::run(const QString &host, Job job)
{
    FleetJobsWorker *worker = m_worker;
    QMetaObject::invokeMethod(
        worker,
        [this, worker, host, job = std::move(job)]() {
            Answer answer = job(worker->source(host));
            if (answer)
                QMetaObject::invokeMethod(this, std::move(answer), Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

} // namespace perfdash
