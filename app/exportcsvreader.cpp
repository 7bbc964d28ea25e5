// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/exportcsvreader.h"

#include "storage/csvwriter.h"

#include "models/serieskey.h"
#include "models/timebucket.h"
#include "models/seriesselector.h"

#include <QDateTime>
#include <QIODevice>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

constexpr std::array<qint64, 3> kSteps { 3600, 60, 1 };

// An empty cell is NaN; anything that is not a whole number is nullopt.
std::optional<double> number(const QByteArray &text)
{
    if (text.isEmpty())
        return std::nan("");
    double v = 0;
    const auto [ptr, ec] = std::from_chars(text.constData(), text.constData() + text.size(), v);
    if (ec != std::errc() || ptr != text.constData() + text.size() || !std::isfinite(v))
        return std::nullopt;
    return v;
}

struct Row {
    qint64 line = 0;
    qint64 time = 0;
    qint64 count = 0;
    double rate = 0, min = 0, max = 0, mean = 0, seconds = 0;
    std::array<double, 4> q {};
};

struct Pending {
    QString key;
    QString display;
    std::optional<MetricKind> kind; // from the kind column
    std::vector<Row> rows;
};

bool any(const std::vector<Row> &rows, const std::function<bool(const Row &)> &f)
{
    return std::any_of(rows.begin(), rows.end(), f);
}

MetricKind inferKind(const Pending &s, const ImportReadOptions &options)
{
    if (s.kind)
        return *s.kind;
    if (auto it = options.knownKinds.constFind(s.key); it != options.knownKinds.constEnd())
        return *it;
    if (any(s.rows, [](const Row &r) { return std::isfinite(r.q[0]) || std::isfinite(r.q[3]); }))
        return MetricKind::Timer;
    const bool rate = any(s.rows, [](const Row &r) { return std::isfinite(r.rate); });
    const bool mean = any(s.rows, [](const Row &r) { return std::isfinite(r.mean); });
    return rate && !mean ? MetricKind::Counter : MetricKind::Gauge;
}

StoredPoint pointOf(const Row &r, MetricKind kind)
{
    StoredPoint p;
    p.time = r.time;
    p.count = r.count;
    p.min = r.min;
    p.max = r.max;
    const double n = double(r.count);
    if (std::isfinite(r.mean)) {
        p.sum = r.mean * n;
    } else if (kind == MetricKind::Counter) {
        // The export has no mean for counters: increments of one size are exact, others take the middle of min, max.
        p.sum = std::isfinite(r.min) && std::isfinite(r.max) ? n * (r.min + r.max) / 2.0 : n;
    } else {
        p.sum = StoredPoint::nan();
    }
    if (kind == MetricKind::Gauge)
        p.last = r.mean; // the export has no last value: the bucket's mean stands for it
    if (kind == MetricKind::Timer || kind == MetricKind::Distribution) {
        for (size_t i = 0; i < r.q.size(); ++i)
            p.q[i] = r.q[i];
    }
    return p;
}

// The largest tier step that divides every gap between rows (and, for a lone row, its time).
qint64 stepOf(const std::vector<Row> &rows)
{
    qint64 g = 0;
    for (size_t i = 1; i < rows.size(); ++i)
        g = std::gcd(g, rows[i].time - rows[i - 1].time);
    if (g == 0)
        g = rows.front().time;
    for (qint64 step : kSteps) {
        if (g % step == 0)
            return step;
    }
    return 1;
}

} // namespace

ImportInput ExportCsvReader::read(QIODevice *device, const ImportReadOptions &options)
{
    ImportInput out;
    QByteArray headerLine = device->readLine();
    out.lines = 1;
    if (headerLine.startsWith("\xEF\xBB\xBF"))
        headerLine.remove(0, 3);
    const QList<QByteArray> header = CsvWriter::parseLine(headerLine.trimmed());
    const auto column = [&](const char *name) { return header.indexOf(QByteArray(name)); };
    const qsizetype cTime = column("time"), cSeries = column("series"), cCount = column("count");
    if (cTime < 0 || cSeries < 0 || cCount < 0) {
        out.fatal = u"line 1: the header has no time, series and count columns (is this a `perfdashd export` CSV?)"_s;
        return out;
    }
    const qsizetype cRate = column("rate"), cMin = column("min"), cMax = column("max"), cMean = column("mean"),
                    cSeconds = column("seconds"), cKind = column("kind");
    const std::array<qsizetype, 4> cQ { column("p50"), column("p90"), column("p95"), column("p99") };

    std::vector<Pending> pending;
    QHash<QString, size_t> index;
    qint64 bytes = headerLine.size();
    while (!device->atEnd()) {
        const QByteArray raw = device->readLine();
        bytes += raw.size();
        const qint64 lineNo = ++out.lines;
        if (options.progress && lineNo % 4096 == 0)
            options.progress(lineNo, bytes);
        const QByteArray line = raw.trimmed();
        if (line.isEmpty())
            continue;
        const auto bad = [&](const QString &why) { out.bad.push_back({ lineNo, why }); };
        const QList<QByteArray> f = CsvWriter::parseLine(line);
        if (f.size() != header.size()) {
            bad(u"%1 fields, the header has %2"_s.arg(f.size()).arg(header.size()));
            continue;
        }
        Row r;
        r.line = lineNo;
        const QDateTime time = QDateTime::fromString(QString::fromLatin1(f[cTime]), Qt::ISODate);
        if (!time.isValid()) {
            bad(u"time \"%1\" is not an ISO 8601 time"_s.arg(QString::fromLatin1(f[cTime])));
            continue;
        }
        r.time = time.toSecsSinceEpoch();
        if (r.time < 0 || r.time >= qint64(1e11)) {
            bad(u"time \"%1\" is not between 1970 and the year 5000"_s.arg(QString::fromLatin1(f[cTime])));
            continue;
        }
        QString why;
        const auto selector = SeriesSelector::parse(QString::fromUtf8(f[cSeries]), &why);
        if (!selector || selector->name.isEmpty()) {
            bad(u"series \"%1\": %2"_s.arg(QString::fromUtf8(f[cSeries]), why.isEmpty() ? u"no name"_s : why));
            continue;
        }
        const auto [cptr, cec]
            = std::from_chars(f[cCount].constData(), f[cCount].constData() + f[cCount].size(), r.count);
        if (cec != std::errc() || cptr != f[cCount].constData() + f[cCount].size() || f[cCount].isEmpty()) {
            bad(u"count is not a number"_s);
            continue;
        }
        if (r.count < 0) {
            bad(u"count is negative"_s);
            continue;
        }
        bool ok = true;
        const auto value = [&](qsizetype c, const char *name) {
            if (c < 0 || !ok)
                return std::nan("");
            const auto v = number(f[c]);
            if (!v) {
                bad(u"%1 is not a number"_s.arg(QLatin1StringView(name)));
                ok = false;
                return std::nan("");
            }
            return *v;
        };
        r.rate = value(cRate, "rate");
        r.min = value(cMin, "min");
        r.max = value(cMax, "max");
        r.mean = value(cMean, "mean");
        r.seconds = value(cSeconds, "seconds");
        static constexpr std::array<const char *, 4> qNames { "p50", "p90", "p95", "p99" };
        for (size_t i = 0; i < cQ.size(); ++i)
            r.q[i] = value(cQ[i], qNames[i]);
        if (!ok)
            continue;
        if (std::isfinite(r.min) && std::isfinite(r.max) && r.min > r.max) {
            bad(u"min is greater than max"_s);
            continue;
        }
        std::optional<MetricKind> kind;
        if (cKind >= 0 && !f[cKind].isEmpty()) {
            kind = metricKindFromName(QString::fromLatin1(f[cKind]));
            if (!kind) {
                bad(u"kind \"%1\" is not counter, gauge, timer, distribution or set"_s.arg(
                    QString::fromLatin1(f[cKind])));
                continue;
            }
        }
        const QString key = SeriesKey { selector->name, selector->tags }.toString();
        auto it = index.constFind(key);
        if (it == index.constEnd()) {
            it = index.insert(key, pending.size());
            pending.push_back({ key, QString::fromUtf8(f[cSeries]), kind, {} });
        }
        Pending &s = pending[*it];
        if (kind && s.kind && *kind != *s.kind) {
            bad(u"kind %1, but an earlier row of %2 says %3"_s.arg(
                metricKindName(*kind), s.display, metricKindName(*s.kind)));
            continue;
        }
        if (kind)
            s.kind = kind;
        s.rows.push_back(r);
    }

    // One row per bucket; the step is the file's spacing.
    for (Pending &s : pending) {
        std::stable_sort(s.rows.begin(), s.rows.end(), [](const Row &a, const Row &b) { return a.time < b.time; });
        std::vector<Row> unique;
        for (const Row &r : s.rows) {
            if (!unique.empty() && unique.back().time == r.time) {
                out.bad.push_back({ r.line,
                    u"a second row for %1 at %2 (line %3 has one)"_s
                        .arg(s.display, QDateTime::fromSecsSinceEpoch(r.time, Qt::UTC).toString(Qt::ISODate))
                        .arg(unique.back().line) });
                continue;
            }
            unique.push_back(r);
        }
        s.rows = std::move(unique);
    }
    pending.erase(
        std::remove_if(pending.begin(), pending.end(), [](const Pending &s) { return s.rows.empty(); }), pending.end());
    if (pending.empty())
        return out;
    qint64 step = 0;
    if (options.step) {
        step = *options.step;
    } else {
        bool multi = false;
        for (const Pending &s : pending)
            multi = multi || s.rows.size() > 1;
        step = kSteps.front();
        bool daily = true;
        for (const Pending &s : pending) {
            if (multi && s.rows.size() < 2)
                continue;
            step = std::min(step, stepOf(s.rows));
            for (size_t i = 1; i < s.rows.size(); ++i)
                daily = daily && (s.rows[i].time - s.rows[i - 1].time) % 86400 == 0;
        }
        if (multi && daily && step == 3600) {
            out.fatal = u"the rows are a day apart: perfdash stores 1 s, 1 min and 1 h buckets; export with --step "
                        "1h or finer, or give --step 1h if these are hours"_s;
            return out;
        }
    }
    out.step = step;
    for (const Pending &s : pending) {
        ImportSeries series;
        series.key = s.key;
        series.kind = inferKind(s, options);
        series.step = step;
        for (const Row &r : s.rows) {
            if (r.time % step != 0) {
                out.bad.push_back({ r.line,
                    u"%1 is not on the file's step of %2 s"_s
                        .arg(QDateTime::fromSecsSinceEpoch(r.time, Qt::UTC).toString(Qt::ISODate))
                        .arg(step) });
                continue;
            }
            series.rows.push_back(pointOf(r, series.kind));
            // Clamped as a double first: a huge or negative cell must not overflow the conversion.
            const qint64 seen = std::isfinite(r.seconds) ? qint64(std::clamp(r.seconds, 0.0, double(step))) : step;
            qint64 &covered = out.covered[r.time];
            covered = std::max(covered, seen);
        }
        if (!series.rows.empty())
            out.series.push_back(std::move(series));
    }
    std::sort(out.bad.begin(), out.bad.end(), [](const BadLine &a, const BadLine &b) { return a.line < b.line; });
    return out;
}

} // namespace perfdash
