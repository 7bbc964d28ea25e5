// SPDX-License-Identifier: GPL-3.0-or-later
// What the collector's samplers cost per round: /proc/stat, /proc/meminfo, /proc/loadavg and /proc/PID/stat of N
// watched processes (idle `sleep` children), parsed and turned into gauge values, as SamplerWorker does each interval.
// No GPU here: the NVML part is not measured. Each figure is the median of 5 runs of `rounds` rounds.
// Usage: bench_samplers [rounds, default 2000]
#include "benchtiming.h"
#include "collector/procfs.h"
#include "collector/resourcesampler.h"

#include <QCoreApplication>
#include <QProcess>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

using namespace perfdash;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int rounds = argc > 1 ? std::atoi(argv[1]) : 2000;

    std::string loadavg;
    procfs::readFile("/proc/loadavg", loadavg);
    std::printf("load average at start: %s", loadavg.c_str());

    // Parsing alone, on text read once.
    std::string stat;
    procfs::readFile("/proc/self/stat", stat);
    const int parses = 200000;
    const double parseS = bench::medianSeconds([&]() {
        for (int i = 0; i < parses; ++i) {
            const auto parsed = procfs::parsePidStat(stat);
            if (!parsed)
                std::abort();
        }
    });
    std::printf("parse /proc/PID/stat text: %.0f ns\n", parseS / parses * 1e9);

    std::vector<std::unique_ptr<QProcess>> children;
    for (const int n : { 0, 1, 10, 50, 200 }) {
        while (int(children.size()) < n) {
            auto child = std::make_unique<QProcess>();
            child->start(QStringLiteral("sleep"), { QStringLiteral("600") });
            if (!child->waitForStarted(5000))
                return 1;
            children.push_back(std::move(child));
        }
        ResourceSampler::Options options;
        options.nvmlLibrary.clear();
        ResourceSampler sampler(options);
        for (const auto &child : children)
            sampler.watch(child->processId());
        sampler.baseline();
        size_t values = 0;
        const double s = bench::medianSeconds([&]() {
            for (int i = 0; i < rounds; ++i)
                values = size_t(sampler.sample().values.size());
        });
        std::printf("system + %3d processes: %7.1f us per round (%zu values)\n", n, s / rounds * 1e6, values);
    }
    for (auto &child : children) {
        child->kill();
        child->waitForFinished(5000);
    }
    procfs::readFile("/proc/loadavg", loadavg);
    std::printf("load average at end: %s", loadavg.c_str());
    return 0;
}
