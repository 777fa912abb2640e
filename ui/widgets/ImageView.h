#pragma once
#include <QImage>
#include <QPointF>
#include <QPolygonF>
#include <QWidget>

#include <optional>

namespace ds::ui {

// Zoomable, pannable view of one image, or two images of the same size side by side
// (e.g. original | overlay) sharing one zoom and pan.
//
// Image coordinates are continuous: pixel (x, y) covers [x, x + 1) × [y, y + 1). The zoom
// counts device pixels, so 1:1 shows each image pixel on one physical pixel on high-DPI
// screens too. Mouse: the wheel zooms about the cursor, left-drag pans (middle-drag too),
// double-click toggles fit / 1:1. Keys: + and - zoom, 0 or F fits, 1 shows the actual size.
//
// In the Edit interaction the left button edits instead: press, drag, release, click and
// double-click are reported in image coordinates (of the pane pressed in), a brush outline
// follows the cursor, and panning is middle-drag or Space + left-drag.
class ImageView : public QWidget {
    Q_OBJECT
public:
    enum class Interaction { Pan, Edit };

    explicit ImageView(QWidget* parent = nullptr);
    // right may be null (single pane); a right image of another size is scaled to the left's.
    // Keeps zoom/pan when the image size is unchanged (also across a placeholder in
    // between), otherwise fits the window.
    void setImages(const QImage& left, const QImage& right = QImage());
    void setPlaceholder(const QString& text); // clears the images, shows the text centred
    bool hasImage() const { return !left_.isNull(); }
    QSize imageSize() const { return left_.size(); } // of the left image
    double zoom() const; // screen pixels per image pixel
    bool isFitMode() const { return fitMode_; } // true while the view follows the widget's size
    QPointF center() const; // image coordinates shown at the centre of each pane
    void setView(double zoom, QPointF center); // leaves fit mode; does NOT emit viewChanged
    // Shows what another view of the same image size shows, fit mode included, without
    // emitting viewChanged: for syncing views, connect source's viewChanged to this.
    void followView(const ImageView& source);
    QSize sizeHint() const override { return {480, 480}; }
    QSize minimumSizeHint() const override { return {160, 160}; }

    // 1 or 2, and where each pane is in widget coordinates.
    int paneCount() const { return right_.isNull() ? 1 : 2; }
    QRectF paneRect(int pane) const;
    // Where an image point is shown in a pane, in widget coordinates.
    QPointF widgetPoint(QPointF imagePoint, int pane = 0) const;

    void setInteraction(Interaction interaction);
    Interaction interaction() const { return interaction_; }
    // Radius of the brush outline drawn at the cursor in the Edit interaction; 0 draws none.
    void setBrushRadius(double imagePixels);
    double brushRadius() const { return brushRadius_; }
    // Vertices of a polygon being drawn (image coordinates), shown joined up to the cursor;
    // empty for none.
    void setPolygonPreview(const QPolygonF& vertices);

public Q_SLOTS:
    void fitToWindow(); // and stays fitted on resize
    void zoomActualSize(); // 1:1
    void zoomIn();
    void zoomOut();

Q_SIGNALS:
    // After any user zoom/pan/fit (to sync views); not when the view refits itself on a
    // resize or a new image size, nor on setView.
    void viewChanged(double zoom, QPointF center);
    // Image pixel under the cursor; (-1,-1) when off the image. Also sent after setImages
    // while the cursor is over the view, since the pixel's value changed.
    void pixelHovered(QPoint imagePixel);
    // Edit interaction, left button, in image coordinates: a press, each move while held,
    // the release; a click is a press and release without a drag (sent after the release,
    // at the press); a double-click comes in place of the second click's press.
    void imagePressed(QPointF imagePoint);
    void imageDragged(QPointF imagePoint);
    void imageReleased(QPointF imagePoint);
    void imageClicked(QPointF imagePoint);
    void imageDoubleClicked(QPointF imagePoint);

protected:
    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;
    void focusOutEvent(QFocusEvent* event) override;
    void enterEvent(QEnterEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    double scale() const; // widget (logical) pixels per image pixel
    double fitZoom() const;
    double clampedZoom(double zoom) const;
    QPointF clampedCenter(QPointF center) const;
    int paneNearest(QPointF widgetPos) const;
    QPointF imagePoint(QPointF widgetPos, int pane) const;
    void leaveFitMode();
    void zoomAbout(QPointF widgetPos, double zoom);
    void userChangedView();
    void updateHover(QPointF widgetPos);
    void drawPane(QPainter& painter, int pane);
    void drawEditGuides(QPainter& painter);
    void restoreCursor();
    const QImage& downscaled(int pane);

    QImage left_;
    QImage right_;
    QString placeholder_;
    QSize viewedSize_; // the image size the view belongs to
    // In fit mode the view follows the widget's size and pixel ratio; zoom_ and center_
    // hold the view only outside it.
    bool fitMode_ = true;
    double zoom_ = 1.0;
    QPointF center_;

    Interaction interaction_ = Interaction::Pan;
    double brushRadius_ = 0.0;
    QPolygonF polygonPreview_;
    bool spaceHeld_ = false; // Space + left-drag pans in the Edit interaction
    bool editPressed_ = false; // the left button is down for an edit
    int editPane_ = 0; // the pane the edit started in; its moves map through it
    QPointF editPressPos_;

    bool dragging_ = false; // panning
    Qt::MouseButton dragButton_ = Qt::NoButton;
    QPointF dragLast_;
    bool hovering_ = false;
    QPointF hoverPos_;
    std::optional<QPoint> hoveredPixel_; // last one sent; empty forces the next to be sent

    // Below 1:1 each pane is drawn from a copy scaled down with area averaging (sharper than
    // scaling while painting), remade when the zoom or the screen's pixel ratio changes.
    QImage downscaled_[2];
    double downscaledZoom_ = 0.0;
    double downscaledRatio_ = 0.0;
};

} // namespace ds::ui
