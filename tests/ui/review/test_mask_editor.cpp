// Mask editing in the image pane, driven with the mouse and keys as a person does: brush,
// eraser, polygon and flood fill paint exactly the pixels they should in the current type,
// the predicted region is accepted as the overlay draws it, undo and redo restore exact
// masks and say what they did, each image keeps its own history, and panning still works.
// The defect types dialog changes a project's types and shows what the project refuses.
#include "ui/ImagePane.h"
#include "ui/review/DefectTypesDialog.h"
#include "ui/review/MaskEditor.h"
#include "ui/widgets/ImageView.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QSettings>
#include <QSignalSpy>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QUndoStack>

#include <opencv2/imgproc.hpp>

using ds::ui::ImagePane;
using ds::ui::ImageView;
using ds::ui::MaskEditor;

namespace {

constexpr int kScratch = 3; // a defect type id
const cv::Size kImageSize(100, 80);
// The view at 4 screen pixels per image pixel, centred on image point (50, 40), shown at
// the middle of its 400 × 320 widget: image point p is at widget 4 p - (0, 0).
constexpr double kZoom = 4.0;
const QPointF kCentre(50, 40);

QPoint at(double imageX, double imageY)
{
    return QPoint(int(200 + (imageX - kCentre.x()) * kZoom), int(160 + (imageY - kCentre.y()) * kZoom));
}

cv::Mat greyImage()
{
    return cv::Mat(kImageSize, CV_32FC3, cv::Scalar::all(0.5));
}

bool same(const cv::Mat& a, const cv::Mat& b)
{
    return a.size() == b.size() && a.type() == b.type() && cv::countNonZero(a != b) == 0;
}

QStringList actions(const QSignalSpy& spy)
{
    QStringList names;
    for (const QList<QVariant>& call : spy)
        names << call.at(1).toString();
    return names;
}

} // namespace

class TestMaskEditor : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<ImagePane> pane_;

    ImageView& view() { return *pane_->view(); }
    MaskEditor& editor() { return *pane_->maskEditor(); }

    // An editing pane showing image (grey by default) at the known zoom.
    ImagePane& editingPane(const cv::Mat& image = greyImage(), const cv::Mat& mask = cv::Mat(),
                           const cv::Mat& heatmap = cv::Mat(), std::int64_t imageId = 1)
    {
        pane_ = std::make_unique<ImagePane>(QStringLiteral("maskEditorTest"));
        pane_->view()->setFixedSize(400, 320);
        pane_->resize(900, 500);
        pane_->setDefectTypes({{kScratch, "scratch", "#ff0000"}, {7, "stain", "#0000ff"}});
        pane_->setMaskEditingEnabled(true);
        pane_->showImage(image, heatmap, mask, QString(), imageId);
        pane_->show();
        QApplication::setActiveWindow(pane_.get());
        if (!QTest::qWaitForWindowActive(pane_.get()))
            qFatal("pane not active");
        pane_->view()->setFocus();
        zoomToKnownView();
        return *pane_;
    }

    void zoomToKnownView()
    {
        QCOMPARE(view().paneRect(0), QRectF(0, 0, 400, 320));
        view().setView(kZoom, kCentre);
    }

    void drag(Qt::MouseButton button, QPoint from, QPoint to)
    {
        QTest::mousePress(&view(), button, {}, from);
        QTest::mouseMove(&view(), (from + to) / 2);
        QTest::mouseMove(&view(), to);
        QTest::mouseRelease(&view(), button, {}, to);
    }

    void selectType(int value)
    {
        auto* box = pane_->findChild<QComboBox*>(QStringLiteral("defectTypeBox"));
        box->setCurrentIndex(box->findData(value));
        QCOMPARE(editor().currentValue(), value);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }
    void cleanup() { pane_.reset(); }

    void brushPaintsThePixelsWithinItsRadiusOfTheStroke()
    {
        editingPane();
        QSignalSpy edited(pane_.get(), &ImagePane::maskEdited);
        selectType(kScratch);
        editor().setBrushSize(5); // radius 2.5
        drag(Qt::LeftButton, at(10.5, 20.5), at(30.5, 20.5));

        // Pixel centres within 2.5 of the segment (10.5, 20.5)–(30.5, 20.5): five full rows
        // from x 9 to 31, three rows at the ends' rounded caps.
        cv::Mat expected = cv::Mat::zeros(kImageSize, CV_8UC1);
        expected(cv::Rect(9, 18, 23, 5)).setTo(kScratch);
        expected(cv::Rect(8, 19, 1, 3)).setTo(kScratch);
        expected(cv::Rect(32, 19, 1, 3)).setTo(kScratch);
        QVERIFY(same(pane_->currentMask(), expected));
        QCOMPARE(cv::countNonZero(pane_->currentMask()), 121);

        QCOMPARE(actions(edited), QStringList {QStringLiteral("brush")});
        QVERIFY(same(edited.last().at(0).value<cv::Mat>(), expected));
        QCOMPARE(pane_->undoStack()->count(), 1);

        // The eraser (E) clears whatever type is there: a dab of 3 px clears a 3 × 3 block.
        QTest::keyClick(&view(), Qt::Key_E);
        QCOMPARE(editor().tool(), MaskEditor::Tool::Eraser);
        editor().setBrushSize(3);
        QTest::mouseClick(&view(), Qt::LeftButton, {}, at(20.5, 20.5));
        expected(cv::Rect(19, 19, 3, 3)).setTo(0);
        QVERIFY(same(pane_->currentMask(), expected));
        QCOMPARE(actions(edited), (QStringList {QStringLiteral("brush"), QStringLiteral("eraser")}));

        // A stroke that changes nothing is no step to undo and nothing to save.
        QTest::mouseClick(&view(), Qt::LeftButton, {}, at(70.5, 60.5));
        QCOMPARE(edited.size(), 2);
        QCOMPARE(pane_->undoStack()->count(), 2);
    }

    void bracketsResizeTheBrushAndTheViewShowsIt()
    {
        editingPane();
        editor().setBrushSize(20);
        QCOMPARE(view().brushRadius(), 10.0);
        QTest::keyClick(&view(), Qt::Key_BracketRight);
        QCOMPARE(editor().brushSize(), 25);
        QTest::keyClick(&view(), Qt::Key_BracketLeft);
        QTest::keyClick(&view(), Qt::Key_BracketLeft);
        QCOMPARE(editor().brushSize(), 16);
        QCOMPARE(view().brushRadius(), 8.0);
        editor().setBrushSize(1);
        QTest::keyClick(&view(), Qt::Key_BracketLeft);
        QCOMPARE(editor().brushSize(), 1);
        QTest::keyClick(&view(), Qt::Key_BracketRight);
        QCOMPARE(editor().brushSize(), 2);

        // Tools without a brush show no outline.
        QTest::keyClick(&view(), Qt::Key_L);
        QCOMPARE(editor().tool(), MaskEditor::Tool::Polygon);
        QCOMPARE(view().brushRadius(), 0.0);
        QTest::keyClick(&view(), Qt::Key_B);
        QCOMPARE(view().brushRadius(), 1.0);
    }

    void polygonFillsThePixelsWhoseCentresAreInside()
    {
        editingPane();
        QSignalSpy edited(pane_.get(), &ImagePane::maskEdited);
        selectType(7);
        QTest::keyClick(&view(), Qt::Key_L);
        for (const QPoint& vertex : {at(10, 10), at(30, 10), at(30, 20), at(10, 20)})
            QTest::mouseClick(&view(), Qt::LeftButton, {}, vertex);
        QCOMPARE(edited.size(), 0); // nothing until it is closed
        QTest::keyClick(&view(), Qt::Key_Return);
        cv::Mat expected = cv::Mat::zeros(kImageSize, CV_8UC1);
        expected(cv::Rect(10, 10, 20, 10)).setTo(7);
        QVERIFY(same(pane_->currentMask(), expected));

        // A double-click closes a triangle at its last vertex: centres right of the
        // diagonal y = x - 50 and left of x = 80.
        QTest::mouseClick(&view(), Qt::LeftButton, {}, at(60, 10));
        QTest::mouseClick(&view(), Qt::LeftButton, {}, at(80, 10));
        QTest::mouseClick(&view(), Qt::LeftButton, {}, at(80, 30));
        QTest::mouseDClick(&view(), Qt::LeftButton, {}, at(80, 30));
        QTest::mouseRelease(&view(), Qt::LeftButton, {}, at(80, 30));
        for (int y = 10; y < 30; ++y)
            for (int x = y + 50; x < 80; ++x)
                expected.at<uchar>(y, x) = 7;
        QVERIFY(same(pane_->currentMask(), expected));
        QCOMPARE(cv::countNonZero(expected), 200 + 210);
        QCOMPARE(actions(edited), (QStringList {QStringLiteral("polygon"), QStringLiteral("polygon")}));

        // Esc cancels a polygon under way, before the window's own Esc shortcut takes it;
        // Backspace drops the last vertex.
        QAction windowEscape;
        windowEscape.setShortcut(Qt::Key_Escape);
        pane_->addAction(&windowEscape);
        QSignalSpy escaped(&windowEscape, &QAction::triggered);
        QTest::mouseClick(&view(), Qt::LeftButton, {}, at(40, 40));
        QTest::mouseClick(&view(), Qt::LeftButton, {}, at(60, 40));
        QTest::mouseClick(&view(), Qt::LeftButton, {}, at(60, 60));
        QTest::keyClick(&view(), Qt::Key_Escape);
        QCOMPARE(escaped.size(), 0);
        QTest::keyClick(&view(), Qt::Key_Return);
        QVERIFY(same(pane_->currentMask(), expected));
        QTest::keyClick(&view(), Qt::Key_Escape); // no polygon: the window's shortcut again
        QCOMPARE(escaped.size(), 1);

        QTest::mouseClick(&view(), Qt::LeftButton, {}, at(40, 40));
        QTest::mouseClick(&view(), Qt::LeftButton, {}, at(60, 40));
        QTest::mouseClick(&view(), Qt::LeftButton, {}, at(60, 60));
        QTest::mouseClick(&view(), Qt::LeftButton, {}, at(99, 79));
        QTest::keyClick(&view(), Qt::Key_Backspace);
        QTest::keyClick(&view(), Qt::Key_Enter);
        for (int y = 40; y < 60; ++y) // centres right of the diagonal y = x, left of x = 60
            for (int x = y; x < 60; ++x)
                expected.at<uchar>(y, x) = 7;
        QVERIFY(same(pane_->currentMask(), expected));
    }

    void floodFillTakesTheUniformRegionAndStopsAtItsEdge()
    {
        cv::Mat image = greyImage();
        image(cv::Rect(30, 20, 30, 30)).setTo(cv::Scalar(0.9, 0.2, 0.2));
        // Within the tolerance (24 of 255 levels): part of the same region.
        image(cv::Rect(40, 30, 5, 5)).setTo(cv::Scalar(0.85, 0.25, 0.2));
        editingPane(image);
        selectType(kScratch);
        QSignalSpy edited(pane_.get(), &ImagePane::maskEdited);
        QTest::keyClick(&view(), Qt::Key_R);
        QCOMPARE(editor().tool(), MaskEditor::Tool::FloodFill);
        QTest::mouseClick(&view(), Qt::LeftButton, {}, at(35.5, 25.5));
        cv::Mat expected = cv::Mat::zeros(kImageSize, CV_8UC1);
        expected(cv::Rect(30, 20, 30, 30)).setTo(kScratch);
        QVERIFY(same(pane_->currentMask(), expected));
        QCOMPARE(actions(edited), QStringList {QStringLiteral("flood fill")});

        // With no tolerance the lighter patch stays out.
        pane_->findChild<QSpinBox*>(QStringLiteral("fillTolerance"))->setValue(0);
        pane_->findChild<QToolButton*>(QStringLiteral("clearMaskButton"))->click();
        QTest::mouseClick(&view(), Qt::LeftButton, {}, at(35.5, 25.5));
        expected(cv::Rect(40, 30, 5, 5)).setTo(0);
        QVERIFY(same(pane_->currentMask(), expected));
    }

    void acceptPredictedTakesTheRegionAtTheThreshold()
    {
        cv::Mat heatmap(10, 8, CV_32F);
        cv::RNG(7).fill(heatmap, cv::RNG::UNIFORM, 0.0, 1.0);
        cv::Mat mask = cv::Mat::zeros(kImageSize, CV_8UC1);
        mask(cv::Rect(0, 0, 10, 10)).setTo(ds::kUntypedDefect); // stays where not predicted
        editingPane(greyImage(), mask, heatmap);
        pane_->setThreshold(0.6);
        selectType(kScratch);
        QSignalSpy edited(pane_.get(), &ImagePane::maskEdited);
        pane_->findChild<QToolButton*>(QStringLiteral("acceptPredictedButton"))->click();

        cv::Mat resized;
        cv::resize(heatmap, resized, kImageSize, 0, 0, cv::INTER_LINEAR);
        cv::Mat expected = mask.clone();
        expected.setTo(kScratch, resized >= 0.6);
        QVERIFY(cv::countNonZero(resized >= 0.6) > 100);
        QVERIFY(same(pane_->currentMask(), expected));
        QCOMPARE(actions(edited), QStringList {QStringLiteral("accept predicted region")});
    }

    void undoAndRedoRestoreExactMasks()
    {
        cv::Mat image = greyImage();
        image(cv::Rect(60, 50, 20, 20)).setTo(cv::Scalar(0.1, 0.1, 0.1));
        cv::Mat heatmap = cv::Mat::zeros(8, 10, CV_32F);
        heatmap(cv::Rect(1, 1, 3, 2)).setTo(1.0);
        cv::Mat initial = cv::Mat::zeros(kImageSize, CV_8UC1);
        initial(cv::Rect(5, 50, 30, 20)).setTo(ds::kUntypedDefect);
        editingPane(image, initial, heatmap);
        pane_->setThreshold(0.5);
        QSignalSpy edited(pane_.get(), &ImagePane::maskEdited);

        std::vector<cv::Mat> states {pane_->currentMask().clone()};
        const auto done = [&] { states.push_back(pane_->currentMask().clone()); };
        selectType(kScratch);
        editor().setBrushSize(9);
        drag(Qt::LeftButton, at(2, 2), at(40, 60));
        done();
        selectType(7);
        QTest::keyClick(&view(), Qt::Key_L);
        for (const QPoint& vertex : {at(20, 5), at(70, 15), at(45.25, 45.75)})
            QTest::mouseClick(&view(), Qt::LeftButton, {}, vertex);
        QTest::keyClick(&view(), Qt::Key_Return);
        done();
        QTest::keyClick(&view(), Qt::Key_R);
        QTest::mouseClick(&view(), Qt::LeftButton, {}, at(65, 55));
        done();
        selectType(ds::kUntypedDefect);
        pane_->findChild<QToolButton*>(QStringLiteral("acceptPredictedButton"))->click();
        done();
        QTest::keyClick(&view(), Qt::Key_E);
        drag(Qt::LeftButton, at(0, 40), at(99, 30));
        done();
        pane_->findChild<QToolButton*>(QStringLiteral("clearMaskButton"))->click();
        done();
        const QStringList operations {QStringLiteral("brush"),      QStringLiteral("polygon"),
                                      QStringLiteral("flood fill"), QStringLiteral("accept predicted region"),
                                      QStringLiteral("eraser"),     QStringLiteral("clear")};
        QCOMPARE(actions(edited), operations);
        for (std::size_t i = 1; i < states.size(); ++i)
            QVERIFY2(!same(states[i], states[i - 1]), qPrintable(operations[int(i) - 1]));
        QCOMPARE(pane_->undoStack()->count(), 6);

        // Back to the start, by Ctrl+Z and the stack; each step exactly the state before.
        edited.clear();
        QStringList expectedActions;
        for (int i = int(states.size()) - 1; i > 0; --i) {
            if (i % 2)
                QTest::keyClick(&view(), Qt::Key_Z, Qt::ControlModifier);
            else
                pane_->undoStack()->undo();
            QVERIFY2(same(pane_->currentMask(), states[i - 1]), qPrintable(operations[i - 1]));
            QVERIFY(same(edited.last().at(0).value<cv::Mat>(), states[i - 1]));
            expectedActions << QStringLiteral("undo ") + operations[i - 1];
        }
        QCOMPARE(actions(edited), expectedActions);

        // And forward again, by Ctrl+Shift+Z, Ctrl+Y and the stack.
        edited.clear();
        expectedActions.clear();
        for (std::size_t i = 1; i < states.size(); ++i) {
            if (i % 3 == 0)
                QTest::keyClick(&view(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
            else if (i % 3 == 1)
                QTest::keyClick(&view(), Qt::Key_Y, Qt::ControlModifier);
            else
                pane_->undoStack()->redo();
            QVERIFY2(same(pane_->currentMask(), states[i]), qPrintable(operations[int(i) - 1]));
            expectedActions << QStringLiteral("redo ") + operations[int(i) - 1];
        }
        QCOMPARE(actions(edited), expectedActions);

        // Undo part way, then edit: the undone steps are gone, the rest undo exactly.
        pane_->undoStack()->undo();
        pane_->undoStack()->undo();
        pane_->findChild<QToolButton*>(QStringLiteral("clearMaskButton"))->click();
        QCOMPARE(pane_->undoStack()->count(), 5);
        pane_->undoStack()->undo();
        QVERIFY(same(pane_->currentMask(), states[4]));
    }

    void everyImageKeepsItsOwnHistory()
    {
        editingPane(greyImage(), cv::Mat(), cv::Mat(), 1);
        // The window stores each edit as the project would; showing an image again passes it.
        std::map<std::int64_t, cv::Mat> stored;
        std::int64_t shown = 1;
        connect(pane_.get(), &ImagePane::maskEdited, this, [&](const cv::Mat& mask) { stored[shown] = mask.clone(); });
        const auto show = [&](std::int64_t imageId) {
            shown = imageId;
            pane_->showImage(greyImage(), cv::Mat(), stored[imageId], QString(), imageId);
        };

        selectType(kScratch);
        editor().setBrushSize(4);
        QTest::mouseClick(&view(), Qt::LeftButton, {}, at(10, 10));
        QTest::mouseClick(&view(), Qt::LeftButton, {}, at(20, 10));
        const cv::Mat firstEdited = pane_->currentMask().clone();
        show(2);
        QCOMPARE(pane_->undoStack()->count(), 0);
        QCOMPARE(cv::countNonZero(pane_->currentMask()), 0);
        QTest::mouseClick(&view(), Qt::LeftButton, {}, at(50, 50));
        QCOMPARE(pane_->undoStack()->count(), 1);

        show(1);
        QVERIFY(same(pane_->currentMask(), firstEdited));
        QCOMPARE(pane_->undoStack()->count(), 2);
        QTest::keyClick(&view(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(cv::countNonZero(pane_->currentMask()), cv::countNonZero(firstEdited) / 2);
        show(2);
        QCOMPARE(pane_->undoStack()->count(), 1);
        pane_->undoStack()->undo();
        QCOMPARE(cv::countNonZero(pane_->currentMask()), 0);

        // A mask changed elsewhere since (e.g. a deleted defect type) starts a new history.
        cv::Mat changed = stored[1].clone();
        changed.setTo(ds::kUntypedDefect, changed == kScratch);
        pane_->showImage(greyImage(), cv::Mat(), changed, QString(), 1);
        QCOMPARE(pane_->undoStack()->count(), 0);
        QVERIFY(same(pane_->currentMask(), changed));

        // An image without an id keeps none.
        pane_->showImage(greyImage(), cv::Mat(), cv::Mat(), QString());
        QTest::mouseClick(&view(), Qt::LeftButton, {}, at(50, 50));
        QCOMPARE(pane_->undoStack()->count(), 1);
        pane_->showImage(greyImage(), cv::Mat(), pane_->currentMask(), QString());
        QCOMPARE(pane_->undoStack()->count(), 0);
    }

    void middleButtonAndSpaceDragPanWithoutEditing()
    {
        editingPane();
        QSignalSpy edited(pane_.get(), &ImagePane::maskEdited);
        drag(Qt::MiddleButton, QPoint(200, 160), QPoint(240, 140));
        QCOMPARE(view().center(), kCentre - QPointF(40, -20) / kZoom);

        view().setView(kZoom, kCentre);
        QTest::keyPress(&view(), Qt::Key_Space);
        drag(Qt::LeftButton, QPoint(200, 160), QPoint(160, 200));
        QTest::keyRelease(&view(), Qt::Key_Space);
        QCOMPARE(view().center(), kCentre + QPointF(40, -40) / kZoom);
        QCOMPARE(edited.size(), 0);
        QCOMPARE(cv::countNonZero(pane_->currentMask()), 0);

        // Without Space the left button paints again.
        drag(Qt::LeftButton, QPoint(200, 160), QPoint(210, 160));
        QCOMPARE(edited.size(), 1);
    }

    void editingOffLeavesTheViewPanningAndTheMaskAlone()
    {
        editingPane();
        pane_->setMaskEditingEnabled(false);
        QSignalSpy edited(pane_.get(), &ImagePane::maskEdited);
        QTest::keyClick(&view(), Qt::Key_E); // no tool keys
        QCOMPARE(editor().tool(), MaskEditor::Tool::Brush);
        view().setView(kZoom, kCentre);
        drag(Qt::LeftButton, QPoint(200, 160), QPoint(240, 160));
        QCOMPARE(view().center(), kCentre - QPointF(10, 0));
        QCOMPARE(edited.size(), 0);
        QVERIFY(editor().isHidden());
        QVERIFY(!pane_->groundTruthBox()->isEnabled()); // no mask known
    }

    void masksAreDrawnInTheirTypesColours()
    {
        cv::Mat mask = cv::Mat::zeros(kImageSize, CV_8UC1);
        mask(cv::Rect(10, 10, 20, 20)).setTo(kScratch); // red
        mask(cv::Rect(60, 10, 20, 20)).setTo(7); // blue
        mask(cv::Rect(10, 50, 20, 20)).setTo(ds::kUntypedDefect);
        editingPane(greyImage(), mask);
        QTest::qWait(50); // the coalesced redraw
        const QImage shot = view().grab().toImage();
        const QColor grey = shot.pixelColor(at(50, 45));
        const QColor scratch = shot.pixelColor(at(20, 20));
        const QColor stain = shot.pixelColor(at(70, 20));
        const QColor untyped = shot.pixelColor(at(20, 60));
        QVERIFY2(scratch.red() > grey.red() + 40 && scratch.blue() < grey.blue() - 40, qPrintable(scratch.name()));
        QVERIFY2(stain.blue() > grey.blue() + 40 && stain.red() < grey.red() - 40, qPrintable(stain.name()));
        QVERIFY2(untyped.red() > grey.red() + 40 && untyped.blue() > grey.blue() + 40 && untyped.green() < grey.green() - 40,
                 qPrintable(untyped.name()));
        QCOMPARE(shot.pixelColor(at(10.5, 20.5)), QColor(0, 255, 0)); // the ground-truth outline
    }

    void defectTypesDialogChangesTheProjectsTypes()
    {
        QTemporaryDir folder;
        ds::ProjectFile project = ds::ProjectFile::openOrCreate(folder.filePath(QStringLiteral("types.dsproj")).toStdString());
        ds::ui::DefectTypesDialog dialog(project);
        QSignalSpy changed(&dialog, &ds::ui::DefectTypesDialog::typesChanged);
        auto* name = dialog.findChild<QLineEdit*>(QStringLiteral("newDefectTypeName"));
        auto* list = dialog.findChild<QListWidget*>(QStringLiteral("defectTypeList"));

        name->setText(QStringLiteral("scratch"));
        dialog.findChild<QPushButton*>(QStringLiteral("addDefectTypeButton"))->click();
        name->setText(QStringLiteral("stain"));
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QTest::keyClick(name, Qt::Key_Return);
        QVERIFY(dialog.isVisible()); // Return in the name field adds the type; it does not close the dialog
        std::vector<ds::DefectType> types = project.defectTypes();
        QCOMPARE(types.size(), std::size_t(2));
        QCOMPARE(types[0].name, std::string("scratch"));
        QCOMPARE(types[1].name, std::string("stain"));
        QVERIFY(types[0].color != types[1].color); // new types take colours not yet used
        QCOMPARE(list->count(), 2);
        QCOMPARE(changed.size(), 2);
        QCOMPARE(changed.last().first().value<std::vector<ds::DefectType>>().size(), std::size_t(2));
        QVERIFY(name->text().isEmpty());
        QVERIFY(dialog.errorText().isEmpty());

        // Refusals are shown and change nothing.
        QVERIFY(!dialog.addType(QStringLiteral("scratch"), Qt::red));
        QVERIFY(!dialog.errorText().isEmpty());
        QVERIFY(!dialog.addType(QString(), Qt::red));
        QCOMPARE(project.defectTypes().size(), std::size_t(2));
        QCOMPARE(changed.size(), 2);

        // Renaming in place, refused and accepted.
        list->item(0)->setText(QStringLiteral("stain"));
        QTRY_VERIFY(dialog.errorText().contains(QStringLiteral("already has a defect type named 'stain'")));
        QCOMPARE(list->item(0)->text(), QStringLiteral("scratch"));
        list->item(0)->setText(QStringLiteral("crack"));
        QTRY_COMPARE(project.defectTypes()[0].name, std::string("crack"));
        QVERIFY(dialog.errorText().isEmpty());

        QVERIFY(dialog.recolourType(types[1].id, QColor(0, 255, 255)));
        QCOMPARE(project.defectTypes()[1].color, std::string("#00ffff"));
        QVERIFY(dialog.deleteType(types[0].id));
        types = project.defectTypes();
        QCOMPARE(types.size(), std::size_t(1));
        QCOMPARE(types[0].name, std::string("stain"));
        QCOMPARE(list->count(), 1);
        QCOMPARE(changed.size(), 5);
    }
};

QTEST_MAIN(TestMaskEditor)
#include "test_mask_editor.moc"
