// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/alertcontroller.h"

#include "models/serieslistmodel.h"
#include "models/seriesselector.h"
#include "models/sourcecatalog.h"
#include "widgets/alertrulesdialog.h"

#include <QMessageBox>
#include <QSet>

namespace perfdash {

AlertController::AlertController(SeriesListModel *series, QWidget *window)
    : QObject(window)
    , m_series(series)
    , m_window(window)
{ }

void AlertController::setRulesStore(RulesStore *store, const QString &path)
{
    m_store = store;
    m_path = path;
}

void AlertController::setPreviewSource(AlertPreviewSource *source)
{
    m_preview = source;
}

AlertRuleEditor::Choices AlertController::choices() const
{
    AlertRuleEditor::Choices choices;
    QSet<QString> models;
    for (int row = 0; m_series && row < m_series->rowCount(); ++row) {
        const QString key = m_series->keyAt(row);
        choices.series.append(SeriesSelector::displayName(key));
        for (const SourceRef &source : sourcesOf(key)) {
            if (source.kind == SourceRef::Kind::Model)
                models.insert(source.name);
        }
    }
    choices.series.sort();
    choices.models = QStringList(models.cbegin(), models.cend());
    choices.models.sort();
    return choices;
}

AlertRulesDialog *AlertController::openRules()
{
    if (m_dialog) {
        m_dialog->raise();
        m_dialog->activateWindow();
        return m_dialog;
    }
    if (!m_store) {
        QMessageBox::information(m_window, tr("Alert rules"), tr("This window has no access to a rules file."));
        return nullptr;
    }
    m_dialog = new AlertRulesDialog(m_store, m_path, choices(), m_preview, m_window);
    m_dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_dialog->show();
    return m_dialog;
}

AlertRulesDialog *AlertController::alertOn(const QString &kpi, const QString &model)
{
    AlertRulesDialog *dialog = openRules();
    if (!dialog)
        return nullptr;
    AlertRule rule;
    rule.metric = kpi;
    rule.model = model;
    dialog->addRule(rule);
    return dialog;
}

} // namespace perfdash
