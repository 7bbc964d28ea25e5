// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/customrangedialog.h"

#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

CustomRangeDialog::CustomRangeDialog(
    const QDateTime &from, const QDateTime &to, const QDateTime &latest, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Custom range"));
    auto *form = new QFormLayout(this);
    m_from = new QDateTimeEdit(from, this);
    m_to = new QDateTimeEdit(to, this);
    for (auto *edit : { m_from, m_to }) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(u"yyyy-MM-dd HH:mm:ss"_s);
        edit->setMaximumDateTime(latest);
        connect(edit, &QDateTimeEdit::dateTimeChanged, this, &CustomRangeDialog::validate);
    }
    form->addRow(tr("&From"), m_from);
    form->addRow(tr("&To"), m_to);
    m_problem = new QLabel(this);
    m_problem->setForegroundRole(QPalette::PlaceholderText);
    form->addRow(m_problem);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(m_buttons);
    validate();
}

QDateTime CustomRangeDialog::from() const
{
    return m_from->dateTime();
}

QDateTime CustomRangeDialog::to() const
{
    return m_to->dateTime();
}

void CustomRangeDialog::validate()
{
    const bool ok = m_from->dateTime() < m_to->dateTime();
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(ok);
    m_problem->setText(ok ? QString() : tr("From must be before To."));
}

} // namespace perfdash
