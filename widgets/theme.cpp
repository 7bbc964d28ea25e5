// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/theme.h"

#include <QApplication>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

Theme themeFromName(const QString &name)
{
    if (name.compare(u"light"_s, Qt::CaseInsensitive) == 0)
        return Theme::Light;
    if (name.compare(u"dark"_s, Qt::CaseInsensitive) == 0)
        return Theme::Dark;
    return Theme::System;
}

bool applyTheme(Theme theme)
{
    // What the platform gave us, kept from the first call, so "system" can be chosen again after light or dark.
    static const QString systemStyle = QApplication::style()->name();
    static const QPalette systemPalette = QApplication::palette();
    if (theme == Theme::System) {
        if (QApplication::style()->name() != systemStyle)
            QApplication::setStyle(QStyleFactory::create(systemStyle));
        QApplication::setPalette(systemPalette);
        return systemPalette.color(QPalette::Window).lightness() < 128;
    }
    // Fusion honours palettes fully on every platform, so both explicit themes use it.
    QApplication::setStyle(QStyleFactory::create(u"Fusion"_s));
    if (theme == Theme::Light) {
        QApplication::setPalette(QApplication::style()->standardPalette());
        return false;
    }
    QPalette dark;
    const QColor window(0x2b, 0x2d, 0x31), base(0x1e, 0x1f, 0x22), text(0xe6, 0xe6, 0xe6);
    dark.setColor(QPalette::Window, window);
    dark.setColor(QPalette::WindowText, text);
    dark.setColor(QPalette::Base, base);
    dark.setColor(QPalette::AlternateBase, window);
    dark.setColor(QPalette::ToolTipBase, base);
    dark.setColor(QPalette::ToolTipText, text);
    dark.setColor(QPalette::Text, text);
    dark.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9a, 0x9a));
    dark.setColor(QPalette::Button, window);
    dark.setColor(QPalette::ButtonText, text);
    dark.setColor(QPalette::BrightText, Qt::red);
    dark.setColor(QPalette::Highlight, QColor(0x2e, 0x86, 0xde));
    dark.setColor(QPalette::HighlightedText, Qt::white);
    dark.setColor(QPalette::Disabled, QPalette::Text, QColor(0x80, 0x80, 0x80));
    dark.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x80, 0x80, 0x80));
    QApplication::setPalette(dark);
    return true;
}

QColor themeColor(ThemeColor role, bool dark)
{
    switch (role) {
    case ThemeColor::Good:
        return dark ? QColor(0x58, 0xd6, 0x8d) : QColor(0x1e, 0x84, 0x49);
    case ThemeColor::Warning:
        // Amber text needs to be darker than the usual #f39c12 to stay readable on white.
        return dark ? QColor(0xf5, 0xb0, 0x41) : QColor(0xa8, 0x62, 0x00);
    case ThemeColor::Bad:
        return dark ? QColor(0xff, 0x7b, 0x6b) : QColor(0xc0, 0x39, 0x2b);
    case ThemeColor::Baseline:
        // Teal: none of the latency, throughput, error or queue lines use it.
        return dark ? QColor(0x48, 0xc9, 0xb0) : QColor(0x13, 0x8d, 0x75);
    case ThemeColor::Projection:
        return dark ? QColor(0xa2, 0x9b, 0xfe) : QColor(0x5b, 0x4c, 0xc4);
    case ThemeColor::Threshold:
        return dark ? QColor(0xff, 0x6b, 0x5b) : QColor(0xd0, 0x21, 0x1a);
    }
    return {};
}

} // namespace perfdash
