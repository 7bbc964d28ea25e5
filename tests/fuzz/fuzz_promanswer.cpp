// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for a Prometheus query API answer (fleet/promclient.h): the input parsed as a body of HTTP 200.
// Promises: the fast matrix scanner and the general parser never read out of bounds (ASan), and a failure always says
// why; a broken promise traps.
#include "fleet/promclient.h"

#include <cstddef>
#include <cstdint>

using namespace perfdash;

namespace {

void check(bool promise)
{
    if (!promise)
        __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const PromAnswer answer = PromClient::parse(bytes, 200);
    check(answer.ok || !answer.error.isEmpty());
    return 0;
}
