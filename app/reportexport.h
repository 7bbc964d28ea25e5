// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/reportformat.h"

#include <QString>
#include <QStringList>
#include <QVector>

#include <atomic>
#include <functional>
#include <optional>

namespace perfdash {

// What a report holds (docs/reports.md). `perfdashd export --content NAME` and the GUI's File → Export report… offer
// the same list.
enum class ReportContent { Kpi, Series, Operations, Runs, Alerts, SlowestOps, MemoryTrend, ErrorsByOp };

namespace ReportContents {
const QVector<ReportContent> &all();
QString name(ReportContent content); // "kpi", "series", "slowest-ops"…
QString caption(ReportContent content); // "KPIs per model", "Slowest operations"…
std::optional<ReportContent> fromName(const QString &name);
bool usesStep(ReportContent content); // bucketed: kpi and series
} // namespace ReportContents

struct ReportRequest {
    ReportContent content = ReportContent::Kpi;
    QString database; // absolute path of perfdash.db
    QStringList models; // kpi: the models to report (empty: every model)
    QString series; // series: a selector, wildcards allowed (docs/metrics.md, "Series syntax")
    qint64 from = 0, to = 0; // [from, to), Unix seconds; bucketed contents start at floorTo(from, step)
    qint64 step = 3600; // seconds: 1, 60, 3600 or 86400 (ExportArguments::autoStep picks one)
    ReportFormat::Options format;
    QString module; // the named reports: one module's operations (empty: every module)
    int limit = 10; // slowest-ops
    double minPercent = 1; // errors-by-op
};

struct ReportResult {
    qint64 rows = 0;
    bool cancelled = false;
    QString error; // empty on success
    bool ok() const { return error.isEmpty() && !cancelled; }
};

// progress(done, total): work items (a model or a series read, then the rows written); called on the caller's thread.
using ReportProgress = std::function<void(qint64 done, qint64 total)>;

// Reads the request from its own read-only connection and writes the CSV to `path` through QSaveFile ("" or "-":
// stdout), so a failed or cancelled export leaves an existing file as it was. `cancel` is polled between items and
// rows. nowSeconds: the clock (which buckets are complete, baselines as of the report's end). Any thread.
ReportResult exportReport(const ReportRequest &request, const QString &path, qint64 nowSeconds,
    const ReportProgress &progress = {}, const std::atomic<bool> *cancel = nullptr);

} // namespace perfdash
