// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/database.h"

#include "resources/resources.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

// SQLite's primary result codes that matter when opening (sqlite3.h).
constexpr int sqliteBusy = 5;
constexpr int sqliteLocked = 6;
constexpr int sqliteCorrupt = 11;
constexpr int sqliteNotADatabase = 26;

bool exec(QSqlDatabase &db, const QString &sql, QString *error)
{
    QSqlQuery query(db);
    if (query.exec(sql))
        return true;
    if (error)
        *error = query.lastError().text() % u" (in: "_s % sql.left(80) % u')';
    return false;
}

QString pragmaText(QSqlDatabase &db, const QString &pragma)
{
    QSqlQuery query(db);
    if (!query.exec(u"PRAGMA "_s % pragma) || !query.next())
        return {};
    return query.value(0).toString();
}

// Splits a migration file into statements; our SQL has no semicolons inside literals or triggers.
QStringList statementsOf(const QString &script)
{
    QStringList out;
    QString current;
    for (const auto &line : script.split(u'\n')) {
        if (line.trimmed().startsWith(u"--"_s))
            continue;
        current += line % u'\n';
        if (line.trimmed().endsWith(u';')) {
            out.push_back(current.trimmed());
            current.clear();
        }
    }
    if (!current.trimmed().isEmpty())
        out.push_back(current.trimmed());
    return out;
}

bool migrate(QSqlDatabase &db, QString *error)
{
    initResources();
    const QDir dir(u":/perfdash/migrations"_s);
    const auto files = dir.entryList({ u"*.sql"_s }, QDir::Files, QDir::Name);
    int version = Database::schemaVersion(db);
    if (version > Database::latestSchemaVersion) {
        *error = u"the database has schema version %1, newer than this build knows (%2)"_s.arg(version).arg(
            Database::latestSchemaVersion);
        return false;
    }
    for (const auto &name : files) {
        const int fileVersion = name.section(u'_', 0, 0).toInt();
        if (fileVersion <= version)
            continue;
        QFile file(dir.filePath(name));
        if (!file.open(QIODevice::ReadOnly)) {
            *error = u"cannot read migration "_s % name;
            return false;
        }
        const QString script = QString::fromUtf8(file.readAll());
        if (!db.transaction()) {
            *error = db.lastError().text();
            return false;
        }
        for (const auto &statement : statementsOf(script)) {
            if (!exec(db, statement, error)) {
                db.rollback();
                return false;
            }
        }
        if (!exec(db, u"PRAGMA user_version = %1"_s.arg(fileVersion), error) || !db.commit()) {
            db.rollback();
            return false;
        }
        version = fileVersion;
    }
    return true;
}

// Moves the database and its WAL/SHM companions aside; returns the new name of the main file.
QString moveAside(const QString &path)
{
    const QString stamp = QDateTime::currentDateTimeUtc().toString(u"yyyyMMdd'T'HHmmss'Z'"_s);
    const QString target = path % u".corrupt-"_s % stamp;
    QFile::rename(path, target);
    for (const auto &suffix : { u"-wal"_s, u"-shm"_s }) {
        if (QFile::exists(path + suffix))
            QFile::rename(path + suffix, target + suffix);
    }
    return target;
}

bool openConnection(const QString &connectionName, const QString &path, const QString &options, QString *error)
{
    auto db = QSqlDatabase::addDatabase(u"QSQLITE"_s, connectionName);
    db.setDatabaseName(path);
    db.setConnectOptions(options);
    if (db.open())
        return true;
    *error = db.lastError().text();
    return false;
}

} // namespace

int Database::schemaVersion(const QSqlDatabase &db)
{
    QSqlQuery query(db);
    if (!query.exec(u"PRAGMA user_version"_s) || !query.next())
        return -1;
    return query.value(0).toInt();
}

void Database::close(const QString &connectionName)
{
    {
        auto db = QSqlDatabase::database(connectionName, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(connectionName);
}

Database::OpenResult Database::openWritable(const QString &connectionName, const QString &path, int busyTimeoutMs)
{
    OpenResult result;
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath())) {
        result.error = u"cannot create the folder "_s % info.absolutePath();
        return result;
    }
    for (int attempt = 0; attempt < 2; ++attempt) {
        QString error;
        if (!openConnection(connectionName, path, u"QSQLITE_BUSY_TIMEOUT=%1"_s.arg(busyTimeoutMs), &error)) {
            result.error = error;
            return result;
        }
        auto db = QSqlDatabase::database(connectionName, false);
        QString check = u"ok"_s;
        if (QFileInfo::exists(path)) {
            QSqlQuery query(db);
            if (query.exec(u"PRAGMA quick_check"_s) && query.next()) {
                check = query.value(0).toString();
            } else {
                // Only SQLite's own verdict means corruption. Busy, locked, I/O or permission errors say nothing
                // about the file: it may be healthy and in use (another program holding it), so never move it.
                const QSqlError e = query.lastError();
                const int code = e.nativeErrorCode().toInt() & 0xff;
                if (code != sqliteCorrupt && code != sqliteNotADatabase) {
                    query = QSqlQuery();
                    db = {};
                    close(connectionName);
                    result.error = code == sqliteBusy || code == sqliteLocked
                        ? u"%1 is locked by another program (%2); it was left as it is: close that program or "
                          "use another --db"_s.arg(path, e.databaseText())
                        : u"cannot read %1 (%2); it was left as it is"_s.arg(path, e.text());
                    return result;
                }
                check = e.databaseText().isEmpty() ? u"not a database"_s : e.databaseText();
            }
        }
        if (check != u"ok"_s && attempt == 0) {
            db = {};
            close(connectionName);
            const QString movedTo = moveAside(path);
            result.notice = u"The database %1 was corrupt (%2); it was moved to %3 and a new one was created."_s.arg(
                path, check, movedTo);
            continue;
        }
        // WAL lets the GUI read while we write; NORMAL never corrupts and keeps every commit across an app crash.
        QString pragmaError;
        if (pragmaText(db, u"journal_mode=WAL"_s).compare(u"wal"_s, Qt::CaseInsensitive) != 0
            || !exec(db, u"PRAGMA synchronous=NORMAL"_s, &pragmaError)
            || !exec(db, u"PRAGMA foreign_keys=ON"_s, &pragmaError)) {
            result.error = u"cannot switch %1 to WAL mode: %2"_s.arg(path, pragmaError);
            return result;
        }
        if (!migrate(db, &result.error))
            return result;
        result.ok = true;
        return result;
    }
    result.error = u"the database stays corrupt after being moved aside"_s;
    return result;
}

Database::OpenResult Database::openReadOnly(const QString &connectionName, const QString &path)
{
    OpenResult result;
    if (!QFileInfo::exists(path)) {
        result.error = u"no database yet at "_s % path;
        return result;
    }
    QString error;
    if (!openConnection(connectionName, path, u"QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=2000"_s, &error)) {
        result.error = error;
        return result;
    }
    auto db = QSqlDatabase::database(connectionName, false);
    if (schemaVersion(db) < 1) {
        result.error = u"the database has no schema yet"_s;
        return result;
    }
    result.ok = true;
    return result;
}

} // namespace perfdash
