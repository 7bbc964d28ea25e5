// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include <limits>
#include <optional>

namespace perfdash {

// What every work record (operation, run, API call, notification) keeps of itself: its identity, who did it, how it
// ended and its tags. Plain value types: they cross threads.
struct WorkOutcome {
    static constexpr int kMaxErrorChars = 5000; // stored error messages, marker included
    qint64 id = -1; // the row id in its table, once stored
    QString guid; // canonical; empty: storage makes one
    QString opCode; // the module (not kept for runs)
    QString tenant; // the tenant or package
    bool success = true;
    QString error; // at most kMaxErrorChars code points, ending in "…[truncated]" when it was cut
    QString errorCategory;
    QStringList tags; // the record's tags, "key:value", sorted; empty for rows stored before they were kept
};

// One operation a producer reported (an `op` record): kept as a row of the operations table, besides the op.* series.
// Optional numbers are NaN when absent.
struct OperationRecord : WorkOutcome {
    qint64 timeMs = 0;
    QString name;
    QString target;
    std::optional<qint64> items;
    double elapsedS = 0;
    double itemsPerS = std::numeric_limits<double>::quiet_NaN();
    double memoryMb = std::numeric_limits<double>::quiet_NaN();
    double fileSizeMb = std::numeric_limits<double>::quiet_NaN();
    std::optional<qint64> cacheHits;
    std::optional<qint64> apiCalls;
};

// One workflow run (a `run` record) and its steps: rows of the runs and steps tables.
struct RunRecord : WorkOutcome {
    struct Step {
        QString name;
        double start = 0; // Unix seconds
        double elapsedS = 0;
        bool success = true;
    };
    QString workflow;
    double start = 0; // Unix seconds
    double end = 0; // NaN when a stored run has none
    double executionS = 0;
    QString executionText; // as stored: "0.25 seconds"; empty before storage
    QVector<Step> steps;
    qint64 stepsFailed = 0;
    double memoryMb = std::numeric_limits<double>::quiet_NaN();
    std::optional<qint64> retries;
    QString executionMode;
    QByteArray telemetry; // the samples taken while it ran: a JSON array as sent (docs/protocol.md); empty: none
    qint64 telemetryBytes = 0; // their stored size; more than telemetry's when a read left them out (HistoryQuery)
    std::optional<qint64> telemetryDropped;
};

// One call to an external API (an `api_call` record): a row of the api_calls table.
struct ApiCallRecord : WorkOutcome {
    qint64 timeMs = 0;
    QString method;
    QString endpoint;
    std::optional<qint64> status;
    double requestKb = std::numeric_limits<double>::quiet_NaN();
    double responseKb = std::numeric_limits<double>::quiet_NaN();
    double elapsedS = 0;
    bool cacheHit = false;
};

// One notification sent (a `notification` record): a row of the notifications table.
struct NotificationRecord : WorkOutcome {
    qint64 timeMs = 0;
    QString channel;
    std::optional<qint64> recipients;
    std::optional<qint64> delivered;
    std::optional<qint64> failed;
    std::optional<qint64> queueDepth;
    double elapsedS = 0;
};

// The work records routed in one second, on their way to storage.
struct WorkRecordBatch {
    QVector<OperationRecord> operations {};
    QVector<RunRecord> runs {};
    QVector<ApiCallRecord> apiCalls {};
    QVector<NotificationRecord> notifications {};

    qsizetype size() const { return operations.size() + runs.size() + apiCalls.size() + notifications.size(); }
    bool isEmpty() const { return size() == 0; }
};

} // namespace perfdash

Q_DECLARE_METATYPE(perfdash::OperationRecord)
Q_DECLARE_METATYPE(perfdash::RunRecord)
Q_DECLARE_METATYPE(QVector<perfdash::OperationRecord>)
Q_DECLARE_METATYPE(QVector<perfdash::RunRecord>)
Q_DECLARE_METATYPE(QVector<perfdash::ApiCallRecord>)
Q_DECLARE_METATYPE(QVector<perfdash::NotificationRecord>)
Q_DECLARE_METATYPE(perfdash::WorkRecordBatch)
