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
    const int rc = sqlite3_prepare_v3(m_db, utf8.constData(), int(utf8.size()), SQLITE_PREPARE_PERSISTENT, &m_stmt,
                                      nullptr);
    if (rc != SQLITE_OK) {
        m_errorCode = rc & 0xff;
        m_error = QString::fromUtf8(sqlite3_errmsg(m_db));
        return false;
    }
    return true;
}

void SqliteStatement::bind(int position, qint64 value)
{
    sqlite3_bind_int64(m_stmt, position, value);
}

void SqliteStatement::bind(int position, const QByteArray &blob)
{
    if (blob.isNull())
        sqlite3_bind_null(m_stmt, position);
    else // an empty, non-null blob stays a zero-length blob, as QSqlQuery binds it
        sqlite3_bind_blob64(m_stmt, position, blob.isEmpty() ? "" : blob.constData(), sqlite3_uint64(blob.size()),
                            SQLITE_STATIC);
}

void SqliteStatement::bindNull(int position)
{
    sqlite3_bind_null(m_stmt, position);
}

bool SqliteStatement::exec()
{
    int rc = SQLITE_ROW;
    while (rc == SQLITE_ROW)
        rc = sqlite3_step(m_stmt);
    const bool ok = rc == SQLITE_DONE;
    if (ok) {
        m_changes = sqlite3_changes(m_db);
        m_errorCode = 0;
        m_error.clear();
    } else {
        m_changes = 0;
        m_errorCode = sqlite3_extended_errcode(m_db) & 0xff;
        m_error = QString::fromUtf8(sqlite3_errmsg(m_db));
    }
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
    return ok;
}

int SqliteStatement::changes() const
{
    return m_changes;
}

} // namespace perfdash
