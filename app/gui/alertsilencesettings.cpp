// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/gui/alertsilencesettings.h"

#include <QSettings>

using namespace Qt::Literals::StringLiterals;

namespace perfdash::AlertSilenceSettings {

QVector<AlertSilence> load(QSettings &settings)
{
    QVector<AlertSilence> out;
    const int n = settings.beginReadArray(u"alerts/silences"_s);
    for (int i = 0; i < n; ++i) {
        settings.setArrayIndex(i);
        AlertSilence s;
        s.ruleId = settings.value(u"rule"_s).toString();
        s.instance = settings.value(u"instance"_s).toString();
        s.from = settings.value(u"from"_s).toLongLong();
        s.until = settings.value(u"until"_s).toLongLong();
        s.untilResolved = settings.value(u"untilResolved"_s).toBool();
        if (!s.ruleId.isEmpty())
            out.push_back(s);
    }
    settings.endArray();
    return out;
}

void save(QSettings &settings, const QVector<AlertSilence> &silences)
{
    settings.remove(u"alerts/silences"_s); // an array written shorter keeps the old tail otherwise
    settings.beginWriteArray(u"alerts/silences"_s, int(silences.size()));
    for (int i = 0; i < silences.size(); ++i) {
        settings.setArrayIndex(i);
        const AlertSilence &s = silences[i];
        settings.setValue(u"rule"_s, s.ruleId);
        settings.setValue(u"instance"_s, s.instance);
        settings.setValue(u"from"_s, s.from);
        settings.setValue(u"until"_s, s.until);
        settings.setValue(u"untilResolved"_s, s.untilResolved);
    }
    settings.endArray();
}

} // namespace perfdash::AlertSilenceSettings
