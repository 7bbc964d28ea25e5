// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/gui/sessionswitcher.h"

#include "widgets/mainwindow.h"

#include <QTimer>

namespace perfdash {

SessionSwitcher::SessionSwitcher(QObject *parent)
    : QObject(parent)
{ }

SessionSwitcher::~SessionSwitcher() = default;

GuiSession *SessionSwitcher::open(const GuiSession::Options &options)
{
    adopt(std::make_unique<GuiSession>(options), options);
    return m_session.get();
}

void SessionSwitcher::adopt(std::unique_ptr<GuiSession> session, const GuiSession::Options &options)
{
    m_session = std::move(session);
    m_options = options;
    connect(m_session.get(), &GuiSession::sourceChosen, this, [this](const DataSourceChoice &choice) {
        // Not inside the old window's own signal: the old window is deleted on the way.
        QTimer::singleShot(0, this, [this, choice]() { onSourceChosen(choice); });
    });
}

void SessionSwitcher::onSourceChosen(const DataSourceChoice &choice)
{
    GuiSession::Options options = m_options;
    options.source = choice;
    auto next = std::make_unique<GuiSession>(options);
    next->window()->restoreGeometry(m_session->window()->saveGeometry());
    if (m_session->window()->isVisible())
        next->window()->show();
    next->start();
    m_session->window()->close(); // saves the window's settings
    m_session.reset();
    adopt(std::move(next), options);
    Q_EMIT switched(m_session.get());
}

} // namespace perfdash
