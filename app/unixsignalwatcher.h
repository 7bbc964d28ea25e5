// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QSocketNotifier>

#include <memory>

namespace perfdash {

// Turns SIGINT, SIGTERM and SIGHUP into a Qt signal on the event loop, through a non-blocking self-pipe (a socket
// pair): the handler never waits, and a burst of one signal before the loop reads it is one terminationRequested().
// One instance per process.
class UnixSignalWatcher : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UnixSignalWatcher)
public:
    explicit UnixSignalWatcher(QObject *parent = nullptr);
    ~UnixSignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signalNumber);

private:
    void onActivated();

    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace perfdash
