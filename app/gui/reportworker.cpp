// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/gui/reportworker.h"

#include "app/promreportsource.h"
#include "app/reportexport.h"
#include "models/sourcecatalog.h"

#include <QDateTime>
#include <QElapsedTimer>

namespace perfdash {

ReportWorker::ReportWorker(QString databasePath, QObject *parent)
    : ReportRunner(parent)
    , m_database(std::move(databasePath))
{
    qRegisterMetaType<ReportResult>();
}

ReportWorker::ReportWorker(QUrl server, QObject *parent)
    : ReportRunner(parent)
    , m_server(std::move(server))
{
    qRegisterMetaType<ReportResult>();
}

QVector<ReportContent> ReportWorker::contents() const
{
    if (m_server.isEmpty())
        return ReportContents::all();
    QVector<ReportContent> bucketed;
    for (ReportContent c : ReportContents::all()) {
        if (ReportContents::usesStep(c))
            bucketed << c;
    }
    return bucketed;
}

ReportWorker::~ReportWorker()
{
    if (m_thread) {
        m_cancel->store(true);
        m_thread->wait();
        delete m_thread;
    }
}

bool ReportWorker::start(const ReportRequest &request, const QString &path)
{
    if (m_thread)
        return false;
    ReportRequest r = request;
    r.database = m_database;
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    const QPointer<ReportWorker> self(this);
    const auto cancel = m_cancel;
    const QUrl server = m_server;
    m_thread = QThread::create([r, path, cancel, self, server]() mutable {
        QElapsedTimer sinceLast;
        sinceLast.start();
        // Progress at most ten times a second: a report of many series must not flood the GUI's event queue.
        const auto progress = [&](qint64 done, qint64 total) {
            if (done < total && sinceLast.elapsed() < 100)
                return;
            sinceLast.restart();
            QMetaObject::invokeMethod(
                self,
                [self, done, total]() {
                    if (self)
                        Q_EMIT self->progress(done, total);
                },
                Qt::QueuedConnection);
        };
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        ReportResult result;
        if (server.isEmpty()) {
            result = exportReport(r, path, now, progress, cancel.get());
        } else {
            // The tree's names carry the host when grouped: read that host's series under their own names.
            QString host = r.host;
            QStringList models;
            for (const QString &model : std::as_const(r.models)) {
                const HostedName hosted = splitHost(model);
                if (!models.isEmpty() && hosted.host != host)
                    result.error = QObject::tr("these models are on different hosts: export one host at a time, or "
                                               "merge the hosts (View → Merge hosts)");
                host = hosted.host;
                models << hosted.name;
            }
            r.models = models;
            if (result.error.isEmpty()) {
                PromReportSource source(server, host);
                result = exportReport(source, r, path, now, progress, cancel.get());
            }
        }
        QMetaObject::invokeMethod(
            self,
            [self, result, path]() {
                if (!self)
                    return;
                self->m_thread->wait();
                delete self->m_thread;
                self->m_thread = nullptr;
                Q_EMIT self->finished(result, path);
            },
            Qt::QueuedConnection);
    });
    m_thread->setObjectName(QStringLiteral("perfdash-report"));
    m_thread->start(QThread::LowPriority);
    return true;
}

void ReportWorker::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
}

} // namespace perfdash
