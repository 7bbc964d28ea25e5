// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/gui/guisession.h"

#include <QObject>

#include <memory>

namespace perfdash {

// Owns the window's GuiSession and replaces it when the user chooses another source (File → Sources…, View → Merge
// hosts): a new session for that source, its window where the old one was, shown before the old one closes (so the
// application never sees its last window close). GUI thread.
class SessionSwitcher : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionSwitcher)
public:
    explicit SessionSwitcher(QObject *parent = nullptr);
    ~SessionSwitcher() override;

    // The first session: made, not shown or started (the caller sizes, shows and starts it).
    GuiSession *open(const GuiSession::Options &options);
    GuiSession *session() const { return m_session.get(); }

Q_SIGNALS:
    // A new session replaced the old one, shown and started.
    void switched(perfdash::GuiSession *session);

private:
    void onSourceChosen(const DataSourceChoice &choice);
    void adopt(std::unique_ptr<GuiSession> session, const GuiSession::Options &options);

    std::unique_ptr<GuiSession> m_session;
    GuiSession::Options m_options;
};

} // namespace perfdash
