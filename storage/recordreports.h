// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/reportformat.h"
#include "storage/operationreports.h"

#include <QByteArray>
#include <QJsonArray>
#include <QList>
#include <QSqlDatabase>
#include <QStringList>

namespace perfdash {

// A report that fits in memory: its header and plain cells (the CSV writer quotes).
struct ReportTable {
    QStringList header;
    QList<QList<QByteArray>> rows;
    QList<bool> text; // per column: text (else numbers, with "true"/"false" for flags)

    // The rows as JSON objects keyed by the header: numbers as numbers, empty cells as null.
    QJsonArray toJson() const;
};

// The stored records as readable tables (docs/reports.md): operations, workflow runs with their steps, alert events,
// and seed 003's three named reports (storage/operationreports.h). `perfdashd export`, `perfdashd report`,
// `perfdashd alerts` and the GUI's export dialog all write these. [from, to) in Unix seconds, oldest first. Any
// connection, its thread.
namespace RecordReports {

bool operations(
    QSqlDatabase &db, qint64 from, qint64 to, const ReportFormat::Options &options, ReportTable *out, QString *error);
// One row per run; its steps as one column each (`step_<name>_s`, in the order they first ran), and their count.
bool runs(
    QSqlDatabase &db, qint64 from, qint64 to, const ReportFormat::Options &options, ReportTable *out, QString *error);
bool alerts(
    QSqlDatabase &db, qint64 from, qint64 to, const ReportFormat::Options &options, ReportTable *out, QString *error);

// Seed 003's named reports; filter.module keeps one module's operations.
bool slowestOperations(
    QSqlDatabase &db, const OperationReports::Filter &filter, int limit, ReportTable *out, QString *error);
bool memoryTrend(QSqlDatabase &db, const OperationReports::Filter &filter, ReportTable *out, QString *error);
bool errorsByOperation(
    QSqlDatabase &db, const OperationReports::Filter &filter, double minPercent, ReportTable *out, QString *error);

} // namespace RecordReports

} // namespace perfdash
