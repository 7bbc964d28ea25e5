// SPDX-License-Identifier: GPL-3.0-or-later
// The GUI's live store with many series (issue 17: "a GUI bounded by what it shows", <= 200 MB for 10,000 series live
// for an hour): frames of N series, one per second for S seconds, ingested as the GUI does (half timers with
// quantiles, half counters; 20 series per model), with the store bounded by what is shown (a dashboard's dozen series
// keep the hour, each model's latency its sparkline's minute as the source tree asks, the rest seconds) or not. Prints
// the process's RSS before and after, the store's share per series, and the GUI thread's time per frame (median and
// worst of the last minute's frames).
//
//   bench_gui_store [--series N] [--seconds S] [--shown K] [--unbounded]    # defaults 10000, 3600, 12
#include "models/seriesstore.h"

#include <QCoreApplication>
#include <QFile>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

double rssMb()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
    }
    return -1;
}

LiveFrame frameAt(qint64 second, const QVector<QString> &keys)
{
    LiveFrame f { second, {} };
    f.series.reserve(keys.size());
    for (int i = 0; i < keys.size(); ++i) {
        SeriesStats st;
        st.key = keys[i];
        st.kind = i % 2 == 0 ? MetricKind::Timer : MetricKind::Counter;
        st.count = 10 + (second + i) % 7;
        st.rate = double(st.count);
        st.sum = 200;
        if (st.kind == MetricKind::Timer) {
            st.min = 5;
            st.max = 40;
            st.p50 = 20;
            st.p90 = st.p95 = 30;
            st.p99 = st.p999 = 38;
            st.quantileError = 0.01;
        }
        f.series.push_back(std::move(st));
    }
    return f;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const auto option = [&](const QString &name, qint64 fallback) {
        const qsizetype i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args[i + 1].toLongLong() : fallback;
    };
    const int series = int(option(u"--series"_s, 10000));
    const qint64 seconds = option(u"--seconds"_s, 3600);
    const int shownCount = int(option(u"--shown"_s, 12));
    const bool bounded = !args.contains(u"--unbounded"_s);

    QVector<QString> keys;
    for (int i = 0; i < series; ++i)
        keys << (i % 2 == 0 ? u"svc.latency|model:m%1,route:r%2"_s : u"svc.requests|model:m%1,route:r%2"_s)
                    .arg(i / 20)
                    .arg(i % 20);
    const double before = rssMb();
    SeriesStore store(3600);
    store.setBoundedByShown(bounded);
    store.setShown(QStringList(keys.cbegin(), keys.cbegin() + std::min(shownCount, series)));
    QSet<QString> sparklines; // one latency per model, as SourceTreeModel::refresh asks
    for (int i = 0; i < series; i += 20)
        sparklines.insert(keys[i]);
    store.setSparklineKeys(sparklines);
    std::vector<double> lastMinuteMs;
    const qint64 start = 1'700'000'000;
    for (qint64 s = start; s < start + seconds; ++s) {
        const LiveFrame frame = frameAt(s, keys);
        const auto t0 = std::chrono::steady_clock::now();
        store.ingest(frame);
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (s >= start + seconds - 60)
            lastMinuteMs.push_back(ms);
    }
    const double after = rssMb();
    std::sort(lastMinuteMs.begin(), lastMinuteMs.end());
    qint64 points = 0;
    for (const QString &key : std::as_const(keys))
        points += store.points(key).size();
    std::printf("%d series, %lld s, %s (%d shown): RSS %.0f MB -> %.0f MB (store %.0f MB, %.0f B per series, %.1f B "
                "per point held, %lld points); ingest per frame, last minute: median %.2f ms, worst %.2f ms\n",
        series, static_cast<long long>(seconds), bounded ? "bounded by what is shown" : "unbounded", shownCount, before,
        after, after - before, (after - before) * 1048576.0 / series,
        (after - before) * 1048576.0 / double(std::max<qint64>(1, points)), static_cast<long long>(points),
        lastMinuteMs.empty() ? 0.0 : lastMinuteMs[lastMinuteMs.size() / 2],
        lastMinuteMs.empty() ? 0.0 : lastMinuteMs.back());
    return 0;
}
