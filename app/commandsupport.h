// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "storage/csvwriter.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QFile>
#include <QSaveFile>
#include <QString>
#include <QTextStream>

#include <optional>

namespace perfdash {

// The command line of one subcommand (`perfdashd stats|export|series|quality`), the same for each: -h/--help prints
// its usage to stdout and exits 0; a bad argument prints "perfdashd NAME: message" and the usage to stderr, exit 2.
class SubcommandLine {
public:
    SubcommandLine(QString name, QString usage);
    QCommandLineParser &parser() { return m_parser; }
    // Parses the subcommand's arguments (after its name). An exit code when the command is done here (0 after
    // --help, 2 after a bad argument or an unexpected positional one); nullopt to go on.
    std::optional<int> parse(const QStringList &arguments, QTextStream &out, QTextStream &err);
    // Reports a bad argument; returns 2.
    int bad(const QString &message, QTextStream &err) const;
    // Takes one positional argument (`perfdashd import ... INPUT`); without this call any positional one is bad.
    void acceptOnePositional(const QString &name, const QString &description);

private:
    QString m_name;
    QString m_usage;
    QCommandLineOption m_help;
    QCommandLineParser m_parser;
    qsizetype m_maxPositional = 0;
};

// What the reporting subcommands (`export`, `quality`) share: the options --db, --from, --to, --step and -o, a
// read-only connection that closes itself, and CSV written atomically to -o FILE or to stdout.
struct WindowCommandOptions {
    QCommandLineOption db;
    QCommandLineOption from;
    QCommandLineOption to;
    QCommandLineOption step;
    QCommandLineOption output;

    WindowCommandOptions();
    void addTo(QCommandLineParser &parser) const;

    struct Range {
        qint64 from = 0; // unix seconds, inclusive: --from rounded down to a multiple of the step
        qint64 to = 0; // exclusive, > from
        qint64 step = 0; // seconds: 1 s, 1 min, 1 h or 1 d
    };
    // --from, --to and --step; nullopt with a message naming the option for bad input. The one place that aligns the
    // buckets of `export` and `quality` to the clock: from = floorTo(--from, step) (storagetiers.h).
    std::optional<Range> range(const QCommandLineParser &parser, qint64 nowSeconds, QString *error) const;
    QString databasePath(const QCommandLineParser &parser) const; // absolute
};

// --from and --to as Unix seconds, from < to (ExportArguments::parseTime); nullopt with a message naming the option.
std::optional<std::pair<qint64, qint64>> commandTimeRange(const QCommandLineParser &parser,
    const QCommandLineOption &from, const QCommandLineOption &to, qint64 nowSeconds, QString *error);

// A read-only connection to perfdash.db for one command; closed when it goes out of scope.
class ReadOnlyConnection {
public:
    explicit ReadOnlyConnection(QString name)
        : m_name(std::move(name))
    { }
    ~ReadOnlyConnection();
    ReadOnlyConnection(const ReadOnlyConnection &) = delete;
    ReadOnlyConnection &operator=(const ReadOnlyConnection &) = delete;

    bool open(const QString &path, QString *error);
    const QString &name() const { return m_name; }

private:
    QString m_name;
};

// CSV to a file, written atomically (QSaveFile: the old file stays until commit), or to stdout for "" and "-".
class CsvOutput {
public:
    bool open(const QString &path, QString *error);
    CsvWriter &csv() { return *m_csv; }
    bool toFile() const { return m_toFile; }
    // Commits the file; false with a message when writing failed (the file is then left as it was).
    bool commit(bool rowsOk, QString *error);

private:
    bool m_toFile = false;
    QSaveFile m_file;
    QFile m_stdout;
    std::optional<CsvWriter> m_csv;
};

} // namespace perfdash
