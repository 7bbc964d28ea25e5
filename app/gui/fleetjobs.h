// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QThread>
#include <QUrl>

#include <functional>

namespace perfdash {

class PromReportSource;
class FleetJobsWorker;

// What the GUI asks of a Prometheus-compatible server that the shared report code answers (baselines and trends, the
// rule preview): PromReportSource (app/promreportsource.h) is synchronous, running an event loop of its own while it
// waits, so it runs here, on a thread of its own, never on the GUI thread. Jobs run one at a time, in order, each
// with the source of its host ("" merged, else that host's series); a job returns what to do with its answer back on
// the GUI thread, which runs only while this object lives. Created and called on the GUI thread.
class FleetJobs : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetJobs)
public:
    using Answer = std::function<void()>;
    using Job = std::function<Answer(PromReportSource &source)>;

    explicit FleetJobs(QUrl server, QObject *parent = nullptr);
    ~FleetJobs() override; // stops a job waiting on the server, drops the rest and their answers

    void run(const QString &host, Job job);
    QUrl server() const { return m_server; }

private:
    QUrl m_server;
    QThread m_thread;
    FleetJobsWorker *m_worker; // lives on m_thread, deleted there
};

} // namespace perfdash
