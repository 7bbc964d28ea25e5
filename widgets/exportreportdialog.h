// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/reportrequest.h"

#include <QDialog>
#include <QPointer>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;

namespace perfdash {

class ReportRunner;

// File → Export report… (and a chart's "Export report…"): what to report, over which range and step, in which form,
// to which file; written by a ReportRunner in the background, with progress and Cancel, and a message that says where
// the file went (docs/reports.md). The last choices are kept in QSettings group "export". Lays out and validates only:
// the report itself is app/reportexport.h.
class ExportReportDialog : public QDialog {
    Q_OBJECT
public:
    struct Context {
        QStringList models; // every model the database has
        QString model; // the source on screen, when it is a model: checked alone
        QString series; // a selector for the source on screen ("*{model=m1}"), the series report's default
        QString host; // a fleet grouped by host: the host of the source on screen, whose series the series report reads
        qint64 viewFrom = 0, viewTo = 0; // the view's range, Unix seconds ("Current view")
        qint64 now = 0;
    };
    ExportReportDialog(ReportRunner *runner, const Context &context, QWidget *parent = nullptr);

    // The request the controls describe; nullopt with a sentence for the first bad field.
    std::optional<ReportRequest> request(QString *error) const;
    QString path() const;
    void setPath(const QString &path);
    bool isExporting() const;

Q_SIGNALS:
    // A report was written: for the main window's status bar.
    void exported(const QString &path, qint64 rows);

public Q_SLOTS:
    void exportNow();
    void reject() override; // cancels a running export first

private:
    enum Range { CurrentView, LastHour, LastDay, LastWeek, LastMonth, Custom };
    void updateEnabled();
    void browse();
    void onFinished(const ReportResult &result, const QString &path);
    void remember() const;
    void restore();
    ReportContent content() const;
    std::pair<qint64, qint64> range() const; // [from, to) of the range chosen

    QPointer<ReportRunner> m_runner;
    Context m_context;
    QComboBox *m_content = nullptr;
    QListWidget *m_models = nullptr;
    QLineEdit *m_series = nullptr;
    QLineEdit *m_module = nullptr;
    QComboBox *m_range = nullptr;
    QDateTimeEdit *m_from = nullptr;
    QDateTimeEdit *m_to = nullptr;
    QComboBox *m_step = nullptr;
    QComboBox *m_columns = nullptr;
    QCheckBox *m_excel = nullptr;
    QLineEdit *m_path = nullptr;
    QPushButton *m_browse = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_message = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_export = nullptr;
};

} // namespace perfdash
