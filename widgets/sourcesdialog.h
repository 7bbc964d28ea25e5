// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/datasourcelistmodel.h"

#include <QDialog>
#include <QPointer>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListView;
class QPushButton;

namespace perfdash {

class ServerProbe;

// File → Sources…: the local collector and the remembered Prometheus-compatible servers (a DataSourceListModel, not
// owned). Add, edit and remove servers; Test asks the ServerProbe (not owned; may be null) how many perfdash series and
// hosts a server holds; Open asks for the chosen source (openRequested) and closes. Lays out only: the list and its
// rules are the model's. Every control has a mnemonic; the list has the focus first. GUI thread.
class SourcesDialog : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SourcesDialog)
public:
    SourcesDialog(
        DataSourceListModel *model, ServerProbe *probe, const DataSourceChoice &current, QWidget *parent = nullptr);

    int currentRow() const;
    void setCurrentRow(int row);
    QString message() const; // what the line under the buttons says (a test's answer, a refused URL)

Q_SIGNALS:
    void openRequested(const perfdash::DataSourceChoice &choice);

private:
    void onCurrentChanged();
    void onAdd();
    void onApply();
    void onRemove();
    void onTest();
    void onOpen();
    void onProbed(quint64 generation, int seriesCount, int hostCount);
    void onProbeFailed(quint64 generation, const QString &message);
    void updateButtons();
    void say(const QString &text);

    DataSourceListModel *m_model;
    QPointer<ServerProbe> m_probe;
    QListView *m_list = nullptr;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_url = nullptr;
    QCheckBox *m_merge = nullptr;
    QLabel *m_message = nullptr;
    QPushButton *m_add = nullptr;
    QPushButton *m_apply = nullptr;
    QPushButton *m_remove = nullptr;
    QPushButton *m_test = nullptr;
    QPushButton *m_open = nullptr;
    quint64 m_testGeneration = 0;
    QUrl m_testUrl; // the server the newest test asked
};

} // namespace perfdash
