// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/rulesstore.h"
#include "widgets/alertruleeditor.h"

#include <QDialog>
#include <QPointer>

class QLabel;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace perfdash {

// Alerts → Alert rules: the rules of a rules file in a list (name, what it watches, severity, enabled) with Add, Edit,
// Duplicate, Delete, Enable/disable, Import and Export, and Save, which writes the whole file atomically through the
// RulesStore. Without a file it shows the PERF_* defaults the collector then uses, marked as such; a file that is
// refused shows why (rule and field) and is replaced only if the user says so. Rules are edited in AlertRuleEditor,
// opened window-modal. GUI thread only; the store and the preview source are not owned (the preview may be null).
class AlertRulesDialog : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertRulesDialog)
public:
    enum Column { ColumnName, ColumnRule, ColumnSeverity, ColumnEnabled };

    AlertRulesDialog(RulesStore *store, const QString &path, const AlertRuleEditor::Choices &choices,
        AlertPreviewSource *preview, QWidget *parent = nullptr);

    const RuleSet &rules() const { return m_set; }
    QString path() const { return m_path; }
    bool isModified() const { return m_modified; }
    bool isShowingDefaults() const { return m_set.fromDefaults; }
    // The line above the list: where the rules come from, or what was wrong (a refused file, a failed save).
    QString statusText() const;
    QTreeWidget *list() const { return m_list; }
    // The editor opened by Add or Edit while it is open, for tests.
    AlertRuleEditor *editor() const { return m_editor; }

    // Opens the editor for a new rule, its fields filled from `prefill` ("Alert on this…").
    void addRule(const AlertRule &prefill = {});
    void editRule(int row);
    void duplicateRule(int row);
    void setRuleEnabled(int row, bool enabled);
    void removeRule(int row); // without asking; the Delete button asks first
    // Appends every rule of a rules file, or none when it is refused (the status then says which rule and field).
    bool importFrom(const QString &path);
    bool exportTo(const QString &path);
    // Writes the rules file. A refused file on disk is replaced only after asking.
    bool save();

    // Close: asks to save unsaved changes first.
    void reject() override;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void load();
    void rebuild(int select = -1);
    void fillItem(QTreeWidgetItem *item, const AlertRule &rule);
    int currentRow() const;
    void openEditor(const AlertRule &rule, int row);
    void onEditorAccepted(int row);
    void setStatus(const QString &text, bool problem);
    void setModified(bool modified);
    void updateButtons();

    RulesStore *m_store;
    QString m_path;
    AlertRuleEditor::Choices m_choices;
    QPointer<AlertPreviewSource> m_preview;
    RuleSet m_set;
    RuleSet m_defaults; // what the PERF_* defaults are, to mark rows still at them
    bool m_refusedOnDisk = false;
    bool m_modified = false;
    QLabel *m_status = nullptr;
    QTreeWidget *m_list = nullptr;
    QPushButton *m_edit = nullptr;
    QPushButton *m_duplicate = nullptr;
    QPushButton *m_delete = nullptr;
    QPushButton *m_toggle = nullptr;
    QPushButton *m_save = nullptr;
    QPointer<AlertRuleEditor> m_editor;
    bool m_rebuilding = false;
};

} // namespace perfdash
