#include "ui/widgets/ImageView.h"

#include <QApplication>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace ds::ui {

namespace {

constexpr double kMinZoom = 0.05;
constexpr double kMaxZoom = 32.0;
const double kZoomStep = std::pow(2.0, 0.25); // four wheel notches double the zoom
constexpr double kPaneGap = 6.0;
constexpr double kWheelNotch = 120.0; // QWheelEvent::angleDelta units per notch
const QColor kBackground(30, 30, 30);
const QColor kPlaceholderText(190, 190, 190);
const QPoint kOffImage(-1, -1);

// A format the raster painter draws without converting on every paint.
QImage paintable(const QImage& image)
{
    return image.convertToFormat(image.hasAlphaChannel() ? QImage::Format_ARGB32_Premultiplied : QImage::Format_RGB32);
}

} // namespace

ImageView::ImageView(QWidget* parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
}

void ImageView::setImages(const QImage& left, const QImage& right)
{
    if (left.isNull()) {
        setPlaceholder(QString());
        return;
    }
    left_ = paintable(left);
    right_ = right.isNull() || right.size() == left.size()
        ? paintable(right)
        : paintable(right.scaled(left.size(), Qt::IgnoreAspectRatio, Qt::SmoothTransformation));
    placeholder_.clear();
    downscaledZoom_ = 0.0;
    if (left_.size() != viewedSize_) {
        viewedSize_ = left_.size();
        fitMode_ = true;
    }
    hoveredPixel_.reset();
    if (hovering_)
        updateHover(hoverPos_);
    update();
}

void ImageView::setPlaceholder(const QString& text)
{
    left_ = QImage();
    right_ = QImage();
    downscaled_[0] = downscaled_[1] = QImage();
    placeholder_ = text;
    if (hovering_)
        updateHover(hoverPos_);
    update();
}

void ImageView::setInteraction(Interaction interaction)
{
    if (interaction == interaction_)
        return;
    interaction_ = interaction;
    editPressed_ = false;
    spaceHeld_ = false;
    if (!dragging_)
        restoreCursor();
    update();
}

void ImageView::setBrushRadius(double imagePixels)
{
    brushRadius_ = std::max(0.0, imagePixels);
    update();
}

void ImageView::setPolygonPreview(const QPolygonF& vertices)
{
    polygonPreview_ = vertices;
    update();
}

void ImageView::restoreCursor()
{
    if (interaction_ == Interaction::Pan)
        unsetCursor();
    else
        setCursor(spaceHeld_ ? Qt::OpenHandCursor : Qt::CrossCursor);
}

void ImageView::setView(double zoom, QPointF center)
{
    fitMode_ = false;
    zoom_ = clampedZoom(zoom);
    center_ = clampedCenter(center);
    if (hovering_)
        updateHover(hoverPos_);
    update();
}

void ImageView::followView(const ImageView& source)
{
    if (!source.isFitMode()) {
        setView(source.zoom(), source.center());
        return;
    }
    fitMode_ = true;
    if (hovering_)
        updateHover(hoverPos_);
    update();
}

double ImageView::zoom() const
{
    return fitMode_ ? fitZoom() : zoom_;
}

QPointF ImageView::center() const
{
    return fitMode_ ? QPointF(viewedSize_.width() / 2.0, viewedSize_.height() / 2.0) : center_;
}

void ImageView::fitToWindow()
{
    fitMode_ = true;
    userChangedView();
}

void ImageView::zoomActualSize()
{
    leaveFitMode();
    zoom_ = clampedZoom(1.0);
    userChangedView();
}

void ImageView::zoomIn()
{
    leaveFitMode();
    zoom_ = clampedZoom(zoom_ * kZoomStep);
    userChangedView();
}

void ImageView::zoomOut()
{
    leaveFitMode();
    zoom_ = clampedZoom(zoom_ / kZoomStep);
    userChangedView();
}

QRectF ImageView::paneRect(int pane) const
{
    const int count = paneCount();
    const double paneWidth = std::max(0.0, (width() - kPaneGap * (count - 1)) / count);
    return {pane * (paneWidth + kPaneGap), 0.0, paneWidth, double(height())};
}

QPointF ImageView::widgetPoint(QPointF imagePoint, int pane) const
{
    return paneRect(pane).center() + (imagePoint - center()) * scale();
}

double ImageView::scale() const
{
    return zoom() / devicePixelRatioF();
}

double ImageView::fitZoom() const
{
    const QSizeF pane = paneRect(0).size();
    if (viewedSize_.isEmpty() || pane.isEmpty())
        return 1.0;
    return std::min(pane.width() / viewedSize_.width(), pane.height() / viewedSize_.height()) * devicePixelRatioF();
}

double ImageView::clampedZoom(double zoom) const
{
    // A huge image or a tiny one must still fit the window.
    const double fit = fitZoom();
    return std::clamp(zoom, std::min(kMinZoom, fit), std::max(kMaxZoom, fit));
}

QPointF ImageView::clampedCenter(QPointF center) const
{
    // The centre stays on the image, so some of it is always in view.
    return {std::clamp(center.x(), 0.0, double(viewedSize_.width())), std::clamp(center.y(), 0.0, double(viewedSize_.height()))};
}

int ImageView::paneNearest(QPointF widgetPos) const
{
    const double stride = paneRect(0).width() + kPaneGap;
    if (stride <= 0.0)
        return 0;
    return std::clamp(int(std::floor((widgetPos.x() + kPaneGap / 2) / stride)), 0, paneCount() - 1);
}

QPointF ImageView::imagePoint(QPointF widgetPos, int pane) const
{
    return center() + (widgetPos - paneRect(pane).center()) / scale();
}

void ImageView::leaveFitMode()
{
    zoom_ = zoom();
    center_ = center();
    fitMode_ = false;
}

void ImageView::zoomAbout(QPointF widgetPos, double zoom)
{
    // The image point under the cursor stays under it.
    const int pane = paneNearest(widgetPos);
    const QPointF anchor = imagePoint(widgetPos, pane);
    leaveFitMode();
    zoom_ = clampedZoom(zoom);
    center_ = clampedCenter(anchor - (widgetPos - paneRect(pane).center()) / scale());
    userChangedView();
}

void ImageView::userChangedView()
{
    if (hovering_)
        updateHover(hoverPos_);
    update();
    Q_EMIT viewChanged(zoom(), center());
}

void ImageView::updateHover(QPointF widgetPos)
{
    hoverPos_ = widgetPos;
    QPoint pixel = kOffImage;
    const int pane = paneNearest(widgetPos);
    if (hasImage() && paneRect(pane).contains(widgetPos)) {
        const QPointF point = imagePoint(widgetPos, pane);
        const QPoint candidate(int(std::floor(point.x())), int(std::floor(point.y())));
        if (left_.rect().contains(candidate))
            pixel = candidate;
    }
    if (hoveredPixel_ != pixel) {
        hoveredPixel_ = pixel;
        Q_EMIT pixelHovered(pixel);
    }
}

// ---- Painting ----------------------------------------------------------------------------

void ImageView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), kBackground);
    if (!hasImage()) {
        painter.setPen(kPlaceholderText);
        painter.drawText(rect().adjusted(24, 24, -24, -24), Qt::AlignCenter | Qt::TextWordWrap, placeholder_);
        return;
    }
    for (int pane = 0; pane < paneCount(); ++pane)
        drawPane(painter, pane);
    if (interaction_ == Interaction::Edit)
        drawEditGuides(painter);
}

void ImageView::drawEditGuides(QPainter& painter)
{
    // Dark under light, dashed, so the guides read on bright and dark images alike.
    const QPen dark(QColor(0, 0, 0, 200), 1.0);
    const QPen light(QColor(255, 255, 255, 230), 1.0, Qt::DashLine);
    const auto stroke = [&](const auto& draw) {
        for (const QPen& pen : {dark, light}) {
            painter.setPen(pen);
            draw();
        }
    };
    painter.setRenderHint(QPainter::Antialiasing);
    // The cursor's image point, shown in every pane: side by side, the edit shows in both.
    const QPointF cursor = imagePoint(hoverPos_, editPressed_ ? editPane_ : paneNearest(hoverPos_));
    const bool showBrush = hovering_ && brushRadius_ > 0.0 && !spaceHeld_ && !dragging_;
    for (int pane = 0; pane < paneCount(); ++pane) {
        painter.save();
        painter.setClipRect(paneRect(pane));
        painter.setBrush(Qt::NoBrush);
        if (!polygonPreview_.isEmpty()) {
            QPolygonF shown;
            for (const QPointF& vertex : polygonPreview_)
                shown << widgetPoint(vertex, pane);
            if (hovering_)
                shown << widgetPoint(cursor, pane);
            stroke([&] { painter.drawPolyline(shown); });
            painter.setPen(Qt::NoPen);
            painter.setBrush(Qt::white);
            for (const QPointF& vertex : polygonPreview_)
                painter.drawEllipse(widgetPoint(vertex, pane), 2.5, 2.5);
            painter.setBrush(Qt::NoBrush);
        }
        if (showBrush) {
            const double radius = std::max(1.0, brushRadius_ * scale());
            stroke([&] { painter.drawEllipse(widgetPoint(cursor, pane), radius, radius); });
        }
        painter.restore();
    }
}

void ImageView::drawPane(QPainter& painter, int pane)
{
    const QRectF area = paneRect(pane);
    painter.save();
    painter.setClipRect(area);
    if (zoom() < 1.0) {
        // Drawn at one image pixel per device pixel, its corner snapped to the device grid.
        const double ratio = devicePixelRatioF();
        const QPointF corner = widgetPoint(QPointF(0, 0), pane) * ratio;
        painter.drawImage(QPointF(std::round(corner.x()), std::round(corner.y())) / ratio, downscaled(pane));
    } else {
        // Nearest neighbour, whole pixels only, so zoomed-in pixels show as crisp squares.
        const QImage& image = pane == 0 ? left_ : right_;
        const QPointF topLeft = imagePoint(area.topLeft(), pane);
        const QPointF bottomRight = imagePoint(area.bottomRight(), pane);
        const QRectF source = QRectF(QPointF(std::floor(topLeft.x()), std::floor(topLeft.y())),
                                     QPointF(std::ceil(bottomRight.x()), std::ceil(bottomRight.y())))
                                  .intersected(QRectF(image.rect()));
        if (!source.isEmpty()) {
            painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
            painter.drawImage(QRectF(widgetPoint(source.topLeft(), pane), widgetPoint(source.bottomRight(), pane)), image,
                              source);
        }
    }
    painter.restore();
}

const QImage& ImageView::downscaled(int pane)
{
    const double ratio = devicePixelRatioF();
    const double zoom = this->zoom();
    if (downscaledZoom_ != zoom || downscaledRatio_ != ratio) {
        const QSize size(std::max(1, int(std::lround(left_.width() * zoom))),
                         std::max(1, int(std::lround(left_.height() * zoom))));
        for (int i = 0; i < 2; ++i) {
            const QImage& image = i == 0 ? left_ : right_;
            downscaled_[i] = image.isNull() ? QImage() : image.scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
            downscaled_[i].setDevicePixelRatio(ratio);
        }
        downscaledZoom_ = zoom;
        downscaledRatio_ = ratio;
    }
    return downscaled_[pane];
}

// ---- Input -------------------------------------------------------------------------------

void ImageView::wheelEvent(QWheelEvent* event)
{
    const int delta = event->angleDelta().y();
    if (!hasImage() || delta == 0) {
        event->ignore();
        return;
    }
    hovering_ = true;
    hoverPos_ = event->position();
    zoomAbout(event->position(), zoom() * std::pow(kZoomStep, delta / kWheelNotch));
    event->accept();
}

void ImageView::mousePressEvent(QMouseEvent* event)
{
    if (!hasImage() || dragging_ || editPressed_) {
        QWidget::mousePressEvent(event);
        return;
    }
    const bool left = event->button() == Qt::LeftButton;
    if (event->button() == Qt::MiddleButton || (left && (interaction_ == Interaction::Pan || spaceHeld_))) {
        dragging_ = true;
        dragButton_ = event->button();
        dragLast_ = event->position();
        setCursor(Qt::ClosedHandCursor);
        update(); // hides the brush outline while panning
        return;
    }
    if (!left) {
        QWidget::mousePressEvent(event);
        return;
    }
    editPressed_ = true;
    editPane_ = paneNearest(event->position());
    editPressPos_ = event->position();
    Q_EMIT imagePressed(imagePoint(event->position(), editPane_));
}

void ImageView::mouseMoveEvent(QMouseEvent* event)
{
    hovering_ = true;
    hoverPos_ = event->position();
    if (dragging_ && hasImage()) {
        const QPointF delta = event->position() - dragLast_;
        dragLast_ = event->position();
        if (!delta.isNull()) {
            leaveFitMode();
            center_ = clampedCenter(center_ - delta / scale());
            userChangedView();
        }
    } else if (editPressed_) {
        Q_EMIT imageDragged(imagePoint(event->position(), editPane_));
    }
    if (interaction_ == Interaction::Edit)
        update(); // the brush outline and the polygon's rubber band follow the cursor
    updateHover(event->position());
}

void ImageView::mouseReleaseEvent(QMouseEvent* event)
{
    if (dragging_ && event->button() == dragButton_) {
        dragging_ = false;
        restoreCursor();
        update();
        return;
    }
    if (editPressed_ && event->button() == Qt::LeftButton) {
        editPressed_ = false;
        Q_EMIT imageReleased(imagePoint(event->position(), editPane_));
        if ((event->position() - editPressPos_).manhattanLength() < QApplication::startDragDistance())
            Q_EMIT imageClicked(imagePoint(editPressPos_, editPane_));
        return;
    }
    QWidget::mouseReleaseEvent(event);
}

void ImageView::mouseDoubleClickEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton || !hasImage()) {
        QWidget::mouseDoubleClickEvent(event);
        return;
    }
    if (interaction_ == Interaction::Edit && !spaceHeld_) {
        Q_EMIT imageDoubleClicked(imagePoint(event->position(), paneNearest(event->position())));
        return;
    }
    if (fitMode_)
        zoomAbout(event->position(), 1.0);
    else
        fitToWindow();
}

void ImageView::keyPressEvent(QKeyEvent* event)
{
    if (!hasImage()) {
        QWidget::keyPressEvent(event);
        return;
    }
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: // + without Shift on many layouts
        zoomIn();
        break;
    case Qt::Key_Minus: zoomOut(); break;
    case Qt::Key_0:
    case Qt::Key_F: fitToWindow(); break;
    case Qt::Key_1: zoomActualSize(); break;
    case Qt::Key_Space:
        if (interaction_ != Interaction::Edit) {
            QWidget::keyPressEvent(event);
            break;
        }
        if (!event->isAutoRepeat() && !spaceHeld_) {
            spaceHeld_ = true;
            if (!dragging_)
                restoreCursor();
            update();
        }
        break;
    default: QWidget::keyPressEvent(event);
    }
}

void ImageView::keyReleaseEvent(QKeyEvent* event)
{
    if (event->key() != Qt::Key_Space || event->isAutoRepeat() || !spaceHeld_) {
        QWidget::keyReleaseEvent(event);
        return;
    }
    spaceHeld_ = false;
    if (!dragging_)
        restoreCursor();
    update();
}

void ImageView::focusOutEvent(QFocusEvent* event)
{
    QWidget::focusOutEvent(event);
    if (spaceHeld_) { // its release goes elsewhere
        spaceHeld_ = false;
        if (!dragging_)
            restoreCursor();
        update();
    }
}

void ImageView::enterEvent(QEnterEvent* event)
{
    QWidget::enterEvent(event);
    hovering_ = true;
    updateHover(event->position());
}

void ImageView::leaveEvent(QEvent* event)
{
    QWidget::leaveEvent(event);
    hovering_ = false;
    if (interaction_ == Interaction::Edit)
        update(); // no brush outline off the view
    if (hoveredPixel_ != kOffImage) {
        hoveredPixel_ = kOffImage;
        Q_EMIT pixelHovered(kOffImage);
    }
}

} // namespace ds::ui
