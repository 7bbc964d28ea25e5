// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/qualitycommand.h"

#include "app/commandsupport.h"
#include "models/serieskey.h"
#include "storage/csvwriter.h"
#include "storage/database.h"
#include "storage/qualitystore.h"
#include "models/seriesselector.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QSqlDatabase>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

QList<QByteArray> header()
{
    return { "time", "series", "binary", "classes", "regression", "accuracy", "precision", "recall", "f1", "macro_f1",
        "auc_roc", "auc_error", "rmse", "mae", "mape", "zero_truths" };
}

QList<QByteArray> row(const QualityStore::Window &w)
{
    const QualityStats s = QualityStats::from(w.key, w.metrics, false);
    return { CsvWriter::isoTime(w.from), CsvWriter::field(SeriesSelector::displayName(w.key)),
        CsvWriter::number(qint64(s.binary)), CsvWriter::number(qint64(s.classes)),
        CsvWriter::number(qint64(s.regression)), CsvWriter::number(s.accuracy), CsvWriter::number(s.precision),
        CsvWriter::number(s.recall), CsvWriter::number(s.f1), CsvWriter::number(s.macroF1), CsvWriter::number(s.aucRoc),
        CsvWriter::number(s.aucErrorBound), CsvWriter::number(s.rmse), CsvWriter::number(s.mae),
        CsvWriter::number(s.mape), CsvWriter::number(qint64(s.zeroTruths)) };
}

} // namespace

int runQualityCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    SubcommandLine line(u"quality"_s,
        u"Usage: perfdashd quality --db FILE [--model NAME] --from TIME --to TIME "
        "--step 1s|1m|1h|1d [-o FILE]\n"
        "  TIME  ISO 8601 (2026-11-23T20:00:00Z; no offset means UTC) or now, -24h, -10m, +1m\n"
        "  Windows are aligned to the clock, as in export.\n"_s);
    QCommandLineParser &parser = line.parser();
    const WindowCommandOptions options;
    const QCommandLineOption model(u"model"_s, u"Only this model."_s, u"NAME"_s);
    options.addTo(parser);
    parser.addOption(model);
    if (const auto done = line.parse(arguments, out, err))
        return *done;
    QString error;
    const auto range = options.range(parser, QDateTime::currentSecsSinceEpoch(), &error);
    if (!range)
        return line.bad(error, err);

    const QString path = options.databasePath(parser);
    ReadOnlyConnection opened(u"perfdashd-quality"_s);
    if (!opened.open(path, &error)) {
        err << "perfdashd quality: " << error << '\n';
        return 1;
    }
    QSqlDatabase connection = QSqlDatabase::database(opened.name(), false);
    if (Database::schemaVersion(connection) < 3) {
        err << "perfdashd quality: " << path << " predates quality metrics (schema version "
            << Database::schemaVersion(connection) << "); run perfdashd on it once to upgrade it\n";
        return 1;
    }
    QStringList keys;
    if (!QualityStore::keys(connection, range->from, range->to, &keys, &error)) {
        err << "perfdashd quality: " << error << '\n';
        return 1;
    }
    if (parser.isSet(model)) {
        const QString wanted = parser.value(model);
        keys.removeIf([&](const QString &k) { return SeriesKey::fromString(k).tagValue(u"model"_s) != wanted; });
    }
    if (keys.isEmpty()) {
        err << "perfdashd quality: no quality metrics"
            << (parser.isSet(model) ? u" for model "_s % parser.value(model) : QString()) << " in " << path
            << " between " << CsvWriter::isoTime(range->from) << " and " << CsvWriter::isoTime(range->to)
            << " (models get them from prediction records with a truth)\n";
        return 1;
    }
    QVector<QualityStore::Window> rows;
    for (const QString &key : keys) {
        QVector<QualityStore::Window> windows;
        if (!QualityStore::windows(connection, key, range->from, range->to, range->step, &windows, &error)) {
            err << "perfdashd quality: " << error << '\n';
            return 1;
        }
        for (const auto &w : windows) {
            if (w.corruptRows > 0)
                err << "perfdashd quality: " << w.corruptRows << " damaged rows of " << SeriesSelector::displayName(key)
                    << " left out at " << CsvWriter::isoTime(w.from) << '\n';
        }
        rows += windows;
    }
    std::stable_sort(rows.begin(), rows.end(),
        [](const auto &a, const auto &b) { return a.from != b.from ? a.from < b.from : a.key < b.key; });

    out.flush();
    CsvOutput output;
    if (!output.open(parser.value(options.output), &error)) {
        err << "perfdashd quality: " << error << '\n';
        return 1;
    }
    bool ok = output.csv().writeRow(header());
    for (qsizetype i = 0; ok && i < rows.size(); ++i)
        ok = output.csv().writeRow(row(rows[i]));
    if (!output.commit(ok, &error)) {
        err << "perfdashd quality: " << error << '\n';
        return 1;
    }
    if (output.toFile())
        err << "perfdashd quality: " << rows.size() << " rows of " << keys.size() << " models to "
            << parser.value(options.output) << '\n';
    return 0;
}

} // namespace perfdash
