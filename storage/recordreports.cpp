// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/recordreports.h"

#include "storage/alertstore.h"
#include "storage/historyquery.h"
#include "storage/operationreports.h"

#include <QJsonObject>

#include <algorithm>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace RecordReports {

namespace {

constexpr int kAll = -1; // SQLite: no LIMIT
constexpr int kDigits = ReportFormat::kExactDigits;

QByteArray number(double v)
{
    return ReportFormat::number(v, kDigits);
}

QByteArray integer(const std::optional<qint64> &v)
{
    return v ? QByteArray::number(*v) : QByteArray();
}

QByteArray flag(bool v)
{
    return v ? QByteArray("true") : QByteArray("false");
}

// Runs start at fractional seconds: the time column keeps milliseconds.
QByteArray fractionalTime(double unixSeconds, const ReportFormat::Options &options)
{
    if (!std::isfinite(unixSeconds))
        return {};
    const auto whole = qint64(std::floor(unixSeconds));
    const int ms = int(std::lround((unixSeconds - double(whole)) * 1000));
    QByteArray t = ReportFormat::time(whole, options);
    if (ms == 0 || ms == 1000)
        return ms == 0 ? t : ReportFormat::time(whole + 1, options);
    const QByteArray fraction = '.' + QByteArray::number(ms).rightJustified(3, '0');
    if (t.endsWith('Z'))
        return t.chopped(1) + fraction + 'Z';
    return t + fraction;
}

} // namespace

bool operations(
    QSqlDatabase &db, qint64 from, qint64 to, const ReportFormat::Options &options, ReportTable *out, QString *error)
{
    QVector<OperationRecord> records;
    if (!HistoryQuery(db.connectionName()).operations(from, to, kAll, &records, error))
        return false;
    std::reverse(records.begin(), records.end());
    out->header = { ReportFormat::timeColumn(options), u"module"_s, u"operation"_s, u"tenant"_s, u"target"_s,
        u"items"_s, u"elapsed_s"_s, u"items_per_s"_s, u"memory_mb"_s, u"file_size_mb"_s, u"cache_hits"_s,
        u"api_calls"_s, u"success"_s, u"error_category"_s, u"error"_s };
    out->text = { true, true, true, true, true, false, false, false, false, false, false, false, false, true, true };
    out->rows.clear();
    out->rows.reserve(records.size());
    for (const OperationRecord &op : std::as_const(records)) {
        out->rows.append({ ReportFormat::time(op.timeMs / 1000, options), op.opCode.toUtf8(), op.name.toUtf8(),
            op.tenant.toUtf8(), op.target.toUtf8(), integer(op.items), number(op.elapsedS), number(op.itemsPerS),
            number(op.memoryMb), number(op.fileSizeMb), integer(op.cacheHits), integer(op.apiCalls), flag(op.success),
            op.errorCategory.toUtf8(), op.error.toUtf8() });
    }
    return true;
}

bool runs(
    QSqlDatabase &db, qint64 from, qint64 to, const ReportFormat::Options &options, ReportTable *out, QString *error)
{
    QVector<RunRecord> records;
    if (!HistoryQuery(db.connectionName()).runs(from, to, kAll, &records, error))
        return false;
    std::reverse(records.begin(), records.end());
    QStringList steps; // in the order they first ran
    for (const RunRecord &run : std::as_const(records)) {
        for (const RunRecord::Step &s : run.steps) {
            if (!steps.contains(s.name))
                steps << s.name;
        }
    }
    out->header
        = { ReportFormat::timeColumn(options), u"workflow"_s, u"end"_s, u"execution_s"_s, u"success"_s, u"steps"_s };
    for (const QString &s : std::as_const(steps))
        out->header << u"step_"_s + s + u"_s"_s;
    out->text = { true, true, true, false, false, false };
    while (out->text.size() < out->header.size())
        out->text << false;
    out->rows.clear();
    out->rows.reserve(records.size());
    for (const RunRecord &run : std::as_const(records)) {
        QList<QByteArray> row { fractionalTime(run.start, options), run.workflow.toUtf8(),
            fractionalTime(run.end, options), number(run.executionS), flag(run.success),
            QByteArray::number(run.steps.size()) };
        for (const QString &name : std::as_const(steps)) {
            double elapsed = 0;
            bool ran = false;
            for (const RunRecord::Step &s : run.steps) {
                if (s.name == name) {
                    elapsed += s.elapsedS; // a step that ran twice (a retry) counts both
                    ran = true;
                }
            }
            row << (ran ? number(elapsed) : QByteArray());
        }
        out->rows.append(row);
    }
    return true;
}

bool alerts(
    QSqlDatabase &db, qint64 from, qint64 to, const ReportFormat::Options &options, ReportTable *out, QString *error)
{
    QVector<AlertEvent> events;
    if (!AlertStore::events(db, from, to, 0, &events, error))
        return false;
    out->header = { ReportFormat::timeColumn(options), u"rule_id"_s, u"rule"_s, u"instance"_s, u"model"_s,
        u"severity"_s, u"state"_s, u"value"_s, u"threshold"_s, u"message"_s };
    out->text = { true, true, true, true, true, true, true, false, false, true };
    out->rows.clear();
    for (const AlertEvent &e : std::as_const(events)) {
        out->rows.append({ ReportFormat::time(e.time, options), e.ruleId.toUtf8(), e.ruleName.toUtf8(),
            e.instance.toUtf8(), e.model().toUtf8(), e.severity.toUtf8(), e.state.toUtf8(), number(e.value),
            number(e.threshold), e.message.toUtf8() });
    }
    return true;
}

bool slowestOperations(
    QSqlDatabase &db, const OperationReports::Filter &filter, int limit, ReportTable *out, QString *error)
{
    QVector<OperationReports::Slowest> found;
    if (!OperationReports::slowest(db, filter, limit, &found, error))
        return false;
    out->header = { u"module"_s, u"operation"_s, u"mean_elapsed_s"_s, u"mean_items_per_s"_s, u"operations"_s };
    out->text = { true, true, false, false, false };
    out->rows.clear();
    for (const auto &r : std::as_const(found)) {
        out->rows.append({ r.opCode.toUtf8(), r.name.toUtf8(), number(r.meanSeconds), number(r.meanItemsPerSecond),
            QByteArray::number(r.operations) });
    }
    return true;
}

bool memoryTrend(QSqlDatabase &db, const OperationReports::Filter &filter, ReportTable *out, QString *error)
{
    QVector<OperationReports::MemoryDay> found;
    if (!OperationReports::memoryTrend(db, filter, &found, error))
        return false;
    out->header = { u"date"_s, u"module"_s, u"mean_memory_mb"_s, u"peak_memory_mb"_s, u"operations"_s };
    out->text = { true, true, false, false, false };
    out->rows.clear();
    for (const auto &r : std::as_const(found)) {
        out->rows.append({ r.day.toUtf8(), r.opCode.toUtf8(), number(r.meanMb), number(r.peakMb),
            QByteArray::number(r.operations) });
    }
    return true;
}

bool errorsByOperation(
    QSqlDatabase &db, const OperationReports::Filter &filter, double minPercent, ReportTable *out, QString *error)
{
    QVector<OperationReports::ErrorRate> found;
    if (!OperationReports::errorsByOperation(db, filter, minPercent, &found, error))
        return false;
    out->header = { u"module"_s, u"operation"_s, u"operations"_s, u"failures"_s, u"error_rate_percent"_s };
    out->text = { true, true, false, false, false };
    out->rows.clear();
    for (const auto &r : std::as_const(found)) {
        out->rows.append({ r.opCode.toUtf8(), r.name.toUtf8(), QByteArray::number(r.operations),
            QByteArray::number(r.failures), number(r.percent) });
    }
    return true;
}

} // namespace RecordReports

QJsonArray ReportTable::toJson() const
{
    QJsonArray list;
    for (const QList<QByteArray> &row : rows) {
        QJsonObject o;
        for (qsizetype i = 0; i < header.size(); ++i) {
            const QByteArray cell = row.value(i);
            QJsonValue v;
            if (text.value(i, true))
                v = QString::fromUtf8(cell);
            else if (cell == "true" || cell == "false")
                v = cell == "true";
            else if (!cell.isEmpty())
                v = cell.toDouble();
            o.insert(header[i], v);
        }
        list.append(o);
    }
    return list;
}

} // namespace perfdash
