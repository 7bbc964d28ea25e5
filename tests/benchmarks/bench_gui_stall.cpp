// SPDX-License-Identifier: GPL-3.0-or-later
// GUI-thread stall budget (issue 6): the GUI thread never stalls for more than 200 ms during 60 s of load at 50k
// lines/s over 500 series. Runs the real thing offscreen: a collector, perfdash-loadgen's flood scenario over UDP, and
// the dashboard window, with a StallWatchdog (a 10 ms precise timer; any lateness is a stall) on the GUI thread. The
// dashboard shows the flood's source (500 series) on the live 1 h range, so every frame updates the sources tree, the
// tiles and all charts. Prints the worst stall, counts over 50/100/200 ms, and the machine's load average.
//
//   bench_gui_stall                      # 60 s, 50000 lines/s, 500 series (the load)
//   bench_gui_stall --short              # 8 s, 5000 lines/s, 100 series: a smoke run for CI
//   bench_gui_stall --seconds S --rate R --series N
#include "app/gui/guisession.h"
#include "app/gui/stallwatchdog.h"
#include "models/seriesstore.h"
#include "models/sourcetreemodel.h"
#include "widgets/mainwindow.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <cstdio>

using namespace Qt::Literals::StringLiterals;

namespace {
QString firstLine(const QString &path, const QString &prefix = {})
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    // /proc files report size 0, so read until the end rather than trusting atEnd().
    const QStringList lines = QString::fromUtf8(f.readAll()).split(u'\n');
    for (const QString &raw : lines) {
        const QString line = raw.trimmed();
        if (prefix.isEmpty() || line.startsWith(prefix))
            return prefix.isEmpty() ? line : line.section(u':', 1).trimmed();
    }
    return {};
}

bool waitFor(const std::function<bool()> &done, int ms)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > ms)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    }
    return true;
}
} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true); // leave the user's settings alone
    int seconds = 60, rate = 50000, series = 500;
    const QStringList args = QCoreApplication::arguments();
    for (int i = 1; i < args.size(); ++i) {
        const QString &a = args[i];
        const auto next = [&]() { return i + 1 < args.size() ? args[++i].toInt() : 0; };
        if (a == u"--short"_s) {
            seconds = 8;
            rate = 5000;
            series = 100;
        } else if (a == u"--seconds"_s) {
            seconds = next();
        } else if (a == u"--rate"_s) {
            rate = next();
        } else if (a == u"--series"_s) {
            series = next();
        } else {
            std::fprintf(stderr, "usage: bench_gui_stall [--short] [--seconds S] [--rate LINES_PER_S] [--series N]\n");
            return 2;
        }
    }
    if (seconds <= 0 || rate <= 0 || series <= 0) {
        std::fprintf(stderr, "bench_gui_stall: seconds, rate and series must be positive\n");
        return 2;
    }
    QTemporaryDir dir;
    perfdash::GuiSession::Options options;
    options.runtimeDir = QDir(dir.path()).filePath(u"run"_s);
    options.dbPath = QDir(dir.path()).filePath(u"perfdash.db"_s);
    options.udp = u"127.0.0.1:0"_s;
    options.binDir = QCoreApplication::applicationDirPath();
    perfdash::GuiSession session(options);
    session.window()->resize(1360, 860);
    session.window()->show();
    session.start();
    if (!waitFor([&]() { return !session.collectorUdp().isEmpty(); }, 15000)) {
        std::fprintf(stderr, "bench_gui_stall: no collector answered\n");
        return 1;
    }
    QProcess loadgen;
    loadgen.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    loadgen.start(QDir(options.binDir).filePath(u"perfdash-loadgen"_s),
        { u"--scenario"_s, u"flood"_s, u"--udp"_s, session.collectorUdp(), u"--rate"_s, QString::number(rate),
            u"--series"_s, QString::number(series), u"--duration"_s, QString::number(seconds + 5) });
    if (!loadgen.waitForStarted(5000)) {
        std::fprintf(stderr, "bench_gui_stall: cannot start perfdash-loadgen\n");
        return 1;
    }
    const perfdash::SourceRef bench { perfdash::SourceRef::Kind::Other, u"bench"_s };
    if (!waitFor([&]() { return session.sources()->indexOf(bench).isValid(); }, 10000)) {
        std::fprintf(stderr, "bench_gui_stall: the flood never reached the window\n");
        return 1;
    }
    session.window()->selectSource(bench);
    session.window()->setLiveWindowSeconds(3600);
    int frames = 0;
    QObject::connect(session.store(), &perfdash::SeriesStore::changed, &app, [&frames]() { ++frames; });
    // Measure once the series exist: the start (500 rows inserted at once) is part of the run.
    perfdash::StallWatchdog *watchdog = session.watchdog();
    watchdog->reset();
    QElapsedTimer wall;
    wall.start();
    QTimer::singleShot(seconds * 1000, &app, &QCoreApplication::quit);
    QApplication::exec();
    const double elapsed = double(wall.elapsed()) / 1000.0;
    const int seen = int(session.store()->keys().size());
    std::printf(
        "load: %d lines/s over %d series for %.1f s (perfdash-loadgen --scenario flood)\n", rate, series, elapsed);
    std::printf("frames applied: %d, series in the window: %d\n", frames, seen);
    std::printf("worst GUI-thread stall: %.1f ms (budget 200 ms), at %.1f s\n", watchdog->worstMs(),
        double(watchdog->worstAtMs()) / 1000.0);
    std::printf(
        "GUI thread's CPU time during that stall: %.1f ms; its longest stretch of work between two ticks: %.1f ms\n",
        watchdog->worstCpuMs(), watchdog->worstBusyMs());
    std::printf("stalls over 50 / 100 / 200 ms: %lld / %lld / %lld of %lld ticks\n",
        static_cast<long long>(watchdog->stallsOver(50)), static_cast<long long>(watchdog->stallsOver(100)),
        static_cast<long long>(watchdog->stallsOver(200)), static_cast<long long>(watchdog->ticks()));
    std::printf("machine: %s, %d cores; load average at the end: %s\n",
        qPrintable(firstLine(u"/proc/cpuinfo"_s, u"model name"_s)), QThread::idealThreadCount(),
        qPrintable(firstLine(u"/proc/loadavg"_s)));
    loadgen.terminate();
    loadgen.waitForFinished(3000);
    return frames > 0 ? 0 : 1;
}
