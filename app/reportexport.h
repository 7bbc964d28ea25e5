// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/reportsource.h"
#include "models/reportrequest.h"

#include <QString>

#include <atomic>
#include <functional>

namespace perfdash {

// progress(done, total): work items (a model or a series read, then the rows written); called on the caller's thread.
using ReportProgress = std::function<void(qint64 done, qint64 total)>;

// Reads the request from its own read-only connection and writes the CSV to `path` through QSaveFile ("" or "-":
// stdout), so a failed or cancelled export leaves an existing file as it was. `cancel` is polled between items and
// rows. nowSeconds: the clock (which buckets are complete, baselines as of the report's end). Any thread.
ReportResult exportReport(const ReportRequest &request, const QString &path, qint64 nowSeconds,
    const ReportProgress &progress = {}, const std::atomic<bool> *cancel = nullptr);
// The bucketed contents (kpi, series) from any source (a Prometheus-compatible server: app/promreportsource.h), by
// the same code; request.database is not read. The source's thread.
ReportResult exportReport(ReportSource &source, const ReportRequest &request, const QString &path, qint64 nowSeconds,
    const ReportProgress &progress = {}, const std::atomic<bool> *cancel = nullptr);

} // namespace perfdash
