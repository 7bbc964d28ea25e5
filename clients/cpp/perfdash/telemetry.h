// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// perfdash C++ client: a run's telemetry, the samples taken while it ran (docs/protocol.md, `run`).
//   TelemetryWriter  the members one sample puts in its entry, {"timestamp":…,"ts":…,<members>}. A sample type T
//                    takes part through a function toTelemetry(const T &, TelemetryWriter &) that argument-dependent
//                    lookup finds (next to T). Built in: numbers (member "value"), std::map<std::string, double>,
//                    and ProcessSample (sampler.h). Nested values are flattened by the caller: add("outer.inner", …).
//   TelemetryList    one run's entries, oldest first: at most 1024, thinned evenly when full, drops counted.
//   TelemetryFeed    one sampler's side: the lists its samples go to, and the thread it was started on, so that a
//                    Run made on that thread subscribes by itself.
// TelemetryWriter is a value for one thread; TelemetryList and TelemetryFeed are thread-safe (samplers' threads
// write, the run's thread reads).

#include "perfdash/format.h"
#include "perfdash/jsonline.h"

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace perfdash::client {

class TelemetryWriter {
public:
    // At most 64 members a sample, ts and timestamp included; later ones are left out (and counted).
    static constexpr size_t kMaxMembers = 62;
    static constexpr size_t kMaxStringBytes = 200;

    // A number or a boolean. A number that is not a finite double (NaN, ±inf, a long double beyond the double
    // range) is null and no series: the collector reads doubles, and a gauge needs a value.
    template <typename N, std::enable_if_t<std::is_arithmetic_v<N>, int> = 0>
    void add(std::string_view key, N value)
    {
        if (!addKey(key))
            return;
        if constexpr (std::is_same_v<N, bool>) {
            m_members.append(value ? "true" : "false");
            m_numbers.emplace_back(key, value ? 1.0 : 0.0);
        } else if constexpr (std::is_floating_point_v<N>) {
            const double d = double(value);
            if (!std::isfinite(d)) {
                m_members.append("null");
                return;
            }
            // A float as its own shortest text ("0.1"); a long double as the double it becomes, never out of range.
            if constexpr (std::is_same_v<N, float>)
                appendNumber(value);
            else
                appendNumber(d);
            m_numbers.emplace_back(key, d);
        } else {
            appendNumber(value);
            m_numbers.emplace_back(key, double(value));
        }
    }
    // Text, valid UTF-8, cut at 200 bytes on a character boundary.
    void add(std::string_view key, std::string_view text)
    {
        if (addKey(key))
            JsonLine::appendEscaped(m_members, sanitizeText(text, kMaxStringBytes));
    }
    void addNull(std::string_view key)
    {
        if (addKey(key))
            m_members.append("null");
    }

    // The members as JSON, without braces: "\"rss_mb\":812.5,\"threads\":18".
    const std::string &members() const { return m_members; }
    // The numeric and boolean (0/1) members in the order given: what a sampler's `series` option sends.
    const std::vector<std::pair<std::string, double>> &numbers() const { return m_numbers; }
    // Members left out: past the limit, or named "ts" or "timestamp" (the entry's own).
    size_t leftOut() const { return m_leftOut; }

    // One entry of a run's `telemetry`: {"timestamp":…,"ts":…,<members>}.
    std::string entry(double ts, std::string_view timestamp) const
    {
        std::string out;
        out.reserve(m_members.size() + 64);
        out.append("{\"timestamp\":");
        JsonLine::appendEscaped(out, timestamp);
        out.append(",\"ts\":");
        JsonLine::appendNumber(out, ts);
        if (!m_members.empty())
            out.append(",").append(m_members);
        out.push_back('}');
        return out;
    }

private:
    template <typename N>
    void appendNumber(N value)
    {
        char buf[64];
        const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
        m_members.append(buf, ec == std::errc() ? end : buf);
    }
    bool addKey(std::string_view key)
    {
        if (key == "ts" || key == "timestamp" || m_count == kMaxMembers) {
            ++m_leftOut;
            return false;
        }
        if (m_count++ > 0)
            m_members.push_back(',');
        JsonLine::appendEscaped(m_members, key);
        m_members.push_back(':');
        return true;
    }

    std::string m_members;
    std::vector<std::pair<std::string, double>> m_numbers;
    size_t m_count = 0;
    size_t m_leftOut = 0;
};

// The built-in sample types. Declared before the trait below, so that its unqualified lookup sees them.
template <typename N, std::enable_if_t<std::is_arithmetic_v<N>, int> = 0>
void toTelemetry(N value, TelemetryWriter &out)
{
    out.add("value", value);
}
inline void toTelemetry(const std::map<std::string, double> &values, TelemetryWriter &out)
{
    for (const auto &[key, value] : values)
        out.add(key, value);
}

namespace detail {
template <typename T, typename = void>
struct HasTelemetry : std::false_type { };
template <typename T>
struct HasTelemetry<T, std::void_t<decltype(toTelemetry(std::declval<const T &>(), std::declval<TelemetryWriter &>()))>>
    : std::true_type { };
} // namespace detail

// Whether samples of type T can go to runs and series: toTelemetry(const T &, TelemetryWriter &) exists.
template <typename T>
inline constexpr bool hasTelemetry = detail::HasTelemetry<T>::value;

class TelemetryList {
public:
    static constexpr size_t kMaxEntries = 1024;

    struct Taken {
        std::vector<std::string> entries; // oldest first
        uint64_t dropped = 0; // offered but not kept
    };

    // Keeps one entry unless the list is closed. When it is full, every second entry goes and from then on every
    // second one offered is kept (then every fourth, …), so what stays spans the whole run evenly.
    void offer(std::string entry)
    {
        std::lock_guard lock(m_mutex);
        if (m_closed)
            return;
        const uint64_t index = m_offered++;
        if (index % m_stride != 0) {
            ++m_dropped;
            return;
        }
        if (m_entries.size() >= kMaxEntries) {
            m_dropped += keepEverySecond(m_entries);
            m_stride *= 2;
            if (index % m_stride != 0) {
                ++m_dropped;
                return;
            }
        }
        m_entries.push_back(std::move(entry));
    }

    // Closes the list and hands over what it kept; it takes nothing after this.
    Taken take()
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        return Taken { std::move(m_entries), m_dropped };
    }

    bool closed() const
    {
        std::lock_guard lock(m_mutex);
        return m_closed;
    }

    // Thins entries evenly (every second one, as often as needed) until they take at most `bytes` as a JSON array,
    // adding what went to `dropped`: for a record that would pass the line limit.
    static void fitInto(size_t bytes, std::vector<std::string> &entries, uint64_t &dropped)
    {
        const auto arrayBytes = [&] {
            size_t n = 2 + (entries.empty() ? 0 : entries.size() - 1);
            for (const std::string &e : entries)
                n += e.size();
            return n;
        };
        while (!entries.empty() && arrayBytes() > bytes) {
            if (entries.size() == 1) {
                entries.clear();
                ++dropped;
            } else {
                dropped += keepEverySecond(entries);
            }
        }
    }

private:
    // Keeps the entries at even positions; returns how many went.
    static size_t keepEverySecond(std::vector<std::string> &entries)
    {
        const size_t kept = (entries.size() + 1) / 2;
        for (size_t i = 1; i < kept; ++i)
            entries[i] = std::move(entries[2 * i]);
        const size_t gone = entries.size() - kept;
        entries.resize(kept);
        return gone;
    }

    mutable std::mutex m_mutex;
    std::vector<std::string> m_entries;
    uint64_t m_offered = 0;
    uint64_t m_dropped = 0;
    uint64_t m_stride = 1; // the entries kept are those whose index is a multiple of this
    bool m_closed = false;
};

class TelemetryFeed {
public:
    // The list takes this feed's entries from now on, until it is closed or gone; subscribing twice changes nothing.
    void subscribe(const std::shared_ptr<TelemetryList> &list)
    {
        std::lock_guard lock(m_mutex);
        prune();
        for (const auto &held : m_lists) {
            if (held.lock() == list)
                return;
        }
        m_lists.push_back(list);
    }

    // Whether an entry would go anywhere (so the sampler can skip making it).
    bool hasSubscribers() const
    {
        std::lock_guard lock(m_mutex);
        return !m_lists.empty();
    }

    void deliver(const std::string &entry)
    {
        std::lock_guard lock(m_mutex);
        prune();
        for (const auto &held : m_lists) {
            if (const auto list = held.lock())
                list->offer(entry);
        }
    }

    // Called by the sampler's start(), on the thread that starts it: Runs made on this thread subscribe by themselves
    // until the sampler stops.
    static void markStarted(const std::shared_ptr<TelemetryFeed> &feed)
    {
        {
            std::lock_guard lock(feed->m_mutex);
            feed->m_thread = std::this_thread::get_id();
        }
        auto &feeds = threadFeeds();
        pruneThreadFeeds(feeds);
        for (const auto &held : feeds) {
            if (held.lock() == feed)
                return;
        }
        feeds.push_back(feed);
    }
    void markStopped()
    {
        std::lock_guard lock(m_mutex);
        m_thread = std::thread::id();
    }

    // The feeds of the samplers started on this thread that are running.
    static std::vector<std::shared_ptr<TelemetryFeed>> runningOnThisThread()
    {
        auto &feeds = threadFeeds();
        pruneThreadFeeds(feeds);
        std::vector<std::shared_ptr<TelemetryFeed>> out;
        for (const auto &held : feeds) {
            if (auto feed = held.lock())
                out.push_back(std::move(feed));
        }
        return out;
    }

private:
    static std::vector<std::weak_ptr<TelemetryFeed>> &threadFeeds()
    {
        thread_local std::vector<std::weak_ptr<TelemetryFeed>> feeds;
        return feeds;
    }
    // Drops the feeds that are gone, stopped, or started again on another thread.
    static void pruneThreadFeeds(std::vector<std::weak_ptr<TelemetryFeed>> &feeds)
    {
        const auto self = std::this_thread::get_id();
        for (size_t i = 0; i < feeds.size();) {
            const auto feed = feeds[i].lock();
            bool here = false;
            if (feed) {
                std::lock_guard lock(feed->m_mutex);
                here = feed->m_thread == self;
            }
            if (here)
                ++i;
            else
                feeds.erase(feeds.begin() + std::ptrdiff_t(i));
        }
    }
    // Called with m_mutex held.
    void prune()
    {
        for (size_t i = 0; i < m_lists.size();) {
            const auto list = m_lists[i].lock();
            if (list && !list->closed())
                ++i;
            else
                m_lists.erase(m_lists.begin() + std::ptrdiff_t(i));
        }
    }

    mutable std::mutex m_mutex;
    std::vector<std::weak_ptr<TelemetryList>> m_lists;
    std::thread::id m_thread; // the thread it was started on while it runs; none when stopped
};

} // namespace perfdash::client
