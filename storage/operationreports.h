// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSqlDatabase>
#include <QString>
#include <QVector>

namespace perfdash {

// Seed 003's three report queries over the operations table, served by the indexes migration 002 made for them
// (operations_time_elapsed, operations_time_memory, operations_name_time_success). Any connection.
namespace OperationReports {

// The slowest operations in [from, to): mean elapsed seconds per (op code, name), slowest first, at most `limit`.
struct Slowest {
    QString opCode;
    QString name;
    double meanSeconds = 0;
    double meanItemsPerSecond = 0; // NaN when no operation said how many items
    qint64 operations = 0;
};
bool slowest(QSqlDatabase &db, qint64 from, qint64 to, int limit, QVector<Slowest> *out, QString *error);

// Memory per UTC day in [from, to): mean and peak of the operations' memory_mb, oldest day first.
struct MemoryDay {
    QString day; // 2026-12-05
    double meanMb = 0;
    double peakMb = 0;
    qint64 operations = 0;
};
bool memoryTrend(QSqlDatabase &db, qint64 from, qint64 to, QVector<MemoryDay> *out, QString *error);

// Operations whose error rate in [from, to) is above minPercent, worst first: failures ÷ operations × 100.
struct ErrorRate {
    QString name;
    qint64 operations = 0;
    qint64 failures = 0;
    double percent = 0;
};
bool errorsByOperation(QSqlDatabase &db, qint64 from, qint64 to, double minPercent, QVector<ErrorRate> *out,
    QString *error);

} // namespace OperationReports

} // namespace perfdash
