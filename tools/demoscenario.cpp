// SPDX-License-Identifier: GPL-3.0-or-later
#include "tools/demoscenario.h"

#include <algorithm>
#include <cmath>

namespace perfdash {

DemoScenario::DemoScenario(uint64_t seed, int models)
    : m_rng(seed)
{
    static const char *names[] = { "resnet50", "bert-base", "whisper-small", "llama-7b" };
    for (int i = 0; i < std::clamp(models, 1, 4); ++i)
        m_models.emplace_back(names[i]);
}

double DemoScenario::lognormal(double medianMs, double sigma)
{
    std::normal_distribution<double> normal(0.0, sigma);
    return medianMs * std::exp(normal(m_rng));
}

DemoScenario::Request DemoScenario::nextRequest(double elapsedSeconds)
{
    Request r;
    std::uniform_int_distribution<size_t> pick(0, m_models.size() - 1);
    const size_t modelIndex = pick(m_rng);
    r.model = &m_models[modelIndex];
    const double scale = 1.0 + 0.6 * double(modelIndex);
    // p95 creeps up by half over 30 minutes: the slow regression a dashboard should make visible.
    const double drift = 1.0 + 0.5 * std::min(elapsedSeconds, 1800.0) / 1800.0;
    const double stepChange = (modelIndex == 0 && elapsedSeconds > 300) ? 1.4 : 1.0;
    std::uniform_real_distribution<double> unit(0.0, 1.0);

    r.stepMs[0] = lognormal(1.5, 0.4);
    r.stepMs[1] = unit(m_rng) < 0.002 ? lognormal(80.0, 0.3) : lognormal(0.2, 0.3); // rare cold load
    r.stepMs[2] = lognormal(2.5, 0.35) * stepChange;
    double predict = lognormal(18.0 * scale, 0.45) * drift;
    if (unit(m_rng) < 0.01) {
        // A Pareto tail (alpha 1.5) on 1% of requests: the long tail p99 is for.
        predict *= std::pow(1.0 - unit(m_rng), -1.0 / 1.5);
    }
    r.stepMs[3] = predict;
    r.stepMs[4] = lognormal(0.8, 0.3);
    for (double ms : r.stepMs)
        r.totalMs += ms;
    r.error = unit(m_rng) < 0.01;
    return r;
}

double DemoScenario::queueDepth(const std::string &model, double requestsPerSecond, double elapsedSeconds)
{
    const double typicalSeconds = (model == m_models.front() ? 0.025 : 0.035) * (1.0 + elapsedSeconds / 3600.0);
    std::poisson_distribution<int> poisson(std::max(0.1, requestsPerSecond * typicalSeconds));
    return double(poisson(m_rng));
}

} // namespace perfdash
