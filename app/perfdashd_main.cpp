// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/collectordaemon.h"
#include "app/exportcommand.h"
#include "app/importcommand.h"
#include "app/qualitycommand.h"
#include "app/statscommand.h"
#include "app/reportcommand.h"
#include "app/rulescommand.h"
#include "app/summarycommand.h"
#include "app/unixsignalwatcher.h"

#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>

using namespace Qt::Literals::StringLiterals;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"perfdash"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(PERFDASH_VERSION));
    QTextStream out(stdout);
    QTextStream err(stderr);

    QStringList arguments = QCoreApplication::arguments().mid(1);
    if (!arguments.isEmpty() && arguments.constFirst() == u"stats"_s)
        return perfdash::runStatsCommand(arguments.mid(1), out, err);
    if (!arguments.isEmpty() && arguments.constFirst() == u"export"_s)
        return perfdash::runExportCommand(arguments.mid(1), out, err);
    if (!arguments.isEmpty() && arguments.constFirst() == u"import"_s)
        return perfdash::runImportCommand(arguments.mid(1), out, err);
    if (!arguments.isEmpty() && arguments.constFirst() == u"series"_s)
        return perfdash::runSeriesCommand(arguments.mid(1), out, err);
    if (!arguments.isEmpty() && arguments.constFirst() == u"quality"_s)
        return perfdash::runQualityCommand(arguments.mid(1), out, err);
    if (!arguments.isEmpty() && arguments.constFirst() == u"rules"_s)
        return perfdash::runRulesCommand(arguments.mid(1), out, err);
    if (!arguments.isEmpty() && arguments.constFirst() == u"report"_s)
        return perfdash::runReportCommand(arguments.mid(1), out, err);
    if (!arguments.isEmpty() && arguments.constFirst() == u"alerts"_s)
        return perfdash::runAlertsCommand(arguments.mid(1), out, err);
    if (!arguments.isEmpty() && arguments.constFirst() == u"summary"_s)
        return perfdash::runSummaryCommand(arguments.mid(1), out, err);

    perfdash::CollectorDaemon::Options options;
    QString error;
    if (arguments.contains(u"--help"_s) || arguments.contains(u"-h"_s)) {
        out << "Usage: perfdashd [--db FILE] [--runtime-dir DIR] [--udp HOST:PORT] [--grace-ms MS]\n"
               "                 [--max-series N] [--max-series-per-source N] [--series-idle 10m]\n"
               "                 [--retention 1s=48h,1m=35d,1h=400d,ops=90d,runs=90d,api_calls=90d,notifications=90d]\n"
               "                 [--watch-pid PID]...\n"
               "                 [--sample-interval 1s|off] [--no-sampling] [--rules FILE]\n"
               "                 [--http HOST:PORT [--http-allow-remote]]\n"
               "                 [--push URL [--push-interval 10s] [--push-label NAME=VALUE]... [--push-buffer "
               "64MiB]]\n"
               "       perfdashd stats [--runtime-dir DIR]\n"
               "       perfdashd export --db FILE --series SELECTOR --from TIME --to TIME --step 1s|1m|1h|1d [-o "
               "FILE]\n"
               "       perfdashd import [--db FILE] [--format csv|openmetrics] [--step 1s|1m|1h] [--skip-bad] "
               "[--replace] INPUT|-\n"
               "       perfdashd series [--db FILE]\n"
               "       perfdashd quality --db FILE [--model NAME] --from TIME --to TIME --step 1s|1m|1h|1d [-o FILE]\n"
               "       perfdashd summary --model NAME [--window 1h|6h|24h|7d|30d|DURATION] [--granularity "
               "minute|hour|day] [--db FILE]\n"
               "       perfdashd rules check FILE\n"
               "       perfdashd rules test --rules FILE [--from TIME] [--to TIME] [--db FILE] [--interval DURATION]\n"
               "       perfdashd alerts [--db FILE] [--from TIME] [--to TIME] [--format csv|json]\n"
               "       perfdashd report slowest-ops|memory-trend|errors-by-op [--db FILE] [--from TIME] [--to TIME]\n";
        return 0;
    }
    if (!perfdash::CollectorDaemon::parseArguments(arguments, &options, &error)) {
        err << "perfdashd: " << error << '\n';
        return 2;
    }
    perfdash::CollectorDaemon daemon(options);
    if (!daemon.start(&error)) {
        err << "perfdashd: " << error << '\n';
        return 1;
    }
    if (!daemon.notice().isEmpty())
        err << "perfdashd: notice: " << daemon.notice() << Qt::endl;
    perfdash::UnixSignalWatcher signals;
    QObject::connect(&signals, &perfdash::UnixSignalWatcher::terminationRequested, &app, [&](int) {
        daemon.stop();
        QCoreApplication::quit();
    });
    // Exactly one line on stdout, so scripts and tests can read where we listen.
    out << daemon.readyLine() << Qt::endl;
    return QCoreApplication::exec();
}
