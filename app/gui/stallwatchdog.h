// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace perfdash {

// Measures how long the thread it lives on (the GUI thread) fails to run its event loop: a timer asks to run every
// `tickMs`; any lateness beyond that is a stall. It also reads the thread's CPU time, so a stall can be told apart
// into work the thread did and time the machine did not run it (a loaded machine preempts it). Lives in and is used
// from that thread.
class StallWatchdog : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StallWatchdog)
public:
    explicit StallWatchdog(int tickMs = 10, QObject *parent = nullptr);

    void start();
    void stop();
    void reset();
    double worstMs() const { return m_worstMs; }
    qint64 worstAtMs() const { return m_worstAtMs; } // since start()
    double worstCpuMs() const { return m_worstCpuMs; } // the thread's CPU time during the worst stall
    // The most CPU time the thread spent between two ticks: its own longest stretch of work, whatever the machine did.
    double worstBusyMs() const { return m_worstBusyMs; }
    qint64 ticks() const { return m_ticks; }
    qint64 stallsOver(int ms) const; // stalls longer than 50, 100 or 200 ms
    // Stalls longer than this are reported by stallDetected as they end; 0: never.
    void setReportThresholdMs(int ms) { m_reportMs = ms; }

Q_SIGNALS:
    void stallDetected(double milliseconds);

private:
    void onTick();

    QTimer m_timer;
    QElapsedTimer m_clock;
    int m_tickMs;
    int m_reportMs = 0;
    qint64 m_lastNs = 0;
    qint64 m_lastCpuNs = 0;
    double m_worstCpuMs = 0;
    double m_worstBusyMs = 0;
    qint64 m_ticks = 0;
    double m_worstMs = 0;
    qint64 m_worstAtMs = 0;
    qint64 m_over50 = 0, m_over100 = 0, m_over200 = 0;
};

} // namespace perfdash
