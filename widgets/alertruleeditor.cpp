// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/alertruleeditor.h"

#include "models/duration.h"
#include "models/kpicatalog.h"
#include "widgets/alertpreviewchart.h"
#include "widgets/theme.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

// A number as the user may type it: in their locale, or with '.' (without group separators, so "1.5" is never 15).
std::optional<double> parseNumber(const QString &text)
{
    QLocale mine;
    mine.setNumberOptions(QLocale::RejectGroupSeparator);
    bool ok = false;
    double v = mine.toDouble(text.trimmed(), &ok);
    if (!ok)
        v = QLocale::c().toDouble(text.trimmed(), &ok);
    return ok ? std::optional<double>(v) : std::nullopt;
}

QString formatNumber(double v)
{
    if (!std::isfinite(v))
        return {};
    QLocale mine;
    mine.setNumberOptions(QLocale::OmitGroupSeparator);
    return mine.toString(v, 'g', 10);
}

// Preview generations, unique across editors: an answer meant for an editor that was closed never matches a new one's.
quint64 nextGeneration()
{
    static quint64 generation = 0;
    return ++generation;
}

// Which of the form's fields a parser error belongs under.
QString fieldKeyOf(const QString &field)
{
    if (field == u"id")
        return u"name"_s;
    if (field == u"direction")
        return u"condition"_s;
    if (field == u"unit")
        return u"threshold"_s;
    if (field == u"recovery_threshold")
        return u"recovery"_s;
    if (field == u"model_id")
        return u"model"_s;
    return field;
}

// The text of an editable combo, or the value of the item whose text it is.
QString comboValue(const QComboBox *combo)
{
    const QString text = combo->currentText().trimmed();
    const int index = combo->findText(text, Qt::MatchExactly);
    return index >= 0 ? combo->itemData(index).toString() : text;
}

void setComboValue(QComboBox *combo, const QString &value)
{
    const int index = combo->findData(value);
    if (index >= 0)
        combo->setCurrentIndex(index);
    else if (combo->isEditable())
        combo->setEditText(value);
}

} // namespace

AlertRuleEditor::AlertRuleEditor(
    const AlertRule &rule, const Choices &choices, AlertPreviewSource *preview, QWidget *parent)
    : QDialog(parent)
    , m_source(preview)
    , m_clock([]() { return QDateTime::currentSecsSinceEpoch(); })
    , m_id(rule.id)
    , m_unit(rule.unit)
    , m_bothDirections(rule.bothDirections)
{
    setWindowTitle(rule.id.isEmpty() ? tr("New alert rule") : tr("Edit alert rule"));
    auto *top = new QVBoxLayout(this);
    auto *columns = new QHBoxLayout;
    top->addLayout(columns, 1);
    auto *formBox = new QWidget(this);
    formBox->setMinimumWidth(400);
    formBox->setMaximumWidth(460);
    auto *form = new QFormLayout(formBox);
    m_form = form;
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    columns->addWidget(formBox);

    m_name = new QLineEdit(rule.name, this);
    m_name->setPlaceholderText(tr("p95 too high (optional)"));

    m_metric = new QComboBox(this);
    m_metric->setEditable(true);
    m_metric->setInsertPolicy(QComboBox::NoInsert);
    for (const KpiCatalog::Definition &d : KpiCatalog::all()) {
        const bool ratio = d.unit.isEmpty() && AlertRules::unitsOf(d.name).contains(u"%"_s);
        const QString unit = ratio ? tr("ratio") : d.unit;
        m_metric->addItem(d.name % u" — "_s % d.caption % (unit.isEmpty() ? QString() : u" ("_s % unit % u')'), d.name);
    }
    if (!choices.series.isEmpty())
        m_metric->insertSeparator(m_metric->count());
    for (const QString &series : choices.series)
        m_metric->addItem(series, series);
    m_metric->lineEdit()->setPlaceholderText(tr("a KPI or a series"));
    if (rule.isKpi())
        setComboValue(m_metric, rule.metric);
    else
        setComboValue(m_metric, AlertRules::toJson(rule).value(u"metric").toString());

    m_aggregation = new QComboBox(this);
    for (const QString &a :
        { u"p50"_s, u"p95"_s, u"p99"_s, u"mean"_s, u"min"_s, u"max"_s, u"last"_s, u"rate"_s, u"count"_s })
        m_aggregation->addItem(a, a);
    setComboValue(m_aggregation, rule.isKpi() ? u"p95"_s : AlertRules::aggregationName(rule.aggregation));

    m_model = new QComboBox(this);
    m_model->setEditable(true);
    m_model->setInsertPolicy(QComboBox::NoInsert);
    m_model->addItem(tr("every model"), QString());
    for (const QString &model : choices.models)
        m_model->addItem(model, model);
    setComboValue(m_model, rule.model);

    m_condition = new QComboBox(this);
    m_condition->addItem(tr("above the threshold"), u"above"_s);
    m_condition->addItem(tr("below the threshold"), u"below"_s);
    m_condition->addItem(tr("worse than its baseline by (%)"), u"outside_baseline"_s);
    m_condition->addItem(tr("projected to breach its limit within (days)"), u"breach_projected_within"_s);
    setComboValue(m_condition, AlertRules::conditionName(rule.condition));

    m_threshold = new QLineEdit(this);
    auto *unitBox = new QWidget(this);
    auto *unitLayout = new QHBoxLayout(unitBox);
    unitLayout->setContentsMargins(0, 0, 0, 0);
    m_thresholdUnit = new QLabel(unitBox);
    m_unitPicker = new QComboBox(unitBox);
    m_unitPicker->setAccessibleName(tr("Unit"));
    unitLayout->addWidget(m_thresholdUnit);
    unitLayout->addWidget(m_unitPicker);
    m_recovery = new QLineEdit(this);
    m_recovery->setPlaceholderText(tr("the threshold (optional)"));
    m_recoveryUnit = new QLabel(this);
    if (!rule.metric.isEmpty()) {
        // In the rule's own unit, as the file writes it.
        const QJsonObject json = AlertRules::toJson(rule);
        m_threshold->setText(formatNumber(json.value(u"threshold").toDouble(AlertRule::nan)));
        m_recovery->setText(formatNumber(json.value(u"recovery").toDouble(AlertRule::nan)));
    }

    m_window = new QLineEdit(rule.window > 0 ? Duration::format(rule.window) : QString(), this);
    m_window->setPlaceholderText(tr("the evaluation interval, or e.g. 15m"));
    m_for = new QLineEdit(rule.forSeconds > 0 ? Duration::format(rule.forSeconds) : QString(), this);
    m_for->setPlaceholderText(tr("0: fire at once, or e.g. 5m"));
    m_keepFiring = new QLineEdit(rule.keepFiringFor > 0 ? Duration::format(rule.keepFiringFor) : QString(), this);
    m_keepFiring->setPlaceholderText(tr("0, or e.g. 10m"));

    m_severity = new QComboBox(this);
    m_severity->addItem(tr("info"), u"info"_s);
    m_severity->addItem(tr("warning"), u"warning"_s);
    m_severity->addItem(tr("critical"), u"critical"_s);
    setComboValue(m_severity, AlertRules::severityName(rule.severity));

    m_noData = new QComboBox(this);
    m_noData->addItem(tr("keep the state"), u"keep_state"_s);
    m_noData->addItem(tr("count as recovered"), u"ok"_s);
    m_noData->addItem(tr("count as alerting"), u"alerting"_s);
    setComboValue(m_noData, AlertRules::noDataName(rule.noData));

    QStringList labels;
    for (auto it = rule.labels.constBegin(); it != rule.labels.constEnd(); ++it)
        labels.append(it.key() % u'=' % it.value());
    m_labels = new QLineEdit(labels.join(u", "_s), this);
    m_labels->setPlaceholderText(tr("team=ml, page=yes"));
    m_enabled = new QCheckBox(tr("&Enabled"), this);
    m_enabled->setChecked(rule.enabled);

    // Rows in tab order.
    addField(tr("&Name"), m_name, u"name"_s);
    addField(tr("&Metric"), m_metric, u"metric"_s);
    m_aggregationRow = addField(tr("A&ggregation"), m_aggregation, u"aggregation"_s);
    addField(tr("M&odel"), m_model, u"model"_s);
    addField(tr("&Condition"), m_condition, u"condition"_s);
    addField(tr("&Threshold"), m_threshold, u"threshold"_s, unitBox);
    m_fieldOf.insert(m_unitPicker, u"threshold"_s);
    addField(tr("&Recovery"), m_recovery, u"recovery"_s, m_recoveryUnit);
    addField(tr("&Window"), m_window, u"window"_s);
    addField(tr("&For"), m_for, u"for"_s);
    addField(tr("&Keep firing for"), m_keepFiring, u"keep_firing_for"_s);
    addField(tr("&Severity"), m_severity, u"severity"_s);
    addField(tr("No &data"), m_noData, u"no_data"_s);
    addField(tr("&Labels"), m_labels, u"labels"_s);
    addField(QString(), m_enabled, u"enabled"_s);
    m_general = new QLabel(this);
    m_general->setWordWrap(true);
    form->addRow(m_general);
    m_aggregationLabel = qobject_cast<QLabel *>(form->labelForField(m_aggregationRow));

    // The preview.
    auto *previewBox = new QVBoxLayout;
    columns->addLayout(previewBox, 1);
    auto *rangeRow = new QHBoxLayout;
    auto *previewTitle = new QLabel(tr("<b>Preview</b> on stored history:"), this);
    rangeRow->addWidget(previewTitle);
    m_day = new QRadioButton(tr("last 2&4 hours"), this);
    m_week = new QRadioButton(tr("last &7 days"), this);
    m_day->setChecked(true);
    auto *range = new QButtonGroup(this);
    range->addButton(m_day, 1);
    range->addButton(m_week, 7);
    rangeRow->addWidget(m_day);
    rangeRow->addWidget(m_week);
    rangeRow->addStretch(1);
    previewBox->addLayout(rangeRow);
    m_chart = new AlertPreviewChart(this);
    previewBox->addWidget(m_chart, 1);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    previewBox->addWidget(m_summary);
    connect(range, &QButtonGroup::idToggled, this, [this](int, bool checked) {
        if (checked)
            validate();
    });

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    top->addWidget(m_buttons);

    m_debounce.setSingleShot(true);
    m_debounce.setInterval(250);
    connect(&m_debounce, &QTimer::timeout, this, &AlertRuleEditor::requestPreview);
    if (m_source) {
        connect(m_source, &AlertPreviewSource::previewReady, this, &AlertRuleEditor::onPreviewReady);
        connect(m_source, &AlertPreviewSource::previewFailed, this, &AlertRuleEditor::onPreviewFailed);
    }

    // A rule given whole shows every message; a new one only those of the fields the user has been to.
    if (!rule.metric.isEmpty()) {
        for (const QString &key : m_errors.keys())
            m_touched.insert(key);
    }
    connect(m_name, &QLineEdit::textEdited, this, [this]() { onEdited(m_name); });
    connect(m_metric, &QComboBox::currentTextChanged, this, [this]() {
        m_unit.clear(); // the unit the file gave belonged to the metric it had
        onEdited(m_metric);
    });
    connect(m_aggregation, &QComboBox::currentIndexChanged, this, [this]() { onEdited(m_aggregation); });
    connect(m_model, &QComboBox::currentTextChanged, this, [this]() { onEdited(m_model); });
    connect(m_condition, &QComboBox::currentIndexChanged, this, [this]() { onEdited(m_condition); });
    connect(m_unitPicker, &QComboBox::currentIndexChanged, this, [this]() {
        m_unit = m_unitPicker->currentData().toString();
        onEdited(m_unitPicker);
    });
    for (QLineEdit *edit : { m_threshold, m_recovery, m_window, m_for, m_keepFiring, m_labels })
        connect(edit, &QLineEdit::textEdited, this, [this, edit]() { onEdited(edit); });
    connect(m_severity, &QComboBox::currentIndexChanged, this, [this]() { onEdited(m_severity); });
    connect(m_noData, &QComboBox::currentIndexChanged, this, [this]() { onEdited(m_noData); });
    connect(m_enabled, &QCheckBox::toggled, this, [this]() { onEdited(m_enabled); });

    resize(1024, 700);
    validate();
}

QWidget *AlertRuleEditor::addField(const QString &label, QWidget *field, const QString &errorKey, QWidget *extra)
{
    auto *box = new QWidget(this);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(1);
    if (extra) {
        auto *row = new QHBoxLayout;
        row->addWidget(field, 1);
        row->addWidget(extra);
        layout->addLayout(row);
    } else {
        layout->addWidget(field);
    }
    auto *error = new QLabel(box);
    error->setWordWrap(true);
    error->setVisible(false);
    error->setObjectName(u"error-"_s % errorKey);
    layout->addWidget(error);
    box->setFocusProxy(field);
    m_errors.insert(errorKey, error);
    m_fieldOf.insert(field, errorKey);
    if (label.isEmpty()) {
        m_form->addRow(box);
    } else {
        auto *l = new QLabel(label, this);
        l->setBuddy(field);
        m_form->addRow(l, box);
    }
    return box;
}

QString AlertRuleEditor::fieldError(const QString &field) const
{
    const QLabel *label = m_errors.value(field);
    return label && !label->isHidden() ? label->text() : QString();
}

bool AlertRuleEditor::isOkEnabled() const
{
    return m_buttons->button(QDialogButtonBox::Ok)->isEnabled();
}

QString AlertRuleEditor::summaryText() const
{
    return m_summary->text();
}

int AlertRuleEditor::previewDays() const
{
    return m_week->isChecked() ? 7 : 1;
}

void AlertRuleEditor::setPreviewDays(int days)
{
    (days >= 7 ? m_week : m_day)->setChecked(true);
}

void AlertRuleEditor::setClock(std::function<qint64()> clock)
{
    m_clock = std::move(clock);
    validate();
}

QString AlertRuleEditor::metricText() const
{
    return comboValue(m_metric);
}

QJsonObject AlertRuleEditor::formObject(QStringList *labelProblems) const
{
    QJsonObject o;
    if (!m_id.isEmpty())
        o.insert(u"id"_s, m_id);
    if (!m_name->text().trimmed().isEmpty())
        o.insert(u"name"_s, m_name->text().trimmed());
    const QString metric = metricText();
    if (!metric.isEmpty())
        o.insert(u"metric"_s, metric);
    if (!metric.isEmpty() && KpiCatalog::canonicalName(metric).isEmpty())
        o.insert(u"aggregation"_s, m_aggregation->currentData().toString());
    const QString model = comboValue(m_model);
    if (!model.isEmpty())
        o.insert(u"model"_s, model);
    const QString condition = m_condition->currentData().toString();
    o.insert(u"condition"_s, condition);
    if (m_bothDirections && condition == u"outside_baseline")
        o.insert(u"direction"_s, u"both"_s);
    // A number when it reads as one; the text otherwise, so the parser's own message says what is wrong.
    const auto number = [&o](const QString &key, const QLineEdit *edit) {
        const QString text = edit->text().trimmed();
        if (text.isEmpty())
            return;
        if (const auto v = parseNumber(text))
            o.insert(key, *v);
        else
            o.insert(key, text);
    };
    number(u"threshold"_s, m_threshold);
    number(u"recovery"_s, m_recovery);
    // The metric's own unit (the picker's first) is written as none, as the file would.
    if (m_unitPicker->isVisibleTo(this) && m_unitPicker->currentIndex() > 0)
        o.insert(u"unit"_s, m_unitPicker->currentData().toString());
    for (const auto &[key, edit] : { std::pair { u"window"_s, m_window }, std::pair { u"for"_s, m_for },
             std::pair { u"keep_firing_for"_s, m_keepFiring } }) {
        if (!edit->text().trimmed().isEmpty())
            o.insert(key, edit->text().trimmed());
    }
    o.insert(u"severity"_s, m_severity->currentData().toString());
    o.insert(u"no_data"_s, m_noData->currentData().toString());
    QJsonObject labels;
    for (const QString &part : m_labels->text().split(u',', Qt::SkipEmptyParts)) {
        const qsizetype eq = part.indexOf(u'=');
        const QString key = part.left(eq).trimmed();
        if (part.trimmed().isEmpty())
            continue;
        if (eq < 0 || key.isEmpty()) {
            labelProblems->append(tr("\"%1\" is not key=value").arg(part.trimmed()));
            continue;
        }
        labels.insert(key, part.mid(eq + 1).trimmed());
    }
    if (!labels.isEmpty())
        o.insert(u"labels"_s, labels);
    o.insert(u"enabled"_s, m_enabled->isChecked());
    return o;
}

void AlertRuleEditor::onEdited(QObject *sender)
{
    m_touched.insert(m_fieldOf.value(sender));
    validate();
}

void AlertRuleEditor::updateMetricDependent()
{
    const QString metric = metricText();
    const bool series = !metric.isEmpty() && KpiCatalog::canonicalName(metric).isEmpty();
    m_aggregationRow->setVisible(series);
    if (m_aggregationLabel)
        m_aggregationLabel->setVisible(series);
    const QString condition = m_condition->currentData().toString();
    const QString kpi = KpiCatalog::canonicalName(metric);
    // Above and below take the KPI's unit or one of its others; baselines a percent; projections days.
    const QStringList units = condition == u"above" || condition == u"below" ? AlertRules::unitsOf(kpi) : QStringList();
    const QString shownFor = kpi % u'|' % condition;
    if (shownFor != m_unitsShown) {
        m_unitsShown = shownFor;
        const QSignalBlocker blocker(m_unitPicker);
        m_unitPicker->clear();
        for (const QString &unit : units)
            m_unitPicker->addItem(unit.isEmpty() ? tr("ratio") : unit, unit);
        // A unit the file wrote in another spelling ("rps") stays as written.
        if (!m_unit.isEmpty() && !units.isEmpty() && m_unitPicker->findData(m_unit) < 0)
            m_unitPicker->addItem(m_unit, m_unit);
        if (!m_unit.isEmpty())
            m_unitPicker->setCurrentIndex(std::max(0, m_unitPicker->findData(m_unit)));
    }
    m_unitPicker->setVisible(units.size() > 1);
    QString unit;
    if (condition == u"outside_baseline")
        unit = u"%"_s;
    else if (condition == u"breach_projected_within")
        unit = tr("days");
    else if (units.size() == 1)
        unit = units.first();
    m_thresholdUnit->setText(unit);
    m_thresholdUnit->setVisible(!unit.isEmpty());
    const QString recoveryUnit = m_unitPicker->isVisibleTo(this) ? m_unitPicker->currentText() : unit;
    m_recoveryUnit->setText(recoveryUnit);
    m_recoveryUnit->setVisible(!recoveryUnit.isEmpty());
}

void AlertRuleEditor::validate()
{
    updateMetricDependent();
    QStringList labelProblems;
    const QJsonObject object = formObject(&labelProblems);
    QVector<RuleError> errors;
    auto parsed = AlertRules::parseRule(object, 0, QString(), &errors);
    QHash<QString, QStringList> messages;
    QStringList general;
    for (const RuleError &e : std::as_const(errors)) {
        const QString key = fieldKeyOf(e.field);
        if (m_errors.contains(key))
            messages[key].append(e.message);
        else
            general.append(e.text());
    }
    if (!labelProblems.isEmpty())
        messages[u"labels"_s].append(labelProblems.join(u"; "_s));
    const QColor bad = themeColor(ThemeColor::Bad, palette().color(QPalette::Window).lightness() < 128);
    for (auto it = m_errors.constBegin(); it != m_errors.constEnd(); ++it) {
        const QString text = messages.value(it.key()).join(u'\n');
        const bool show = !text.isEmpty() && m_touched.contains(it.key());
        it.value()->setText(text);
        it.value()->setStyleSheet(u"color: %1;"_s.arg(bad.name()));
        it.value()->setVisible(show);
    }
    m_general->setText(general.join(u'\n'));
    m_general->setStyleSheet(u"color: %1;"_s.arg(bad.name()));
    m_general->setVisible(!general.isEmpty());
    const bool valid = parsed && labelProblems.isEmpty();
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(valid);
    m_rule = valid ? parsed : std::nullopt;
    if (m_rule && m_rule->id.isEmpty())
        m_rule->id = m_id;
    // Answers to what the form held before are no longer wanted.
    m_generation = nextGeneration();
    if (!m_rule) {
        m_debounce.stop();
        showPreviewMessage(tr("The preview appears when the rule is valid."));
        setSummary(QString());
        return;
    }
    if (!m_source) {
        showPreviewMessage(tr("No stored history to replay: not connected to a collector."));
        setSummary(QString());
        return;
    }
    m_chart->showPending(tr("Replaying…"));
    setSummary(tr("Replaying the rule on the last %1…").arg(previewDays() == 7 ? tr("7 days") : tr("24 hours")));
    m_debounce.start();
}

QPair<qint64, qint64> AlertRuleEditor::previewRange() const
{
    const qint64 interval = AlertRules::intervalFromEnvironment();
    // Evaluation times are multiples of the interval: the range ends on one.
    const qint64 to = m_clock() / interval * interval;
    return { to - qint64(previewDays()) * 86400, to };
}

void AlertRuleEditor::showPreviewMessage(const QString &text)
{
    const auto [from, to] = previewRange();
    m_chart->showMessage(text, from, to);
}

void AlertRuleEditor::requestPreview()
{
    if (!m_rule || !m_source)
        return;
    const auto [from, to] = previewRange();
    AlertRule rule = *m_rule;
    rule.enabled = true; // a disabled rule still previews what it would do
    if (rule.id.isEmpty())
        rule.id = u"preview"_s;
    m_source->requestPreview(rule, from, to, m_generation);
}

void AlertRuleEditor::onPreviewReady(quint64 generation, const AlertPreview &preview)
{
    if (generation != m_generation) {
        ++m_staleDropped;
        return;
    }
    m_chart->showPreview(preview);
    const QString instance = preview.mainInstance();
    QString text = preview.result.describe();
    if (instance.isEmpty())
        text = tr("%1 (no stored data matches the rule in this range)").arg(text);
    setSummary(text);
}

void AlertRuleEditor::onPreviewFailed(quint64 generation, const QString &message)
{
    if (generation != m_generation) {
        ++m_staleDropped;
        return;
    }
    showPreviewMessage(tr("No preview."));
    setSummary(tr("The replay failed: %1").arg(message));
}

void AlertRuleEditor::setSummary(const QString &text)
{
    m_summary->setText(text);
}

} // namespace perfdash
