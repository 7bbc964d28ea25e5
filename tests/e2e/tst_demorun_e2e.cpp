// SPDX-License-Identifier: GPL-3.0-or-later
// The run command's GUI (perfdash --demo, offscreen) as a user starts it: it starts a collector and the demo feed,
// whose records reach that collector's database; SIGTERM ends all three; a second window on the same collector does
// not start a second feed.
#include "collectorprocess.h"
#include "processtree.h"

#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace perfdash;
using namespace perfdash::test;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString kCollector = u"perfdashd"_s;
const QString kFeed = u"perfdash-loadge"_s; // /proc's command is cut at 15 bytes

void launchGui(QProcess &gui, const QTemporaryDir &dir)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    env.insert(u"XDG_CONFIG_HOME"_s, dir.filePath(u"config"_s)); // its settings and rules file, not the user's
    env.insert(u"XDG_DATA_HOME"_s, dir.filePath(u"data"_s));
    gui.setProcessEnvironment(env);
    gui.start(binary(u"perfdash"_s),
        { u"--demo"_s, u"--runtime-dir"_s, dir.filePath(u"run"_s), u"--db"_s, dir.filePath(u"perfdash.db"_s),
            u"--udp"_s, u"127.0.0.1:0"_s });
}

// The one child of pid whose command starts with prefix, once it runs; 0 if none came within the timeout.
qint64 waitForChild(qint64 pid, const QString &prefix)
{
    QVector<qint64> children;
    const bool one = QTest::qWaitFor([&]() { return (children = childrenOf(pid, prefix)).size() == 1; }, 30000);
    return one ? children.front() : 0;
}

struct Started {
    qint64 collector = 0;
    qint64 feed = 0;
};

// perfdash --demo on dir, once it runs the collector and the feed it started: their pids (0 for what did not start).
Started startGui(QProcess &gui, const QTemporaryDir &dir)
{
    launchGui(gui, dir);
    if (!gui.waitForStarted(10000))
        return {};
    return { waitForChild(gui.processId(), kCollector), waitForChild(gui.processId(), kFeed) };
}

} // namespace

class TestDemoRunE2E : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sigtermEndsTheCollectorAndTheFeed()
    {
        QTemporaryDir dir;
        QProcess gui;
        const auto [collector, feed] = startGui(gui, dir);
        QVERIFY(collector > 0);
        QVERIFY(feed > 0);
        QTRY_COMPARE_WITH_TIMEOUT(childrenOf(feed, u"model-"_s).size(), 2, 10000);
        const QVector<qint64> models = childrenOf(feed, u"model-"_s);

        // The feed's records reach the database of the collector the GUI started (its --runtime-dir).
        QTRY_VERIFY_WITH_TIMEOUT(rowCount(dir.filePath(u"perfdash.db"_s), u"runs"_s) > 0, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(rowCount(dir.filePath(u"perfdash.db"_s), u"operations"_s) > 0, 30000);

        QCOMPARE(::kill(pid_t(gui.processId()), SIGTERM), 0);
        QVERIFY(gui.waitForFinished(20000));
        QCOMPARE(gui.exitStatus(), QProcess::NormalExit);
        QCOMPARE(gui.exitCode(), 0);
        for (qint64 pid : QVector<qint64> { collector, feed } + models)
            QTRY_VERIFY_WITH_TIMEOUT(!running(pid), 10000);
    }

    void aSecondWindowDoesNotDoubleTheFeed()
    {
        QTemporaryDir dir;
        QProcess first;
        const auto [collector, feed] = startGui(first, dir);
        QVERIFY(collector > 0);
        QVERIFY(feed > 0);

        QProcess second;
        launchGui(second, dir);
        QVERIFY(second.waitForStarted(10000));
        // It subscribes to the first one's collector, starts the feed, and the feed finds the folder's lock taken.
        QString errors;
        const auto told = [&]() {
            errors += QString::fromUtf8(second.readAllStandardError());
            return errors.contains(u"already runs"_s);
        };
        QTRY_VERIFY2_WITH_TIMEOUT(told(), qPrintable(errors), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(childrenOf(second.processId(), kFeed).isEmpty(), 10000);
        QVERIFY(childrenOf(second.processId(), kCollector).isEmpty());

        // Closing the second window leaves the first one's collector and feed alone.
        second.terminate();
        QVERIFY(second.waitForFinished(20000));
        QVERIFY(running(collector));
        QVERIFY(running(feed));
        first.terminate();
        QVERIFY(first.waitForFinished(20000));
        QCOMPARE(first.exitCode(), 0);
        for (qint64 pid : { collector, feed })
            QTRY_VERIFY_WITH_TIMEOUT(!running(pid), 10000);
    }
};

QTEST_GUILESS_MAIN(TestDemoRunE2E)
#include "tst_demorun_e2e.moc"
