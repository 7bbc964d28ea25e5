// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

namespace perfdash {

// One demo feed per collector: an flock() on <runtime dir>/demo-feed.lock, held for the life of the process. The
// kernel drops the lock when the process ends however it ends (kill -9 too), so a dead feed never blocks the next.
// The holder writes its pid into the file, for the message the next feed prints. Single-threaded use.
class DemoFeedLock {
public:
    enum class Result { Acquired, HeldElsewhere, Unavailable };

    DemoFeedLock() = default;
    ~DemoFeedLock();
    DemoFeedLock(const DemoFeedLock &) = delete;
    DemoFeedLock &operator=(const DemoFeedLock &) = delete;

    Result acquire(const std::string &runtimeDir);
    const std::string &path() const { return m_path; }
    int holderPid() const { return m_holderPid; } // after HeldElsewhere: the holder's pid, 0 if unknown

private:
    int m_fd = -1;
    int m_holderPid = 0;
    std::string m_path;
};

} // namespace perfdash
