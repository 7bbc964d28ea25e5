// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/reportrequest.h"

#include <QObject>

namespace perfdash {

// Writes reports in the background for the GUI's export dialog (widgets/exportreportdialog.h); the application
// implements it on a worker thread (app/gui/reportworker.h), tests with anything that emits the signals.
class ReportRunner : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    // Starts writing `request` to `path`; false (nothing started) while another report is being written.
    virtual bool start(const ReportRequest &request, const QString &path) = 0;
    // Stops the running report: the file at `path` is left as it was; finished() follows with cancelled set.
    virtual void cancel() = 0;
    virtual bool isRunning() const = 0;
    // The database reports are read from, for the request.
    virtual QString databasePath() const = 0;
    // What it can write: every content from a database; the bucketed ones (kpi, series) from a server.
    virtual QVector<ReportContent> contents() const { return ReportContents::all(); }

Q_SIGNALS:
    void progress(qint64 done, qint64 total);
    void finished(const perfdash::ReportResult &result, const QString &path);
};

} // namespace perfdash
