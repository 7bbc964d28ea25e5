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
// "Storage"), and a new series cost six QSqlQuery runs (half the writer's time with 100,000 new series). Everything
// else keeps using QSqlQuery. Values are bound by position, from 1; a blob is bound without a copy (it must outlive
// the run), text is copied.
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
    void bind(int position, const QString &text);
    void bindNull(int position);

    // Runs the statement to its end and resets it for the next bindings. False on an error (a failed binding
    // included), which error() and errorCode() then describe. With firstColumn, the first row's first column is
    // stored there when a row came (rows() says whether one did).
    bool exec(qint64 *firstColumn = nullptr);
    // Rows changed by the last exec(), and rows it returned.
    int changes() const;
    int rows() const { return m_rows; }

    // Row by row, for queries: step() is true while it moves onto a row, whose columns the column functions read;
    // false at the end or on an error (failed() tells which). reset() makes it ready for new bindings.
    bool step();
    bool failed() const { return m_errorCode != 0; }
    void reset();
    qint64 int64At(int column) const;
    bool isNullAt(int column) const;
    QByteArray blobAt(int column) const; // a copy; null for NULL

    QString error() const { return m_error; }
    int errorCode() const { return m_errorCode; } // the primary result code (SQLITE_FULL = 13, SQLITE_BUSY = 5, …)

private:
    void noteBind(int rc);
    void noteError(int rc);

    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_stmt = nullptr;
    QString m_error;
    int m_errorCode = 0;
    int m_changes = 0;
    int m_rows = 0;
    int m_bindError = 0; // the first failed binding since the last run
    bool m_started = false; // step() ran since the last reset()
};

// The sqlite3 handle of a QSQLITE connection, or nullptr.
sqlite3 *sqliteHandle(const QSqlDatabase &db);

} // namespace perfdash
