// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <optional>

namespace perfdash {

// Durations as users type them in rules, windows and command lines: a positive whole number and one unit, "90s",
// "15m", "1h", "7d", "2w". One parser for the rules file, the rule editor and every command. Pure.
namespace Duration {
// Seconds; nullopt for anything else (no unit, zero, negative, a fraction, or too large to hold in milliseconds).
std::optional<qint64> parse(const QString &text);
// The shortest exact spelling: 900 -> "15m", 5400 -> "90m", 86400 -> "1d", 45 -> "45s"; "0s" for 0.
QString format(qint64 seconds);
} // namespace Duration

} // namespace perfdash
