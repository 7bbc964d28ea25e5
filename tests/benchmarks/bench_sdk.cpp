// SPDX-License-Identifier: GPL-3.0-or-later
// Overhead of the C++ client SDK in the producer: ns per timed Run scope (with and without steps) and per op record
// (with and without the /proc/self/statm read), each sent to a real Unix stream socket that a thread drains, as
// ingest.sock would; and the same with the SDK off. Each figure is the median of 5 timed runs.
// Usage: bench_sdk [iterations, default 200000]
#include "perfdash/modulemetrics.h"
#include "perfdash/recordsclient.h"
#include "perfdash/run.h"
#include "perfdash/statsdclient.h"
#include "tests/benchmarks/benchtiming.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace pc = perfdash::client;

namespace {

// A stand-in for the collector's ingest.sock: accepts connections and throws away what they send.
class Drain {
public:
    explicit Drain(const std::string &path)
        : m_path(path)
    {
        m_fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un addr {};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, path.c_str(), path.size());
        ::unlink(path.c_str());
        if (::bind(m_fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0 || ::listen(m_fd, 16) != 0) {
            std::perror("bench_sdk: bind");
            std::exit(1);
        }
        m_thread = std::thread([this] {
            while (true) {
                const int c = ::accept(m_fd, nullptr, nullptr);
                if (c < 0)
                    return;
                std::thread([this, c] {
                    char buf[1 << 16];
                    ssize_t n;
                    while ((n = ::read(c, buf, sizeof(buf))) > 0)
                        m_bytes += uint64_t(n);
                    ::close(c);
                }).detach();
            }
        });
    }
    ~Drain()
    {
        ::shutdown(m_fd, SHUT_RDWR);
        ::close(m_fd);
        m_thread.join();
        ::unlink(m_path.c_str());
    }
    std::atomic<uint64_t> m_bytes { 0 };

private:
    std::string m_path;
    int m_fd = -1;
    std::thread m_thread;
};

void row(const char *what, double seconds, int n, const pc::RecordsClient *client = nullptr)
{
    std::printf("%-62s %9.0f ns", what, seconds * 1e9 / n);
    if (client)
        std::printf("   (sent %llu, dropped %llu)", static_cast<unsigned long long>(client->sentRecords()),
            static_cast<unsigned long long>(client->droppedRecords()));
    std::printf("\n");
}

} // namespace

int main(int argc, char **argv)
{
    const int n = argc > 1 ? std::atoi(argv[1]) : 200000;
    const std::string path = "/tmp/perfdash-bench-sdk-" + std::to_string(::getpid()) + ".sock";
    Drain drain(path);
    pc::setLogHook({}); // the log lines are a user's choice; they are not part of the SDK's own cost

    pc::RecordsClient::Options ro;
    ro.socketPath = path;
    ro.maxBufferBytes = 64 << 20; // what is measured is the SDK, not drops
    pc::RecordsClient immediate(ro);
    ro.autoFlush = false;
    pc::RecordsClient batched(ro);
    const auto flushEvery = [](pc::RecordsClient &c, int i) {
        if (i % 256 == 255)
            c.flush();
    };

    std::printf("bench_sdk: %d iterations per run, median of %d runs\n", n, perfdash::bench::kRuns);

    pc::Run::Options off;
    off.enabled = false;
    row("Run scope, SDK off (timing only, no record)", perfdash::bench::medianSeconds([&] {
        for (int i = 0; i < n; ++i) {
            pc::Run run("inference", off);
            run.finish();
        }
    }),
        n);

    pc::Run::Options on;
    on.records = &immediate;
    row("Run scope, no steps, one send() per record", perfdash::bench::medianSeconds([&] {
        for (int i = 0; i < n; ++i) {
            pc::Run run("inference", on);
            run.finish();
        }
    }),
        n, &immediate);

    row("Run scope, 5 steps, one send() per record", perfdash::bench::medianSeconds([&] {
        for (int i = 0; i < n; ++i) {
            pc::Run run("inference", on);
            for (const char *step : { "load_data", "load_model", "preprocess", "predict", "postprocess" })
                run.step(step).end();
            run.finish();
        }
    }),
        n, &immediate);

    pc::Run::Options onBatched = on;
    onBatched.records = &batched;
    row("Run scope, 5 steps, batched (autoFlush off, flush per 256)", perfdash::bench::medianSeconds([&] {
        for (int i = 0; i < n; ++i) {
            {
                pc::Run run("inference", onBatched);
                for (const char *step : { "load_data", "load_model", "preprocess", "predict", "postprocess" })
                    run.step(step).end();
            }
            flushEvery(batched, i);
        }
    }),
        n, &batched);

    pc::ModuleMetrics::Options mo;
    mo.enabled = false;
    pc::ModuleMetrics metricsOff("bench", mo);
    row("op record, SDK off (timing and session statistics only)", perfdash::bench::medianSeconds([&] {
        for (int i = 0; i < n; ++i) {
            auto op = metricsOff.operation("predict");
            op.setItems(256);
        }
    }),
        n);

    mo.enabled = true;
    mo.records = &immediate;
    pc::ModuleMetrics metrics("bench", mo);
    row("op record, memory read from /proc/self/statm, one send()", perfdash::bench::medianSeconds([&] {
        for (int i = 0; i < n; ++i) {
            auto op = metrics.operation("predict");
            op.setItems(256);
        }
    }),
        n, &immediate);

    mo.measureMemory = false;
    pc::ModuleMetrics metricsNoMemory("bench", mo);
    row("op record, no memory read, one send()", perfdash::bench::medianSeconds([&] {
        for (int i = 0; i < n; ++i) {
            auto op = metricsNoMemory.operation("predict");
            op.setItems(256);
        }
    }),
        n, &immediate);

    mo.records = &batched;
    pc::ModuleMetrics metricsBatched("bench", mo);
    row("op record, no memory read, batched (flush per 256)", perfdash::bench::medianSeconds([&] {
        for (int i = 0; i < n; ++i) {
            {
                auto op = metricsBatched.operation("predict");
                op.setItems(256);
            }
            flushEvery(batched, i);
        }
    }),
        n, &batched);

    row("op record, failed, 12000-character error cut to 5000", perfdash::bench::medianSeconds([&] {
        const std::string error(12000, 'e');
        for (int i = 0; i < n / 10; ++i) {
            {
                auto op = metricsBatched.operation("predict");
                op.fail(error, "runtime");
            }
            flushEvery(batched, i);
        }
    }),
        n / 10, &batched);

    batched.flushFor(std::chrono::seconds(5));
    immediate.flushFor(std::chrono::seconds(5));
    std::printf("drained %llu bytes\n", static_cast<unsigned long long>(drain.m_bytes.load()));
    return 0;
}
