// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/childprocesses.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QThread>
#include <QTimer>

namespace perfdash::ChildProcesses {

namespace {
// The running ones, each sent SIGTERM; the others are deleted here.
List terminated(List processes)
{
    List running;
    for (auto &process : processes) {
        if (!process || process->state() == QProcess::NotRunning)
            continue;
        process->disconnect(); // whatever listened to it is going away
        process->terminate();
        running.push_back(std::move(process));
    }
    return running;
}
} // namespace

void stopAndWait(List processes, int graceMs)
{
    const List running = terminated(std::move(processes));
    const QDeadlineTimer deadline(graceMs);
    for (const auto &process : running) {
        if (!process->waitForFinished(int(std::max<qint64>(0, deadline.remainingTime())))) {
            process->kill();
            process->waitForFinished(1000);
        }
    }
}

void stopLater(List processes, int graceMs)
{
    for (auto &owned : terminated(std::move(processes))) {
        QProcess *process = owned.release();
        process->setParent(QCoreApplication::instance());
        QObject::connect(process, &QProcess::finished, process, &QObject::deleteLater);
        QTimer::singleShot(graceMs, process, [process]() { process->kill(); }); // finished follows, and the delete
    }
}

void stop(List processes, int graceMs)
{
    if (QThread::currentThread()->loopLevel() > 0)
        stopLater(std::move(processes), graceMs);
    else
        stopAndWait(std::move(processes), graceMs);
}

} // namespace perfdash::ChildProcesses
