// SPDX-License-Identifier: GPL-3.0-or-later
#include "tools/modelworkers.h"

#include <chrono>
#include <csignal>
#include <cstring>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace perfdash {

namespace {

[[noreturn]] void serve(const std::string &model, int parent, size_t megabytes, double cpuShare)
{
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) // the owner died before the line above took effect
        ::_exit(0);
    for (int s : { SIGINT, SIGTERM, SIGHUP })
        std::signal(s, SIG_DFL); // whatever the owner installed: a worker just ends
    const std::string name = "model-" + model;
    ::prctl(PR_SET_NAME, name.substr(0, 15).c_str());
    // Touched page by page, so it is resident (RSS), not only reserved.
    std::vector<char> weights(megabytes << 20);
    std::memset(weights.data(), 1, weights.size());
    using Clock = std::chrono::steady_clock;
    const auto period = std::chrono::milliseconds(100);
    const auto busy = std::chrono::duration_cast<Clock::duration>(period * cpuShare);
    volatile unsigned sink = 0;
    auto next = Clock::now();
    while (true) {
        const auto until = Clock::now() + busy;
        for (size_t i = 0; Clock::now() < until; i = (i + 4096) % weights.size())
            sink = sink + unsigned(weights[i]);
        next += period;
        std::this_thread::sleep_until(next);
    }
}

} // namespace

bool ModelWorkers::start(const std::vector<std::string> &models, double cpuShare)
{
    const int parent = int(::getpid());
    const double share = cpuShare < 0 ? 0 : (cpuShare > 1 ? 1 : cpuShare);
    bool ok = true;
    for (size_t i = 0; i < models.size(); ++i) {
        const pid_t pid = ::fork();
        if (pid == 0)
            serve(models[i], parent, 64 + 32 * i, share);
        if (pid < 0)
            ok = false;
        else
            m_workers.push_back({ models[i], int(pid) });
    }
    return ok;
}

void ModelWorkers::stop()
{
    for (const Worker &w : m_workers)
        ::kill(w.pid, SIGTERM);
    for (const Worker &w : m_workers)
        ::waitpid(w.pid, nullptr, 0);
    m_workers.clear();
}

} // namespace perfdash
