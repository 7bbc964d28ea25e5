// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include <limits>
#include <optional>

namespace perfdash {

// One operation a producer reported (an `op` record): kept as a row of the operations table, besides the op.* series.
// Plain value type: it crosses threads. Optional numbers are NaN when absent.
struct OperationRecord {
    static constexpr int kMaxErrorChars = 5000; // stored error messages, marker included
    qint64 id = -1; // the operations table's row id, once stored
    QString guid; // canonical; empty: storage makes one
    qint64 timeMs = 0;
    QString opCode;
    QString tenant;
    QString name;
    QString target;
    std::optional<qint64> items;
    double elapsedS = 0;
    double itemsPerS = std::numeric_limits<double>::quiet_NaN();
    double memoryMb = std::numeric_limits<double>::quiet_NaN();
    double fileSizeMb = std::numeric_limits<double>::quiet_NaN();
    std::optional<qint64> cacheHits;
    std::optional<qint64> apiCalls;
    bool success = true;
    QString error; // at most kMaxErrorChars code points, ending in "…[truncated]" when it was cut
    QString errorCategory;
};

// One workflow run (a `run` record) and its steps: rows of the runs and steps tables.
struct RunRecord {
    struct Step {
        QString name;
        double start = 0; // Unix seconds
        double elapsedS = 0;
    };
    qint64 id = -1; // the runs table's row id, once stored
    QString workflow;
    double start = 0; // Unix seconds
    double end = 0; // NaN when a stored run has none
    double executionS = 0;
    QString executionText; // as stored: "0.25 seconds"; empty before storage
    bool success = true;
    QVector<Step> steps;
    QStringList tags; // the record's tags, "key:value", sorted; empty for runs stored before schema 8
};

} // namespace perfdash

Q_DECLARE_METATYPE(perfdash::OperationRecord)
Q_DECLARE_METATYPE(perfdash::RunRecord)
Q_DECLARE_METATYPE(QVector<perfdash::OperationRecord>)
Q_DECLARE_METATYPE(QVector<perfdash::RunRecord>)
