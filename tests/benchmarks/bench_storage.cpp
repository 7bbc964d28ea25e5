// SPDX-License-Identifier: GPL-3.0-or-later
// Storage budgets (DESIGN.md, Budgets): >= 1M values/s written, <= 2 bytes per stored value on disk, query times for
// one and 100 series, startup with a 1 GB database. Each timing runs 5 times; the median is printed.
// Usage: bench_storage [work folder, default /tmp/perfdash-bench] [write|speed|rollups|head|startup]
//        bench_storage FOLDER memory [series, default 2000] [minutes, default 120]
// (speed: the write rates without the 1 h size run)
// (the 1 GB file is made once and kept in the work folder)
#include "benchtiming.h"
#include "models/quantilesketch.h"
#include "storage/chunkcodec.h"
#include "storage/database.h"
#include "storage/historyquery.h"
#include "storage/storagewriter.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <tuple>
#include <vector>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

using namespace perfdash::bench;

namespace {

constexpr qint64 kStart = 1795464000; // 2026-11-23T20:00:00Z

double round3(double v)
{
    return std::round(v * 1000.0) / 1000.0;
}

// Numbers a 1 s row stores for this series: count and sum always, then whatever is not NaN.
int valuesOf(const SeriesStats &s)
{
    int n = 2;
    for (double v : { s.min, s.max, s.last, s.p50, s.p90, s.p95, s.p99 })
        n += std::isnan(v) ? 0 : 1;
    return n;
}

// 70% timers (15..45 lognormal samples a second, 3 decimals, exact quantiles), 20% counters, 10% gauges.
class Workload {
public:
    explicit Workload(int series)
        : m_rng(42)
        , m_series(series)
        , m_gauges(size_t(series), 50.0)
    { }

    LiveFrame second(qint64 t, qint64 *values)
    {
        LiveFrame frame;
        frame.second = t;
        frame.series.reserve(m_series);
        std::lognormal_distribution<double> latency(3.0, 0.5);
        std::normal_distribution<double> walk(0.0, 0.5);
        for (int i = 0; i < m_series; ++i) {
            SeriesStats s;
            const int kind = i % 10;
            if (kind < 7) {
                s.key = u"bench.latency|model:m"_s % QString::number(i % 7) % u",op:o"_s % QString::number(i);
                s.kind = MetricKind::Timer;
                const int n = 15 + int(m_rng() % 31);
                std::vector<double> v(static_cast<size_t>(n));
                for (double &x : v)
                    x = round3(latency(m_rng));
                std::sort(v.begin(), v.end());
                s.count = n;
                s.rate = n;
                s.sum = 0;
                for (double x : v)
                    s.sum += x;
                s.min = v.front();
                s.max = v.back();
                const auto q = [&](double level) { return v[size_t(std::floor(level * double(n - 1)))]; };
                QuantileSketch sketch; // the aggregator sends each second's sketch along (SeriesStats::sketch)
                for (double x : v)
                    sketch.add(x);
                s.sketch = sketch.serialize();
                s.p50 = q(0.5);
                s.p90 = q(0.9);
                s.p95 = q(0.95);
                s.p99 = q(0.99);
            } else if (kind < 9) {
                s.key = u"bench.requests|op:o"_s % QString::number(i);
                s.kind = MetricKind::Counter;
                s.count = 40 + qint64(m_rng() % 21);
                s.rate = double(s.count);
                s.sum = double(s.count);
                s.min = s.max = 1;
            } else {
                s.key = u"bench.queue|q:"_s % QString::number(i);
                s.kind = MetricKind::Gauge;
                double &g = m_gauges[size_t(i)];
                g = std::max(0.0, std::round((g + walk(m_rng)) * 10.0) / 10.0);
                s.count = 1;
                s.sum = s.min = s.max = s.last = g;
            }
            *values += valuesOf(s);
            frame.series.push_back(std::move(s));
        }
        return frame;
    }

private:
    std::mt19937_64 m_rng;
    int m_series;
    std::vector<double> m_gauges;
};

struct TableBytes {
    std::map<QString, qint64> byName;
    qint64 of(std::initializer_list<const char16_t *> names) const
    {
        qint64 total = 0;
        for (const auto *n : names) {
            for (const auto &[name, bytes] : byName)
                if (name.startsWith(QString::fromUtf16(n)))
                    total += bytes;
        }
        return total;
    }
};

TableBytes tableBytes(const QString &path)
{
    TableBytes out;
    {
        auto db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"dbstat"_s);
        db.setDatabaseName(path);
        db.open();
        QSqlQuery q(db);
        q.exec(u"PRAGMA wal_checkpoint(TRUNCATE)"_s);
        if (!q.exec(u"SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"_s))
            std::printf("dbstat unavailable: %s\n", qPrintable(q.lastError().text()));
        while (q.next())
            out.byName[q.value(0).toString()] = q.value(1).toLongLong();
    }
    QSqlDatabase::removeDatabase(u"dbstat"_s);
    return out;
}

void removeDatabase(const QString &path)
{
    for (const auto &suffix : { u""_s, u"-wal"_s, u"-shm"_s })
        QFile::remove(path + suffix);
}

double cpuNow()
{
    timespec ts {};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// ---- 1. values written per second, and bytes per value of the 1 s and 1 min tiers as the writer leaves them.
// Three write patterns over the same 600 s of 1000 series:
// - catch-up: final frames, one flush per 60 s of data (a backlog after a stall);
// - live, final only: one flush per second of data, each with one final frame;
// - live as perfdashd sends it: each flush holds the provisional frame of second t and the final frame of second
//   t - 2 (the grace period), so every second is written twice; values count once, when final.
// Flushes are live ones (FlushScope::Live), as perfdashd's timer and posts make them, and one FlushScope::Everything
// at the end, as at shutdown, is in the time. (Before 2026-12-05 every flush here was an Everything flush, which
// writes every changed rollup row each time.)
// Wall time and process CPU time (the writer thread does the work; the bench thread waits) are medians of 5 runs.
void writeBenchmarks(const QString &dir, bool sizes)
{
    const int series = 1000;
    const int seconds = 600;
    const int grace = 2;
    Workload workload(series);
    qint64 values = 0;
    std::vector<LiveFrame> frames;
    for (int s = 0; s < seconds; ++s)
        frames.push_back(workload.second(kStart + s, &values));
    const QString path = QDir(dir).filePath(u"write.db"_s);
    StorageOptions options;
    options.flushIntervalMs = 3600 * 1000;
    options.flushOnPost = false; // the benchmark decides how much goes into one flush
    options.queueCapacity = 1LL << 40;
    enum class Pattern { CatchUp, LiveFinal, LiveProvisional };
    const struct {
        Pattern pattern;
        const char *what;
    } cases[] = { { Pattern::CatchUp, "catch-up, one flush per 60 s of data" },
        { Pattern::LiveFinal, "live, one flush per 1 s, final frames only" },
        { Pattern::LiveProvisional, "live, one flush per 1 s, provisional t + final t-2" } };
    for (const auto &c : cases) {
        std::unique_ptr<StorageThread> storage;
        std::vector<double> cpu;
        const double t = medianSeconds(
            [&]() {
                const double cpu0 = cpuNow();
                if (c.pattern == Pattern::CatchUp) {
                    for (int s = 0; s < seconds; s += 60) {
                        for (int i = s; i < s + 60; ++i)
                            storage->post({ frames[size_t(i)] });
                        storage->flush(FlushScope::Live);
                    }
                } else if (c.pattern == Pattern::LiveFinal) {
                    for (int s = 0; s < seconds; ++s) {
                        storage->post({ frames[size_t(s)] });
                        storage->flush(FlushScope::Live);
                    }
                } else {
                    for (int s = 0; s < seconds + grace; ++s) {
                        QVector<LiveFrame> batch;
                        if (s < seconds) {
                            batch.push_back(frames[size_t(s)]);
                            batch.back().provisional = true;
                        }
                        if (s >= grace) {
                            batch.push_back(frames[size_t(s - grace)]);
                            batch.back().changedSincePublish = false;
                        }
                        storage->post(batch);
                        storage->flush(FlushScope::Live);
                    }
                }
                storage->flush(FlushScope::Everything); // as at shutdown: every row current
                cpu.push_back(cpuNow() - cpu0);
            },
            [&]() {
                storage.reset();
                removeDatabase(path);
                storage = std::make_unique<StorageThread>(path, options);
                storage->start();
            });
        storage.reset();
        std::sort(cpu.begin(), cpu.end());
        const double cpuMedian = cpu[cpu.size() / 2];
        std::printf("write: %d series x %d s, %-50s %.2f M values/s wall (%.0f k series-seconds/s; %.2f ms a "
                    "flush), %.2f M values/s of CPU time\n",
            series, seconds, c.what, double(values) / t / 1e6, double(series) * seconds / t / 1e3,
            t * 1e3 / (c.pattern == Pattern::CatchUp ? seconds / 60.0 : double(seconds)),
            double(values) / cpuMedian / 1e6);
    }

    if (!sizes)
        return;
    // One hour of the same workload for the sizes.
    removeDatabase(path);
    qint64 hourValues = 0;
    qint64 minuteValues = 0;
    {
        StorageThread storage(path, options);
        storage.start();
        Workload hour(series);
        for (int s = 0; s < 3600; s += 60) {
            for (int i = s; i < s + 60; ++i) {
                qint64 v = 0;
                const LiveFrame f = hour.second(kStart + i, &v);
                hourValues += v;
                if (i % 60 == 0)
                    minuteValues += v; // a minute row holds the same fields as its seconds
                storage.post({ f });
            }
            storage.flush();
        }
        // One more second closes the last 1 s chunk and the hour's 1 min chunk; it is not counted.
        qint64 ignored = 0;
        storage.post({ hour.second(kStart + 3600, &ignored) });
        storage.flush();
    }
    const TableBytes bytes = tableBytes(path);
    const qint64 s1 = bytes.of({ u"chunk_1s" });
    const qint64 m1 = bytes.of({ u"chunk_1m" });
    const qint64 k1 = bytes.of({ u"sketch_1m" });
    std::printf("size, 1 s tier (writer, 1000 series x 1 h): %lld bytes for %lld values: %.2f B/value\n", s1,
        hourValues, double(s1) / double(hourValues));
    std::printf("size, 1 min tier numbers (writer): %lld bytes for %lld values: %.2f B/value\n", m1, minuteValues,
        double(m1) / double(minuteValues));
    std::printf("size, 1 min tier sketches (writer, interim sketches): %lld bytes for %d timer-minutes: %.0f B each\n",
        k1, 700 * 60, double(k1) / (700.0 * 60));
    std::printf("size, open chunks (one a series and tier, rewritten every flush): %lld bytes; whole file %lld bytes\n",
        bytes.of({ u"open_chunks" }), qint64(QFileInfo(path).size()));
    removeDatabase(path);
}

// ---- 2. a month of rollups laid out directly with the codec (the writer's ingest is not what this measures).
// 100 timer series: 30 days of 1 h rows and sketches, 24 h of 1 min rows and sketches.
void fillRollups(const QString &path, int series, qint64 end)
{
    removeDatabase(path);
    Database::openWritable(u"fill"_s, path);
    {
        auto db = QSqlDatabase::database(u"fill"_s);
        db.transaction();
        QSqlQuery q(db);
        std::mt19937_64 rng(7);
        std::lognormal_distribution<double> latency(3.0, 0.5);
        for (int i = 0; i < series; ++i) {
            q.prepare(u"INSERT INTO series(key, kind, first_seen) VALUES (?, 2, ?)"_s);
            q.addBindValue(QString(u"bench.latency|op:o"_s % QString::number(i)));
            q.addBindValue(end - 31 * 86400);
            q.exec();
        }
        const struct {
            const char16_t *chunks;
            const char16_t *sketches;
            qint64 step, span, length;
            int samples;
        } tiers[] = { { u"chunk_1h", u"sketch_1h", 3600, 86400, 30 * 86400, 5000 },
            { u"chunk_1m", u"sketch_1m", 60, 3600, 86400, 2000 } };
        for (const auto &tier : tiers) {
            for (int i = 1; i <= series; ++i) {
                const qint64 from = floorTo(end - tier.length, tier.span);
                std::vector<StoredPoint> rows;
                for (qint64 t = from; t < end; t += tier.step) {
                    QuantileSketch sketch;
                    for (int k = 0; k < tier.samples; ++k)
                        sketch.add(round3(latency(rng)));
                    StoredPoint p;
                    p.time = t;
                    p.count = qint64(tier.step) * 30;
                    p.sum = round3(double(p.count) * 22.7 + double(rng() % 1000) / 10.0);
                    p.min = sketch.min();
                    p.max = sketch.max();
                    for (size_t k = 0; k < 4; ++k)
                        p.q[k] = sketch.quantile(StoredPoint::kQuantileLevels[k]);
                    rows.push_back(p);
                    q.prepare(u"INSERT INTO "_s % QString::fromUtf16(tier.sketches)
                        % u"(series_id, start, data) VALUES (?, ?, ?)"_s);
                    q.addBindValue(i);
                    q.addBindValue(t);
                    q.addBindValue(sketch.serialize());
                    q.exec();
                    if (floorTo(t + tier.step, tier.span) != floorTo(t, tier.span) || t + tier.step >= end) {
                        q.prepare(u"INSERT INTO "_s % QString::fromUtf16(tier.chunks)
                            % u"(series_id, start, n, data) VALUES (?, ?, ?, ?)"_s);
                        q.addBindValue(i);
                        q.addBindValue(floorTo(t, tier.span));
                        q.addBindValue(qint64(rows.size()));
                        q.addBindValue(ChunkCodec::encode(rows, floorTo(t, tier.span), tier.step, 0.01));
                        q.exec();
                        rows.clear();
                    }
                }
            }
        }
        db.commit();
    }
    Database::close(u"fill"_s);
}

void rollupAndQueryBenchmarks(const QString &dir)
{
    const QString path = QDir(dir).filePath(u"rollups.db"_s);
    const int series = 100;
    const qint64 end = kStart;
    fillRollups(path, series, end);
    const TableBytes bytes = tableBytes(path);
    const double hourRows = series * 30.0 * 24.0;
    const double minuteRows = series * 1440.0;
    std::printf("size, 1 h tier numbers: %.2f B/value (8 values a row); sketches: %.0f B per hour\n",
        double(bytes.of({ u"chunk_1h" })) / (hourRows * 8), double(bytes.of({ u"sketch_1h" })) / hourRows);
    std::printf("size, 1 min tier numbers: %.2f B/value (8 values a row); sketches: %.0f B per minute\n",
        double(bytes.of({ u"chunk_1m" })) / (minuteRows * 8), double(bytes.of({ u"sketch_1m" })) / minuteRows);

    Database::openReadOnly(u"bench-read"_s, path);
    HistoryQuery query(u"bench-read"_s);
    QVector<SeriesInfo> list;
    query.seriesList(&list, nullptr);
    const auto timeQuery = [&](int n, qint64 from, qint64 step, const char *what) {
        qint64 points = 0;
        const double t = medianSeconds([&]() {
            points = 0;
            for (int i = 0; i < n; ++i) {
                SeriesWindow w;
                query.window(list[i], from, end, step, &w, nullptr);
                points += w.points.size();
            }
        });
        std::printf("query: %-34s %3d series: %8.2f ms (%lld points)\n", what, n, t * 1e3, points);
    };
    for (int n : { 1, 100 }) {
        timeQuery(n, end - 30 * 86400, 3600, "30 days at 1 h");
        timeQuery(n, end - 86400, 60, "24 h at 1 min");
        timeQuery(n, end - 30 * 86400, 86400, "30 days at 1 d (merged sketches)");
    }
    Database::close(u"bench-read"_s);
    removeDatabase(path);
}

// ---- 2b. reads of the head: the 1 s seconds a rollup tier has not folded yet, merged into the answer.
// 100 timer series written live by the writer as perfdashd writes (provisional t, final t-2, rollup rows every 10 s of
// data, staggered): each series' rollup rows trail by 0..12 s. The same queries again after FlushScope::Everything
// (rollups current, only the provisional seconds left to merge) give what the merge costs.
void headBenchmarks(const QString &dir)
{
    const QString path = QDir(dir).filePath(u"head.db"_s);
    removeDatabase(path);
    const int series = 100;
    const qint64 end = kStart + 3600 + 37; // 37 s into a minute
    StorageOptions options;
    options.flushIntervalMs = 3600 * 1000;
    options.flushOnPost = false;
    options.retentionIntervalMs = 3600 * 1000;
    auto storage = std::make_unique<StorageThread>(path, options);
    storage->start();
    std::mt19937_64 rng(11);
    std::lognormal_distribution<double> latency(3.0, 0.6);
    const auto timerSecond = [&](int i) {
        QuantileSketch sketch;
        SeriesStats s;
        s.key = u"head.latency|op:o"_s % QString::number(i);
        s.kind = MetricKind::Timer;
        for (int k = 0; k < 30; ++k) {
            const double v = round3(latency(rng));
            sketch.add(v);
            s.sum += v;
        }
        s.count = 30;
        s.min = sketch.min();
        s.max = sketch.max();
        s.p50 = sketch.quantile(0.5);
        s.p90 = sketch.quantile(0.9);
        s.p95 = sketch.quantile(0.95);
        s.p99 = sketch.quantile(0.99);
        s.p999 = sketch.quantile(0.999);
        s.quantileError = sketch.relativeAccuracy();
        s.sketch = sketch.serialize();
        return s;
    };
    std::map<qint64, LiveFrame> finals;
    for (qint64 t = end - 3600; t < end; ++t) {
        LiveFrame frame { t, {} };
        for (int i = 0; i < series; ++i)
            frame.series.push_back(timerSecond(i));
        LiveFrame provisional = frame;
        provisional.provisional = true;
        for (SeriesStats &s : provisional.series)
            s.sketch.clear(); // provisional frames carry no sketch
        QVector<LiveFrame> tick { provisional };
        finals.emplace(t, std::move(frame));
        if (const auto it = finals.find(t - 2); it != finals.end()) {
            tick.push_back(it->second);
            finals.erase(it);
        }
        storage->post(tick);
        storage->flush(FlushScope::Live);
    }
    Database::openReadOnly(u"bench-head"_s, path);
    HistoryQuery query(u"bench-head"_s);
    QVector<SeriesInfo> list;
    query.seriesList(&list, nullptr);
    const auto timeQueries = [&](const char *state) {
        for (const auto &[step, span, what] : { std::tuple<qint64, qint64, const char *> { 60, 86400, "24 h at 1 min" },
                 { 3600, 7 * 86400, "7 days at 1 h" }, { 86400, 30 * 86400, "30 days at 1 d" } }) {
            qint64 values = 0;
            const double t = medianSeconds([&]() {
                values = 0;
                for (const SeriesInfo &info : list) {
                    SeriesWindow w;
                    query.window(info, end - span, end, step, &w, nullptr);
                    for (const WindowPoint &p : w.points)
                        values += p.point.count;
                }
            });
            std::printf("head: %-15s %3lld series, %-34s %8.2f ms (%lld values)\n", what, qint64(list.size()), state,
                t * 1e3, values);
        }
    };
    timeQueries("rollup rows trailing 0-12 s (live)");
    storage->flush(FlushScope::Everything);
    timeQueries("rollup rows current (2 s merged)");
    Database::close(u"bench-head"_s);
    storage.reset();
    removeDatabase(path);
}

// ---- 3. startup with a 1 GB database: open, quick_check, migrations, prepared statements.
void startupBenchmark(const QString &dir)
{
    const QString path = QDir(dir).filePath(u"startup-1g.db"_s);
    if (QFileInfo(path).size() < (qint64(1) << 30)) {
        std::printf("startup: making %s (once)...\n", qPrintable(path));
        removeDatabase(path);
        Database::openWritable(u"make"_s, path);
        {
            auto db = QSqlDatabase::database(u"make"_s);
            Workload workload(1000);
            std::vector<std::vector<StoredPoint>> chunks(1000);
            // Real 60-row chunks of the workload, reused for every minute: realistic sizes, fast to make.
            for (int s = 0; s < 60; ++s) {
                qint64 v = 0;
                const LiveFrame f = workload.second(kStart + s, &v);
                for (int i = 0; i < 1000; ++i) {
                    const SeriesStats &st = f.series[i];
                    StoredPoint p;
                    p.time = kStart + s;
                    p.count = st.count;
                    p.sum = st.sum;
                    p.min = st.min;
                    p.max = st.max;
                    p.last = st.last;
                    p.q = { st.p50, st.p90, st.p95, st.p99, std::nan("") };
                    chunks[size_t(i)].push_back(p);
                }
            }
            std::vector<QByteArray> blobs;
            for (const auto &c : chunks)
                blobs.push_back(ChunkCodec::encode(c, kStart, 1, 0.01));
            QSqlQuery q(db);
            for (int i = 1; i <= 1000; ++i)
                q.exec(u"INSERT INTO series(key, kind, first_seen) VALUES ('s%1', 2, 0)"_s.arg(i));
            q.prepare(u"INSERT INTO chunk_1s(series_id, start, n, data) VALUES (?, ?, 60, ?)"_s);
            qint64 minute = 0;
            while (QFileInfo(path).size() + QFileInfo(path + u"-wal"_s).size() < (qint64(1) << 30) + (64 << 20)) {
                db.transaction();
                for (int k = 0; k < 20; ++k, ++minute) {
                    for (int i = 0; i < 1000; ++i) {
                        q.addBindValue(i + 1);
                        q.addBindValue(kStart - 86400 * 30 + minute * 60);
                        q.addBindValue(blobs[size_t(i)]);
                        q.exec();
                    }
                }
                db.commit();
            }
            q.exec(u"PRAGMA wal_checkpoint(TRUNCATE)"_s);
        }
        Database::close(u"make"_s);
    }
    const double size = double(QFileInfo(path).size()) / double(1 << 20);
    const double quick = medianSeconds([&]() {
        auto db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"qc"_s);
        db.setDatabaseName(path);
        db.open();
        QSqlQuery q(db);
        q.exec(u"PRAGMA quick_check"_s);
        q.next();
        q.finish();
        db.close();
        db = {};
        QSqlDatabase::removeDatabase(u"qc"_s);
    });
    const double start = medianSeconds([&]() {
        StorageThread storage(path);
        storage.start();
    });
    std::printf("startup: %.0f MiB database (page cache warm): quick_check %.0f ms; StorageThread::start() %.0f ms\n",
        size, quick * 1e3, start * 1e3);
}

// ---- 5. The writer's memory over simulated hours (not in the default run): `series` series of the workload above,
// written as perfdashd writes them (final frames, a live flush every 10 s of data; the data clock runs as fast as the
// writer takes it). Heap in use (glibc's count) after the flush ending chosen minutes, and what it added per series
// since minute 1: what the open chunks of the three tiers hold grows there, and SQLite's page cache stays put.
// The same minute sent again would give the same minute rows, which encode to almost nothing: each minute scales the
// timers' values (without their sketches, which the writer then approximates from the scaled quantiles), adds to the
// counters and moves the gauges, so minute and hour rows differ as they would.
void varyByMinute(LiveFrame &frame, int minute)
{
    const double scale = 1.0 + 0.037 * double((minute * 7) % 11);
    for (SeriesStats &s : frame.series) {
        if (s.kind == MetricKind::Timer) {
            s.sketch.clear();
            for (double *v : { &s.sum, &s.min, &s.max, &s.p50, &s.p90, &s.p95, &s.p99 })
                *v = round3(*v * scale);
        } else if (s.kind == MetricKind::Counter) {
            s.count += minute % 9;
            s.rate = s.sum = double(s.count);
        } else {
            s.sum = s.min = s.max = s.last = s.last + 0.1 * double(minute % 17);
        }
    }
}

void memoryBenchmark(const QString &dir, int series, int minutes)
{
    const QString path = QDir(dir).filePath(u"memory.db"_s);
    removeDatabase(path);
    StorageOptions options;
    options.flushIntervalMs = 3600 * 1000;
    options.flushOnPost = false;
    options.queueCapacity = 1LL << 40;
    Workload workload(series);
    qint64 ignored = 0;
    std::vector<LiveFrame> minute; // one minute of frames, sent again each minute with its seconds moved on
    for (int s = 0; s < 60; ++s)
        minute.push_back(workload.second(kStart + s, &ignored));
    const std::vector<int> report { 1, 5, 15, 16, 17, 31, 33, 45, 59, 60, 61, 90, 120, 240, 480, 960, 1020, 1439,
        1441 };
    std::printf(
        "memory: %d series, %d simulated minutes from 20:00 UTC (1 min chunks close on the hour)\n", series, minutes);
    auto storage = std::make_unique<StorageThread>(path, options);
    if (const auto opened = storage->start(); !opened.ok) {
        std::printf("memory: cannot open %s\n", qPrintable(path));
        return;
    }
    QElapsedTimer wall;
    wall.start();
    size_t base = 0;
    for (int m = 0; m < minutes; ++m) {
        for (int s = 0; s < 60; ++s) {
            LiveFrame f = minute[size_t(s)];
            f.second = kStart + qint64(m) * 60 + s;
            varyByMinute(f, m);
            storage->post({ f });
            if (s % 10 == 9)
                storage->flush(FlushScope::Live);
        }
        const int done = m + 1;
        if (done == 1)
            base = heapInUse();
        if (std::find(report.begin(), report.end(), done) != report.end() || done == minutes) {
            const size_t heap = heapInUse();
            std::printf("  minute %3d: heap in use %7.1f MiB, +%6.0f B a series since minute 1 (%.0f s wall)\n", done,
                double(heap) / 1048576.0, (double(heap) - double(base)) / series, double(wall.elapsed()) / 1e3);
        }
    }
    storage.reset();
    removeDatabase(path);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // progress as it happens, also into a file
    const QString dir = argc > 1 ? QString::fromLocal8Bit(argv[1]) : u"/tmp/perfdash-bench"_s;
    QDir().mkpath(dir);
    const QString only = argc > 2 ? QString::fromLocal8Bit(argv[2]) : QString();
    if (only == u"memory"_s) {
        memoryBenchmark(dir, argc > 3 ? std::atoi(argv[3]) : 2000, argc > 4 ? std::atoi(argv[4]) : 120);
        return 0;
    }
    if (only.isEmpty() || only == u"write"_s || only == u"speed"_s)
        writeBenchmarks(dir, only != u"speed"_s);
    if (only.isEmpty() || only == u"rollups"_s)
        rollupAndQueryBenchmarks(dir);
    if (only.isEmpty() || only == u"head"_s)
        headBenchmarks(dir);
    if (only.isEmpty() || only == u"startup"_s)
        startupBenchmark(dir);
    return 0;
}
