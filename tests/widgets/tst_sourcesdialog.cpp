// SPDX-License-Identifier: GPL-3.0-or-later
// File → Sources… with the keyboard alone: add a server, test it (a fake probe answers, a late answer is dropped),
// edit, remove, and open a source with its hosts merged or grouped.
#include "models/serverprobe.h"
#include "widgets/sourcesdialog.h"

#include <QCheckBox>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

namespace {
class FakeProbe : public ServerProbe {
public:
    void requestProbe(const QUrl &server, quint64 generation) override { asked.push_back({ server, generation }); }
    QVector<std::pair<QUrl, quint64>> asked;
};

void typeInto(QWidget *window, Qt::Key mnemonic, const QString &text)
{
    QTest::keyClick(window, mnemonic, Qt::AltModifier);
    auto *edit = qobject_cast<QLineEdit *>(QApplication::focusWidget());
    QVERIFY2(edit, "the mnemonic focuses a line edit");
    edit->selectAll();
    QTest::keyClicks(edit, text);
}
QPushButton *button(QWidget *dialog, const QString &text)
{
    for (auto *b : dialog->findChildren<QPushButton *>()) {
        if (b->text() == text)
            return b;
    }
    return nullptr;
}
} // namespace

class TestSourcesDialog : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void addTestAndOpenByKeyboard()
    {
        DataSourceListModel model;
        FakeProbe probe;
        SourcesDialog dialog(&model, &probe, {});
        dialog.show();
        QVERIFY(QTest::qWaitForWindowActive(&dialog));
        QCOMPARE(dialog.currentRow(), 0); // the local collector, the current source
        QVERIFY(qobject_cast<QListView *>(QApplication::focusWidget()));

        typeInto(&dialog, Qt::Key_N, u"team VM"_s);
        typeInto(&dialog, Qt::Key_U, u"http://127.0.0.1:8428"_s);
        QTest::keyClick(&dialog, Qt::Key_A, Qt::AltModifier); // Add (a mnemonic clicks a button after its animation)
        QTRY_COMPARE(model.rowCount(), 2);
        QCOMPARE(dialog.currentRow(), 1);
        QCOMPARE(model.nameAt(1), u"team VM"_s);

        QTest::keyClick(&dialog, Qt::Key_T, Qt::AltModifier); // Test
        QTRY_COMPARE(probe.asked.size(), 1);
        QCOMPARE(probe.asked[0].first, QUrl(u"http://127.0.0.1:8428"_s));
        QVERIFY(dialog.message().startsWith(u"Testing"_s));
        QTest::keyClick(&dialog, Qt::Key_T, Qt::AltModifier); // again: the first answer is now late
        QTRY_COMPARE(probe.asked.size(), 2);
        Q_EMIT probe.probeFailed(probe.asked[0].second, u"connection refused"_s);
        QVERIFY(dialog.message().startsWith(u"Testing"_s));
        Q_EMIT probe.probed(probe.asked[1].second, 12, 2);
        QCOMPARE(dialog.message(), u"Reachable: 12 perfdash series from 2 hosts"_s);
        QCOMPARE(model.index(1).data(DataSourceListModel::TestResultRole).toString(), dialog.message());
        if (qEnvironmentVariableIsSet("PERFDASH_SOURCES_DIALOG_SHOT")) // a picture of the dialog, to look at
            QVERIFY(dialog.grab().save(qEnvironmentVariable("PERFDASH_SOURCES_DIALOG_SHOT")));

        QSignalSpy opened(&dialog, &SourcesDialog::openRequested);
        QTest::keyClick(&dialog, Qt::Key_M, Qt::AltModifier); // Merge hosts
        QTest::keyClick(&dialog, Qt::Key_O, Qt::AltModifier); // Open
        QTRY_COMPARE(opened.size(), 1);
        const auto choice = opened[0][0].value<DataSourceChoice>();
        QCOMPARE(choice.server, QUrl(u"http://127.0.0.1:8428"_s));
        QVERIFY(choice.mergeHosts);
        QVERIFY(!dialog.isVisible());
    }

    void editRemoveAndRefuseByKeyboard()
    {
        DataSourceListModel model;
        model.addServer(u"vm"_s, QUrl(u"http://127.0.0.1:8428"_s));
        model.addServer(u"prom"_s, QUrl(u"http://127.0.0.1:9090"_s));
        SourcesDialog dialog(&model, nullptr, { QUrl(u"http://127.0.0.1:9090"_s), false });
        dialog.show();
        QVERIFY(QTest::qWaitForWindowActive(&dialog));
        QCOMPARE(dialog.currentRow(), 2); // the window's current source
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Up);
        QCOMPARE(dialog.currentRow(), 1);

        typeInto(&dialog, Qt::Key_U, u"http://127.0.0.1:8429"_s);
        QTest::keyClick(&dialog, Qt::Key_P, Qt::AltModifier); // Apply changes
        QTRY_COMPARE(model.urlAt(1), QUrl(u"http://127.0.0.1:8429"_s));

        typeInto(&dialog, Qt::Key_U, u"ftp://nowhere"_s); // not a server: Add and Apply refuse it
        QVERIFY(!button(&dialog, u"&Add"_s)->isEnabled());
        QVERIFY(!button(&dialog, u"A&pply changes"_s)->isEnabled());

        QTest::keyClick(&dialog, Qt::Key_S, Qt::AltModifier); // back to the list
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Home);
        QCOMPARE(dialog.currentRow(), 0);
        QVERIFY(!button(&dialog, u"&Remove"_s)->isEnabled()); // the local collector is never removed
        QVERIFY(!button(&dialog, u"&Test"_s)->isEnabled());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Down);
        QTest::keyClick(&dialog, Qt::Key_R, Qt::AltModifier);
        QTRY_COMPARE(model.rowCount(), 2);
        QCOMPARE(model.nameAt(1), u"prom"_s);

        QSignalSpy opened(&dialog, &SourcesDialog::openRequested);
        QTest::keyClick(&dialog, Qt::Key_S, Qt::AltModifier);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Home);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return); // Open is the default button
        QCOMPARE(opened.size(), 1);
        QVERIFY(opened[0][0].value<DataSourceChoice>().isLocal());
    }

    void escapeClosesWithoutOpening()
    {
        DataSourceListModel model;
        SourcesDialog dialog(&model, nullptr, {});
        QSignalSpy opened(&dialog, &SourcesDialog::openRequested);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowActive(&dialog));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
        QVERIFY(!dialog.isVisible());
        QCOMPARE(opened.size(), 0);
    }
};

QTEST_MAIN(TestSourcesDialog)
#include "tst_sourcesdialog.moc"
