// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/alertlistmodel.h"

class QSettings;

namespace perfdash {

// The alert silences the user set, kept in the GUI's settings (group "alerts/silences") so a restart keeps them.
// GUI thread (QSettings of the application).
namespace AlertSilenceSettings {

QVector<AlertSilence> load(QSettings &settings);
void save(QSettings &settings, const QVector<AlertSilence> &silences);

} // namespace AlertSilenceSettings

} // namespace perfdash
