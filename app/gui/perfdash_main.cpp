// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/exportcommand.h"
#include "app/gui/guisession.h"
#include "app/gui/sessionswitcher.h"
#include "models/datasourcelistmodel.h"
#include "app/runtimepaths.h"
#include "app/unixsignalwatcher.h"
#include "models/seriesselector.h"
#include "widgets/comparisonpanel.h"
#include "widgets/mainwindow.h"
#include "widgets/operationsview.h"
#include "widgets/runsview.h"
#include "widgets/serieschartspage.h"
#include "widgets/theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QFileInfo>
#include <QSettings>
#include <QTimer>

#include <cstdio>

using namespace Qt::Literals::StringLiterals;

namespace {

bool hasDisplay()
{
    return qEnvironmentVariableIsSet("QT_QPA_PLATFORM") || !qEnvironmentVariableIsEmpty("DISPLAY")
        || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
}

// The offscreen platform warns about window hints it cannot honour, once per window; that is noise for users.
QtMessageHandler g_defaultHandler = nullptr;
void quietOffscreenHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type == QtWarningMsg && message.contains(u"propagateSizeHints"_s))
        return;
    g_defaultHandler(type, context, message);
}

bool wantsScreenshot(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        if (qstrcmp(argv[i], "--screenshot") == 0 || qstrncmp(argv[i], "--screenshot=", 13) == 0)
            return true;
    }
    return false;
}

} // namespace

int main(int argc, char *argv[])
{
    // Without a display Qt would abort in its platform plugin; say so plainly, or render offscreen for a screenshot.
    if (!hasDisplay()) {
        if (!wantsScreenshot(argc, argv)) {
            std::fputs("perfdash: no display found (DISPLAY and WAYLAND_DISPLAY are unset).\n"
                       "perfdash: run it in a desktop session, or render a picture with: perfdash --screenshot "
                       "FILE.png [--after SECONDS]\n",
                stderr);
            return 3;
        }
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    g_defaultHandler = qInstallMessageHandler(quietOffscreenHandler);
    QApplication app(argc, argv);
    QApplication::setApplicationName(u"perfdash"_s);
    QApplication::setOrganizationName(u"perfdash"_s);
    QApplication::setApplicationVersion(QStringLiteral(PERFDASH_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(u"perfdash: live performance dashboard."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption runtime(
        u"runtime-dir"_s, u"The collector's runtime folder."_s, u"DIR"_s, perfdash::RuntimePaths::defaultRuntimeDir());
    const QCommandLineOption db(
        u"db"_s, u"Database for a collector we start."_s, u"FILE"_s, perfdash::RuntimePaths::defaultDatabase());
    const QCommandLineOption udp(
        u"udp"_s, u"StatsD address for a collector we start (default 127.0.0.1:8125)."_s, u"HOST:PORT"_s);
    const QCommandLineOption demo(u"demo"_s, u"Also start the demo feed (perfdash-loadgen --scenario demo)."_s);
    const QCommandLineOption noSpawn(u"no-spawn"_s, u"Never start a collector; wait for one."_s);
    const QCommandLineOption screenshot(u"screenshot"_s, u"Render the window to a PNG file and exit."_s, u"FILE"_s);
    const QCommandLineOption after(
        u"after"_s, u"Seconds to run before the screenshot (default 5)."_s, u"SECONDS"_s, u"5"_s);
    const QCommandLineOption theme(u"theme"_s, u"light, dark or system (default: the saved choice)."_s, u"THEME"_s);
    const QCommandLineOption stalls(
        u"report-stalls"_s, u"Print to stderr whenever the GUI thread stalls longer than MS milliseconds."_s, u"MS"_s);
    const QCommandLineOption range(
        u"range"_s, u"Open on the history of the last DURATION (6h, 7d, 30d) instead of live."_s, u"DURATION"_s);
    const QCommandLineOption select(u"select"_s, u"Open on this source (model:NAME, service:NAME, …)."_s, u"SOURCE"_s);
    const QCommandLineOption page(u"page"_s,
        u"Open on the dashboard (default), the baselines, the operations, the runs or the charts page."_s, u"PAGE"_s);
    const QCommandLineOption chart(u"chart"_s,
        u"Chart the series this selector matches (docs/series.md) on the Charts tab, once they arrive."_s,
        u"SELECTOR"_s);
    const QCommandLineOption size(u"size"_s, u"Window size, WIDTHxHEIGHT (e.g. 1024x700)."_s, u"SIZE"_s);
    const QCommandLineOption source(u"source"_s,
        u"Read a Prometheus-compatible server (VictoriaMetrics, Prometheus) that collectors push to, instead of the "
        "local collector: http://HOST:8428 (docs/fleet.md)."_s,
        u"URL"_s);
    const QCommandLineOption hosts(u"hosts"_s,
        u"With --source: grouped (each model once per host, the default) or merged (one entry, every host's buckets)."_s,
        u"MODE"_s);
    const QCommandLineOption pushInterval(u"push-interval"_s,
        u"With --source: the collectors' push interval (perfdashd --push-interval); live mode shows one point per "
        "interval. By default it is read from the server: the spacing of the collectors' samples."_s,
        u"DURATION"_s);
    parser.addOptions({ runtime, db, udp, demo, noSpawn, screenshot, after, theme, stalls, range, select, page, chart,
        size, source, hosts, pushInterval });
    parser.process(app);
    std::optional<qint64> rangeSeconds;
    if (parser.isSet(range)) {
        rangeSeconds = perfdash::ExportArguments::parseDuration(parser.value(range));
        if (!rangeSeconds || *rangeSeconds <= 0) {
            std::fprintf(stderr, "perfdash: bad --range %s (a duration such as 6h, 7d or 30d)\n",
                qPrintable(parser.value(range)));
            return 2;
        }
    }
    const QStringList pages { u"dashboard"_s, u"baselines"_s, u"operations"_s, u"runs"_s, u"charts"_s };
    if (parser.isSet(page) && !pages.contains(parser.value(page))) {
        std::fputs("perfdash: --page is dashboard, baselines, operations, runs or charts\n", stderr);
        return 2;
    }
    QSize windowSize;
    if (parser.isSet(size)) {
        const QStringList wh = parser.value(size).split(u'x');
        windowSize = wh.size() == 2 ? QSize(wh[0].toInt(), wh[1].toInt()) : QSize();
        if (windowSize.width() < 200 || windowSize.height() < 200) {
            std::fputs("perfdash: --size wants WIDTHxHEIGHT, at least 200x200\n", stderr);
            return 2;
        }
    }

    perfdash::DataSourceChoice dataSource;
    if (parser.isSet(source)) {
        dataSource.server = QUrl::fromUserInput(parser.value(source));
        if (const QString problem = perfdash::DataSourceListModel::urlProblem(dataSource.server); !problem.isEmpty()) {
            std::fprintf(
                stderr, "perfdash: bad --source %s: %s\n", qPrintable(parser.value(source)), qPrintable(problem));
            return 2;
        }
    }
    if (parser.isSet(hosts)) {
        if (parser.value(hosts) != u"grouped"_s && parser.value(hosts) != u"merged"_s) {
            std::fputs("perfdash: --hosts is grouped or merged\n", stderr);
            return 2;
        }
        dataSource.mergeHosts = parser.value(hosts) == u"merged"_s;
    }

    const std::optional<qint64> pushSeconds = parser.isSet(pushInterval)
        ? perfdash::ExportArguments::parseDuration(parser.value(pushInterval))
        : std::optional<qint64>(0); // read from the server
    if (!pushSeconds || (parser.isSet(pushInterval) && (*pushSeconds < 1 || *pushSeconds > 3600))) {
        std::fputs("perfdash: --push-interval wants a duration from 1s to 1h, such as 10s\n", stderr);
        return 2;
    }

    QSettings settings;
    if (parser.isSet(theme))
        settings.setValue(u"view/theme"_s, parser.value(theme));
    if (parser.isSet(select))
        settings.setValue(u"view/source"_s, parser.value(select)); // the window opens on the saved source
    const bool dark = perfdash::applyTheme(perfdash::themeFromName(settings.value(u"view/theme"_s).toString()));

    perfdash::GuiSession::Options options;
    options.runtimeDir = QFileInfo(parser.value(runtime)).absoluteFilePath();
    options.dbPath = QFileInfo(parser.value(db)).absoluteFilePath();
    options.udp = parser.value(udp);
    options.binDir = QApplication::applicationDirPath();
    options.demo = parser.isSet(demo);
    options.spawnCollector = !parser.isSet(noSpawn);
    options.dark = dark;
    options.reportStallsOverMs = parser.value(stalls).toInt();
    options.source = dataSource;
    options.fleetStep = *pushSeconds;
    // SIGTERM, SIGINT, SIGHUP: leave the event loop, so the session's destructor stops what it started.
    perfdash::UnixSignalWatcher signals;
    QObject::connect(&signals, &perfdash::UnixSignalWatcher::terminationRequested, &app, &QApplication::quit);
    // File → Sources… and View → Merge hosts replace the session: the lambdas below ask the switcher for the current.
    perfdash::SessionSwitcher switcher;
    perfdash::GuiSession &session = *switcher.open(options);
    if (windowSize.isValid())
        session.window()->resize(windowSize);
    session.window()->show();
    session.start();
    if (rangeSeconds) {
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        session.window()->showHistory((now - *rangeSeconds) * 1000, now * 1000);
    }
    if (parser.value(page) == u"baselines"_s)
        session.window()->pages()->setCurrentWidget(session.window()->comparisonPanel());
    if (parser.value(page) == u"operations"_s)
        session.window()->pages()->setCurrentWidget(session.window()->operationsView());
    if (parser.value(page) == u"runs"_s)
        session.window()->pages()->setCurrentWidget(session.window()->runsView());
    if (parser.value(page) == u"charts"_s)
        session.window()->pages()->setCurrentWidget(session.window()->chartsPage());
    // --chart: the series may arrive seconds after start; look again every half second until some match.
    QTimer chartPoll;
    if (parser.isSet(chart)) {
        QString why;
        const auto selector = perfdash::SeriesSelector::parse(parser.value(chart), &why);
        if (!selector) {
            std::fprintf(stderr, "perfdash: bad --chart: %s\n", qPrintable(why));
            return 2;
        }
        QObject::connect(&chartPoll, &QTimer::timeout, &chartPoll, [&chartPoll, &switcher, selector = *selector]() {
            if (switcher.session()->window()->chartSeries(selector) > 0)
                chartPoll.stop();
        });
        chartPoll.start(500);
    }

    if (parser.isSet(screenshot)) {
        bool ok = false;
        const double seconds = parser.value(after).toDouble(&ok);
        if (!ok || seconds < 0 || seconds > 3600) {
            std::fputs("perfdash: --after wants a number of seconds from 0 to 3600\n", stderr);
            return 2;
        }
        const QString file = parser.value(screenshot);
        QTimer::singleShot(int(seconds * 1000), &app, [&switcher, file]() {
            switcher.session()->window()->refreshNow();
            const bool saved = switcher.session()->window()->grab().save(file, "PNG");
            std::fprintf(stderr, saved ? "perfdash: wrote %s\n" : "perfdash: cannot write %s\n", qPrintable(file));
            QApplication::exit(saved ? 0 : 1);
        });
    }
    return QApplication::exec();
}
