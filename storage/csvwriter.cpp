// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/csvwriter.h"

#include <QDateTime>
#include <QIODevice>

#include <charconv>
#include <cmath>
#include <utility>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

QByteArray quoted(QByteArray utf8)
{
    if (!utf8.contains(',') && !utf8.contains('"') && !utf8.contains('\n') && !utf8.contains('\r'))
        return utf8;
    utf8.replace("\"", "\"\"");
    return '"' + utf8 + '"';
}

} // namespace

QByteArray CsvWriter::field(QStringView text)
{
    return quoted(text.toUtf8());
}

bool CsvWriter::writeCells(const QList<QByteArray> &cells)
{
    QByteArray line;
    for (qsizetype i = 0; i < cells.size(); ++i) {
        if (i)
            line += ',';
        line += quoted(cells[i]);
    }
    line += "\r\n";
    return m_device->write(line) == line.size();
}

bool CsvWriter::writeCells(const QStringList &cells)
{
    QList<QByteArray> utf8;
    utf8.reserve(cells.size());
    for (const QString &c : cells)
        utf8 << c.toUtf8();
    return writeCells(utf8);
}

bool CsvWriter::writeBytes(const QByteArray &bytes)
{
    return m_device->write(bytes) == bytes.size();
}

QByteArray CsvWriter::number(double value)
{
    if (!std::isfinite(value))
        return {};
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return QByteArray(buffer, int(result.ptr - buffer));
}

QByteArray CsvWriter::number(qint64 value)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return QByteArray(buffer, int(result.ptr - buffer));
}

QByteArray CsvWriter::isoTime(qint64 unixSeconds)
{
    return QDateTime::fromSecsSinceEpoch(unixSeconds, Qt::UTC).toString(Qt::ISODate).toLatin1();
}

bool CsvWriter::writeRow(const QList<QByteArray> &fields)
{
    QByteArray line;
    for (qsizetype i = 0; i < fields.size(); ++i) {
        if (i)
            line += ',';
        line += fields[i];
    }
    line += "\r\n";
    return m_device->write(line) == line.size();
}

QList<QByteArray> CsvWriter::exportHeader()
{
    return { "time", "series", "count", "rate", "min", "max", "mean", "p50", "p90", "p95", "p99", "seconds", "complete",
        "kind" };
}

bool CsvWriter::writeExportRow(const QString &seriesName, MetricKind kind, const WindowPoint &w)
{
    const StoredPoint &p = w.point;
    const bool quantiles = kind == MetricKind::Timer || kind == MetricKind::Distribution;
    const auto q = [&](int i) { return quantiles ? number(p.q[size_t(i)]) : QByteArray(); };
    return writeRow({
        isoTime(p.time),
        field(seriesName),
        number(p.count),
        kind == MetricKind::Gauge ? QByteArray() : number(w.rate()), // a gauge's samples are not a rate
        number(p.min),
        number(p.max),
        kind == MetricKind::Counter ? QByteArray() : number(w.mean()),
        q(0),
        q(1),
        q(2),
        q(3),
        w.seconds < 0 ? QByteArray() : number(w.seconds),
        w.seconds < 0 ? QByteArray() : QByteArray(w.complete ? "1" : "0"),
        metricKindName(kind).toLatin1(),
    });
}

QList<QByteArray> CsvWriter::parseLine(QByteArrayView line)
{
    QList<QByteArray> fields;
    QByteArray field;
    bool quoted = false;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.push_back(std::exchange(field, {}));
        } else {
            field += c;
        }
    }
    fields.push_back(field);
    return fields;
}

} // namespace perfdash
