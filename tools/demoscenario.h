// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace perfdash {

// A simulated inference service: five steps with long-tailed latency, ~1% errors, a slow upward drift of p95,
// a step change after five minutes, and a queue-depth gauge. Pure: it produces numbers; the caller sends them.
class DemoScenario {
public:
    struct Request {
        const std::string *model = nullptr;
        double stepMs[5] = {};
        double totalMs = 0;
        bool error = false;
    };
    static constexpr const char *stepNames[5] = { "load_data", "load_model", "preprocess", "predict", "postprocess" };

    explicit DemoScenario(uint64_t seed = 42, int models = 2);

    // elapsedSeconds since the scenario started drives the drift and the step change.
    Request nextRequest(double elapsedSeconds);
    // Queue depth by Little's law around the current load, with noise.
    double queueDepth(const std::string &model, double requestsPerSecond, double elapsedSeconds);
    const std::vector<std::string> &models() const { return m_models; }

private:
    double lognormal(double medianMs, double sigma);

    std::mt19937_64 m_rng;
    std::vector<std::string> m_models;
};

} // namespace perfdash
