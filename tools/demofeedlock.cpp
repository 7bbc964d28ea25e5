// SPDX-License-Identifier: GPL-3.0-or-later
#include "tools/demofeedlock.h"

#include <charconv>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace perfdash {

DemoFeedLock::~DemoFeedLock()
{
    if (m_fd >= 0)
        ::close(m_fd); // releases the lock; the file stays, an unlocked file means "no feed"
}

DemoFeedLock::Result DemoFeedLock::acquire(const std::string &runtimeDir)
{
    m_path = runtimeDir + "/demo-feed.lock";
    const int fd = ::open(m_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return Result::Unavailable;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char text[16] = {};
        const ssize_t n = ::pread(fd, text, sizeof(text) - 1, 0);
        if (n > 0)
            std::from_chars(text, text + n, m_holderPid);
        ::close(fd);
        return Result::HeldElsewhere;
    }
    char text[16];
    const auto end = std::to_chars(text, text + sizeof(text), int(::getpid())).ptr;
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text, size_t(end - text), 0) < 0) {
        // The lock is what counts; the pid is only for the message.
    }
    m_fd = fd;
    return Result::Acquired;
}

} // namespace perfdash
