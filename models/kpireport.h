// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/kpicatalog.h"
#include "models/modeloutlook.h"
#include "models/reportformat.h"

#include <QByteArray>
#include <QList>
#include <QStringList>

#include <optional>

namespace perfdash {

// Seed 001's KPI report: one row per model and bucket with its serving, resource and quality figures, each read through
// KpiCatalog::valueOf (the tiles', the summary's and the alerts' definition), and each KPI's baseline and trend as of
// the report's end (docs/reports.md). Pure; any thread.
struct KpiReportModel {
    QString model;
    SourceRoles roles;
    // The roles' points at the report's step over [from, to), with sketches where the series has them.
    QHash<QString, QVector<SeriesPoint>> points;
    // The model's quality metrics per bucket (stored prediction outcomes merged over its keys), by the bucket's start.
    QMap<qint64, QualityStats> quality;
    std::optional<ModelOutlook> outlook; // as of the report's end
};

class KpiReport {
public:
    // The columns are those any of the models has data or a baseline for. coverage: at `step` over [from, to).
    KpiReport(const QVector<KpiReportModel> *models, Coverage coverage, qint64 step, ReportFormat::Options options);

    QStringList header() const;
    // The row of models[model] for the bucket starting at `bucket`: plain cells (the CSV writer quotes), a cell empty
    // where the figure has too little evidence (the tiles' minimums) or the model no such series; the last cell says
    // "complete" or "partial" (a bucket not over yet). No row (an empty list) when the model sent nothing in it.
    QList<QByteArray> row(int model, qint64 bucket) const;
    // The KPIs that have a column, in report order.
    const QStringList &kpis() const { return m_kpis; }

private:
    const QVector<KpiReportModel> *m_models;
    Coverage m_coverage;
    qint64 m_step;
    ReportFormat::Options m_options;
    QStringList m_kpis;
    QStringList m_baselines; // KPIs with a baseline column
    QStringList m_trends; // KPIs with trend columns
    bool m_requests = false; // requests and errors columns
    bool m_latencyCount = false;
};

} // namespace perfdash
