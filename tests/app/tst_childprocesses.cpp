// SPDX-License-Identifier: GPL-3.0-or-later
// Stopping the processes a window started: SIGTERM to all, a kill after the grace period, waiting only when the
// event loop has ended. Children are real shells that hold their exit until the test lets them go (a file appears),
// so nothing here depends on how fast the machine is.
#include "app/childprocesses.h"

#include <QEventLoop>
#include <QPointer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <csignal>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {
// A shell that says "ready" once its TERM trap is set. On TERM it notes it in termFile, waits for releaseFile, and
// exits 0; with ignoreTerm it ignores TERM and lives until killed.
std::unique_ptr<QProcess> child(const QTemporaryDir &dir, bool ignoreTerm = false)
{
    const QString termFile = dir.filePath(u"got-term"_s);
    const QString releaseFile = dir.filePath(u"release"_s);
    const QString trap = ignoreTerm
        ? u"trap '' TERM"_s
        : u"trap 'touch \"%1\"; while [ ! -e \"%2\" ]; do sleep 0.02; done; exit 0' TERM"_s.arg(termFile, releaseFile);
    auto process = std::make_unique<QProcess>();
    process->start(u"/bin/sh"_s, { u"-c"_s, trap + u"; echo ready; while :; do sleep 0.02; done"_s });
    if (!process->waitForStarted(10000) || !process->waitForReadyRead(10000))
        return nullptr;
    return process;
}

bool alive(qint64 pid)
{
    return ::kill(pid_t(pid), 0) == 0;
}
} // namespace

class TestChildProcesses : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void stopLaterReturnsAtOnceAndTheChildEndsOnItsOwnTime()
    {
        QTemporaryDir dir;
        auto process = child(dir);
        QVERIFY(process);
        const qint64 pid = process->processId();
        QPointer<QProcess> watched = process.get();
        ChildProcesses::List list;
        list.push_back(std::move(process));
        ChildProcesses::stopLater(std::move(list));
        // Returned while the child still holds its exit: nothing waited for it.
        QVERIFY(!watched.isNull());
        QCOMPARE(watched->state(), QProcess::Running);
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(dir.filePath(u"got-term"_s)), 10000); // SIGTERM, not SIGKILL
        QFile release(dir.filePath(u"release"_s));
        QVERIFY(release.open(QIODevice::WriteOnly));
        release.close();
        QTRY_VERIFY_WITH_TIMEOUT(watched.isNull(), 10000); // finished, then deleted itself
        QVERIFY(!alive(pid));
    }

    void stopLaterKillsAChildThatIgnoresTerm()
    {
        QTemporaryDir dir;
        auto process = child(dir, /*ignoreTerm*/ true);
        QVERIFY(process);
        const qint64 pid = process->processId();
        QPointer<QProcess> watched = process.get();
        ChildProcesses::List list;
        list.push_back(std::move(process));
        ChildProcesses::stopLater(std::move(list), 200);
        QTRY_VERIFY_WITH_TIMEOUT(watched.isNull(), 20000); // it never exits by itself: only the kill ends it
        QVERIFY(!alive(pid));
    }

    void stopAndWaitReturnsOnceTheChildHasEnded()
    {
        QTemporaryDir dir;
        auto a = child(dir);
        QVERIFY(a);
        const qint64 pid = a->processId();
        QFile release(dir.filePath(u"release"_s)); // it exits as soon as it has seen SIGTERM
        QVERIFY(release.open(QIODevice::WriteOnly));
        release.close();
        ChildProcesses::List list;
        list.push_back(std::move(a));
        list.push_back(nullptr); // a child already handed over
        ChildProcesses::stopAndWait(std::move(list), 60000); // a bound, never reached: it ends on SIGTERM
        QVERIFY(QFile::exists(dir.filePath(u"got-term"_s)));
        QVERIFY(!alive(pid));
    }

    void stopAndWaitKillsAChildThatIgnoresTerm()
    {
        QTemporaryDir dir;
        auto b = child(dir, /*ignoreTerm*/ true);
        QVERIFY(b);
        const qint64 pid = b->processId();
        ChildProcesses::List list;
        list.push_back(std::move(b));
        ChildProcesses::stopAndWait(std::move(list), 300);
        QVERIFY(!alive(pid)); // killed after the grace period, and reaped
    }

    void stopChoosesByWhetherAnEventLoopRuns()
    {
        QTemporaryDir dir;
        auto process = child(dir);
        QVERIFY(process);
        QPointer<QProcess> watched = process.get();
        bool runningAfterStop = false;
        QEventLoop loop;
        QTimer::singleShot(0, &loop, [&]() {
            ChildProcesses::List list;
            list.push_back(std::move(process));
            ChildProcesses::stop(std::move(list));
            runningAfterStop = !watched.isNull() && watched->state() == QProcess::Running;
            loop.quit();
        });
        loop.exec();
        QVERIFY(runningAfterStop); // inside the loop: it did not wait
        QFile release(dir.filePath(u"release"_s));
        QVERIFY(release.open(QIODevice::WriteOnly));
        release.close();
        QTRY_VERIFY_WITH_TIMEOUT(watched.isNull(), 10000);
    }
};

QTEST_GUILESS_MAIN(TestChildProcesses)
#include "tst_childprocesses.moc"
