// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/rangesource.h"

#include <QPointer>
#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace perfdash {

class OperationFilterModel;
class OperationListModel;

// The Operations tab: seed 003's session statistics over the rows shown, a filter (text over name, module, category
// and error; failures only) and a sortable table of the stored operations of the main window's view range. It asks
// its RangeSource when the range changes while it is shown, or when it is shown after a change; an answer to an
// older request is dropped by its generation. The source is not owned. GUI thread only.
class OperationsView : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OperationsView)
public:
    explicit OperationsView(QWidget *parent = nullptr);
    ~OperationsView() override;

    void setRangeSource(RangeSource *source);
    // The view range, Unix seconds [from, to).
    void setRange(qint64 fromSecond, qint64 toSecond);
    // Asks the source for the range's operations now.
    void reload();

    OperationListModel *model() const { return m_model; }
    OperationFilterModel *proxy() const { return m_proxy; }
    QTableView *table() const { return m_table; }
    QLineEdit *filterEdit() const { return m_filter; }
    QCheckBox *failuresOnlyBox() const { return m_failuresOnly; }
    QLabel *statsLabel() const { return m_stats; }
    QLabel *noteLabel() const { return m_note; }
    quint64 requests() const { return m_generation; }

protected:
    void showEvent(QShowEvent *event) override;

private:
    void onOperationsReady(quint64 generation, const QVector<perfdash::OperationRecord> &operations);
    void onOperationsFailed(quint64 generation, const QString &message);
    void updateStats();

    OperationListModel *m_model;
    OperationFilterModel *m_proxy;
    QLabel *m_stats = nullptr;
    QLineEdit *m_filter = nullptr;
    QCheckBox *m_failuresOnly = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_note = nullptr;
    QPointer<RangeSource> m_source;
    qint64 m_from = 0;
    qint64 m_to = 0;
    quint64 m_generation = 0;
    bool m_stale = true; // the range changed since the last request
};

} // namespace perfdash
