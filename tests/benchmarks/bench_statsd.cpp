// SPDX-License-Identifier: GPL-3.0-or-later
// StatsD ingest cost per line: parse only (forEachLine + parseLine), and parse + aggregate through
// StatsdIngest::processDatagram, with 100 and with 10k live series. Datagrams hold ~25 packed lines of a fixed mix
// (counters with tags, gauges, sampled timers with tags, packed distributions). Prints the median of 5 runs, in
// wall time and in the thread's CPU time: on a shared VM the CPU time is the steadier figure, since time spent
// descheduled by other builds is not counted.
#include "collector/ingestcounters.h"
#include "collector/statsdparser.h"
#include "collector/seriesregistry.h"
#include "collector/statsdingest.h"
#include "models/aggregator.h"

#include <QCoreApplication>
#include <QTextStream>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <random>
#include <vector>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 NowMs = 1657100600000; // fixed clock: every sample lands in the same open second
constexpr int LinesPerDatagram = 25;
constexpr int Runs = 5;
constexpr qint64 LinesPerRun = 1'000'000;

QByteArray number(double v)
{
    return QByteArray::number(v, 'f', 3);
}

// One line for series i; a series keeps its name, tags and type, so keys never conflict.
QByteArray lineFor(int i, std::mt19937 &rng)
{
    std::uniform_real_distribution<double> value(0.0, 1000.0);
    const QByteArray n = QByteArray::number(i);
    switch (i % 10) {
    case 0:
    case 1:
    case 2:
    case 3:
        return "svc.requests." + n + ":1|c|#env:prod,host:web" + QByteArray::number(i % 7);
    case 4:
    case 5:
        return "svc.queue." + n + ':' + number(value(rng)) + "|g";
    case 6:
    case 7:
    case 8:
        return "svc.latency." + n + ':' + number(value(rng)) + "|ms|@0.5|#env:prod,route:/api/"
            + QByteArray::number(i % 13);
    default:
        return "svc.size." + n + ':' + number(value(rng)) + ':' + number(value(rng)) + ':' + number(value(rng))
            + "|d|#env:prod";
    }
}

struct Workload {
    std::vector<QByteArray> datagrams;
    qint64 lines = 0;
};

// Enough datagrams to touch every series at least once, cycling through them in a shuffled order.
Workload makeWorkload(int series)
{
    std::mt19937 rng(42);
    std::vector<int> order(size_t(std::max(series, 20'000)));
    for (size_t k = 0; k < order.size(); ++k)
        order[k] = int(k % size_t(series));
    std::shuffle(order.begin(), order.end(), rng);
    Workload w;
    QByteArray datagram;
    int inDatagram = 0;
    for (const int i : order) {
        datagram += lineFor(i, rng);
        datagram += '\n';
        ++w.lines;
        if (++inDatagram == LinesPerDatagram) {
            w.datagrams.push_back(datagram);
            datagram.clear();
            inDatagram = 0;
        }
    }
    if (!datagram.isEmpty())
        w.datagrams.push_back(datagram);
    return w;
}

using Clock = std::chrono::steady_clock;

struct Sample {
    double wallNs = 0; // per line
    double cpuNs = 0; // per line, this thread only
};
using Samples = std::vector<Sample>;

double threadCpuNs()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// One timed run: repeated passes over the workload, at least LinesPerRun lines.
template <typename PerDatagram>
Sample measureOnce(const Workload &w, PerDatagram &&perDatagram)
{
    qint64 lines = 0;
    const double cpuStart = threadCpuNs();
    const auto start = Clock::now();
    while (lines < LinesPerRun) {
        for (const auto &d : w.datagrams)
            perDatagram(d);
        lines += w.lines;
    }
    const std::chrono::duration<double, std::nano> elapsed = Clock::now() - start;
    const double cpu = threadCpuNs() - cpuStart;
    return { elapsed.count() / double(lines), cpu / double(lines) };
}

Samples parseOnly(const Workload &w)
{
    StatsdParser::Message message;
    const StatsdParser::Limits limits;
    quint64 accepted = 0;
    Samples runs;
    for (int r = 0; r < Runs; ++r) {
        runs.push_back(measureOnce(w, [&](const QByteArray &d) {
            StatsdParser::forEachLine(d, [&](QByteArrayView line) {
                if (!StatsdParser::parseLine(line, message, limits, NowMs / 1000))
                    ++accepted;
            });
        }));
    }
    if (accepted == 0)
        qFatal("bench_statsd: nothing parsed");
    return runs;
}

Samples parseAndAggregate(const Workload &w)
{
    Samples runs;
    for (int r = 0; r < Runs; ++r) {
        // A fresh aggregator per run, warmed by one untimed pass so every series already has its bucket entry.
        Aggregator aggregator;
        IngestCounters counters;
        SeriesRegistry registry(aggregator);
        StatsdIngest ingest(aggregator, registry, counters);
        for (const auto &d : w.datagrams)
            ingest.processDatagram(d, NowMs);
        runs.push_back(measureOnce(w, [&](const QByteArray &d) { ingest.processDatagram(d, NowMs); }));
        if (counters.linesRejected != 0)
            qFatal("bench_statsd: the workload has rejected lines");
    }
    return runs;
}

QString describe(const Samples &runs)
{
    std::vector<double> wall, cpu;
    QStringList all;
    for (const Sample &r : runs) {
        wall.push_back(r.wallNs);
        cpu.push_back(r.cpuNs);
        all.push_back(QString::number(r.wallNs, 'f', 1));
    }
    return u"median %1 ns/line wall, %2 ns/line CPU (wall runs: %3)"_s.arg(
        QString::number(median(wall), 'f', 1), QString::number(median(cpu), 'f', 1), all.join(u", "_s));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    const Workload small = makeWorkload(100);
    const Workload large = makeWorkload(10'000);
    out << "bench_statsd: " << LinesPerDatagram << " lines per datagram, " << small.datagrams.front().size()
        << " bytes in the first datagram, >= " << LinesPerRun << " lines per run, " << Runs << " runs" << Qt::endl;
    // An optional argument picks one measurement (parse, aggregate100, aggregate10k), e.g. for perf record.
    const QString only = app.arguments().value(1);
    if (only.isEmpty() || only == u"parse")
        out << "parse only (forEachLine + parseLine):       " << describe(parseOnly(small)) << Qt::endl;
    if (only.isEmpty() || only == u"aggregate100")
        out << "parse + aggregate, 100 series (StatsdIngest):  " << describe(parseAndAggregate(small)) << Qt::endl;
    if (only.isEmpty() || only == u"aggregate10k")
        out << "parse + aggregate, 10k series (StatsdIngest):  " << describe(parseAndAggregate(large)) << Qt::endl;
    return 0;
}
