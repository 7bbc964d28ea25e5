// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStyledItemDelegate>

namespace perfdash {

// Paints a SourceTreeModel row: the status dot, the name, and the p95 sparkline with its latest value at the right.
// Kind rows are painted as headers. GUI thread only.
class SourceDelegate : public QStyledItemDelegate {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SourceDelegate)
public:
    explicit SourceDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    static QColor statusColor(int status);
    // The collector is gone: every dot is drawn grey, whatever the model last said.
    void setOffline(bool offline) { m_offline = offline; }
    bool isOffline() const { return m_offline; }

private:
    bool m_offline = false;
};

} // namespace perfdash
