// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSqlDatabase>
#include <QString>
#include <QStringList>
#include <QVector>

namespace perfdash {

// Seed 003's three report queries over the operations table, served by the indexes migrations 002 and 007 made for
// them (operations_time_elapsed, operations_time_memory, operations_name_module_time_success, and
// operations_module_time for one module). Each row names its module: the op_code column (docs/protocol.md, `op`).
// Any connection.
namespace OperationReports {

// Which operations a report reads: time in [from, to), and only one module's (op_code) unless module is empty.
struct Filter {
    qint64 from = 0;
    qint64 to = 0;
    QString module;
    QStringList tags {}; // "key:value" (or "key"): only operations that carry every one
};

// The slowest operations: mean elapsed seconds per (op code, name), slowest first, at most `limit`.
struct Slowest {
    QString opCode; // the module; empty when none was sent
    QString name;
    double meanSeconds = 0;
    double meanItemsPerSecond = 0; // NaN when no operation said how many items
    qint64 operations = 0;
};
bool slowest(QSqlDatabase &db, const Filter &filter, int limit, QVector<Slowest> *out, QString *error);

// Memory per UTC day and module: mean and peak of the operations' memory_mb, oldest day first, then by module.
struct MemoryDay {
    QString day; // 2026-12-05
    QString opCode; // the module; empty when none was sent
    double meanMb = 0;
    double peakMb = 0;
    qint64 operations = 0;
};
bool memoryTrend(QSqlDatabase &db, const Filter &filter, QVector<MemoryDay> *out, QString *error);

// Operations (per name and module) whose error rate is above minPercent, worst first: failures ÷ operations × 100.
struct ErrorRate {
    QString opCode; // the module; empty when none was sent
    QString name;
    qint64 operations = 0;
    qint64 failures = 0;
    double percent = 0;
};
bool errorsByOperation(
    QSqlDatabase &db, const Filter &filter, double minPercent, QVector<ErrorRate> *out, QString *error);

} // namespace OperationReports

} // namespace perfdash
