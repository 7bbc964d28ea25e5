// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/sourcedelegate.h"

#include "models/sourcetreemodel.h"

#include <QApplication>
#include <QLocale>
#include <QPainter>
#include <QPainterPath>

#include <cmath>
#include <limits>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

namespace {
constexpr int sparkWidth = 84;
constexpr int valueWidth = 62;
} // namespace

SourceDelegate::SourceDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{ }

QColor SourceDelegate::statusColor(int status)
{
    switch (status) {
    case SourceTreeModel::Live:
        return { 0x27, 0xae, 0x60 };
    case SourceTreeModel::Errors:
        return { 0xe7, 0x4c, 0x3c };
    case SourceTreeModel::Stale:
        return { 0xf3, 0x9c, 0x12 };
    default:
        return { 0x95, 0xa5, 0xa6 };
    }
}

QSize SourceDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setHeight(std::max(size.height(), option.fontMetrics.height() + 10));
    return size;
}

void SourceDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    if (!index.parent().isValid()) {
        QStyleOptionViewItem header = option;
        header.font.setBold(true);
        QStyledItemDelegate::paint(painter, header, index);
        return;
    }
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString name = opt.text;
    opt.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget); // background and selection

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QRectF r = option.rect;
    const bool selected = option.state & QStyle::State_Selected;
    const QColor text = option.palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    // The status dot.
    const double dot = std::min(10.0, r.height() - 8);
    const QRectF dotRect(r.left() + 4, r.center().y() - dot / 2, dot, dot);
    painter->setPen(Qt::NoPen);
    painter->setBrush(
        statusColor(m_offline ? int(SourceTreeModel::Silent) : index.data(SourceTreeModel::StatusRole).toInt()));
    painter->drawEllipse(dotRect);
    // The sparkline and the latest p95, as room allows: the name goes first (at least a dozen characters, or all of
    // it), then the value, then the sparkline; a narrow list drops the sparkline, then the value, never the name.
    const double nameWanted
        = std::min<double>(option.fontMetrics.horizontalAdvance(name), option.fontMetrics.averageCharWidth() * 12);
    const double room = r.width() - (dotRect.right() - r.left()) - 10;
    const auto values = index.data(SourceTreeModel::SparklineRole).value<QList<double>>();
    const QVariant p95Value = index.data(SourceTreeModel::P95Role);
    const double p95 = p95Value.isValid() ? p95Value.toDouble() : std::numeric_limits<double>::quiet_NaN();
    const bool showValue = std::isfinite(p95) && room - valueWidth - 4 >= nameWanted;
    const bool showSpark = values.size() > 1 && room - valueWidth - 4 - sparkWidth - 6 >= nameWanted;
    const QRectF valueRect(
        r.right() - (showValue ? valueWidth + 4 : 0), r.top(), showValue ? valueWidth : 0, r.height());
    const QRectF spark(
        valueRect.left() - (showSpark ? sparkWidth + 6 : 0), r.top() + 4, showSpark ? sparkWidth : 0, r.height() - 8);
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : values) {
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    }
    if (showSpark && hi >= lo && values.size() > 1) {
        const double span = hi > lo ? hi - lo : std::max(1.0, hi);
        QPainterPath path;
        bool pen = false;
        for (qsizetype i = 0; i < values.size(); ++i) {
            if (!std::isfinite(values[i])) {
                pen = false;
                continue;
            }
            const QPointF p(spark.left() + spark.width() * double(i) / double(values.size() - 1),
                spark.bottom() - spark.height() * (values[i] - lo) / span);
            if (pen)
                path.lineTo(p);
            else
                path.moveTo(p);
            pen = true;
        }
        QColor line = selected ? text : QColor(0xf3, 0x9c, 0x12);
        painter->setBrush(Qt::NoBrush);
        painter->setPen(QPen(line, 1.3));
        painter->drawPath(path);
    }
    // No value (the Exited row, or n too small): no number, never a 0.0 ms.
    painter->setPen(text);
    QFont small = option.font;
    small.setPointSizeF(small.pointSizeF() * 0.9);
    painter->setFont(small);
    if (showValue) {
        const QString v = p95 >= 1000 ? QLocale().toString(p95 / 1000, 'f', 2) % u" s"_s
                                      : QLocale().toString(p95, 'f', p95 < 10 ? 1 : 0) % u" ms"_s;
        painter->drawText(valueRect, Qt::AlignVCenter | Qt::AlignRight, v);
    }
    painter->setFont(option.font);
    const QRectF nameRect(dotRect.right() + 6, r.top(),
        (showSpark || showValue ? spark.left() : r.right()) - dotRect.right() - 10, r.height());
    painter->drawText(nameRect, Qt::AlignVCenter | Qt::AlignLeft,
        option.fontMetrics.elidedText(name, Qt::ElideMiddle, int(nameRect.width())));
    painter->restore();
}

} // namespace perfdash
