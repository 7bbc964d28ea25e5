// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

namespace perfdash {

// The demo's model servers as real processes: one child per model that holds a model-sized allocation and spends a
// steady share of a core, so each model's `sample` records (and the collector's own readings of that pid) are a
// process's true figures. The children end when the owner stops them, and with SIGTERM when the owner dies
// (PR_SET_PDEATHSIG). start() forks: call it before the owner starts any thread. Owner's thread only.
class ModelWorkers {
public:
    struct Worker {
        std::string model;
        int pid = 0;
    };

    ModelWorkers() = default;
    ~ModelWorkers() { stop(); }
    ModelWorkers(const ModelWorkers &) = delete;
    ModelWorkers &operator=(const ModelWorkers &) = delete;

    // cpuShare of one core (0..1) each; model i holds (64 + 32·i) MB. False if a fork failed (the others run).
    bool start(const std::vector<std::string> &models, double cpuShare);
    // SIGTERM to each, then waits for them.
    void stop();
    const std::vector<Worker> &workers() const { return m_workers; }

private:
    std::vector<Worker> m_workers;
};

} // namespace perfdash
