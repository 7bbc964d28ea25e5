// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// perfdash C++ client: random (version 4) GUIDs, the identity of work records (docs/protocol.md, `op`): a record
// gets one when it is made and keeps it, so a resend is recognised. Safe from any thread: each thread has its own
// generator, seeded from std::random_device; a child process reseeds after fork(), so it never repeats its parent's.

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>

namespace perfdash::client {

namespace detail {
inline std::atomic<unsigned> &forkGeneration()
{
    static std::atomic<unsigned> generation { 0 };
    return generation;
}

inline std::mt19937_64 &guidEngine()
{
    static const bool atfork = [] {
        ::pthread_atfork(nullptr, nullptr, [] { forkGeneration().fetch_add(1, std::memory_order_relaxed); });
        return true;
    }();
    (void)atfork;
    struct Seeded {
        std::mt19937_64 engine;
        unsigned generation = ~0u;
    };
    thread_local Seeded seeded;
    const unsigned generation = forkGeneration().load(std::memory_order_relaxed);
    if (seeded.generation != generation) {
        uint32_t words[8] = {};
        try {
            std::random_device device;
            for (uint32_t &w : words)
                w = device();
        } catch (...) {
            // No entropy source: the time, the pid and this thread's address still tell processes and threads apart.
            const auto now = uint64_t(std::chrono::high_resolution_clock::now().time_since_epoch().count());
            const auto self = uint64_t(reinterpret_cast<uintptr_t>(&seeded));
            words[0] = uint32_t(now);
            words[1] = uint32_t(now >> 32);
            words[2] = uint32_t(::getpid());
            words[3] = uint32_t(self);
            words[4] = uint32_t(self >> 32);
        }
        std::seed_seq seq(std::begin(words), std::end(words));
        seeded.engine.seed(seq);
        seeded.generation = generation;
    }
    return seeded.engine;
}
} // namespace detail

// A new random GUID in canonical lowercase form: "6f1c3b2a-9d4e-4f5a-8b7c-0d1e2f3a4b5c".
inline std::string newGuid()
{
    std::mt19937_64 &engine = detail::guidEngine();
    const uint64_t high = (engine() & ~uint64_t(0xF000)) | 0x4000; // version 4: the third group starts with 4
    const uint64_t low = (engine() & ~(uint64_t(3) << 62)) | (uint64_t(2) << 62); // variant 10xx
    static constexpr char hex[] = "0123456789abcdef";
    std::string out(36, '-');
    size_t at = 0;
    for (int i = 0; i < 32; ++i) {
        if (at == 8 || at == 13 || at == 18 || at == 23)
            ++at;
        const uint64_t word = i < 16 ? high : low;
        out[at++] = hex[(word >> (60 - 4 * (i % 16))) & 15];
    }
    return out;
}

} // namespace perfdash::client
