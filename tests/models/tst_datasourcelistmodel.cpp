// SPDX-License-Identifier: GPL-3.0-or-later
// The Sources dialog's list of data sources: the local collector first, remembered servers after it, under
// QAbstractItemModelTester, and their round trip through QSettings.
#include "models/datasourcelistmodel.h"

#include <QAbstractItemModelTester>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

class TestDataSourceListModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void localCollectorIsAlwaysTheFirstRow()
    {
        DataSourceListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 1);
        QVERIFY(model.index(0).data(DataSourceListModel::IsLocalRole).toBool());
        QCOMPARE(model.index(0).data().toString(), u"Local collector"_s);
        QVERIFY(model.urlAt(0).isEmpty());
        QCOMPARE(model.rowOf(QUrl()), 0);
        QVERIFY(!model.removeServer(0));
        QVERIFY(!model.setServer(0, u"x"_s, QUrl(u"http://127.0.0.1:8428"_s)));
        QCOMPARE(model.rowCount(), 1);
    }

    void urlProblems_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("usable");
        QTest::newRow("victoriametrics") << u"http://127.0.0.1:8428"_s << true;
        QTest::newRow("cluster path") << u"http://vm:8481/select/0/prometheus"_s << true;
        QTest::newRow("https") << u"https://prom.example.org"_s << true;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("no scheme") << u"127.0.0.1:8428"_s << false;
        QTest::newRow("ftp") << u"ftp://host/"_s << false;
        QTest::newRow("no host") << u"http://"_s << false;
        QTest::newRow("query") << u"http://host:9090/?q=1"_s << false;
    }
    void urlProblems()
    {
        QFETCH(QString, url);
        QFETCH(bool, usable);
        QCOMPARE(DataSourceListModel::urlProblem(QUrl(url)).isEmpty(), usable);
    }

    void addEditRemoveUnderTheTester()
    {
        DataSourceListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QCOMPARE(model.addServer(u"team VM"_s, QUrl(u"http://127.0.0.1:8428"_s)), 1);
        QCOMPARE(model.addServer(QString(), QUrl(u"http://prom.example.org:9090"_s)), 2);
        QCOMPARE(inserted.size(), 2);
        QCOMPARE(model.nameAt(2), u"prom.example.org"_s); // no name: the host
        QCOMPARE(model.index(1).data().toString(), u"team VM — http://127.0.0.1:8428"_s);
        QCOMPARE(model.addServer(u"again"_s, QUrl(u"http://127.0.0.1:8428/"_s)), -1); // listed already
        QCOMPARE(model.addServer(u"bad"_s, QUrl(u"127.0.0.1:8428"_s)), -1);
        QCOMPARE(model.rowCount(), 3);

        model.setTestResult(1, u"12 perfdash series from 2 hosts"_s);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.last().at(0).toModelIndex().row(), 1);
        QVERIFY(changed.last().at(2).value<QList<int>>().contains(DataSourceListModel::TestResultRole));
        QCOMPARE(
            model.index(1).data(DataSourceListModel::TestResultRole).toString(), u"12 perfdash series from 2 hosts"_s);

        QVERIFY(model.setServer(1, u"fleet"_s, QUrl(u"http://127.0.0.1:8429"_s)));
        QCOMPARE(changed.size(), 2);
        QCOMPARE(model.index(1).data(DataSourceListModel::UrlRole).toString(), u"http://127.0.0.1:8429"_s);
        QVERIFY(model.index(1).data(DataSourceListModel::TestResultRole).toString().isEmpty()); // a new address
        QVERIFY(!model.setServer(1, u"dup"_s, QUrl(u"http://prom.example.org:9090"_s))); // row 2 has it
        QVERIFY(!model.setServer(1, u"bad"_s, QUrl(u"nope"_s)));
        QCOMPARE(model.rowOf(QUrl(u"http://prom.example.org:9090/"_s)), 2);

        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QVERIFY(model.removeServer(1));
        QCOMPARE(removed.size(), 1);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.urlAt(1), QUrl(u"http://prom.example.org:9090"_s));
        QVERIFY(!model.removeServer(5));
    }

    void remembersServersInSettings()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(u"perfdash.ini"_s);
        {
            DataSourceListModel model;
            model.addServer(u"team VM"_s, QUrl(u"http://127.0.0.1:8428"_s));
            model.addServer(u"prom"_s, QUrl(u"https://prom.example.org"_s));
            QSettings settings(file, QSettings::IniFormat);
            model.save(settings);
        }
        {
            QSettings settings(file, QSettings::IniFormat);
            settings.beginWriteArray(u"sources/servers"_s, 3); // a hand-edited, unusable third entry is skipped
            settings.setArrayIndex(2);
            settings.setValue(u"name"_s, u"broken"_s);
            settings.setValue(u"url"_s, u"localhost"_s);
            settings.endArray();
        }
        DataSourceListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSettings settings(file, QSettings::IniFormat);
        model.load(settings);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.nameAt(1), u"team VM"_s);
        QCOMPARE(model.urlAt(2), QUrl(u"https://prom.example.org"_s));
        model.removeServer(1);
        model.save(settings);
        DataSourceListModel again;
        again.load(settings);
        QCOMPARE(again.rowCount(), 2);
        QCOMPARE(again.nameAt(1), u"prom"_s);
    }
};

QTEST_GUILESS_MAIN(TestDataSourceListModel)
#include "tst_datasourcelistmodel.moc"
