// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "collector/statsdparser.h"

#include <array>

namespace perfdash {

// What ingest has seen since start. Owned and written by the collector thread only.
struct IngestCounters {
    quint64 datagrams = 0;
    quint64 linesAccepted = 0;
    quint64 linesRejected = 0;
    std::array<quint64, size_t(StatsdParser::Reason::Count_)> rejectedByReason {};

    void reject(StatsdParser::Reason reason)
    {
        ++linesRejected;
        ++rejectedByReason[size_t(reason)];
    }
};

} // namespace perfdash
