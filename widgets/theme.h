// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QColor>
#include <QString>

namespace perfdash {

enum class Theme { System, Light, Dark };

Theme themeFromName(const QString &name); // "light", "dark", anything else: system
// Applies the palette to the whole application; returns whether the result is dark.
bool applyTheme(Theme theme);

// Colours that carry a meaning, in one place so the light and dark variants stay together. Each has enough contrast
// on its theme's window and base colours to be used for text.
enum class ThemeColor {
    Good, // better than the reference, within the baseline
    Warning, // degraded: off the baseline but within its limit
    Bad, // worse than the reference, past a limit
    Baseline, // a chart's baseline band and its centre line
    Projection, // a chart's trend projection and its cone
    Threshold, // a chart's limit line
};
QColor themeColor(ThemeColor role, bool dark);

} // namespace perfdash
