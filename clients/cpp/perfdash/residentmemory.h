// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// perfdash C++ client: the resident memory of this process, read from /proc/self/statm. Safe from any thread.

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <mutex>

namespace perfdash::client {

// Resident memory of this process in MB (MiB), from /proc/self/statm; -1 when it cannot be read. The file stays
// open, so a reading is one pread (a third of open/read/close); it is reopened after a fork, since the open file
// would still describe the parent.
inline double residentMemoryMb() noexcept
{
    static std::mutex mutex;
    static int fd = -1;
    static pid_t owner = 0;
    char buf[128];
    ssize_t n = -1;
    {
        std::lock_guard lock(mutex);
        const pid_t pid = ::getpid();
        if (fd < 0 || owner != pid) {
            if (fd >= 0)
                ::close(fd);
            fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
            owner = pid;
        }
        if (fd >= 0)
            n = ::pread(fd, buf, sizeof(buf) - 1, 0);
    }
    if (n <= 0)
        return -1;
    // "size resident shared text lib data dt", in pages.
    const char *p = buf, *end = buf + n;
    while (p < end && *p != ' ')
        ++p;
    uint64_t pages = 0;
    const auto [next, ec] = std::from_chars(p + 1 < end ? p + 1 : end, end, pages);
    if (ec != std::errc() || next == p + 1)
        return -1;
    static const long pageSize = ::sysconf(_SC_PAGESIZE);
    return double(pages) * double(pageSize > 0 ? pageSize : 4096) / (1024.0 * 1024.0);
}

} // namespace perfdash::client
