// SPDX-License-Identifier: GPL-3.0-or-later
// What the preview chart shows of a replay: the instance that fired most, and its firings as spans.
#include "models/alertpreviewsource.h"

#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

class TestAlertPreviewSource : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void mainInstance_data()
    {
        QTest::addColumn<QStringList>("sampled");
        QTest::addColumn<QStringList>("fired"); // one entry per firing
        QTest::addColumn<QString>("expected");
        QTest::newRow("nothing") << QStringList {} << QStringList {} << QString();
        QTest::newRow("no firing: the first by name")
            << QStringList { u"model:b"_s, u"model:a"_s } << QStringList {} << u"model:a"_s;
        QTest::newRow("the one that fired most")
            << QStringList { u"model:a"_s, u"model:b"_s } << QStringList { u"model:b"_s, u"model:a"_s, u"model:b"_s }
            << u"model:b"_s;
        QTest::newRow("a tie: the first by name")
            << QStringList { u"model:a"_s, u"model:b"_s } << QStringList { u"model:b"_s, u"model:a"_s } << u"model:a"_s;
        QTest::newRow("fired without samples kept") << QStringList {} << QStringList { u"model:c"_s } << u"model:c"_s;
    }
    void mainInstance()
    {
        QFETCH(QStringList, sampled);
        QFETCH(QStringList, fired);
        QFETCH(QString, expected);
        AlertPreview preview;
        for (const QString &instance : sampled)
            preview.result.samples.insert(instance, { AlertReplay::Sample {} });
        for (const QString &instance : fired)
            preview.result.firings.append({ instance, 100, 200 });
        QCOMPARE(preview.mainInstance(), expected);
    }

    void firingSpansEndAtTheRangeWhileOpen()
    {
        AlertPreview preview;
        preview.from = 0;
        preview.to = 1000;
        preview.result.firings = { { u"model:a"_s, 100, 200 }, { u"model:b"_s, 150, 300 }, { u"model:a"_s, 900, -1 } };
        const QVector<QPair<qint64, qint64>> expected { { 100, 200 }, { 900, 1000 } };
        QCOMPARE(preview.firingSpans(u"model:a"_s), expected);
        QVERIFY(preview.firingSpans(u"model:z"_s).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestAlertPreviewSource)
#include "tst_alertpreviewsource.moc"
