// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/timeserieschart.h"

#include "models/axisticks.h"
#include "models/decimation.h"
#include "models/markergroups.h"
#include "models/robustrange.h"
#include "models/seriestable.h"
#include "widgets/theme.h"

#include <QAction>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QClipboard>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QGuiApplication>
#include <QHash>
#include <QHelpEvent>
#include <QImageWriter>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QMessageBox>
#include <QMimeData>
#include <QMouseEvent>
#include <QPainter>
#include <QRegularExpression>
#include <QRubberBand>
#include <QSettings>
#include <QStandardPaths>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <optional>

using namespace Qt::Literals::StringLiterals;

namespace perfdash {

class LineLayer;

namespace {
constexpr double kMarkerGapPx = 24; // markers closer than this on screen are drawn as one group
}

struct TimeSeriesChart::Private {
    QChart *chart = nullptr; // owned by view
    QChartView *view = nullptr; // child widget
    QCategoryAxis *timeAxis = nullptr; // our own round ticks, labelled by models/axisticks.h
    QValueAxis *valueAxis = nullptr;
    LineLayer *layer = nullptr; // owned by the chart's scene
    QRubberBand *rubberBand = nullptr; // child of the viewport
    QAction *savePng = nullptr; // the context menu, children of the chart
    QAction *copyData = nullptr;
    QAction *exportReport = nullptr;
    QVector<QLineSeries *> series; // empty: they carry the legend entries and the pens
    QVector<QVector<QPointF>> data; // everything set, in data coordinates
    QVector<QVector<QPointF>> shown; // decimated for the current plot width
    QVector<TimeMarker> allMarkers; // as set
    QVector<TimeMarker> markers; // those markerScope takes
    MarkerScope markerScope;
    QVector<MarkerGroup> markerGroups; // markers too close to tell apart merged, for the plot's width
    // Points of visible lines above the value axis (a lone spike): drawn as a mark on the top edge.
    struct Outlier {
        double x, y;
        int line;
    };
    QVector<Outlier> outliers;
    QString valueLabel; // as the owner gave it; the axis shows it elided to the plot's height
    QVector<qint64> timeTicks; // what the time axis shows now
    QStringList timeLabels;
    QHash<int, bool> inLegend; // lines the owner left out of the legend: false
    HoverTextProvider hoverText;
    QString emptyText;
    qint64 fromMs = 0;
    qint64 toMs = 1;
    qint64 gapMs = 0; // 0: never break lines
    double yMax = 1;
    double minTop = 0;
    double crosshairX = -1; // chart x of the crosshair, or -1
    double crosshairViewX = -1; // the same in viewport coordinates
    QString crosshairText;
    bool antialias = true; // decided per redraw from how much there is to draw
    bool dark = false;
    // Overlays, in value units as the owner gave them.
    struct Band {
        double low = std::numeric_limits<double>::quiet_NaN();
        double high = std::numeric_limits<double>::quiet_NaN();
        double centre = std::numeric_limits<double>::quiet_NaN();
        qint64 fromMs = 0, toMs = 0;
        QString label;
    };
    std::optional<Band> band;
    QVector<ProjectionPoint> projection;
    QString projectionLabel;
    QVector<ShadedSpan> spans;
    double threshold = std::numeric_limits<double>::quiet_NaN();
    QString thresholdLabel;
    // Mouse gestures
    enum class Drag { None, Zoom, Pan } drag = Drag::None;
    QPoint pressPos;
    qint64 pressFrom = 0, pressTo = 0;
};

// Draws every line as polylines in the plot area, the markers, and the crosshair. Qt Charts' own series cost
// microseconds per point per frame (geometry per point, a path per series); a polyline of the decimated points costs a
// fraction of that.
class LineLayer : public QGraphicsItem {
public:
    explicit LineLayer(TimeSeriesChart::Private *d)
        : m_d(d)
    {
        setZValue(10);
    }
    QRectF boundingRect() const override { return m_d->chart->plotArea().adjusted(-2, -2, 2, 2); }
    void refresh()
    {
        prepareGeometryChange();
        update();
    }
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *) override
    {
        const QRectF plot = m_d->chart->plotArea();
        if (plot.isEmpty())
            return;
        const double sx = plot.width() / double(m_d->toMs - m_d->fromMs);
        const double sy = plot.height() / m_d->yMax;
        const auto xOf = [&](double t) { return plot.left() + (t - double(m_d->fromMs)) * sx; };
        const auto yOf = [&](double v) { return plot.bottom() - v * sy; };
        painter->save();
        painter->setClipRect(plot);
        QVector<Caption> captions;
        paintUnderlays(painter, plot, xOf, yOf, captions);
        // A device pixel is thinner than a logical one on high-DPI screens: lines are drawn two device pixels wide
        // there.
        const qreal dpr = painter->device() ? painter->device()->devicePixelRatioF() : 1.0;
        painter->setRenderHint(QPainter::Antialiasing, m_d->antialias);
        // Holes in the data stay holes: a jump wider than the gap (and two pixel columns) is not joined.
        const double msPerColumn = double(m_d->toMs - m_d->fromMs) / std::max(1.0, plot.width());
        const double gap = m_d->gapMs > 0 ? std::max(double(m_d->gapMs), 2.5 * msPerColumn) : 0;
        bool anything = false;
        QPolygonF polygon;
        for (int i = 0; i < m_d->series.size(); ++i) {
            if (!m_d->series[i]->isVisible() || m_d->shown[i].isEmpty())
                continue;
            anything = true;
            const auto &points = m_d->shown[i];
            // Only a solid cosmetic pen at most 1 px wide stays on the raster engine's fast line stroker; a wider pen
            // builds one self-intersecting outline per line and fills it, which costs seconds for thousands of
            // points. A heavier line is drawn twice, half a pixel apart.
            const QPen wanted = m_d->series[i]->pen();
            QPen pen(wanted.color(), 1.0);
            pen.setCosmetic(true);
            if (wanted.style() != Qt::SolidLine)
                pen.setStyle(wanted.style());
            painter->setPen(pen);
            const bool twice = wanted.widthF() > 1.25 || dpr >= 1.5;
            qsizetype start = 0;
            for (qsizetype k = 0; k <= points.size(); ++k) {
                const bool end
                    = k == points.size() || (gap > 0 && k > start && points[k].x() - points[k - 1].x() > gap);
                if (!end)
                    continue;
                polygon.resize(k - start);
                for (qsizetype j = start; j < k; ++j)
                    polygon[j - start] = QPointF(xOf(points[j].x()), plot.bottom() - points[j].y() * sy);
                if (polygon.size() == 1) {
                    // A lone value between holes: a dot, or it would be a single pixel nobody sees.
                    painter->save();
                    painter->setRenderHint(QPainter::Antialiasing, true);
                    painter->setPen(Qt::NoPen);
                    painter->setBrush(pen.color());
                    painter->drawEllipse(polygon[0], 1.8, 1.8);
                    painter->restore();
                } else {
                    painter->drawPolyline(polygon);
                    if (twice) {
                        polygon.translate(0, -0.5);
                        painter->drawPolyline(polygon);
                    }
                }
                start = k;
            }
        }
        painter->setRenderHint(QPainter::Antialiasing, true);
        paintOverlays(painter, plot, xOf, yOf, captions);
        const QColor text = m_d->dark ? QColor(0xe6, 0xe6, 0xe6) : QColor(0x30, 0x30, 0x30);
        if (!anything && !m_d->emptyText.isEmpty()) {
            QColor muted = text;
            muted.setAlphaF(0.6);
            painter->setPen(muted);
            painter->drawText(plot, Qt::AlignCenter | Qt::TextWordWrap, m_d->emptyText);
        }
        paintOutliers(painter, plot, xOf);
        paintMarkers(painter, plot, xOf);
        paintCaptions(painter, plot, std::move(captions));
        // The crosshair and its values.
        if (m_d->crosshairX >= plot.left() && m_d->crosshairX <= plot.right()) {
            QColor c = text;
            c.setAlphaF(0.5);
            QPen pen(c, 1.0);
            pen.setCosmetic(true);
            painter->setPen(pen);
            painter->drawLine(QPointF(m_d->crosshairX, plot.top()), QPointF(m_d->crosshairX, plot.bottom()));
            if (!m_d->crosshairText.isEmpty()) {
                const QFontMetricsF fm(painter->font());
                const QRectF textRect = fm.boundingRect(QRectF(0, 0, 400, 400), Qt::AlignLeft, m_d->crosshairText);
                QRectF box(QPointF(m_d->crosshairX + 8, plot.top() + 4), textRect.size() + QSizeF(12, 8));
                if (box.right() > plot.right())
                    box.moveRight(m_d->crosshairX - 8);
                // A narrow chart has room on neither side: the box covers the crosshair rather than lose its text.
                if (box.left() < plot.left() + 2)
                    box.moveLeft(plot.left() + 2);
                QColor bg = m_d->dark ? QColor(0x1e, 0x1f, 0x22) : QColor(0xff, 0xff, 0xff);
                bg.setAlphaF(0.92);
                painter->setBrush(bg);
                painter->setPen(QPen(c, 1.0));
                painter->drawRoundedRect(box, 4, 4);
                painter->setPen(text);
                painter->drawText(box.adjusted(6, 4, -6, -4), Qt::AlignLeft, m_d->crosshairText);
            }
        }
        painter->restore();
    }

private:
    // A label inside the plot, placed next to what it names.
    struct Caption {
        QString text;
        QColor color;
        QPointF anchor; // where the text box's reference corner wants to be
        bool alignRight = false; // anchor is the box's right edge, else its left
        bool below = false; // anchor is the box's top edge, else its bottom
    };

    // The band and the projection's cone: translucent fills behind every line.
    template <typename X, typename Y>
    void paintUnderlays(QPainter *painter, const QRectF &plot, const X &xOf, const Y &yOf, QVector<Caption> &captions)
    {
        painter->save();
        // Alert spans: a faint wash over the plot's height and a solid strip on the time axis, at least 2 px wide.
        for (const ShadedSpan &span : std::as_const(m_d->spans)) {
            const double left = std::clamp(xOf(double(span.fromMs)), plot.left(), plot.right());
            double right = span.open ? plot.right() : std::clamp(xOf(double(span.toMs)), plot.left(), plot.right());
            if (right < plot.left() || left > plot.right() || (!span.open && span.toMs < m_d->fromMs)
                || span.fromMs > m_d->toMs)
                continue;
            right = std::max(right, left + 2);
            const QColor color = themeColor(span.color, m_d->dark);
            QColor wash = color;
            wash.setAlphaF(m_d->dark ? 0.16 : 0.10);
            painter->fillRect(QRectF(QPointF(left, plot.top()), QPointF(right, plot.bottom())), wash);
            QColor strip = color;
            strip.setAlphaF(0.85);
            painter->fillRect(QRectF(QPointF(left, plot.bottom() - 4), QPointF(right, plot.bottom())), strip);
        }
        painter->setRenderHint(QPainter::Antialiasing, true);
        if (const auto &b = m_d->band) {
            const QColor color = themeColor(ThemeColor::Baseline, m_d->dark);
            const double left = std::clamp(xOf(double(b->fromMs)), plot.left(), plot.right());
            const double right = std::clamp(xOf(double(b->toMs)), plot.left(), plot.right());
            const double top = yOf(b->high), bottom = yOf(b->low);
            if (right > left) {
                QColor fill = color;
                fill.setAlphaF(m_d->dark ? 0.22 : 0.15);
                const QRectF area(
                    QPointF(left, std::max(top, plot.top())), QPointF(right, std::min(bottom, plot.bottom())));
                if (area.height() > 0)
                    painter->fillRect(area, fill);
                // Edges, so a thin band still reads as a band and a wide one shows where it ends.
                QColor edge = color;
                edge.setAlphaF(0.45);
                QPen pen(edge, 1.0);
                pen.setCosmetic(true);
                painter->setPen(pen);
                for (double y : { top, bottom }) {
                    if (y >= plot.top() && y <= plot.bottom())
                        painter->drawLine(QPointF(left, y), QPointF(right, y));
                }
                if (std::isfinite(b->centre)) {
                    const double y = yOf(b->centre);
                    QPen centre(color, 1.0, Qt::DashLine);
                    centre.setCosmetic(true);
                    painter->setPen(centre);
                    if (y >= plot.top() && y <= plot.bottom())
                        painter->drawLine(QPointF(left, y), QPointF(right, y));
                }
                if (!b->label.isEmpty()) {
                    // Just above the band, where it hides no data inside the band; inside its top edge when the
                    // band touches the top of the plot; pinned to the top edge when the band is above the scale.
                    const bool above = bottom < plot.top() + 2;
                    const bool inside = !above && top - captionHeight(painter) - 2 < plot.top();
                    captions.push_back({ above ? u"↑ "_s % b->label : b->label, color,
                        QPointF(left + 4, above ? plot.top() + 2 : std::max(top, plot.top()) + (inside ? 2 : -2)),
                        false, above || inside });
                }
            }
        }
        const auto &points = m_d->projection;
        if (!points.isEmpty()) {
            const QColor color = themeColor(ThemeColor::Projection, m_d->dark);
            QPolygonF upper, lower;
            for (const ProjectionPoint &p : points) {
                if (!std::isfinite(p.value))
                    continue;
                upper << QPointF(xOf(double(p.ms)), yOf(std::isfinite(p.high) ? p.high : p.value));
                lower.prepend(QPointF(xOf(double(p.ms)), yOf(std::isfinite(p.low) ? p.low : p.value)));
            }
            const QPolygonF cone = upper + lower;
            QColor fill = color;
            fill.setAlphaF(m_d->dark ? 0.24 : 0.16);
            painter->setPen(Qt::NoPen);
            painter->setBrush(fill);
            painter->drawPolygon(cone);
        }
        painter->restore();
    }

    // The projection's line and the limit line, over the data lines.
    template <typename X, typename Y>
    void paintOverlays(QPainter *painter, const QRectF &plot, const X &xOf, const Y &yOf, QVector<Caption> &captions)
    {
        painter->save();
        const auto &points = m_d->projection;
        if (!points.isEmpty()) {
            const QColor color = themeColor(ThemeColor::Projection, m_d->dark);
            QPolygonF line;
            for (const ProjectionPoint &p : points) {
                if (std::isfinite(p.value))
                    line << QPointF(xOf(double(p.ms)), yOf(p.value));
            }
            // Few points: a wide dashed pen costs nothing here, unlike on the data lines.
            QPen pen(color, 1.6, Qt::DashLine);
            painter->setPen(pen);
            painter->drawPolyline(line);
            // The caption over the cone's end (or its last visible part), under it when that is the top edge.
            auto last = std::find_if(points.crbegin(), points.crend(),
                [&](const ProjectionPoint &p) { return p.ms <= m_d->toMs && std::isfinite(p.value); });
            if (!m_d->projectionLabel.isEmpty() && last != points.crend() && last->ms >= m_d->fromMs) {
                const double x = std::min(xOf(double(last->ms)), plot.right()) - 4;
                const double top = yOf(std::isfinite(last->high) ? last->high : last->value);
                const double bottom = yOf(std::isfinite(last->low) ? last->low : last->value);
                const bool below = top - captionHeight(painter) - 4 < plot.top();
                captions.push_back({ m_d->projectionLabel, color,
                    QPointF(x, below ? std::min(bottom + 2, plot.bottom() - captionHeight(painter)) : top - 2), true,
                    below });
            }
        }
        if (std::isfinite(m_d->threshold)) {
            const QColor color = themeColor(ThemeColor::Threshold, m_d->dark);
            const double y = yOf(m_d->threshold);
            if (y >= plot.top() && y <= plot.bottom()) {
                QPen pen(color, 1.0, Qt::DashLine);
                pen.setCosmetic(true);
                painter->setPen(pen);
                painter->drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
            }
            if (!m_d->thresholdLabel.isEmpty()) {
                const bool above = y < plot.top();
                const bool below = !above && y - captionHeight(painter) - 2 < plot.top();
                captions.push_back({ above ? u"↑ "_s % m_d->thresholdLabel : m_d->thresholdLabel, color,
                    QPointF(plot.right() - 4,
                        above       ? plot.top() + 2
                            : below ? y + 2
                                    : y - 2),
                    true, above || below });
            }
        }
        painter->restore();
    }

    // Values above the axis: a small triangle on the top edge in the line's colour; the hover text gives the value.
    template <typename X>
    void paintOutliers(QPainter *painter, const QRectF &plot, const X &xOf)
    {
        double lastX = -1e9;
        painter->setPen(Qt::NoPen);
        for (const auto &o : std::as_const(m_d->outliers)) {
            const double x = xOf(o.x);
            if (x - lastX < 4) // one per few pixels: the hover text names the highest
                continue;
            lastX = x;
            painter->setBrush(m_d->series[o.line]->pen().color());
            painter->drawPolygon(
                QPolygonF({ QPointF(x, plot.top()), QPointF(x - 4, plot.top() + 7), QPointF(x + 4, plot.top() + 7) }));
        }
    }

    // Markers: a thin line across the plot and a small triangle on the time axis; a run alone shades its span. Markers
    // closer than kMarkerGapPx are one group (models/markergroups.h), drawn once with its count; the hover text lists
    // them. Red when any member failed.
    template <typename X>
    void paintMarkers(QPainter *painter, const QRectF &plot, const X &xOf)
    {
        const bool shadeRuns = m_d->markerGroups.size() <= 50;
        for (const MarkerGroup &g : std::as_const(m_d->markerGroups)) {
            const TimeMarker &first = m_d->markers[g.members.first()];
            const bool runs = std::all_of(g.members.cbegin(), g.members.cend(),
                [&](int i) { return m_d->markers[i].kind == TimeMarker::Kind::Run; });
            const QColor color = g.failures > 0 ? QColor(0xe7, 0x4c, 0x3c)
                : runs                          ? QColor(0x8e, 0x44, 0xad)
                                                : QColor(0x7f, 0x8c, 0x8d);
            const double x = xOf(double(g.timeMs));
            if (shadeRuns && g.members.size() == 1 && runs && first.endMs > first.timeMs) {
                QColor fill = color;
                fill.setAlphaF(0.08);
                painter->fillRect(
                    QRectF(QPointF(x, plot.top()), QPointF(xOf(double(first.endMs)), plot.bottom())), fill);
            }
            QPen pen(color, 1.0, Qt::DotLine);
            pen.setCosmetic(true);
            painter->setPen(pen);
            painter->drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
            painter->setPen(Qt::NoPen);
            painter->setBrush(color);
            painter->drawPolygon(QPolygonF(
                { QPointF(x, plot.bottom() - 7), QPointF(x - 4, plot.bottom()), QPointF(x + 4, plot.bottom()) }));
            if (g.members.size() > 1) {
                painter->save();
                painter->setFont(captionFont(painter));
                painter->setPen(color);
                const QFontMetricsF fm(painter->font());
                const QString count = QString::number(g.members.size());
                painter->drawText(QPointF(x + 5, plot.bottom() - 2 - fm.descent()), count);
                painter->restore();
            }
        }
    }

    QFont captionFont(const QPainter *painter) const
    {
        QFont font = painter->font();
        if (font.pointSizeF() > 0)
            font.setPointSizeF(font.pointSizeF() * 0.9);
        return font;
    }
    double captionHeight(const QPainter *painter) const { return QFontMetricsF(captionFont(painter)).height() + 2; }

    // Captions in small boxes on a translucent background, moved apart when they would overlap (the limit and the
    // projection both sit at the right edge) and kept inside the plot.
    void paintCaptions(QPainter *painter, const QRectF &plot, QVector<Caption> captions)
    {
        if (captions.isEmpty())
            return;
        painter->save();
        painter->setFont(captionFont(painter));
        const QFontMetricsF fm(painter->font());
        QColor bg = m_d->dark ? QColor(0x1e, 0x1f, 0x22) : QColor(0xff, 0xff, 0xff);
        bg.setAlphaF(0.8);
        QVector<QRectF> placed;
        for (const Caption &c : std::as_const(captions)) {
            const QSizeF size(fm.horizontalAdvance(c.text) + 8, fm.height() + 2);
            QRectF box(QPointF(c.alignRight ? c.anchor.x() - size.width() : c.anchor.x(),
                           c.below ? c.anchor.y() : c.anchor.y() - size.height()),
                size);
            const auto clamp = [&]() {
                box.moveLeft(
                    std::clamp(box.left(), plot.left() + 2, std::max(plot.left() + 2, plot.right() - 2 - box.width())));
                box.moveTop(
                    std::clamp(box.top(), plot.top() + 1, std::max(plot.top() + 1, plot.bottom() - 1 - box.height())));
            };
            clamp();
            // Step away from boxes already placed: down first, up once the bottom is reached.
            double step = size.height() + 2;
            const auto overlaps = [&]() {
                return std::any_of(placed.cbegin(), placed.cend(), [&](const QRectF &r) { return r.intersects(box); });
            };
            for (int tries = 0; tries < 8 && overlaps(); ++tries) {
                if (box.bottom() + step > plot.bottom())
                    step = -std::abs(step);
                box.translate(0, step);
                clamp();
            }
            // A plot too small for every caption shows those that fit; the hover text still names them all. A caption
            // wider than half the plot would hide the data under it: a narrow chart keeps its lines, not its words.
            if (overlaps() || box.width() > 0.5 * plot.width())
                continue;
            placed.push_back(box);
            painter->setPen(Qt::NoPen);
            painter->setBrush(bg);
            painter->drawRoundedRect(box, 3, 3);
            painter->setPen(c.color);
            painter->drawText(box, Qt::AlignCenter, c.text);
        }
        painter->restore();
    }

    TimeSeriesChart::Private *m_d;
};

namespace {
QString formatValue(double v)
{
    if (!std::isfinite(v))
        return u"–"_s;
    const double a = std::abs(v);
    return QLocale().toString(v, 'f', a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3);
}

constexpr qint64 minimumSpanMs = 5000; // zooming in further than 5 s shows nothing more
} // namespace

TimeSeriesChart::TimeSeriesChart(const QString &title, QWidget *parent)
    : QWidget(parent)
    , d(std::make_unique<Private>())
{
    d->chart = new QChart();
    d->chart->setAnimationOptions(QChart::NoAnimation);
    d->chart->setTitle(title);
    d->chart->legend()->setAlignment(Qt::AlignTop);
    d->chart->setMargins(QMargins(4, 4, 4, 4));
    d->timeAxis = new QCategoryAxis(d->chart);
    d->timeAxis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    d->timeAxis->setTruncateLabels(false); // updateTimeAxis() leaves room for every label
    d->valueAxis = new QValueAxis(d->chart);
    d->valueAxis->setTickType(QValueAxis::TicksDynamic);
    d->valueAxis->setTickAnchor(0);
    d->valueAxis->setLabelFormat(u"%.0f"_s);
    d->valueAxis->setRange(0, 1);
    // A swatch drawn like its line (dashed, light) tells the lines apart; a plain box only shows the colour.
    d->chart->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);
    d->chart->addAxis(d->timeAxis, Qt::AlignBottom);
    d->chart->addAxis(d->valueAxis, Qt::AlignLeft);
    d->view = new QChartView(d->chart, this);
    d->layer = new LineLayer(d.get());
    d->chart->scene()->addItem(d->layer);
    // The next redraw() decimates for the new width; until then the layer only moves with the plot.
    connect(d->chart, &QChart::plotAreaChanged, this, [this]() { d->layer->refresh(); });
    d->view->setRenderHint(QPainter::Antialiasing, false);
    d->view->setMouseTracking(true);
    d->view->viewport()->setMouseTracking(true);
    d->view->viewport()->installEventFilter(this);
    d->rubberBand = new QRubberBand(QRubberBand::Rectangle, d->view->viewport());
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(d->view);
    setMinimumHeight(140);
    // The view passes context menu events (mouse and keyboard alike) up to the chart, which shows its actions.
    d->view->setContextMenuPolicy(Qt::NoContextMenu);
    setContextMenuPolicy(Qt::ActionsContextMenu);
    d->savePng = new QAction(tr("Save chart as PNG…"), this);
    d->copyData = new QAction(tr("Copy data"), this);
    d->exportReport = new QAction(tr("Export report…"), this);
    addActions({ d->savePng, d->copyData, d->exportReport });
    connect(d->savePng, &QAction::triggered, this, &TimeSeriesChart::onSavePngTriggered);
    connect(d->copyData, &QAction::triggered, this, &TimeSeriesChart::onCopyDataTriggered);
    connect(d->exportReport, &QAction::triggered, this, &TimeSeriesChart::exportRequested);
}

TimeSeriesChart::~TimeSeriesChart() = default;

int TimeSeriesChart::addLine(const QString &name, const QColor &color, qreal width, bool dashed)
{
    auto *line = new QLineSeries(d->chart);
    line->setName(name);
    QPen pen(color);
    pen.setWidthF(width);
    if (dashed)
        pen.setStyle(Qt::DashLine);
    line->setPen(pen);
    d->chart->addSeries(line);
    line->attachAxis(d->timeAxis);
    line->attachAxis(d->valueAxis);
    d->series.push_back(line);
    d->data.push_back({});
    d->shown.push_back({});
    return int(d->series.size()) - 1;
}

void TimeSeriesChart::setLineVisible(int line, bool visible)
{
    if (line >= 0 && line < d->series.size())
        d->series[line]->setVisible(visible);
}

bool TimeSeriesChart::isLineVisible(int line) const
{
    return line >= 0 && line < d->series.size() && d->series[line]->isVisible();
}

void TimeSeriesChart::setLineData(int line, QVector<QPointF> points)
{
    if (line >= 0 && line < d->data.size())
        d->data[line] = std::move(points);
}

void TimeSeriesChart::setGapMs(qint64 gapMs)
{
    d->gapMs = std::max<qint64>(0, gapMs);
}

void TimeSeriesChart::setTimeRange(qint64 fromMs, qint64 toMs)
{
    d->fromMs = fromMs;
    d->toMs = std::max(toMs, fromMs + 1);
}

qint64 TimeSeriesChart::fromMs() const
{
    return d->fromMs;
}

qint64 TimeSeriesChart::toMs() const
{
    return d->toMs;
}

void TimeSeriesChart::setMarkers(QVector<TimeMarker> markers)
{
    d->allMarkers = std::move(markers);
    d->markers = d->markerScope.filter(d->allMarkers);
    regroupMarkers();
    d->layer->update();
}

void TimeSeriesChart::setMarkerScope(MarkerScope scope)
{
    d->markerScope = std::move(scope);
    setMarkers(std::move(d->allMarkers));
}

int TimeSeriesChart::markerCount() const
{
    int n = 0;
    for (const auto &m : std::as_const(d->markers))
        n += m.endMs >= d->fromMs && m.timeMs <= d->toMs ? 1 : 0;
    return n;
}

int TimeSeriesChart::markerGroupCount() const
{
    return int(d->markerGroups.size());
}

void TimeSeriesChart::regroupMarkers()
{
    const double msPerPixel = double(d->toMs - d->fromMs) / std::max(1.0, d->chart->plotArea().width());
    d->markerGroups = groupMarkers(d->markers, d->fromMs, d->toMs, qint64(kMarkerGapPx * msPerPixel));
}

void TimeSeriesChart::setTitle(const QString &title)
{
    d->chart->setTitle(title);
}

QString TimeSeriesChart::title() const
{
    return d->chart->title();
}

void TimeSeriesChart::setValueLabel(const QString &label)
{
    d->valueLabel = label;
    elideValueLabel();
}

QString TimeSeriesChart::valueLabel() const
{
    return d->valueLabel;
}

QString TimeSeriesChart::shownValueLabel() const
{
    return d->valueAxis->titleText();
}

void TimeSeriesChart::elideValueLabel()
{
    // The title runs along the plot's height; longer, Qt Charts cuts it at either end. Elided here instead, whole in
    // the axis' tooltip.
    const double room = d->chart->plotArea().height();
    QString shown = room > 0
        ? QFontMetricsF(d->valueAxis->titleFont()).elidedText(d->valueLabel, Qt::ElideRight, room - 4)
        : d->valueLabel;
    if (shown.size() < std::min<qsizetype>(4, d->valueLabel.size())) // "p…" says nothing: the tooltip has it
        shown.clear();
    if (shown != d->valueAxis->titleText())
        d->valueAxis->setTitleText(shown);
}

void TimeSeriesChart::setValueFormat(const QString &printfFormat)
{
    // The tick labels take their decimals from the 1-2-5 step (models/axisticks.h); a format asked for is kept for
    // the callers that set one, and no longer needed.
    Q_UNUSED(printfFormat);
}

void TimeSeriesChart::setMinimumValueRange(double top)
{
    d->minTop = top;
}

void TimeSeriesChart::setEmptyText(const QString &text)
{
    d->emptyText = text;
}

void TimeSeriesChart::setDarkTheme(bool dark)
{
    const auto colors = [this]() {
        QVector<QPen> pens;
        for (auto *s : std::as_const(d->series))
            pens.push_back(s->pen());
        return pens;
    }();
    d->dark = dark;
    d->chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    d->chart->setAnimationOptions(QChart::NoAnimation);
    // setTheme() repaints the series in theme colours; ours carry meaning (p99 is always red), so restore them.
    for (int i = 0; i < d->series.size(); ++i)
        d->series[i]->setPen(colors[i]);
    d->layer->update();
}

void TimeSeriesChart::setHoverTextProvider(HoverTextProvider provider)
{
    d->hoverText = std::move(provider);
}

QString TimeSeriesChart::hoverText(qint64 timeMs) const
{
    QStringList lines { AxisTicks::timeText(timeMs, d->fromMs, d->toMs, QDateTime::currentMSecsSinceEpoch()) };
    const double plotWidth = std::max(1.0, d->chart->plotArea().width());
    const double tolerance = std::max(1500.0, 4.0 * double(d->toMs - d->fromMs) / plotWidth);
    // The owner's text, or the nearest point of each line if it is within a few columns of the mouse.
    if (d->hoverText)
        lines << d->hoverText(timeMs);
    for (int i = 0; i < d->series.size() && !d->hoverText; ++i) {
        if (!d->series[i]->isVisible())
            continue;
        const auto &points = d->data[i];
        auto it = std::lower_bound(
            points.cbegin(), points.cend(), double(timeMs), [](const QPointF &p, double t) { return p.x() < t; });
        const QPointF *best = nullptr;
        for (auto c : { it, it == points.cbegin() ? it : it - 1 }) {
            if (c != points.cend() && std::abs(c->x() - double(timeMs)) <= tolerance && !std::isnan(c->y())
                && (!best || std::abs(c->x() - double(timeMs)) < std::abs(best->x() - double(timeMs))))
                best = &*c;
        }
        if (best)
            lines << d->series[i]->name() % u": "_s % formatValue(best->y());
    }
    // The overlays as their owner labelled them: the projection's nearest point, the band over its span, the limit.
    const auto &projection = d->projection;
    if (!projection.isEmpty() && double(timeMs) >= double(projection.first().ms) - tolerance
        && double(timeMs) <= double(projection.last().ms) + tolerance) {
        auto it = std::lower_bound(projection.cbegin(), projection.cend(), timeMs,
            [](const ProjectionPoint &p, qint64 t) { return p.ms < t; });
        if (it == projection.cend() || (it != projection.cbegin() && timeMs - (it - 1)->ms < it->ms - timeMs))
            --it;
        QString line = d->projectionLabel.isEmpty() ? tr("projection") : d->projectionLabel;
        line += u": "_s % formatValue(it->value);
        if (std::isfinite(it->low) && std::isfinite(it->high))
            line += u" ("_s % formatValue(it->low) % u"–"_s % formatValue(it->high) % u')';
        lines << line;
    }
    if (d->band && !d->band->label.isEmpty() && timeMs >= d->band->fromMs && timeMs <= d->band->toMs)
        lines << d->band->label;
    if (std::isfinite(d->threshold) && !d->thresholdLabel.isEmpty())
        lines << d->thresholdLabel;
    for (const ShadedSpan &span : std::as_const(d->spans)) {
        if (!span.label.isEmpty() && timeMs >= span.fromMs && (span.open || timeMs <= span.toMs))
            lines << u"⚠ "_s % span.label;
    }
    // Values above the axis near the mouse, each line's highest: the scale leaves them out, the text does not.
    QVector<const Private::Outlier *> above(d->series.size(), nullptr);
    for (const auto &o : std::as_const(d->outliers)) {
        if (std::abs(o.x - double(timeMs)) <= tolerance && (!above[o.line] || o.y > above[o.line]->y))
            above[o.line] = &o;
    }
    for (const auto *o : std::as_const(above)) {
        if (o)
            lines << tr("↑ %1: %2 (above the scale)").arg(d->series[o->line]->name(), formatValue(o->y));
    }
    lines << markerText(timeMs);
    lines.removeAll(QString());
    return lines.join(u'\n');
}

const MarkerGroup *TimeSeriesChart::nearestMarkerGroup(qint64 timeMs) const
{
    // The group drawn nearest the mouse, within half the gap that separates groups (and the crosshair's tolerance).
    const double msPerPixel = double(d->toMs - d->fromMs) / std::max(1.0, d->chart->plotArea().width());
    const double reach = std::max(1500.0, kMarkerGapPx / 2 * msPerPixel);
    const auto distanceTo = [timeMs](const MarkerGroup &g) {
        return timeMs >= g.timeMs && timeMs <= g.lastMs
            ? 0.0
            : std::min(std::abs(double(g.timeMs - timeMs)), std::abs(double(g.lastMs - timeMs)));
    };
    const MarkerGroup *best = nullptr;
    for (const MarkerGroup &g : std::as_const(d->markerGroups)) {
        if (distanceTo(g) <= reach && (!best || distanceTo(g) < distanceTo(*best)))
            best = &g;
    }
    return best;
}

QString TimeSeriesChart::markerText(qint64 timeMs) const
{
    const MarkerGroup *best = nearestMarkerGroup(timeMs);
    if (!best)
        return {};
    // An event's title and its text; a run's name and its duration.
    const auto describe = [](const TimeMarker &m) {
        QString text = m.detail.simplified();
        if (text.size() > 160)
            text = text.left(159) % u'…';
        return text.isEmpty() ? m.title : m.title % u": "_s % text;
    };
    QStringList lines;
    constexpr int listed = 6;
    const auto count = best->members.size();
    if (count > 1) {
        const bool runs = std::all_of(best->members.cbegin(), best->members.cend(),
            [&](int i) { return d->markers[i].kind == TimeMarker::Kind::Run; });
        QString head = (runs ? tr("▲ %1 runs here") : tr("▲ %1 events here")).arg(count);
        if (best->failures > 0)
            head += tr(", %1 failed").arg(best->failures);
        lines << head;
    }
    // Failures first: they are what a summary must not hide.
    QVector<int> order = best->members;
    std::stable_partition(order.begin(), order.end(), [&](int i) { return d->markers[i].failure; });
    for (int k = 0; k < std::min<qsizetype>(listed, order.size()); ++k)
        lines << (count > 1 ? u"  "_s : u"▲ "_s) % describe(d->markers[order[k]]);
    if (count > listed)
        lines << tr("  … and %1 more").arg(count - listed);
    return lines.join(u'\n');
}

QString TimeSeriesChart::crosshairText() const
{
    return d->crosshairText;
}

QRectF TimeSeriesChart::plotArea() const
{
    return d->view->mapFromScene(d->chart->mapToScene(d->chart->plotArea())).boundingRect();
}

qint64 TimeSeriesChart::timeAt(double viewportX) const
{
    const QRectF plot = plotArea();
    const double f = plot.width() > 0 ? (viewportX - plot.left()) / plot.width() : 0;
    return d->fromMs + qint64(std::llround(f * double(d->toMs - d->fromMs)));
}

void TimeSeriesChart::setCrosshair(double viewportX)
{
    const QRectF plot = plotArea();
    if (viewportX < plot.left() || viewportX > plot.right()) {
        d->crosshairX = -1;
        d->crosshairText.clear();
    } else {
        // The layer paints in chart coordinates; the plot's offset is the same in both for a chart filling its view.
        d->crosshairX = d->chart->plotArea().left() + (viewportX - plot.left());
        d->crosshairViewX = viewportX;
        d->crosshairText = hoverText(timeAt(viewportX));
    }
    d->layer->update();
}

void TimeSeriesChart::showCrosshairAt(qint64 timeMs)
{
    const QRectF plot = plotArea();
    setCrosshair(plot.left() + plot.width() * double(timeMs - d->fromMs) / double(d->toMs - d->fromMs));
}

bool TimeSeriesChart::eventFilter(QObject *watched, QEvent *event)
{
    if (watched != d->view->viewport())
        return QWidget::eventFilter(watched, event);
    switch (event->type()) {
    case QEvent::Wheel: {
        auto *wheel = static_cast<QWheelEvent *>(event);
        const double steps = wheel->angleDelta().y() / 120.0;
        if (steps == 0)
            return true;
        const double factor = std::pow(0.8, steps); // up: closer
        const double at = double(timeAt(wheel->position().x()));
        const double span = std::max(double(minimumSpanMs), double(d->toMs - d->fromMs) * factor);
        const double f = (at - double(d->fromMs)) / double(d->toMs - d->fromMs);
        const qint64 from = qint64(at - f * span);
        Q_EMIT rangeRequested(from, from + qint64(span));
        return true;
    }
    case QEvent::MouseButtonPress: {
        auto *mouse = static_cast<QMouseEvent *>(event);
        d->pressPos = mouse->position().toPoint();
        d->pressFrom = d->fromMs;
        d->pressTo = d->toMs;
        if (mouse->button() == Qt::MiddleButton
            || (mouse->button() == Qt::LeftButton && (mouse->modifiers() & Qt::ControlModifier))) {
            d->drag = Private::Drag::Pan;
            d->view->viewport()->setCursor(Qt::ClosedHandCursor);
        } else if (mouse->button() == Qt::LeftButton && plotArea().contains(mouse->position())) {
            d->drag = Private::Drag::Zoom;
            d->rubberBand->setGeometry(QRect(d->pressPos, QSize()));
            d->rubberBand->show();
        }
        return true;
    }
    case QEvent::MouseMove: {
        auto *mouse = static_cast<QMouseEvent *>(event);
        const QPoint pos = mouse->position().toPoint();
        if (d->drag == Private::Drag::Pan) {
            const QRectF plot = plotArea();
            const double msPerPixel = double(d->pressTo - d->pressFrom) / std::max(1.0, plot.width());
            const qint64 shift = qint64(double(d->pressPos.x() - pos.x()) * msPerPixel);
            Q_EMIT rangeRequested(d->pressFrom + shift, d->pressTo + shift);
        } else if (d->drag == Private::Drag::Zoom) {
            const QRectF plot = plotArea();
            d->rubberBand->setGeometry(QRect(QPoint(std::min(d->pressPos.x(), pos.x()), int(plot.top())),
                QPoint(std::max(d->pressPos.x(), pos.x()), int(plot.bottom())))
                                           .normalized());
        }
        setCrosshair(pos.x());
        return false;
    }
    case QEvent::MouseButtonRelease: {
        auto *mouse = static_cast<QMouseEvent *>(event);
        if (d->drag == Private::Drag::Zoom) {
            d->rubberBand->hide();
            const int x0 = std::min(d->pressPos.x(), mouse->position().toPoint().x());
            const int x1 = std::max(d->pressPos.x(), mouse->position().toPoint().x());
            if (x1 - x0 >= 4) {
                Q_EMIT rangeRequested(timeAt(x0), std::max(timeAt(x1), timeAt(x0) + minimumSpanMs));
            } else if (const MarkerGroup *group = nearestMarkerGroup(timeAt(x0))) {
                QVector<TimeMarker> clicked;
                for (int i : group->members)
                    clicked << d->markers[i];
                Q_EMIT markersClicked(clicked);
            }
        }
        d->drag = Private::Drag::None;
        d->view->viewport()->unsetCursor();
        return true;
    }
    case QEvent::MouseButtonDblClick:
        d->drag = Private::Drag::None;
        d->rubberBand->hide();
        Q_EMIT resetRequested();
        return true;
    case QEvent::ToolTip: {
        // Over the value axis: its whole title, which the axis may show elided.
        auto *help = static_cast<QHelpEvent *>(event);
        if (help->pos().x() < plotArea().left() && d->valueAxis->titleText() != d->valueLabel)
            QToolTip::showText(help->globalPos(), d->valueLabel, d->view->viewport());
        else
            QToolTip::hideText();
        return true;
    }
    case QEvent::Leave:
        d->crosshairX = -1;
        d->crosshairText.clear();
        d->layer->update();
        return false;
    default:
        return false;
    }
}

void TimeSeriesChart::redraw()
{
    const double x0 = double(d->fromMs);
    const double x1 = double(d->toMs);
    const int columns = std::max(1, int(d->chart->plotArea().width()));
    // The decimated points keep each column's min and max, so a spike is among these values.
    QVector<double> visible;
    for (int i = 0; i < d->series.size(); ++i) {
        d->shown[i] = decimateMinMax(d->data[i], x0, x1, columns);
        if (d->series[i]->isVisible()) {
            for (const auto &p : std::as_const(d->shown[i])) {
                if (p.x() >= x0 && p.x() <= x1)
                    visible.push_back(p.y());
            }
        }
    }
    // Antialiased lines cost about twice as much; a busy chart (thousands of points per line) gets sharp pixels
    // instead, which keeps 16 x 3600 points inside the 12 ms frame budget.
    qsizetype drawn = 0;
    for (const auto &shown : std::as_const(d->shown))
        drawn += shown.size();
    d->antialias = drawn <= 8000;
    // The projection's values are data to see; its cone, the band and the limit raise the top only to 3x the data's
    // own top, so a far-off baseline cannot flatten the lines (what is above is clipped; its caption says so).
    // A lone outlier does not set the scale (models/robustrange.h): it is marked at the top edge instead. The
    // projection is no measurement: its values always fit.
    double top = RobustRange::of(std::move(visible)).top;
    double overlayTop = 0;
    for (const ProjectionPoint &p : std::as_const(d->projection)) {
        if (p.ms < d->fromMs || p.ms > d->toMs)
            continue;
        if (std::isfinite(p.value))
            top = std::max(top, p.value * RobustRange::kKeptHeadroom);
        if (std::isfinite(p.high))
            overlayTop = std::max(overlayTop, p.high);
    }
    if (d->band && d->band->fromMs <= d->toMs && d->band->toMs >= d->fromMs && std::isfinite(d->band->high))
        overlayTop = std::max(overlayTop, d->band->high * 1.05);
    if (std::isfinite(d->threshold))
        overlayTop = std::max(overlayTop, d->threshold * 1.05);
    const double dataTop = std::max(top, d->minTop); // the robust top has its headroom
    double axisTop = dataTop;
    if (overlayTop > dataTop)
        axisTop = top > 0 ? std::min(overlayTop, 3 * dataTop) : overlayTop;
    // 1-2-5 ticks about every 45 px of height.
    const double plotHeight = d->chart->plotArea().height();
    const AxisTicks::Values ticks = AxisTicks::niceValues(0, axisTop, std::clamp(int(plotHeight / 45), 2, 8));
    d->yMax = ticks.last;
    d->outliers.clear();
    for (int i = 0; i < d->series.size(); ++i) {
        if (!d->series[i]->isVisible())
            continue;
        for (const auto &p : std::as_const(d->shown[i])) {
            if (p.y() > d->yMax && p.x() >= x0 && p.x() <= x1)
                d->outliers.push_back({ p.x(), p.y(), i });
        }
    }
    std::sort(d->outliers.begin(), d->outliers.end(),
        [](const Private::Outlier &a, const Private::Outlier &b) { return a.x < b.x; });
    d->valueAxis->setLabelFormat(u"%."_s % QString::number(ticks.decimals) % u'f');
    d->valueAxis->setTickInterval(ticks.step);
    d->valueAxis->setRange(0, d->yMax);
    updateTimeAxis(columns);
    elideValueLabel();
    regroupMarkers();
    updateLegend();
    if (d->crosshairX >= 0)
        d->crosshairText = hoverText(timeAt(d->crosshairViewX));
    d->layer->refresh();
}

void TimeSeriesChart::updateTimeAxis(int columns)
{
    // Round times (models/axisticks.h), as many as fit whole: each label's width plus a gap between ticks. Qt Charts
    // would cut each label to the axis' width / its count; it is told not to, as they fit.
    const QFontMetricsF fm(d->timeAxis->labelsFont());
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    qint64 step = 0;
    QVector<qint64> ticks;
    QStringList labels;
    for (int most = std::clamp(columns / 60, 1, 10); most >= 1; --most) {
        step = AxisTicks::timeStepMs(d->toMs - d->fromMs, most);
        ticks = AxisTicks::timeTicks(d->fromMs, d->toMs, step);
        labels = AxisTicks::timeLabels(ticks, d->fromMs, d->toMs, step, nowMs);
        double widest = 0;
        for (const QString &label : std::as_const(labels))
            widest = std::max(widest, fm.horizontalAdvance(label));
        const double spacing = double(columns) * double(step) / double(std::max<qint64>(1, d->toMs - d->fromMs));
        if (spacing >= widest + 16)
            break;
    }
    // QCategoryAxis keys its categories by label: a repeated one gets an invisible difference.
    for (qsizetype i = 1; i < labels.size(); ++i) {
        while (labels.indexOf(labels[i]) < i)
            labels[i] += QChar(0x200B);
    }
    if (ticks != d->timeTicks || labels != d->timeLabels) {
        for (const QString &label : d->timeAxis->categoriesLabels())
            d->timeAxis->remove(label);
        d->timeAxis->setStartValue(double(d->fromMs));
        for (qsizetype i = 0; i < ticks.size(); ++i)
            d->timeAxis->append(labels[i], double(ticks[i]));
        d->timeTicks = ticks;
        d->timeLabels = labels;
    }
    d->timeAxis->setRange(double(d->fromMs), double(d->toMs));
}

void TimeSeriesChart::updateLegend()
{
    // Lines drawn alike (colour, width, dash) would be two identical swatches: the first keeps the entry.
    const QList<QLegendMarker *> markers = d->chart->legend()->markers();
    QVector<QPen> shown;
    for (int i = 0; i < d->series.size(); ++i) {
        const QPen pen = d->series[i]->pen();
        const bool alike = std::any_of(shown.cbegin(), shown.cend(), [&](const QPen &p) {
            return p.color() == pen.color() && p.style() == pen.style() && p.widthF() == pen.widthF();
        });
        const bool wanted = d->series[i]->isVisible() && d->inLegend.value(i, true) && !alike;
        for (QLegendMarker *marker : markers) {
            if (marker->series() == d->series[i] && marker->isVisible() != wanted)
                marker->setVisible(wanted);
        }
        if (wanted)
            shown.push_back(pen);
    }
}

QStringList TimeSeriesChart::legendEntries() const
{
    QStringList out;
    for (QLegendMarker *marker : d->chart->legend()->markers()) {
        if (marker->isVisible())
            out << marker->label();
    }
    return out;
}

QStringList TimeSeriesChart::timeTickLabels() const
{
    QStringList out;
    for (const QString &label : std::as_const(d->timeLabels))
        out << QString(label).remove(QChar(0x200B));
    return out;
}

QVector<qint64> TimeSeriesChart::timeTicks() const
{
    return d->timeTicks;
}

QVector<double> TimeSeriesChart::valueTicks() const
{
    QVector<double> out;
    const double step = d->valueAxis->tickInterval();
    for (double v = 0; step > 0 && v <= d->yMax * (1 + 1e-9); v += step)
        out << std::round(v / step) * step;
    return out;
}

int TimeSeriesChart::outlierCount() const
{
    return int(d->outliers.size());
}

void TimeSeriesChart::setLineInLegend(int line, bool shown)
{
    if (line >= 0 && line < d->series.size())
        d->inLegend[line] = shown;
    updateLegend();
}

void TimeSeriesChart::setBand(double low, double high, const QString &label, qint64 fromMs, qint64 toMs)
{
    Private::Band band;
    band.low = std::min(low, high);
    band.high = std::max(low, high);
    band.fromMs = std::min(fromMs, toMs);
    band.toMs = std::max(fromMs, toMs);
    band.label = label;
    d->band = std::move(band);
    d->layer->update();
}

void TimeSeriesChart::setBandCentre(double value)
{
    if (d->band)
        d->band->centre = value;
    d->layer->update();
}

void TimeSeriesChart::clearBand()
{
    d->band.reset();
    d->layer->update();
}

bool TimeSeriesChart::hasBand() const
{
    return d->band.has_value();
}

QPair<double, double> TimeSeriesChart::band() const
{
    constexpr double none = std::numeric_limits<double>::quiet_NaN();
    return d->band ? qMakePair(d->band->low, d->band->high) : qMakePair(none, none);
}

QString TimeSeriesChart::bandLabel() const
{
    return d->band ? d->band->label : QString();
}

void TimeSeriesChart::setProjection(QVector<ProjectionPoint> points, const QString &label)
{
    d->projection = std::move(points);
    d->projectionLabel = label;
    d->layer->update();
}

void TimeSeriesChart::clearProjection()
{
    d->projection.clear();
    d->projectionLabel.clear();
    d->layer->update();
}

int TimeSeriesChart::projectionPointCount() const
{
    return int(d->projection.size());
}

void TimeSeriesChart::setThreshold(double value, const QString &label)
{
    d->threshold = value;
    d->thresholdLabel = label;
    d->layer->update();
}

void TimeSeriesChart::clearThreshold()
{
    d->threshold = std::numeric_limits<double>::quiet_NaN();
    d->thresholdLabel.clear();
    d->layer->update();
}

bool TimeSeriesChart::hasThreshold() const
{
    return std::isfinite(d->threshold);
}

double TimeSeriesChart::threshold() const
{
    return d->threshold;
}

QPair<double, double> TimeSeriesChart::valueRange() const
{
    return qMakePair(d->valueAxis->min(), d->valueAxis->max());
}

void TimeSeriesChart::setShadedSpans(QVector<ShadedSpan> spans)
{
    d->spans = std::move(spans);
    d->layer->update();
}

const QVector<ShadedSpan> &TimeSeriesChart::shadedSpans() const
{
    return d->spans;
}

int TimeSeriesChart::lineCount() const
{
    return int(d->series.size());
}

int TimeSeriesChart::drawnPointCount(int line) const
{
    return line >= 0 && line < d->shown.size() ? int(d->shown[line].size()) : 0;
}

QList<QAction *> TimeSeriesChart::contextMenuActions() const
{
    return { d->savePng, d->copyData, d->exportReport };
}

bool TimeSeriesChart::savePng(const QString &path, QString *error) const
{
    // grab() renders at the view's device pixel ratio, so a high-DPI screen gives a sharp image.
    const QImage image = d->view->grab().toImage();
    QImageWriter writer(path, "png");
    if (writer.write(image))
        return true;
    if (error)
        *error = writer.errorString();
    return false;
}

QString TimeSeriesChart::dataAsText(QChar separator) const
{
    QVector<SeriesTable::Column> columns;
    for (int i = 0; i < d->series.size(); ++i) {
        if (d->series[i]->isVisible())
            columns.push_back({ d->series[i]->name(), d->data[i] });
    }
    return SeriesTable::text(columns, d->fromMs, d->toMs, separator);
}

void TimeSeriesChart::onSavePngTriggered()
{
    QSettings settings;
    const QString folder
        = settings.value(u"chart/lastFolder"_s, QStandardPaths::writableLocation(QStandardPaths::PicturesLocation))
              .toString();
    // The title names the file, minus what file systems refuse.
    QString name = title().trimmed();
    name.replace(QRegularExpression(u"[\\\\/:*?\"<>|]"_s), u"_"_s);
    if (name.isEmpty())
        name = u"chart"_s;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save chart as PNG"), QDir(folder).filePath(name % u".png"_s), tr("PNG images (*.png)"));
    if (path.isEmpty())
        return;
    settings.setValue(u"chart/lastFolder"_s, QFileInfo(path).absolutePath());
    QString error;
    if (!savePng(path, &error))
        QMessageBox::warning(
            this, tr("Save chart as PNG"), tr("Could not save %1: %2").arg(QDir::toNativeSeparators(path), error));
}

void TimeSeriesChart::onCopyDataTriggered()
{
    auto *mime = new QMimeData; // the clipboard takes ownership
    mime->setText(dataAsText(u'\t'));
    mime->setData(u"text/csv"_s, dataAsText(u',').toUtf8());
    QGuiApplication::clipboard()->setMimeData(mime);
}

} // namespace perfdash
