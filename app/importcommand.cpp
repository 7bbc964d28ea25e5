// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/importcommand.h"

#include "app/collectordaemon.h"
#include "app/commandsupport.h"
#include "app/exportcommand.h"
#include "app/exportcsvreader.h"
#include "app/openmetricsreader.h"
#include "app/runtimepaths.h"
#include "storage/csvwriter.h"
#include "storage/database.h"
#include "storage/historyquery.h"
#include "models/seriesselector.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

constexpr char16_t usage[]
    = u"Usage: perfdashd import [--db FILE] [--format csv|openmetrics] [--step 1s|1m|1h] [--skip-bad]\n"
      "                        [--replace] [--retention 1s=48h,1m=35d,1h=400d] [--rename FAMILY=NAME]... INPUT\n"
      "  Backfills history into every storage tier (1 s, 1 min, 1 h) in one transaction; safe beside a\n"
      "  running collector. INPUT is a `perfdashd export` CSV or Prometheus/OpenMetrics text with\n"
      "  timestamps; - reads stdin. The format follows the extension (.csv; .om, .prom, .txt), else the\n"
      "  content. --step: the CSV's step when it cannot be told from the rows; the OpenMetrics bucket\n"
      "  (default 1m). Any bad line aborts with nothing written unless --skip-bad. Buckets the database\n"
      "  holds already are kept (--replace: overwritten), never those of a collector's open chunk.\n"
      "  --rename maps an OpenMetrics family name to a perfdash series name (docs/storage.md, Import).\n";

constexpr int kBadShown = 20;

QString isoTime(qint64 t)
{
    return QString::fromLatin1(CsvWriter::isoTime(t));
}

QString stepName(qint64 step)
{
    return step == 1 ? u"1 s"_s : step == 60 ? u"1 min"_s : step == 3600 ? u"1 h"_s : u"%1 s"_s.arg(step);
}

// csv or openmetrics, from the name and else the first line.
QString sniffFormat(const QString &input, QIODevice *device)
{
    const QString suffix = QFileInfo(input).suffix().toLower();
    if (suffix == u"csv"_s)
        return u"csv"_s;
    if (suffix == u"om"_s || suffix == u"prom"_s || suffix == u"txt"_s || suffix == u"metrics"_s)
        return u"openmetrics"_s;
    const QByteArray head = device->peek(4096);
    const QByteArray first = head.left(head.indexOf('\n'));
    return first.contains(",series,") || first.startsWith("time,") || first.startsWith("\xEF\xBB\xBFtime,")
        ? u"csv"_s
        : u"openmetrics"_s;
}

// Writes a progress line at most once a second.
class Progress {
public:
    explicit Progress(QTextStream &err)
        : m_err(err)
    {
        m_timer.start();
    }
    template <typename F>
    void maybe(F &&line)
    {
        if (m_timer.elapsed() - m_last < 1000)
            return;
        m_last = m_timer.elapsed();
        m_err << "perfdashd import: " << line() << Qt::endl;
    }
    qint64 elapsedMs() const { return m_timer.elapsed(); }

private:
    QTextStream &m_err;
    QElapsedTimer m_timer;
    qint64 m_last = 0;
};

} // namespace

int runImportCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    return runImportCommand(arguments, out, err, QDateTime::currentSecsSinceEpoch());
}

int runImportCommand(const QStringList &arguments, QTextStream &out, QTextStream &err, qint64 nowSeconds)
{
    SubcommandLine line(u"import"_s, QString::fromUtf16(usage));
    QCommandLineParser &parser = line.parser();
    const QCommandLineOption db(u"db"_s, u"SQLite database file."_s, u"FILE"_s, RuntimePaths::defaultDatabase());
    const QCommandLineOption format(u"format"_s, u"csv or openmetrics."_s, u"FORMAT"_s);
    const QCommandLineOption step(u"step"_s, u"1s, 1m or 1h."_s, u"STEP"_s);
    const QCommandLineOption skipBad(u"skip-bad"_s, u"Import the good lines, list the bad ones."_s);
    const QCommandLineOption replace(u"replace"_s, u"Imported buckets replace stored ones."_s);
    const QCommandLineOption retention(u"retention"_s, u"Per tier retention."_s, u"SPEC"_s);
    const QCommandLineOption rename(u"rename"_s, u"OpenMetrics family=perfdash name."_s, u"MAP"_s);
    parser.addOptions({ db, format, step, skipBad, replace, retention, rename });
    line.acceptOnePositional(u"INPUT"_s, u"The file to import, - for stdin."_s);
    if (const auto done = line.parse(arguments, out, err))
        return *done;
    if (parser.positionalArguments().isEmpty())
        return line.bad(u"INPUT is required (a file, or - for stdin)"_s, err);
    const QString input = parser.positionalArguments().constFirst();

    ImportReadOptions readOptions;
    if (parser.isSet(step)) {
        const auto s = ExportArguments::parseStep(parser.value(step));
        if (!s || *s == 86400)
            return line.bad(u"bad --step \"%1\": use 1s, 1m or 1h"_s.arg(parser.value(step)), err);
        readOptions.step = *s;
    }
    HistoryImportOptions importOptions;
    importOptions.now = nowSeconds;
    importOptions.replace = parser.isSet(replace);
    if (parser.isSet(retention) && !CollectorDaemon::parseRetention(parser.value(retention), &importOptions.retention))
        return line.bad(u"bad --retention \"%1\": use e.g. 1s=48h,1m=35d,1h=400d"_s.arg(parser.value(retention)), err);
    for (const QString &map : parser.values(rename)) {
        const qsizetype eq = map.indexOf(u'=');
        if (eq <= 0 || eq == map.size() - 1)
            return line.bad(u"bad --rename \"%1\": use FAMILY=NAME"_s.arg(map), err);
        readOptions.renames.insert(map.left(eq), map.mid(eq + 1));
    }
    QString fmt = parser.value(format);
    if (!fmt.isEmpty() && fmt != u"csv"_s && fmt != u"openmetrics"_s)
        return line.bad(u"bad --format \"%1\": use csv or openmetrics"_s.arg(fmt), err);

    QFile file;
    const bool fromStdin = input == u"-"_s;
    if (fromStdin ? !file.open(stdin, QIODevice::ReadOnly)
                  : (file.setFileName(input), !file.open(QIODevice::ReadOnly))) {
        err << "perfdashd import: cannot read " << input << ": " << file.errorString() << '\n';
        return 1;
    }
    if (fmt.isEmpty())
        fmt = sniffFormat(fromStdin ? QString() : input, &file);

    // Writable, with a long busy timeout: a running collector holds the write lock for a flush at a time.
    const QString path = QFileInfo(parser.value(db)).absoluteFilePath();
    const QString connection = u"perfdashd-import"_s;
    const auto closer = qScopeGuard([&] { Database::close(connection); });
    const auto opened = Database::openWritable(connection, path, 30000);
    if (!opened.ok) {
        err << "perfdashd import: cannot open " << path << ": " << opened.error << '\n';
        return 1;
    }
    QVector<SeriesInfo> stored;
    QString error;
    if (!HistoryQuery(connection).seriesList(&stored, &error)) {
        err << "perfdashd import: " << error << '\n';
        return 1;
    }
    for (const SeriesInfo &s : stored)
        readOptions.knownKinds.insert(s.key, s.kind);

    Progress progress(err);
    const qint64 size = fromStdin ? 0 : file.size();
    readOptions.progress = [&](qint64 lines, qint64 bytes) {
        progress.maybe([&] {
            return size > 0 ? u"read %1 lines (%2 %)"_s.arg(lines).arg(100 * bytes / size)
                            : u"read %1 lines"_s.arg(lines);
        });
    };
    ImportInput in
        = fmt == u"csv"_s ? ExportCsvReader::read(&file, readOptions) : OpenMetricsReader::read(&file, readOptions);
    const qint64 readMs = progress.elapsedMs();
    if (!in.fatal.isEmpty()) {
        err << "perfdashd import: " << in.fatal << "; nothing was imported\n";
        return 1;
    }
    for (size_t i = 0; i < in.bad.size() && i < size_t(kBadShown); ++i)
        err << "perfdashd import: line " << in.bad[i].line << ": " << in.bad[i].reason << '\n';
    if (in.bad.size() > size_t(kBadShown))
        err << "perfdashd import: ... and " << (in.bad.size() - size_t(kBadShown)) << " more bad lines\n";
    if (!in.bad.empty() && !parser.isSet(skipBad)) {
        err << "perfdashd import: " << in.bad.size()
            << " bad lines; nothing was imported (--skip-bad imports the good ones)\n";
        return 1;
    }
    // Buckets that have not begun are not history: a collector would write over them.
    for (ImportSeries &s : in.series) {
        const auto future
            = std::find_if(s.rows.begin(), s.rows.end(), [&](const StoredPoint &p) { return p.time > nowSeconds; });
        if (future != s.rows.end()) {
            err << "perfdashd import: " << SeriesSelector::displayName(s.key) << " has buckets after now (from "
                << isoTime(future->time) << "); nothing was imported\n";
            return 1;
        }
    }
    if (in.series.empty()) {
        err << "perfdashd import: nothing to import in " << input << '\n';
        return 1;
    }
    const int counted = int(in.series.size());
    if (auto heartbeat = heartbeatOf(in))
        in.series.push_back(std::move(*heartbeat));

    HistoryImportReport report;
    const bool ok = HistoryImport::write(QSqlDatabase::database(connection, false), in.series, importOptions, &report,
        &error,
        [&](int done) { progress.maybe([&] { return u"wrote %1 of %2 series"_s.arg(done).arg(in.series.size()); }); });
    if (!ok) {
        err << "perfdashd import: " << error << "; nothing was imported\n";
        return 1;
    }
    qint64 rows = 0;
    for (int i = 0; i < counted; ++i)
        rows += qint64(in.series[size_t(i)].rows.size());
    const qint64 expired = report.expired[0] + report.expired[1] + report.expired[2];
    err << "perfdashd import: " << report.series << " series (" << report.newSeries << " new), " << rows << " rows at "
        << stepName(in.step) << " from " << isoTime(report.first) << " to " << isoTime(report.last)
        << "; buckets written: 1 s " << report.written[0] << ", 1 min " << report.written[1] << ", 1 h "
        << report.written[2] << "; skipped: " << report.kept
        << (importOptions.replace ? " replaced" : " already stored") << ", " << report.heldOpen << " in open chunks, "
        << expired << " past retention, " << in.bad.size() << " bad lines; read in " << readMs << " ms, written in "
        << (progress.elapsedMs() - readMs) << " ms (one transaction)\n";
    for (const QString &example : report.keptExamples)
        err << "perfdashd import:   " << example << '\n';
    return 0;
}

} // namespace perfdash
