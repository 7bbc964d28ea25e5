// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/timebucket.h"

#include <QString>

#include <array>

namespace perfdash {

// The three storage tiers and where they live. The one place that names the tier tables (docs/storage.md).
enum class StorageTier { Second = 0, Minute = 1, Hour = 2 };

struct TierSpec {
    StorageTier tier;
    qint64 step; // seconds per stored bucket
    qint64 chunkSpan; // seconds per chunk row; a multiple of step
    const char16_t *chunkTable;
    const char16_t *sketchTable; // one merged sketch per bucket; nullptr for the 1 s tier
};

inline constexpr std::array<TierSpec, 3> kTiers { {
    { StorageTier::Second, 1, 60, u"chunk_1s", nullptr },
    { StorageTier::Minute, 60, 3600, u"chunk_1m", u"sketch_1m" },
    { StorageTier::Hour, 3600, 86400, u"chunk_1h", u"sketch_1h" },
} };

inline const TierSpec &tierSpec(StorageTier tier)
{
    return kTiers[size_t(tier)];
}

// How long each tier is kept, in seconds. Defaults from issue 5.
struct Retention {
    qint64 second = 48LL * 3600;
    qint64 minute = 35LL * 86400;
    qint64 hour = 400LL * 86400;

    qint64 of(StorageTier tier) const
    {
        return tier == StorageTier::Second ? second : tier == StorageTier::Minute ? minute : hour;
    }
};

// How long work records are kept, in seconds (issue 19; seed 003's cleanup_old_metrics(days=90)). 0: forever.
struct WorkRetention {
    qint64 operations = 90LL * 86400;
    qint64 runs = 90LL * 86400;
    qint64 apiCalls = 90LL * 86400;
    qint64 notifications = 90LL * 86400;
};

} // namespace perfdash
