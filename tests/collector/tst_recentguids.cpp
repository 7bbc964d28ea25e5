// SPDX-License-Identifier: GPL-3.0-or-later
// The collector's memory of recent guids (docs/protocol.md, "Identity"): a resend within the window is known whatever
// the case of its hex digits; the window and the capacity let old guids go, also when no new guid arrives.
#include "collector/recentguids.h"

#include <QTest>

using namespace perfdash;

class TestRecentGuids : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aResendIsKnownInEitherCase()
    {
        RecentGuids guids;
        const std::string lower = "6f1c3b2a-9d4e-4f5a-8b7c-0d1e2f3a4b5c";
        const std::string upper = "6F1C3B2A-9D4E-4F5A-8B7C-0D1E2F3A4B5C";
        QVERIFY(!guids.contains(lower, 100));
        guids.remember(upper, 100);
        QVERIFY(guids.contains(lower, 101));
        QVERIFY(guids.contains(upper, 101));
        QVERIFY(!guids.contains("7f1c3b2a-9d4e-4f5a-8b7c-0d1e2f3a4b5c", 101));
        QVERIFY(!guids.contains({}, 101)); // no guid: never a resend
        guids.remember({}, 101);
        QCOMPARE(guids.size(), size_t(1));
    }

    void oldGuidsGoWithTheWindowEvenWhenNothingNewArrives()
    {
        RecentGuids guids(600);
        const std::string g = "6f1c3b2a-9d4e-4f5a-8b7c-0d1e2f3a4b5c";
        guids.remember(g, 1000);
        QVERIFY(guids.contains(g, 1599));
        QVERIFY(!guids.contains(g, 1600)); // ten minutes on: an older resend is not skipped whole
        QCOMPARE(guids.size(), size_t(0));
    }

    void theOldestGoFirstWhenFull()
    {
        RecentGuids guids(600, 3);
        const auto guid = [](int i) { return "00000000-0000-4000-8000-00000000000" + std::to_string(i); };
        for (int i = 0; i < 4; ++i)
            guids.remember(guid(i), 10 + i);
        QCOMPARE(guids.size(), size_t(3));
        QVERIFY(!guids.contains(guid(0), 20));
        for (int i = 1; i < 4; ++i)
            QVERIFY(guids.contains(guid(i), 20));
        guids.remember(guid(3), 21); // remembered already: no second entry
        QCOMPARE(guids.size(), size_t(3));
    }
};

QTEST_GUILESS_MAIN(TestRecentGuids)
#include "tst_recentguids.moc"
