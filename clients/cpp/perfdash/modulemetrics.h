// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// perfdash C++ client: ModuleMetrics records a module's work and keeps the session's statistics of its operations
// in memory. Each piece of work is a scope (WorkScope) that times itself and sends one record when it ends:
// operation() an `op` record (with the process's resident memory, read once from /proc/self/statm), apiCall() an
// `api_call` (apicall.h) and notification() a `notification` (notification.h); include those headers to use them.
// Every record gets a random guid when its scope is made. Nothing here throws into the caller: a failure in metrics
// never fails the work. Each record's op_code is the module's name unless setOpCode gives another, so the tables
// tell modules apart; the name is also sent as tag "module". ModuleMetrics is thread-safe (one mutex around the
// statistics); a scope belongs to the thread that made it.
//
//   perfdash::client::ModuleMetrics metrics("importer");
//   {
//       auto op = metrics.operation("import");
//       op.setItems(rows.size());
//       if (!ok) op.fail("timeout after 3 retries", "network");
//   }                                               // the record is sent here
//   metrics.track("import", [&](auto &op) { ...; op.setItems(n); });   // an exception marks it failed, then goes on
//   std::cout << metrics.formatStats();

#include "perfdash/clock.h"
#include "perfdash/config.h"
#include "perfdash/exceptioninfo.h"
#include "perfdash/format.h"
#include "perfdash/guid.h"
#include "perfdash/jsonline.h"
#include "perfdash/recordsclient.h"
#include "perfdash/residentmemory.h"

#include <cstdint>
#include <cstdio>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace perfdash::client {

struct SessionStats {
    uint64_t operations = 0;
    uint64_t items = 0;
    double totalTime = 0; // s, summed over operations
    uint64_t errors = 0;
    double uptime = 0; // s since the ModuleMetrics was made

    double averageRate() const { return totalTime > 0 ? double(items) / totalTime : 0; } // items/s
    double errorRate() const { return operations ? double(errors) / double(operations) : 0; } // 0..1
};

class ModuleMetrics;
class ApiCall;
class Notification;

// What Operation, ApiCall and Notification share: one piece of a module's work, timed on the ModuleMetrics' monotonic
// clock from when it is made until end() or the end of its scope; a guid made with it (so a resend carries the same
// one); the module's name as op_code unless setOpCode() gives another; and an outcome. If an exception leaves the
// scope, it counts as failed (category "exception"). Movable, not copyable.
class WorkScope {
public:
    WorkScope(const WorkScope &) = delete;
    WorkScope &operator=(const WorkScope &) = delete;
    WorkScope &operator=(WorkScope &&) = delete;

    void setOpCode(std::string opCode) { m_opCode = std::move(opCode); }
    void setTenant(std::string tenant) { m_tenant = std::move(tenant); }
    void setSuccess(bool success) { m_success = success; }
    // Marks it failed; the message is cut at 5000 characters when the record is made.
    void fail(std::string message = {}, std::string category = {})
    {
        m_success = false;
        m_error = std::move(message);
        m_category = std::move(category);
    }
    const std::string &guid() const { return m_guid; }

protected:
    WorkScope(ModuleMetrics *metrics, std::string opCode, double start)
        : m_metrics(metrics)
        , m_start(start)
        , m_uncaught(std::uncaught_exceptions())
        , m_guid(newGuid())
        , m_opCode(std::move(opCode))
    { }
    WorkScope(WorkScope &&other) noexcept
        : m_metrics(std::exchange(other.m_metrics, nullptr))
        , m_start(other.m_start)
        , m_uncaught(other.m_uncaught)
        , m_success(other.m_success)
        , m_guid(std::move(other.m_guid))
        , m_opCode(std::move(other.m_opCode))
        , m_tenant(std::move(other.m_tenant))
        , m_error(std::move(other.m_error))
        , m_category(std::move(other.m_category))
    { }
    ~WorkScope() = default;

    // Ends the scope: its metrics and elapsed seconds, with an exception leaving the scope counted as a failure;
    // nullptr when it had ended already.
    ModuleMetrics *release(double &elapsed) noexcept;
    // "guid", "op_code" and "tenant", in the protocol's order.
    void identityFields(JsonLine &line) const
    {
        line.field("guid", m_guid);
        if (!m_opCode.empty())
            line.field("op_code", sanitizeName(m_opCode));
        if (!m_tenant.empty())
            line.field("tenant", sanitizeName(m_tenant));
    }
    // "success", then "error" and "error_category" of a failure.
    void outcomeFields(JsonLine &line, bool success) const
    {
        line.field("success", success);
        if (!success && !m_error.empty())
            line.field("error", truncateError(m_error));
        if (!success && !m_category.empty())
            line.field("error_category", sanitizeName(m_category));
    }

    ModuleMetrics *m_metrics;
    double m_start;
    int m_uncaught;
    std::optional<bool> m_success; // set by setSuccess(), fail() or an exception; else each scope's default
    std::string m_guid, m_opCode, m_tenant, m_error, m_category;
};

// One operation; sends its `op` record when end() is called or its scope ends. track() gives an exception's text
// and category.
class Operation : public WorkScope {
public:
    Operation(Operation &&other) noexcept
        : WorkScope(std::move(other))
        , m_items(other.m_items)
        , m_cacheHits(other.m_cacheHits)
        , m_apiCalls(other.m_apiCalls)
        , m_fileSizeMb(other.m_fileSizeMb)
        , m_name(std::move(other.m_name))
        , m_target(std::move(other.m_target))
    { }
    ~Operation() { end(); }

    void setItems(uint64_t items) { m_items = items; }
    void addItems(uint64_t items) { m_items = m_items.value_or(0) + items; }
    void setTarget(std::string target) { m_target = std::move(target); }
    void setFileSizeMb(double mb) { m_fileSizeMb = mb; }
    void setCacheHits(uint64_t n) { m_cacheHits = n; }
    void setApiCalls(uint64_t n) { m_apiCalls = n; }
    bool success() const { return m_success.value_or(true); }

    // Ends the operation and sends its record; later calls do nothing. Returns the elapsed seconds.
    double end() noexcept;

    // The record as it would be sent for the given time and memory; for tests and for callers that send elsewhere.
    std::string toJson(double endUnix, double elapsed, double memoryMb, const Tags &tags = {}) const;

private:
    friend class ModuleMetrics;
    Operation(ModuleMetrics *metrics, std::string name, std::string opCode, double start)
        : WorkScope(metrics, std::move(opCode), start)
        , m_name(std::move(name))
    { }

    std::optional<uint64_t> m_items;
    std::optional<uint64_t> m_cacheHits;
    std::optional<uint64_t> m_apiCalls;
    std::optional<double> m_fileSizeMb;
    std::string m_name, m_target;
};

class ModuleMetrics {
public:
    struct Options {
        Tags tags; // sent with every record; the module's name is added as tag "module" (it is the op_code too)
        RecordsClient *records = nullptr; // nullptr: defaultRecords()
        Clock clock;
        bool measureMemory = true; // one read of /proc/self/statm per operation
        bool enabled = true; // and config().enabled
    };

    explicit ModuleMetrics(std::string module)
        : ModuleMetrics(std::move(module), Options {})
    { }
    ModuleMetrics(std::string module, Options options)
        : m_module(std::move(module))
        , m_options(std::move(options))
    {
        m_options.tags.emplace("module", m_module);
        m_enabled = m_options.enabled && config().enabled;
        m_startSteady = m_options.clock.monotonicSeconds();
    }
    ModuleMetrics(const ModuleMetrics &) = delete;
    ModuleMetrics &operator=(const ModuleMetrics &) = delete;

    // The operation's op_code is the module's name until setOpCode() gives another.
    Operation operation(std::string name) { return Operation(this, std::move(name), m_module, now()); }
    // One call to an external API, e.g. apiCall("POST", "/v1/charge") (apicall.h).
    ApiCall apiCall(std::string method, std::string endpoint);
    // One notification sent on a channel, e.g. notification("email") (notification.h).
    Notification notification(std::string channel);

    // Runs f(op) as one operation and returns what f returns. An exception from f marks the operation failed, with
    // its text and category (errorCategory()), and then goes on to the caller.
    template <typename F>
    decltype(auto) track(std::string name, F &&f)
    {
        Operation op = operation(std::move(name));
        try {
            return f(op);
        } catch (...) {
            const auto e = std::current_exception();
            try {
                op.fail(errorMessage(e), errorCategory(e));
            } catch (...) {
            }
            op.end();
            throw;
        }
    }

    SessionStats stats() const
    {
        std::lock_guard lock(m_mutex);
        SessionStats s = m_stats;
        s.uptime = now() - m_startSteady;
        return s;
    }

    // A few aligned lines for a terminal or a log.
    std::string formatStats() const
    {
        const SessionStats s = stats();
        std::string out;
        out.append("Session statistics (").append(m_module).append(")\n");
        out.append("  operations:   ").append(std::to_string(s.operations)).append("\n");
        out.append("  items:        ").append(std::to_string(s.items)).append("\n");
        out.append("  total time:   ").append(formatSeconds(s.totalTime)).append("\n");
        out.append("  average rate: ").append(formatFixed(s.averageRate(), 2)).append(" items/s\n");
        out.append("  errors:       ")
            .append(std::to_string(s.errors))
            .append(" (")
            .append(formatFixed(s.errorRate() * 100.0, 1))
            .append("%)\n");
        out.append("  uptime:       ").append(formatSeconds(s.uptime)).append("\n");
        return out;
    }
    void printStats() const
    {
        const std::string text = formatStats();
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
    }

    const std::string &module() const { return m_module; }
    bool enabled() const { return m_enabled; }
    const Options &options() const { return m_options; }

private:
    friend class WorkScope;
    friend class Operation;
    friend class ApiCall;
    friend class Notification;
    double now() const { return m_options.clock.monotonicSeconds(); }

    void finished(const Operation &op, double elapsed) noexcept
    {
        {
            std::lock_guard lock(m_mutex);
            ++m_stats.operations;
            m_stats.items += op.m_items.value_or(0);
            m_stats.totalTime += elapsed;
            m_stats.errors += op.success() ? 0 : 1;
        }
        send([&] {
            const double memory = m_options.measureMemory ? residentMemoryMb() : -1;
            return op.toJson(m_options.clock.wallSeconds(), elapsed, memory, m_options.tags);
        });
    }

    // Sends an ApiCall's or a Notification's record, stamped now.
    template <typename Scope>
    void sendScope(const Scope &scope, double elapsed) noexcept
    {
        send([&] { return scope.toJson(m_options.clock.wallSeconds(), elapsed, m_options.tags); });
    }

    // Sends the line makeLine() returns, unless the metrics are off; a failure costs the record only.
    template <typename MakeLine>
    void send(MakeLine &&makeLine) noexcept
    {
        if (!m_enabled)
            return;
        try {
            RecordsClient &records = m_options.records ? *m_options.records : defaultRecords();
            records.send(makeLine());
        } catch (...) {
        }
    }

    std::string m_module;
    Options m_options;
    bool m_enabled = true;
    double m_startSteady = 0;
    mutable std::mutex m_mutex;
    SessionStats m_stats;
};

inline ModuleMetrics *WorkScope::release(double &elapsed) noexcept
{
    if (!m_metrics)
        return nullptr;
    ModuleMetrics *metrics = std::exchange(m_metrics, nullptr);
    elapsed = metrics->now() - m_start;
    if (!(elapsed > 0))
        elapsed = 0;
    if (m_success != false && std::uncaught_exceptions() > m_uncaught) {
        m_success = false;
        if (m_category.empty())
            m_category = "exception";
    }
    return metrics;
}

inline double Operation::end() noexcept
{
    double elapsed = 0;
    if (ModuleMetrics *metrics = release(elapsed))
        metrics->finished(*this, elapsed);
    return elapsed;
}

inline std::string Operation::toJson(double endUnix, double elapsed, double memoryMb, const Tags &tags) const
{
    JsonLine line("op");
    line.field("ts", endUnix);
    identityFields(line);
    line.field("name", sanitizeName(m_name));
    if (!m_target.empty())
        line.field("target", sanitizeText(m_target));
    if (m_items)
        line.field("items", jsonInteger(*m_items));
    line.field("elapsed_s", elapsed);
    if (m_items && elapsed > 0)
        line.field("items_per_s", double(*m_items) / elapsed);
    if (memoryMb >= 0)
        line.field("memory_mb", memoryMb);
    if (m_fileSizeMb && *m_fileSizeMb >= 0)
        line.field("file_size_mb", *m_fileSizeMb);
    if (m_cacheHits)
        line.field("cache_hits", jsonInteger(*m_cacheHits));
    if (m_apiCalls)
        line.field("api_calls", jsonInteger(*m_apiCalls));
    outcomeFields(line, success());
    line.tags(tags);
    return std::move(line).finish();
}

} // namespace perfdash::client
