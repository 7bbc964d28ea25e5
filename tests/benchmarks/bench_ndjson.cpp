// SPDX-License-Identifier: GPL-3.0-or-later
// NDJSON budget (DESIGN.md, Budgets): >= 1M native records/s per core. Measures NdjsonRecord::parse alone over a
// realistic mix of the seven record types, then the whole ingest path: a client thread writes the same lines to
// ingest.sock and NdjsonIngest reads, splits, parses and counts them on the main thread's event loop; then parse, route
// and aggregate (RecordRouter into an Aggregator, as the collector wires them), in memory and over the socket.
// Each measurement runs 5 times; the median is printed. Usage: bench_ndjson [records, default 1000000]
#include "collector/ndjsoningest.h"
#include "collector/ndjsonrecord.h"
#include "collector/recordrouter.h"
#include "collector/seriesregistry.h"
#include "models/aggregator.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int kRuns = 5;
constexpr qint64 kNowMs = 1657100600000;

template <typename F>
double median(F &&run)
{
    std::vector<double> values;
    for (int i = 0; i < kRuns; ++i)
        values.push_back(run());
    std::sort(values.begin(), values.end());
    return values[kRuns / 2];
}

double threadCpuSeconds()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

std::string num(double v)
{
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    return ec == std::errc() ? std::string(buf, end) : std::string("0");
}

std::string num(long long v)
{
    return std::to_string(v);
}

// What producers send: mostly metrics and samples, operations and predictions, now and then runs and quality figures.
std::vector<std::string> makeLines(size_t n, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::lognormal_distribution<double> latency(3.0, 1.0);
    const char *models[] = { "fraud-v3", "ranker-v12", "embed-small", "ocr-2" };
    const char *services[] = { "api", "batch", "worker" };
    std::vector<std::string> lines;
    lines.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        const double pick = unit(rng);
        const std::string model = models[rng() % 4];
        const std::string ts = num(1657100500.0 + double(i % 100000) * 0.001);
        std::string line;
        if (pick < 0.45) {
            const char *names[] = { "api.latency", "queue.depth", "requests", "tokens.generated" };
            const char *kinds[] = { "timer", "gauge", "counter", "distribution" };
            const int k = int(rng() % 4);
            line = R"({"type":"metric","name":")" + std::string(names[k]) + R"(","kind":")" + kinds[k] + R"(","value":)"
                + num(latency(rng)) + (k == 0 ? R"(,"unit":"ms")" : "") + R"(,"ts":)" + ts + R"(,"tags":{"model":")"
                + model + R"(","service":")" + services[rng() % 3] + R"("}})";
        } else if (pick < 0.60) {
            line = R"({"type":"sample","ts":)" + ts + R"(,"pid":)" + num((long long)(1000 + rng() % 50))
                + R"(,"cpu_percent":)" + num(unit(rng) * 180) + R"(,"rss_mb":)" + num(200 + unit(rng) * 800)
                + R"(,"vms_mb":)" + num(4096 + unit(rng) * 100) + R"(,"threads":)" + num((long long)(rng() % 64))
                + R"(,"gpu_percent":)" + num(unit(rng) * 100) + R"(,"gpu_mem_mb":5120,"tags":{"host":"node-1"}})";
        } else if (pick < 0.78) {
            const bool ok = unit(rng) > 0.05;
            line = R"({"type":"op","ts":)" + ts + R"(,"guid":"6f1c3b2a-9d4e-4f5a-8b7c-)"
                + num((long long)(100000000000 + i))
                + R"(","op_code":"IMP01","tenant":"billing","name":"import","target":"s3://bucket/orders-)"
                + num((long long)(i % 1000)) + R"(.csv","items":)" + num((long long)(rng() % 5000)) + R"(,"elapsed_s":)"
                + num(latency(rng) / 10) + R"(,"memory_mb":)" + num(unit(rng) * 500) + R"(,"cache_hits":)"
                + num((long long)(rng() % 100)) + R"(,"api_calls":3,"success":)"
                + (ok ? "true"
                      : R"x(false,"error":"upstream timeout after 3 retries: connection reset by peer\n  at fetch()","error_category":"network")x")
                + "}";
        } else if (pick < 0.93) {
            const double score = unit(rng);
            line = R"({"type":"prediction","ts":)" + ts + R"(,"model":")" + model + R"(","id":"req-)"
                + num((long long)i) + R"(","score":)" + num(score) + R"(,"label":")" + (score > 0.5 ? "fraud" : "legit")
                + R"(","truth":")" + (unit(rng) > 0.5 ? "fraud" : "legit") + R"("})";
        } else if (pick < 0.96) {
            line
                = R"({"type":"run","workflow":"nightly-train","start":1657100000.5,"end":1657100300.25,"success":true,"steps":[{"name":"load","start":1657100000.5,"elapsed_s":20.5},{"name":"features","start":1657100021,"elapsed_s":40},{"name":"fit","start":1657100061,"elapsed_s":200},{"name":"eval","start":1657100261,"elapsed_s":39.25}],"tags":{"team":"ml"}})";
        } else if (pick < 0.98) {
            line = R"({"type":"quality","ts":)" + ts + R"(,"model":")" + model + R"(","metric":"f1","value":)"
                + num(0.8 + unit(rng) * 0.1) + "}";
        } else {
            line = R"({"type":"baseline","model":")" + model
                + R"(","metric":"accuracy","value":0.953,"tags":{"dataset":"test-2022-06"}})";
        }
        lines.push_back(std::move(line));
    }
    return lines;
}

void report(const std::string &what, double value, const char *unit)
{
    std::cout << std::left << std::setw(58) << what << std::right << std::fixed << std::setprecision(2) << std::setw(12)
              << value << ' ' << unit << '\n';
}

int rawConnect(const QString &path)
{
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr {};
    addr.sun_family = AF_UNIX;
    const QByteArray native = QFile::encodeName(path);
    std::memcpy(addr.sun_path, native.constData(), size_t(native.size()));
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const size_t records = argc > 1 ? size_t(std::strtoull(argv[1], nullptr, 10)) : 1'000'000;
    const std::vector<std::string> lines = makeLines(records, 1);
    size_t bytes = 0;
    for (const auto &l : lines)
        bytes += l.size() + 1;
    std::cout << "NDJSON records, " << records << " lines, mean " << std::setprecision(1) << std::fixed
              << double(bytes) / double(records) << " bytes/line, median of " << kRuns << " runs\n";

    // Parse only, from one contiguous buffer split on '\n' as the ingest splits what it read, into one reused record.
    const auto parseAll = [](const QByteArray &payload, NativeRecord &record, size_t &accepted) {
        const NdjsonRecord::Limits limits;
        const char *p = payload.constData();
        const char *end = p + payload.size();
        while (p < end) {
            const auto *newline = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
            accepted += !NdjsonRecord::parse(QByteArrayView(p, newline - p), record, limits, kNowMs);
            p = newline + 1;
        }
    };
    const auto joined = [](const std::vector<const std::string *> &subset) {
        QByteArray out;
        for (const auto *l : subset) {
            out.append(l->data(), qsizetype(l->size()));
            out.append('\n');
        }
        return out;
    };
    std::vector<const std::string *> all;
    for (const auto &l : lines)
        all.push_back(&l);
    const QByteArray payload = joined(all);
    {
        NativeRecord record;
        size_t accepted = 0;
        const double seconds = median([&] {
            accepted = 0;
            const auto start = std::chrono::steady_clock::now();
            parseAll(payload, record, accepted);
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        });
        if (accepted != records) {
            std::cerr << "only " << accepted << " of " << records << " lines parsed\n";
            return 1;
        }
        report("parse only, mixed types", double(records) / seconds / 1e6, "M records/s");
        report("  per record", seconds * 1e9 / double(records), "ns");
        report("  throughput", double(bytes) / seconds / 1e6, "MB/s");
    }

    // Parse + route + aggregate: the collector thread's whole work per record. A fresh Aggregator each run, so the
    // first sight of every series (its key string) is paid too; operations and runs are taken every 100k records,
    // as the collector takes them once a second.
    {
        NativeRecord record;
        const NdjsonRecord::Limits limits;
        size_t routed = 0;
        const double seconds = median([&] {
            routed = 0;
            Aggregator aggregator;
            SeriesRegistry registry(aggregator);
            RecordRouter router(aggregator, registry);
            const auto start = std::chrono::steady_clock::now();
            const char *p = payload.constData();
            const char *end = p + payload.size();
            while (p < end) {
                const auto *newline = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
                if (!NdjsonRecord::parse(QByteArrayView(p, newline - p), record, limits, kNowMs)) {
                    router.route(record, kNowMs, 0);
                    if (++routed % 100000 == 0) {
                        router.takeWorkRecords();
                        router.takeBaselines();
                    }
                }
                p = newline + 1;
            }
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        });
        report("parse + route + aggregate, mixed types", double(records) / seconds / 1e6, "M records/s");
        report("  per record", seconds * 1e9 / double(records), "ns");
    }

    // Parse only, per type: where the time goes.
    for (const char *type : { "metric", "sample", "op", "prediction", "run", "quality" }) {
        std::vector<const std::string *> subset;
        const std::string needle = std::string("\"type\":\"") + type + '"';
        for (const auto &l : lines) {
            if (l.compare(1, needle.size(), needle) == 0)
                subset.push_back(&l);
        }
        if (subset.empty())
            continue;
        const QByteArray typed = joined(subset);
        NativeRecord record;
        size_t accepted = 0;
        const double seconds = median([&] {
            const auto start = std::chrono::steady_clock::now();
            parseAll(typed, record, accepted);
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        });
        report(std::string("  ") + type + " (" + std::to_string(subset.size()) + ")",
            seconds * 1e9 / double(subset.size()), "ns/record");
    }

    // The whole path over a real socket: the client writes on its own thread (the other core); the figure per core
    // divides by the CPU time of the ingest thread alone.
    {
        QTemporaryDir dir;
        std::vector<double> wallRates, cpuRates;
        for (int run = 0; run < kRuns; ++run) {
            IngestCounters counters;
            NdjsonIngest ingest(
                counters, []() { return kNowMs; }, NdjsonIngest::Limits());
            quint64 sunk = 0;
            ingest.setSink([&sunk](const NativeRecord &, qint64, qint64) { ++sunk; });
            QString error;
            if (!ingest.listen(dir.filePath(u"ingest.sock"_s), &error)) {
                std::cerr << error.toStdString() << '\n';
                return 1;
            }
            const int fd = rawConnect(ingest.path());
            QCoreApplication::processEvents(); // accept
            const double cpuStart = threadCpuSeconds();
            QElapsedTimer wall;
            wall.start();
            std::thread writer([&]() {
                qsizetype done = 0;
                while (done < payload.size()) {
                    const auto n = ::send(fd, payload.constData() + done, size_t(payload.size() - done), MSG_NOSIGNAL);
                    if (n <= 0)
                        break;
                    done += n;
                }
                ::close(fd);
            });
            while (counters.recordsAccepted + counters.recordsRejected < records)
                QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
            const double wallSeconds = double(wall.nsecsElapsed()) * 1e-9;
            const double cpuSeconds = threadCpuSeconds() - cpuStart;
            writer.join();
            if (counters.recordsAccepted != records || sunk != records) {
                std::cerr << "ingest accepted " << counters.recordsAccepted << " of " << records << '\n';
                return 1;
            }
            wallRates.push_back(double(records) / wallSeconds / 1e6);
            cpuRates.push_back(double(records) / cpuSeconds / 1e6);
        }
        std::sort(wallRates.begin(), wallRates.end());
        std::sort(cpuRates.begin(), cpuRates.end());
        report("ingest.sock end to end, wall clock", wallRates[kRuns / 2], "M records/s");
        report("ingest.sock end to end, per ingest-thread CPU second", cpuRates[kRuns / 2], "M records/s");
    }
    return 0;
}
