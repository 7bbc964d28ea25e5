// SPDX-License-Identifier: GPL-3.0-or-later
// A small instrumented inference pipeline: each run times five steps (load_data, load_model, preprocess, predict,
// postprocess) with perfdash::client::Run, records the batch operations with ModuleMetrics, and samples the
// process's CPU and memory in the background. Start perfdash (or perfdashd), then run this; the runs, operations
// and the process's gauges show up live. Usage: perfdash-example-inference [--runs N] [--pause-ms MS]
// [--fail-every K] [--model NAME]. Records go to ingest.sock (PERFDASH_INGEST_SOCKET to point elsewhere).
#include "perfdash/perfdash.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace pc = perfdash::client;

namespace {

// Stands in for real work: some arithmetic, then a sleep, so the CPU gauge moves without burning the machine.
double work(std::mt19937 &rng, int milliseconds, std::vector<double> &data)
{
    std::uniform_real_distribution<double> u(0, 1);
    double acc = 0;
    for (double &x : data) {
        x = std::sqrt(x + u(rng));
        acc += x;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(milliseconds));
    return acc;
}

int argument(int argc, char **argv, const char *name, int fallback)
{
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::strcmp(argv[i], name) == 0)
            return std::atoi(argv[i + 1]);
    }
    return fallback;
}

std::string textArgument(int argc, char **argv, const char *name, const char *fallback)
{
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::strcmp(argv[i], name) == 0)
            return argv[i + 1];
    }
    return fallback;
}

} // namespace

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
            std::puts("Usage: perfdash-example-inference [--runs N] [--pause-ms MS] [--fail-every K] [--model NAME]\n"
                      "Runs a small instrumented inference pipeline; its runs, operations and process gauges go to\n"
                      "the collector's ingest.sock (PERFDASH_INGEST_SOCKET to point elsewhere).");
            return 0;
        }
    }
    const int runs = argument(argc, argv, "--runs", 20);
    const int pauseMs = argument(argc, argv, "--pause-ms", 500);
    const int failEvery = argument(argc, argv, "--fail-every", 7);
    const std::string model = textArgument(argc, argv, "--model", "demo-cpp");

    pc::ModuleMetrics::Options metricsOptions;
    metricsOptions.tags = { { "model", model } };
    pc::ModuleMetrics metrics("inference-example", metricsOptions);
    pc::ProcessSampler::Options samplerOptions;
    samplerOptions.sampler.interval = std::chrono::milliseconds(500);
    pc::ProcessSampler sampler(samplerOptions);

    std::mt19937 rng(7);
    std::vector<double> data(200000, 1.0);
    sampler.measure([&] {
        for (int i = 0; i < runs; ++i) {
            pc::Run::Options runOptions;
            runOptions.tags = { { "model", model } };
            pc::Run run("inference", runOptions);
            {
                auto step = run.step("load_data");
                metrics.track("load_data", [&](pc::Operation &op) {
                    work(rng, 20, data);
                    op.setItems(data.size());
                    op.setTarget("synthetic.csv");
                });
            }
            {
                auto step = run.step("load_model");
                work(rng, 30, data);
            }
            {
                auto step = run.step("preprocess");
                work(rng, 10, data);
            }
            try {
                auto step = run.step("predict");
                metrics.track("predict", [&](pc::Operation &op) {
                    work(rng, 40, data);
                    op.setItems(256);
                    if (failEvery > 0 && (i + 1) % failEvery == 0)
                        throw std::runtime_error("model returned NaN for batch " + std::to_string(i));
                });
            } catch (const std::exception &) {
                run.fail(); // the op record carries the error; the run is marked failed and goes on
            }
            {
                auto step = run.step("postprocess");
                work(rng, 5, data);
            }
            run.finish();
            std::this_thread::sleep_for(std::chrono::milliseconds(pauseMs));
        }
    });

    metrics.printStats();
    // A short program: give the last records a moment to leave before exit.
    pc::defaultRecords().flushFor(std::chrono::seconds(2));
    std::printf("records_sent %llu\nrecords_dropped %llu\nsamples %zu\n",
        static_cast<unsigned long long>(pc::defaultRecords().sentRecords()),
        static_cast<unsigned long long>(pc::defaultRecords().droppedRecords()), sampler.sampleCount());
    return 0;
}
