// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/historyquery.h"

#include <QByteArray>
#include <QList>
#include <QStringView>

class QIODevice;

namespace perfdash {

// RFC 4180 CSV (CRLF line ends, fields quoted only when they must be), ISO 8601 UTC times, numbers that do not depend
// on the locale (std::to_chars, shortest round-trip form). Writes to a device it does not own; one thread at a time.
// Used by `perfdashd export` and the GUI's report dialog (app/reportexport.h).
class CsvWriter {
public:
    explicit CsvWriter(QIODevice *device)
        : m_device(device)
    { }

    static QByteArray field(QStringView text);
    static QByteArray number(double value); // empty for NaN and infinities
    static QByteArray number(qint64 value);
    static QByteArray isoTime(qint64 unixSeconds); // 2026-11-23T20:45:00Z

    bool writeRow(const QList<QByteArray> &fields); // fields already encoded (field()/number())
    // Plain UTF-8 cells (text or numbers), each quoted only when it must be: the readable reports' rows.
    bool writeCells(const QList<QByteArray> &cells);
    bool writeCells(const QStringList &cells);
    bool writeBytes(const QByteArray &bytes); // as they are (a byte order mark)
    // The inverse of one row: the fields of one RFC 4180 line without its line end (quoted fields with doubled
    // quotes; no line breaks inside quotes: our exports never write them). For `perfdashd import` and tests.
    static QList<QByteArray> parseLine(QByteArrayView line);

    // The export format: time,series,count,rate,min,max,mean,p50,p90,p95,p99,seconds,complete,kind. rate is count per
    // covered second (WindowPoint::rate), seconds the bucket's covered seconds, complete 1 when all of the bucket has
    // passed (0 for the partial last bucket), both empty where the point has no coverage set; kind the series' kind
    // (counter, gauge, timer, distribution, set), so `perfdashd import` reads the file back losslessly.
    static QList<QByteArray> exportHeader();
    bool writeExportRow(const QString &seriesName, MetricKind kind, const WindowPoint &point);

private:
    QIODevice *m_device;
};

} // namespace perfdash
