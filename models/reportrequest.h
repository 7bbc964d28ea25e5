// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/reportformat.h"

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

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
    QString series; // series: a selector, wildcards allowed (docs/series.md)
    QString host; // series from a fleet server: that host's series (empty: every host's, merged)
    qint64 from = 0, to = 0; // [from, to), Unix seconds; bucketed contents start at floorTo(from, step)
    qint64 step = 3600; // seconds: 1, 60, 3600 or 86400 (autoStep picks one for "auto")
    ReportFormat::Options format;
    QString module; // the named reports: one module's operations (empty: every module)
    int limit = 10; // slowest-ops
    double minPercent = 1; // errors-by-op

    // The step of "auto" for a span: at most about 1,500 buckets (up to 25 min: 1 s; 25 h: 1 min; 62 d: 1 h; then
    // 1 d).
    static qint64 autoStep(qint64 spanSeconds);
};

struct ReportResult {
    qint64 rows = 0;
    bool cancelled = false;
    QString error; // empty on success
    bool ok() const { return error.isEmpty() && !cancelled; }
};

} // namespace perfdash

Q_DECLARE_METATYPE(perfdash::ReportRequest)
Q_DECLARE_METATYPE(perfdash::ReportResult)
