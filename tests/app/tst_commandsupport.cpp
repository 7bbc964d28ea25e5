// SPDX-License-Identifier: GPL-3.0-or-later
// What every perfdashd subcommand shares: -h/--help, bad arguments, the window options and their clock alignment.
#include "app/commandsupport.h"
#include "app/exportcommand.h"
#include "app/qualitycommand.h"
#include "app/statscommand.h"
#include "storage/csvwriter.h"
#include "storage/database.h"
#include "storage/qualitystore.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 kHour0 = 1795464000; // 2026-11-23T20:00:00Z

using Command = std::function<int(const QStringList &, QTextStream &, QTextStream &)>;

Command commandNamed(const QString &name)
{
    if (name == u"stats"_s)
        return runStatsCommand;
    if (name == u"series"_s)
        return runSeriesCommand;
    if (name == u"quality"_s)
        return runQualityCommand;
    return [](const QStringList &a, QTextStream &o, QTextStream &e) { return runExportCommand(a, o, e); };
}

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

Run run(const QString &name, const QStringList &arguments)
{
    Run r;
    QTextStream out(&r.out);
    QTextStream err(&r.err);
    r.exitCode = commandNamed(name)(arguments, out, err);
    out.flush();
    err.flush();
    return r;
}

} // namespace

class TestCommandSupport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void helpPrintsTheSubcommandsUsage_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QStringList>("arguments");
        for (const QString &command : { u"stats"_s, u"export"_s, u"series"_s, u"quality"_s }) {
            QTest::addRow("%s --help", qPrintable(command)) << command << QStringList { u"--help"_s };
            QTest::addRow("%s -h", qPrintable(command)) << command << QStringList { u"-h"_s };
            // Help wins over what else is wrong on the line, and over missing required options.
            QTest::addRow("%s --help --bogus", qPrintable(command))
                << command << QStringList { u"--bogus"_s, u"--help"_s };
        }
    }
    void helpPrintsTheSubcommandsUsage()
    {
        QFETCH(QString, command);
        QFETCH(QStringList, arguments);
        const Run r = run(command, arguments);
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.startsWith(u"Usage: perfdashd "_s % command), qPrintable(r.out));
        QCOMPARE(r.err, QString());
    }

    void badArgumentsSayWhyAndHowOnStderr_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("why");
        QTest::newRow("stats unknown option") << u"stats"_s << QStringList { u"--bogus"_s } << u"bogus"_s;
        QTest::newRow("stats positional") << u"stats"_s << QStringList { u"now"_s } << u"unexpected argument now"_s;
        QTest::newRow("series unknown option") << u"series"_s << QStringList { u"--help-me"_s } << u"help-me"_s;
        QTest::newRow("export raw without series")
            << u"export"_s << QStringList { u"--raw"_s, u"--step"_s, u"1m"_s } << u"--series"_s;
        QTest::newRow("export series content without series")
            << u"export"_s << QStringList { u"--content"_s, u"series"_s } << u"--series"_s;
        QTest::newRow("export unknown content")
            << u"export"_s << QStringList { u"--content"_s, u"everything"_s } << u"slowest-ops"_s;
        QTest::newRow("export bad step") << u"export"_s << QStringList { u"--series"_s, u"x"_s, u"--step"_s, u"5m"_s }
                                         << u"--step"_s;
        QTest::newRow("quality bad time") << u"quality"_s << QStringList { u"--from"_s, u"yesterday"_s } << u"--from"_s;
    }
    void badArgumentsSayWhyAndHowOnStderr()
    {
        QFETCH(QString, command);
        QFETCH(QStringList, arguments);
        QFETCH(QString, why);
        const Run r = run(command, arguments);
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.out, QString());
        QVERIFY2(r.err.startsWith(u"perfdashd "_s % command % u": "_s) && r.err.contains(why), qPrintable(r.err));
        QVERIFY2(r.err.contains(u"Usage: perfdashd "_s % command), qPrintable(r.err));
    }

    void windowsAreAlignedToTheClockOnce_data()
    {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("step");
        QTest::addColumn<qint64>("expected");
        QTest::newRow("1m") << u"2026-11-23T20:00:30Z"_s << u"1m"_s << kHour0;
        QTest::newRow("1h") << u"2026-11-23T20:59:59Z"_s << u"1h"_s << kHour0;
        QTest::newRow("1d") << u"2026-11-23T20:00:00Z"_s << u"1d"_s << kHour0 - 20 * 3600;
        QTest::newRow("1s") << u"2026-11-23T20:00:30Z"_s << u"1s"_s << kHour0 + 30;
    }
    void windowsAreAlignedToTheClockOnce()
    {
        QFETCH(QString, from);
        QFETCH(QString, step);
        QFETCH(qint64, expected);
        QCommandLineParser parser;
        const WindowCommandOptions options;
        options.addTo(parser);
        QVERIFY(parser.parse({ u"x"_s, u"--from"_s, from, u"--to"_s, u"2026-11-24T00:00:00Z"_s, u"--step"_s, step }));
        QString error;
        const auto range = options.range(parser, kHour0, &error);
        QVERIFY2(range, qPrintable(error));
        QCOMPARE(range->from, expected);
    }

    void qualityWindowsStartOnTheClockLikeExport()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"q.db"_s);
        const QString key = u"prediction.quality|model:fraud"_s;
        {
            const auto opened = Database::openWritable(u"quality-writer"_s, path);
            QVERIFY2(opened.ok, qPrintable(opened.error));
            QSqlDatabase db = QSqlDatabase::database(u"quality-writer"_s);
            QVERIFY(db.transaction());
            for (qint64 s = kHour0; s < kHour0 + 120; ++s) {
                QualityMetrics m;
                m.addBinary(0.9, s % 2 == 0);
                QString error;
                QVERIFY2(QualityStore::writeSecond(db, QualityStats::from(key, m, true), s, &error), qPrintable(error));
            }
            QVERIFY(db.commit());
        }
        Database::close(u"quality-writer"_s);
        const QString out = dir.filePath(u"quality.csv"_s);
        const Run r = run(u"quality"_s,
            { u"--db"_s, path, u"--from"_s, u"2026-11-23T20:00:30Z"_s, u"--to"_s, u"2026-11-23T20:02:00Z"_s,
                u"--step"_s, u"1m"_s, u"-o"_s, out });
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 3); // header and two minutes
        // Before: the windows started at --from (20:00:30, 20:01:30).
        QVERIFY2(lines[1].startsWith("2026-11-23T20:00:00Z,"), lines[1].constData());
        QVERIFY2(lines[2].startsWith("2026-11-23T20:01:00Z,"), lines[2].constData());
    }
};

QTEST_GUILESS_MAIN(TestCommandSupport)
#include "tst_commandsupport.moc"
