// SPDX-License-Identifier: GPL-3.0-or-later
// Test helper, no Qt: a process with known resources for the samplers' checks against /proc.
// Usage: procburner MIB SECONDS. Touches MIB MiB, runs two idle threads beside the main one, prints "ready", then burns
// CPU until SECONDS pass or stdin closes. Each line read on stdin is answered with the process's CPU time in ns.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include <poll.h>
#include <time.h>
#include <unistd.h>

namespace {

long long cpuTimeNs()
{
    timespec ts {};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    const size_t mib = size_t(std::atol(argv[1]));
    const double seconds = std::atof(argv[2]);
    std::vector<char> memory(mib * 1024 * 1024);
    std::memset(memory.data(), 1, memory.size()); // every page resident

    std::mutex mutex;
    std::condition_variable done;
    bool stop = false;
    std::vector<std::thread> idle;
    for (int i = 0; i < 2; ++i) {
        idle.emplace_back([&]() {
            std::unique_lock<std::mutex> lock(mutex);
            done.wait(lock, [&]() { return stop; });
        });
    }
    std::printf("ready\n");
    std::fflush(stdout);

    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    volatile unsigned long long sink = 0;
    char line[64];
    while (std::chrono::steady_clock::now() < end) {
        for (int i = 0; i < 200000; ++i)
            sink = sink + unsigned(i) * 2654435761u;
        pollfd in { STDIN_FILENO, POLLIN, 0 };
        if (::poll(&in, 1, 0) > 0) {
            if (!std::fgets(line, sizeof line, stdin))
                break; // stdin closed: the test is done with us
            std::printf("%lld\n", cpuTimeNs());
            std::fflush(stdout);
        }
    }
    {
        std::lock_guard<std::mutex> lock(mutex);
        stop = true;
    }
    done.notify_all();
    for (auto &t : idle)
        t.join();
    return int(memory[memory.size() / 2] - 1);
}
