// SPDX-License-Identifier: GPL-3.0-or-later
// The GUI thread's share of loading the start's history (issue 17: no GUI-thread stall over 50 ms at start with 2,000
// series of stored history): an hour of 1 s points for N series, handed to the SeriesStore either by ingesting the
// frames on the GUI thread (before) or by ingesting them into a store of their own on a worker and adopting that on
// the GUI thread (after: SeriesStore::adopt, GuiSession::adoptHistory). A live store already holds 10 s of every
// series, as it does when history arrives. Prints the median and range of 3 runs of each, in ms, for N = 500 and 2,000.
//
//   bench_history_adopt [--seconds S]     # default 3600
#include "models/seriesstore.h"

#include <QCoreApplication>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 GuiSession_kLiveHeadroom = 64; // as app/gui/guisession.cpp reserves

QVector<LiveFrame> history(int series, qint64 seconds, qint64 end)
{
    QVector<QString> keys;
    for (int i = 0; i < series; ++i)
        keys << u"svc.latency|model:m%1,route:r%2"_s.arg(i / 20).arg(i % 20);
    QVector<LiveFrame> frames;
    frames.reserve(seconds);
    for (qint64 s = end - seconds; s < end; ++s) {
        LiveFrame f { s, {} };
        f.series.reserve(series);
        for (const QString &key : std::as_const(keys)) {
            SeriesStats st;
            st.key = key;
            st.kind = MetricKind::Timer;
            st.count = 10;
            st.rate = 10;
            st.sum = 200;
            st.min = 5;
            st.max = 40;
            st.p50 = st.p90 = st.p95 = st.p99 = st.p999 = 20;
            f.series.push_back(st);
        }
        frames.push_back(std::move(f));
    }
    return frames;
}

double ms(std::chrono::steady_clock::duration d)
{
    return std::chrono::duration<double, std::milli>(d).count();
}

struct Figures {
    std::vector<double> gui, worker;
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    qint64 seconds = 3600;
    const QStringList args = app.arguments();
    if (const qsizetype at = args.indexOf(u"--seconds"_s); at > 0 && at + 1 < args.size())
        seconds = std::max<qint64>(10, args.at(at + 1).toLongLong());
    const qint64 end = 1'800'000'000;
    constexpr int kRuns = 3;
    std::printf("bench_history_adopt: %lld s of 1 s points per series, %d runs each\n", qint64(seconds), kRuns);
    for (const int n : { 500, 2000 }) {
        const QVector<LiveFrame> frames = history(n, seconds, end);
        const QVector<LiveFrame> live = history(n, 10, end + 10);
        Figures before, after;
        for (int run = 0; run < kRuns; ++run) {
            {
                SeriesStore store(3600);
                store.ingest(live);
                const auto t0 = std::chrono::steady_clock::now();
                store.ingest(frames); // on the GUI thread
                before.gui.push_back(ms(std::chrono::steady_clock::now() - t0));
            }
            {
                SeriesStore store(3600);
                store.ingest(live);
                const auto t0 = std::chrono::steady_clock::now();
                SeriesStore staging(3600);
                staging.ingest(frames); // on the worker
                staging.reserveAfter(GuiSession_kLiveHeadroom);
                const auto t1 = std::chrono::steady_clock::now();
                store.adopt(staging); // on the GUI thread
                const auto t2 = std::chrono::steady_clock::now();
                after.worker.push_back(ms(t1 - t0));
                after.gui.push_back(ms(t2 - t1));
            }
        }
        const auto line = [](const char *what, std::vector<double> v) {
            std::sort(v.begin(), v.end());
            std::printf("  %-44s median %8.1f ms (%.1f–%.1f)\n", what, v[v.size() / 2], v.front(), v.back());
        };
        std::printf("%d series, %lld points:\n", n, qint64(n) * seconds);
        line("before: ingest on the GUI thread", before.gui);
        line("after: GUI thread (adopt)", after.gui);
        line("after: worker thread (ingest into its own store)", after.worker);
    }
    return 0;
}
