// SPDX-License-Identifier: GPL-3.0-or-later
// Readable reports (app/reportexport.h, docs/reports.md): the KPI report's columns and its agreement with `perfdashd
// summary` (one definition), the series report per kind, the tag and series-key forms, the spreadsheet option, the
// partial bucket, and what a cancel or a failed write leaves. Databases are real SQLite files filled by `perfdashd
// import`, in process, with an injected clock.
#include "app/exportcommand.h"
#include "app/importcommand.h"
#include "app/reportexport.h"
#include "app/summaryreport.h"
#include "app/commandsupport.h"
#include "storage/csvwriter.h"

#include <QFile>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <charconv>
#include <cmath>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 kStart = 1795464000; // 2026-11-23T20:00:00Z
constexpr qint64 kHours = 3;
// "Now" is 30 minutes into the fourth hour: that bucket is partial.
constexpr qint64 kNow = kStart + kHours * 3600 + 1800;

QByteArray iso(qint64 t)
{
    return CsvWriter::isoTime(t);
}

// Three and a half hours at 1 min for two models: latencies (identical minutes, so every merged quantile is known),
// requests ok and failed (m1: 57 + 3 a minute, m2: 40 + 0), a gauge and a set.
QByteArray history()
{
    QByteArray csv = "time,series,count,rate,min,max,mean,p50,p90,p95,p99,seconds,complete,kind\n";
    for (qint64 t = kStart; t < kNow; t += 60) {
        const QByteArray at = iso(t);
        csv += at + ",prediction.latency_ms{model=m1},60,1,2,200,30,20,60,80,150,60,1,timer\n";
        csv += at + ",prediction.latency_ms{model=m2},40,1,1,100,12,10,20,25,40,60,1,timer\n";
        csv += at + ",\"prediction.count{model=m1,status=ok}\",57,,,,,,,,,60,1,counter\n";
        csv += at + ",\"prediction.count{model=m1,status=error}\",3,,,,,,,,,60,1,counter\n";
        csv += at + ",\"prediction.count{model=m2,status=ok}\",40,,,,,,,,,60,1,counter\n";
        csv += at + ",queue.depth{model=m1},60,,1,9,4,,,,,60,1,gauge\n";
        csv += at + ",users.active,1,,,,,,,,,60,1,set\n";
    }
    return csv;
}

struct Table {
    QList<QByteArray> header;
    QList<QList<QByteArray>> rows;
    QByteArray bytes;

    int column(const char *name) const { return int(header.indexOf(QByteArray(name))); }
    QByteArray cell(int row, const char *name) const { return rows.value(row).value(column(name)); }
    double number(int row, const char *name) const
    {
        const QByteArray text = cell(row, name);
        double v = std::nan("");
        std::from_chars(text.constData(), text.constData() + text.size(), v);
        return v;
    }
};

Table parse(QByteArray bytes)
{
    Table t;
    t.bytes = bytes;
    if (bytes.startsWith("\xEF\xBB\xBF"))
        bytes.remove(0, 3);
    const QList<QByteArray> lines = bytes.split('\n');
    for (const QByteArray &line : lines) {
        if (line.isEmpty())
            continue;
        const auto cells = CsvWriter::parseLine(line.endsWith('\r') ? line.chopped(1) : line);
        if (t.header.isEmpty())
            t.header = cells;
        else
            t.rows << cells;
    }
    return t;
}

// Significant digits of a number as written ("24.1" -> 3, "0.0153" -> 3, "150" -> at most 3).
int significantDigits(const QByteArray &text)
{
    QByteArray digits;
    for (char c : text) {
        if (c >= '0' && c <= '9')
            digits += c;
    }
    while (digits.startsWith('0'))
        digits.remove(0, 1);
    if (!text.contains('.')) {
        while (digits.endsWith('0'))
            digits.chop(1);
    }
    return int(digits.size());
}

} // namespace

class TestReportExport : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_db;

    ReportRequest request(ReportContent content, qint64 step = 3600) const
    {
        ReportRequest r;
        r.content = content;
        r.database = m_db;
        r.from = kStart;
        r.to = kNow;
        r.step = step;
        return r;
    }
    Table run(const ReportRequest &r, ReportResult *result = nullptr)
    {
        const QString path = m_dir.filePath(u"report.csv"_s);
        QFile::remove(path);
        const ReportResult done = exportReport(r, path, kNow);
        if (result)
            *result = done;
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return {};
        return parse(f.readAll());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_db = m_dir.filePath(u"perfdash.db"_s);
        const QString input = m_dir.filePath(u"history.csv"_s);
        QFile f(input);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(history());
        f.close();
        QString outText, errText;
        QTextStream out(&outText), err(&errText);
        const int code = runImportCommand({ u"--db"_s, m_db, input }, out, err, kNow);
        err.flush();
        QVERIFY2(code == 0, qPrintable(errText));
    }

    void theKpiReportHasUnitsInItsColumnsAndOneRowPerModelAndBucket()
    {
        ReportResult result;
        const Table t = run(request(ReportContent::Kpi), &result);
        QVERIFY2(result.ok(), qPrintable(result.error));
        for (const char *name :
            { "time", "model", "requests", "errors", "throughput_rps", "error_rate", "latency_p50_ms", "latency_p95_ms",
                "latency_p99_ms", "latency_count", "queue_depth", "covered_s", "bucket" })
            QVERIFY2(t.column(name) >= 0, name);
        QCOMPARE(t.rows.size(), 2 * (kHours + 1)); // three whole hours and the partial fourth, for m1 and m2
        QCOMPARE(result.rows, t.rows.size());
        QCOMPARE(t.cell(0, "time"), QByteArray("2026-11-23T20:00:00Z"));
        QCOMPARE(t.cell(0, "model"), QByteArray("m1"));
        QCOMPARE(t.cell(1, "model"), QByteArray("m2"));
        QCOMPARE(t.number(0, "requests"), 3600.0);
        QCOMPARE(t.number(0, "errors"), 180.0);
        QCOMPARE(t.number(0, "error_rate"), 0.05);
        QCOMPARE(t.number(0, "throughput_rps"), 1.0);
        QCOMPARE(t.number(1, "error_rate"), 0.0);
        QCOMPARE(t.cell(1, "queue_depth"), QByteArray()); // m2 has no queue gauge
        QCOMPARE(t.number(0, "queue_depth"), 4.0);
        QCOMPARE(t.number(0, "latency_count"), 3600.0);
        // Quantiles from the hour's merged sketch (import synthesizes them from min, p50…p99 and max), written with
        // the 3 digits the sketch's 1 % supports.
        QVERIFY2(t.number(0, "latency_p95_ms") > 60 && t.number(0, "latency_p95_ms") < 150,
            t.cell(0, "latency_p95_ms").constData());
        for (int row = 0; row < t.rows.size(); ++row) {
            for (const char *q : { "latency_p50_ms", "latency_p95_ms", "latency_p99_ms" })
                QVERIFY2(significantDigits(t.cell(row, q)) <= 3, t.cell(row, q).constData());
        }
        QCOMPARE(t.cell(0, "bucket"), QByteArray("complete"));
        QCOMPARE(t.cell(0, "covered_s"), QByteArray("3600"));
        QCOMPARE(t.cell(t.rows.size() - 1, "bucket"), QByteArray("partial"));
        QCOMPARE(t.cell(t.rows.size() - 1, "covered_s"), QByteArray("1800"));
        // The partial hour's rate is per covered second, not diluted over the whole hour.
        QCOMPARE(t.number(t.rows.size() - 2, "throughput_rps"), 1.0);
        QVERIFY(t.bytes.contains("\r\n"));
    }

    void theKpiReportGivesTheSummarysFigures()
    {
        // One definition: an hour of the report and `perfdashd summary` over the same hour agree.
        ReportRequest r = request(ReportContent::Kpi);
        r.models = QStringList { u"m1"_s };
        r.to = kStart + 3600;
        const Table t = run(r);
        QCOMPARE(t.rows.size(), 1);
        ReadOnlyConnection connection(u"tst-summary"_s);
        QString error;
        QVERIFY2(connection.open(m_db, &error), qPrintable(error));
        SummaryRequest s;
        s.model = u"m1"_s;
        s.window = u"1h"_s;
        s.granularity = u"hour"_s;
        s.end = QString::fromLatin1(iso(kStart + 3600));
        QJsonObject summary;
        QCOMPARE(summaryReport(connection.name(), m_db, s, kNow, &summary, &error), SummaryStatus::Ok);
        const QJsonObject serving = summary.value(u"serving_metrics"_s).toObject();
        QVERIFY2(!serving.isEmpty(), qPrintable(QStringList(summary.keys()).join(u',')));
        for (const char *name :
            { "latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "throughput_rps", "error_rate" }) {
            const double fromSummary = serving.value(QLatin1String(name)).toDouble(std::nan(""));
            QVERIFY2(std::isfinite(fromSummary), name);
            QCOMPARE(t.number(0, name), ReportFormat::round(fromSummary, name[0] == 'l' ? 3 : 6));
        }
    }

    void unknownModelsAreNamedWithTheKnownOnes()
    {
        ReportRequest r = request(ReportContent::Kpi);
        r.models = QStringList { u"m3"_s };
        ReportResult result;
        run(r, &result);
        QVERIFY(!result.ok());
        QVERIFY2(
            result.error.contains(u"no model m3"_s) && result.error.contains(u"m1, m2"_s), qPrintable(result.error));
    }

    void theSeriesReportWritesWhatEachKindMeans()
    {
        ReportRequest r = request(ReportContent::Series);
        r.series = u"*{model=m1}"_s;
        ReportResult result;
        const Table t = run(r, &result);
        QVERIFY2(result.ok(), qPrintable(result.error));
        // One column per tag key; no unit for a mix of gauges and timers in mean/min/max; timers' quantiles in ms.
        QCOMPARE(t.header.mid(0, 5), (QList<QByteArray> { "time", "metric", "model", "status", "kind" }));
        for (const char *name : { "count", "rate_per_s", "last", "mean", "min", "max", "p50_ms", "p95_ms", "p99_ms" })
            QVERIFY2(t.column(name) >= 0, name);
        QCOMPARE(t.column("unique"), -1); // no set in the selection
        int counters = 0, gauges = 0, timers = 0;
        for (int row = 0; row < t.rows.size(); ++row) {
            const QByteArray kind = t.cell(row, "kind");
            if (kind == "counter") {
                ++counters;
                QCOMPARE(t.cell(row, "min"), QByteArray()); // a counter's min and max mean nothing
                QCOMPARE(t.cell(row, "max"), QByteArray());
                QCOMPARE(t.cell(row, "last"), QByteArray());
                QVERIFY(!t.cell(row, "rate_per_s").isEmpty());
            } else if (kind == "gauge") {
                ++gauges;
                QCOMPARE(t.cell(row, "rate_per_s"), QByteArray());
                QCOMPARE(t.number(row, "max"), 9.0);
                QVERIFY(!t.cell(row, "last").isEmpty());
                QCOMPARE(t.cell(row, "status"), QByteArray());
            } else if (kind == "timer") {
                ++timers;
                QVERIFY2(significantDigits(t.cell(row, "p95_ms")) <= 3, t.cell(row, "p95_ms").constData());
                QCOMPARE(t.cell(row, "model"), QByteArray("m1"));
            }
        }
        QCOMPARE(counters, 2 * 4);
        QCOMPARE(gauges, 4);
        QCOMPARE(timers, 4);
        QCOMPARE(t.cell(t.rows.size() - 1, "bucket"), QByteArray("partial"));
    }

    void theSeriesKeyAndTheSpreadsheetForm()
    {
        ReportRequest r = request(ReportContent::Series);
        r.series = u"prediction.count{model=m1,status=error}"_s;
        r.format.tagColumns = false;
        r.format.excel = true;
        const Table t = run(r);
        QVERIFY(t.bytes.startsWith("\xEF\xBB\xBF"));
        QCOMPARE(t.header.mid(0, 3), (QList<QByteArray> { "time_utc", "series", "kind" }));
        QCOMPARE(t.cell(0, "time_utc"), QByteArray("2026-11-23 20:00:00"));
        QCOMPARE(t.cell(0, "series"), QByteArray("prediction.count{model=m1,status=error}"));
        QVERIFY(t.bytes.contains("\"prediction.count{model=m1,status=error}\"")); // quoted: it holds a comma
        QCOMPARE(t.number(0, "count"), 180.0);
        QCOMPARE(t.number(0, "rate_per_s"), 0.05);
        QCOMPARE(t.column("p50"), -1);
        QCOMPARE(t.column("min"), -1);
    }

    void setsCountTheirMembers()
    {
        ReportRequest r = request(ReportContent::Series);
        r.series = u"users.*"_s;
        const Table t = run(r);
        QVERIFY(t.column("unique") >= 0);
        QCOMPARE(t.column("p50"), -1);
        QCOMPARE(t.rows.size(), int(kHours + 1));
    }

    void aCancelOrAFailedWriteLeavesTheOldFile()
    {
        const QString path = m_dir.filePath(u"kept.csv"_s);
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("old\n");
        }
        std::atomic<bool> cancel { true };
        const ReportResult cancelled = exportReport(request(ReportContent::Series, 60), path, kNow, {}, &cancel);
        QVERIFY(cancelled.cancelled);
        QVERIFY(!cancelled.ok());
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("old\n"));

        const ReportResult failed
            = exportReport(request(ReportContent::Kpi), m_dir.filePath(u"no/such/dir/r.csv"_s), kNow);
        QVERIFY(!failed.ok());
        QVERIFY2(!failed.error.isEmpty(), "a failed write says why");
    }

    void progressReachesTheEnd()
    {
        ReportRequest r = request(ReportContent::Series, 60);
        r.series = u"*"_s;
        qint64 last = -1, total = 0;
        int calls = 0;
        const ReportResult result = exportReport(r, m_dir.filePath(u"p.csv"_s), kNow, [&](qint64 done, qint64 all) {
            QVERIFY(done >= last);
            last = done;
            total = all;
            ++calls;
        });
        QVERIFY(result.ok());
        QVERIFY(calls >= 2);
        QCOMPARE(last, total);
        // The seven series written, and the heartbeat import keeps for their coverage, every minute.
        QCOMPARE(result.rows, qint64(8 * (kNow - kStart) / 60));
    }

    void theCommandLineWritesTheSameReport()
    {
        const QString path = m_dir.filePath(u"cli.csv"_s);
        QString outText, errText;
        QTextStream out(&outText), err(&errText);
        const int code = runExportCommand({ u"--db"_s, m_db, u"--from"_s, QString::fromLatin1(iso(kStart)), u"--to"_s,
                                              QString::fromLatin1(iso(kNow)), u"--step"_s, u"auto"_s, u"-o"_s, path },
            out, err, kNow);
        err.flush();
        QVERIFY2(code == 0, qPrintable(errText));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const Table cli = parse(f.readAll());
        // 3.5 h: "auto" is 1 min, the KPI report by default.
        QCOMPARE(cli.rows.size(), int(2 * (kNow - kStart) / 60));
        const Table direct = run(request(ReportContent::Kpi, 60));
        QCOMPARE(cli.bytes, direct.bytes);
    }
};

QTEST_GUILESS_MAIN(TestReportExport)
#include "tst_reportexport.moc"
