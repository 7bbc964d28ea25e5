// SPDX-License-Identifier: GPL-3.0-or-later
// Feeds arbitrary bytes to the import readers (the first byte picks the export CSV or OpenMetrics) and checks what
// HistoryImport relies on: a tier step, series rows in strictly ascending time on that step, counts not negative, and
// bad lines numbered inside the input.
#include "app/exportcsvreader.h"
#include "app/openmetricsreader.h"

#include <QBuffer>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace perfdash;

namespace {

void check(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "fuzz_import: invariant broken: %s\n", what);
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    QByteArray bytes(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::ReadOnly);
    ImportReadOptions options;
    const ImportInput in
        = data[0] & 1 ? OpenMetricsReader::read(&buffer, options) : ExportCsvReader::read(&buffer, options);
    if (!in.fatal.isEmpty())
        return 0;
    for (const BadLine &bad : in.bad)
        check(bad.line >= 1 && bad.line <= in.lines && !bad.reason.isEmpty(), "bad line outside the input");
    for (const ImportSeries &s : in.series) {
        check(s.step == 1 || s.step == 60 || s.step == 3600, "not a tier step");
        check(!s.rows.empty() && !s.key.isEmpty(), "empty series");
        for (size_t i = 0; i < s.rows.size(); ++i) {
            check(s.rows[i].time % s.step == 0, "row off the step");
            check(i == 0 || s.rows[i].time > s.rows[i - 1].time, "rows not strictly ascending");
            check(s.rows[i].count >= 0, "negative count");
        }
    }
    return 0;
}
