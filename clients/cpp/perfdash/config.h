// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// perfdash C++ client: where records go, whether the SDK is on, and the log hook.
//
// Settings come from, in this order (the first that sets a key wins):
//   1. the environment: PERFDASH_ENABLED (0/false/no/off turns the SDK off), PERFDASH_INGEST_SOCKET (a path);
//   2. the config file: $PERFDASH_CONFIG, else $XDG_CONFIG_HOME/perfdash/client.conf, else
//      ~/.config/perfdash/client.conf. Lines are `key = value`; `#` starts a comment. Keys: `enabled`
//      (true/false), `ingest_socket` (a path). Unknown keys are ignored.
//   3. defaults: enabled; $XDG_RUNTIME_DIR/perfdash/ingest.sock, else /tmp/perfdash-<uid>/ingest.sock (the
//      collector's defaults).
// Off means no records and no log lines; timing and in-memory statistics go on. StatsdClient, a transport the
// caller opens itself, is not affected.
// config() is read once per process and is safe from any thread; setLogHook() and log() are too.

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <unistd.h>

namespace perfdash::client {

struct Config {
    bool enabled = true;
    std::string ingestSocket;
    std::string configFile; // the file that was read, empty when none was

    // Reads the environment and the config file now; config() caches one result for the process.
    static Config load()
    {
        Config c;
        c.ingestSocket = defaultIngestSocket();
        std::optional<bool> fileEnabled;
        std::string fileSocket;
        const std::string path = configPath();
        if (std::ifstream in(path); in) {
            c.configFile = path;
            std::string line;
            while (std::getline(in, line)) {
                if (const auto hash = line.find('#'); hash != std::string::npos)
                    line.resize(hash);
                const auto eq = line.find('=');
                if (eq == std::string::npos)
                    continue;
                const std::string key = trim(line.substr(0, eq));
                const std::string value = trim(line.substr(eq + 1));
                if (key == "enabled")
                    fileEnabled = parseBool(value);
                else if (key == "ingest_socket" && !value.empty())
                    fileSocket = value;
            }
        }
        if (fileEnabled)
            c.enabled = *fileEnabled;
        if (!fileSocket.empty())
            c.ingestSocket = fileSocket;
        if (const char *env = std::getenv("PERFDASH_ENABLED"); env && *env) {
            if (const auto b = parseBool(env))
                c.enabled = *b;
        }
        if (const char *env = std::getenv("PERFDASH_INGEST_SOCKET"); env && *env)
            c.ingestSocket = env;
        return c;
    }

    static std::string configPath()
    {
        if (const char *p = std::getenv("PERFDASH_CONFIG"); p && *p)
            return p;
        if (const char *x = std::getenv("XDG_CONFIG_HOME"); x && *x == '/')
            return std::string(x) + "/perfdash/client.conf";
        if (const char *h = std::getenv("HOME"); h && *h)
            return std::string(h) + "/.config/perfdash/client.conf";
        return {};
    }

    static std::string defaultIngestSocket()
    {
        if (const char *x = std::getenv("XDG_RUNTIME_DIR"); x && *x)
            return std::string(x) + "/perfdash/ingest.sock";
        return "/tmp/perfdash-" + std::to_string(::getuid()) + "/ingest.sock";
    }

    // "1", "true", "yes", "on" and "0", "false", "no", "off" (any case); nothing for anything else.
    static std::optional<bool> parseBool(std::string_view v)
    {
        std::string s(v);
        for (char &ch : s)
            ch = char(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
        if (s == "1" || s == "true" || s == "yes" || s == "on")
            return true;
        if (s == "0" || s == "false" || s == "no" || s == "off")
            return false;
        return std::nullopt;
    }

private:
    static std::string trim(std::string s)
    {
        const auto first = s.find_first_not_of(" \t\r");
        if (first == std::string::npos)
            return {};
        const auto last = s.find_last_not_of(" \t\r");
        return s.substr(first, last - first + 1);
    }
};

inline const Config &config()
{
    static const Config c = Config::load();
    return c;
}

enum class LogLevel { Info, Warning };
using LogHook = std::function<void(LogLevel, std::string_view message)>;

namespace detail {
struct LogState {
    std::mutex mutex;
    std::shared_ptr<const LogHook> hook;
};
inline LogState &logState()
{
    static LogState state;
    return state;
}
} // namespace detail

// Replaces where the SDK's log lines go (default: stderr, one line each). An empty hook silences them.
inline void setLogHook(LogHook hook)
{
    auto &s = detail::logState();
    std::lock_guard lock(s.mutex);
    s.hook = std::make_shared<const LogHook>(std::move(hook));
}

// Never throws: a log hook that throws loses its line, not the caller's work.
inline void log(LogLevel level, std::string_view message) noexcept
{
    try {
        std::shared_ptr<const LogHook> hook;
        {
            auto &s = detail::logState();
            std::lock_guard lock(s.mutex);
            hook = s.hook;
        }
        if (!hook) {
            std::fprintf(stderr, "%s%.*s\n", level == LogLevel::Warning ? "perfdash warning: " : "",
                int(message.size()), message.data());
        } else if (*hook) {
            (*hook)(level, message);
        }
    } catch (...) {
    }
}

} // namespace perfdash::client
