// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/sourcesdialog.h"

#include "models/serverprobe.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

SourcesDialog::SourcesDialog(
    DataSourceListModel *model, ServerProbe *probe, const DataSourceChoice &current, QWidget *parent)
    : QDialog(parent)
    , m_model(model)
    , m_probe(probe)
{
    setWindowTitle(tr("Sources"));
    auto *layout = new QVBoxLayout(this);
    auto *listLabel = new QLabel(tr("&Sources: the local collector, or a Prometheus-compatible server "
                                    "(VictoriaMetrics, Prometheus) that collectors push to"),
        this);
    listLabel->setWordWrap(true);
    m_list = new QListView(this);
    m_list->setModel(model);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    listLabel->setBuddy(m_list);
    layout->addWidget(listLabel);
    layout->addWidget(m_list, 1);

    auto *form = new QFormLayout;
    m_name = new QLineEdit(this);
    m_name->setPlaceholderText(tr("team metrics"));
    m_url = new QLineEdit(this);
    m_url->setPlaceholderText(u"http://127.0.0.1:8428"_s);
    m_url->setToolTip(tr("The server's base URL: VictoriaMetrics http://HOST:8428, its cluster "
                         "http://HOST:8481/select/0/prometheus, or Prometheus http://HOST:9090"));
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&URL:"), m_url);
    m_merge = new QCheckBox(tr("&Merge hosts: one entry per model, its figures from every host's buckets"), this);
    m_merge->setChecked(current.mergeHosts);
    form->addRow(QString(), m_merge);
    layout->addLayout(form);

    auto *edits = new QHBoxLayout;
    m_add = new QPushButton(tr("&Add"), this);
    m_add->setToolTip(tr("Add a server with this name and URL"));
    m_apply = new QPushButton(tr("A&pply changes"), this);
    m_apply->setToolTip(tr("Give the selected server this name and URL"));
    m_remove = new QPushButton(tr("&Remove"), this);
    m_test = new QPushButton(tr("&Test"), this);
    m_test->setToolTip(tr("Ask the server how many perfdash series and hosts it holds"));
    for (auto *button : { m_add, m_apply, m_remove, m_test }) {
        button->setAutoDefault(false);
        edits->addWidget(button);
    }
    edits->addStretch(1);
    layout->addLayout(edits);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_message);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_open = buttons->addButton(tr("&Open"), QDialogButtonBox::AcceptRole);
    m_open->setDefault(true);
    m_open->setToolTip(tr("Show this source in the window"));
    layout->addWidget(buttons);

    connect(m_add, &QPushButton::clicked, this, &SourcesDialog::onAdd);
    connect(m_apply, &QPushButton::clicked, this, &SourcesDialog::onApply);
    connect(m_remove, &QPushButton::clicked, this, &SourcesDialog::onRemove);
    connect(m_test, &QPushButton::clicked, this, &SourcesDialog::onTest);
    connect(m_open, &QPushButton::clicked, this, &SourcesDialog::onOpen);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_list->selectionModel(), &QItemSelectionModel::currentChanged, this, &SourcesDialog::onCurrentChanged);
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &from, const QModelIndex &to) {
        const int row = currentRow();
        if (row >= from.row() && row <= to.row())
            say(m_model->index(row).data(DataSourceListModel::TestResultRole).toString());
    });
    connect(m_name, &QLineEdit::textChanged, this, &SourcesDialog::updateButtons);
    connect(m_url, &QLineEdit::textChanged, this, &SourcesDialog::updateButtons);
    if (m_probe) {
        connect(m_probe, &ServerProbe::probed, this, &SourcesDialog::onProbed);
        connect(m_probe, &ServerProbe::probeFailed, this, &SourcesDialog::onProbeFailed);
    }
    setCurrentRow(std::max(0, model->rowOf(current.server)));
    m_list->setFocus();
    resize(560, 420);
}

int SourcesDialog::currentRow() const
{
    return m_list->currentIndex().isValid() ? m_list->currentIndex().row() : -1;
}

void SourcesDialog::setCurrentRow(int row)
{
    m_list->setCurrentIndex(m_model->index(row));
}

QString SourcesDialog::message() const
{
    return m_message->text();
}

void SourcesDialog::say(const QString &text)
{
    m_message->setText(text);
}

void SourcesDialog::onCurrentChanged()
{
    const int row = currentRow();
    const bool server = row > 0;
    // The fields show the selected server, ready to edit; on the local row they are a fresh server's.
    m_name->setText(server ? m_model->nameAt(row) : QString());
    m_url->setText(server ? m_model->urlAt(row).toString() : QString());
    say(row >= 0 ? m_model->index(row).data(DataSourceListModel::TestResultRole).toString() : QString());
    updateButtons();
}

void SourcesDialog::updateButtons()
{
    const int row = currentRow();
    const QUrl url = QUrl::fromUserInput(m_url->text().trimmed());
    const bool usable = !m_url->text().trimmed().isEmpty() && DataSourceListModel::urlProblem(url).isEmpty();
    m_add->setEnabled(usable && m_model->rowOf(url) < 0);
    m_apply->setEnabled(
        row > 0 && usable && (m_name->text().trimmed() != m_model->nameAt(row) || url != m_model->urlAt(row)));
    m_remove->setEnabled(row > 0);
    m_test->setEnabled(row > 0 && m_probe);
    m_merge->setEnabled(row > 0);
    m_open->setEnabled(row >= 0);
}

void SourcesDialog::onAdd()
{
    const QUrl url = QUrl::fromUserInput(m_url->text().trimmed());
    if (const QString problem = DataSourceListModel::urlProblem(url); !problem.isEmpty()) {
        say(tr("Not added: %1.").arg(problem));
        return;
    }
    const int row = m_model->addServer(m_name->text(), url);
    if (row < 0) {
        say(tr("Not added: %1 is listed already.").arg(url.toDisplayString()));
        return;
    }
    setCurrentRow(row);
    m_list->setFocus();
}

void SourcesDialog::onApply()
{
    const int row = currentRow();
    const QUrl url = QUrl::fromUserInput(m_url->text().trimmed());
    if (!m_model->setServer(row, m_name->text(), url)) {
        const QString problem = DataSourceListModel::urlProblem(url);
        say(tr("Not changed: %1.").arg(problem.isEmpty() ? tr("another entry has this URL") : problem));
        return;
    }
    updateButtons();
}

void SourcesDialog::onRemove()
{
    const int row = currentRow();
    if (!m_model->removeServer(row))
        return;
    setCurrentRow(std::min(row, m_model->rowCount() - 1));
    m_list->setFocus();
}

void SourcesDialog::onTest()
{
    const int row = currentRow();
    if (row <= 0 || !m_probe)
        return;
    m_testUrl = m_model->urlAt(row);
    m_model->setTestResult(row, tr("Testing %1…").arg(m_testUrl.toDisplayString()));
    m_probe->requestProbe(m_testUrl, ++m_testGeneration);
}

void SourcesDialog::onProbed(quint64 generation, int seriesCount, int hostCount)
{
    if (generation != m_testGeneration)
        return; // an answer for an older test
    m_model->setTestResult(m_model->rowOf(m_testUrl),
        seriesCount == 0 ? tr("Reachable; it holds no perfdash series yet (has a collector pushed to it?)")
                         : QString(tr("Reachable: %n perfdash series", nullptr, seriesCount)
                             % (hostCount == 1 ? tr(" from 1 host") : tr(" from %1 hosts").arg(hostCount))));
}

void SourcesDialog::onProbeFailed(quint64 generation, const QString &message)
{
    if (generation != m_testGeneration)
        return;
    m_model->setTestResult(m_model->rowOf(m_testUrl), tr("Cannot read it: %1").arg(message));
}

void SourcesDialog::onOpen()
{
    const int row = currentRow();
    if (row < 0)
        return;
    Q_EMIT openRequested({ m_model->urlAt(row), row > 0 && m_merge->isChecked() });
    accept();
}

} // namespace perfdash
