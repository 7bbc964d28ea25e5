// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Runs a perfdashd subcommand and reads its CSV, for the end-to-end tests.

#include "collectorprocess.h"
#include "storage/csvwriter.h"

#include <QByteArray>
#include <QList>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>

#include <charconv>
#include <cmath>

namespace perfdash::test {

struct Exported {
    int exitCode = -1;
    QByteArray out;
    QString err;
};

inline Exported runPerfdashd(
    const QStringList &arguments, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(perfdash::test::binary(QStringLiteral("perfdashd")), arguments);
    Exported e;
    // A bound for a stuck command, not a measure of speed: an import under AddressSanitizer on a busy machine takes
    // tens of seconds. The test's own ctest TIMEOUT is the tighter bound.
    if (!p.waitForFinished(200000)) {
        p.kill();
        p.waitForFinished();
        e.err = QStringLiteral("perfdashd %1 did not finish within 200 s").arg(arguments.join(u' '));
        return e;
    }
    e.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    e.out = p.readAllStandardOutput();
    e.err = QString::fromUtf8(p.readAllStandardError());
    return e;
}

// tools/dev/make-history.py: `days` of demo history at 1 min for the first `models` demo models, ending at `end`,
// written to `path`. Empty on success, else what went wrong.
inline QString makeHistory(const QString &path, int days, int models, int seed, qint64 end)
{
    QProcess make;
    make.start(QStringLiteral("python3"),
        { qEnvironmentVariable("PERFDASH_SOURCE_DIR") + QStringLiteral("/tools/dev/make-history.py"),
            QStringLiteral("--days"), QString::number(days), QStringLiteral("--models"), QString::number(models),
            QStringLiteral("--seed"), QString::number(seed), QStringLiteral("--end"), QString::number(end),
            QStringLiteral("-o"), path });
    if (!make.waitForFinished(120000) || make.exitStatus() != QProcess::NormalExit || make.exitCode() != 0)
        return QStringLiteral("make-history.py failed: ") + QString::fromUtf8(make.readAllStandardError());
    return {};
}

inline double toDouble(const QByteArray &text)
{
    double v = std::nan("");
    const auto [ptr, ec] = std::from_chars(text.constData(), text.constData() + text.size(), v);
    return ec == std::errc() && ptr == text.constData() + text.size() ? v : std::nan("");
}

// Splits RFC 4180 lines of our export (quoted fields have no line breaks there).
inline QList<QList<QByteArray>> parseCsv(const QByteArray &data, bool *crlf)
{
    QList<QList<QByteArray>> rows;
    *crlf = true;
    for (QByteArray line : data.split('\n')) {
        if (line.isEmpty())
            continue;
        if (!line.endsWith('\r'))
            *crlf = false;
        line.chop(line.endsWith('\r') ? 1 : 0);
        const QList<QByteArray> fields = CsvWriter::parseLine(line);
        rows.push_back(fields);
    }
    return rows;
}

} // namespace perfdash::test
