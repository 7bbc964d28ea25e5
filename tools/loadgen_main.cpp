// SPDX-License-Identifier: GPL-3.0-or-later
// perfdash-loadgen: sends realistic StatsD traffic through the C++ client SDK, bounded in rate and time; the demo
// scenario also sends workflow runs, operations and its models' process samples as native records (ingest.sock).
#include "perfdash/jsonline.h"
#include "perfdash/recordsclient.h"
#include "perfdash/run.h"
#include "perfdash/sampler.h"
#include "perfdash/statsdclient.h"
#include "tools/demofeedlock.h"
#include "tools/demoscenario.h"
#include "tools/modelworkers.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <memory>
#include <random>
#include <vector>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace {

volatile std::sig_atomic_t g_stop = 0; // SIGINT, SIGTERM, SIGHUP: finish the tick, stop the workers, flush

void onStopSignal(int)
{
    g_stop = 1;
}

struct Options {
    std::string scenario = "demo";
    std::string host = "127.0.0.1";
    uint16_t port = 8125;
    double rate = 200; // requests per second
    double duration = 0; // seconds; 0: until stopped (demo's default; flood's is 60)
    bool durationGiven = false;
    int models = 2;
    uint64_t seed = 42;
    int linesPerDatagram = 1; // flood
    int series = 100; // flood
    bool plain = false; // flood: the series in the name, no DogStatsD tag
    int counterPercent = 0; // flood: this share of the series are counters, the rest timers
    bool rateGiven = false;
    std::string runtimeDir; // demo: the collector's runtime folder: its ingest.sock, and where the feed's lock is
    std::string ingest; // demo: ingest.sock path; empty: <runtimeDir>/ingest.sock or the SDK's default; "none": none
    double runsPerSecond = 0.2; // demo: requests also sent as `run` records, at most this many a second
};

[[noreturn]] void usage(const char *message)
{
    if (message)
        std::fprintf(stderr, "perfdash-loadgen: %s\n", message);
    std::fputs("Usage: perfdash-loadgen --scenario demo [--udp HOST:PORT] [--runtime-dir DIR] [--rate REQUESTS_PER_S]\n"
               "                        [--duration SECONDS] [--models 1..4] [--seed N] [--ingest PATH|none]\n"
               "                        [--runs-per-s N]\n"
               "       perfdash-loadgen --scenario flood [--udp HOST:PORT] [--rate LINES_PER_S] [--duration SECONDS]\n"
               "                        [--lines-per-datagram 1..64] [--series N] [--plain] [--counters PERCENT]\n"
               "demo:  each request is 7 StatsD lines (5 step timers, 1 total timer, 1 counter) plus one queue-depth\n"
               "       gauge per model every 100 ms. Every request is also a `prediction` record tagged\n"
               "       status:ok|error (the model's requests; a successful one carries its truth). Up to --runs-per-s\n"
               "       requests a second (default 0.2, 0: none) are also sent as `run` records with their five steps,\n"
               "       as the service demo-pipeline, each with one `op` record (score_batch); each model runs as a\n"
               "       process of its own (model-NAME: 64 MB and up, ~4% of a core) whose figures go as `sample`\n"
               "       records tagged model:NAME, and the loadgen's own as service:perfdash-loadgen. Records go to\n"
               "       --ingest PATH, else DIR/ingest.sock with --runtime-dir DIR (the collector's), else the\n"
               "       default runtime folder or PERFDASH_INGEST_SOCKET; --ingest none: StatsD only.\n"
               "       Runs until stopped (SIGINT, SIGTERM, SIGHUP), or for --duration (90, 2s, 5m, 1h).\n"
               "       One demo feed per runtime folder: a second one exits with status 3 (DIR/demo-feed.lock).\n"
               "flood: timer lines over N series, packed into datagrams, paced to the rate (default 100000 lines/s);\n"
               "       prints what it sent, for ingest benchmarks; 60 s unless --duration. Limits: rate <= 50000000,\n"
               "       duration <= 86400 s. Every series is sent once per cycle of pre-built datagrams.\n"
               "       Lines are bench.latency:<ms>|ms|#series:<i>; with --plain, bench.latency.s<i>:<ms>|ms (for\n"
               "       servers that do not read DogStatsD tags). --counters P makes P% of the series counters\n"
               "       (bench.requests:1|c|#series:<i>, or bench.requests.s<i>:1|c), spread evenly.\n",
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

// A number of seconds, or one with an s, m or h suffix.
double seconds(const char *text)
{
    std::string digits = text;
    double unit = 1;
    if (!digits.empty() && (digits.back() == 's' || digits.back() == 'm' || digits.back() == 'h')) {
        unit = digits.back() == 'h' ? 3600 : (digits.back() == 'm' ? 60 : 1);
        digits.pop_back();
    }
    return unit * number(digits.c_str(), "--duration wants seconds (90, 2s, 5m, 1h)");
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
            o.duration = seconds(value());
            o.durationGiven = true;
        } else if (arg == "--models") {
            o.models = int(number(value(), "--models wants 1..4"));
        } else if (arg == "--lines-per-datagram") {
            o.linesPerDatagram = int(number(value(), "--lines-per-datagram wants 1..64"));
        } else if (arg == "--series") {
            o.series = int(number(value(), "--series wants 1..1000000"));
        } else if (arg == "--plain") {
            o.plain = true;
        } else if (arg == "--counters") {
            o.counterPercent = int(number(value(), "--counters wants 0..100"));
        } else if (arg == "--runtime-dir") {
            o.runtimeDir = value();
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
    if (o.counterPercent < 0 || o.counterPercent > 100)
        usage("--counters must be 0..100");
    if (!o.durationGiven && o.scenario == "flood")
        o.duration = 60;
    if (o.durationGiven && !(o.duration > 0 && o.duration <= 86400))
        usage("--duration must be in (0, 86400]");
    if (!(o.runsPerSecond >= 0 && o.runsPerSecond <= 100000))
        usage("--runs-per-s must be in [0, 100000]");
    return o;
}

// Pre-built datagrams sent in a cycle, paced per millisecond: the sender's own cost stays tiny.
int flood(const Options &o, perfdash::client::StatsdClient &client)
{
    std::vector<std::string> datagrams;
    // Enough datagrams that every series is in each cycle, and at least a few thousand for varied values.
    const int cover = (o.series + o.linesPerDatagram - 1) / o.linesPerDatagram;
    const int distinct = std::max(cover, std::min(4096, o.series * 4 / o.linesPerDatagram + 1));
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
            const uint64_t index = line % uint64_t(o.series);
            const std::string series = std::to_string(index);
            // Counters spread evenly among the series: series i is one when the running share falls behind.
            const bool counter
                = (index + 1) * uint64_t(o.counterPercent) / 100 != index * uint64_t(o.counterPercent) / 100;
            if (counter && o.plain)
                text.append("bench.requests.s").append(series).append(":1|c");
            else if (counter)
                text.append("bench.requests:1|c|#series:").append(series);
            else if (o.plain)
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
        if (elapsed >= o.duration || g_stop)
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
        static_cast<unsigned long long>(client.droppedLines()), elapsed, double(client.sentLines()) / elapsed);
    return 0;
}

// The run's batch as the operation the pipeline logs with it (seed 003's records): items scored, time, memory, outcome.
std::string scoreBatch(const perfdash::client::PerformanceRecord &run, double draw, const perfdash::client::Tags &tags)
{
    perfdash::client::JsonLine op("op");
    op.field("ts", run.endTime)
        .field("name", "score_batch")
        .field("op_code", "demo-pipeline")
        .field("items", int64_t(50 + draw * 450))
        .field("elapsed_s", run.executionTime)
        .field("memory_mb", std::round(1800 + draw * 400) / 10)
        .field("success", run.success);
    if (!run.success)
        op.field("error", "the model server answered with an error").field("error_category", "inference");
    op.tags(tags);
    return std::move(op).finish();
}

// Where the demo's records go, and the folder that holds its lock: the collector's runtime folder.
std::string ingestPath(const Options &o)
{
    if (!o.ingest.empty() && o.ingest != "none")
        return o.ingest;
    if (!o.runtimeDir.empty())
        return o.runtimeDir + "/ingest.sock";
    return perfdash::client::config().ingestSocket;
}

std::string lockFolder(const Options &o)
{
    if (!o.runtimeDir.empty())
        return o.runtimeDir;
    const std::string ingest = ingestPath(o);
    const auto slash = ingest.rfind('/');
    return slash == std::string::npos ? std::string(".") : ingest.substr(0, slash);
}

} // namespace

int main(int argc, char **argv)
{
    const Options o = parse(argc, argv);
    for (int s : { SIGINT, SIGTERM, SIGHUP })
        std::signal(s, onStopSignal);
    perfdash::DemoFeedLock lock;
    perfdash::ModelWorkers workers;
    if (o.scenario == "demo") {
        // Before anything is sent: a second feed for the same collector would double its traffic.
        const auto locked = lock.acquire(lockFolder(o));
        if (locked == perfdash::DemoFeedLock::Result::HeldElsewhere) {
            std::fprintf(stderr, "perfdash-loadgen: a demo feed (pid %d) already runs for %s; not starting another\n",
                lock.holderPid(), lockFolder(o).c_str());
            return 3;
        }
        if (locked == perfdash::DemoFeedLock::Result::Unavailable)
            std::fprintf(
                stderr, "perfdash-loadgen: cannot create %s; running without the one-feed lock\n", lock.path().c_str());
        // Forked while this process has no other thread yet; a few % of a core each, whatever the rate.
        if (o.ingest != "none")
            workers.start(perfdash::DemoScenario(o.seed, o.models).models(), 0.04);
    }
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
    ro.socketPath = records ? ingestPath(o) : std::string();
    ro.autoFlush = false;
    pc::RecordsClient ingest(ro);
    pc::ProcessSampler::Options so;
    so.records = &ingest;
    so.tags = { { "service", "perfdash-loadgen" } };
    pc::ProcessSampler sampler(so);
    // Each model's own process figures, tagged with the model: its page's CPU and memory gauges read them.
    std::vector<std::unique_ptr<pc::ProcessSampler>> modelSamplers;
    for (const auto &worker : workers.workers()) {
        pc::ProcessSampler::Options mo;
        mo.records = &ingest;
        mo.tags = { { "model", worker.model } };
        mo.pid = worker.pid;
        modelSamplers.push_back(std::make_unique<pc::ProcessSampler>(mo));
        modelSamplers.back()->start();
    }
    if (records)
        sampler.start();
    uint64_t runsSent = 0;
    bool toldUnreachable = false;
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
        if ((o.duration > 0 && elapsed >= o.duration) || g_stop)
            break;
        if (records && !toldUnreachable && elapsed >= 3 && !ingest.connected() && ingest.sentRecords() == 0) {
            toldUnreachable = true;
            std::fprintf(stderr,
                "perfdash-loadgen: nothing listens on %s, so records are dropped; point "
                "--runtime-dir at the collector's runtime folder\n",
                ingest.socketPath().c_str());
        }
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
                run.guid = perfdash::client::newGuid();
                run.executionMode = "sequential";
                run.memoryMb = 420.0 + 30.0 * unit(verdicts);
                run.telemetry.clear();
                double at = run.startTime;
                for (int s = 0; s < 5; ++s) {
                    run.steps[size_t(s)] = { perfdash::DemoScenario::stepNames[s], at, r.stepMs[s] / 1000.0 };
                    // A sample as each step begins, as a sampler beside the pipeline would take it (seed 002).
                    perfdash::client::TelemetryWriter sample;
                    sample.add("step", std::string_view(perfdash::DemoScenario::stepNames[s]));
                    sample.add("rss_mb", *run.memoryMb - 10.0 * (4 - s));
                    sample.add("queue_depth", int(r.stepMs[s]) % 7);
                    run.telemetry.push_back(sample.entry(at, perfdash::client::isoLocal(at)));
                    at += r.stepMs[s] / 1000.0;
                }
                // A batch pipeline of its own, not the model's requests: runs would otherwise be what the model's
                // dashboard counts as its requests (docs/metrics.md), at 0.2/s.
                runTags["service"] = "demo-pipeline";
                runTags["served_model"] = *r.model;
                ingest.send(run.toJson(runTags));
                ingest.send(scoreBatch(run, unit(verdicts), runTags));
                ++runsSent;
            }
            if (records) {
                // Every request is one prediction record (so the model's requests are its predictions,
                // docs/metrics.md), tagged with its status; a successful one carries the verdict on a labelled example,
                // so the models have an accuracy, precision and AUC to show: positives score higher on the whole, not
                // always.
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
                    scenario.queueDepth(model, o.rate / double(scenario.models().size()), elapsed), { modelTag });
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
    modelSamplers.clear();
    workers.stop();
    if (records)
        ingest.flushFor(std::chrono::seconds(1));
    std::printf("requests %llu\nlines_sent %llu\nlines_dropped %llu\nrecords_sent %llu\nrecords_dropped %llu\n",
        static_cast<unsigned long long>(requests), static_cast<unsigned long long>(client.sentLines()),
        static_cast<unsigned long long>(client.droppedLines()), static_cast<unsigned long long>(ingest.sentRecords()),
        static_cast<unsigned long long>(ingest.droppedRecords()));
    return 0;
}
