// SPDX-License-Identifier: GPL-3.0-or-later
#include "collector/bytekeytable.h"

#include <QByteArray>
#include <QTest>

using namespace perfdash;

class TestByteKeyTable : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void findsWhatWasInsertedThroughGrowth()
    {
        ByteKeyTable<int> table;
        QVERIFY(!table.find("a", table.hashOf("a")));
        for (int i = 0; i < 5000; ++i) {
            const QByteArray key = "svc.latency|series:" + QByteArray::number(i);
            QVERIFY(!table.find(key, table.hashOf(key)));
            table.insert(key, table.hashOf(key), i);
        }
        QCOMPARE(table.size(), 5000);
        for (int i = 0; i < 5000; ++i) {
            const QByteArray key = "svc.latency|series:" + QByteArray::number(i);
            const int *value = table.find(key, table.hashOf(key));
            QVERIFY(value);
            QCOMPARE(*value, i);
        }
        QVERIFY(!table.find("svc.latency|series:5000", table.hashOf("svc.latency|series:5000")));
        QVERIFY(!table.find("svc.latency|series:1", table.hashOf("svc.latency|series:10"))); // wrong hash, no match
    }

    void aHashCollisionIsToldApartByTheBytes()
    {
        // Two keys forced onto the same hash: both must be found, each with its own value.
        ByteKeyTable<int> table;
        table.insert("first", 42, 1);
        table.insert("second", 42, 2);
        table.insert("", 42, 3); // the empty key is a key too
        QCOMPARE(*table.find("first", 42), 1);
        QCOMPARE(*table.find("second", 42), 2);
        QCOMPARE(*table.find("", 42), 3);
        QVERIFY(!table.find("third", 42));
        *table.find("second", 42) = 20;
        QCOMPARE(*table.find("second", 42), 20);
    }

    void keepIfDropsTheRestAndAsksOncePerEntry()
    {
        ByteKeyTable<int> table;
        for (int i = 0; i < 1000; ++i) {
            const QByteArray key = QByteArray::number(i);
            table.insert(key, table.hashOf(key), i);
        }
        int asked = 0;
        table.keepIf([&](QByteArrayView key, int value) {
            ++asked;
            return value % 10 == 0 && key == QByteArray::number(value);
        });
        QCOMPARE(asked, 1000);
        QCOMPARE(table.size(), 100);
        for (int i = 0; i < 1000; ++i) {
            const QByteArray key = QByteArray::number(i);
            const int *value = table.find(key, table.hashOf(key));
            QCOMPARE(value != nullptr, i % 10 == 0);
        }
        const QByteArray again = "7";
        table.insert(again, table.hashOf(again), 7); // and it keeps working after the rebuild
        QCOMPARE(*table.find(again, table.hashOf(again)), 7);
        // Keeping every entry (the once-a-minute expiry's usual case, which skips the rebuild) still asks once each.
        int keptAsked = 0;
        table.keepIf([&](QByteArrayView, int) { return ++keptAsked > 0; });
        QCOMPARE(keptAsked, 101);
        QCOMPARE(table.size(), 101);
        QCOMPARE(*table.find(again, table.hashOf(again)), 7);
        table.keepIf([](QByteArrayView, int) { return false; });
        QCOMPARE(table.size(), 0);
        QVERIFY(!table.find(again, table.hashOf(again)));
    }
};

QTEST_GUILESS_MAIN(TestByteKeyTable)
#include "tst_bytekeytable.moc"
