// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/unixsignalwatcher.h"

#include <QList>

#include <cerrno>
#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace perfdash {

namespace {
int g_fds[2] = { -1, -1 };
// SIGHUP too: a closed terminal should stop what we started as cleanly as Ctrl+C does.
constexpr int kSignals[] = { SIGINT, SIGTERM, SIGHUP };

void handler(int signalNumber)
{
    const int savedErrno = errno; // the interrupted code may be about to read it
    const char byte = char(signalNumber);
    // write() is async-signal-safe, and the socket does not block: when it is full, signals are already waiting to
    // be read, and this one is dropped rather than the handler (and the thread it interrupted) waiting for the loop.
    [[maybe_unused]] const auto written = ::write(g_fds[0], &byte, 1);
    errno = savedErrno;
}
} // namespace

UnixSignalWatcher::UnixSignalWatcher(QObject *parent)
    : QObject(parent)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, g_fds) != 0)
        return;
    m_notifier = std::make_unique<QSocketNotifier>(g_fds[1], QSocketNotifier::Read);
    connect(m_notifier.get(), &QSocketNotifier::activated, this, &UnixSignalWatcher::onActivated);
    struct sigaction action = {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (int s : kSignals)
        ::sigaction(s, &action, nullptr);
}

UnixSignalWatcher::~UnixSignalWatcher()
{
    for (int s : kSignals)
        ::signal(s, SIG_DFL);
    m_notifier.reset();
    for (int &fd : g_fds) {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }
}

void UnixSignalWatcher::onActivated()
{
    // Everything that waits, once per signal number in the order they first came: a burst of the same signal is one
    // request.
    QList<int> received;
    char bytes[64];
    for (;;) {
        const auto n = ::read(g_fds[1], bytes, sizeof bytes);
        if (n <= 0)
            break;
        for (qsizetype i = 0; i < n; ++i) {
            if (!received.contains(int(bytes[i])))
                received.push_back(int(bytes[i]));
        }
    }
    for (int signalNumber : std::as_const(received))
        Q_EMIT terminationRequested(signalNumber);
}

} // namespace perfdash
