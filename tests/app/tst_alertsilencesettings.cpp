// SPDX-License-Identifier: GPL-3.0-or-later
// Alert silences in the GUI's settings: what is saved comes back after a restart, and a shorter list leaves nothing
// of a longer one behind.
#include "app/gui/alertsilencesettings.h"

#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace perfdash;
using namespace Qt::Literals::StringLiterals;

class TestAlertSilenceSettings : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTrip()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"perfdash.conf"_s);
        const AlertSilence hour { u"latency-high"_s, u"model:resnet50"_s, 1795464000, 1795467600, false };
        const AlertSilence resolved { u"errors-high"_s, u"inference.errors|model:bert"_s, 1795464100, 0, true };
        {
            QSettings settings(path, QSettings::IniFormat);
            AlertSilenceSettings::save(settings, { hour, resolved });
        }
        {
            QSettings settings(path, QSettings::IniFormat); // the next run
            QCOMPARE(AlertSilenceSettings::load(settings), (QVector<AlertSilence> { hour, resolved }));
            AlertSilenceSettings::save(settings, { resolved });
        }
        QSettings settings(path, QSettings::IniFormat);
        QCOMPARE(AlertSilenceSettings::load(settings), QVector<AlertSilence> { resolved });
        AlertSilenceSettings::save(settings, {});
        QVERIFY(AlertSilenceSettings::load(settings).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestAlertSilenceSettings)
#include "tst_alertsilencesettings.moc"
