// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// perfdash C++ client: Run times one workflow run and its steps, logs its start and execution time, and sends it as
// a `run` record (docs/protocol.md) with a guid made with it, the process's resident memory when it ended, and its
// telemetry. Durations come from the monotonic clock; the end time is the start time plus the duration, so
// end - start is always the execution time. Never throws into the caller once constructed. A Run belongs to one
// thread.
//
// Telemetry: a Run takes the samples of every Sampler started on its thread that is running when the Run is made (a
// sampler's measure() around the runs, say), and of those given to attach(), such as a sampler started on another
// thread. Samples taken until the run finishes (also when it fails) are sent as the record's `telemetry`, at most
// 1024, thinned evenly when there are more (`telemetry_dropped` counts the rest). The sample type needs
// toTelemetry() (telemetry.h); a run shorter than the sampling interval may carry none. Options::telemetry = false
// takes none.
//
//   perfdash::client::Run run("inference");          // logs "Inference workflow started at: 2024-05-01T12:00:00.000Z"
//   { auto s = run.step("load_data"); ... }            // a step lasts as long as its scope; s.fail() marks it failed
//   run.setTenant("ml"); run.setRetries(2); run.setExecutionMode("sequential");
//   const auto &record = run.finish();                 // logs "Inference execution time: 2.34 seconds", sends it

#include "perfdash/clock.h"
#include "perfdash/config.h"
#include "perfdash/exceptioninfo.h"
#include "perfdash/format.h"
#include "perfdash/guid.h"
#include "perfdash/jsonline.h"
#include "perfdash/recordsclient.h"
#include "perfdash/residentmemory.h"
#include "perfdash/telemetry.h"

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace perfdash::client {

template <typename T>
class Sampler;

struct StepRecord {
    std::string name;
    double startTime = 0; // Unix seconds
    double elapsed = 0; // s
    bool success = true;
};

// What a finished run returns, with the field names of the seed's performance record.
struct PerformanceRecord {
    std::string workflow;
    double executionTime = 0; // s
    std::string executionTimeFormatted; // "2.34 seconds"
    double startTime = 0; // Unix seconds
    double endTime = 0;
    std::string startDatetime; // ISO 8601 UTC
    std::string endDatetime;
    bool success = true;
    std::vector<StepRecord> steps;
    std::string guid; // made with the Run; empty: none is sent
    std::string tenant;
    std::string executionMode; // "parallel", "sequential", …
    std::optional<uint64_t> retries; // attempts after the first
    std::optional<double> memoryMb; // resident memory when the run ended
    uint64_t stepsFailed = 0; // failed steps, those past the step limit included
    std::string error; // sent for a failed run
    std::string errorCategory;
    std::vector<std::string> telemetry; // the samples taken while it ran, each one JSON object, oldest first
    uint64_t telemetryDropped = 0; // samples taken but not in `telemetry`

    // The `run` record, one line without its '\n'. A line that would pass the protocol's 1 MiB sends fewer telemetry
    // entries (thinned evenly, counted in telemetry_dropped) rather than being skipped whole by the collector.
    std::string toJson(const Tags &tags = {}) const
    {
        std::string line = toJson(tags, telemetry, telemetryDropped);
        if (line.size() <= kMaxLineBytes || telemetry.empty())
            return line;
        std::vector<std::string> kept = telemetry;
        uint64_t dropped = telemetryDropped;
        size_t arrayBytes = 2 + kept.size() - 1;
        for (const std::string &e : kept)
            arrayBytes += e.size();
        const size_t excess = line.size() - kMaxLineBytes + 24; // room for a longer telemetry_dropped
        TelemetryList::fitInto(arrayBytes > excess ? arrayBytes - excess : 0, kept, dropped);
        return toJson(tags, kept, dropped);
    }

private:
    std::string toJson(const Tags &tags, const std::vector<std::string> &samples, uint64_t dropped) const
    {
        JsonLine line("run");
        if (!guid.empty())
            line.field("guid", guid);
        line.field("workflow", sanitizeName(workflow));
        if (!tenant.empty())
            line.field("tenant", sanitizeName(tenant));
        line.field("start", startTime)
            .field("end", endTime)
            .field("execution_s", executionTime)
            .field("success", success);
        if (!steps.empty() || stepsFailed > 0)
            line.field("steps_failed", jsonInteger(stepsFailed));
        if (memoryMb && *memoryMb >= 0)
            line.field("memory_mb", *memoryMb);
        if (retries)
            line.field("retries", jsonInteger(*retries));
        if (!executionMode.empty())
            line.field("execution_mode", sanitizeName(executionMode));
        if (!success && !error.empty())
            line.field("error", truncateError(error));
        if (!success && !errorCategory.empty())
            line.field("error_category", sanitizeName(errorCategory));
        if (!steps.empty()) {
            std::string array;
            array.push_back('[');
            for (size_t i = 0; i < steps.size(); ++i) {
                if (i > 0)
                    array.push_back(',');
                array.append("{\"name\":");
                JsonLine::appendEscaped(array, sanitizeName(steps[i].name));
                array.append(",\"start\":");
                JsonLine::appendNumber(array, steps[i].startTime);
                array.append(",\"elapsed_s\":");
                JsonLine::appendNumber(array, steps[i].elapsed > 0 ? steps[i].elapsed : 0.0);
                if (!steps[i].success)
                    array.append(",\"success\":false");
                array.push_back('}');
            }
            array.push_back(']');
            line.raw("steps", array);
        }
        if (!samples.empty()) {
            std::string array;
            array.push_back('[');
            for (size_t i = 0; i < samples.size(); ++i) {
                if (i > 0)
                    array.push_back(',');
                array.append(samples[i]);
            }
            array.push_back(']');
            line.raw("telemetry", array);
        }
        if (!samples.empty() || dropped > 0)
            line.field("telemetry_dropped", jsonInteger(dropped));
        line.tags(tags);
        return std::move(line).finish();
    }
};

class Run {
public:
    static constexpr size_t kMaxSteps = 1024; // the protocol's limit; later steps are counted, not kept

    struct Options {
        std::string label = "Inference"; // the log lines' first word: "<label> workflow started at: …"
        Tags tags; // sent with the record, e.g. {{"model", "m1"}}
        RecordsClient *records = nullptr; // nullptr: defaultRecords()
        Clock clock;
        bool log = true;
        bool telemetry = true; // take the samples of the samplers running on this thread (see above)
        bool measureMemory = true; // one read of /proc/self/statm when the run ends
        bool enabled = true; // and config().enabled
    };

    // A step: from step() to end() or the end of its scope. It failed if fail() was called or an exception leaves
    // its scope. Movable, not copyable.
    class Step {
    public:
        Step(Step &&other) noexcept
            : m_run(std::exchange(other.m_run, nullptr))
            , m_name(std::move(other.m_name))
            , m_start(other.m_start)
            , m_uncaught(other.m_uncaught)
            , m_success(other.m_success)
        { }
        Step &operator=(Step &&) = delete;
        Step(const Step &) = delete;
        ~Step() { end(); }
        void fail() { m_success = false; }
        void setSuccess(bool success) { m_success = success; }
        // Records the step now; later calls do nothing. Returns its duration in seconds.
        double end() noexcept
        {
            if (!m_run)
                return 0;
            Run *run = std::exchange(m_run, nullptr);
            const double elapsed = run->m_options.clock.monotonicSeconds() - m_start;
            if (std::uncaught_exceptions() > m_uncaught)
                m_success = false;
            run->addStepAt(std::move(m_name), m_start, elapsed, m_success);
            return elapsed;
        }

    private:
        friend class Run;
        Step(Run *run, std::string name, double start)
            : m_run(run)
            , m_name(std::move(name))
            , m_start(start)
            , m_uncaught(std::uncaught_exceptions())
        { }
        Run *m_run;
        std::string m_name;
        double m_start;
        int m_uncaught;
        bool m_success = true;
    };

    explicit Run(std::string workflow)
        : Run(std::move(workflow), Options {})
    { }
    Run(std::string workflow, Options options)
        : m_options(std::move(options))
        , m_uncaught(std::uncaught_exceptions())
    {
        m_enabled = m_options.enabled && config().enabled;
        m_record.workflow = std::move(workflow);
        m_record.guid = newGuid();
        m_steadyStart = m_options.clock.monotonicSeconds();
        m_record.startTime = m_options.clock.wallSeconds();
        if (m_enabled && m_options.telemetry) {
            try {
                for (const auto &feed : TelemetryFeed::runningOnThisThread())
                    subscribe(feed);
            } catch (...) {
            }
        }
        if (m_enabled && m_options.log) {
            try {
                m_record.startDatetime = isoUtc(m_record.startTime);
                log(LogLevel::Info, m_options.label + " workflow started at: " + m_record.startDatetime);
            } catch (...) {
            }
        }
    }
    Run(const Run &) = delete;
    Run &operator=(const Run &) = delete;
    // A run not finished by hand finishes here; it failed if an exception is leaving the scope.
    ~Run()
    {
        if (!m_finished) {
            if (std::uncaught_exceptions() > m_uncaught) {
                m_record.success = false;
                if (m_record.errorCategory.empty())
                    m_record.errorCategory = "exception";
            }
            finish();
        }
    }

    Step step(std::string name) { return Step(this, std::move(name), m_options.clock.monotonicSeconds()); }

    // A step timed elsewhere: its start in Unix seconds and its duration.
    void addStep(std::string name, double startUnix, double elapsedSeconds, bool success = true) noexcept
    {
        if (m_finished)
            return;
        if (!success)
            ++m_record.stepsFailed;
        if (m_record.steps.size() >= kMaxSteps) {
            ++m_droppedSteps;
            return;
        }
        try {
            m_record.steps.push_back({ std::move(name), startUnix, elapsedSeconds, success });
        } catch (...) {
            ++m_droppedSteps;
        }
    }

    // Also takes the samples of this sampler (one started on another thread, say) until the run finishes.
    template <typename T>
    void attach(const Sampler<T> &sampler)
    {
        static_assert(hasTelemetry<T>, "Run::attach: the sample type needs toTelemetry(const T &, TelemetryWriter &)");
        subscribe(sampler.telemetryFeed());
    }

    void setSuccess(bool success) { m_record.success = success; }
    // Marks the run failed; the message is cut at 5000 characters when the record is made.
    void fail(std::string error = {}, std::string category = {})
    {
        m_record.success = false;
        m_record.error = std::move(error);
        m_record.errorCategory = std::move(category);
    }
    void setTenant(std::string tenant) { m_record.tenant = std::move(tenant); }
    void setRetries(uint64_t retries) { m_record.retries = retries; }
    void setExecutionMode(std::string mode) { m_record.executionMode = std::move(mode); }

    // Ends the run: fills the record, logs the execution time, sends the `run` record. Later calls return the same
    // record.
    const PerformanceRecord &finish() noexcept
    {
        if (m_finished)
            return m_record;
        m_finished = true;
        const double elapsed = m_options.clock.monotonicSeconds() - m_steadyStart;
        m_record.executionTime = elapsed > 0 ? elapsed : 0;
        m_record.endTime = m_record.startTime + m_record.executionTime;
        try {
            if (m_telemetry) {
                TelemetryList::Taken taken = m_telemetry->take();
                m_record.telemetry = std::move(taken.entries);
                m_record.telemetryDropped = taken.dropped;
            }
            if (m_enabled && m_options.measureMemory) {
                if (const double mb = residentMemoryMb(); mb >= 0)
                    m_record.memoryMb = mb;
            }
            m_record.executionTimeFormatted = formatSeconds(m_record.executionTime);
            if (m_record.startDatetime.empty())
                m_record.startDatetime = isoUtc(m_record.startTime);
            m_record.endDatetime = isoUtc(m_record.endTime);
            if (m_enabled) {
                if (m_options.log)
                    log(LogLevel::Info, m_options.label + " execution time: " + m_record.executionTimeFormatted);
                RecordsClient &records = m_options.records ? *m_options.records : defaultRecords();
                records.send(m_record.toJson(m_options.tags));
            }
        } catch (...) {
        }
        return m_record;
    }

    bool finished() const { return m_finished; }
    bool enabled() const { return m_enabled; }
    size_t droppedSteps() const { return m_droppedSteps; }
    const std::string &guid() const { return m_record.guid; }
    // Seconds since the run started (monotonic).
    double elapsed() const { return m_options.clock.monotonicSeconds() - m_steadyStart; }
    const PerformanceRecord &record() const { return m_record; }

private:
    void addStepAt(std::string name, double steadyStart, double elapsed, bool success) noexcept
    {
        addStep(std::move(name), m_record.startTime + (steadyStart - m_steadyStart), elapsed, success);
    }

    void subscribe(const std::shared_ptr<TelemetryFeed> &feed) noexcept
    {
        if (m_finished || !m_enabled || !feed)
            return;
        try {
            if (!m_telemetry)
                m_telemetry = std::make_shared<TelemetryList>();
            feed->subscribe(m_telemetry);
        } catch (...) {
        }
    }

    Options m_options;
    PerformanceRecord m_record;
    std::shared_ptr<TelemetryList> m_telemetry; // null until a sampler feeds the run
    double m_steadyStart = 0;
    int m_uncaught = 0;
    size_t m_droppedSteps = 0;
    bool m_enabled = true;
    bool m_finished = false;
};

// Runs f(run) inside a Run and returns the performance record. If f throws, the run is sent as failed, with the
// exception's text and category (errorCategory()), and the exception goes on to the caller.
template <typename F>
PerformanceRecord timeRun(std::string workflow, F &&f, Run::Options options = Run::Options {})
{
    Run run(std::move(workflow), std::move(options));
    try {
        f(run);
    } catch (...) {
        const auto e = std::current_exception();
        try {
            run.fail(errorMessage(e), errorCategory(e));
        } catch (...) {
            run.fail();
        }
        run.finish();
        throw;
    }
    return run.finish();
}

} // namespace perfdash::client
