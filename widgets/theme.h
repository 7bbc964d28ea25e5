// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace perfdash {

enum class Theme { System, Light, Dark };

Theme themeFromName(const QString &name); // "light", "dark", anything else: system
// Applies the palette to the whole application; returns whether the result is dark.
bool applyTheme(Theme theme);

} // namespace perfdash
