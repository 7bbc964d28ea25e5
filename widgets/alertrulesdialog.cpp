// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/alertrulesdialog.h"

#include "widgets/theme.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QShortcut>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

QString rulesCount(qsizetype n)
{
    return n == 1 ? AlertRulesDialog::tr("1 rule") : AlertRulesDialog::tr("%1 rules").arg(n);
}

QString errorLines(const QVector<RuleError> &errors)
{
    QStringList lines;
    for (const RuleError &e : errors)
        lines.append(u"• "_s % e.text());
    return lines.join(u'\n');
}

} // namespace

AlertRulesDialog::AlertRulesDialog(RulesStore *store, const QString &path, const AlertRuleEditor::Choices &choices,
    AlertPreviewSource *preview, QWidget *parent)
    : QDialog(parent)
    , m_store(store)
    , m_path(path)
    , m_choices(choices)
    , m_preview(preview)
    , m_defaults(AlertRules::defaults())
{
    setWindowTitle(tr("Alert rules"));
    auto *top = new QVBoxLayout(this);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    top->addWidget(m_status);

    auto *middle = new QHBoxLayout;
    top->addLayout(middle, 1);
    m_list = new QTreeWidget(this);
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setAlternatingRowColors(true);
    m_list->setHeaderLabels({ tr("Name"), tr("Rule"), tr("Severity"), tr("Enabled") });
    m_list->header()->setSectionResizeMode(ColumnName, QHeaderView::ResizeToContents);
    m_list->header()->setSectionResizeMode(ColumnRule, QHeaderView::Stretch);
    m_list->header()->setSectionResizeMode(ColumnSeverity, QHeaderView::ResizeToContents);
    m_list->header()->setSectionResizeMode(ColumnEnabled, QHeaderView::ResizeToContents);
    m_list->header()->setStretchLastSection(false);
    middle->addWidget(m_list, 1);

    auto *side = new QVBoxLayout;
    middle->addLayout(side);
    const auto button = [this, side](const QString &text, auto slot) {
        auto *b = new QPushButton(text, this);
        b->setAutoDefault(false); // Enter in the list edits the rule; it never presses a button
        connect(b, &QPushButton::clicked, this, slot);
        side->addWidget(b);
        return b;
    };
    button(tr("&Add…"), [this]() { addRule(); });
    m_edit = button(tr("&Edit…"), [this]() { editRule(currentRow()); });
    m_duplicate = button(tr("D&uplicate"), [this]() { duplicateRule(currentRow()); });
    m_delete = button(tr("&Delete…"), [this]() {
        const int row = currentRow();
        if (row < 0)
            return;
        const auto answer = QMessageBox::question(
            this, tr("Delete rule"), tr("Delete the rule \"%1\"?").arg(m_set.rules.at(row).displayName()));
        if (answer == QMessageBox::Yes)
            removeRule(row);
    });
    m_toggle = button(tr("Disa&ble"), [this]() {
        const int row = currentRow();
        if (row >= 0)
            setRuleEnabled(row, !m_set.rules.at(row).enabled);
    });
    side->addSpacing(12);
    button(tr("&Import…"), [this]() {
        const QString file = QFileDialog::getOpenFileName(
            this, tr("Import alert rules"), QFileInfo(m_path).absolutePath(), tr("Rules files (*.json)"));
        if (!file.isEmpty())
            importFrom(file);
    });
    button(tr("E&xport…"), [this]() {
        const QString file = QFileDialog::getSaveFileName(
            this, tr("Export alert rules"), QFileInfo(m_path).absolutePath(), tr("Rules files (*.json)"));
        if (!file.isEmpty())
            exportTo(file);
    });
    side->addStretch(1);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    // An action, not the dialog's accept button: that one would become the default, and Enter would save.
    m_save = buttons->addButton(tr("&Save"), QDialogButtonBox::ActionRole);
    for (QAbstractButton *b : buttons->buttons()) {
        if (auto *push = qobject_cast<QPushButton *>(b))
            push->setAutoDefault(false);
    }
    connect(m_save, &QPushButton::clicked, this, &AlertRulesDialog::save);
    connect(buttons, &QDialogButtonBox::rejected, this, &AlertRulesDialog::reject);
    top->addWidget(buttons);

    connect(m_list, &QTreeWidget::itemDoubleClicked, this, [this]() { editRule(currentRow()); });
    m_list->installEventFilter(this);
    connect(m_list, &QTreeWidget::currentItemChanged, this, &AlertRulesDialog::updateButtons);
    connect(m_list, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem *item, int column) {
        if (m_rebuilding || column != ColumnEnabled)
            return;
        const int row = m_list->indexOfTopLevelItem(item);
        setRuleEnabled(row, item->checkState(ColumnEnabled) == Qt::Checked);
    });
    auto *insert = new QShortcut(QKeySequence(Qt::Key_Insert), m_list, nullptr, nullptr, Qt::WidgetShortcut);
    connect(insert, &QShortcut::activated, this, [this]() { addRule(); });
    auto *del = new QShortcut(QKeySequence::Delete, m_list, nullptr, nullptr, Qt::WidgetShortcut);
    connect(del, &QShortcut::activated, m_delete, &QPushButton::click);

    resize(1024, 560);
    load();
    m_list->setFocus();
}

bool AlertRulesDialog::eventFilter(QObject *watched, QEvent *event)
{
    // Enter on a rule edits it, and goes no further: QDialog would look for a default button among all its
    // children, the editor's OK included.
    if (watched == m_list && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Return || key == Qt::Key_Enter) {
            editRule(currentRow());
            return true;
        }
    }
    return QDialog::eventFilter(watched, event);
}

QString AlertRulesDialog::statusText() const
{
    return m_status->text();
}

void AlertRulesDialog::load()
{
    QVector<RuleError> errors;
    RuleSet loaded;
    switch (m_store->load(m_path, &loaded, &errors)) {
    case RulesStore::Found::Missing:
        m_set = m_defaults;
        setStatus(tr("There is no rules file at %1: these are the PERF_* defaults the collector uses without one. "
                     "Save writes them to the file, where you can change them.")
                      .arg(m_path),
            false);
        break;
    case RulesStore::Found::Refused:
        m_refusedOnDisk = true;
        m_set = {};
        setStatus(tr("%1 is refused, so the collector does not use it:\n%2\nFix it in an editor, or add rules here "
                     "and save to replace it.")
                      .arg(m_path, errorLines(errors)),
            true);
        break;
    case RulesStore::Found::Loaded:
        m_set = std::move(loaded);
        setStatus(tr("%1 from %2.").arg(rulesCount(m_set.rules.size()), QDir::toNativeSeparators(m_path)), false);
        break;
    }
    setModified(false);
    rebuild(m_set.rules.isEmpty() ? -1 : 0);
}

void AlertRulesDialog::rebuild(int select)
{
    m_rebuilding = true;
    m_list->clear();
    for (int row = 0; row < m_set.rules.size(); ++row)
        fillItem(new QTreeWidgetItem(m_list), m_set.rules.at(row));
    if (select >= 0 && select < m_list->topLevelItemCount())
        m_list->setCurrentItem(m_list->topLevelItem(select));
    m_rebuilding = false;
    updateButtons();
}

void AlertRulesDialog::fillItem(QTreeWidgetItem *item, const AlertRule &rule)
{
    const bool wasRebuilding = std::exchange(m_rebuilding, true);
    const bool isDefault = m_set.fromDefaults
        && std::any_of(
            m_defaults.rules.cbegin(), m_defaults.rules.cend(), [&rule](const AlertRule &d) { return d == rule; });
    item->setText(ColumnName, isDefault ? tr("%1 (PERF_* default)").arg(rule.displayName()) : rule.displayName());
    item->setText(ColumnRule, rule.describe());
    item->setToolTip(ColumnRule, rule.describe());
    item->setText(ColumnSeverity, AlertRules::severityName(rule.severity));
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(ColumnEnabled, rule.enabled ? Qt::Checked : Qt::Unchecked);
    const QBrush text = palette().brush(rule.enabled ? QPalette::Active : QPalette::Disabled, QPalette::Text);
    for (int c : { ColumnName, ColumnRule, ColumnSeverity })
        item->setForeground(c, text);
    if (rule.severity == AlertRule::Severity::Critical && rule.enabled)
        item->setForeground(
            ColumnSeverity, themeColor(ThemeColor::Bad, palette().color(QPalette::Window).lightness() < 128));
    m_rebuilding = wasRebuilding;
}

int AlertRulesDialog::currentRow() const
{
    QTreeWidgetItem *item = m_list->currentItem();
    return item ? m_list->indexOfTopLevelItem(item) : -1;
}

void AlertRulesDialog::updateButtons()
{
    const int row = currentRow();
    for (QPushButton *b : { m_edit, m_duplicate, m_delete, m_toggle })
        b->setEnabled(row >= 0);
    m_toggle->setText(row >= 0 && !m_set.rules.at(row).enabled ? tr("Ena&ble") : tr("Disa&ble"));
}

void AlertRulesDialog::addRule(const AlertRule &prefill)
{
    AlertRule rule = prefill;
    rule.id.clear();
    openEditor(rule, -1);
}

void AlertRulesDialog::editRule(int row)
{
    if (row >= 0 && row < m_set.rules.size())
        openEditor(m_set.rules.at(row), row);
}

void AlertRulesDialog::openEditor(const AlertRule &rule, int row)
{
    if (m_editor)
        return;
    m_editor = new AlertRuleEditor(rule, m_choices, m_preview, this);
    m_editor->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_editor, &QDialog::accepted, this, [this, row]() { onEditorAccepted(row); });
    // Back to the list, for the keyboard: not every window manager hands the focus back to the parent.
    connect(m_editor, &QDialog::finished, this, [this]() {
        activateWindow();
        m_list->setFocus();
    });
    m_editor->open();
}

void AlertRulesDialog::onEditorAccepted(int row)
{
    std::optional<AlertRule> rule = m_editor ? m_editor->rule() : std::nullopt;
    if (!rule)
        return;
    if (row >= 0 && row < m_set.rules.size()) {
        rule->id = m_set.rules.at(row).id; // ids are stable: alert_events refer to them
        m_set.rules[row] = *rule;
    } else {
        rule->id = AlertRules::uniqueId(m_set, *rule);
        m_set.rules.append(*rule);
        row = int(m_set.rules.size()) - 1;
    }
    setModified(true);
    rebuild(row);
}

void AlertRulesDialog::duplicateRule(int row)
{
    if (row < 0 || row >= m_set.rules.size())
        return;
    AlertRule copy = m_set.rules.at(row);
    copy.name = tr("%1 (copy)").arg(copy.displayName());
    copy.id = AlertRules::uniqueId(m_set, copy);
    m_set.rules.insert(row + 1, copy);
    setModified(true);
    rebuild(row + 1);
}

void AlertRulesDialog::setRuleEnabled(int row, bool enabled)
{
    if (row < 0 || row >= m_set.rules.size() || m_set.rules.at(row).enabled == enabled)
        return;
    m_set.rules[row].enabled = enabled;
    setModified(true);
    // In place: this runs from the list's own itemChanged, where clearing the list would delete the sender.
    fillItem(m_list->topLevelItem(row), m_set.rules.at(row));
    updateButtons();
}

void AlertRulesDialog::removeRule(int row)
{
    if (row < 0 || row >= m_set.rules.size())
        return;
    m_set.rules.removeAt(row);
    setModified(true);
    rebuild(std::min(row, int(m_set.rules.size()) - 1));
}

bool AlertRulesDialog::importFrom(const QString &path)
{
    RuleSet imported;
    QVector<RuleError> errors;
    switch (m_store->load(path, &imported, &errors)) {
    case RulesStore::Found::Missing:
        setStatus(tr("Nothing imported: there is no file at %1.").arg(path), true);
        return false;
    case RulesStore::Found::Refused:
        setStatus(tr("Nothing imported: %1 is refused:\n%2").arg(path, errorLines(errors)), true);
        return false;
    case RulesStore::Found::Loaded:
        break;
    }
    for (AlertRule rule : std::as_const(imported.rules)) {
        // Parsing gave each rule its file's model_id already; an empty model is "*", every model.
        const bool taken = std::any_of(
            m_set.rules.cbegin(), m_set.rules.cend(), [&rule](const AlertRule &r) { return r.id == rule.id; });
        if (taken || rule.id.isEmpty())
            rule.id = AlertRules::uniqueId(m_set, rule);
        m_set.rules.append(rule);
    }
    setStatus(tr("%1 imported from %2; Save writes them to the rules file.")
                  .arg(rulesCount(imported.rules.size()), QDir::toNativeSeparators(path)),
        false);
    setModified(true);
    rebuild(int(m_set.rules.size()) - 1);
    return true;
}

bool AlertRulesDialog::exportTo(const QString &path)
{
    QString error;
    RuleSet set = m_set;
    set.fromDefaults = false;
    if (!m_store->save(path, set, &error)) {
        setStatus(tr("Not exported: %1").arg(error), true);
        return false;
    }
    setStatus(tr("%1 exported to %2.").arg(rulesCount(set.rules.size()), QDir::toNativeSeparators(path)), false);
    return true;
}

bool AlertRulesDialog::save()
{
    if (m_refusedOnDisk) {
        const auto answer = QMessageBox::question(this, tr("Replace the rules file"),
            tr("%1 holds rules that were refused (see above). Replace it with the rules in this list?").arg(m_path));
        if (answer != QMessageBox::Yes)
            return false;
    }
    RuleSet set = m_set;
    set.fromDefaults = false;
    QString error;
    if (!m_store->save(m_path, set, &error)) {
        setStatus(tr("Not saved: %1").arg(error), true);
        return false;
    }
    m_set = set;
    m_refusedOnDisk = false;
    setStatus(tr("%1 saved to %2.").arg(rulesCount(m_set.rules.size()), QDir::toNativeSeparators(m_path)), false);
    setModified(false);
    rebuild(currentRow());
    return true;
}

void AlertRulesDialog::reject()
{
    if (m_modified) {
        const auto answer = QMessageBox::question(this, tr("Unsaved rules"),
            tr("The rules have changes that are not saved. Save them?"),
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
        if (answer == QMessageBox::Cancel || (answer == QMessageBox::Save && !save()))
            return;
    }
    QDialog::reject();
}

void AlertRulesDialog::setStatus(const QString &text, bool problem)
{
    m_status->setText(text);
    const QColor bad = themeColor(ThemeColor::Bad, palette().color(QPalette::Window).lightness() < 128);
    m_status->setStyleSheet(problem ? u"color: %1;"_s.arg(bad.name()) : QString());
}

void AlertRulesDialog::setModified(bool modified)
{
    m_modified = modified;
    setWindowTitle(modified ? tr("Alert rules *") : tr("Alert rules"));
}

} // namespace perfdash
