// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/sqlitestatement.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

// SqliteStatement against a real database file through Qt's QSQLITE connection, as the storage writer uses it.
class TestSqliteStatement : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"tst_sqlitestatement"_s);
        m_db.setDatabaseName(m_dir.filePath(u"t%1.db"_s.arg(++m_files)));
        QVERIFY(m_db.open());
        QSqlQuery q(m_db);
        QVERIFY(q.exec(u"CREATE TABLE t(id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, n INTEGER, data BLOB)"_s));
    }

    void cleanup()
    {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(u"tst_sqlitestatement"_s);
    }

    void aStatementThatDoesNotCompileSaysWhy()
    {
        SqliteStatement s;
        QVERIFY(!s.prepare(m_db, u"SELECT nope FROM nowhere"_s));
        QVERIFY2(s.error().contains(u"nowhere"_s), qPrintable(s.error()));
        QCOMPARE(s.errorCode(), 1); // SQLITE_ERROR
    }

    void valuesComeBackAsBound()
    {
        SqliteStatement insert;
        QVERIFY(insert.prepare(m_db, u"INSERT INTO t(key, n, data) VALUES (?, ?, ?) RETURNING id"_s));
        const QString unicode = u"latency|model:größe ✓"_s;
        const QByteArray blob("\x00\x01\xff", 3);
        qint64 id = -1;
        insert.bind(1, unicode);
        insert.bind(2, qint64(1) << 40);
        insert.bind(3, blob);
        QVERIFY2(insert.exec(&id), qPrintable(insert.error()));
        QCOMPARE(insert.rows(), 1);
        QCOMPARE(insert.changes(), 1);
        QVERIFY(id > 0);
        // An empty blob stays a zero-length blob; a null one and a null integer are NULL.
        qint64 second = -1;
        insert.bind(1, u"empty"_s);
        insert.bindNull(2);
        insert.bind(3, QByteArray(""));
        QVERIFY(insert.exec(&second));
        QCOMPARE(second, id + 1);
        insert.bind(1, u"null"_s);
        insert.bind(2, 7);
        insert.bind(3, QByteArray());
        QVERIFY(insert.exec());

        SqliteStatement select;
        QVERIFY(select.prepare(m_db, u"SELECT key, n, data, typeof(data) FROM t ORDER BY id"_s));
        QStringList seen;
        while (select.step()) {
            seen << QString::fromUtf8(select.blobAt(0)) + u'/'
                    + (select.isNullAt(1) ? u"NULL"_s : QString::number(select.int64At(1))) + u'/'
                    + QString::fromLatin1(select.blobAt(2).toHex()) + u'/' + QString::fromLatin1(select.blobAt(3));
        }
        QVERIFY(!select.failed());
        select.reset();
        QCOMPARE(
            seen, QStringList({ unicode + u"/1099511627776/0001ff/blob"_s, u"empty/NULL//blob"_s, u"null/7//null"_s }));
        // Qt reads the same text SQLite stored from the UTF-16 binding.
        QSqlQuery q(m_db);
        QVERIFY(q.exec(u"SELECT count(*) FROM t WHERE key = 'latency|model:größe ✓'"_s) && q.next());
        QCOMPARE(q.value(0).toInt(), 1);
    }

    void aConflictReturnsNoRow()
    {
        SqliteStatement insert;
        QVERIFY(insert.prepare(m_db, u"INSERT INTO t(key) VALUES (?) ON CONFLICT(key) DO NOTHING RETURNING id"_s));
        qint64 id = -1;
        insert.bind(1, u"a"_s);
        QVERIFY(insert.exec(&id));
        QCOMPARE(insert.rows(), 1);
        qint64 again = -1;
        insert.bind(1, u"a"_s);
        QVERIFY(insert.exec(&again));
        QCOMPARE(insert.rows(), 0);
        QCOMPARE(insert.changes(), 0);
        QCOMPARE(again, -1);
    }

    void failuresAreReportedAndTheStatementStaysUsable()
    {
        SqliteStatement insert;
        QVERIFY(insert.prepare(m_db, u"INSERT INTO t(key, n) VALUES (?, ?)"_s));
        // A binding that does not exist fails the run instead of being ignored.
        insert.bind(1, u"x"_s);
        insert.bind(3, 1);
        QVERIFY(!insert.exec());
        QCOMPARE(insert.errorCode(), 25); // SQLITE_RANGE
        QVERIFY(!insert.error().isEmpty());
        // A constraint: the key is NOT NULL, and a null QString binds NULL.
        insert.bind(1, QString());
        QVERIFY(!insert.exec());
        QCOMPARE(insert.errorCode(), 19); // SQLITE_CONSTRAINT
        QVERIFY2(insert.error().contains(u"NOT NULL"_s), qPrintable(insert.error()));
        // Neither left anything behind. (Text is copied: this temporary is gone before the run.)
        insert.bind(1, QString::fromLatin1(QByteArray("x")));
        insert.bind(2, 2);
        QVERIFY2(insert.exec(), qPrintable(insert.error()));
        QCOMPARE(insert.errorCode(), 0);
        QVERIFY(insert.error().isEmpty());
        QSqlQuery q(m_db);
        QVERIFY(q.exec(u"SELECT group_concat(key || '=' || n) FROM t"_s) && q.next());
        QCOMPARE(q.value(0).toString(), u"x=2"_s);
    }

private:
    QTemporaryDir m_dir;
    QSqlDatabase m_db;
    int m_files = 0; // a new file for every test
};

QTEST_GUILESS_MAIN(TestSqliteStatement)
#include "tst_sqlitestatement.moc"
