// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/qualitycommand.h"

#include "app/exportcommand.h"
#include "app/runtimepaths.h"
#include "models/serieskey.h"
#include "storage/csvwriter.h"
#include "storage/database.h"
#include "storage/qualitystore.h"
#include "storage/seriesselector.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

struct OpenedDatabase {
    QString name;
    ~OpenedDatabase() { Database::close(name); }
};

QList<QByteArray> header()
{
    return { "time",     "series",  "binary", "classes", "regression", "accuracy", "precision", "recall",
             "f1",       "macro_f1", "auc_roc", "auc_error", "rmse",     "mae",      "mape",      "zero_truths" };
}

QList<QByteArray> row(const QualityStore::Window &w)
{
    const QualityStats s = QualityStats::from(w.key, w.metrics, false);
    return { CsvWriter::isoTime(w.from),
             CsvWriter::field(SeriesSelector::displayName(w.key)),
             CsvWriter::number(qint64(s.binary)),
             CsvWriter::number(qint64(s.classes)),
             CsvWriter::number(qint64(s.regression)),
             CsvWriter::number(s.accuracy),
             CsvWriter::number(s.precision),
             CsvWriter::number(s.recall),
             CsvWriter::number(s.f1),
             CsvWriter::number(s.macroF1),
             CsvWriter::number(s.aucRoc),
             CsvWriter::number(s.aucErrorBound),
             CsvWriter::number(s.rmse),
             CsvWriter::number(s.mae),
             CsvWriter::number(s.mape),
             CsvWriter::number(qint64(s.zeroTruths)) };
}

} // namespace

int runQualityCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    static const char usage[] = "Usage: perfdashd quality --db FILE [--model NAME] --from TIME --to TIME "
                                "--step 1s|1m|1h|1d [-o FILE]\n"
                                "  TIME  ISO 8601 (2026-11-23T20:00:00Z; no offset means UTC) or now, -24h, -10m, +1m\n";
    QCommandLineParser parser;
    const QCommandLineOption db(u"db"_s, u"SQLite database file."_s, u"FILE"_s, RuntimePaths::defaultDatabase());
    const QCommandLineOption model(u"model"_s, u"Only this model."_s, u"NAME"_s);
    const QCommandLineOption from(u"from"_s, u"Start (inclusive)."_s, u"TIME"_s, u"-24h"_s);
    const QCommandLineOption to(u"to"_s, u"End (exclusive)."_s, u"TIME"_s, u"now"_s);
    const QCommandLineOption step(u"step"_s, u"Bucket: 1s, 1m, 1h or 1d."_s, u"STEP"_s, u"1h"_s);
    const QCommandLineOption output(QStringList { u"o"_s, u"output"_s }, u"Output file (default: stdout)."_s,
                                    u"FILE"_s);
    parser.addOptions({ db, model, from, to, step, output });
    const auto bad = [&](const QString &message) {
        err << "perfdashd quality: " << message << '\n' << usage;
        return 2;
    };
    if (!parser.parse(QStringList { u"perfdashd quality"_s } + arguments))
        return bad(parser.errorText());
    if (!parser.positionalArguments().isEmpty())
        return bad(u"unexpected argument "_s % parser.positionalArguments().constFirst());
    QString error;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const auto fromTime = ExportArguments::parseTime(parser.value(from), now, &error);
    if (!fromTime)
        return bad(u"bad --from: "_s % error);
    const auto toTime = ExportArguments::parseTime(parser.value(to), now, &error);
    if (!toTime)
        return bad(u"bad --to: "_s % error);
    if (*toTime <= *fromTime)
        return bad(u"--to must be later than --from"_s);
    const auto stepSeconds = ExportArguments::parseStep(parser.value(step));
    if (!stepSeconds)
        return bad(u"bad --step \"%1\": use 1s, 1m, 1h or 1d"_s.arg(parser.value(step)));

    const QString path = QFileInfo(parser.value(db)).absoluteFilePath();
    OpenedDatabase opened { u"perfdashd-quality"_s };
    const auto result = Database::openReadOnly(opened.name, path);
    if (!result.ok) {
        err << "perfdashd quality: cannot read " << path << ": " << result.error << '\n';
        return 1;
    }
    QSqlDatabase connection = QSqlDatabase::database(opened.name, false);
    if (Database::schemaVersion(connection) < 3) {
        err << "perfdashd quality: " << path << " predates quality metrics (schema version "
            << Database::schemaVersion(connection) << "); run perfdashd on it once to upgrade it\n";
        return 1;
    }
    QStringList keys;
    if (!QualityStore::keys(connection, *fromTime, *toTime, &keys, &error)) {
        err << "perfdashd quality: " << error << '\n';
        return 1;
    }
    if (parser.isSet(model)) {
        const QString wanted = parser.value(model);
        keys.removeIf([&](const QString &k) { return SeriesKey::fromString(k).tagValue(u"model"_s) != wanted; });
    }
    if (keys.isEmpty()) {
        err << "perfdashd quality: no quality metrics" << (parser.isSet(model) ? u" for model "_s % parser.value(model)
                                                                               : QString())
            << " in " << path << " between " << CsvWriter::isoTime(*fromTime) << " and "
            << CsvWriter::isoTime(*toTime) << " (models get them from prediction records with a truth)\n";
        return 1;
    }
    QVector<QualityStore::Window> rows;
    for (const QString &key : keys) {
        QVector<QualityStore::Window> windows;
        if (!QualityStore::windows(connection, key, *fromTime, *toTime, *stepSeconds, &windows, &error)) {
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
    std::stable_sort(rows.begin(), rows.end(), [](const auto &a, const auto &b) {
        return a.from != b.from ? a.from < b.from : a.key < b.key;
    });

    const bool toFile = parser.isSet(output) && parser.value(output) != u"-"_s;
    QSaveFile file(toFile ? parser.value(output) : QString());
    QFile stdoutFile;
    QIODevice *device = &file;
    if (toFile) {
        if (!file.open(QIODevice::WriteOnly)) {
            err << "perfdashd quality: cannot write " << parser.value(output) << ": " << file.errorString() << '\n';
            return 1;
        }
    } else {
        out.flush();
        if (!stdoutFile.open(stdout, QIODevice::WriteOnly)) {
            err << "perfdashd quality: cannot write to stdout\n";
            return 1;
        }
        device = &stdoutFile;
    }
    CsvWriter csv(device);
    bool ok = csv.writeRow(header());
    for (qsizetype i = 0; ok && i < rows.size(); ++i)
        ok = csv.writeRow(row(rows[i]));
    if (!ok || (toFile && !file.commit())) {
        if (toFile)
            file.cancelWriting();
        err << "perfdashd quality: writing failed: " << device->errorString() << '\n';
        return 1;
    }
    if (toFile)
        err << "perfdashd quality: " << rows.size() << " rows of " << keys.size() << " models to "
            << parser.value(output) << '\n';
    return 0;
}

} // namespace perfdash
