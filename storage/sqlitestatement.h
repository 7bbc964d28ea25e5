// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>

struct sqlite3;
struct sqlite3_stmt;

namespace perfdash {

// One prepared statement on the sqlite3 handle under a QSqlDatabase connection (Qt's QSQLITE driver), for the
// statements the storage writer runs thousands of times a flush. QSqlQuery formats a placeholder name with
// QString::arg for every bound value and wraps each in a QVariant: 14 % of a live flush (docs/benchmarks.md,
// "Storage"). Everything else keeps using QSqlQuery. Values are bound by position, from 1, and a blob is bound
// without a copy: it must outlive step().
class SqliteStatement {
public:
    SqliteStatement() = default;
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    // False, with the reason in error(), when the connection is not SQLite or the statement does not compile.
    bool prepare(const QSqlDatabase &db, const QString &sql);

    void bind(int position, qint64 value);
    void bind(int position, const QByteArray &blob);
    void bindNull(int position);

    // Runs the statement to its end and resets it for the next bindings. False on an error, which error() and
    // errorCode() then describe.
    bool exec();
    // Rows changed by the last exec().
    int changes() const;

    QString error() const { return m_error; }
    int errorCode() const { return m_errorCode; } // the primary result code (SQLITE_FULL = 13, SQLITE_BUSY = 5, …)

private:
    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_stmt = nullptr;
    QString m_error;
    int m_errorCode = 0;
    int m_changes = 0;
};

// The sqlite3 handle of a QSQLITE connection, or nullptr.
sqlite3 *sqliteHandle(const QSqlDatabase &db);

} // namespace perfdash
