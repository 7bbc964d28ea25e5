// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/exportreportdialog.h"

#include "models/reportrunner.h"
#include "models/seriesselector.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>
#include <QStringBuilder>
#include <QTimeZone>
#include <QUrl>
#include <QVBoxLayout>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {

constexpr qint64 kSteps[] = { 0, 1, 60, 3600, 86400 }; // 0: auto

QDateTime utc(qint64 seconds)
{
    return QDateTime::fromSecsSinceEpoch(seconds, QTimeZone::utc());
}

} // namespace

ExportReportDialog::ExportReportDialog(ReportRunner *runner, const Context &context, QWidget *parent)
    : QDialog(parent)
    , m_runner(runner)
    , m_context(context)
{
    setWindowTitle(tr("Export report"));
    auto *form = new QFormLayout;

    m_content = new QComboBox;
    for (ReportContent c : runner->contents())
        m_content->addItem(ReportContents::caption(c), ReportContents::name(c));
    form->addRow(tr("&Report:"), m_content);

    m_models = new QListWidget;
    m_models->setMaximumHeight(fontMetrics().height() * 6);
    for (const QString &m : context.models) {
        auto *item = new QListWidgetItem(m, m_models);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(context.model.isEmpty() || m == context.model ? Qt::Checked : Qt::Unchecked);
    }
    m_models->setToolTip(tr("The models the KPI report holds; Space checks or unchecks one"));
    form->addRow(tr("&Models:"), m_models);

    m_series = new QLineEdit(context.series.isEmpty() ? u"*"_s : context.series);
    m_series->setPlaceholderText(tr("name or api.*{model=m1}"));
    m_series->setToolTip(tr("A series selector: * and ? match any text and one character (docs/series.md)"));
    form->addRow(tr("&Series:"), m_series);

    m_module = new QLineEdit;
    m_module->setPlaceholderText(tr("every module"));
    form->addRow(tr("M&odule:"), m_module);

    m_range = new QComboBox;
    m_range->addItems({ tr("Current view"), tr("Last hour"), tr("Last 24 hours"), tr("Last 7 days"), tr("Last 30 days"),
        tr("Custom") });
    m_from = new QDateTimeEdit(utc(context.viewFrom));
    m_to = new QDateTimeEdit(utc(context.viewTo));
    for (QDateTimeEdit *edit : { m_from, m_to }) {
        edit->setTimeSpec(Qt::UTC);
        edit->setDisplayFormat(u"yyyy-MM-dd HH:mm 'UTC'"_s);
        edit->setCalendarPopup(true);
    }
    m_from->setToolTip(tr("Start (UTC); choose Custom in Range to change it"));
    m_to->setToolTip(tr("End (UTC, exclusive)"));
    auto *custom = new QHBoxLayout;
    custom->addWidget(m_from);
    custom->addWidget(new QLabel(u"–"_s));
    custom->addWidget(m_to);
    form->addRow(tr("R&ange:"), m_range);
    form->addRow(QString(), custom);

    m_step = new QComboBox;
    m_step->addItems({ tr("Auto"), tr("1 second"), tr("1 minute"), tr("1 hour"), tr("1 day") });
    form->addRow(tr("S&tep:"), m_step);

    m_columns = new QComboBox;
    m_columns->addItems({ tr("One column per tag (model, status…)"), tr("One series column (name{tag=value})") });
    form->addRow(tr("&Columns:"), m_columns);
    m_excel = new QCheckBox(tr("For Exce&l (byte order mark, times as 2026-11-23 20:00:00 UTC)"));
    form->addRow(QString(), m_excel);

    m_path = new QLineEdit;
    m_browse = new QPushButton(tr("&Browse…"));
    auto *file = new QHBoxLayout;
    file->addWidget(m_path, 1);
    file->addWidget(m_browse);
    auto *fileLabel = new QLabel(tr("&File:"));
    fileLabel->setBuddy(m_path);
    form->addRow(fileLabel, file);

    m_progress = new QProgressBar;
    m_progress->setVisible(false);
    m_message = new QLabel;
    m_message->setWordWrap(true);
    m_message->setTextFormat(Qt::RichText);
    m_message->setOpenExternalLinks(true);
    m_message->setTextInteractionFlags(Qt::TextBrowserInteraction);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    m_export = m_buttons->addButton(tr("&Export"), QDialogButtonBox::AcceptRole);
    m_export->setDefault(true);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_progress);
    layout->addWidget(m_message);
    layout->addWidget(m_buttons);

    setMinimumWidth(fontMetrics().averageCharWidth() * 100);
    restore();
    connect(m_content, &QComboBox::currentIndexChanged, this, &ExportReportDialog::updateEnabled);
    // A file name we made follows the content ("perfdash-kpi-…" becomes "perfdash-runs-…"); one the user typed stays.
    connect(m_content, &QComboBox::currentIndexChanged, this, [this]() {
        static const QRegularExpression generated(u"^perfdash-[a-z-]+-(\\d{8}-\\d{4}\\.csv)$"_s);
        const QFileInfo file(path());
        const auto match = generated.match(file.fileName());
        if (match.hasMatch())
            setPath(file.dir().filePath(u"perfdash-"_s % ReportContents::name(content()) % u'-' % match.captured(1)));
    });
    connect(m_range, &QComboBox::currentIndexChanged, this, &ExportReportDialog::updateEnabled);
    connect(m_browse, &QPushButton::clicked, this, &ExportReportDialog::browse);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ExportReportDialog::exportNow);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &ExportReportDialog::reject);
    if (m_runner) {
        connect(m_runner, &ReportRunner::progress, this, [this](qint64 done, qint64 total) {
            m_progress->setRange(0, int(std::min<qint64>(total, 1 << 30)));
            m_progress->setValue(int(std::min<qint64>(done, 1 << 30)));
        });
        connect(m_runner, &ReportRunner::finished, this, &ExportReportDialog::onFinished);
    } else {
        m_message->setText(tr("Reports need the database: start perfdash with a collector or --db."));
    }
    updateEnabled();
}

ReportContent ExportReportDialog::content() const
{
    return ReportContents::fromName(m_content->currentData().toString()).value_or(ReportContent::Kpi);
}

void ExportReportDialog::updateEnabled()
{
    const ReportContent c = content();
    const bool running = isExporting();
    const bool bucketed = ReportContents::usesStep(c);
    const bool named
        = c == ReportContent::SlowestOps || c == ReportContent::MemoryTrend || c == ReportContent::ErrorsByOp;
    m_models->setEnabled(!running && c == ReportContent::Kpi);
    m_series->setEnabled(!running && c == ReportContent::Series);
    m_module->setEnabled(!running && named);
    m_step->setEnabled(!running && bucketed);
    m_columns->setEnabled(!running && c == ReportContent::Series);
    if (m_range->currentIndex() != Custom) { // the fields show what the preset means
        const auto [from, to] = range();
        m_from->setDateTime(utc(from));
        m_to->setDateTime(utc(to));
    }
    m_from->setEnabled(!running && m_range->currentIndex() == Custom);
    m_to->setEnabled(!running && m_range->currentIndex() == Custom);
    for (QWidget *w : std::initializer_list<QWidget *> { m_content, m_range, m_excel, m_path, m_browse })
        w->setEnabled(!running);
    m_export->setEnabled(!running && m_runner);
    m_buttons->button(QDialogButtonBox::Close)->setText(running ? tr("Cancel") : tr("Close"));
}

bool ExportReportDialog::isExporting() const
{
    return m_runner && m_runner->isRunning();
}

QString ExportReportDialog::path() const
{
    return m_path->text().trimmed();
}

void ExportReportDialog::setPath(const QString &path)
{
    m_path->setText(path);
}

std::pair<qint64, qint64> ExportReportDialog::range() const
{
    const qint64 now = m_context.now;
    switch (Range(m_range->currentIndex())) {
    case CurrentView:
        return { m_context.viewFrom, m_context.viewTo };
    case LastHour:
        return { now - 3600, now };
    case LastDay:
        return { now - 86400, now };
    case LastWeek:
        return { now - 7 * 86400, now };
    case LastMonth:
        return { now - 30 * 86400, now };
    case Custom:
        break;
    }
    return { m_from->dateTime().toSecsSinceEpoch(), m_to->dateTime().toSecsSinceEpoch() };
}

std::optional<ReportRequest> ExportReportDialog::request(QString *error) const
{
    ReportRequest r;
    r.content = content();
    std::tie(r.from, r.to) = range();
    if (r.to <= r.from) {
        *error = tr("The range ends before it starts.");
        return std::nullopt;
    }
    const qint64 step = kSteps[std::clamp(m_step->currentIndex(), 0, 4)];
    r.step = step > 0 ? step : ReportRequest::autoStep(r.to - r.from);
    if (r.content == ReportContent::Kpi) {
        for (int i = 0; i < m_models->count(); ++i) {
            if (m_models->item(i)->checkState() == Qt::Checked)
                r.models << m_models->item(i)->text();
        }
        if (r.models.isEmpty()) {
            *error = tr("Check at least one model.");
            return std::nullopt;
        }
    }
    if (r.content == ReportContent::Series) {
        QString why;
        if (!SeriesSelector::parse(m_series->text().trimmed(), &why)) {
            *error = tr("Series: %1").arg(why);
            return std::nullopt;
        }
        r.series = m_series->text().trimmed();
        r.host = m_context.host;
    }
    r.module = m_module->text().trimmed();
    r.format.tagColumns = m_columns->currentIndex() == 0;
    r.format.excel = m_excel->isChecked();
    if (path().isEmpty()) {
        *error = tr("Choose a file to write.");
        return std::nullopt;
    }
    if (!QFileInfo(path()).absoluteDir().exists()) {
        *error = tr("The folder %1 does not exist.").arg(QFileInfo(path()).absolutePath());
        return std::nullopt;
    }
    return r;
}

void ExportReportDialog::browse()
{
    const QString chosen
        = QFileDialog::getSaveFileName(this, tr("Export report"), path(), tr("CSV files (*.csv);;All files (*)"));
    if (!chosen.isEmpty())
        m_path->setText(chosen.endsWith(u".csv"_s, Qt::CaseInsensitive) || QFileInfo(chosen).suffix().size()
                ? chosen
                : chosen + u".csv"_s);
}

void ExportReportDialog::exportNow()
{
    if (!m_runner || isExporting())
        return;
    QString error;
    const auto r = request(&error);
    if (!r) {
        m_message->setText(error.toHtmlEscaped());
        return;
    }
    if (QFileInfo::exists(path())
        && QMessageBox::question(
               this, tr("Export report"), tr("%1 already exists. Replace it?").arg(QDir::toNativeSeparators(path())))
            != QMessageBox::Yes)
        return;
    remember();
    if (!m_runner->start(*r, QFileInfo(path()).absoluteFilePath())) {
        m_message->setText(tr("Another report is being written; try again when it is done."));
        return;
    }
    m_progress->setRange(0, 0); // busy until the first progress
    m_progress->setVisible(true);
    m_message->setText(tr("Writing %1…").arg(QDir::toNativeSeparators(path()).toHtmlEscaped()));
    updateEnabled();
}

void ExportReportDialog::onFinished(const ReportResult &result, const QString &file)
{
    m_progress->setVisible(false);
    updateEnabled();
    const QString shown = QDir::toNativeSeparators(file).toHtmlEscaped();
    if (result.cancelled) {
        m_message->setText(tr("Cancelled; %1 was not changed.").arg(shown));
        return;
    }
    if (!result.ok()) {
        m_message->setText(tr("Could not write %1: %2").arg(shown, result.error.toHtmlEscaped()));
        return;
    }
    const QString folder = QUrl::fromLocalFile(QFileInfo(file).absolutePath()).toString();
    m_message->setText(tr("Wrote %n row(s) to <a href=\"%1\">%2</a>.", nullptr, int(result.rows)).arg(folder, shown));
    Q_EMIT exported(file, result.rows);
}

void ExportReportDialog::reject()
{
    if (isExporting()) {
        m_runner->cancel(); // finished() says so; the dialog stays to show it
        return;
    }
    QDialog::reject();
}

void ExportReportDialog::remember() const
{
    QSettings s;
    s.beginGroup(u"export"_s);
    s.setValue(u"content"_s, ReportContents::name(content()));
    s.setValue(u"range"_s, m_range->currentIndex());
    s.setValue(u"step"_s, m_step->currentIndex());
    s.setValue(u"seriesColumn"_s, m_columns->currentIndex() == 1);
    s.setValue(u"excel"_s, m_excel->isChecked());
    s.setValue(u"folder"_s, QFileInfo(path()).absolutePath());
}

void ExportReportDialog::restore()
{
    QSettings s;
    s.beginGroup(u"export"_s);
    const int content = m_content->findData(s.value(u"content"_s, u"kpi"_s).toString());
    m_content->setCurrentIndex(std::max(content, 0));
    m_range->setCurrentIndex(std::clamp(s.value(u"range"_s, int(LastDay)).toInt(), 0, int(Custom)));
    m_step->setCurrentIndex(std::clamp(s.value(u"step"_s, 3).toInt(), 0, 4)); // 1 hour
    m_columns->setCurrentIndex(s.value(u"seriesColumn"_s, false).toBool() ? 1 : 0);
    m_excel->setChecked(s.value(u"excel"_s, false).toBool());
    QString folder = s.value(u"folder"_s).toString();
    if (folder.isEmpty() || !QDir(folder).exists())
        folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (folder.isEmpty() || !QDir(folder).exists())
        folder = QDir::homePath();
    const QString name = u"perfdash-%1-%2.csv"_s.arg(
        ReportContents::name(this->content()), utc(m_context.now).toString(u"yyyyMMdd-HHmm"_s));
    m_path->setText(QDir(folder).filePath(name));
}

} // namespace perfdash
