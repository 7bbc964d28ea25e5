// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/commandsupport.h"

#include "app/exportcommand.h"
#include "models/reportrequest.h"
#include "app/runtimepaths.h"
#include "storage/database.h"
#include "storage/storagetiers.h"

#include <QCommandLineParser>
#include <QFileInfo>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

SubcommandLine::SubcommandLine(QString name, QString usage)
    : m_name(std::move(name))
    , m_usage(std::move(usage))
    , m_help(QStringList { u"h"_s, u"help"_s }, u"Print this usage."_s)
{
    m_parser.addOption(m_help);
}

std::optional<int> SubcommandLine::parse(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    if (!m_parser.parse(QStringList { u"perfdashd "_s % m_name } + arguments)) {
        // A request for help wins over whatever else is wrong on the line.
        if (arguments.contains(u"-h"_s) || arguments.contains(u"--help"_s)) {
            out << m_usage;
            return 0;
        }
        return bad(m_parser.errorText(), err);
    }
    if (m_parser.isSet(m_help)) {
        out << m_usage;
        return 0;
    }
    if (m_parser.positionalArguments().size() > m_maxPositional)
        return bad(u"unexpected argument "_s % m_parser.positionalArguments().value(m_maxPositional), err);
    return std::nullopt;
}

void SubcommandLine::acceptOnePositional(const QString &name, const QString &description)
{
    m_parser.addPositionalArgument(name, description);
    m_maxPositional = 1;
}

int SubcommandLine::bad(const QString &message, QTextStream &err) const
{
    err << "perfdashd " << m_name << ": " << message << '\n' << m_usage;
    return 2;
}

WindowCommandOptions::WindowCommandOptions()
    : db(u"db"_s, u"SQLite database file."_s, u"FILE"_s, RuntimePaths::defaultDatabase())
    , from(u"from"_s, u"Start (inclusive)."_s, u"TIME"_s, u"-24h"_s)
    , to(u"to"_s, u"End (exclusive)."_s, u"TIME"_s, u"now"_s)
    , step(u"step"_s, u"Bucket: 1s, 1m, 1h, 1d or auto."_s, u"STEP"_s, u"1h"_s)
    , output(QStringList { u"o"_s, u"output"_s }, u"Output file (default: stdout)."_s, u"FILE"_s)
{ }

void WindowCommandOptions::addTo(QCommandLineParser &parser) const
{
    parser.addOptions({ db, from, to, step, output });
}

std::optional<WindowCommandOptions::Range> WindowCommandOptions::range(
    const QCommandLineParser &parser, qint64 nowSeconds, QString *error) const
{
    QString why;
    const auto fromTime = ExportArguments::parseTime(parser.value(from), nowSeconds, &why);
    if (!fromTime) {
        *error = u"bad --from: "_s % why;
        return std::nullopt;
    }
    const auto toTime = ExportArguments::parseTime(parser.value(to), nowSeconds, &why);
    if (!toTime) {
        *error = u"bad --to: "_s % why;
        return std::nullopt;
    }
    if (*toTime <= *fromTime) {
        *error = u"--to must be later than --from"_s;
        return std::nullopt;
    }
    const bool automatic = parser.value(step) == u"auto";
    const auto stepSeconds
        = automatic ? ReportRequest::autoStep(*toTime - *fromTime) : ExportArguments::parseStep(parser.value(step));
    if (!stepSeconds) {
        *error = u"bad --step \"%1\": use 1s, 1m, 1h, 1d or auto"_s.arg(parser.value(step));
        return std::nullopt;
    }
    // Buckets on the clock (UTC multiples of the step), for every reporting command alike: the first one holds --from.
    return Range { floorTo(*fromTime, *stepSeconds), *toTime, *stepSeconds };
}

QString WindowCommandOptions::databasePath(const QCommandLineParser &parser) const
{
    return QFileInfo(parser.value(db)).absoluteFilePath();
}

ReadOnlyConnection::~ReadOnlyConnection()
{
    Database::close(m_name);
}

bool ReadOnlyConnection::open(const QString &path, QString *error)
{
    const auto result = Database::openReadOnly(m_name, path);
    if (!result.ok)
        *error = u"cannot read "_s % path % u": "_s % result.error;
    return result.ok;
}

std::optional<std::pair<qint64, qint64>> commandTimeRange(const QCommandLineParser &parser,
    const QCommandLineOption &from, const QCommandLineOption &to, qint64 nowSeconds, QString *error)
{
    const auto start = ExportArguments::parseTime(parser.value(from), nowSeconds, error);
    if (!start) {
        *error = u"bad --from: "_s % *error;
        return std::nullopt;
    }
    const auto end = ExportArguments::parseTime(parser.value(to), nowSeconds, error);
    if (!end) {
        *error = u"bad --to: "_s % *error;
        return std::nullopt;
    }
    if (*end <= *start) {
        *error = u"--to must be after --from"_s;
        return std::nullopt;
    }
    return std::make_pair(*start, *end);
}

bool CsvOutput::open(const QString &path, QString *error)
{
    m_toFile = !path.isEmpty() && path != u"-"_s;
    QIODevice *device = nullptr;
    if (m_toFile) {
        m_file.setFileName(path);
        if (!m_file.open(QIODevice::WriteOnly)) {
            *error = u"cannot write "_s % path % u": "_s % m_file.errorString();
            return false;
        }
        device = &m_file;
    } else {
        if (!m_stdout.open(stdout, QIODevice::WriteOnly)) {
            *error = u"cannot write to stdout"_s;
            return false;
        }
        device = &m_stdout;
    }
    m_csv.emplace(device);
    return true;
}

bool CsvOutput::commit(bool rowsOk, QString *error)
{
    if (rowsOk && (!m_toFile || m_file.commit()))
        return true;
    const QString why = m_toFile ? m_file.errorString() : m_stdout.errorString();
    if (m_toFile)
        m_file.cancelWriting();
    *error = u"writing failed: "_s % why;
    return false;
}

} // namespace perfdash
