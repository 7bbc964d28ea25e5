// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// perfdash C++ client: Sampler calls a sample function on its own thread, the first time at once and then every
// interval, and keeps the samples (bounded), each with when it was taken: Unix seconds and ISO 8601 local time with
// the UTC offset (Entry). stop() waits at most the stop timeout; a sample function that hangs past it is left to
// finish on its detached thread, which owns everything it touches. Once stop() has given up on it, that thread sends
// nothing more: no series, no records, no samples to runs, and no onSample call, so the caller may destroy the
// RecordsClient then. measure(f) samples while f runs and stops even when f throws, so the samples are kept. A
// sample function that throws costs that sample only.
// When T has toTelemetry() (telemetry.h), the samples also go to the Runs that take them: every Run made on the
// thread that started the sampler while it runs, and any Run that attach()es it. With SamplerOptions::series, each
// numeric member of every sample is also sent as a `metric` gauge (docs/protocol.md, "Custom samples as series").
// ProcessSampler samples this process from /proc (CPU %, RSS, VMS, threads) and sends `sample` records.
// start(), stop() and the accessors may be called from any thread.
//
//   perfdash::client::ProcessSampler sampler;                  // every second, to defaultRecords()
//   sampler.measure([&] { runPipeline(); });                   // the runs made in runPipeline() carry its samples
//
//   struct Loss { double train, val; };                        // a sample of one's own, next to its toTelemetry()
//   void toTelemetry(const Loss &l, TelemetryWriter &out) { out.add("train", l.train); out.add("val", l.val); }
//   SamplerOptions o;
//   o.series = "loss";                                         // also sent as the gauges loss.train and loss.val
//   Sampler<Loss> losses([&] { return currentLoss(); }, o);

#include "perfdash/clock.h"
#include "perfdash/config.h"
#include "perfdash/format.h"
#include "perfdash/jsonline.h"
#include "perfdash/recordsclient.h"
#include "perfdash/telemetry.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace perfdash::client {

struct SamplerOptions {
    std::chrono::milliseconds interval { 1000 };
    std::chrono::milliseconds stopTimeout { 2000 };
    size_t maxSamples = 100000; // later samples are counted as dropped, not kept
    // Custom samples as series: each numeric (or boolean, as 0/1) member of every sample is sent as a `metric` gauge
    // named "<series>.<member>", with the sample's ts and `tags`. Empty: none are sent. Needs toTelemetry() for T.
    std::string series;
    Tags tags;
    RecordsClient *records = nullptr; // where the series go; nullptr: defaultRecords()
    Clock clock; // the samples' ts and timestamp
};

template <typename T>
class Sampler {
public:
    using SampleFunction = std::function<T()>;

    // One kept sample and when it was taken (when the sample function returned).
    struct Entry {
        double ts = 0; // Unix seconds
        std::string timestamp; // the same instant as ISO 8601 local time with its UTC offset (isoLocal)
        T value;
    };

    explicit Sampler(SampleFunction sample, SamplerOptions options = SamplerOptions {})
        : m_state(std::make_shared<State>())
        , m_options(std::move(options))
        , m_feed(std::make_shared<TelemetryFeed>())
    {
        m_state->sample = std::move(sample);
        m_state->maxSamples = m_options.maxSamples;
        m_state->clock = m_options.clock;
        m_state->feed = m_feed;
        if (m_options.interval.count() <= 0)
            m_options.interval = std::chrono::milliseconds(1);
        if (!m_options.series.empty() && config().enabled) {
            if constexpr (hasTelemetry<T>) {
                m_state->series = m_options.series;
                m_state->tags = m_options.tags;
                m_state->seriesRecords = m_options.records ? m_options.records : &defaultRecords();
            } else {
                log(LogLevel::Warning,
                    "sampler: series needs toTelemetry(const T &, TelemetryWriter &) for the sample type; no "
                    "series are sent");
            }
        }
    }
    ~Sampler() { stop(); }
    Sampler(const Sampler &) = delete;
    Sampler &operator=(const Sampler &) = delete;

    // Called on the sampler's thread after each sample is taken (e.g. to send it). Set it before start(). It is not
    // called once stop() has given up on the thread (one already under way finishes there).
    void setOnSample(std::function<void(const T &)> onSample) { m_state->onSample = std::move(onSample); }

    // Starts the thread, which samples at once. Returns false if it runs already or cannot start. Runs made on the
    // calling thread from now until stop() take the samples (when T has toTelemetry()).
    bool start() noexcept
    {
        std::lock_guard control(m_control);
        if (m_thread.joinable())
            return false;
        {
            std::lock_guard lock(m_state->mutex);
            m_state->stop = false;
            m_state->done = false;
            m_state->sampleNow = false;
        }
        try {
            m_thread = std::thread(&Sampler::loop, m_state, m_options.interval);
        } catch (...) {
            return false;
        }
        if constexpr (hasTelemetry<T>) {
            try {
                TelemetryFeed::markStarted(m_feed);
            } catch (...) {
            }
        }
        return true;
    }

    // Asks the thread to stop and waits up to the stop timeout. Returns true when it ended in time (or was not
    // running); false when it had to be left behind.
    bool stop() noexcept
    {
        std::lock_guard control(m_control);
        if (!m_thread.joinable())
            return true;
        m_feed->markStopped();
        bool ended = false;
        {
            std::unique_lock lock(m_state->mutex);
            m_state->stop = true;
            m_state->wake.notify_all();
            ended = m_state->doneCv.wait_for(lock, m_options.stopTimeout, [&] { return m_state->done; });
            // Set before the lock is let go: the thread sends only while holding it, so once this returns it never
            // touches seriesRecords or sampleRecords again.
            if (!ended)
                m_state->leftBehind = true;
        }
        if (ended) {
            m_thread.join();
        } else {
            m_thread.detach();
            // The thread left behind keeps the old state (stop stays set); a later start() gets a state of its own.
            auto fresh = std::make_shared<State>();
            {
                std::lock_guard lock(m_state->mutex);
                fresh->sample = m_state->sample;
                fresh->onSample = m_state->onSample;
                fresh->clock = m_state->clock;
                fresh->feed = m_state->feed;
                fresh->series = m_state->series;
                fresh->tags = m_state->tags;
                fresh->seriesRecords = m_state->seriesRecords;
                fresh->sampleRecords = m_state->sampleRecords;
                fresh->toRecord = m_state->toRecord;
                fresh->entries = m_state->entries;
                fresh->maxSamples = m_state->maxSamples;
                fresh->errors = m_state->errors;
                fresh->dropped = m_state->dropped;
            }
            m_state = std::move(fresh);
            log(LogLevel::Warning,
                "sampler: the sample function did not return within the stop timeout; its "
                "thread is left to finish on its own");
        }
        return ended;
    }

    bool running() const
    {
        std::lock_guard control(m_control);
        return m_thread.joinable();
    }

    // Asks the running thread for a sample at once (the interval then counts from it); does nothing when stopped.
    void sampleNow()
    {
        const auto state = currentState();
        std::lock_guard lock(state->mutex);
        if (state->stop)
            return;
        state->sampleNow = true;
        state->wake.notify_all();
    }

    // Runs f while sampling and returns what it returns. The sampler stops when f returns or throws.
    template <typename F>
    decltype(auto) measure(F &&f)
    {
        struct Stopper {
            Sampler *sampler;
            ~Stopper() { sampler->stop(); }
        };
        start();
        Stopper stopper { this };
        return f();
    }

    // The samples kept, oldest first, with when each was taken.
    std::vector<Entry> entries() const
    {
        const auto state = currentState();
        std::lock_guard lock(state->mutex);
        return state->entries;
    }
    // The values of entries().
    std::vector<T> samples() const
    {
        const auto state = currentState();
        std::lock_guard lock(state->mutex);
        std::vector<T> out;
        out.reserve(state->entries.size());
        for (const Entry &e : state->entries)
            out.push_back(e.value);
        return out;
    }
    size_t sampleCount() const
    {
        const auto state = currentState();
        std::lock_guard lock(state->mutex);
        return state->entries.size();
    }
    uint64_t sampleErrors() const
    {
        const auto state = currentState();
        std::lock_guard lock(state->mutex);
        return state->errors;
    }
    uint64_t droppedSamples() const
    {
        const auto state = currentState();
        std::lock_guard lock(state->mutex);
        return state->dropped;
    }
    void setMaxSamples(size_t n)
    {
        const auto state = currentState();
        std::lock_guard lock(state->mutex);
        state->maxSamples = n;
    }

    // Where the samples go to runs (Run::attach() subscribes to it).
    const std::shared_ptr<TelemetryFeed> &telemetryFeed() const { return m_feed; }

protected:
    // Sends toRecord(sample) to records after each sample, under the same guard as the series (ProcessSampler's
    // `sample` records). Set it before start().
    void setSampleRecord(RecordsClient *records, std::function<std::string(const T &)> toRecord)
    {
        m_state->sampleRecords = records;
        m_state->toRecord = std::move(toRecord);
    }

private:
    // Shared with the thread, so a thread left behind by stop() never touches a destroyed Sampler. The members from
    // `sample` to `toRecord` are set before the thread starts and only read after. The thread uses the two
    // RecordsClient pointers, the caller's objects, only while holding `mutex` and only while leftBehind is unset.
    struct State {
        std::mutex mutex;
        std::condition_variable wake;
        std::condition_variable doneCv;
        bool stop = false;
        bool done = false;
        bool sampleNow = false;
        bool leftBehind = false; // stop() gave up waiting for the thread: it sends nothing more
        SampleFunction sample;
        std::function<void(const T &)> onSample;
        Clock clock;
        std::shared_ptr<TelemetryFeed> feed;
        std::string series;
        Tags tags;
        RecordsClient *seriesRecords = nullptr; // null: no series are sent
        RecordsClient *sampleRecords = nullptr; // null: no records are sent
        std::function<std::string(const T &)> toRecord;
        std::vector<Entry> entries;
        size_t maxSamples = 100000;
        uint64_t errors = 0;
        uint64_t dropped = 0;
    };

    // stop() may swap the state (after leaving a thread behind); it holds m_control while it does.
    std::shared_ptr<State> currentState() const
    {
        std::lock_guard control(m_control);
        return m_state;
    }

    // What one sample sends: its entry for the runs that take it, its series and its record.
    struct Outgoing {
        std::string telemetry; // empty: no run takes it
        std::vector<std::string> series;
        std::string record; // empty: none
    };

    // Made without the lock: toTelemetry() is the user's code, which must not hold up the accessors or stop().
    static Outgoing prepare(const State &state, const Entry &entry)
    {
        Outgoing out;
        if constexpr (hasTelemetry<T>) {
            const bool toRuns = state.feed->hasSubscribers();
            if (toRuns || state.seriesRecords) {
                TelemetryWriter writer;
                toTelemetry(entry.value, writer);
                if (toRuns)
                    out.telemetry = writer.entry(entry.ts, entry.timestamp);
                if (state.seriesRecords) {
                    for (const auto &[member, value] : writer.numbers()) {
                        JsonLine line("metric");
                        line.field("ts", entry.ts)
                            .field("name", sanitizeName(state.series + "." + member))
                            .field("kind", "gauge")
                            .field("value", value)
                            .tags(state.tags);
                        out.series.push_back(std::move(line).finish());
                    }
                }
            }
        }
        if (state.sampleRecords && state.toRecord)
            out.record = state.toRecord(entry.value);
        return out;
    }

    // Called with state.mutex held and leftBehind unset, so stop() cannot return (and the caller cannot destroy the
    // RecordsClients) while it sends. Before the sample is kept, so that a caller who waits for sampleCount() sees
    // its runs served too.
    static void publish(State &state, const Outgoing &out)
    {
        if (!out.telemetry.empty())
            state.feed->deliver(out.telemetry);
        for (const std::string &line : out.series)
            state.seriesRecords->send(line);
        if (!out.record.empty())
            state.sampleRecords->send(out.record);
    }

    static void loop(std::shared_ptr<State> state, std::chrono::milliseconds interval)
    {
        using Steady = std::chrono::steady_clock;
        auto next = Steady::now();
        while (true) {
            try {
                T value = state->sample();
                const double ts = state->clock.wallSeconds();
                Entry entry { ts, isoLocal(ts), std::move(value) };
                const Outgoing out = prepare(*state, entry);
                bool callOnSample = false;
                {
                    std::lock_guard lock(state->mutex);
                    if (!state->leftBehind) {
                        publish(*state, out);
                        callOnSample = bool(state->onSample);
                    }
                }
                if (callOnSample)
                    state->onSample(entry.value);
                std::lock_guard lock(state->mutex);
                if (state->entries.size() < state->maxSamples)
                    state->entries.push_back(std::move(entry));
                else
                    ++state->dropped;
            } catch (...) {
                std::lock_guard lock(state->mutex);
                ++state->errors;
            }
            std::unique_lock lock(state->mutex);
            if (state->stop)
                break;
            if (state->sampleNow) {
                state->sampleNow = false;
                next = Steady::now();
                continue;
            }
            next += interval;
            const auto now = Steady::now();
            if (next < now)
                next = now; // a slow sample shifts the schedule instead of bursting to catch up
            if (state->wake.wait_until(lock, next, [&] { return state->stop || state->sampleNow; })) {
                if (state->stop)
                    break;
                state->sampleNow = false;
                next = Steady::now();
            }
        }
        std::lock_guard lock(state->mutex);
        state->done = true;
        state->doneCv.notify_all();
    }

    std::shared_ptr<State> m_state;
    SamplerOptions m_options;
    std::shared_ptr<TelemetryFeed> m_feed;
    mutable std::mutex m_control;
    std::thread m_thread;
};

// One resource sample of a process, as in the `sample` record.
struct ProcessSample {
    double time = 0; // Unix seconds
    int pid = 0;
    double cpuPercent = 0; // % of one core since the previous sample (the first: since the process started)
    double rssMb = 0;
    double vmsMb = 0;
    int threads = 0;

    std::string toJson(const Tags &tags = {}) const
    {
        JsonLine line("sample");
        line.field("ts", time)
            .field("pid", int64_t(pid))
            .field("cpu_percent", cpuPercent >= 0 ? cpuPercent : 0.0)
            .field("rss_mb", rssMb)
            .field("vms_mb", vmsMb)
            .field("threads", int64_t(threads));
        line.tags(tags);
        return std::move(line).finish();
    }
};

// A process sample in a run's telemetry: rss_mb, vms_mb, cpu_percent, threads.
inline void toTelemetry(const ProcessSample &s, TelemetryWriter &out)
{
    out.add("rss_mb", s.rssMb);
    out.add("vms_mb", s.vmsMb);
    out.add("cpu_percent", s.cpuPercent >= 0 ? s.cpuPercent : 0.0);
    out.add("threads", s.threads);
}

// Reads /proc/<pid>/stat; keeps the previous CPU time to turn it into a percentage. Not thread-safe: one per sampler.
class ProcessReader {
public:
    explicit ProcessReader(int pid = 0)
        : m_pid(pid > 0 ? pid : int(::getpid()))
    { }

    // Throws std::runtime_error when /proc cannot be read (the Sampler counts it as a sample error).
    ProcessSample read()
    {
        const std::string stat = slurp("/proc/" + std::to_string(m_pid) + "/stat");
        const auto paren = stat.rfind(')');
        if (paren == std::string::npos)
            throw std::runtime_error("perfdash: unreadable /proc stat");
        // Fields after "(comm) ", from field 3 (state): utime 14, stime 15, threads 20, starttime 22, vsize 23, rss 24.
        uint64_t f[22] = {};
        const char *p = stat.data() + paren + 2, *end = stat.data() + stat.size();
        for (int i = 0; i < 22 && p < end; ++i) {
            if (i > 0)
                std::from_chars(p, end, f[i]);
            while (p < end && *p != ' ')
                ++p;
            ++p;
        }
        static const double hz = double(::sysconf(_SC_CLK_TCK) > 0 ? ::sysconf(_SC_CLK_TCK) : 100);
        static const double pageSize = double(::sysconf(_SC_PAGESIZE) > 0 ? ::sysconf(_SC_PAGESIZE) : 4096);
        const double cpuSeconds = double(f[11] + f[12]) / hz;
        const double now = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
        ProcessSample s;
        s.time = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
        s.pid = m_pid;
        s.threads = int(f[17]);
        s.vmsMb = double(f[20]) / (1024.0 * 1024.0);
        s.rssMb = double(f[21]) * pageSize / (1024.0 * 1024.0);
        if (m_previousWall > 0 && now > m_previousWall) {
            s.cpuPercent = 100.0 * (cpuSeconds - m_previousCpu) / (now - m_previousWall);
        } else {
            // The first sample: the average since the process started (/proc/uptime and starttime, in ticks).
            double uptime = 0;
            const std::string up = slurp("/proc/uptime");
            std::from_chars(up.data(), up.data() + up.size(), uptime);
            const double age = uptime - double(f[19]) / hz;
            s.cpuPercent = age > 0 ? 100.0 * cpuSeconds / age : 0;
        }
        m_previousCpu = cpuSeconds;
        m_previousWall = now;
        return s;
    }

private:
    static std::string slurp(const std::string &path)
    {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            throw std::runtime_error("perfdash: cannot open " + path);
        std::string out(1024, '\0');
        const ssize_t n = ::read(fd, out.data(), out.size());
        ::close(fd);
        if (n <= 0)
            throw std::runtime_error("perfdash: cannot read " + path);
        out.resize(size_t(n));
        return out;
    }

    int m_pid;
    double m_previousCpu = 0;
    double m_previousWall = 0;
};

// Samples this process (or pid) every interval and sends each sample as a `sample` record.
class ProcessSampler : public Sampler<ProcessSample> {
public:
    struct Options {
        SamplerOptions sampler; // its records and tags default to the ones below
        RecordsClient *records = nullptr; // nullptr: defaultRecords()
        Tags tags;
        int pid = 0; // 0: this process
        bool send = true; // and config().enabled
    };

    ProcessSampler()
        : ProcessSampler(Options {})
    { }
    explicit ProcessSampler(const Options &options)
        : Sampler<ProcessSample>(
            [reader = std::make_shared<ProcessReader>(options.pid)] { return reader->read(); }, samplerOptions(options))
    {
        if (options.send && config().enabled) {
            setSampleRecord(options.records ? options.records : &defaultRecords(),
                [tags = options.tags](const ProcessSample &s) { return s.toJson(tags); });
        }
    }

private:
    static SamplerOptions samplerOptions(const Options &options)
    {
        SamplerOptions o = options.sampler;
        if (!o.records)
            o.records = options.records;
        if (o.tags.empty())
            o.tags = options.tags;
        return o;
    }
};

} // namespace perfdash::client
