// SPDX-License-Identifier: GPL-3.0-or-later
// Storage end to end with the real perfdashd: kill -9 at random moments under UDP load (integrity and bounded loss),
// and the export command round trip (what was sent comes back with its counts and quantiles), in a German locale.
#include "collector/collectorservice.h"
#include "collectorprocess.h"
#include "perfdashdcommand.h"
#include "storedhistory.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <charconv>
#include <csignal>
#include <cmath>

using namespace perfdash;
using namespace perfdash::test;
using namespace Qt::Literals::StringLiterals;

namespace {

void waitForEarlyInSecond()
{
    while (QDateTime::currentMSecsSinceEpoch() % 1000 > 200)
        QThread::msleep(10);
}

double exactQuantile(std::vector<double> sorted, double q)
{
    std::sort(sorted.begin(), sorted.end());
    return sorted[size_t(std::floor(q * double(sorted.size() - 1)))];
}

// A German locale for the export, generated into `dir` when the system lacks it (LOCPATH needs no root).
bool germanLocale(const QString &dir, QProcessEnvironment *env)
{
    QProcess probe;
    probe.start(u"locale"_s, { u"-a"_s });
    probe.waitForFinished(5000);
    const QString installed = QString::fromUtf8(probe.readAllStandardOutput()).toLower();
    if (!installed.contains(u"de_de.utf8"_s)) {
        const QString localedef = QStandardPaths::findExecutable(u"localedef"_s);
        if (localedef.isEmpty())
            return false;
        QProcess gen;
        gen.start(localedef, { u"-i"_s, u"de_DE"_s, u"-f"_s, u"UTF-8"_s, QDir(dir).filePath(u"de_DE.UTF-8"_s) });
        if (!gen.waitForFinished(60000) || !QFileInfo::exists(QDir(dir).filePath(u"de_DE.UTF-8"_s)))
            return false;
        env->insert(u"LOCPATH"_s, dir);
    }
    env->insert(u"LC_ALL"_s, u"de_DE.UTF-8"_s);
    return true;
}

} // namespace

class TestStorageE2E : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void exportRoundTripsWhatWasSent()
    {
        QTemporaryDir dir;
        CollectorProcess collector(dir.path());
        QVERIFY2(collector.start(), qPrintable(collector.readyLine));

        // Two seconds of known timer values: 1..1000 ms, then 1001..2000 ms, shuffled, 10 lines per datagram.
        std::vector<double> all;
        std::vector<std::vector<double>> perSecond(2);
        const qint64 firstSecond = [&] {
            waitForEarlyInSecond();
            return QDateTime::currentSecsSinceEpoch();
        }();
        for (int s = 0; s < 2; ++s) {
            if (s == 1) {
                while (QDateTime::currentSecsSinceEpoch() == firstSecond)
                    QThread::msleep(5);
            }
            std::vector<int> values(1000);
            std::iota(values.begin(), values.end(), 1 + 1000 * s);
            std::shuffle(values.begin(), values.end(), *QRandomGenerator::global());
            for (size_t i = 0; i < values.size(); i += 10) {
                QByteArray datagram;
                for (size_t j = i; j < i + 10; ++j) {
                    datagram += "export.latency:" + QByteArray::number(values[j]) + "|ms|#status:ok,model:m1\n";
                    perSecond[size_t(s)].push_back(values[j]);
                    all.push_back(values[j]);
                }
                collector.send(datagram);
                QThread::usleep(200); // stays well below the socket buffer
            }
        }
        QThread::msleep(300);
        QCOMPARE(collector.stop(), 0);

        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        if (!germanLocale(dir.path(), &env))
            QSKIP("no de_DE.UTF-8 locale and no localedef to make one");
        const QString csvPath = dir.filePath(u"out/export.csv"_s);
        QDir().mkpath(dir.filePath(u"out"_s));
        const QStringList common { u"--db"_s, collector.dbPath, u"--series"_s, u"export.latency{model=m1,status=ok}"_s,
            u"--from"_s, u"-10m"_s, u"--to"_s, u"+1m"_s };

        // 1 s: each second exactly, quantiles within the sketch's 1%.
        auto seconds = runPerfdashd(
            QStringList { u"export"_s, u"--raw"_s } + common + QStringList { u"--step"_s, u"1s"_s, u"-o"_s, csvPath },
            env);
        QCOMPARE(seconds.exitCode, 0);
        QFile file(csvPath);
        QVERIFY(file.open(QIODevice::ReadOnly));
        bool crlf = false;
        auto rows = parseCsv(file.readAll(), &crlf);
        QVERIFY(crlf);
        QCOMPARE(rows.value(0),
            (QList<QByteArray> { "time", "series", "count", "rate", "min", "max", "mean", "p50", "p90", "p95", "p99",
                "seconds", "complete", "kind" }));
        QCOMPARE(rows.size(), 3);
        const std::array<double, 4> levels { 0.5, 0.9, 0.95, 0.99 };
        for (int s = 0; s < 2; ++s) {
            const auto &r = rows[s + 1];
            QCOMPARE(r.size(), 14);
            QVERIFY2(r[0].endsWith('Z') && r[0].contains('T'), r[0].constData());
            QCOMPARE(r[1], QByteArray("export.latency{model=m1,status=ok}"));
            QCOMPARE(r[2], QByteArray("1000"));
            QCOMPARE(r[3], QByteArray("1000")); // per covered second: the collector's heartbeat covers it
            QCOMPARE(r[11], QByteArray("1"));
            QCOMPARE(r[12], QByteArray("1"));
            QCOMPARE(r[13], QByteArray("timer"));
            QCOMPARE(toDouble(r[4]), 1.0 + 1000 * s);
            QCOMPARE(toDouble(r[5]), 1000.0 + 1000 * s);
            QCOMPARE(toDouble(r[6]), 500.5 + 1000 * s); // a decimal point, never a comma
            for (size_t q = 0; q < levels.size(); ++q) {
                const double expected = exactQuantile(perSecond[size_t(s)], levels[q]);
                const double got = toDouble(r[int(7 + q)]);
                QVERIFY2(std::fabs(got - expected) <= 0.01 * expected + 1e-9,
                    qPrintable(u"second %1 q%2: %3 vs %4"_s.arg(s).arg(levels[q]).arg(got).arg(expected)));
            }
        }

        // 1 min: one row with both seconds merged; counts exact, quantiles from the minute's merged sketch.
        auto minute = runPerfdashd(
            QStringList { u"export"_s, u"--raw"_s } + common + QStringList { u"--step"_s, u"1m"_s }, env);
        QCOMPARE(minute.exitCode, 0);
        rows = parseCsv(minute.out, &crlf);
        qint64 total = 0;
        for (int i = 1; i < rows.size(); ++i)
            total += rows[i][2].toLongLong();
        QCOMPARE(total, qint64(2000));
        if (rows.size() == 2) { // both seconds in one minute (unless the test straddled a minute boundary)
            QCOMPARE(toDouble(rows[1][4]), 1.0);
            QCOMPARE(toDouble(rows[1][5]), 2000.0);
            QCOMPARE(toDouble(rows[1][6]), 1000.5);
            // The minute's sketch merges the seconds' own sketches (after the collector's clean stop): within 1%.
            const double tolerance = 0.01;
            for (size_t q = 0; q < levels.size(); ++q) {
                const double expected = exactQuantile(all, levels[q]);
                const double got = toDouble(rows[1][int(7 + q)]);
                QVERIFY2(std::fabs(got - expected) <= tolerance * expected,
                    qPrintable(u"minute q%1: %2 vs %3"_s.arg(levels[q]).arg(got).arg(expected)));
            }
        }

        // 1 d goes through the hour tier's sketches and still counts everything.
        auto day = runPerfdashd(QStringList { u"export"_s, u"--raw"_s } + common.mid(0, 6)
            + QStringList { u"--to"_s, u"+1d"_s, u"--step"_s, u"1d"_s });
        QCOMPARE(day.exitCode, 0);
        rows = parseCsv(day.out, &crlf);
        total = 0;
        for (int i = 1; i < rows.size(); ++i)
            total += rows[i][2].toLongLong();
        QCOMPARE(total, qint64(2000));

        // The series command lists it.
        auto list = runPerfdashd({ u"series"_s, u"--db"_s, collector.dbPath });
        QCOMPARE(list.exitCode, 0);
        QVERIFY(list.out.contains("export.latency{model=m1,status=ok}\ttimer\t"));
    }

    void exportErrorsAreClear_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("no series") << QStringList {} << 2 << u"--raw exports series only (give --series)"_s;
        QTest::newRow("bad selector") << QStringList { u"--series"_s, u"x{a"_s } << 2 << u"does not end with '}'"_s;
        QTest::newRow("bad time") << QStringList { u"--series"_s, u"x"_s, u"--from"_s, u"yesterday"_s } << 2
                                  << u"bad --from"_s;
        QTest::newRow("bad step") << QStringList { u"--series"_s, u"x"_s, u"--step"_s, u"5m"_s } << 2
                                  << u"use 1s, 1m, 1h, 1d or auto"_s;
        QTest::newRow("backwards") << QStringList { u"--series"_s, u"x"_s, u"--from"_s, u"now"_s, u"--to"_s, u"-1h"_s }
                                   << 2 << u"later than --from"_s;
        QTest::newRow("no match") << QStringList { u"--series"_s, u"nothing.here"_s } << 1 << u"no series matches"_s;
    }
    void exportErrorsAreClear()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        QTemporaryDir dir;
        {
            CollectorProcess collector(dir.path()); // creates the schema
            QVERIFY(collector.start());
            QCOMPARE(collector.stop(), 0);
        }
        const QString out = dir.filePath(u"never.csv"_s);
        auto e = runPerfdashd(QStringList { u"export"_s, u"--raw"_s, u"--db"_s,
                                  QDir(dir.path()).filePath(u"perfdash.db"_s), u"-o"_s, out }
            + arguments);
        QCOMPARE(e.exitCode, exitCode);
        QVERIFY2(e.err.contains(message), qPrintable(e.err));
        QVERIFY(!QFileInfo::exists(out)); // nothing half-written
    }

    void killNineNeverCorruptsAndLosesAtMostTheLastFlush()
    {
        // 20 trials on one database: each restart resumes the open chunks the previous one left.
        QTemporaryDir dir;
        const QString dbPath = QDir(dir.path()).filePath(u"perfdash.db"_s);
        const QString key = u"kill.counter|trial:all"_s;
        // What may be lost: the last flush interval. perfdashd flushes once a second, as soon as the second that just
        // ended is published (provisional frames are stored, not only final ones): a sample is committed at the end
        // of its second + the publish delay (50 ms) + the flush itself. So: one flush interval (the open second,
        // 1000 ms) + the publish delay + 600 ms of slack for the tick, the queued post and the commit on a loaded
        // 2-core machine. It no longer includes the 2 s grace period.
        const qint64 lossWindowMs = 1000 + CollectorService::publishDelayMs + 600;
        qint64 sent = 0; // increments sent over all trials
        qint64 mustHave = 0; // those sent more than lossWindowMs before their trial's kill
        auto *rng = QRandomGenerator::global();
        for (int trial = 0; trial < 20; ++trial) {
            CollectorProcess collector(dir.path());
            QVERIFY2(collector.start(), qPrintable(QString::fromUtf8(collector.process.readAllStandardError())));
            QElapsedTimer timer;
            timer.start();
            QVector<qint64> sendTimes; // this trial's increments, in ms since the epoch
            // Longer than the loss window, so every trial must keep data.
            const qint64 runMs = lossWindowMs + 500 + rng->bounded(2200);
            while (timer.elapsed() < runMs) {
                // Load: the counter we check, plus timers over 50 series so chunks and rollups are busy.
                QByteArray datagram = "kill.counter:1|c|#trial:all\n";
                for (int i = 0; i < 5; ++i)
                    datagram += "kill.load:" + QByteArray::number(rng->bounded(1000))
                        + "|ms|#s:" + QByteArray::number(rng->bounded(50)) + '\n';
                collector.send(datagram);
                sendTimes.push_back(QDateTime::currentMSecsSinceEpoch());
                QThread::usleep(1000);
            }
            const qint64 killedAt = QDateTime::currentMSecsSinceEpoch();
            ::kill(pid_t(collector.process.processId()), SIGKILL);
            QVERIFY(collector.process.waitForFinished(5000));
            QCOMPARE(integrityCheck(dbPath), u"ok"_s);
            const qint64 stored = storedCount(dbPath, key);
            sent += sendTimes.size();
            mustHave += std::count_if(
                sendTimes.begin(), sendTimes.end(), [&](qint64 t) { return t < killedAt - lossWindowMs; });
            QVERIFY2(stored >= mustHave,
                qPrintable(u"trial %1: %2 stored, but %3 were sent more than %4 ms before the kill"_s.arg(trial)
                               .arg(stored)
                               .arg(mustHave)
                               .arg(lossWindowMs)));
            QVERIFY2(stored <= sent, "more stored than sent: a second was counted twice");
            if (trial == 19)
                qInfo("20 kills: %lld increments sent, %lld stored, %lld required", sent, stored, mustHave);
        }
    }
};

QTEST_GUILESS_MAIN(TestStorageE2E)
#include "tst_storage_e2e.moc"
