// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// perfdash C++ client: ModuleMetrics records operations (`op` records, docs/protocol.md) and keeps the session's
// statistics in memory. An Operation is a scope: it times itself, reads the process's resident memory once when it
// ends (/proc/self/statm), and sends one record. Nothing here throws into the caller: a failure in metrics never
// fails the operation. Each record's op_code is the module's name unless Operation::setOpCode gives another, so the
// operations table tells modules apart; the name is also sent as tag "module". ModuleMetrics is thread-safe (one
// mutex around the statistics); an Operation belongs to the thread that made it.
//
//   perfdash::client::ModuleMetrics metrics("importer");
//   {
//       auto op = metrics.operation("import");
//       op.setItems(rows.size());
//       if (!ok) op.fail("timeout after 3 retries", "network");
//   }                                               // the record is sent here
//   metrics.track("import", [&](auto &op) { ...; op.setItems(n); });   // an exception marks it failed, then goes on
//   std::cout << metrics.formatStats();

#include "perfdash/config.h"
#include "perfdash/format.h"
#include "perfdash/jsonline.h"
#include "perfdash/recordsclient.h"
#include "perfdash/run.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace perfdash::client {

// Resident memory of this process in MB (MiB), from /proc/self/statm; -1 when it cannot be read. The file stays
// open, so a reading is one pread (a third of open/read/close); it is reopened after a fork, since the open file
// would still describe the parent.
inline double residentMemoryMb() noexcept
{
    static std::mutex mutex;
    static int fd = -1;
    static pid_t owner = 0;
    char buf[128];
    ssize_t n = -1;
    {
        std::lock_guard lock(mutex);
        const pid_t pid = ::getpid();
        if (fd < 0 || owner != pid) {
            if (fd >= 0)
                ::close(fd);
            fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
            owner = pid;
        }
        if (fd >= 0)
            n = ::pread(fd, buf, sizeof(buf) - 1, 0);
    }
    if (n <= 0)
        return -1;
    // "size resident shared text lib data dt", in pages.
    const char *p = buf, *end = buf + n;
    while (p < end && *p != ' ')
        ++p;
    uint64_t pages = 0;
    const auto [next, ec] = std::from_chars(p + 1 < end ? p + 1 : end, end, pages);
    if (ec != std::errc() || next == p + 1)
        return -1;
    static const long pageSize = ::sysconf(_SC_PAGESIZE);
    return double(pages) * double(pageSize > 0 ? pageSize : 4096) / (1024.0 * 1024.0);
}

// The category of a caught exception, for `error_category`.
inline std::string errorCategory(const std::exception_ptr &e)
{
    try {
        std::rethrow_exception(e);
    } catch (const std::bad_alloc &) {
        return "memory";
    } catch (const std::system_error &) {
        return "system";
    } catch (const std::invalid_argument &) {
        return "validation";
    } catch (const std::domain_error &) {
        return "validation";
    } catch (const std::out_of_range &) {
        return "validation";
    } catch (const std::length_error &) {
        return "validation";
    } catch (const std::runtime_error &) {
        return "runtime";
    } catch (const std::exception &) {
        return "exception";
    } catch (...) {
        return "unknown";
    }
}

inline std::string errorMessage(const std::exception_ptr &e)
{
    try {
        std::rethrow_exception(e);
    } catch (const std::exception &x) {
        return x.what();
    } catch (...) {
        return "unknown exception";
    }
}

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

// One operation; sends its `op` record when end() is called or its scope ends. If an exception leaves the scope,
// the operation counts as failed (category "exception"); track() gives the exception's text and category instead.
class Operation {
public:
    Operation(Operation &&other) noexcept;
    Operation &operator=(Operation &&) = delete;
    Operation(const Operation &) = delete;
    ~Operation() { end(); }

    void setItems(uint64_t items) { m_items = items; }
    void addItems(uint64_t items) { m_items = m_items.value_or(0) + items; }
    void setTarget(std::string target) { m_target = std::move(target); }
    void setOpCode(std::string opCode) { m_opCode = std::move(opCode); }
    void setTenant(std::string tenant) { m_tenant = std::move(tenant); }
    void setFileSizeMb(double mb) { m_fileSizeMb = mb; }
    void setCacheHits(uint64_t n) { m_cacheHits = n; }
    void setApiCalls(uint64_t n) { m_apiCalls = n; }
    // Marks the operation failed; the message is cut at 5000 characters when the record is made.
    void fail(std::string message = {}, std::string category = {})
    {
        m_success = false;
        m_error = std::move(message);
        m_category = std::move(category);
    }
    bool success() const { return m_success; }

    // Ends the operation and sends its record; later calls do nothing. Returns the elapsed seconds.
    double end() noexcept;

    // The record as it would be sent for the given time and memory; for tests and for callers that send elsewhere.
    std::string toJson(double endUnix, double elapsed, double memoryMb, const Tags &tags = {}) const;

private:
    friend class ModuleMetrics;
    Operation(ModuleMetrics *metrics, std::string name, std::string opCode, double start)
        : m_metrics(metrics)
        , m_name(std::move(name))
        , m_start(start)
        , m_uncaught(std::uncaught_exceptions())
        , m_opCode(std::move(opCode))
    { }

    ModuleMetrics *m_metrics;
    std::string m_name;
    double m_start;
    int m_uncaught;
    bool m_success = true;
    std::optional<uint64_t> m_items;
    std::optional<uint64_t> m_cacheHits;
    std::optional<uint64_t> m_apiCalls;
    std::optional<double> m_fileSizeMb;
    std::string m_target, m_opCode, m_tenant, m_error, m_category;
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
    friend class Operation;
    double now() const { return m_options.clock.monotonicSeconds(); }

    void finished(const Operation &op, double elapsed) noexcept
    {
        {
            std::lock_guard lock(m_mutex);
            ++m_stats.operations;
            m_stats.items += op.m_items.value_or(0);
            m_stats.totalTime += elapsed;
            m_stats.errors += op.m_success ? 0 : 1;
        }
        if (!m_enabled)
            return;
        try {
            const double memory = m_options.measureMemory ? residentMemoryMb() : -1;
            RecordsClient &records = m_options.records ? *m_options.records : defaultRecords();
            records.send(op.toJson(m_options.clock.wallSeconds(), elapsed, memory, m_options.tags));
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

inline Operation::Operation(Operation &&other) noexcept
    : m_metrics(std::exchange(other.m_metrics, nullptr))
    , m_name(std::move(other.m_name))
    , m_start(other.m_start)
    , m_uncaught(other.m_uncaught)
    , m_success(other.m_success)
    , m_items(other.m_items)
    , m_cacheHits(other.m_cacheHits)
    , m_apiCalls(other.m_apiCalls)
    , m_fileSizeMb(other.m_fileSizeMb)
    , m_target(std::move(other.m_target))
    , m_opCode(std::move(other.m_opCode))
    , m_tenant(std::move(other.m_tenant))
    , m_error(std::move(other.m_error))
    , m_category(std::move(other.m_category))
{ }

inline double Operation::end() noexcept
{
    if (!m_metrics)
        return 0;
    ModuleMetrics *metrics = std::exchange(m_metrics, nullptr);
    double elapsed = metrics->now() - m_start;
    if (!(elapsed > 0))
        elapsed = 0;
    if (m_success && std::uncaught_exceptions() > m_uncaught) {
        m_success = false;
        if (m_category.empty())
            m_category = "exception";
    }
    metrics->finished(*this, elapsed);
    return elapsed;
}

inline std::string Operation::toJson(double endUnix, double elapsed, double memoryMb, const Tags &tags) const
{
    JsonLine line("op");
    line.field("ts", endUnix).field("name", sanitizeName(m_name));
    if (!m_opCode.empty())
        line.field("op_code", sanitizeName(m_opCode));
    if (!m_tenant.empty())
        line.field("tenant", sanitizeName(m_tenant));
    if (!m_target.empty())
        line.field("target", sanitizeText(m_target));
    if (m_items)
        line.field("items", int64_t(std::min<uint64_t>(*m_items, uint64_t(1) << 53)));
    line.field("elapsed_s", elapsed);
    if (m_items && elapsed > 0)
        line.field("items_per_s", double(*m_items) / elapsed);
    if (memoryMb >= 0)
        line.field("memory_mb", memoryMb);
    if (m_fileSizeMb && *m_fileSizeMb >= 0)
        line.field("file_size_mb", *m_fileSizeMb);
    if (m_cacheHits)
        line.field("cache_hits", int64_t(std::min<uint64_t>(*m_cacheHits, uint64_t(1) << 53)));
    if (m_apiCalls)
        line.field("api_calls", int64_t(std::min<uint64_t>(*m_apiCalls, uint64_t(1) << 53)));
    line.field("success", m_success);
    if (!m_success && !m_error.empty())
        line.field("error", truncateError(m_error));
    if (!m_success && !m_category.empty())
        line.field("error_category", sanitizeName(m_category));
    line.tags(tags);
    return std::move(line).finish();
}

} // namespace perfdash::client
