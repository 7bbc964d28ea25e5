// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/collectorstatusbar.h"

#include <QLabel>
#include <QTest>

using namespace Qt::Literals::StringLiterals;
using namespace perfdash;

class TestCollectorStatusBar : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pushIsShownOnlyWhenConfigured()
    {
        CollectorStatusBar bar;
        CollectorStatus status;
        bar.setStatus(status);
        QCOMPARE(bar.pushText(), QString()); // no --push: nothing
        status.push.configured = true;
        status.push.url = u"http://vm:8428/api/v1/import/prometheus"_s;
        status.push.state = u"ok"_s;
        status.push.sentBatches = 12;
        bar.setStatus(status);
        QCOMPARE(bar.pushText(), u"push ok"_s);
        status.push.droppedShutdown = 2;
        status.push.droppedBufferFull = 1;
        bar.setStatus(status);
        QCOMPARE(bar.pushText(), u"push: 3 dropped"_s);
        status.push.state = u"failing"_s;
        status.push.lastError = u"Connection refused"_s;
        status.push.failures = 4;
        bar.setStatus(status);
        QCOMPARE(bar.pushText(), u"push: failing (Connection refused)"_s);
        QLabel *label = nullptr;
        for (QLabel *l : bar.findChildren<QLabel *>()) {
            if (l->text() == bar.pushText())
                label = l;
        }
        QVERIFY(label);
        QVERIFY2(label->toolTip().contains(u"failed attempts: 4"_s), qPrintable(label->toolTip()));
        QVERIFY(label->toolTip().contains(u"1 buffer full, 0 rejected, 2 at shutdown"_s));
        QVERIFY(label->toolTip().contains(u"last error: Connection refused"_s));
        // The other figures are as before.
        QVERIFY(!bar.statusText().contains(u"push"_s));
        status.push = {};
        bar.setStatus(status);
        QCOMPARE(bar.pushText(), QString());
    }
};

QTEST_MAIN(TestCollectorStatusBar)
#include "tst_collectorstatusbar.moc"
