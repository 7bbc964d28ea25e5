// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/sqlitestatement.h"

#include <QSqlDriver>
#include <QVariant>

#include <sqlite3.h>

#include <cstring>

namespace perfdash {

sqlite3 *sqliteHandle(const QSqlDatabase &db)
{
    const QSqlDriver *driver = db.driver();
    if (!driver)
        return nullptr;
    const QVariant v = driver->handle();
    if (!v.isValid() || std::strcmp(v.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(v.constData());
}

SqliteStatement::~SqliteStatement()
{
    sqlite3_finalize(m_stmt);
}

bool SqliteStatement::prepare(const QSqlDatabase &db, const QString &sql)
{
    sqlite3_finalize(m_stmt);
    m_stmt = nullptr;
    m_db = sqliteHandle(db);
    if (!m_db) {
        m_error = QStringLiteral("not an SQLite connection");
        return false;
    }
    const QByteArray utf8 = sql.toUtf8();
    const int rc
        = sqlite3_prepare_v3(m_db, utf8.constData(), int(utf8.size()), SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr);
    if (rc != SQLITE_OK) {
        m_errorCode = rc & 0xff;
        m_error = QString::fromUtf8(sqlite3_errmsg(m_db));
        return false;
    }
    return true;
}

void SqliteStatement::noteBind(int rc)
{
    if (rc != SQLITE_OK && m_bindError == 0)
        m_bindError = rc;
}

void SqliteStatement::bind(int position, qint64 value)
{
    noteBind(sqlite3_bind_int64(m_stmt, position, value));
}

void SqliteStatement::bind(int position, const QByteArray &blob)
{
    if (blob.isNull())
        noteBind(sqlite3_bind_null(m_stmt, position));
    else // an empty, non-null blob stays a zero-length blob, as QSqlQuery binds it
        noteBind(sqlite3_bind_blob64(
            m_stmt, position, blob.isEmpty() ? "" : blob.constData(), sqlite3_uint64(blob.size()), SQLITE_STATIC));
}

void SqliteStatement::bind(int position, const QString &text)
{
    // Copied (SQLITE_TRANSIENT): a QString's UTF-16 may be a temporary's. A null string is NULL, as QSqlQuery binds it.
    if (text.isNull())
        noteBind(sqlite3_bind_null(m_stmt, position));
    else
        noteBind(sqlite3_bind_text16(m_stmt, position, text.constData(), int(text.size()) * 2, SQLITE_TRANSIENT));
}

void SqliteStatement::bindNull(int position)
{
    noteBind(sqlite3_bind_null(m_stmt, position));
}

void SqliteStatement::noteError(int rc)
{
    m_changes = 0;
    m_errorCode = rc & 0xff;
    m_error = QString::fromUtf8(rc == m_bindError ? sqlite3_errstr(rc) : sqlite3_errmsg(m_db));
}

bool SqliteStatement::step()
{
    if (!m_started) { // a new run: what the last one left is no longer the state
        m_started = true;
        m_errorCode = 0;
        m_error.clear();
    }
    if (m_bindError != 0) {
        noteError(m_bindError);
        return false;
    }
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) {
        ++m_rows;
        return true;
    }
    if (rc == SQLITE_DONE) {
        m_changes = sqlite3_changes(m_db);
        return false;
    }
    noteError(rc);
    return false;
}

void SqliteStatement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
    m_rows = 0;
    m_bindError = 0;
    m_started = false;
}

bool SqliteStatement::exec(qint64 *firstColumn)
{
    m_rows = 0;
    while (step()) {
        if (m_rows == 1 && firstColumn)
            *firstColumn = sqlite3_column_int64(m_stmt, 0);
    }
    const bool ok = !failed();
    const int rows = m_rows;
    reset();
    m_rows = rows;
    return ok;
}

int SqliteStatement::changes() const
{
    return m_changes;
}

qint64 SqliteStatement::int64At(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

bool SqliteStatement::isNullAt(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

QByteArray SqliteStatement::blobAt(int column) const
{
    const void *data = sqlite3_column_blob(m_stmt, column);
    return QByteArray(static_cast<const char *>(data), data ? sqlite3_column_bytes(m_stmt, column) : 0);
}

} // namespace perfdash
