// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/importinput.h"

class QIODevice;

namespace perfdash {

// Reads the CSV `perfdashd export` writes (header time,series,count,rate,min,max,mean,p50,p90,p95,p99,seconds,complete
// and, since import, kind; columns found by name, only time, series and count required) into series to import. The
// step is the spacing of the rows (1 s, 1 min or 1 h), or options.step. Without a kind column a series is: the kind
// the database has for it; else a timer when any row has a quantile; else a counter when its rows have a rate and no
// mean, a gauge otherwise (docs/storage.md "Import"). One thread; reads the device to its end.
class ExportCsvReader {
public:
    static ImportInput read(QIODevice *device, const ImportReadOptions &options);
};

} // namespace perfdash
