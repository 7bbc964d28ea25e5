// SPDX-License-Identifier: GPL-3.0-or-later
// perfdash-loadgen: sends realistic StatsD traffic through the C++ client SDK, bounded in rate and time; the demo
// scenario also sends workflow runs and its own process samples as native records (ingest.sock) through the SDK.
#include "perfdash/jsonline.h"
#include "perfdash/recordsclient.h"
#include "perfdash/run.h"
#include "perfdash/sampler.h"
#include "perfdash/statsdclient.h"
#include "tools/demoscenario.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <random>
#include <vector>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace {

struct Options {
    std::string scenario = "demo";
    std::string host = "127.0.0.1";
    uint16_t port = 8125;
    double rate = 200; // requests per second
    double duration = 60; // seconds
    int models = 2;
    uint64_t seed = 42;
    int linesPerDatagram = 1; // flood
    int series = 100; // flood
    bool plain = false; // flood: the series in the name, no DogStatsD tag
    bool rateGiven = false;
    std::string ingest; // demo: ingest.sock path; empty: the SDK's default; "none": no native records
    double runsPerSecond = 0.2; // demo: requests also sent as `run` records, at most this many a second
};

[[noreturn]] void usage(const char *message)
{
    if (message)
        std::fprintf(stderr, "perfdash-loadgen: %s\n", message);
    std::fputs("Usage: perfdash-loadgen --scenario demo [--udp HOST:PORT] [--rate REQUESTS_PER_S] "
               "[--duration SECONDS] [--models 1..4] [--seed N]\n"
               "                        [--ingest PATH|none] [--runs-per-s N]\n"
               "       perfdash-loadgen --scenario flood [--udp HOST:PORT] [--rate LINES_PER_S] [--duration SECONDS]\n"
               "                        [--lines-per-datagram 1..64] [--series N] [--plain]\n"
               "demo:  each request is 7 StatsD lines (5 step timers, 1 total timer, 1 counter) plus one queue-depth\n"
               "       gauge per model every 100 ms. Every request is also a `prediction` record tagged\n"
               "       status:ok|error (the model's requests; a successful one carries its truth). Up to --runs-per-s\n"
               "       requests a second (default 0.2, 0: none) are also sent as `run` records with their five steps,\n"
               "       as the service demo-pipeline; the loadgen's own CPU and memory go as `sample` records; all\n"
               "       to ingest.sock (--ingest, default: the collector's default runtime folder, or\n"
               "       PERFDASH_INGEST_SOCKET; none: StatsD only).\n"
               "flood: timer lines over N series, packed into datagrams, paced to the rate (default 100000 lines/s);\n"
               "       prints what it sent, for ingest benchmarks. Limits: rate <= 50000000, duration <= 86400.\n"
               "       Lines are bench.latency:<ms>|ms|#series:<i>; with --plain, bench.latency.s<i>:<ms>|ms (for\n"
               "       servers that do not read DogStatsD tags).\n",
               message ? stderr : stdout);
    std::exit(message ? 2 : 0);
}

double number(const char *text, const char *what)
{
    char *end = nullptr;
    const double value = std::strtod(text, &end); // only ASCII digits reach here; no locale is set
    if (end == text || *end != '\0')
        usage(what);
    return value;
}

Options parse(int argc, char **argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&]() -> const char * {
            if (i + 1 >= argc)
                usage(("missing value for " + arg).c_str());
            return argv[++i];
        };
        if (arg == "--help" || arg == "-h") {
            usage(nullptr);
        } else if (arg == "--scenario") {
            o.scenario = value();
        } else if (arg == "--udp") {
            const std::string hp = value();
            const auto colon = hp.rfind(':');
            if (colon == std::string::npos)
                usage("--udp wants HOST:PORT");
            o.host = hp.substr(0, colon);
            if (o.host == "localhost")
                o.host = "127.0.0.1";
            const double port = number(hp.c_str() + colon + 1, "--udp wants a numeric port");
            if (port < 1 || port > 65535)
                usage("--udp port must be 1..65535");
            o.port = uint16_t(port);
        } else if (arg == "--rate") {
            o.rate = number(value(), "--rate wants a number");
            o.rateGiven = true;
        } else if (arg == "--duration") {
            o.duration = number(value(), "--duration wants a number of seconds");
        } else if (arg == "--models") {
            o.models = int(number(value(), "--models wants 1..4"));
        } else if (arg == "--lines-per-datagram") {
            o.linesPerDatagram = int(number(value(), "--lines-per-datagram wants 1..64"));
        } else if (arg == "--series") {
            o.series = int(number(value(), "--series wants 1..1000000"));
        } else if (arg == "--plain") {
            o.plain = true;
        } else if (arg == "--ingest") {
            o.ingest = value();
        } else if (arg == "--runs-per-s") {
            o.runsPerSecond = number(value(), "--runs-per-s wants a number");
        } else if (arg == "--seed") {
            o.seed = uint64_t(number(value(), "--seed wants a number"));
        } else {
            usage(("unknown option " + arg).c_str());
        }
    }
    if (o.scenario != "demo" && o.scenario != "flood")
        usage("the scenarios are 'demo' and 'flood'");
    if (o.scenario == "flood" && !o.rateGiven)
        o.rate = 100000;
    const double maxRate = o.scenario == "flood" ? 5e7 : 1e6;
    if (!(o.rate > 0 && o.rate <= maxRate))
        usage(o.scenario == "flood" ? "--rate must be in (0, 50000000]" : "--rate must be in (0, 1000000]");
    if (o.linesPerDatagram < 1 || o.linesPerDatagram > 64)
        usage("--lines-per-datagram must be 1..64");
    if (o.series < 1 || o.series > 1000000)
        usage("--series must be 1..1000000");
    if (!(o.duration > 0 && o.duration <= 86400))
        usage("--duration must be in (0, 86400]");
    if (!(o.runsPerSecond >= 0 && o.runsPerSecond <= 100000))
        usage("--runs-per-s must be in [0, 100000]");
    return o;
}

// Pre-built datagrams sent in a cycle, paced per millisecond: the sender's own cost stays tiny.
int flood(const Options &o, perfdash::client::StatsdClient &client)
{
    std::vector<std::string> datagrams;
    const int distinct = std::max(1, std::min(4096, o.series * 4 / o.linesPerDatagram + 1));
    std::mt19937_64 rng(o.seed);
    std::lognormal_distribution<double> latency(std::log(20.0), 0.5);
    uint64_t line = 0;
    for (int d = 0; d < distinct; ++d) {
        std::string text;
        for (int l = 0; l < o.linesPerDatagram; ++l, ++line) {
            char value[32];
            const auto end = std::to_chars(value, value + sizeof(value), std::round(latency(rng) * 1000) / 1000).ptr;
            if (l > 0)
                text.push_back('\n');
            const std::string series = std::to_string(line % uint64_t(o.series));
            if (o.plain)
                text.append("bench.latency.s").append(series).append(":").append(value, end).append("|ms");
            else
                text.append("bench.latency:").append(value, end).append("|ms|#series:").append(series);
        }
        datagrams.push_back(std::move(text));
    }
    std::vector<std::string_view> views(datagrams.begin(), datagrams.end());

    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const double datagramsPerSecond = o.rate / o.linesPerDatagram;
    uint64_t sent = 0;
    size_t cursor = 0;
    while (true) {
        const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        if (elapsed >= o.duration)
            break;
        const auto due = uint64_t(elapsed * datagramsPerSecond);
        if (due <= sent) {
            std::this_thread::sleep_for(std::chrono::microseconds(200));
            continue;
        }
        size_t n = size_t(std::min<uint64_t>(due - sent, 1024));
        n = std::min(n, views.size() - cursor);
        client.sendDatagrams(views.data() + cursor, n, uint64_t(n) * uint64_t(o.linesPerDatagram), true);
        sent += n;
        cursor = (cursor + n) % views.size();
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("datagrams_sent %llu\nlines_sent %llu\nlines_dropped_by_sender %llu\nelapsed_s %.3f\n"
                "lines_per_s %.0f\n",
                static_cast<unsigned long long>(sent), static_cast<unsigned long long>(client.sentLines()),
                static_cast<unsigned long long>(client.droppedLines()), elapsed,
                double(client.sentLines()) / elapsed);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    const Options o = parse(argc, argv);
    perfdash::client::StatsdClient client;
    if (!client.open(o.host, o.port)) {
        std::fprintf(stderr, "perfdash-loadgen: cannot open a UDP socket to %s:%u (IPv4 literal expected)\n",
                     o.host.c_str(), unsigned(o.port));
        return 1;
    }
    if (o.scenario == "flood")
        return flood(o, client);

    // Native records through the SDK: batched per 10 ms tick, never blocking the StatsD pacing.
    namespace pc = perfdash::client;
    const bool records = o.ingest != "none";
    uint64_t predictionsSent = 0;
    pc::RecordsClient::Options ro;
    ro.socketPath = o.ingest == "none" ? std::string() : o.ingest;
    ro.autoFlush = false;
    pc::RecordsClient ingest(ro);
    pc::ProcessSampler::Options so;
    so.records = &ingest;
    so.tags = { { "service", "perfdash-loadgen" } };
    pc::ProcessSampler sampler(so);
    if (records)
        sampler.start();
    uint64_t runsSent = 0;
    pc::PerformanceRecord run;
    run.workflow = "inference";
    run.steps.resize(5);
    pc::Tags runTags;
    // Requests also carry the model's verdict on a labelled example (a score and its truth), so the demo's models
    // have an accuracy, precision and AUC to show.
    std::mt19937_64 verdicts(o.seed ^ 0x9e3779b97f4a7c15ULL);
    std::uniform_real_distribution<double> unit(0.0, 1.0);

    perfdash::DemoScenario scenario(o.seed, o.models);
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const auto tick = std::chrono::milliseconds(10);
    auto next = start;
    double owed = 0;
    uint64_t requests = 0;
    int ticks = 0;
    std::string modelTag, stepTag, statusTag;
    while (true) {
        const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        if (elapsed >= o.duration)
            break;
        owed += o.rate * 0.010;
        while (owed >= 1.0) {
            owed -= 1.0;
            const auto r = scenario.nextRequest(elapsed);
            modelTag = "model:" + *r.model;
            for (int s = 0; s < 5; ++s) {
                stepTag = std::string("step:") + perfdash::DemoScenario::stepNames[s];
                client.timing("inference.step.latency", r.stepMs[s], { modelTag, stepTag });
            }
            client.timing("inference.latency", r.totalMs, { modelTag });
            statusTag = r.error ? "status:error" : "status:ok";
            client.count("inference.requests", 1, { modelTag, statusTag });
            ++requests;
            if (records && double(runsSent) < (elapsed + 0.01) * o.runsPerSecond) {
                // The simulated request as the run it would have been: it ends now, its steps back to back.
                const double now = pc::Clock::systemWall();
                run.executionTime = r.totalMs / 1000.0;
                run.startTime = now - run.executionTime;
                run.endTime = now;
                run.success = !r.error;
                double at = run.startTime;
                for (int s = 0; s < 5; ++s) {
                    run.steps[size_t(s)] = { perfdash::DemoScenario::stepNames[s], at, r.stepMs[s] / 1000.0 };
                    at += r.stepMs[s] / 1000.0;
                }
                // A batch pipeline of its own, not the model's requests: runs would otherwise be what the model's
                // dashboard counts as its requests (docs/metrics.md), at 0.2/s.
                runTags["service"] = "demo-pipeline";
                runTags["served_model"] = *r.model;
                ingest.send(run.toJson(runTags));
                ++runsSent;
            }
            if (records) {
                // Every request is one prediction record (so the model's requests are its predictions, docs/metrics.md),
                // tagged with its status; a successful one carries the verdict on a labelled example, so the models
                // have an accuracy, precision and AUC to show: positives score higher on the whole, not always.
                const bool truth = unit(verdicts) < 0.3;
                const double score = truth ? std::sqrt(unit(verdicts)) : unit(verdicts) * unit(verdicts);
                pc::JsonLine prediction("prediction");
                prediction.field("model", *r.model).field("score", std::round(score * 1000.0) / 1000.0);
                if (!r.error)
                    prediction.field("truth", int64_t(truth ? 1 : 0));
                prediction.tags({ { "status", r.error ? "error" : "ok" } });
                ingest.send(std::move(prediction).finish());
                ++predictionsSent;
            }
        }
        if (++ticks % 10 == 0) {
            for (const auto &model : scenario.models()) {
                modelTag = "model:" + model;
                client.gauge("inference.queue_depth",
                             scenario.queueDepth(model, o.rate / double(scenario.models().size()), elapsed),
                             { modelTag });
            }
        }
        client.flush();
        if (records)
            ingest.flush();
        next += tick;
        std::this_thread::sleep_until(next);
    }
    client.flush();
    sampler.stop();
    if (records)
        ingest.flushFor(std::chrono::seconds(1));
    std::printf("requests %llu\nlines_sent %llu\nlines_dropped %llu\nrecords_sent %llu\nrecords_dropped %llu\n",
                static_cast<unsigned long long>(requests), static_cast<unsigned long long>(client.sentLines()),
                static_cast<unsigned long long>(client.droppedLines()),
                static_cast<unsigned long long>(ingest.sentRecords()),
                static_cast<unsigned long long>(ingest.droppedRecords()));
    return 0;
}
