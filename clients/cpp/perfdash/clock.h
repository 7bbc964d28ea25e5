// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// perfdash C++ client: where the SDK's time comes from. A value of two function pointers, injectable so tests can
// drive it; the defaults read the system clocks and are safe from any thread.

#include <chrono>

namespace perfdash::client {

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

} // namespace perfdash::client
