// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the /proc parsers (collector/procfs.h). The kernel writes those files, but a process picks its
// own name, and /proc/PID/stat carries it unescaped: the parsers must survive any bytes. Each input goes through all
// five; a broken promise traps, so the fuzzer reports it like a crash.
#include "collector/procfs.h"

#include <algorithm>
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
    const QByteArrayView text(reinterpret_cast<const char *>(data), qsizetype(size));
    if (const auto stat = procfs::parsePidStat(text)) {
        // The name lies inside the input, between a '(' and a ')' that follow the pid.
        check(stat->comm.size() + 3 <= text.size());
        check(text.contains(stat->comm));
        check(stat->state != ' ' && stat->state != '\n');
    }
    if (const auto cpu = procfs::parseStat(text))
        check(cpu->cores >= 0);
    procfs::parseMeminfo(text);
    procfs::parseLoadavg(text);
    // A process writes its own command line: the name must stay a valid, bounded tag value whatever the bytes.
    const QString name = procfs::commandName(text, text.first(std::min<qsizetype>(text.size(), 15)));
    check(name.toUtf8().size() <= 64);
    check(!name.contains(u',') && !name.contains(u'|') && !name.contains(u'\n'));
    return 0;
}
