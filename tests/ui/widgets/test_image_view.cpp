// ImageView: fitting and 1:1, wheel zoom about the cursor, drag to pan, keys and
// double-click, which changes announce themselves, the hovered pixel in either pane, what
// a new image does to the view, what lands on screen, and the Edit interaction's gestures
// in image coordinates, its panning and its brush outline.
#include "ui/widgets/ImageView.h"

#include <QSignalSpy>
#include <QTest>
#include <QWheelEvent>

#include <cmath>

using ds::ui::ImageView;

namespace {

// Two panes of 200 × 300 with the 6-pixel gap between them.
constexpr int kTwoPaneWidth = 406;
constexpr int kHeight = 300;
const double kWheelStep = std::pow(2.0, 0.25);
const QColor kBackground(30, 30, 30);

QImage filled(QSize size, const QColor& colour)
{
    QImage image(size, QImage::Format_RGB32);
    image.fill(colour);
    return image;
}

// Left half one colour, right half another.
QImage halves(QSize size, const QColor& left, const QColor& right)
{
    QImage image = filled(size, left);
    for (int y = 0; y < size.height(); ++y)
        for (int x = size.width() / 2; x < size.width(); ++x)
            image.setPixelColor(x, y, right);
    return image;
}

bool near(QPointF a, QPointF b, double tolerance = 1e-6)
{
    return std::abs(a.x() - b.x()) <= tolerance && std::abs(a.y() - b.y()) <= tolerance;
}

QString text(QPointF p)
{
    return QStringLiteral("(%1, %2)").arg(p.x()).arg(p.y());
}

void wheel(ImageView& view, QPointF pos, int notches)
{
    QWheelEvent event(pos, view.mapToGlobal(pos), QPoint(), QPoint(0, 120 * notches), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(&view, &event);
}

void drag(ImageView& view, QPoint from, QPoint to, Qt::MouseButton button = Qt::LeftButton)
{
    QTest::mousePress(&view, button, {}, from);
    QTest::mouseMove(&view, (from + to) / 2);
    QTest::mouseMove(&view, to);
    QTest::mouseRelease(&view, button, {}, to);
}

// The image point shown at a widget position, from the view's zoom and centre.
QPointF imagePointAt(const ImageView& view, QPointF pos, int pane = 0)
{
    return view.center() + (pos - view.paneRect(pane).center()) / view.zoom();
}

} // namespace

class TestImageView : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<ImageView> view_;

    // A shown view of the given width (the offscreen screen has a pixel ratio of 1).
    ImageView& shownView(int width)
    {
        view_ = std::make_unique<ImageView>();
        view_->resize(width, kHeight);
        view_->show();
        if (!QTest::qWaitForWindowExposed(view_.get()))
            qFatal("view not exposed");
        return *view_;
    }

    // Moves the cursor over the view and returns the last pixel it reported.
    QPoint hover(QSignalSpy& spy, QPoint pos)
    {
        QTest::mouseMove(view_.get(), pos);
        if (spy.isEmpty())
            return QPoint(-2, -2);
        return spy.last().first().toPoint();
    }

private Q_SLOTS:
    void init() { QCOMPARE(QApplication::primaryScreen()->devicePixelRatio(), 1.0); }
    void cleanup() { view_.reset(); }

    void fitsTheWindowAndFollowsItsSize()
    {
        ImageView& view = shownView(400);
        QVERIFY(!view.hasImage());
        view.setImages(filled({200, 100}, Qt::red));
        QVERIFY(view.hasImage());
        QCOMPARE(view.imageSize(), QSize(200, 100));
        QCOMPARE(view.paneCount(), 1);
        QVERIFY(view.isFitMode());
        QCOMPARE(view.zoom(), 2.0); // width-bound: 400 / 200
        QCOMPARE(view.center(), QPointF(100, 50));

        view.resize(800, kHeight);
        QCOMPARE(view.zoom(), 3.0); // now height-bound: 300 / 100
        QVERIFY(view.isFitMode());

        view.zoomActualSize();
        QCOMPARE(view.zoom(), 1.0);
        QVERIFY(!view.isFitMode());
        view.resize(400, kHeight);
        QCOMPARE(view.zoom(), 1.0); // out of fit mode the zoom stays

        view.fitToWindow();
        QVERIFY(view.isFitMode());
        QCOMPARE(view.zoom(), 2.0);
        QCOMPARE(view.center(), QPointF(100, 50));

        // Two panes share the width; each fits the whole image.
        view.resize(kTwoPaneWidth, kHeight);
        view.setImages(filled({200, 100}, Qt::red), filled({200, 100}, Qt::blue));
        QCOMPARE(view.paneCount(), 2);
        QCOMPARE(view.paneRect(0), QRectF(0, 0, 200, kHeight));
        QCOMPARE(view.paneRect(1), QRectF(206, 0, 200, kHeight));
        QCOMPARE(view.zoom(), 1.0);
    }

    void wheelZoomsAboutTheCursor()
    {
        ImageView& view = shownView(400);
        view.setImages(filled({200, 100}, Qt::red));
        QSignalSpy changed(&view, &ImageView::viewChanged);

        const QPointF cursor(130, 170);
        const QPointF underCursor = imagePointAt(view, cursor);
        wheel(view, cursor, 1);
        QVERIFY(std::abs(view.zoom() - 2.0 * kWheelStep) < 1e-9);
        QVERIFY(!view.isFitMode());
        QVERIFY2(near(view.widgetPoint(underCursor), cursor), qPrintable(text(view.widgetPoint(underCursor))));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.last().at(0).toDouble(), view.zoom());
        QCOMPARE(changed.last().at(1).toPointF(), view.center());

        // Elsewhere, several notches, then back out one: the point stays put each time.
        const QPointF elsewhere(300, 60);
        const QPointF there = imagePointAt(view, elsewhere);
        wheel(view, elsewhere, 3);
        QVERIFY(std::abs(view.zoom() - 2.0 * std::pow(kWheelStep, 4)) < 1e-9);
        QVERIFY(near(view.widgetPoint(there), elsewhere));
        wheel(view, elsewhere, -1);
        QVERIFY(std::abs(view.zoom() - 2.0 * std::pow(kWheelStep, 3)) < 1e-9);
        QVERIFY(near(view.widgetPoint(there), elsewhere));
        QCOMPARE(changed.size(), 3);

        // The zoom stops at its limits.
        wheel(view, cursor, 100);
        QCOMPARE(view.zoom(), 32.0);
        wheel(view, cursor, -100);
        QCOMPARE(view.zoom(), 0.05);
    }

    void dragPansByTheDragOverTheZoom()
    {
        ImageView& view = shownView(400);
        view.setImages(filled({200, 100}, Qt::red));
        view.setView(4.0, QPointF(100, 50));
        QSignalSpy changed(&view, &ImageView::viewChanged);

        QTest::mousePress(&view, Qt::LeftButton, {}, QPoint(200, 150));
        QCOMPARE(view.cursor().shape(), Qt::ClosedHandCursor);
        QTest::mouseMove(&view, QPoint(220, 140));
        QTest::mouseMove(&view, QPoint(240, 130));
        QTest::mouseRelease(&view, Qt::LeftButton, {}, QPoint(240, 130));
        QVERIFY(view.cursor().shape() != Qt::ClosedHandCursor);

        // Dragged 40 right and 20 up at 4 screen pixels per image pixel.
        QCOMPARE(view.center(), QPointF(100 - 40 / 4.0, 50 + 20 / 4.0));
        QCOMPARE(view.zoom(), 4.0);
        QCOMPARE(changed.size(), 2);
        QCOMPARE(changed.last().at(1).toPointF(), view.center());

        // The centre stays on the image however far it is dragged.
        drag(view, QPoint(10, 10), QPoint(399, 299));
        QCOMPARE(view.center(), QPointF(0, 0));
    }

    void keysAndDoubleClickSwitchBetweenFitAndActualSize()
    {
        ImageView& view = shownView(400);
        view.setImages(filled({200, 100}, Qt::red));
        QSignalSpy changed(&view, &ImageView::viewChanged);

        QTest::keyClick(&view, Qt::Key_1);
        QCOMPARE(view.zoom(), 1.0);
        QVERIFY(!view.isFitMode());
        QTest::keyClick(&view, Qt::Key_Plus);
        QVERIFY(std::abs(view.zoom() - kWheelStep) < 1e-9);
        QTest::keyClick(&view, Qt::Key_Minus);
        QTest::keyClick(&view, Qt::Key_Minus);
        QVERIFY(std::abs(view.zoom() - 1.0 / kWheelStep) < 1e-9);
        QCOMPARE(view.center(), QPointF(100, 50)); // keys zoom about the middle
        QTest::keyClick(&view, Qt::Key_F);
        QVERIFY(view.isFitMode());
        QCOMPARE(view.zoom(), 2.0);
        QTest::keyClick(&view, Qt::Key_1);
        QTest::keyClick(&view, Qt::Key_0);
        QVERIFY(view.isFitMode());
        QCOMPARE(changed.size(), 7);

        // Double-click in fit mode: 1:1 about the cursor; again: fit.
        const QPoint cursor(120, 110);
        const QPointF underCursor = imagePointAt(view, cursor);
        QTest::mouseDClick(&view, Qt::LeftButton, {}, cursor);
        QCOMPARE(view.zoom(), 1.0);
        QVERIFY(!view.isFitMode());
        QVERIFY2(near(view.widgetPoint(underCursor), cursor), qPrintable(text(view.widgetPoint(underCursor))));
        QTest::mouseDClick(&view, Qt::LeftButton, {}, cursor);
        QVERIFY(view.isFitMode());
        QCOMPARE(view.zoom(), 2.0);
        QCOMPARE(changed.size(), 9);
    }

    void setViewIsSilentUserActionsAreNot()
    {
        ImageView& view = shownView(400);
        view.setImages(filled({200, 100}, Qt::red));
        QSignalSpy changed(&view, &ImageView::viewChanged);

        view.setView(3.0, QPointF(50, 40));
        QCOMPARE(changed.size(), 0);
        QCOMPARE(view.zoom(), 3.0);
        QCOMPARE(view.center(), QPointF(50, 40));
        QVERIFY(!view.isFitMode());
        view.resize(500, kHeight); // neither does the view following a resize
        view.setImages(filled({200, 100}, Qt::green));
        QCOMPARE(changed.size(), 0);

        view.zoomIn();
        QCOMPARE(changed.size(), 1);
        view.zoomOut();
        QCOMPARE(changed.size(), 2);
        view.zoomActualSize();
        QCOMPARE(changed.size(), 3);
        view.fitToWindow();
        QCOMPARE(changed.size(), 4);
        QCOMPARE(changed.last().at(0).toDouble(), view.zoom());
        wheel(view, QPointF(100, 100), 1);
        QCOMPARE(changed.size(), 5);
        drag(view, QPoint(100, 100), QPoint(110, 100));
        QVERIFY(changed.size() > 5);
        QCOMPARE(changed.last().at(1).toPointF(), view.center());
    }

    void followViewSyncsWithoutEchoing()
    {
        ImageView& view = shownView(400);
        view.setImages(filled({200, 100}, Qt::red));
        ImageView follower;
        follower.resize(400, kHeight);
        follower.setImages(filled({200, 100}, Qt::blue));
        connect(&view, &ImageView::viewChanged, &follower, [&] { follower.followView(view); });
        QSignalSpy echoed(&follower, &ImageView::viewChanged);

        wheel(view, QPointF(130, 170), 2);
        QVERIFY(!follower.isFitMode());
        QCOMPARE(follower.zoom(), view.zoom());
        QCOMPARE(follower.center(), view.center());

        // Fit mode is followed as a mode, so each view keeps fitting its own size.
        view.fitToWindow();
        QVERIFY(follower.isFitMode());
        follower.resize(800, kHeight);
        QCOMPARE(follower.zoom(), 3.0);
        QCOMPARE(echoed.size(), 0);
    }

    void hoverReportsTheImagePixelInEitherPane()
    {
        ImageView& view = shownView(kTwoPaneWidth);
        QSignalSpy hovered(&view, &ImageView::pixelHovered);
        view.setImages(filled({200, 100}, Qt::red), filled({200, 100}, Qt::blue));
        // Fitted at 1:1; each 200 × 300 pane shows the image in rows 100..199.
        QCOMPARE(view.zoom(), 1.0);

        QCOMPARE(hover(hovered, QPoint(50, 120)), QPoint(50, 20));
        QCOMPARE(hover(hovered, QPoint(256, 120)), QPoint(50, 20)); // same pixel, right pane
        QCOMPARE(hover(hovered, QPoint(405, 199)), QPoint(199, 99)); // last pixel, right pane
        QCOMPARE(hover(hovered, QPoint(0, 100)), QPoint(0, 0));
        QCOMPARE(hover(hovered, QPoint(50, 50)), QPoint(-1, -1)); // above the image
        QCOMPARE(hover(hovered, QPoint(203, 150)), QPoint(-1, -1)); // the gap
        QCOMPARE(hover(hovered, QPoint(300, 250)), QPoint(-1, -1)); // below, right pane

        // Zoomed in: the pane centres show the view's centre.
        view.setView(4.0, QPointF(60.5, 40.5));
        QCOMPARE(hover(hovered, QPoint(100, 150)), QPoint(60, 40));
        QCOMPARE(hover(hovered, QPoint(306, 150)), QPoint(60, 40));
        QCOMPARE(hover(hovered, QPoint(306 + 10, 150 - 10)), QPoint(63, 38)); // 60.5 + 2.5, 40.5 - 2.5
        QCOMPARE(hover(hovered, QPoint(100 - 8, 150 + 4)), QPoint(58, 41)); // 60.5 - 2, 40.5 + 1

        // Off the widget.
        QCOMPARE(hover(hovered, QPoint(-30, 150)), QPoint(-1, -1));
    }

    void newImagesKeepTheViewOnlyAtTheSameSize()
    {
        ImageView& view = shownView(400);
        view.setImages(filled({200, 100}, Qt::red));
        view.setView(4.0, QPointF(30, 20));

        view.setImages(filled({200, 100}, Qt::green));
        QCOMPARE(view.zoom(), 4.0);
        QCOMPARE(view.center(), QPointF(30, 20));
        QVERIFY(!view.isFitMode());

        // A placeholder in between (e.g. while the next image loads) keeps it too.
        view.setPlaceholder(QStringLiteral("Loading…"));
        QVERIFY(!view.hasImage());
        QVERIFY(view.imageSize().isEmpty());
        view.setImages(filled({200, 100}, Qt::blue), filled({200, 100}, Qt::red));
        QCOMPARE(view.zoom(), 4.0);
        QCOMPARE(view.center(), QPointF(30, 20));

        // Another size fits the window.
        view.setImages(filled({300, 300}, Qt::red));
        QVERIFY(view.isFitMode());
        QCOMPARE(view.zoom(), 1.0); // 300 / 300
        QCOMPARE(view.center(), QPointF(150, 150));

        // In fit mode a second pane refits to the narrower panes.
        view.setImages(filled({300, 300}, Qt::red), filled({300, 300}, Qt::blue));
        QVERIFY(view.isFitMode());
        QCOMPARE(view.zoom(), 197.0 / 300.0);
    }

    void paintsTheSameRegionInBothPanes()
    {
        ImageView& view = shownView(kTwoPaneWidth);
        // 20 × 10 images, each split down the middle.
        view.setImages(halves({20, 10}, Qt::red, Qt::blue), halves({20, 10}, Qt::green, Qt::yellow));
        view.setView(10.0, QPointF(10, 5)); // the split at each pane's centre, 10 px per pixel
        const QImage shot = view.grab().toImage();
        QCOMPARE(shot.pixelColor(95, 150), QColor(Qt::red));
        QCOMPARE(shot.pixelColor(104, 150), QColor(Qt::blue));
        QCOMPARE(shot.pixelColor(206 + 95, 150), QColor(Qt::green));
        QCOMPARE(shot.pixelColor(206 + 104, 150), QColor(Qt::yellow));
        QCOMPARE(shot.pixelColor(203, 150), kBackground); // the gap
        QCOMPARE(shot.pixelColor(100, 95), kBackground); // above the image (rows 100..199)
        QCOMPARE(shot.pixelColor(100, 100), QColor(Qt::blue));

        // Zoomed in, pixels are crisp squares: no blend at the boundary.
        view.setView(10.0, QPointF(10.05, 5));
        const QImage crisp = view.grab().toImage();
        for (int x = 80; x < 120; ++x) {
            const QColor colour = crisp.pixelColor(x, 150);
            QVERIFY2(colour == QColor(Qt::red) || colour == QColor(Qt::blue), qPrintable(colour.name()));
        }

        // Zoomed out, the whole image is drawn smaller, still in place.
        view.setImages(halves({400, 200}, Qt::red, Qt::blue));
        QVERIFY(view.isFitMode());
        QCOMPARE(view.zoom(), 406.0 / 400.0); // one pane again, width-bound
        view.setView(0.5, QPointF(200, 100));
        const QImage small = view.grab().toImage();
        QCOMPARE(small.pixelColor(203 - 90, 150), QColor(Qt::red));
        QCOMPARE(small.pixelColor(203 + 90, 150), QColor(Qt::blue));
        QCOMPARE(small.pixelColor(203 - 110, 150), kBackground);
        QCOMPARE(small.pixelColor(203, 150 - 60), kBackground);
    }

    void editInteractionReportsGesturesInImageCoordinates()
    {
        ImageView& view = shownView(kTwoPaneWidth);
        view.setImages(filled({20, 10}, Qt::red), filled({20, 10}, Qt::blue));
        view.setView(10.0, QPointF(10, 5)); // image point p at widget 100 + 10 (p - (10, 5)) in the left pane
        view.setInteraction(ImageView::Interaction::Edit);
        QCOMPARE(view.cursor().shape(), Qt::CrossCursor);
        QSignalSpy pressed(&view, &ImageView::imagePressed);
        QSignalSpy dragged(&view, &ImageView::imageDragged);
        QSignalSpy released(&view, &ImageView::imageReleased);
        QSignalSpy clicked(&view, &ImageView::imageClicked);
        QSignalSpy doubleClicked(&view, &ImageView::imageDoubleClicked);
        QSignalSpy changed(&view, &ImageView::viewChanged);

        drag(view, QPoint(105, 150), QPoint(135, 170));
        QCOMPARE(pressed.size(), 1);
        QCOMPARE(pressed.last().first().toPointF(), QPointF(10.5, 5));
        QCOMPARE(dragged.size(), 2);
        QCOMPARE(dragged.first().first().toPointF(), QPointF(12, 6));
        QCOMPARE(released.last().first().toPointF(), QPointF(13.5, 7));
        QCOMPARE(clicked.size(), 0); // a drag is no click
        QCOMPARE(changed.size(), 0); // nor a pan
        QCOMPARE(view.center(), QPointF(10, 5));

        // A drag that starts in the right pane maps through it, even past its edge.
        drag(view, QPoint(306 + 20, 150), QPoint(150, 150));
        QCOMPARE(pressed.last().first().toPointF(), QPointF(12, 5));
        QCOMPARE(released.last().first().toPointF(), QPointF(-5.6, 5));

        QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(80, 140));
        QCOMPARE(clicked.size(), 1);
        QCOMPARE(clicked.last().first().toPointF(), QPointF(8, 4));
        QTest::mouseDClick(&view, Qt::LeftButton, {}, QPoint(80, 140));
        QTest::mouseRelease(&view, Qt::LeftButton, {}, QPoint(80, 140));
        QCOMPARE(doubleClicked.size(), 1);
        QCOMPARE(doubleClicked.last().first().toPointF(), QPointF(8, 4));
        QCOMPARE(view.zoom(), 10.0); // a double-click no longer toggles fit / 1:1
        QCOMPARE(clicked.size(), 1);

        // The middle button pans; so does the left with Space held.
        drag(view, QPoint(100, 150), QPoint(120, 150), Qt::MiddleButton);
        QCOMPARE(view.center(), QPointF(8, 5));
        QTest::keyPress(&view, Qt::Key_Space);
        QCOMPARE(view.cursor().shape(), Qt::OpenHandCursor);
        drag(view, QPoint(100, 150), QPoint(100, 130));
        QTest::keyRelease(&view, Qt::Key_Space);
        QCOMPARE(view.center(), QPointF(8, 7));
        QCOMPARE(view.cursor().shape(), Qt::CrossCursor);
        QCOMPARE(pressed.size(), 3);
        QCOMPARE(changed.size(), 4);

        view.setInteraction(ImageView::Interaction::Pan);
        QVERIFY(view.cursor().shape() != Qt::CrossCursor);
        drag(view, QPoint(100, 150), QPoint(110, 150));
        QCOMPARE(view.center(), QPointF(7, 7));
        QCOMPARE(pressed.size(), 3);
    }

    void brushOutlineFollowsTheCursorInTheEditInteraction()
    {
        ImageView& view = shownView(400);
        view.setImages(filled({200, 100}, Qt::red)); // fitted at 2 screen pixels per pixel
        view.setBrushRadius(10);
        QTest::mouseMove(&view, QPoint(190, 150));
        QCOMPARE(view.grab().toImage().pixelColor(210, 150), QColor(Qt::red)); // not while panning

        view.setInteraction(ImageView::Interaction::Edit);
        QTest::mouseMove(&view, QPoint(190, 150));
        const QImage shot = view.grab().toImage();
        QVERIFY(shot.pixelColor(210, 150) != QColor(Qt::red)); // on the ring of 20 screen pixels
        QCOMPARE(shot.pixelColor(190, 150), QColor(Qt::red));
        QCOMPARE(shot.pixelColor(230, 150), QColor(Qt::red));

        // The vertices of a polygon under way, joined up to the cursor.
        view.setBrushRadius(0);
        view.setPolygonPreview(QPolygonF {QPointF(10, 10), QPointF(60, 10)}); // widget (20, 70) and (120, 70)
        const QImage polygon = view.grab().toImage();
        QVERIFY(polygon.pixelColor(70, 70) != QColor(Qt::red));
        QCOMPARE(polygon.pixelColor(70, 90), QColor(Qt::red));
        QCOMPARE(polygon.pixelColor(210, 150), QColor(Qt::red));

        // Side by side, the guides show in both panes, at the same image points.
        view.setImages(filled({200, 100}, Qt::red), filled({200, 100}, Qt::red));
        const QImage both = view.grab().toImage();
        for (int pane = 0; pane < 2; ++pane) {
            const QPointF middle = view.widgetPoint(QPointF(35, 10), pane);
            QVERIFY(both.pixelColor(middle.toPoint()) != QColor(Qt::red));
            QCOMPARE(both.pixelColor((middle + QPointF(0, 15)).toPoint()), QColor(Qt::red));
        }
    }

    void placeholderReplacesTheImage()
    {
        ImageView& view = shownView(400);
        view.setImages(filled({200, 100}, Qt::red));
        QSignalSpy hovered(&view, &ImageView::pixelHovered);
        QCOMPARE(hover(hovered, QPoint(200, 150)), QPoint(100, 50));
        view.setPlaceholder(QStringLiteral("Open a project, train a model and score the test images to see results here."));
        QVERIFY(!view.hasImage());
        QCOMPARE(hovered.last().first().toPoint(), QPoint(-1, -1)); // nothing under the cursor now

        const QImage shot = view.grab().toImage();
        int textPixels = 0;
        for (int y = 0; y < shot.height(); ++y)
            for (int x = 0; x < shot.width(); ++x)
                textPixels += shot.pixelColor(x, y) != kBackground;
        QVERIFY(textPixels > 100);
        QCOMPARE(shot.pixelColor(5, 5), kBackground);
    }
};

QTEST_MAIN(TestImageView)
#include "test_image_view.moc"
