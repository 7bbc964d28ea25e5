// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QDialog>

class QDateTimeEdit;
class QDialogButtonBox;
class QLabel;

namespace perfdash {

// Asks for a history range: From and To (local time, to the second). OK is enabled only for From < To, and a line
// says why not. GUI thread only.
class CustomRangeDialog : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CustomRangeDialog)
public:
    CustomRangeDialog(const QDateTime &from, const QDateTime &to, const QDateTime &latest, QWidget *parent = nullptr);

    QDateTime from() const;
    QDateTime to() const;

private:
    void validate();

    QDateTimeEdit *m_from = nullptr;
    QDateTimeEdit *m_to = nullptr;
    QLabel *m_problem = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace perfdash
