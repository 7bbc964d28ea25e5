// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/alertpreviewsource.h"
#include "models/alertrule.h"

#include <QDialog>
#include <QHash>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include <functional>
#include <optional>

class QAbstractButton;
class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QRadioButton;

namespace perfdash {

class AlertPreviewChart;

// The form for one alert rule, with a live preview. Every field is validated by AlertRules::parseRule, the rules
// file's own parser, and its message shown under the field; OK is enabled only while the rule is valid. While it is,
// the rule is replayed on stored history (the last 24 h or 7 d) through an AlertPreviewSource, 250 ms after the last
// edit; answers to older requests are dropped by generation. GUI thread only. Does no I/O.
class AlertRuleEditor : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertRuleEditor)
public:
    // What the pickers offer besides the KPIs: the series seen (selectors, "api.latency{route=/a}") and models seen.
    struct Choices {
        QStringList series;
        QStringList models;
    };

    // rule: the form's first values (an empty id: a new rule). preview: not owned, may be null or go away (then the
    // preview says there is no history to replay).
    AlertRuleEditor(
        const AlertRule &rule, const Choices &choices, AlertPreviewSource *preview, QWidget *parent = nullptr);

    // The rule as the form holds it; nullopt while any field is invalid.
    std::optional<AlertRule> rule() const { return m_rule; }
    // The message shown under a field ("threshold", "metric", "window"…); empty when none is shown.
    QString fieldError(const QString &field) const;
    bool isOkEnabled() const;
    QString summaryText() const; // under the preview: the replay's describe(), or why there is none
    AlertPreviewChart *previewChart() const { return m_chart; }
    int previewDays() const;
    void setPreviewDays(int days); // 1 or 7
    // Unix seconds; the wall clock unless a test sets another.
    void setClock(std::function<qint64()> clock);
    int staleAnswersDropped() const { return m_staleDropped; }

private:
    QWidget *addField(const QString &label, QWidget *field, const QString &errorKey, QWidget *extra = nullptr);
    QJsonObject formObject(QStringList *labelProblems) const;
    QString metricText() const;
    void onEdited(QObject *sender);
    void validate();
    void updateMetricDependent();
    QPair<qint64, qint64> previewRange() const; // (from, to], unix seconds
    void showPreviewMessage(const QString &text);
    void requestPreview();
    void onPreviewReady(quint64 generation, const perfdash::AlertPreview &preview);
    void onPreviewFailed(quint64 generation, const QString &message);
    void setSummary(const QString &text);

    QPointer<AlertPreviewSource> m_source;
    std::function<qint64()> m_clock;
    QString m_id; // kept across edits: alert_events refer to it
    QString m_unit; // the rule's unit as the file wrote it, until the metric changes
    bool m_bothDirections = false;
    QFormLayout *m_form = nullptr;
    QLineEdit *m_name = nullptr;
    QComboBox *m_metric = nullptr;
    QComboBox *m_aggregation = nullptr;
    QWidget *m_aggregationRow = nullptr;
    QLabel *m_aggregationLabel = nullptr;
    QComboBox *m_model = nullptr;
    QComboBox *m_condition = nullptr;
    QLineEdit *m_threshold = nullptr;
    QLabel *m_thresholdUnit = nullptr; // the unit when there is no choice (%, days, a series' none)
    QComboBox *m_unitPicker = nullptr; // the units the threshold may be written in (AlertRules::unitsOf)
    QString m_unitsShown; // the metric and condition the picker was filled for
    QLineEdit *m_recovery = nullptr;
    QLabel *m_recoveryUnit = nullptr;
    QLineEdit *m_window = nullptr;
    QLineEdit *m_for = nullptr;
    QLineEdit *m_keepFiring = nullptr;
    QComboBox *m_severity = nullptr;
    QComboBox *m_noData = nullptr;
    QLineEdit *m_labels = nullptr;
    QCheckBox *m_enabled = nullptr;
    QRadioButton *m_day = nullptr;
    QRadioButton *m_week = nullptr;
    AlertPreviewChart *m_chart = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_general = nullptr; // problems of no one field
    QDialogButtonBox *m_buttons = nullptr;
    QHash<QString, QLabel *> m_errors; // by field key
    QHash<QObject *, QString> m_fieldOf; // input widget -> field key
    QSet<QString> m_touched; // fields edited or given: only their messages show
    std::optional<AlertRule> m_rule;
    QTimer m_debounce;
    quint64 m_generation = 0;
    int m_staleDropped = 0;
};

} // namespace perfdash
