// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/reportexport.h"

#include "app/commandsupport.h"
#include "models/kpireport.h"
#include "models/serieskey.h"
#include "models/seriesselector.h"
#include "models/timebucket.h"
#include "storage/historyquery.h"
#include "storage/modelhistoryreader.h"
#include "storage/qualitystore.h"
#include "storage/recordreports.h"
#include "storage/seriesreport.h"

#include <QSet>
#include <QSqlDatabase>

#include <algorithm>
#include <limits>
#include <map>
#include <set>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

// Writes rows and reports progress; stops at a write error or a cancel.
class ReportSink {
public:
    ReportSink(CsvWriter &csv, const ReportProgress &progress, const std::atomic<bool> *cancel)
        : m_csv(csv)
        , m_progress(progress)
        , m_cancel(cancel)
    { }
    bool cancelled() const { return m_cancel && m_cancel->load(std::memory_order_relaxed); }
    void progress(qint64 done, qint64 total)
    {
        m_total = total;
        if (m_progress)
            m_progress(done, total);
    }
    // The last item: the rows are written.
    void finish() { progress(std::max<qint64>(m_total, 1), std::max<qint64>(m_total, 1)); }
    bool write(const QList<QByteArray> &cells)
    {
        if (!m_csv.writeCells(cells))
            return false;
        ++m_rows;
        return !(m_rows % 4096 == 0 && cancelled());
    }
    bool writeHeader(const QStringList &header) { return m_csv.writeCells(header); }
    bool writeTable(const ReportTable &table)
    {
        bool ok = writeHeader(table.header);
        for (qsizetype i = 0; ok && i < table.rows.size(); ++i)
            ok = write(table.rows[i]);
        return ok;
    }
    qint64 rows() const { return m_rows; }

private:
    CsvWriter &m_csv;
    const ReportProgress &m_progress;
    const std::atomic<bool> *m_cancel;
    qint64 m_rows = 0;
    qint64 m_total = 0;
};

// One model's KPI inputs at the report's step: its roles' points with sketches, its quality per bucket, its outlook.
bool readModel(ReportSource &source, const QVector<SeriesInfo> &series, const QString &model, const ReportRequest &r,
    qint64 from, qint64 now, KpiReportModel *out, QString *error)
{
    out->model = model;
    out->roles = ModelHistoryReader::seriesOf(series, model).roles;
    QHash<QString, SeriesInfo> byKey;
    for (const SeriesInfo &s : series)
        byKey.insert(s.key, s);
    QVector<SeriesInfo> read;
    QSet<QString> seen;
    for (const QString &key : out->roles.allKeys()) {
        const auto it = byKey.constFind(key);
        if (it != byKey.constEnd() && !seen.contains(key)) {
            seen.insert(key);
            read.push_back(*it);
        }
    }
    if (!source.windows(read, from, r.to, r.step, &out->points, error))
        return false;
    if (!source.qualityBuckets(model, from, r.to, r.step, &out->quality, error))
        return false;
    return source.outlook(series, model, std::min(r.to, now), &out->outlook, error);
}

bool writeKpiReport(const ReportRequest &r, ReportSource &source, const QVector<SeriesInfo> &series, qint64 now,
    ReportSink &sink, QString *error)
{
    const std::set<QString> known = ModelHistoryReader::models(series);
    QStringList models = r.models;
    if (models.isEmpty())
        models = QStringList(known.begin(), known.end());
    for (const QString &m : std::as_const(models)) {
        if (!known.count(m)) {
            *error = u"no model "_s % m
                % (known.empty() ? u" (the database holds no model: series get one from a model tag)"_s
                                 : u"; known models: "_s % QStringList(known.begin(), known.end()).join(u", "_s));
            return false;
        }
    }
    const qint64 from = floorTo(r.from, r.step);
    QVector<KpiReportModel> inputs(models.size());
    for (qsizetype i = 0; i < models.size(); ++i) {
        if (sink.cancelled())
            return true;
        if (!readModel(source, series, models[i], r, from, now, &inputs[i], error))
            return false;
        sink.progress(i + 1, models.size() + 1);
    }
    // After the windows: a server's source reads the heartbeat along with them.
    Coverage coverage;
    if (!source.coverage(from, r.to, r.step, now, &coverage, error))
        return false;
    const KpiReport report(&inputs, coverage, r.step, r.format);
    bool ok = sink.writeHeader(report.header());
    for (qint64 b = from; ok && b < r.to; b += r.step) {
        for (int m = 0; ok && m < inputs.size(); ++m) {
            const QList<QByteArray> row = report.row(m, b);
            if (!row.isEmpty())
                ok = sink.write(row);
        }
    }
    return ok;
}

bool writeSeriesReport(const ReportRequest &r, ReportSource &source, const QVector<SeriesInfo> &series, qint64 now,
    ReportSink &sink, QString *error)
{
    const auto selector = SeriesSelector::parse(r.series, error);
    if (!selector)
        return false;
    QVector<SeriesInfo> chosen;
    std::copy_if(series.begin(), series.end(), std::back_inserter(chosen),
        [&](const SeriesInfo &s) { return selector->matches(s.key); });
    if (chosen.isEmpty()) {
        *error = u"no series matches "_s % r.series % u" (of "_s % QString::number(series.size())
            % u" stored; `perfdashd series` lists them)"_s;
        return false;
    }
    std::sort(chosen.begin(), chosen.end(), [](const SeriesInfo &a, const SeriesInfo &b) { return a.key < b.key; });
    const qint64 from = floorTo(r.from, r.step);
    QVector<SeriesWindow> windows;
    if (!source.seriesWindows(chosen, from, r.to, r.step, false, &windows, error))
        return false;
    Coverage coverage;
    if (!source.coverage(from, r.to, r.step, now, &coverage, error))
        return false;
    for (SeriesWindow &w : windows)
        w.setCoverage(coverage);
    sink.progress(chosen.size(), chosen.size() + 1);
    const SeriesReport report(chosen, r.format);
    bool ok = sink.writeHeader(report.header());
    // Time, then series: each window's points are sorted, so a merge by cursor keeps the order in one pass.
    QVector<qsizetype> cursor(chosen.size(), 0);
    while (ok) {
        qint64 next = std::numeric_limits<qint64>::max();
        for (qsizetype i = 0; i < chosen.size(); ++i) {
            if (cursor[i] < windows[i].points.size())
                next = std::min(next, windows[i].points[cursor[i]].point.time);
        }
        if (next == std::numeric_limits<qint64>::max())
            break;
        for (qsizetype i = 0; ok && i < chosen.size(); ++i) {
            const auto &points = windows[i].points;
            if (cursor[i] < points.size() && points[cursor[i]].point.time == next)
                ok = sink.write(report.row(int(i), points[cursor[i]++]));
        }
    }
    return ok;
}

bool writeBucketed(const ReportRequest &r, ReportSource &source, qint64 now, ReportSink &sink, QString *error)
{
    QVector<SeriesInfo> series;
    if (!source.seriesList(floorTo(r.from, r.step), r.to, &series, error))
        return false;
    return r.content == ReportContent::Kpi ? writeKpiReport(r, source, series, now, sink, error)
                                           : writeSeriesReport(r, source, series, now, sink, error);
}

bool checkRequest(const ReportRequest &r, ReportResult *result)
{
    if (ReportContents::usesStep(r.content) && r.step <= 0) {
        result->error = u"the step must be positive"_s;
        return false;
    }
    if (r.to <= r.from) {
        result->error = u"the end must be later than the start"_s;
        return false;
    }
    return true;
}

// Commits the CSV when everything was written, else leaves an existing file as it was.
void finishOutput(CsvOutput &output, ReportSink &sink, bool ok, const QString &error, ReportResult *result)
{
    result->rows = sink.rows();
    if (sink.cancelled() || !ok || !error.isEmpty()) {
        QString why;
        output.commit(false, &why); // the old file stays
        result->cancelled = sink.cancelled();
        if (!result->cancelled)
            result->error = error.isEmpty() ? why : error;
        return;
    }
    if (!output.commit(true, &result->error))
        return;
    sink.finish();
}

bool readTable(const ReportRequest &r, QSqlDatabase &sql, ReportTable *table, QString *error)
{
    switch (r.content) {
    case ReportContent::Operations:
        return RecordReports::operations(sql, r.from, r.to, r.format, table, error);
    case ReportContent::Runs:
        return RecordReports::runs(sql, r.from, r.to, r.format, table, error);
    case ReportContent::Alerts:
        return RecordReports::alerts(sql, r.from, r.to, r.format, table, error);
    case ReportContent::SlowestOps:
        return RecordReports::slowestOperations(sql, { r.from, r.to, r.module }, r.limit, table, error);
    case ReportContent::MemoryTrend:
        return RecordReports::memoryTrend(sql, { r.from, r.to, r.module }, table, error);
    case ReportContent::ErrorsByOp:
        return RecordReports::errorsByOperation(sql, { r.from, r.to, r.module }, r.minPercent, table, error);
    case ReportContent::Kpi:
    case ReportContent::Series:
        break;
    }
    return false;
}

} // namespace

ReportResult exportReport(const ReportRequest &r, const QString &path, qint64 now, const ReportProgress &progress,
    const std::atomic<bool> *cancel)
{
    ReportResult result;
    if (!checkRequest(r, &result))
        return result;
    // A connection of this call's own: the GUI runs exports on a worker thread while its reader has another.
    static std::atomic<int> serial { 0 };
    ReadOnlyConnection connection(u"perfdash-report-"_s % QString::number(++serial));
    if (!connection.open(r.database, &result.error))
        return result;
    QSqlDatabase sql = QSqlDatabase::database(connection.name(), false);
    const HistoryQuery query(connection.name());
    CsvOutput output;
    if (!output.open(path, &result.error))
        return result;
    ReportSink sink(output.csv(), progress, cancel);
    bool ok = output.csv().writeBytes(ReportFormat::preamble(r.format));
    QString error;
    if (ReportContents::usesStep(r.content)) {
        StorageReportSource source(connection.name(), r.database);
        ok = ok && writeBucketed(r, source, now, sink, &error);
    } else {
        ReportTable table;
        ok = ok && readTable(r, sql, &table, &error);
        ok = ok && sink.writeTable(table);
    }
    finishOutput(output, sink, ok, error, &result);
    return result;
}

ReportResult exportReport(ReportSource &source, const ReportRequest &r, const QString &path, qint64 now,
    const ReportProgress &progress, const std::atomic<bool> *cancel)
{
    ReportResult result;
    if (!ReportContents::usesStep(r.content)) {
        result.error = u"a "_s % ReportContents::name(r.content)
            % u" report reads the database only (records are not "
              "in a Prometheus-compatible server): kpi and series read --source"_s;
        return result;
    }
    if (!checkRequest(r, &result))
        return result;
    CsvOutput output;
    if (!output.open(path, &result.error))
        return result;
    ReportSink sink(output.csv(), progress, cancel);
    QString error;
    bool ok = output.csv().writeBytes(ReportFormat::preamble(r.format));
    ok = ok && writeBucketed(r, source, now, sink, &error);
    finishOutput(output, sink, ok, error, &result);
    return result;
}

} // namespace perfdash
