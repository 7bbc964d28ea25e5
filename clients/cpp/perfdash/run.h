// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// perfdash C++ client: Run times one workflow run and its steps, logs its start and execution time, and sends it as
// a `run` record (docs/protocol.md). Durations come from the monotonic clock; the end time is the start time plus
// the duration, so end - start is always the execution time. Never throws into the caller once constructed.
// A Run belongs to one thread.
//
//   perfdash::client::Run run("inference");          // logs "Inference workflow started at: 2024-05-01T12:00:00.000Z"
//   { auto s = run.step("load_data"); ... }            // a step lasts as long as its scope
//   const auto &record = run.finish();                 // logs "Inference execution time: 2.34 seconds", sends it

#include "perfdash/config.h"
#include "perfdash/format.h"
#include "perfdash/jsonline.h"
#include "perfdash/recordsclient.h"

#include <chrono>
#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace perfdash::client {

// Where time comes from: injectable, so tests can drive it.
struct Clock {
    static double systemWall()
    {
        return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    }
    static double steady()
    {
        return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    }
    double (*wallSeconds)() = &systemWall; // Unix seconds
    double (*monotonicSeconds)() = &steady; // any origin, never jumps
};

struct StepRecord {
    std::string name;
    double startTime = 0; // Unix seconds
    double elapsed = 0; // s
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

    // The `run` record, one line without its '\n'.
    std::string toJson(const Tags &tags = {}) const
    {
        std::string steps;
        steps.push_back('[');
        for (size_t i = 0; i < this->steps.size(); ++i) {
            if (i > 0)
                steps.push_back(',');
            steps.append("{\"name\":");
            JsonLine::appendEscaped(steps, sanitizeName(this->steps[i].name));
            steps.append(",\"start\":");
            JsonLine::appendNumber(steps, this->steps[i].startTime);
            steps.append(",\"elapsed_s\":");
            JsonLine::appendNumber(steps, this->steps[i].elapsed > 0 ? this->steps[i].elapsed : 0.0);
            steps.push_back('}');
        }
        steps.push_back(']');
        JsonLine line("run");
        line.field("workflow", sanitizeName(workflow))
            .field("start", startTime)
            .field("end", endTime)
            .field("execution_s", executionTime)
            .field("success", success);
        if (!this->steps.empty())
            line.raw("steps", steps);
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
        bool enabled = true; // and config().enabled
    };

    // A step: from step() to end() or the end of its scope. Movable, not copyable.
    class Step {
    public:
        Step(Step &&other) noexcept
            : m_run(std::exchange(other.m_run, nullptr))
            , m_name(std::move(other.m_name))
            , m_start(other.m_start)
        { }
        Step &operator=(Step &&) = delete;
        Step(const Step &) = delete;
        ~Step() { end(); }
        // Records the step now; later calls do nothing. Returns its duration in seconds.
        double end() noexcept
        {
            if (!m_run)
                return 0;
            Run *run = std::exchange(m_run, nullptr);
            const double elapsed = run->m_options.clock.monotonicSeconds() - m_start;
            run->addStepAt(std::move(m_name), m_start, elapsed);
            return elapsed;
        }

    private:
        friend class Run;
        Step(Run *run, std::string name, double start)
            : m_run(run)
            , m_name(std::move(name))
            , m_start(start)
        { }
        Run *m_run;
        std::string m_name;
        double m_start;
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
        m_steadyStart = m_options.clock.monotonicSeconds();
        m_record.startTime = m_options.clock.wallSeconds();
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
            if (std::uncaught_exceptions() > m_uncaught)
                m_record.success = false;
            finish();
        }
    }

    Step step(std::string name) { return Step(this, std::move(name), m_options.clock.monotonicSeconds()); }

    // A step timed elsewhere: its start in Unix seconds and its duration.
    void addStep(std::string name, double startUnix, double elapsedSeconds) noexcept
    {
        if (m_finished)
            return;
        if (m_record.steps.size() >= kMaxSteps) {
            ++m_droppedSteps;
            return;
        }
        try {
            m_record.steps.push_back({ std::move(name), startUnix, elapsedSeconds });
        } catch (...) {
            ++m_droppedSteps;
        }
    }

    void setSuccess(bool success) { m_record.success = success; }
    void fail() { m_record.success = false; }

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
    // Seconds since the run started (monotonic).
    double elapsed() const { return m_options.clock.monotonicSeconds() - m_steadyStart; }
    const PerformanceRecord &record() const { return m_record; }

private:
    void addStepAt(std::string name, double steadyStart, double elapsed) noexcept
    {
        addStep(std::move(name), m_record.startTime + (steadyStart - m_steadyStart), elapsed);
    }

    Options m_options;
    PerformanceRecord m_record;
    double m_steadyStart = 0;
    int m_uncaught = 0;
    size_t m_droppedSteps = 0;
    bool m_enabled = true;
    bool m_finished = false;
};

// Runs f(run) inside a Run and returns the performance record. If f throws, the run is sent as failed and the
// exception goes on to the caller.
template <typename F>
PerformanceRecord timeRun(std::string workflow, F &&f, Run::Options options = Run::Options {})
{
    Run run(std::move(workflow), std::move(options));
    try {
        f(run);
    } catch (...) {
        run.fail();
        run.finish();
        throw;
    }
    return run.finish();
}

} // namespace perfdash::client
