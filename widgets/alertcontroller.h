// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/alertpreviewsource.h"
#include "models/rulesstore.h"
#include "widgets/alertrulesdialog.h"

#include <QObject>
#include <QPointer>

namespace perfdash {

class SeriesListModel;

// The main window's Alerts menu and "Alert on this…": opens the rules dialog (one at a time) on the rules file, with
// the series and models seen so far as the editor's choices. GUI thread only; nothing passed in is owned.
class AlertController : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertController)
public:
    AlertController(SeriesListModel *series, QWidget *window);

    // Without a store the dialog cannot open (the menu says so). path: the rules file.
    void setRulesStore(RulesStore *store, const QString &path);
    void setPreviewSource(AlertPreviewSource *source);
    // Alerts → Alert rules…
    AlertRulesDialog *openRules();
    // The rules dialog with the editor open on a new rule for the KPI and model.
    AlertRulesDialog *alertOn(const QString &kpi, const QString &model);
    AlertRulesDialog *dialog() const { return m_dialog; }
    AlertRuleEditor::Choices choices() const;

private:
    SeriesListModel *m_series;
    QWidget *m_window;
    RulesStore *m_store = nullptr;
    QString m_path;
    QPointer<AlertPreviewSource> m_preview;
    QPointer<AlertRulesDialog> m_dialog;
};

} // namespace perfdash
