// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/reportrunner.h"

#include <QPointer>
#include <QThread>
#include <QUrl>

#include <atomic>
#include <memory>

namespace perfdash {

// The GUI's ReportRunner: exportReport (app/reportexport.h) on a thread of its own, with its own read-only
// connection, so a long export never holds the GUI thread. Signals arrive on the GUI thread. One report at a time.
// Over a server (a fleet source): the bucketed contents through PromReportSource, merged over the hosts, or one host's
// series when the chosen models are that host's ("m1 · host a", the tree grouped by host).
class ReportWorker : public ReportRunner {
    Q_OBJECT
public:
    explicit ReportWorker(QString databasePath, QObject *parent = nullptr);
    explicit ReportWorker(QUrl server, QObject *parent = nullptr);
    ~ReportWorker() override; // cancels and waits for a running report

    bool start(const ReportRequest &request, const QString &path) override;
    void cancel() override;
    bool isRunning() const override { return m_thread != nullptr; }
    QString databasePath() const override { return m_database; }
    QVector<ReportContent> contents() const override;

private:
    QString m_database;
    QUrl m_server;
    QThread *m_thread = nullptr;
    std::shared_ptr<std::atomic<bool>> m_cancel;
};

} // namespace perfdash
